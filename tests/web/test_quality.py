"""Metadata quality in the web UI: the staff dashboard at /kvalitet and /en/quality (the catalog's score, its
dimensions, ratings and HVD count, the datasets to fix first), and the panel on a dataset's page for those
who may edit it, with suggestions that lead to the form field to fill in.

The scores come from interop.quality (tested in tests/interop): these tests check that the pages show what it
computes, in words, in both languages, to the right people. The demo's tables are not read in here (no job
runs), so its datasets have no data API yet, and the DCAT-AP check has not run."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog import accounts, datasets
from datatorget.catalog.models import Dataset, User
from datatorget.catalog.schemas import DatasetIn
from datatorget.interop.quality import CatalogQuality, DatasetQuality, catalog_quality, dataset_quality
from tests.web.pages import PASSWORD, Pages, h1_of, text_of

RATING_SV = {"excellent": "Utmärkt", "good": "Bra", "sufficient": "Godtagbar", "bad": "Bristfällig"}
RATING_EN = {"excellent": "Excellent", "good": "Good", "sufficient": "Sufficient", "bad": "Bad"}
EDIT_LINK = re.compile(r'href="/datamangder/([^/"]+)/redigera#([^"]+)"')
LISTED = re.compile(r'<th scope="row">\s*<a href="/(?:en/datasets|datamangder)/([^/"]+)/(?:redigera|edit)"')


def table_rows(html: str, caption_id: str) -> list[list[str]]:
    """The body rows of the table with that caption, as the words of each cell."""
    found = re.search(rf'<caption id="{caption_id}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert found, f"no table {caption_id}"
    return [
        [text_of(cell) for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", found.group(1), re.S)
    ]


def text_by_id(html: str, element_id: str) -> str:
    found = re.search(rf'<(\w+) [^>]*id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert found, f"no element {element_id}"
    return text_of(found.group(2))


def panel_of(html: str) -> str:
    """The quality panel of a dataset's page, or "" when the page has none."""
    found = re.search(r'<section id="quality".*?</section>', html, re.S)
    return found.group(0) if found else ""


def listed_slugs(html: str) -> list[str]:
    """The datasets in the list to fix, in order, by the slug their title links to."""
    return LISTED.findall(html)


def points(value: float, lang: str = "sv") -> str:
    """Points as the pages write them: whole points without decimals, else one decimal."""
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text.replace(".", ",") if lang == "sv" else text


def sjovik(session: Session, editor: User) -> CatalogQuality:
    """What the engine finds for the datasets of Sjöviks kommun."""
    return catalog_quality(session, editor, organization="sjovik")


def quality_of(session: Session, slug: str) -> DatasetQuality:
    dataset = session.scalars(select(Dataset).where(Dataset.slug == slug)).one()
    return dataset_quality(session, dataset)


@pytest.fixture
def admin(session: Session, demo: None) -> User:
    user = accounts.create_user(
        session,
        email="admin@sjovik.example",
        password=PASSWORD,
        role="admin",
        organization_slug=None,
        by=None,
    )
    session.commit()
    return user


# --- who may see the dashboard ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(app_client: TestClient, demo: None) -> None:
    response = app_client.get("/kvalitet", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/logga-in?next=%2Fkvalitet"


def test_members_may_not_see_it(app_client: TestClient, pages: Pages, member: User) -> None:
    pages.log_in(member)

    assert app_client.get("/kvalitet").status_code == 403


def test_the_menu_links_to_it_for_staff_only(app_client: TestClient, pages: Pages, editor: User) -> None:
    assert 'href="/kvalitet"' not in app_client.get("/").text
    pages.log_in(editor)

    assert 'href="/kvalitet"' in app_client.get("/").text


# --- the dashboard ----------------------------------------------------------------------------------------


def test_an_editor_sees_their_organisations_score_out_of_405_with_its_rating_in_words(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    pages.log_in(editor)
    found = sjovik(session, editor)

    html = app_client.get("/kvalitet").text

    assert h1_of(html) == "Metadatakvalitet"
    assert text_by_id(html, "quality-catalog-score") == (
        f"Sjöviks kommun {points(found.points)} av 405 poäng Betyg: {RATING_SV[found.rating]}"
    )


def test_the_points_per_dimension_are_a_table_of_the_five_dimensions(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    pages.log_in(editor)
    found = sjovik(session, editor)

    rows = table_rows(app_client.get("/kvalitet").text, "dimensions-caption")

    assert [(name, maximum) for name, _points, maximum, _share in rows] == [
        ("Sökbarhet", "100"), ("Åtkomlighet", "100"), ("Interoperabilitet", "110"), ("Återanvändbarhet", "75"),
        ("Sammanhang", "20"),
    ]  # fmt: skip
    assert [row[1] for row in rows] == [points(d.points) for d in found.dimensions]
    assert [row[3] for row in rows] == [f"{round(100 * d.points / d.max_points)} %" for d in found.dimensions]


def test_every_rating_is_counted(
    app_client: TestClient, pages: Pages, editor: User, draft: str, session: Session
) -> None:
    pages.log_in(editor)
    found = sjovik(session, editor)

    rows = table_rows(app_client.get("/kvalitet").text, "ratings-caption")

    assert rows == [[RATING_SV[r], str(found.ratings[r])] for r in ("excellent", "good", "sufficient", "bad")]
    assert sum(found.ratings.values()) == 5


def test_an_editor_sees_only_the_datasets_of_their_organisation_worst_first(
    app_client: TestClient, pages: Pages, editor: User, draft: str, session: Session
) -> None:
    pages.log_in(editor)
    found = sjovik(session, editor)

    html = app_client.get("/kvalitet").text

    assert sorted(listed_slugs(html)) == sorted(
        [draft, "badplatser", "badvattenkvalitet", "evenemang", "planerade-cykelvagar"]
    )
    assert listed_slugs(html) == [q.slug for q in found.datasets]
    assert [row[1] for row in table_rows(html, "fix-caption")] == [points(q.points) for q in found.datasets]
    assert [
        float(p.replace(",", ".")) for p in (row[1] for row in table_rows(html, "fix-caption"))
    ] == sorted(q.points for q in found.datasets)


def test_a_bare_dataset_comes_first_with_its_three_most_valuable_suggestions_linked(
    app_client: TestClient, pages: Pages, editor: User, draft: str, session: Session
) -> None:
    pages.log_in(editor)
    bare = quality_of(session, draft)

    html = app_client.get("/kvalitet").text

    assert table_rows(html, "fix-caption")[0][:3] == [
        "Hemliga planer för parkering",
        points(bare.points),
        "Bristfällig",
    ]
    first = re.search(
        r'<caption id="fix-caption">.*?<ul class="suggestions">(.*?)</ul>(.*?)</td>', html, re.S
    )
    assert first
    assert re.findall(r"<a [^>]*>(.*?)</a>", first.group(1)) == [s.sv for s in bare.suggestions[:3]]
    # the biggest gain of a dataset without distributions: to add one, on the form for a new distribution
    assert re.findall(r'<a href="([^"]+)">', first.group(1))[0] == f"/datamangder/{draft}/distributioner/ny"
    assert text_of(first.group(2)) == f"och {len(bare.suggestions) - 3} förslag till"


def test_an_administrator_sees_every_organisation(app_client: TestClient, pages: Pages, admin: User) -> None:
    pages.log_in(admin)

    html = app_client.get("/kvalitet").text

    assert sorted(listed_slugs(html)) == [
        "badplatser", "badvattenkvalitet", "bostadsbestand", "evenemang", "fjarrvarme", "laddstationer",
        "planerade-cykelvagar",
    ]  # fmt: skip
    assert text_by_id(html, "quality-catalog-score").startswith("Katalogen i genomsnitt")
    assert "Sjöviks Energi AB" in [row[1] for row in table_rows(html, "fix-caption")]


def test_an_administrator_may_pick_one_organisation(
    app_client: TestClient, pages: Pages, admin: User
) -> None:
    pages.log_in(admin)

    html = app_client.get("/kvalitet", params={"organization": "sjovik-energi"}).text

    assert sorted(listed_slugs(html)) == ["fjarrvarme", "laddstationer"]
    assert '<option value="sjovik-energi" selected>' in html
    assert text_by_id(html, "quality-catalog-score").startswith("Sjöviks Energi AB")


@pytest.mark.parametrize("query", ["organization=finns-inte", "page=abc", "page=-3", "page=99"])
def test_a_filter_or_page_not_offered_still_shows_the_list(
    app_client: TestClient, pages: Pages, admin: User, query: str
) -> None:
    pages.log_in(admin)

    response = app_client.get(f"/kvalitet?{query}")

    assert response.status_code == 200
    assert '<option value="" selected>' in response.text
    assert len(listed_slugs(response.text)) == 7


def test_an_editors_organisation_filter_is_ignored(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    html = app_client.get("/kvalitet", params={"organization": "sjovik-energi"}).text

    assert "laddstationer" not in listed_slugs(html)
    assert 'id="organization"' not in html


def test_the_hvd_datasets_that_miss_something_are_counted_and_marked(
    app_client: TestClient, pages: Pages, admin: User, session: Session
) -> None:
    pages.log_in(admin)
    found = catalog_quality(session, admin)
    incomplete = [q.title["sv"] for q in found.datasets if q.hvd is not None and not q.hvd.complete]

    html = app_client.get("/kvalitet").text

    assert len(incomplete) == found.hvd_incomplete == 2  # no data API without the tables read in
    assert text_by_id(html, "hvd-incomplete") == "2 datamängder i en HVD-kategori uppfyller inte alla krav."
    marked = [row[0] for row in table_rows(html, "fix-caption") if row[0].endswith(" HVD saknar något")]
    assert marked == [f"{title} HVD saknar något" for title in incomplete]


def test_a_long_list_is_paged_twenty_at_a_time(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    by = accounts.system_user(session)
    for n in range(17):  # with the 4 datasets of Sjöviks kommun in the demo, 21
        data = DatasetIn(
            slug=f"tunn-{n:02}", title={"sv": f"Tunn {n:02}"}, description={"sv": "Kort."}, organization="sjovik",
            state="draft",
        )  # fmt: skip
        datasets.create_dataset(session, data, by)
    session.commit()
    pages.log_in(editor)

    first, second = app_client.get("/kvalitet").text, app_client.get("/kvalitet?page=2").text

    assert len(listed_slugs(first)) == 20
    assert len(listed_slugs(second)) == 1 and not listed_slugs(second)[0].startswith("tunn-")
    assert 'href="/kvalitet?page=2" rel="next"' in first
    assert text_by_id(second, "fix-caption") == "Datamängder att rätta, 21–21 av 21"


def test_the_english_dashboard_is_in_english(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    pages.log_in(editor, lang="en")
    found = sjovik(session, editor)

    html = app_client.get("/en/quality").text

    assert h1_of(html) == "Metadata quality"
    assert text_by_id(html, "quality-catalog-score") == (
        f"Sjöviks kommun {points(found.points, 'en')} of 405 points Rating: {RATING_EN[found.rating]}"
    )
    assert [row[0] for row in table_rows(html, "ratings-caption")] == [
        "Excellent",
        "Good",
        "Sufficient",
        "Bad",
    ]
    worst = found.datasets[0]
    assert re.search(
        rf'<a href="/en/datasets/{worst.slug}/edit#\w+">{re.escape(worst.suggestions[0].en)}</a>', html
    )


# --- the panel on a dataset's page ------------------------------------------------------------------------


def test_the_dataset_page_shows_its_editor_the_score_and_every_suggestion(
    app_client: TestClient, pages: Pages, editor: User, draft: str, session: Session
) -> None:
    pages.log_in(editor)
    bare = quality_of(session, draft)

    panel = panel_of(app_client.get(f"/datamangder/{draft}").text)

    assert '<h2 id="quality-heading">Metadatakvalitet</h2>' in panel
    assert (
        text_by_id(panel, "quality-score")
        == f"Datamängden {points(bare.points)} av 405 poäng Betyg: Bristfällig"
    )
    assert table_rows(panel, "quality-dimensions-caption")[0] == ["Sökbarhet", "0", "100", "0 %"]
    suggestions = re.search(r'<ul class="suggestions">(.*?)</ul>', panel, re.S)
    assert suggestions
    assert [text_of(item) for item in re.findall(r"<li>(.*?)</li>", suggestions.group(1), re.S)] == [
        f"{s.sv} (+{s.gain} poäng)" for s in bare.suggestions
    ]
    assert "Lägg till minst ett nyckelord" in text_of(suggestions.group(1))


def test_every_suggestion_links_to_a_field_that_is_in_the_form(
    app_client: TestClient, pages: Pages, editor: User, draft: str
) -> None:
    pages.log_in(editor)

    links = EDIT_LINK.findall(panel_of(app_client.get(f"/datamangder/{draft}").text))
    form = app_client.get(f"/datamangder/{draft}/redigera").text

    assert ("hemliga-planer", "keywords_sv") in links
    assert [field for slug, field in links if slug != draft or f'id="{unescape(field)}"' not in form] == []


def test_a_suggestion_about_a_distribution_leads_to_the_distributions(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    html = app_client.get("/datamangder/evenemang").text  # its API link has no download address

    assert '<a href="/datamangder/evenemang#distributions">' in panel_of(html)
    assert '<section id="distributions"' in html


def test_checks_not_yet_made_are_named(app_client: TestClient, pages: Pages, editor: User) -> None:
    pages.log_in(editor)

    panel = panel_of(app_client.get("/datamangder/badplatser").text)

    note = text_by_id(panel, "quality-unmeasured")
    assert note.startswith("Ännu inte kontrollerat:")
    assert "följer DCAT-AP" in note
    assert note.endswith("Poängen kan ändras när kontrollerna har körts.")


def test_a_dataset_with_an_hvd_category_shows_the_checklist_missing_first(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    pages.log_in(editor)
    hvd = quality_of(session, "badvattenkvalitet").hvd
    assert hvd is not None
    checks = sorted(hvd.checks, key=lambda c: c.ok)

    panel = panel_of(app_client.get("/datamangder/badvattenkvalitet").text)

    assert table_rows(panel, "quality-hvd-caption") == [
        ["✓ Uppfyllt" if c.ok else "✗ Saknas", text_of(c.sv)] for c in checks
    ]
    assert checks[0].key == "api" and not checks[0].ok  # the tables are not read in: no data API
    missing = sum(1 for c in checks if not c.ok)
    assert text_by_id(panel, "quality-hvd-summary") == f"{missing} krav är inte uppfyllda."
    assert "Kategorier: Jordobservation och miljö" in text_of(panel)


def test_a_dataset_without_an_hvd_category_has_no_checklist(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    panel = panel_of(app_client.get("/datamangder/badplatser").text)

    assert panel
    assert "quality-hvd-caption" not in panel


@pytest.mark.parametrize("who", ["anonymous", "member", "editor-of-another-organisation"])
def test_the_panel_is_not_shown_to_those_who_may_not_edit(
    app_client: TestClient, pages: Pages, member: User, energy_editor: User, who: str
) -> None:
    if who == "member":
        pages.log_in(member)
    elif who == "editor-of-another-organisation":
        pages.log_in(energy_editor)

    html = app_client.get("/datamangder/badplatser").text

    assert panel_of(html) == ""
    assert "Metadatakvalitet" not in html


def test_an_administrator_sees_the_panel_of_any_dataset(
    app_client: TestClient, pages: Pages, admin: User
) -> None:
    pages.log_in(admin)

    assert panel_of(app_client.get("/datamangder/laddstationer").text)


def test_the_english_panel_is_in_english(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    pages.log_in(editor, lang="en")
    found = quality_of(session, "badvattenkvalitet")

    panel = panel_of(app_client.get("/en/datasets/badvattenkvalitet").text)

    assert '<h2 id="quality-heading">Metadata quality</h2>' in panel
    assert text_by_id(panel, "quality-score") == (
        f"This dataset {points(found.points, 'en')} of 405 points Rating: {RATING_EN[found.rating]}"
    )
    assert found.hvd is not None
    first_missing = next(c for c in found.hvd.checks if not c.ok)
    assert table_rows(panel, "quality-hvd-caption")[0] == ["✗ Missing", text_of(first_missing.en)]


def test_a_harvested_dataset_is_fixed_at_its_source_so_its_suggestions_lead_nowhere_here(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    dataset = session.scalars(select(Dataset).where(Dataset.slug == "evenemang")).one()
    dataset.origin = {"source_title": "Länets katalog", "remote_url": "https://lan.example/evenemang"}
    session.commit()
    pages.log_in(editor)

    panel = panel_of(app_client.get("/datamangder/evenemang").text)
    dashboard = app_client.get("/kvalitet").text

    assert "skördad från en annan katalog" in text_of(panel)
    assert 'href="/datamangder/evenemang/' not in panel and 'href="/datamangder/evenemang#' not in panel
    assert '<a href="/datamangder/evenemang">Evenemang</a>' in dashboard
    assert "/datamangder/evenemang/redigera" not in dashboard

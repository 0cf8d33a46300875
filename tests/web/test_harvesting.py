"""Harvesting in the web UI: administrators add a source, change it, run it, read a run's report and delete
the source; everyone else is kept out. A harvested dataset's page says where it came from and offers no
editing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from datatorget.catalog import accounts
from datatorget.catalog.models import Dataset, User
from datatorget.config import Settings
from datatorget.interop.harvest_models import HarvestRun, HarvestSource
from tests.conftest import client_with
from tests.interop.harvest_support import RemoteSite, serve_dcat, serving
from tests.jobs import run_jobs
from tests.web.pages import PASSWORD, Pages, field_error, h1_of, text_of, title_of

SOURCE: dict[str, str | list[str]] = {
    "source_title": "Vallby kommuns katalog",
    "source_url": "https://data.vallby.example/datamangder/dcat",
    "source_kind": "dcat",
    "source_organization": "sjovik",
    "interval_hours": "24",
    "enabled": "1",
}


@pytest.fixture
def site() -> Iterator[RemoteSite]:
    """A remote DCAT catalog on loopback: two pages, four good records and one without a title."""
    with serving() as site:
        yield site


@pytest.fixture
def app_client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """The app, allowed to harvest from loopback, where the test catalog is served."""
    allowed = settings.model_copy(update={"fetch_private_addresses": True, "harvest_timeout_s": 5.0})
    with client_with(engine, allowed) as client:
        yield client


@pytest.fixture
def admin(session: Session, demo: None) -> User:
    user = accounts.create_user(
        session, email="it@sjovik.example", password=PASSWORD, role="admin", organization_slug=None, by=None
    )
    session.commit()
    return user


@pytest.fixture
def as_admin(pages: Pages, admin: User) -> Pages:
    pages.log_in(admin)
    return pages


def sources(session: Session) -> list[HarvestSource]:
    session.rollback()  # a fresh snapshot: the app wrote in its own transaction
    return list(session.scalars(select(HarvestSource)))


def add(pages: Pages, **changes: str | list[str]) -> str:
    """Add SOURCE (with changes) through the form; the path of the source's page."""
    response = pages.submit("/skordning/ny", SOURCE | changes)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


@pytest.fixture
def source_page(as_admin: Pages) -> str:
    """The page of a source added by the admin."""
    return add(as_admin)


@pytest.fixture
def harvested(as_admin: Pages, site: RemoteSite) -> str:
    """The recorded catalog harvested once into Sjöviks kommun; the path of the run's report."""
    page = add(as_admin, source_url=serve_dcat(site), interval_hours="0")
    response = as_admin.submit(page, {"action": "run"})
    assert response.status_code == 303, response.text
    run_jobs(as_admin.client)
    return str(response.headers["location"])


def found(pattern: str, html: str) -> str:
    """The words of the first group of `pattern` in the page; AssertionError when it is not there."""
    match = re.search(pattern, html, re.S)
    assert match, f"nothing matches {pattern!r}"
    return text_of(match.group(1))


def record_rows(html: str) -> list[tuple[str, str, str]]:
    """(dataset, outcome, reason) of each row of a run's report."""
    rows = re.findall(r'<tr class="record record--\w+">(.*?)</tr>', html, re.S)
    found = []
    for row in rows:
        title = re.search(r"<th[^>]*>\s*(?:<a [^>]*>)?(.*?)(?:</a>)?\s*(?:<br>|</th>)", row, re.S)
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        found.append((text_of(title.group(1)) if title else "", text_of(cells[0]), text_of(cells[1])))
    return found


# --- who may ---------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(app_client: TestClient, demo: None) -> None:
    response = app_client.get("/skordning", follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (303, "/logga-in?next=%2Fskordning")


@pytest.mark.parametrize("path", ["/skordning", "/skordning/ny", "/en/harvesting"])
def test_editors_may_not_see_the_harvesting_pages(
    app_client: TestClient, pages: Pages, editor: User, path: str
) -> None:
    pages.log_in(editor)

    assert app_client.get(path).status_code == 403


def test_editors_may_not_add_a_source(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    pages.log_in(editor)
    token = pages.token_for("/konto")

    response = app_client.post("/skordning/ny", data=SOURCE | {"csrf_token": token})

    assert response.status_code == 403
    assert sources(session) == []


def test_the_menu_offers_harvesting_to_admins_only(
    app_client: TestClient, pages: Pages, admin: User, editor: User
) -> None:
    pages.log_in(editor)
    assert 'href="/skordning"' not in app_client.get("/").text
    pages.log_in(admin)
    assert '<a href="/skordning">Skördning</a>' in app_client.get("/").text


# --- sources ---------------------------------------------------------------------------------------------


def test_the_list_says_when_there_are_no_sources(app_client: TestClient, as_admin: Pages) -> None:
    html = app_client.get("/skordning").text

    assert h1_of(html) == "Skördning från andra kataloger"
    assert 'id="sources-empty"' in html


def test_an_admin_adds_a_source_and_lands_on_its_page(
    app_client: TestClient, as_admin: Pages, session: Session
) -> None:
    page = add(as_admin)

    [stored] = sources(session)
    assert page == f"/skordning/{stored.id}"
    assert (stored.title, stored.kind, stored.interval_hours, stored.enabled) == (
        "Vallby kommuns katalog", "dcat", 24, True,
    )  # fmt: skip
    html = app_client.get(page).text
    assert h1_of(html) == "Vallby kommuns katalog"
    assert 'id="runs-empty"' in html


def test_the_list_shows_each_source_with_its_schedule(
    app_client: TestClient, as_admin: Pages, source_page: str
) -> None:
    html = app_client.get("/skordning").text

    assert f'<a href="{source_page}">Vallby kommuns katalog</a>' in html
    assert "Var 24:e timme" in html
    assert "Aldrig körd" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"source_title": ""}, "source_title", "Fyll i fältet."),
        (
            {"source_url": "ftp://data.vallby.example/katalog.ttl"},
            "source_url",
            "Skriv en fullständig adress",
        ),
        ({"interval_hours": "varje dag"}, "interval_hours", "Skriv ett heltal från 0 till 8784"),
        ({"source_organization": "finns-inte"}, "source_organization", "Välj en organisation i listan."),
    ],
    ids=["no-title", "not-http", "interval-not-a-number", "unknown-organisation"],
)
def test_a_form_with_errors_says_what_is_wrong_and_adds_nothing(
    as_admin: Pages, session: Session, changes: dict[str, str | list[str]], field: str, message: str
) -> None:
    response = as_admin.submit("/skordning/ny", SOURCE | changes)

    assert response.status_code == 422
    assert title_of(response.text).startswith("Fel:")
    assert field_error(response.text, field).startswith(f"Fel: {message}")
    assert sources(session) == []


def test_an_admin_changes_the_settings(
    app_client: TestClient, as_admin: Pages, source_page: str, session: Session
) -> None:
    response = as_admin.submit(source_page, SOURCE | {"action": "save", "interval_hours": "6", "enabled": ""})

    assert (response.status_code, response.headers["location"]) == (303, f"{source_page}?saved=1")
    [stored] = sources(session)
    assert (stored.interval_hours, stored.enabled) == (6, False)
    assert "Inställningarna är sparade." in app_client.get(response.headers["location"]).text


def test_settings_with_errors_are_shown_again_and_not_saved(
    as_admin: Pages, source_page: str, session: Session
) -> None:
    response = as_admin.submit(
        source_page, SOURCE | {"action": "save", "source_title": "", "interval_hours": "6"}
    )

    assert response.status_code == 422
    assert field_error(response.text, "source_title") == "Fel: Fyll i fältet."
    assert sources(session)[0].interval_hours == 24


def test_deleting_a_source_asks_first(
    app_client: TestClient, as_admin: Pages, source_page: str, session: Session
) -> None:
    response = as_admin.submit(source_page, {"action": "delete"})

    assert response.status_code == 200
    assert "Vill du verkligen ta bort källan ”Vallby kommuns katalog”?" in response.text
    assert len(sources(session)) == 1


def test_a_confirmed_delete_removes_the_source(as_admin: Pages, source_page: str, session: Session) -> None:
    response = as_admin.submit(source_page, {"action": "delete_confirmed"})

    assert (response.status_code, response.headers["location"]) == (303, "/skordning")
    assert sources(session) == []


def test_an_unknown_source_is_not_found(app_client: TestClient, as_admin: Pages) -> None:
    assert app_client.get("/skordning/00000000-0000-4000-8000-000000000000").status_code == 404
    assert app_client.get("/skordning/inte-ett-id").status_code == 404


# --- runs ------------------------------------------------------------------------------------------------


def test_run_now_queues_a_run_and_shows_it(app_client: TestClient, as_admin: Pages, source_page: str) -> None:
    response = as_admin.submit(source_page, {"action": "run"})

    assert response.status_code == 303
    assert re.fullmatch(rf"{source_page}/korningar/[0-9a-f-]{{36}}", response.headers["location"])
    html = app_client.get(response.headers["location"]).text
    assert found(r'<dd id="run-status">(.*?)</dd>', html) == "I kö"
    assert 'id="run-pending"' in html


def test_run_now_while_a_run_is_queued_says_so(as_admin: Pages, source_page: str, session: Session) -> None:
    as_admin.submit(source_page, {"action": "run"})

    response = as_admin.submit(source_page, {"action": "run"})

    assert response.status_code == 409
    assert "Källan körs redan eller väntar på att köras." in response.text
    session.rollback()
    assert len(list(session.scalars(select(HarvestRun)))) == 1


def test_the_report_gives_the_counts_and_each_record_with_its_outcome(
    app_client: TestClient, harvested: str
) -> None:
    html = app_client.get(harvested).text

    assert found(r'<dd id="run-status">(.*?)</dd>', html) == "Klar med fel"
    counts = found(r'<dl class="facts facts--compact" id="run-counts">(.*?)</dl>', html)
    assert counts == "Ny 4 Uppdaterad 0 Oförändrad 0 Tillbakadragen 0 Misslyckades 1"
    rows = record_rows(html)
    assert sorted(row[:2] for row in rows if row[1] == "Ny") == [
        ("Badplatser", "Ny"), ("Detaljplaner", "Ny"), ("Förskolor", "Ny"), ("Luftkvalitet i centrum", "Ny"),
    ]  # fmt: skip
    [failed] = [row for row in rows if row[1] == "Misslyckades"]
    assert failed[2] != ""


def test_the_report_links_each_new_record_to_its_local_dataset(
    app_client: TestClient, harvested: str, session: Session
) -> None:
    html = app_client.get(harvested).text

    session.rollback()
    slugs = set(session.scalars(select(Dataset.slug).where(Dataset.origin.is_not(None))))
    linked = set(re.findall(r'<a href="/datamangder/([^"]+)">', html))
    assert len(slugs) == 4
    assert slugs <= linked


def test_the_report_is_in_english_too(app_client: TestClient, harvested: str) -> None:
    english = harvested.replace("/skordning/", "/en/harvesting/").replace("/korningar/", "/runs/")

    html = app_client.get(english).text

    assert h1_of(html) == "Run of Vallby kommuns katalog"
    assert ("Badplatser", "New", "") in record_rows(html)


def test_the_source_page_lists_its_runs(app_client: TestClient, harvested: str) -> None:
    source_page = harvested.split("/korningar/")[0]

    html = app_client.get(source_page).text

    assert f'<a href="{harvested}">' in html
    assert "Klar med fel" in html


def test_a_run_of_another_source_is_not_found(
    app_client: TestClient, as_admin: Pages, harvested: str
) -> None:
    other = add(as_admin, source_title="En annan källa")

    assert app_client.get(f"{other}/korningar/{harvested.rsplit('/', 1)[1]}").status_code == 404


# --- a harvested dataset ---------------------------------------------------------------------------------


def test_editors_may_not_read_a_run_report(
    app_client: TestClient, pages: Pages, harvested: str, editor: User
) -> None:
    pages.log_in(editor)

    assert app_client.get(harvested).status_code == 403


def test_a_harvested_dataset_says_where_it_came_from_and_offers_no_editing(
    app_client: TestClient, pages: Pages, harvested: str, editor: User, session: Session
) -> None:
    session.rollback()
    dataset = session.scalars(
        select(Dataset).where(Dataset.origin.is_not(None), Dataset.organization.has(slug="sjovik"))
    ).first()
    assert dataset is not None
    pages.log_in(editor)

    html = app_client.get(f"/datamangder/{dataset.slug}").text

    origin = found(r'<p class="dataset__origin" id="origin">(.*?)</p>', html)
    assert origin.startswith("Skördad från Vallby kommuns katalog")
    assert "Datamängden kan bara ändras i källan." in origin
    assert f'href="/datamangder/{dataset.slug}/redigera"' not in html
    assert f'href="/datamangder/{dataset.slug}/distributioner/ny"' not in html


def test_a_local_dataset_keeps_its_editing_buttons(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    html = app_client.get("/datamangder/badplatser").text

    assert 'id="origin"' not in html
    assert 'href="/datamangder/badplatser/redigera"' in html


def test_the_source_page_is_in_english_too(app_client: TestClient, source_page: str) -> None:
    html = app_client.get(source_page.replace("/skordning/", "/en/harvesting/")).text

    assert h1_of(html) == "Vallby kommuns katalog"
    assert "Every 24 hours" in html
    assert '<button class="button" type="submit">Run now</button>' in html

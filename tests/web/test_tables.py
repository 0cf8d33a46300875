"""The table pages: an upload is read in while the publisher watches, then its rows can be sorted, filtered
and paged, with statistics, a chart, a map for places, downloads and versions; its publishers change how it
is read in. The rows come from the same query code as the data API."""

from __future__ import annotations

import io
import re
import uuid
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog import accounts, distributions
from datatorget.catalog.models import User
from datatorget.config import Settings
from datatorget.jobs import queue
from datatorget.jobs.ingestion import latest_job, start_ingestion
from datatorget.jobs.worker import run_job
from tests.jobs import run_jobs
from tests.web.pages import Pages, field_error, h1_of, language_link, text_of, title_of

FORM = "/datamangder/badplatser/distributioner/ny"
# Places with a date and a temperature: a line chart and a map.
BATHS = """Namn;Typ;Temperatur;Provdatum;Latitud;Longitud
Sjöviks havsbad;Havsbad;18,5;2024-06-10;56,65738;12,83801
Norra stranden;Havsbad;19,0;2024-06-10;56,65288;12,76611
Kvarnbadet;Sjöbad;21,5;2024-06-17;56,70001;12,80002
Gäddtjärn;Sjöbad;20,0;2024-06-17;56,71;12,81
Tallviken;Sjöbad;;2024-06-24;56,72;12,82
""".encode()
# No places and no dates: a bar chart of the kind of each row, and no map.
STOCK = """Område;Upplåtelse;Lägenheter
Norrängen;Hyresrätt;35
Centrum;Bostadsrätt;20
Centrum;Hyresrätt;12
Björkängen;Hyresrätt;44
Björkängen;Bostadsrätt;18
""".encode()


def upload(client: TestClient, pages: Pages, content: bytes, name: str, form: str = FORM) -> str:
    """Upload a file through the form as a logged-in editor; the address the form sends them to."""
    response = client.post(
        form,
        data={"csrf_token": pages.token_for(form), "kind": "upload", "title_sv": name},
        files={"file": (name, content, "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    location: str = response.headers["location"]
    return location


def table_id_of(location: str) -> str:
    found = re.search(r"/tabeller/([0-9a-f-]{36})", location) or re.search(
        r"/tables/([0-9a-f-]{36})", location
    )
    assert found, location
    return found.group(1)


@pytest.fixture
def baths(app_client: TestClient, pages: Pages, editor: User) -> str:
    """The path of the table page of an uploaded CSV of bathing places, read in; the editor is logged in."""
    pages.log_in(editor)
    location = upload(app_client, pages, BATHS, "badplatser-2024.csv")
    assert run_jobs(app_client) == 1
    return location.split("#")[0]


@pytest.fixture
def stock(app_client: TestClient, pages: Pages, editor: User) -> str:
    pages.log_in(editor)
    location = upload(app_client, pages, STOCK, "lagenheter.csv")
    assert run_jobs(app_client) == 1
    return location.split("#")[0]


def column(html: str, index: int) -> list[str]:
    """The cells of one column of the rows table, as text."""
    body = re.search(r'<table class="table data-table">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, "the page has no rows table"
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [text_of(re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[index]) for row in rows]


def links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', html)]


# --- reading in ---------------------------------------------------------------------------------------


def test_an_uploaded_table_sends_the_publisher_to_its_page_with_the_progress(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)

    location = upload(app_client, pages, BATHS, "badplatser-2024.csv")

    assert re.fullmatch(r"/datamangder/badplatser/tabeller/[0-9a-f-]{36}#ingestion", location)
    html = app_client.get(location.split("#")[0]).text
    assert '<p id="job-live" class="job-panel__stage" role="status" aria-live="polite"' in html
    assert "Väntar på att läsas in" in html
    assert '<progress id="job-bar" max="100">' in html
    assert 'hx-trigger="every 1s"' in html
    assert "Tabellen är inte klar än" in html


def test_the_progress_fragment_shows_each_state_and_stops_polling_at_the_end(
    app_client: TestClient, pages: Pages, editor: User, session: Session
) -> None:
    pages.log_in(editor)
    page = upload(app_client, pages, BATHS, "badplatser-2024.csv").split("#")[0]
    status = page + "/status"
    job = latest_job(session, uuid.UUID(table_id_of(page)))
    assert job is not None

    queued = app_client.get(status)
    assert queued.status_code == 200
    assert "Väntar på att läsas in" in queued.text
    assert 'hx-swap-oob="innerHTML"' in queued.text

    sessions = app_client.app.state.writing_sessionmaker  # type: ignore[attr-defined]
    assert queue.claim(sessions, job.id) is not None
    queue.report_progress(sessions, job.id, {"stage": "reading", "percent": 40, "rows_read": 1200})
    running = app_client.get(status, params={"heard": "queued.queued"})
    assert '<progress id="job-bar" max="100" value="40.0">' in running.text
    assert "Läser filen … – 40 %, 1 200 rader lästa" in text_of(running.text)
    assert '<p id="job-live" hx-swap-oob="innerHTML">Läser filen …</p>' in running.text
    key = re.search(r"seen=([^&]+)&amp;heard=([^&]+)&amp;", running.text)
    assert key
    unchanged = app_client.get(status, params={"seen": unescape(key.group(1)), "heard": "running.reading"})
    assert unchanged.status_code == 204
    same_stage = app_client.get(status, params={"heard": "running.reading"})
    assert "hx-swap-oob" not in same_stage.text

    run_job(app_client.app.state.job_context, job.id, "ingest", dict(job.params))  # type: ignore[attr-defined]
    done = app_client.get(status, params={"heard": "running.reading", "shown": "0"})
    assert '<p id="job-live" hx-swap-oob="innerHTML">Klart: version 1 med 5 rader.</p>' in done.text
    assert "hx-trigger" not in done.text
    assert "Visa den nya versionen" in done.text
    assert "Inga problem hittades i filen." in done.text


def test_a_file_that_cannot_be_read_shows_why_in_the_page_language(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor, "en")
    location = upload(
        app_client, pages, b"Namn;Typ\n", "tom.csv", "/en/datasets/badplatser/distributions/new"
    )
    run_jobs(app_client)
    page = location.split("#")[0]

    html = app_client.get(page).text
    fragment = app_client.get(page + "/status").text

    assert location.startswith("/en/datasets/badplatser/tables/")
    assert "The file could not be read in." in text_of(html)
    assert "The file has no rows of data, only headers (or nothing)." in text_of(fragment)
    assert "hx-trigger" not in fragment


def test_the_dataset_page_says_that_a_file_is_being_read_in(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)
    upload(app_client, pages, BATHS, "badplatser-2024.csv")
    assert "Filen läses in som tabell." in text_of(app_client.get("/datamangder/badplatser").text)


def test_the_dataset_page_says_that_a_file_could_not_be_read_in_and_links_editors_to_why(
    app_client: TestClient, pages: Pages, editor: User
) -> None:
    pages.log_in(editor)
    page = upload(app_client, pages, b"Namn;Typ\n", "tom.csv").split("#")[0]
    run_jobs(app_client)

    html = app_client.get("/datamangder/badplatser").text
    anonymous = TestClient(app_client.app).get("/datamangder/badplatser").text

    assert "Filen gick inte att läsa in som tabell" in text_of(html)
    assert page in links(html)
    assert "Filen gick inte att läsa in som tabell" in text_of(anonymous)
    assert page not in links(anonymous)


# --- the page -----------------------------------------------------------------------------------------


def test_the_table_page_shows_the_rows_in_file_order(app_client: TestClient, baths: str) -> None:
    html = app_client.get(baths).text

    assert h1_of(html).startswith("badplatser-2024.csv")
    assert title_of(html) == "badplatser-2024.csv – Tabell – Datatorget"
    assert column(html, 0) == ["Sjöviks havsbad", "Norra stranden", "Kvarnbadet", "Gäddtjärn", "Tallviken"]
    assert column(html, 2) == ["18,5", "19", "21,5", "20", ""]
    assert '<caption id="rows-caption">Rad 1–5 av 5.</caption>' in html
    assert '<th scope="col" class="num">' in html
    assert "5 rader · 6 kolumner · version 1 från" in text_of(html)


def test_a_column_header_sorts_the_rows_and_says_how(app_client: TestClient, baths: str) -> None:
    first = app_client.get(baths).text
    link = next(href for href in links(first) if "_sort=Temperatur" in href)

    ascending = app_client.get(link).text
    link = next(href for href in links(ascending) if "_sort=-Temperatur" in href)
    descending = app_client.get(link).text

    assert column(ascending, 2) == ["18,5", "19", "20", "21,5", ""]
    assert '<th scope="col" class="num" aria-sort="ascending">' in ascending
    assert column(descending, 2) == ["21,5", "20", "19", "18,5", ""]
    assert '<th scope="col" class="num" aria-sort="descending">' in descending
    assert "Sorterade efter Temperatur, fallande." in descending


def test_filters_and_search_in_the_address_pick_the_rows(app_client: TestClient, baths: str) -> None:
    by_kind = app_client.get(baths, params={"Typ": "Sjöbad"}).text
    warm = app_client.get(baths, params={"Temperatur__gte": "20"}).text
    words = app_client.get(baths, params={"_q": "strand"}).text
    empty = app_client.get(baths, params={"Temperatur__isnull": "true"}).text

    assert column(by_kind, 0) == ["Kvarnbadet", "Gäddtjärn", "Tallviken"]
    assert column(warm, 0) == ["Kvarnbadet", "Gäddtjärn"]
    assert column(words, 0) == ["Norra stranden"]
    assert column(empty, 0) == ["Tallviken"]
    assert "Rad 1–2 av 2." in warm
    assert "Temperatur ≥ 20" in text_of(warm)
    assert "Temperatur är tom" in text_of(empty)


def test_the_filter_form_becomes_the_address_of_the_filter(app_client: TestClient, baths: str) -> None:
    response = app_client.get(
        baths,
        params={"_q": "", "_filter_column": "Temperatur", "_filter_op": "gt", "_filter_value": "18,5"},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == baths + "?Temperatur__gt=18.5"
    html = app_client.get(response.headers["location"]).text
    assert column(html, 0) == ["Norra stranden", "Kvarnbadet", "Gäddtjärn"]
    chip = re.search(r'<a class="chip" href="([^"]*)">(.*?)</a>', html, re.S)
    assert chip
    assert (unescape(chip.group(1)), text_of(chip.group(2))) == (baths, "Ta bort filter: Temperatur > 18.5 ×")


def test_a_filter_that_cannot_be_used_is_said_and_all_rows_are_shown(
    app_client: TestClient, baths: str
) -> None:
    response = app_client.get(baths, params={"Provdatum__gt": "juni"})

    assert response.status_code == 400
    assert "Det gick inte att använda Provdatum__gt." in text_of(response.text)
    assert len(column(response.text, 0)) == 5


def test_rows_come_a_page_at_a_time_with_next_and_previous_links(app_client: TestClient, baths: str) -> None:
    first = app_client.get(baths, params={"_size": "2"}).text
    second = app_client.get(f"{baths}?_size=2&_offset=2").text
    last = app_client.get(f"{baths}?_size=2&_offset=4").text

    assert column(first, 0) == ["Sjöviks havsbad", "Norra stranden"]
    assert f'href="{baths}?_size=2&amp;_offset=2" rel="next"' in first
    assert 'rel="prev"' not in first
    assert column(second, 0) == ["Kvarnbadet", "Gäddtjärn"]
    assert f'href="{baths}?_size=2" rel="prev"' in second
    assert column(last, 0) == ["Tallviken"]
    assert 'rel="next"' not in last
    assert "Rad 5–5 av 5." in last


def test_the_page_shows_statistics_of_each_column(app_client: TestClient, baths: str) -> None:
    html = app_client.get(baths).text
    stats = re.search(r'<table class="table table--compact stats-table">(.*?)</table>', html, re.S)
    assert stats
    rows = {
        text_of(r.split("</th>")[0]): text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", stats.group(1), re.S)
    }

    assert rows["Temperatur"] == "Temperatur tal 1 4 18,5 21,5 –"
    assert rows["Typ"].startswith("Typ text 0 2 Havsbad Sjöbad Sjöbad (3) Havsbad (2)")


def test_a_date_and_a_number_give_a_line_chart_with_its_numbers_as_a_table(
    app_client: TestClient, baths: str
) -> None:
    html = app_client.get(baths).text
    figure = re.search(r'<figure class="chart".*?</figure>', html, re.S)
    assert figure

    assert '<svg class="chart__svg"' in figure.group(0)
    assert 'role="img" aria-labelledby="chart-svg-title"' in figure.group(0)
    assert '<path class="chart__line"' in figure.group(0)
    assert "Medelvärde av Temperatur per Provdatum" in figure.group(0)
    numbers = re.search(r"<tbody>(.*?)</tbody>", figure.group(0), re.S)
    assert numbers
    assert [text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", numbers.group(1), re.S)] == [
        "2024-06-10 18,75",
        "2024-06-17 20,75",
    ]


def test_a_column_with_few_values_gives_a_bar_chart(app_client: TestClient, stock: str) -> None:
    figure = re.search(r'<figure class="chart".*?</figure>', app_client.get(stock).text, re.S)
    assert figure

    assert figure.group(0).count('<rect class="chart__bar"') == 3
    assert "Antal rader per värde i Område" in figure.group(0)
    numbers = re.search(r"<tbody>(.*?)</tbody>", figure.group(0), re.S)
    assert numbers
    assert [text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", numbers.group(1), re.S)] == [
        "Björkängen 2",
        "Centrum 2",
        "Norrängen 1",
    ]


def test_a_table_with_places_has_a_map_of_the_same_rows(app_client: TestClient, baths: str) -> None:
    html = app_client.get(baths, params={"Typ": "Sjöbad"}).text
    table_id = table_id_of(baths)

    assert '<div id="map" class="map" role="region"' in html
    assert f'data-geojson="/api/v1/tables/{table_id}/rows.geojson?Typ=Sj%C3%B6bad&amp;_size=5000"' in html
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert '<script src="/static/vendor/leaflet/leaflet.js" defer></script>' in html
    assert 'href="#after-map"' in html
    geojson = app_client.get(
        f"/api/v1/tables/{table_id}/rows.geojson", params={"Typ": "Sjöbad", "_size": "5000"}
    )
    assert geojson.status_code == 200
    assert len(geojson.json()["features"]) == 3


def test_a_table_without_places_has_no_map(app_client: TestClient, stock: str) -> None:
    html = app_client.get(stock).text

    assert 'id="map"' not in html
    assert "leaflet" not in html
    assert "rows.geojson" not in html


def test_every_download_format_is_listed_and_answers(app_client: TestClient, baths: str) -> None:
    html = app_client.get(baths).text
    table_id = table_id_of(baths)
    downloads = re.search(r'<ul class="download-list">(.*?)</ul>', html, re.S)
    assert downloads
    found = links(downloads.group(1))

    assert found == [
        f"/api/v1/tables/{table_id}/rows.{ext}"
        for ext in ("csv", "csv?_excel=true", "xlsx", "json", "ndjson", "geojson", "parquet")
    ]
    for href in found:
        assert app_client.get(href).status_code == 200, href
    assert f'href="/api/v1/tables/{table_id}"' in html


def test_filtered_rows_can_be_downloaded_as_shown(app_client: TestClient, baths: str) -> None:
    html = app_client.get(baths, params={"Typ": "Havsbad", "_sort": "-Namn"}).text
    table_id = table_id_of(baths)

    assert f'href="/api/v1/tables/{table_id}/rows.csv?Typ=Havsbad&amp;_sort=-Namn"' in html
    csv = app_client.get(
        f"/api/v1/tables/{table_id}/rows.csv", params={"Typ": "Havsbad", "_sort": "-Namn"}
    ).text
    assert [line.split(",")[0] for line in csv.splitlines()[1:]] == ["Sjöviks havsbad", "Norra stranden"]


def test_the_page_is_in_english_under_en(app_client: TestClient, baths: str) -> None:
    english = baths.replace("/datamangder/badplatser/tabeller/", "/en/datasets/badplatser/tables/")

    html = app_client.get(english).text

    assert '<html lang="en">' in html
    assert language_link(html)[0] == baths
    assert "Rows 1–5 of 5." in html
    assert column(html, 2) == ["18.5", "19", "21.5", "20", ""]
    assert "Mean of Temperatur per Provdatum" in html


def test_the_dataset_page_links_to_its_tables(app_client: TestClient, baths: str) -> None:
    html = app_client.get("/datamangder/badplatser").text

    assert f'<a class="button button--secondary" href="{baths}">Utforska tabellen' in html


def test_an_old_slug_in_the_address_leads_to_the_table_under_the_current_one(
    app_client: TestClient, baths: str
) -> None:
    old = baths.replace("/badplatser/", "/gamla-badplatser/")

    response = app_client.get(old + "?_size=2", follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (308, baths + "?_size=2")


# --- publishing -----------------------------------------------------------------------------------------


def test_a_new_version_uploaded_from_the_table_page_is_read_in_and_listed(
    app_client: TestClient, pages: Pages, baths: str
) -> None:
    changed = BATHS.decode().replace("Tallviken;Sjöbad;;", "Tallviken;Sjöbad;17,0;")
    changed += "Ny strand;Havsbad;16,0;2024-07-01;56,6;12,7\n"
    response = app_client.post(
        baths, data={"csrf_token": pages.token_for(baths), "action": "upload"},
        files={"file": ("badplatser-2024.csv", changed.encode(), "text/csv")}, follow_redirects=False,
    )  # fmt: skip

    assert (response.status_code, response.headers["location"]) == (303, baths + "#ingestion")
    assert run_jobs(app_client) == 1
    html = app_client.get(baths).text
    assert "version 2" in text_of(html)
    versions = re.search(r'<section id="versions".*?</section>', html, re.S)
    assert versions
    rows = [text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", versions.group(0), re.S)[1:]]
    assert rows[0].startswith("2 (visas)")
    # without a primary key a changed row is one removed and one added
    assert rows[0].endswith(" 6 2 tillagda, 1 borttagna")
    assert rows[1].startswith("Version 1") and rows[1].endswith(" 5 Första versionen")
    assert f'href="{baths}?_version=1"' in versions.group(0)
    old = app_client.get(baths, params={"_version": "1"}).text
    assert "Äldre version" in old
    assert len(column(old, 0)) == 5


def test_a_new_version_without_a_file_is_refused_next_to_the_field(
    app_client: TestClient, pages: Pages, baths: str
) -> None:
    response = app_client.post(baths, data={"csrf_token": pages.token_for(baths), "action": "upload"})

    assert response.status_code == 422
    assert field_error(response.text, "upload-file") == "Fel: Välj en fil att ladda upp."
    assert '<a href="#upload-file">' in response.text


def test_reading_in_again_starts_a_job(app_client: TestClient, pages: Pages, baths: str) -> None:
    response = app_client.post(
        baths, data={"csrf_token": pages.token_for(baths), "action": "reingest"}, follow_redirects=False
    )

    assert response.status_code == 303
    assert "Väntar på att läsas in" in app_client.get(baths).text
    assert run_jobs(app_client) == 1


def test_the_settings_change_a_column_type_and_reading_in_again_applies_it(
    app_client: TestClient, pages: Pages, baths: str
) -> None:
    settings_page = baths + "/installningar"
    form = app_client.get(settings_page).text
    index = re.search(r'name="(col-\d+)-name" value="Temperatur"', form)
    assert index
    prefix = index.group(1)

    response = app_client.post(settings_page, data={
        "csrf_token": pages.csrf_token(form), "on_error": "blank", f"{prefix}-name": "Temperatur",
        f"{prefix}-type": "string", f"{prefix}-title_sv": "Vattentemperatur", f"{prefix}-title_en": "Water temperature",
        "action": "save_reingest",
    }, follow_redirects=False)  # fmt: skip

    assert (response.status_code, response.headers["location"]) == (303, baths + "#ingestion")
    run_jobs(app_client)
    html = app_client.get(baths).text
    assert column(html, 2) == ["18,5", "19,0", "21,5", "20,0", ""]
    assert re.search(r'<th scope="col">\s*<a id="sort-2" [^>]*>Vattentemperatur<', html)
    assert '<span class="column-name">Temperatur</span>' in html
    table = app_client.get(f"/api/v1/tables/{table_id_of(baths)}").json()
    assert table["schema"]["fields"][2] == {
        "name": "Temperatur", "type": "string", "title": "Vattentemperatur",
        "titles": {"sv": "Vattentemperatur", "en": "Water temperature"},
    }  # fmt: skip
    english = app_client.get(
        baths.replace("/datamangder/badplatser/tabeller/", "/en/datasets/badplatser/tables/")
    ).text
    assert "Water temperature" in english


def test_the_settings_form_shows_errors_next_to_the_fields(
    app_client: TestClient, pages: Pages, baths: str
) -> None:
    settings_page = baths + "/installningar"
    form = app_client.get(settings_page).text
    index = re.search(r'name="(col-\d+)-name" value="Namn"', form)
    assert index
    prefix = index.group(1)

    response = app_client.post(settings_page, data={
        "csrf_token": pages.csrf_token(form), "on_error": "sometimes", f"{prefix}-name": "Namn",
        f"{prefix}-type": "colour", f"{prefix}-title_sv": "x" * 201,
    })  # fmt: skip

    assert response.status_code == 422
    assert field_error(response.text, "on_error") == "Fel: Välj ett av alternativen."
    assert field_error(response.text, f"{prefix}-type") == "Fel: Välj ett av alternativen."
    assert field_error(response.text, f"{prefix}-title_sv") == "Fel: Skriv högst 200 tecken."
    assert "Typ för Namn: Välj ett av alternativen." in text_of(response.text)
    assert 'value="colour"' not in response.text


def test_settings_saved_without_reading_in_are_kept_for_next_time(
    app_client: TestClient, pages: Pages, baths: str
) -> None:
    settings_page = baths + "/installningar"
    form = app_client.get(settings_page).text

    response = app_client.post(settings_page, data={
        "csrf_token": pages.csrf_token(form), "on_error": "refuse", "primary_key": "Namn", "action": "save",
    }, follow_redirects=False)  # fmt: skip

    assert (response.status_code, response.headers["location"]) == (303, settings_page + "?saved=1")
    again = app_client.get(response.headers["location"]).text
    assert "Inställningarna är sparade." in again
    assert 'id="on_error-refuse" name="on_error" value="refuse" checked' in again
    assert 'name="primary_key" value="Namn" checked' in again


# --- who may see and do what ----------------------------------------------------------------------------


def test_a_publisher_of_another_organisation_may_not_change_the_table(
    app_client: TestClient, pages: Pages, baths: str, energy_editor: User
) -> None:
    app_client.cookies.clear()
    pages.log_in(energy_editor)
    token = pages.token_for(baths)

    page = app_client.get(baths).text
    assert app_client.get(baths + "/installningar").status_code == 403
    assert (
        app_client.post(
            baths + "/installningar", data={"csrf_token": token, "on_error": "refuse"}
        ).status_code
        == 403
    )
    assert app_client.post(baths, data={"csrf_token": token, "action": "reingest"}).status_code == 403
    assert app_client.get(baths + "/status").status_code == 404
    assert 'id="manage"' not in page
    assert "installningar" not in page


def test_a_drafts_table_is_not_found_by_visitors(
    app_client: TestClient, pages: Pages, editor: User, draft: str, session: Session, settings: Settings
) -> None:
    by = accounts.system_user(session)
    distribution = distributions.add_upload(
        session, draft, distributions.Upload(io.BytesIO(STOCK), "plan.csv"), by,
        files_dir=settings.files_dir, max_bytes=settings.max_upload_bytes,
    )  # fmt: skip
    start_ingestion(session, distribution, by)
    session.commit()
    run_jobs(app_client)
    path = f"/datamangder/{draft}/tabeller/{distribution.id}"

    anonymous = app_client.get(path)
    pages.log_in(editor)
    publisher = app_client.get(path)

    assert anonymous.status_code == 404
    assert publisher.status_code == 200
    assert "Utkast" in publisher.text


def test_an_unknown_table_is_not_found(app_client: TestClient, demo: None) -> None:
    assert app_client.get(f"/datamangder/badplatser/tabeller/{uuid.uuid4()}").status_code == 404
    assert app_client.get("/datamangder/badplatser/tabeller/inte-ett-id").status_code == 404


def test_htmx_swapping_only_the_rows_is_not_sent_the_chart(app_client: TestClient, baths: str) -> None:
    swapped = app_client.get(
        baths, params={"_sort": "Namn"}, headers={"HX-Request": "true", "HX-Target": "rows-area"}
    )

    assert swapped.status_code == 200
    assert 'id="rows-area"' in swapped.text
    assert '<figure class="chart"' not in swapped.text
    assert '<section id="downloads"' in swapped.text

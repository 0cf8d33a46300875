"""The row API of a table: pages, downloads, aggregates and facets, and how bad input is refused."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from pathlib import Path
from typing import Any
from unittest.mock import ANY
from urllib.parse import parse_qsl, urlsplit

import duckdb
import openpyxl  # type: ignore[import-untyped]
import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization
from tests.api.problems import problem
from tests.factories import make_dataset
from tests.jobs import run_jobs

# What these tests show happens in DuckDB and the routes; the metadata database only finds the table, so
# one backend shows it. Access to drafts runs on both.
ONE_BACKEND = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

BATHS = (
    "namn;latitud;longitud;djup;öppnar;kommentar\n"
    "Sandviken;59,1204;17,9581;120;2024-06-01;Sand och brygga\n"
    'Badholmen;59,1321;17,9903;;2024-05-15;=HYPERLINK("http://x")\n'
    "Ekudden;59,2000;18,1000;120;;Klippor\n"
    "Östra stranden;59,3000;18,3000;80;2024-06-01;\n"
    "Norrviken;60,0000;17,0000;300;2024-07-01;Brygga\n"
).encode()
COLUMNS = [
    {"name": "namn", "type": "string"}, {"name": "latitud", "type": "number"},
    {"name": "longitud", "type": "number"}, {"name": "djup", "type": "integer"},
    {"name": "öppnar", "type": "date"}, {"name": "kommentar", "type": "string"},
]  # fmt: skip
SANDVIKEN = {"namn": "Sandviken", "latitud": 59.1204, "longitud": 17.9581, "djup": 120, "öppnar": "2024-06-01",
             "kommentar": "Sand och brygga"}  # fmt: skip
NAMES = ["Sandviken", "Badholmen", "Ekudden", "Östra stranden", "Norrviken"]


def upload(client: TestClient, headers: dict[str, str], content: bytes, dataset: str = "badplatser") -> str:
    response = client.post(
        f"/api/v1/datasets/{dataset}/distributions",
        files={"file": ("badplatser.csv", content, "text/csv")},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    run_jobs(client)
    return str(response.json()["id"])


@pytest.fixture
def table(app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset) -> str:
    """The id of a table of five bathing places, ingested from CSV."""
    return upload(app_client, editor_headers, BATHS)


def rows_of(client: TestClient, table: str, query: str = "") -> Any:
    response = client.get(f"/api/v1/tables/{table}/rows{query}")
    assert response.status_code == 200, response.text
    return response.json()


def names(body: Any) -> list[str]:
    return [row["namn"] for row in body["rows"]]


def publish_version(client: TestClient, table: str, headers: dict[str, str], content: bytes) -> None:
    response = client.post(
        f"/api/v1/tables/{table}/versions",
        files={"file": ("badplatser.csv", content, "text/csv")},
        headers=headers,
    )
    assert response.status_code == 202, response.text
    run_jobs(client)


# --- pages ---------------------------------------------------------------------------------------------


@ONE_BACKEND
def test_a_page_gives_the_columns_the_total_the_next_page_and_the_rows(
    app_client: TestClient, table: str
) -> None:
    response = app_client.get(f"/api/v1/tables/{table}/rows?_size=1")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body == {
        "columns": COLUMNS,
        "total": 5,
        "next": f"http://portal.test/api/v1/tables/{table}/rows?_size=1&_version=1&_after={body['next_cursor']}",
        "next_cursor": ANY,
        "rows": [SANDVIKEN],
    }


@ONE_BACKEND
def test_following_next_gives_every_row_once_and_ends(app_client: TestClient, table: str) -> None:
    url: str | None = f"/api/v1/tables/{table}/rows?_size=2&_sort=-djup"
    seen: list[str] = []
    while url:
        body = app_client.get(url).json()
        seen += names(body)
        url = body["next"]
    assert seen == ["Norrviken", "Sandviken", "Ekudden", "Östra stranden", "Badholmen"]


@ONE_BACKEND
def test_offset_paging_continues_by_offset(app_client: TestClient, table: str) -> None:
    body = rows_of(app_client, table, "?_offset=1&_size=2")
    assert names(body) == ["Badholmen", "Ekudden"]
    assert dict(parse_qsl(urlsplit(body["next"]).query)) == {"_offset": "3", "_size": "2", "_version": "1"}


@ONE_BACKEND
def test_filters_sort_and_columns_come_from_the_query_string(app_client: TestClient, table: str) -> None:
    body = rows_of(app_client, table, "?djup__gte=100&_sort=-djup,namn&_cols=namn,djup&_shape=arrays")
    assert body["rows"] == [["Norrviken", 300], ["Ekudden", 120], ["Sandviken", 120]]
    assert body["total"] == 3


@ONE_BACKEND
def test_a_filtered_total_is_null_unless_asked_for(app_client: TestClient, table: str) -> None:
    assert rows_of(app_client, table, "?djup=120&_size=1")["total"] is None
    assert rows_of(app_client, table, "?djup=120&_size=1&_total=true")["total"] == 2


@ONE_BACKEND
def test_search_and_bbox_pick_rows(app_client: TestClient, table: str) -> None:
    assert names(rows_of(app_client, table, "?_q=BRYGGA")) == ["Sandviken", "Norrviken"]
    assert names(rows_of(app_client, table, "?_bbox=17.9,59.1,18.0,59.15")) == ["Sandviken", "Badholmen"]


@ONE_BACKEND
def test_an_earlier_version_is_read_with_version_or__version(
    app_client: TestClient, table: str, editor_headers: dict[str, str]
) -> None:
    publish_version(app_client, table, editor_headers, BATHS.replace(b"Sandviken", b"Sandvik"))

    assert names(rows_of(app_client, table, "?_size=1")) == ["Sandvik"]
    assert names(rows_of(app_client, table, "?_size=1&_version=1")) == ["Sandviken"]
    assert names(rows_of(app_client, table, "?_size=1&version=1")) == ["Sandviken"]


@ONE_BACKEND
def test_the_next_page_stays_on_the_version_of_the_first(app_client: TestClient, table: str) -> None:
    next_url = rows_of(app_client, table, "?_size=2")["next"]
    assert ("_version", "1") in parse_qsl(urlsplit(next_url).query)


@ONE_BACKEND
def test_a_cursor_alone_reads_on_in_its_version_after_a_new_one_is_published(
    app_client: TestClient, table: str, editor_headers: dict[str, str]
) -> None:
    cursor = rows_of(app_client, table, "?_size=2")["next_cursor"]
    # rows before and after the cursor's position: a cursor read in version 2 would skip or repeat rows
    publish_version(
        app_client, table, editor_headers, BATHS.replace(b"Ekudden;", b"Nyviken;1;1;1;;\nEkudden;")
    )
    assert names(rows_of(app_client, table, "?_size=3")) == ["Sandviken", "Badholmen", "Nyviken"]

    second = rows_of(app_client, table, f"?_size=2&_after={cursor}")
    third = app_client.get(second["next"]).json()

    assert names(second) + names(third) == ["Ekudden", "Östra stranden", "Norrviken"]
    assert third["next"] is None


@ONE_BACKEND
def test_a_cursor_with_another_version_than_the_one_asked_for_is_refused(
    app_client: TestClient, table: str, editor_headers: dict[str, str]
) -> None:
    cursor = rows_of(app_client, table, "?_size=2")["next_cursor"]
    publish_version(app_client, table, editor_headers, BATHS.replace(b"Sandviken", b"Sandvik"))

    response = app_client.get(f"/api/v1/tables/{table}/rows?_after={cursor}&_version=2")
    assert response.json() == problem(
        422, "_after: the cursor belongs to version 1", {"_after": ["the cursor belongs to version 1"]}
    )
    assert names(rows_of(app_client, table, f"?_after={cursor}&_version=1")) == NAMES[2:]


def test_a_draft_table_is_not_found_by_those_who_may_not_see_it(
    app_client: TestClient, session: Session, sjovik: Organization, editor_headers: dict[str, str],
    outsider_headers: dict[str, str],
) -> None:  # fmt: skip
    make_dataset(session, "Planer", organization=sjovik.slug, state="draft")
    draft = upload(app_client, editor_headers, BATHS, dataset="planer")

    assert app_client.get(f"/api/v1/tables/{draft}/rows", headers=editor_headers).status_code == 200
    for headers in ({}, outsider_headers):
        for path in ("rows", "rows.csv", "rows.parquet", "aggregate", "facets?_facet=namn"):
            response = app_client.get(f"/api/v1/tables/{draft}/{path}", headers=headers)
            assert response.json() == problem(404, f"no table '{draft}'"), path


def test_a_version_that_does_not_exist_is_not_found(app_client: TestClient, table: str) -> None:
    response = app_client.get(f"/api/v1/tables/{table}/rows?_version=9")
    assert response.json() == problem(404, "this table has no version 9")


def test_a_table_whose_ingestion_has_not_run_has_no_rows_yet(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    response = app_client.post(
        "/api/v1/datasets/badplatser/distributions",
        files={"file": ("badplatser.csv", BATHS, "text/csv")},
        headers=editor_headers,
    )
    table = response.json()["id"]
    response = app_client.get(f"/api/v1/tables/{table}/rows")
    assert response.json() == problem(
        404, "this table has no version yet: its ingestion has not finished or has failed"
    )


def test_a_distribution_that_is_not_a_table_has_no_rows(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    response = app_client.post(
        "/api/v1/datasets/badplatser/distributions",
        files={"file": ("karta.pdf", b"%PDF-1.4 not a table", "application/pdf")},
        headers=editor_headers,
    )
    distribution = response.json()["id"]
    response = app_client.get(f"/api/v1/tables/{distribution}/rows")
    assert response.json() == problem(404, f"the distribution '{distribution}' is not a table")


@ONE_BACKEND
def test_an_unknown_table_is_not_found_and_says_so_to_any_site(
    app_client: TestClient, badplatser: Dataset
) -> None:
    missing = uuid.uuid4()
    response = app_client.get(f"/api/v1/tables/{missing}/rows")
    assert response.status_code == 404
    assert response.json() == problem(404, f"no table '{missing}'")
    assert response.headers["access-control-allow-origin"] == "*"


# --- downloads -----------------------------------------------------------------------------------------


@ONE_BACKEND
@pytest.mark.parametrize(
    ("ext", "media_type"),
    [("csv", "text/csv; charset=utf-8"), ("ndjson", "application/x-ndjson"), ("json", "application/json"),
     ("geojson", "application/geo+json"), ("parquet", "application/vnd.apache.parquet"),
     ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
)  # fmt: skip
def test_every_download_is_an_attachment_named_after_the_table_readable_by_any_site(
    app_client: TestClient, table: str, ext: str, media_type: str
) -> None:
    response = app_client.get(f"/api/v1/tables/{table}/rows.{ext}")

    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == f'attachment; filename="badplatser.{ext}"'
    assert response.headers["access-control-allow-origin"] == "*"


@ONE_BACKEND
def test_csv_gives_every_matching_row_with_formulas_neutralised(app_client: TestClient, table: str) -> None:
    response = app_client.get(f"/api/v1/tables/{table}/rows.csv?_cols=namn,djup,kommentar&djup__lt=200")
    assert list(csv.reader(io.StringIO(response.text))) == [
        ["namn", "djup", "kommentar"], ["Sandviken", "120", "Sand och brygga"], ["Ekudden", "120", "Klippor"],
        ["Östra stranden", "80", ""],
    ]  # fmt: skip
    badholmen = app_client.get(f"/api/v1/tables/{table}/rows.csv?_cols=kommentar&namn=Badholmen").text
    assert badholmen == 'kommentar\r\n"\'=HYPERLINK(""http://x"")"\r\n'


@ONE_BACKEND
def test_csv_for_swedish_excel(app_client: TestClient, table: str) -> None:
    response = app_client.get(f"/api/v1/tables/{table}/rows.csv?_excel=true&_cols=namn,latitud&_size=1")
    assert response.content == "\ufeffnamn;latitud\r\nSandviken;59,1204\r\n".encode()
    assert app_client.get(f"/api/v1/tables/{table}/rows.csv?_dialect=excel&_size=1").content == (
        app_client.get(f"/api/v1/tables/{table}/rows.csv?_excel=true&_size=1").content
    )


@ONE_BACKEND
def test_json_download_is_an_array_of_row_objects(app_client: TestClient, table: str) -> None:
    response = app_client.get(f"/api/v1/tables/{table}/rows.json?_size=1")
    assert response.json() == [SANDVIKEN]


@ONE_BACKEND
def test_ndjson_download_has_a_line_per_row(app_client: TestClient, table: str) -> None:
    lines = app_client.get(f"/api/v1/tables/{table}/rows.ndjson?_cols=namn").text.splitlines()
    assert [orjson.loads(line)["namn"] for line in lines] == NAMES


@ONE_BACKEND
def test_geojson_download_makes_points_of_latitude_and_longitude(app_client: TestClient, table: str) -> None:
    body = app_client.get(f"/api/v1/tables/{table}/rows.geojson?_cols=namn&_size=1").json()
    assert body == {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [17.9581, 59.1204]},
        "properties": {"namn": "Sandviken"},
    }]}  # fmt: skip


@ONE_BACKEND
def test_geojson_of_a_table_without_places_is_refused(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    plain = upload(app_client, editor_headers, b"namn;antal\nA;1\nB;2\n")
    response = app_client.get(f"/api/v1/tables/{plain}/rows.geojson")
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "format": ["this table has no GeoJSON column and no latitude and longitude columns, so it cannot be "
                   "given as GeoJSON; download it as CSV or JSON instead"]
    }  # fmt: skip


@ONE_BACKEND
def test_the_whole_table_as_parquet_is_the_stored_file(app_client: TestClient, table: str) -> None:
    whole = app_client.get(f"/api/v1/tables/{table}/rows.parquet")
    checksum = app_client.get(f"/api/v1/tables/{table}").json()["versions"][0]["sha256"]
    assert hashlib.sha256(whole.content).hexdigest() == checksum


@ONE_BACKEND
def test_filtered_parquet_holds_only_the_matching_rows(
    app_client: TestClient, table: str, tmp_path: Path
) -> None:
    target = tmp_path / "filtered.parquet"
    target.write_bytes(app_client.get(f"/api/v1/tables/{table}/rows.parquet?djup=120&_cols=namn").content)
    assert duckdb.sql(f"SELECT * FROM read_parquet('{target}')").fetchall() == [("Sandviken",), ("Ekudden",)]


@ONE_BACKEND
def test_xlsx_download_opens_in_a_spreadsheet(app_client: TestClient, table: str) -> None:
    response = app_client.get(f"/api/v1/tables/{table}/rows.xlsx?_cols=namn,djup&_size=2")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    assert sheet is not None
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["namn", "djup"], ["Sandviken", 120], ["Badholmen", None]
    ]  # fmt: skip


# --- aggregates and facets -----------------------------------------------------------------------------


@ONE_BACKEND
def test_aggregate_groups_and_counts_the_filtered_rows(app_client: TestClient, table: str) -> None:
    response = app_client.get(
        f"/api/v1/tables/{table}/aggregate?_group=djup&_agg=count,avg:latitud&namn__ne=Ekudden"
    )
    assert response.status_code == 200
    assert response.json() == {
        "columns": [{"name": "djup", "type": "integer"}, {"name": "count", "type": "integer"},
                    {"name": "avg:latitud", "type": "number"}],
        "rows": [{"djup": 80, "count": 1, "avg:latitud": 59.3}, {"djup": 120, "count": 1, "avg:latitud": 59.1204},
                 {"djup": 300, "count": 1, "avg:latitud": 60.0}, {"djup": None, "count": 1, "avg:latitud": 59.1321}],
        "truncated": False,
    }  # fmt: skip


@ONE_BACKEND
def test_facets_count_the_values_of_a_column(app_client: TestClient, table: str) -> None:
    response = app_client.get(f"/api/v1/tables/{table}/facets?_facet=öppnar&_size=2")
    assert response.json() == {
        "column": "öppnar", "type": "date", "truncated": True,
        "values": [{"value": "2024-06-01", "count": 2}, {"value": "2024-05-15", "count": 1}],
    }  # fmt: skip


@ONE_BACKEND
def test_sum_of_a_text_column_is_refused(app_client: TestClient, table: str) -> None:
    response = app_client.get(f"/api/v1/tables/{table}/aggregate?_agg=sum:namn")
    assert response.json() == problem(
        422, "_agg: sum needs a numeric column, and 'namn' is string",
        {"_agg": ["sum needs a numeric column, and 'namn' is string"]},
    )  # fmt: skip


# --- bad input: a clear 4xx, and the table reads the same afterwards ----------------------------------

PAGES_ONLY = ("rows",)
HOSTILE: dict[str, tuple[str, str] | tuple[str, str, tuple[str, ...]]] = {
    "a filter name with SQL in it": ('x"; DROP TABLE t; --=1', 'x"; DROP TABLE t; --'),
    "a filter value with SQL in it, on a number column": ("djup=1;DROP TABLE t", "djup"),
    "a sort with SQL in it": ("_sort=1;drop", "_sort"),
    "a column list with SQL in it": ('_cols=namn") FROM x; --', "_cols"),
    "a huge number": ("djup=99999999999999999999999", "djup"),
    "a huge page size": ("_size=99999999999999999999", "_size"),
    "a huge offset": ("_offset=99999999999999999999", "_offset"),
    "invalid UTF-8 in a value": ("namn=%C3", "query"),
    "invalid UTF-8 in a name": ("%FF%FE=1", "query"),
    "an empty value": ("namn=", "namn"),
    "ten thousand filters": ("&".join(["a=1"] * 10_000), "filters"),  # short: httpx takes URLs up to 64 KiB
    "an unknown column": ("simdjup=3", "simdjup"),
    "an unknown operator on a known column": ("djup__like=3", "djup__like"),
    "an unknown parameter of ours": ("_limit=3", "_limit"),
    "a value of the wrong type": ("öppnar=igår", "öppnar"),
    "a date that does not exist": ("öppnar=2024-02-30", "öppnar"),
    "a number that is not a number": ("latitud__gt=nan", "latitud__gt"),
    "a number beyond a double": ("latitud__lt=1e999", "latitud__lt"),
    "a whole number just beyond 64 bits": ("djup=9223372036854775808", "djup"),
    "a malformed cursor": ("_after=eyJhIjoxfQ", "_after"),
    "a malformed bbox": ("_bbox=1,2,three,4", "_bbox"),
    "an inverted bbox": ("_bbox=18,60,17,59", "_bbox"),
    "a page size of zero": ("_size=0", "_size"),
    "a page size over the limit": ("_size=999999", "_size", PAGES_ONLY),  # downloads take any size
    "a bad shape": ("_shape=xml", "_shape"),
    "a bad version": ("_version=-1", "_version"),
}


@ONE_BACKEND
@pytest.mark.parametrize("kind", list(HOSTILE))
def test_bad_input_is_refused_with_a_422_naming_the_parameter_and_changes_nothing(
    app_client: TestClient, table: str, kind: str
) -> None:
    query, parameter, *rest = HOSTILE[kind]
    paths: tuple[str, ...] = rest[0] if rest else ("rows", "rows.csv", "aggregate", "facets?_facet=namn")
    before = rows_of(app_client, table)

    for path in paths:
        response = app_client.get(f"/api/v1/tables/{table}/{path}{'&' if '?' in path else '?'}{query}")
        assert response.status_code == 422, (path, response.text)
        body = response.json()
        assert body["title"] == "Unprocessable Content"
        assert list(body["errors"]) == [parameter], path
        assert response.headers["access-control-allow-origin"] == "*"
    assert rows_of(app_client, table) == before


@ONE_BACKEND
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_moment_that_leaves_the_calendar_in_utc_is_refused_with_a_422(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset, moment: str
) -> None:
    readings = upload(
        app_client, editor_headers, b"plats;tid\nA;2024-06-01T08:30:00\nB;2024-06-02T09:00:00\n"
    )
    assert rows_of(app_client, readings)["columns"][1] == {"name": "tid", "type": "datetime"}

    response = app_client.get(f"/api/v1/tables/{readings}/rows", params={"tid__gte": moment})
    message = f"'{moment}' is outside the years 1 to 9999 once moved to UTC"
    assert response.json() == problem(422, f"tid__gte: {message}", {"tid__gte": [message]})


@ONE_BACKEND
def test_a_moment_at_the_edge_of_the_calendar_that_stays_within_it_in_utc_is_compared(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    readings = upload(
        app_client, editor_headers, b"plats;tid\nA;2024-06-01T08:30:00\nB;2024-06-02T09:00:00\n"
    )
    after = rows_of(app_client, readings, "?tid__gt=0001-01-01T00:00:00-01:00&_cols=plats")
    before = rows_of(app_client, readings, "?tid__lt=9999-12-31T23:59:59%2B01:00&_cols=plats")
    assert after["rows"] == before["rows"] == [{"plats": "A"}, {"plats": "B"}]


@ONE_BACKEND
def test_a_string_value_that_looks_like_sql_is_a_value_that_matches_nothing(
    app_client: TestClient, table: str
) -> None:
    assert rows_of(app_client, table, "?namn=x%27%20OR%20%271%27%3D%271")["rows"] == []
    assert len(rows_of(app_client, table)["rows"]) == 5


@ONE_BACKEND
def test_a_changed_cursor_is_refused(app_client: TestClient, table: str) -> None:
    cursor = rows_of(app_client, table, "?_size=1")["next_cursor"]
    changed = cursor[:-1] + ("A" if cursor[-1] != "A" else "B")
    response = app_client.get(f"/api/v1/tables/{table}/rows?_after={changed}")
    assert response.json() == problem(
        422, "_after: not a valid cursor: use the next_cursor of a page as it is",
        {"_after": ["not a valid cursor: use the next_cursor of a page as it is"]},
    )  # fmt: skip


@ONE_BACKEND
def test_a_download_size_larger_than_the_table_only_limits(app_client: TestClient, table: str) -> None:
    response = app_client.get(f"/api/v1/tables/{table}/rows.xlsx?_size=2000000")
    assert response.status_code == 200


# --- the OpenAPI description ---------------------------------------------------------------------------


@ONE_BACKEND
def test_the_openapi_description_documents_the_page_and_its_parameters(app_client: TestClient) -> None:
    openapi = app_client.get("/api/v1/openapi.json").json()
    operation = openapi["paths"]["/tables/{table_id}/rows"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/RowsOut"}
    assert {"_q", "_sort", "_cols", "_size", "_after", "_bbox"} <= {
        p["name"] for p in operation["parameters"]
    }
    assert set(openapi["components"]["schemas"]["RowsOut"]["properties"]) == {
        "columns", "total", "next", "next_cursor", "rows"
    }  # fmt: skip

"""`GET /api/v1/sql`: read-only SQL over the published tables, its renderings, and how queries are refused."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization
from datatorget.config import Settings
from tests.api.problems import problem
from tests.factories import make_dataset
from tests.jobs import run_jobs

# What DuckDB does with a query does not depend on the metadata database, so one backend shows it. What may
# be read (drafts, private datasets, publishing) runs on both.
ONE_BACKEND = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

CSV = "namn;temperatur;öppnad\nNorrstrand;18,5;2024-06-01\nSjöbaden;19,25;2024-06-15\n".encode()
TABLES = "the tables are badplatser"
OUT_OF_MEMORY = "the query needs more memory than the 64MB it may use"
TIMED_OUT = "the query ran longer than 0.5 s and was stopped"
Headers = dict[str, str]
# One scalar evaluation that checks for no interrupt: its SQL process is killed when the time is up.
IGNORES_INTERRUPT = "SELECT levenshtein(repeat('ab', 50000), repeat('ba', 50000))"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Limits small enough to reach in a test."""
    return settings.model_copy(update={"sql_timeout_s": 0.5, "sql_max_rows": 3, "sql_memory_limit": "64MB"})


def peak_rss_mb() -> int:
    """The most memory this process, the portal's, has held, in MB."""
    match = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
    assert match is not None
    return int(match.group(1)) // 1024


def upload(client: TestClient, headers: Headers, dataset: str, content: bytes = CSV) -> str:
    """A table read in from `content` into the dataset; its id."""
    response = client.post(f"/api/v1/datasets/{dataset}/distributions", headers=headers,
                           files={"file": (f"{dataset}.csv", content, "text/csv")})  # fmt: skip
    assert response.status_code == 201, response.text
    run_jobs(client)
    return str(response.json()["id"])


@pytest.fixture
def table(app_client: TestClient, editor_headers: Headers, badplatser: Dataset) -> str:
    """The table `badplatser` in the published dataset Badplatser."""
    return upload(app_client, editor_headers, "badplatser")


def sql(client: TestClient, query: str, **params: str) -> Any:
    return client.get("/api/v1/sql", params={"sql": query, **params})


def refused(message: str) -> dict[str, Any]:
    return problem(422, f"sql: {message}", {"sql": [message]})


@ONE_BACKEND
def test_a_query_answers_columns_types_and_rows(app_client: TestClient, table: str) -> None:
    response = sql(app_client, 'SELECT namn, temperatur, "öppnad" FROM badplatser ORDER BY namn')
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "columns": ["namn", "temperatur", "öppnad"],
        "types": ["VARCHAR", "DOUBLE", "DATE"],
        "rows": [["Norrstrand", 18.5, "2024-06-01"], ["Sjöbaden", 19.25, "2024-06-15"]],
        "truncated": False,
        "elapsed_ms": ANY,
    }


@ONE_BACKEND
def test_rows_may_be_objects_keyed_by_column_name(app_client: TestClient, table: str) -> None:
    response = sql(app_client, "SELECT namn, 1 AS n, 2 AS n FROM badplatser ORDER BY namn LIMIT 1",
                   _shape="objects")  # fmt: skip
    assert response.json()["rows"] == [{"namn": "Norrstrand", "n": 1, "n_1": 2}]


@ONE_BACKEND
def test_rows_past_the_limit_are_cut_and_the_answer_says_so(app_client: TestClient, table: str) -> None:
    body = sql(app_client, "SELECT * FROM range(10)").json()
    assert (body["rows"], body["truncated"]) == ([[0], [1], [2]], True)


@ONE_BACKEND
def test_decimals_blobs_wide_integers_times_geometries_and_structs_become_json(
    app_client: TestClient, table: str
) -> None:
    query = ("SELECT 1.25::DECIMAL(4, 2) AS d, 'ab'::BLOB AS b, (2::HUGEINT ** 70)::HUGEINT AS h,"
             " TIMESTAMP '2024-06-01 10:00' AS t, ST_Point(17.9, 59.1) AS g, {'a': [1]} AS s")  # fmt: skip
    assert sql(app_client, query).json()["rows"] == [
        [1.25, "6162", 1180591620717411303424, "2024-06-01T10:00:00",
         {"type": "Point", "coordinates": [17.9, 59.1]}, {"a": [1]}]
    ]  # fmt: skip


@ONE_BACKEND
def test_a_query_can_be_had_as_csv(app_client: TestClient, table: str) -> None:
    response = app_client.get(
        "/api/v1/sql.csv", params={"sql": "SELECT namn, '=1+1' AS f FROM badplatser ORDER BY 1"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["x-truncated"] == "false"
    assert response.text == "namn,f\r\nNorrstrand,'=1+1\r\nSjöbaden,'=1+1\r\n"


@ONE_BACKEND
def test_the_csv_says_in_a_header_that_it_was_cut(app_client: TestClient, table: str) -> None:
    response = app_client.get("/api/v1/sql.csv", params={"sql": "SELECT * FROM range(10)"})
    assert (response.text, response.headers["x-truncated"]) == ("range\r\n0\r\n1\r\n2\r\n", "true")
    assert response.headers["access-control-expose-headers"] == "X-Truncated"


@ONE_BACKEND
@pytest.mark.parametrize("path", ["/api/v1/sql", "/api/v1/sql.csv"])
@pytest.mark.parametrize("query", ["SELECT count(*) FROM badplatser", "DROP VIEW badplatser"])
def test_answers_and_refusals_may_be_read_by_any_site(
    app_client: TestClient, table: str, path: str, query: str
) -> None:
    assert app_client.get(path, params={"sql": query}).headers["access-control-allow-origin"] == "*"


@ONE_BACKEND
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "is empty: write a SELECT query"),
        ("SELEC 1", 'Parser Error: syntax error at or near "SELEC"'),
        ("SELECT 1; SELECT 2", "holds 2 statements; send one SELECT query at a time"),
        ("INSERT INTO badplatser VALUES ('Ny', 20, NULL)", "only SELECT queries can be run here, not INSERT"),
        ("COPY (SELECT 1) TO '/tmp/x'", "only SELECT queries can be run here, not COPY"),
        ("ATTACH '/tmp/x.duckdb'", "only SELECT queries can be run here, not ATTACH"),
        ("SET enable_external_access = true", "only SELECT queries can be run here, not SET"),
        ("INSTALL httpfs", "only SELECT queries can be run here, not LOAD"),
        ("PRAGMA version", "only SELECT queries can be run here"),
        ("SELECT * FROM read_csv('/etc/passwd')", "the table function read_csv() is not available here; read the "
         "tables by name (badplatser), or use generate_series, json_each, json_tree, range, unnest"),
        ("SELECT * FROM 'data/tables/x.parquet'", f"there is no table named data/tables/x.parquet; {TABLES}"),
        ("SELECT * FROM vattenprov", f"there is no table named vattenprov; {TABLES}"),
        ("SELECT current_setting('temp_directory')",
         "the function current_setting() is not available here: it shows the server's configuration"),
    ],
)  # fmt: skip
def test_what_is_not_one_select_over_the_published_tables_is_refused(
    app_client: TestClient, table: str, query: str, message: str
) -> None:
    response = sql(app_client, query)
    assert (response.status_code, response.json()) == (422, refused(message))
    assert response.headers["content-type"] == "application/problem+json"


@ONE_BACKEND
def test_a_missing_query_is_refused_as_an_empty_one(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/sql")
    assert (response.status_code, response.json()) == (422, refused("is empty: write a SELECT query"))


@ONE_BACKEND
def test_a_query_past_the_time_limit_is_stopped_and_refused(app_client: TestClient, table: str) -> None:
    response = sql(
        app_client, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
    )
    assert (response.status_code, response.json()) == (422, refused(TIMED_OUT))


@ONE_BACKEND
def test_a_query_needing_more_memory_than_allowed_is_refused(app_client: TestClient, table: str) -> None:
    response = sql(app_client, "SELECT list(range) FROM range(100000000)")
    assert (response.status_code, response.json()) == (422, refused(OUT_OF_MEMORY))


@ONE_BACKEND
@pytest.mark.parametrize(
    "query",
    [
        "SELECT len(range(400000000))",
        "SELECT length(lpad('x', 1500000000, 'y'))",
        "SELECT length(repeat('x', 1500000000))",
    ],
)
def test_a_huge_scalar_is_refused_within_seconds_and_the_portal_stays_up(
    app_client: TestClient, table: str, query: str
) -> None:
    assert sql(app_client, "SELECT 1").status_code == 200
    before = peak_rss_mb()
    started = time.monotonic()
    response = sql(app_client, query)
    assert time.monotonic() - started < 3
    # which limit stops lpad first, time or memory, depends on the machine
    assert (response.status_code, response.json()) in (
        (422, refused(OUT_OF_MEMORY)),
        (422, refused(TIMED_OUT)),
    )
    assert peak_rss_mb() - before < 50
    assert sql(app_client, "SELECT count(*) FROM badplatser").json()["rows"] == [[2]]


@ONE_BACKEND
@pytest.mark.parametrize("path", ["/api/v1/sql", "/api/v1/sql.csv"])
def test_when_the_sql_process_stays_busy_the_answer_is_503_with_retry_after(
    app_client: TestClient, table: str, path: str
) -> None:
    assert sql(app_client, "SELECT 1").status_code == 200
    stopped: list[Any] = []
    busy = threading.Thread(target=lambda: stopped.append(sql(app_client, IGNORES_INTERRUPT)))
    busy.start()
    time.sleep(0.2)
    response = app_client.get(path, params={"sql": "SELECT 1"})
    busy.join()
    assert stopped[0].json() == refused(TIMED_OUT)
    assert response.status_code == 503
    assert response.json() == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "the SQL service is busy; try again",
        "errors": {},
    }
    assert (response.headers["retry-after"], response.headers["access-control-allow-origin"]) == ("1", "*")
    assert response.headers["content-type"] == "application/problem+json"
    assert sql(app_client, "SELECT 1").status_code == 200


@pytest.mark.parametrize("state", ["draft", "private"])
def test_a_table_of_an_unpublished_dataset_is_read_neither_by_name_nor_by_path(
    app_client: TestClient, editor_headers: Headers, session: Session, sjovik: Organization, table: str,
    settings: Settings, state: str,
) -> None:  # fmt: skip
    make_dataset(session, "Planer", organization=sjovik.slug, state=state)
    hidden = upload(app_client, editor_headers, "planer")
    name = app_client.get(f"/api/v1/tables/{hidden}", headers=editor_headers).json()["sql_name"]
    path: Path = next((settings.tables_dir / hidden).glob("*.parquet")).resolve()
    by_name = sql(app_client, f"SELECT * FROM {name}", _shape="objects")
    assert by_name.json() == refused(f"there is no table named {name}; {TABLES}")
    for query in (f"SELECT * FROM '{path}'", f"SELECT * FROM read_parquet('{path}')"):
        assert sql(app_client, query).status_code == 422


def test_publishing_a_dataset_makes_its_table_readable_at_once(
    app_client: TestClient, editor_headers: Headers, session: Session, sjovik: Organization, table: str
) -> None:
    make_dataset(session, "Planer", organization=sjovik.slug, state="draft")
    upload(app_client, editor_headers, "planer")
    assert sql(app_client, "SELECT count(*) FROM planer").status_code == 422
    published = app_client.patch(
        "/api/v1/datasets/planer", json={"state": "published"}, headers=editor_headers
    )
    assert published.status_code == 200
    assert sql(app_client, "SELECT count(*) FROM planer").json()["rows"] == [[2]]


@ONE_BACKEND
def test_a_new_version_of_a_table_is_read_at_once(
    app_client: TestClient, editor_headers: Headers, table: str
) -> None:
    assert sql(app_client, "SELECT count(*) FROM badplatser").json()["rows"] == [[2]]
    response = app_client.post(f"/api/v1/tables/{table}/versions", headers=editor_headers,
                               files={"file": ("ny.csv", CSV + b"Ekudden;17,0;2024-07-01\n", "text/csv")})  # fmt: skip
    assert response.status_code == 202, response.text
    run_jobs(app_client)
    assert sql(app_client, "SELECT count(*) FROM badplatser").json()["rows"] == [[3]]

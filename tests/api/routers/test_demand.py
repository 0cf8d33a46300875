"""The picture of demand: searches that found nothing, views, downloads and API calls, counted in memory and
flushed to the database; the staff picture at /api/v1/demand and its open-data CSVs."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization
from datatorget.db.base import utcnow
from datatorget.db.engine import make_engine, make_sessionmaker
from datatorget.dialogue.demand import DemandCounter
from datatorget.dialogue.models import DatasetUsage, SearchMiss
from tests.api.conftest import Headers
from tests.api.problems import problem
from tests.conftest import Actors
from tests.factories import make_dataset
from tests.jobs import run_jobs

CSV = "namn;temperatur\nNorrstrand;18,5\nSjöbaden;19,25\n".encode()
STATES = ("received", "under_review", "planned", "published", "declined", "available")
ASK = {"title": "Luftkvalitet per timme", "description": "Mätvärden från luftmätarna.",
       "organization": "sjoviks-kommun"}  # fmt: skip


def flush(client: TestClient) -> int:
    """Write what the app has counted, as its flushing thread does every 30 seconds."""
    state = client.app.state  # type: ignore[attr-defined]
    written: int = state.demand.flush(state.writing_sessionmaker)
    return written


def today() -> date:
    return utcnow().date()


def misses(session: Session) -> list[tuple[str, date, int]]:
    session.rollback()  # a fresh snapshot: the app wrote in its own transaction
    rows = session.execute(
        select(SearchMiss.query, SearchMiss.day, SearchMiss.count).order_by(SearchMiss.query)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def uses(session: Session) -> dict[tuple[Any, str], int]:
    """{(dataset id, kind): count} of today."""
    session.rollback()
    rows = session.execute(select(DatasetUsage.dataset_id, DatasetUsage.kind, DatasetUsage.count)
                           .where(DatasetUsage.day == today()))  # fmt: skip
    return {(dataset_id, kind): count for dataset_id, kind, count in rows}


@pytest.fixture
def table(app_client: TestClient, editor_headers: Headers, badplatser: Dataset) -> str:
    """The table `badplatser` of the published dataset Badplatser; its id."""
    response = app_client.post("/api/v1/datasets/badplatser/distributions", headers=editor_headers,
                               files={"file": ("badplatser.csv", CSV, "text/csv")})  # fmt: skip
    assert response.status_code == 201, response.text
    run_jobs(app_client)
    return str(response.json()["id"])


def search(client: TestClient, q: str, headers: Headers | None = None) -> int:
    response = client.get("/api/v1/datasets", params={"q": q}, headers=headers or {})
    assert response.status_code == 200, response.text
    total: int = response.json()["total"]
    return total


# --- counting --------------------------------------------------------------------------------------------


def test_a_search_that_finds_nothing_is_counted_after_a_flush_and_one_that_finds_something_is_not(
    app_client: TestClient, session: Session, badplatser: Dataset
) -> None:
    assert search(app_client, "  Cykel   VÄGAR ") == 0
    assert search(app_client, "badplatser") == 1
    assert search(app_client, "") == 1
    assert app_client.get("/datamangder", params={"q": "cykel vägar"}).status_code == 200
    assert app_client.get("/en/datasets", params={"q": "Snow clearing"}).status_code == 200
    assert misses(session) == []  # nothing is written while searching

    assert flush(app_client) == 2
    assert misses(session) == [("cykel vägar", today(), 2), ("snow clearing", today(), 1)]


def test_views_downloads_and_api_calls_are_counted_per_kind(
    app_client: TestClient, session: Session, badplatser: Dataset, table: str
) -> None:
    assert app_client.get("/api/v1/datasets/badplatser").status_code == 200
    assert app_client.get("/datamangder/badplatser").status_code == 200
    assert app_client.get(f"/files/{table}/badplatser.csv").status_code == 200
    assert app_client.get(f"/api/v1/tables/{table}/rows.csv").status_code == 200
    assert app_client.get(f"/api/v1/tables/{table}/rows.parquet").status_code == 200
    assert app_client.get(f"/api/v1/tables/{table}/rows").status_code == 200
    assert app_client.get(f"/api/v1/tables/{table}/aggregate", params={"_agg": "count"}).status_code == 200
    assert app_client.get("/api/v1/sql", params={"sql": "SELECT count(*) FROM badplatser"}).status_code == 200
    assert app_client.get("/api/v1/sql.csv", params={"sql": "SELECT 1"}).status_code == 200  # names no table
    assert app_client.get("/api/v1/datasets/nothing-here").status_code == 404

    flush(app_client)
    assert uses(session) == {(badplatser.id, "view"): 2, (badplatser.id, "download"): 3,
                             (badplatser.id, "api"): 3}  # fmt: skip


def test_flushing_twice_does_not_double_count_and_later_counts_are_added(
    app_client: TestClient, session: Session, badplatser: Dataset
) -> None:
    search(app_client, "bygglov")
    app_client.get("/api/v1/datasets/badplatser")
    assert flush(app_client) == 2
    assert flush(app_client) == 0
    assert misses(session) == [("bygglov", today(), 1)]
    assert uses(session) == {(badplatser.id, "view"): 1}

    search(app_client, "Bygglov")
    app_client.get("/api/v1/datasets/badplatser")
    flush(app_client)
    assert misses(session) == [("bygglov", today(), 2)]
    assert uses(session) == {(badplatser.id, "view"): 2}


def test_nothing_personal_is_stored(
    app_client: TestClient, session: Session, badplatser: Dataset, member_headers: Headers
) -> None:
    for q in ("anna.svensson@example.org", "19800101-1234", "070-123 45 67", "luftkvalitet"):
        assert search(app_client, q, member_headers) == 0
    app_client.get("/api/v1/datasets/badplatser", headers=member_headers)
    flush(app_client)

    columns = inspect(session.get_bind())
    assert [c["name"] for c in columns.get_columns("search_miss")] == ["query", "day", "count"]
    assert [c["name"] for c in columns.get_columns("dataset_usage")] == ["dataset_id", "day", "kind", "count"]
    assert misses(session) == [("luftkvalitet", today(), 1)]
    assert uses(session) == {(badplatser.id, "view"): 1}


def test_counts_of_a_dataset_deleted_before_the_flush_are_left_out(
    app_client: TestClient, session: Session, badplatser: Dataset, editor_headers: Headers
) -> None:
    app_client.get("/api/v1/datasets/badplatser")
    assert app_client.delete("/api/v1/datasets/badplatser", headers=editor_headers).status_code == 204
    search(app_client, "badplatser")
    assert flush(app_client) == 1
    assert uses(session) == {}
    assert misses(session) == [("badplatser", today(), 1)]


def test_counts_made_in_many_threads_while_flushing_are_all_written(
    app_client: TestClient, session: Session, badplatser: Dataset
) -> None:
    counter: DemandCounter = app_client.app.state.demand  # type: ignore[attr-defined]

    def count() -> None:
        for _ in range(500):
            counter.count_use(badplatser.id, "api")

    threads = [threading.Thread(target=count) for _ in range(4)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        flush(app_client)
    for thread in threads:
        thread.join()
    flush(app_client)
    assert uses(session) == {(badplatser.id, "api"): 2000}


def test_counts_are_kept_when_the_database_is_away(
    app_client: TestClient, session: Session, badplatser: Dataset, tmp_path: Path
) -> None:
    counter: DemandCounter = app_client.app.state.demand  # type: ignore[attr-defined]
    search(app_client, "bygglov")
    away = make_sessionmaker(make_engine(f"sqlite:///{tmp_path / 'missing' / 'away.db'}"), writing=True)
    with pytest.raises(OperationalError):
        counter.flush(away)
    assert flush(app_client) == 1
    assert misses(session) == [("bygglov", today(), 1)]


# --- the staff picture -----------------------------------------------------------------------------------


def test_the_picture_of_demand_refuses_anonymous_callers_and_members(
    app_client: TestClient, member_headers: Headers
) -> None:
    anonymous = app_client.get("/api/v1/demand")
    assert anonymous.status_code == 401
    assert anonymous.json() == problem(401, "log in or send an API token to do this")
    member = app_client.get("/api/v1/demand", headers=member_headers)
    assert member.status_code == 403
    assert member.json() == problem(403, "only editors and administrators see the picture of demand")


def months_back(months: int) -> date:
    first = today().replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


@pytest.mark.parametrize("who", ["editor_headers", "admin_headers"])
def test_editors_and_administrators_see_the_whole_picture(
    who: str, request: pytest.FixtureRequest, app_client: TestClient, badplatser: Dataset,
    member_headers: Headers, actors: Actors,
) -> None:  # fmt: skip
    staff: Headers = request.getfixturevalue(who)
    quiet = app_client.post(
        "/api/v1/requests", json=ASK | {"title": "Bygglov per år"}, headers=member_headers
    )
    wanted = app_client.post("/api/v1/requests", json=ASK, headers=member_headers).json()["id"]
    voter = actors.headers(actors.user("bo@example.org", "member"))
    assert app_client.post(f"/api/v1/requests/{wanted}/votes", headers=voter).status_code == 201
    for q in ("luftkvalitet", "luftkvalitet", "bygglov"):
        search(app_client, q)
    app_client.get("/api/v1/datasets/badplatser")
    flush(app_client)

    response = app_client.get("/api/v1/demand", headers=staff)
    assert response.status_code == 200, response.text
    sjovik = {"slug": "sjoviks-kommun", "name": "Sjöviks kommun"}
    assert response.json() == {
        "searches_since": (today() - timedelta(days=29)).isoformat(),
        "usage_since": months_back(12).isoformat(),
        "unmet_searches": [
            {"query": "luftkvalitet", "searches": 2, "days": 1, "public": False},
            {"query": "bygglov", "searches": 1, "days": 1, "public": False},
        ],
        "most_voted_requests": [
            {"id": wanted, "title": "Luftkvalitet per timme", "organization": sjovik, "state": "received",
             "votes": 1, "created_at": ANY},
            {"id": quiet.json()["id"], "title": "Bygglov per år", "organization": sjovik, "state": "received",
             "votes": 0, "created_at": ANY},
        ],
        "requests_by_state": {state: 2 if state == "received" else 0 for state in STATES},
        "usage": [{"dataset": "badplatser", "month": today().strftime("%Y-%m"), "views": 1, "downloads": 0,
                   "api_calls": 0}],
    }  # fmt: skip

    limited = app_client.get("/api/v1/demand?limit=1&days=1&months=1", headers=staff).json()
    assert [s["query"] for s in limited["unmet_searches"]] == ["luftkvalitet"]
    assert [r["id"] for r in limited["most_voted_requests"]] == [wanted]
    assert limited["searches_since"] == today().isoformat()
    assert limited["usage_since"] == today().replace(day=1).isoformat()


# --- open data -------------------------------------------------------------------------------------------


def test_only_searches_made_on_three_different_days_are_published(
    app_client: TestClient, session: Session
) -> None:
    for q in ("parkering", "parkering", "parkering", "snöröjning", "snöröjning", "=cmd", "=cmd", "=cmd"):
        search(app_client, q)
    flush(app_client)
    session.add_all(
        [SearchMiss(query="hundrastgård", day=today() - timedelta(days=n), count=1) for n in (1, 2, 3)]
        + [SearchMiss(query="trafikolyckor", day=today() - timedelta(days=n), count=1) for n in (1, 2)]
        + [SearchMiss(query="gammalt", day=today() - timedelta(days=400), count=5)]
    )
    session.commit()

    response = app_client.get("/api/v1/demand/searches.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.text == "query,searches,days\r\nhundrastgård,3,3\r\n"
    session.add_all([SearchMiss(query="=cmd", day=today() - timedelta(days=n), count=1) for n in (1, 2)])
    session.commit()
    with_formula = app_client.get("/api/v1/demand/searches.csv").text
    assert with_formula.splitlines()[1:] == ["'=cmd,5,3", "hundrastgård,3,3"]


def test_usage_is_published_for_published_datasets_only(
    app_client: TestClient, session: Session, badplatser: Dataset, sjovik: Organization,
    editor_headers: Headers,
) -> None:  # fmt: skip
    make_dataset(session, "Planerade cykelvägar", organization=sjovik.slug, state="draft")
    assert app_client.get("/api/v1/datasets/planerade-cykelvagar", headers=editor_headers).status_code == 200
    app_client.get("/api/v1/datasets/badplatser")
    flush(app_client)

    response = app_client.get("/api/v1/demand/usage.csv")
    assert response.status_code == 200
    assert response.text == (
        f"dataset,month,views,downloads,api_calls\r\nbadplatser,{today().strftime('%Y-%m')},1,0,0\r\n"
    )
    staff = app_client.get("/api/v1/demand", headers=editor_headers).json()["usage"]
    assert [use["dataset"] for use in staff] == ["badplatser", "planerade-cykelvagar"]


def test_requests_are_published_as_counts_per_state(
    app_client: TestClient, member_headers: Headers, sjovik: Organization
) -> None:
    assert app_client.post("/api/v1/requests", json=ASK, headers=member_headers).status_code == 201
    assert app_client.post("/api/v1/requests", json=ASK | {"email": "bo@example.org"}).status_code == 201

    response = app_client.get("/api/v1/demand/requests.csv")
    assert response.status_code == 200
    assert response.text == "state,count\r\n" + "".join(
        f"{state},{1 if state == 'received' else 0}\r\n" for state in STATES
    )


def test_the_query_parameters_are_checked(app_client: TestClient, admin_headers: Headers) -> None:
    assert app_client.get("/api/v1/demand/searches.csv?days=0").status_code == 422
    assert app_client.get("/api/v1/demand/usage.csv?months=121").status_code == 422
    assert app_client.get("/api/v1/demand?limit=101", headers=admin_headers).status_code == 422

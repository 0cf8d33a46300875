"""DELETE /api/v1/account: a person deletes their account and their personal data; what they wrote stays
public, without their name."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datatorget.catalog.models import ApiToken
from datatorget.jobs.models import Job
from tests.api.conftest import ASK, Headers
from tests.api.problems import NOT_LOGGED_IN, problem
from tests.api.snapshots import StoredState
from tests.conftest import Actors

ANNA = "anna@example.org"


@pytest.fixture
def asked(app_client: TestClient, asked: str, member_headers: Headers) -> str:
    """A request by Anna, with a comment of hers."""
    response = app_client.post(
        f"/api/v1/requests/{asked}/comments", json={"body": "Gärna per timme."}, headers=member_headers
    )
    assert response.status_code == 201
    return asked


def delete(client: TestClient, headers: Headers) -> int:
    return client.delete("/api/v1/account", headers=headers).status_code


def test_what_a_deleted_account_wrote_stays_public_without_a_name(
    app_client: TestClient, asked: str, member_headers: Headers
) -> None:
    assert delete(app_client, member_headers) == 204

    body = app_client.get(f"/api/v1/requests/{asked}").json()
    assert body["title"] == ASK["title"]
    assert [(event["kind"], event["body"], event["author"]) for event in body["timeline"]] == [
        ("created", None, {"name": None, "staff": False, "organization": None}),
        ("comment", "Gärna per timme.", {"name": None, "staff": False, "organization": None}),
    ]


def test_no_email_address_is_in_the_public_output_of_requests(
    app_client: TestClient, asked: str, member_headers: Headers
) -> None:
    delete(app_client, member_headers)

    for path in ("/api/v1/requests", f"/api/v1/requests/{asked}", "/api/v1/requests.atom",
                 f"/api/v1/requests/{asked}.atom"):  # fmt: skip
        response = app_client.get(path)
        assert response.status_code == 200
        assert "@" not in response.text, path


def test_the_votes_of_a_deleted_account_still_count(
    app_client: TestClient, asked: str, other_member_headers: Headers
) -> None:
    app_client.post(f"/api/v1/requests/{asked}/votes", headers=other_member_headers)

    delete(app_client, other_member_headers)

    assert app_client.get(f"/api/v1/requests/{asked}").json()["votes"] == 1


def test_the_tokens_of_a_deleted_account_are_gone(
    app_client: TestClient, member_headers: Headers, session: Session
) -> None:
    delete(app_client, member_headers)

    assert app_client.get("/api/v1/me", headers=member_headers).status_code == 401
    assert session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_the_email_waiting_to_be_sent_to_a_deleted_account_is_not_sent(
    app_client: TestClient, asked: str, member_headers: Headers, other_member_headers: Headers,
    editor_headers: Headers, session: Session,
) -> None:  # fmt: skip
    app_client.put(f"/api/v1/requests/{asked}/following", headers=other_member_headers)
    app_client.post(
        f"/api/v1/requests/{asked}/comments", json={"body": "Vi tittar på det."}, headers=editor_headers
    )
    waiting = [job.params["to"] for job in session.scalars(select(Job).where(Job.kind == "send_email"))]
    assert sorted(waiting) == ["anna@example.org", "bo@example.org"]  # the followers are told

    delete(app_client, member_headers)

    session.rollback()  # a fresh snapshot: the app wrote in its own transaction
    assert [job.params["to"] for job in session.scalars(select(Job).where(Job.kind == "send_email"))] == [
        "bo@example.org"
    ]


def test_the_address_of_a_deleted_account_is_stored_nowhere(
    app_client: TestClient, asked: str, member_headers: Headers, editor_headers: Headers,
    stored: Callable[[], StoredState],
) -> None:  # fmt: skip
    app_client.post(
        f"/api/v1/requests/{asked}/comments", json={"body": "Vi tittar på det."}, headers=editor_headers
    )
    report = {"target_kind": "request", "target_id": asked, "reason": "Dubblett."}
    app_client.post("/api/v1/reports", json=report, headers=member_headers)
    assert ANNA in repr(stored())

    delete(app_client, member_headers)

    assert ANNA not in repr(stored())


def test_the_last_administrator_cannot_leave(
    app_client: TestClient, admin_headers: Headers, stored: Callable[[], StoredState]
) -> None:
    before = stored()

    response = app_client.delete("/api/v1/account", headers=admin_headers)

    assert response.json() == problem(
        409, "the last administrator cannot delete their account: make someone else an administrator first"
    )
    assert stored() == before


def test_an_administrator_leaves_when_there_is_another(
    app_client: TestClient, admin_headers: Headers, actors: Actors
) -> None:
    actors.user("admin2@sjovik.se", "admin")

    assert delete(app_client, admin_headers) == 204


def test_deleting_an_account_needs_a_login(app_client: TestClient) -> None:
    assert app_client.delete("/api/v1/account").json() == NOT_LOGGED_IN

"""Who the caller is (bearer tokens, /api/v1/me) and the caller's API tokens (/api/v1/tokens)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from unittest.mock import ANY

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from datatorget.catalog import accounts
from datatorget.catalog.models import ApiToken, Dataset, Organization
from datatorget.db.base import utcnow
from tests.api.problems import INVALID_FIELDS, NOT_LOGGED_IN, problem
from tests.api.snapshots import StoredState
from tests.conftest import Actors

# Refused by the request schema before any query runs, so one backend shows it; the rest run on both.
SCHEMA_ONLY = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


CHALLENGE = 'Bearer realm="datatorget"'


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# --- who is calling -------------------------------------------------------------------------------------


def test_me_is_the_owner_of_the_token(app_client: TestClient, actors: Actors, sjovik: Organization) -> None:
    editor = actors.user("Editor@Sjovik.se", "editor", "sjoviks-kommun")

    response = app_client.get("/api/v1/me", headers=actors.headers(editor))

    assert response.status_code == 200
    assert response.json() == {
        "id": str(editor.id),
        "email": "editor@sjovik.se",
        "role": "editor",
        "organization": {"slug": "sjoviks-kommun", "name": "Sjöviks kommun"},
    }


def test_a_request_without_a_token_is_anonymous(app_client: TestClient, badplatser: Dataset) -> None:
    assert app_client.get("/api/v1/datasets/badplatser").status_code == 200

    response = app_client.get("/api/v1/me")

    assert (response.status_code, response.json()) == (401, NOT_LOGGED_IN)
    assert response.headers["www-authenticate"] == CHALLENGE


def test_a_wrong_token_is_refused_even_for_public_data(app_client: TestClient, badplatser: Dataset) -> None:
    response = app_client.get("/api/v1/datasets/badplatser", headers=_bearer("dt_not-a-token-we-made"))

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == CHALLENGE
    assert response.json() == problem(401, "the API token is not valid")


@SCHEMA_ONLY
@pytest.mark.parametrize(
    "authorization",
    ["Basic ZWRpdG9yQHNqb3Zpay5zZTpjb3JyZWN0IGhvcnNlIGJhdHRlcnk=", "Bearer", "Bearer   ", "dt_abc"],
    ids=["basic", "bearer-without-token", "bearer-with-blank-token", "token-without-scheme"],
)
def test_credentials_other_than_a_bearer_token_are_refused(
    app_client: TestClient, authorization: str
) -> None:
    response = app_client.get("/api/v1/datasets", headers={"Authorization": authorization})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == CHALLENGE
    assert response.json() == problem(401, "send the API token as 'Authorization: Bearer <token>'")


def test_an_expired_token_is_refused(
    app_client: TestClient, actors: Actors, session: Session, sjovik: Organization
) -> None:
    editor = actors.user("editor@sjovik.se", "editor", "sjoviks-kommun")
    token, secret = accounts.create_token(session, editor, name="ci", expires_in=timedelta(days=1))
    session.commit()
    token.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()

    response = app_client.get("/api/v1/me", headers=_bearer(secret))

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == CHALLENGE
    assert response.json() == problem(401, "the API token has expired")


def test_a_token_works_until_it_expires(
    app_client: TestClient, actors: Actors, session: Session, sjovik: Organization
) -> None:
    editor = actors.user("editor@sjovik.se", "editor", "sjoviks-kommun")
    _token, secret = accounts.create_token(session, editor, name="ci", expires_in=timedelta(minutes=5))
    session.commit()

    assert app_client.get("/api/v1/me", headers=_bearer(secret)).status_code == 200


def test_a_revoked_token_is_refused(app_client: TestClient, editor_headers: dict[str, str]) -> None:
    created = app_client.post("/api/v1/tokens", json={"name": "ci"}, headers=editor_headers).json()

    revoked = app_client.delete(f"/api/v1/tokens/{created['id']}", headers=editor_headers)
    response = app_client.get("/api/v1/me", headers=_bearer(created["token"]))

    assert revoked.status_code == 204
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == CHALLENGE
    assert response.json() == problem(401, "the API token has been revoked")
    assert app_client.get("/api/v1/me", headers=editor_headers).status_code == 200


# --- tokens ---------------------------------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_works(app_client: TestClient, editor_headers: dict[str, str]) -> None:
    response = app_client.post(
        "/api/v1/tokens", json={"name": "Publicering från GIS"}, headers=editor_headers
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": ANY,
        "name": "Publicering från GIS",
        "created_at": ANY,
        "expires_at": None,
        "revoked_at": None,
        "last_used_at": None,
        "token": ANY,
    }
    assert body["token"].startswith("dt_")
    assert app_client.get("/api/v1/me", headers=_bearer(body["token"])).json()["email"] == "editor@sjovik.se"


def test_the_list_of_tokens_never_shows_a_secret(
    app_client: TestClient, editor_headers: dict[str, str]
) -> None:
    created = app_client.post("/api/v1/tokens", json={"name": "ci"}, headers=editor_headers).json()

    response = app_client.get("/api/v1/tokens", headers=editor_headers)

    assert [token["name"] for token in response.json()] == ["test", "ci"]
    fields = {"id", "name", "created_at", "expires_at", "revoked_at", "last_used_at"}
    assert [set(token) for token in response.json()] == [fields, fields]
    assert created["token"] not in response.text
    assert editor_headers["Authorization"].removeprefix("Bearer ") not in response.text


def test_tokens_are_stored_only_as_hashes(
    app_client: TestClient, editor_headers: dict[str, str], engine: Engine, stored: Callable[[], StoredState]
) -> None:
    secret = app_client.post("/api/v1/tokens", json={"name": "ci"}, headers=editor_headers).json()["token"]

    with Session(engine) as session:
        rows = session.execute(select(ApiToken.__table__)).all()

    assert len(rows) == 2
    assert not any(secret in repr(row) for row in rows)
    assert secret not in repr(stored())


def test_a_token_may_be_made_to_expire(app_client: TestClient, editor_headers: dict[str, str]) -> None:
    body = app_client.post(
        "/api/v1/tokens", json={"name": "ci", "expires_in_days": 30}, headers=editor_headers
    ).json()

    lifetime = datetime.fromisoformat(body["expires_at"]) - datetime.fromisoformat(body["created_at"])
    assert abs(lifetime - timedelta(days=30)) < timedelta(seconds=5)


@SCHEMA_ONLY
@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"name": " "}, {"name": ["String should have at least 1 character"]}),
        (
            {"name": "ci", "expires_in_days": 0},
            {"expires_in_days": ["Input should be greater than or equal to 1"]},
        ),
        ({}, {"name": ["required"]}),
        ({"name": "ci", "scope": "write"}, {"scope": ["unknown field"]}),
    ],
    ids=["blank-name", "no-lifetime", "no-name", "unknown-field"],
)
def test_an_invalid_token_request_is_refused_and_no_token_is_made(
    app_client: TestClient,
    editor_headers: dict[str, str],
    stored: Callable[[], StoredState],
    body: dict[str, object],
    errors: dict[str, list[str]],
) -> None:
    before = stored()

    response = app_client.post("/api/v1/tokens", json=body, headers=editor_headers)

    assert response.json() == problem(422, INVALID_FIELDS, errors)
    assert stored() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/tokens"),
        ("POST", "/api/v1/tokens"),
        ("DELETE", "/api/v1/tokens/0b4e7a0e-5c1c-4d8b-9f7e-2f7b2c8c1a11"),
    ],
)
def test_tokens_need_a_login(app_client: TestClient, method: str, path: str) -> None:
    response = app_client.request(method, path, json={"name": "ci"} if method == "POST" else None)

    assert (response.status_code, response.json()) == (401, NOT_LOGGED_IN)


def test_nobody_but_an_admin_can_revoke_the_token_of_another_user(
    app_client: TestClient,
    editor_headers: dict[str, str],
    outsider_headers: dict[str, str],
    admin_headers: dict[str, str],
) -> None:
    created = app_client.post("/api/v1/tokens", json={"name": "ci"}, headers=editor_headers).json()

    by_other = app_client.delete(f"/api/v1/tokens/{created['id']}", headers=outsider_headers)
    still_works = app_client.get("/api/v1/me", headers=_bearer(created["token"])).status_code
    by_admin = app_client.delete(f"/api/v1/tokens/{created['id']}", headers=admin_headers)

    assert (by_other.status_code, by_other.json()) == (404, problem(404, "no such token"))
    assert still_works == 200
    assert by_admin.status_code == 204
    assert app_client.get("/api/v1/me", headers=_bearer(created["token"])).status_code == 401

"""Rate limits on what people write through the API: per client address and per account, a clear 429 with
`Retry-After` when over, and nothing stored by a refused write. The limits here are low on purpose (the
other tests run with limits out of reach), and the limiter runs on a clock the tests move."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from datatorget.config import Settings
from datatorget.dialogue.limits import DAY_S, MINUTE_S, RateLimiter
from tests.api.conftest import Headers
from tests.api.snapshots import StoredState

TOO_MANY = {
    "type": "about:blank", "title": "Too Many Requests", "status": 429,
    "detail": "too many writes: try again in 60 seconds", "errors": {},
}  # fmt: skip


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"address_writes_per_minute": 6, "account_writes_per_minute": 4, "account_writes_per_day": 5}
    )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app_client: TestClient, asked: str) -> Clock:
    """A fresh limiter on a clock of the test's, once the request is filed: no write has been counted."""
    clock = Clock()
    app_client.app.state.rate_limiter = RateLimiter(clock)  # type: ignore[attr-defined]
    return clock


def comment(client: TestClient, request_id: str, headers: Headers) -> Any:
    return client.post(f"/api/v1/requests/{request_id}/comments", json={"body": "Snälla!"}, headers=headers)


def report(client: TestClient, request_id: str) -> Any:
    body = {"target_kind": "request", "target_id": request_id, "reason": "Reklam."}
    return client.post("/api/v1/reports", json=body)


def assert_too_many(response: Any, retry_after_s: int = 60) -> None:
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == str(retry_after_s)
    assert response.json() == TOO_MANY | {"detail": f"too many writes: try again in {retry_after_s} seconds"}


def test_a_flood_of_reports_from_one_address_is_refused_with_nothing_stored(
    app_client: TestClient, asked: str, clock: Clock, stored: Callable[[], StoredState]
) -> None:
    for _ in range(6):
        assert report(app_client, asked).status_code == 201
    before = stored()

    for _ in range(3):
        assert_too_many(report(app_client, asked))
    assert stored() == before


def test_a_flood_of_comments_from_one_account_is_refused_with_nothing_stored(
    app_client: TestClient,
    asked: str,
    clock: Clock,
    member_headers: Headers,
    stored: Callable[[], StoredState],
) -> None:
    for _ in range(4):
        assert comment(app_client, asked, member_headers).status_code == 201
    before = stored()

    assert_too_many(comment(app_client, asked, member_headers))
    assert stored() == before
    assert len(app_client.get(f"/api/v1/requests/{asked}").json()["timeline"]) == 5


def test_the_address_limit_holds_for_every_account_writing_from_it(
    app_client: TestClient, asked: str, clock: Clock, member_headers: Headers, other_member_headers: Headers
) -> None:
    for _ in range(4):
        comment(app_client, asked, member_headers)

    assert [comment(app_client, asked, other_member_headers).status_code for _ in range(3)] == [201, 201, 429]


def test_every_kind_of_write_counts(
    app_client: TestClient, asked: str, clock: Clock, member_headers: Headers
) -> None:
    writes = [
        app_client.post("/api/v1/requests", json={"title": "Cykelställ", "description": "Var de finns.",
                                                  "organization": "sjoviks-kommun"}, headers=member_headers),
        app_client.post(f"/api/v1/requests/{asked}/votes", headers=member_headers),
        app_client.delete(f"/api/v1/requests/{asked}/following", headers=member_headers),
        comment(app_client, asked, member_headers),
    ]  # fmt: skip
    assert [response.status_code for response in writes] == [201, 201, 204, 201]

    assert_too_many(app_client.put(f"/api/v1/requests/{asked}/following", headers=member_headers))


def test_a_refused_write_is_not_counted_and_the_window_slides(
    app_client: TestClient, asked: str, clock: Clock, member_headers: Headers
) -> None:
    for _ in range(4):
        comment(app_client, asked, member_headers)
    clock.now += 30
    for _ in range(3):
        assert_too_many(comment(app_client, asked, member_headers), retry_after_s=30)

    clock.now += 30

    assert comment(app_client, asked, member_headers).status_code == 201


def test_an_account_has_a_limit_per_day(
    app_client: TestClient, asked: str, clock: Clock, member_headers: Headers
) -> None:
    for _ in range(5):
        assert comment(app_client, asked, member_headers).status_code == 201
        clock.now += MINUTE_S

    assert_too_many(comment(app_client, asked, member_headers), retry_after_s=int(DAY_S - 5 * MINUTE_S))
    clock.now = DAY_S
    assert comment(app_client, asked, member_headers).status_code == 201


def test_reading_is_never_limited(app_client: TestClient, asked: str, clock: Clock) -> None:
    for _ in range(6):
        report(app_client, asked)

    assert all(app_client.get(f"/api/v1/requests/{asked}").status_code == 200 for _ in range(20))


def test_hiding_and_showing_again_count_as_writes(
    app_client: TestClient, asked: str, clock: Clock, editor_headers: Headers
) -> None:
    hidden = f"/api/v1/requests/{asked}/hidden"
    for _ in range(2):
        assert app_client.put(hidden, json={"reason": "Reklam."}, headers=editor_headers).status_code == 204
        assert app_client.delete(hidden, headers=editor_headers).status_code == 204
    assert_too_many(app_client.put(hidden, json={"reason": "Reklam."}, headers=editor_headers))

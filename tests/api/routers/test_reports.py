"""/api/v1/reports and the hide operations: anyone reports what people wrote on a data request, staff of the
organisation asked (and administrators) hide it with a reason or keep it, and what is hidden is gone for
everyone else."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from datatorget.catalog.models import Organization
from tests.api.conftest import ASK, Headers, file
from tests.api.problems import INVALID_FIELDS, NOT_LOGGED_IN, problem
from tests.api.snapshots import StoredState
from tests.conftest import Actors

ABUSE = "Innehåller en persons telefonnummer."
HIDDEN_BECAUSE = "Personuppgifter om en tredje person."
COMMENT = "Ring Bertil på 070-123 45 67, han vet."


@pytest.fixture
def reporter_headers(actors: Actors) -> Headers:
    return actors.headers(actors.user("rapportor@example.org", "member", display_name="Rapportören"))


@pytest.fixture
def comment_id(app_client: TestClient, asked: str, member_headers: Headers) -> str:
    response = app_client.post(
        f"/api/v1/requests/{asked}/comments", json={"body": COMMENT}, headers=member_headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def report(
    client: TestClient, kind: str, target_id: str, headers: Headers | None = None, reason: str = ABUSE
) -> Any:
    body = {"target_kind": kind, "target_id": target_id, "reason": reason}
    return client.post("/api/v1/reports", json=body, headers=headers or {})


def reported(client: TestClient, kind: str, target_id: str, headers: Headers | None = None) -> str:
    response = report(client, kind, target_id, headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def queue(client: TestClient, headers: Headers) -> list[dict[str, Any]]:
    response = client.get("/api/v1/reports", headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def decide(
    client: TestClient, report_id: str, headers: Headers, outcome: str, reason: str | None = None
) -> Any:
    body = {"outcome": outcome} | ({"reason": reason} if reason is not None else {})
    return client.post(f"/api/v1/reports/{report_id}/decision", json=body, headers=headers)


# --- reporting ------------------------------------------------------------------------------------------


def test_anyone_reports_a_request_and_gets_a_receipt(app_client: TestClient, asked: str) -> None:
    response = report(app_client, "request", asked)

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "target_kind": "request",
        "target_id": asked,
        "created_at": body["created_at"],
    }


def test_the_queue_shows_what_was_reported_and_why_to_staff_of_the_organisation(
    app_client: TestClient, asked: str, editor_headers: Headers
) -> None:
    report_id = reported(app_client, "request", asked)

    [item] = queue(app_client, editor_headers)

    assert item == {
        "id": report_id, "target_kind": "request", "target_id": asked, "created_at": item["created_at"],
        "reason": ABUSE, "content_kind": "request", "title": ASK["title"], "text": ASK["description"],
        "organizations": [{"slug": "sjoviks-kommun", "name": "Sjöviks kommun"}],
        "shown_at": f"/api/v1/requests/{asked}", "hidden": False, "resolved_at": None, "outcome": None,
    }  # fmt: skip


def test_the_queue_never_tells_who_reported(
    app_client: TestClient, asked: str, reporter_headers: Headers, admin_headers: Headers
) -> None:
    reported(app_client, "request", asked, reporter_headers)

    text = app_client.get("/api/v1/reports", headers=admin_headers).text

    assert "rapportor" not in text and "Rapportören" not in text


def test_a_comment_is_reported_with_its_text(
    app_client: TestClient, asked: str, comment_id: str, editor_headers: Headers
) -> None:
    reported(app_client, "event", comment_id)

    [item] = queue(app_client, editor_headers)

    assert (item["target_kind"], item["content_kind"], item["text"]) == ("event", "comment", COMMENT)
    assert item["shown_at"] == f"/api/v1/requests/{asked}"


def test_reporting_something_unknown_is_not_found(
    app_client: TestClient, asked: str, stored: Callable[[], StoredState]
) -> None:
    before = stored()
    unknown = str(uuid.uuid4())

    assert report(app_client, "request", unknown).json() == problem(404, f"no data request '{unknown}'")
    assert report(app_client, "event", unknown).json() == problem(404, f"no timeline entry '{unknown}'")
    assert stored() == before


def test_the_created_entry_of_a_timeline_cannot_be_reported(
    app_client: TestClient, asked: str, stored: Callable[[], StoredState]
) -> None:
    created = app_client.get(f"/api/v1/requests/{asked}").json()["timeline"][0]
    before = stored()

    response = report(app_client, "event", created["id"])

    assert response.json() == problem(
        422,
        "target_id: only what people wrote can be reported: a comment or an answer",
        {"target_id": ["only what people wrote can be reported: a comment or an answer"]},
    )
    assert stored() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 1001}, "reason"),
        ({"target_kind": "dataset"}, "target_kind"),
    ],
)
def test_a_report_without_a_reason_or_with_an_unknown_kind_is_refused(
    app_client: TestClient, asked: str, changes: dict[str, str], field: str, stored: Callable[[], StoredState]
) -> None:
    before = stored()
    body = {"target_kind": "request", "target_id": asked, "reason": ABUSE} | changes

    response = app_client.post("/api/v1/reports", json=body)

    assert response.status_code == 422
    assert response.json()["detail"] == INVALID_FIELDS
    assert list(response.json()["errors"]) == [field]
    assert stored() == before


def test_what_is_hidden_cannot_be_reported_again(
    app_client: TestClient, asked: str, comment_id: str, editor_headers: Headers
) -> None:
    decide(app_client, reported(app_client, "event", comment_id), editor_headers, "hidden", HIDDEN_BECAUSE)

    response = report(app_client, "event", comment_id)

    assert response.json() == problem(409, "it has already been hidden by a moderator")


# --- who moderates -------------------------------------------------------------------------------------


def test_the_queue_needs_a_login(app_client: TestClient) -> None:
    assert app_client.get("/api/v1/reports").json() == NOT_LOGGED_IN


def test_a_member_may_not_see_the_queue(app_client: TestClient, member_headers: Headers) -> None:
    response = app_client.get("/api/v1/reports", headers=member_headers)

    assert response.json() == problem(403, "only editors and administrators moderate")


def test_an_editor_of_another_organisation_sees_none_of_the_reports_and_may_not_decide(
    app_client: TestClient, asked: str, outsider_headers: Headers, stored: Callable[[], StoredState]
) -> None:
    report_id = reported(app_client, "request", asked)
    before = stored()

    assert queue(app_client, outsider_headers) == []
    response = decide(app_client, report_id, outsider_headers, "hidden", HIDDEN_BECAUSE)
    assert response.json() == problem(
        403, "only staff of the organisation, and administrators, moderate what is written there"
    )
    assert stored() == before


def test_an_administrator_sees_the_reports_of_every_organisation(
    app_client: TestClient, asked: str, member_headers: Headers, vatten: Organization, admin_headers: Headers
) -> None:
    to_water = file(app_client, member_headers, organization="sjovik-vatten", title="Vattenmätare")
    reported(app_client, "request", asked)
    reported(app_client, "request", to_water)

    assert [item["title"] for item in queue(app_client, admin_headers)] == [ASK["title"], "Vattenmätare"]


# --- deciding -------------------------------------------------------------------------------------------


def test_hiding_a_request_takes_it_away_from_everyone_but_staff(
    app_client: TestClient, asked: str, editor_headers: Headers, admin_headers: Headers,
    outsider_headers: Headers,
) -> None:  # fmt: skip
    response = decide(
        app_client, reported(app_client, "request", asked), editor_headers, "hidden", HIDDEN_BECAUSE
    )

    assert response.status_code == 200
    assert (response.json()["outcome"], response.json()["hidden"]) == ("hidden", True)
    assert response.json()["resolved_at"] is not None
    assert app_client.get(f"/api/v1/requests/{asked}").status_code == 404
    assert app_client.get(f"/api/v1/requests/{asked}", headers=outsider_headers).status_code == 404
    assert app_client.get("/api/v1/requests").json()["total"] == 0
    assert app_client.get(f"/api/v1/requests/{asked}.atom").status_code == 404
    assert ASK["title"] not in app_client.get("/api/v1/requests.atom").text
    assert ASK["title"] not in app_client.get("/api/v1/demand", headers=admin_headers).text
    for staff in (editor_headers, admin_headers):
        seen = app_client.get(f"/api/v1/requests/{asked}", headers=staff).json()
        assert (seen["hidden"], seen["hidden_reason"]) == (True, HIDDEN_BECAUSE)


def test_hiding_a_comment_takes_its_text_away_from_everyone_but_staff(
    app_client: TestClient, asked: str, comment_id: str, editor_headers: Headers, member_headers: Headers
) -> None:
    decide(app_client, reported(app_client, "event", comment_id), editor_headers, "hidden", HIDDEN_BECAUSE)

    for viewer in ({}, member_headers):
        response = app_client.get(f"/api/v1/requests/{asked}", headers=viewer)
        entry = response.json()["timeline"][1]
        assert (entry["id"], entry["hidden"], entry["body"], entry["hidden_reason"]) == (
            comment_id, True, None, None,
        )  # fmt: skip
        assert COMMENT not in response.text and HIDDEN_BECAUSE not in response.text
        assert response.json()["comments"] == 0
    assert COMMENT not in app_client.get(f"/api/v1/requests/{asked}.atom").text
    staff = app_client.get(f"/api/v1/requests/{asked}", headers=editor_headers).json()["timeline"][1]
    assert staff["hidden_reason"] == HIDDEN_BECAUSE


def test_keeping_takes_the_report_out_of_the_queue_and_leaves_the_request_public(
    app_client: TestClient, asked: str, editor_headers: Headers
) -> None:
    response = decide(app_client, reported(app_client, "request", asked), editor_headers, "kept")

    assert (response.json()["outcome"], response.json()["hidden"]) == ("kept", False)
    assert queue(app_client, editor_headers) == []
    assert app_client.get(f"/api/v1/requests/{asked}").status_code == 200


def test_hiding_needs_a_reason(
    app_client: TestClient, asked: str, editor_headers: Headers, stored: Callable[[], StoredState]
) -> None:
    report_id = reported(app_client, "request", asked)
    before = stored()

    response = decide(app_client, report_id, editor_headers, "hidden")

    assert response.json() == problem(
        422, "reason: say why it is hidden", {"reason": ["say why it is hidden"]}
    )
    assert stored() == before


def test_one_decision_settles_every_report_of_the_same_thing_and_a_second_is_a_conflict(
    app_client: TestClient, asked: str, editor_headers: Headers, reporter_headers: Headers
) -> None:
    first = reported(app_client, "request", asked)
    second = reported(app_client, "request", asked, reporter_headers)

    decide(app_client, first, editor_headers, "kept")

    assert queue(app_client, editor_headers) == []
    for report_id in (first, second):
        response = decide(app_client, report_id, editor_headers, "hidden", HIDDEN_BECAUSE)
        assert response.json() == problem(409, "the report has already been decided")
    assert app_client.get(f"/api/v1/requests/{asked}").status_code == 200


def test_deciding_an_unknown_report_is_not_found(app_client: TestClient, editor_headers: Headers) -> None:
    unknown = str(uuid.uuid4())

    assert decide(app_client, unknown, editor_headers, "kept").json() == problem(
        404, f"no report '{unknown}'"
    )


# --- hiding directly ------------------------------------------------------------------------------------


def test_staff_hide_a_request_directly_and_show_it_again(
    app_client: TestClient, asked: str, editor_headers: Headers
) -> None:
    hidden = app_client.put(
        f"/api/v1/requests/{asked}/hidden", json={"reason": HIDDEN_BECAUSE}, headers=editor_headers
    )
    assert hidden.status_code == 204
    assert app_client.get(f"/api/v1/requests/{asked}").status_code == 404

    shown = app_client.delete(f"/api/v1/requests/{asked}/hidden", headers=editor_headers)

    assert shown.status_code == 204
    assert app_client.get(f"/api/v1/requests/{asked}").json()["hidden"] is False


def test_hiding_directly_settles_the_open_reports(
    app_client: TestClient, asked: str, comment_id: str, editor_headers: Headers
) -> None:
    reported(app_client, "event", comment_id)

    response = app_client.put(
        f"/api/v1/requests/{asked}/events/{comment_id}/hidden", json={"reason": HIDDEN_BECAUSE},
        headers=editor_headers,
    )  # fmt: skip

    assert response.status_code == 204
    assert queue(app_client, editor_headers) == []


def test_only_moderators_of_the_organisation_hide(
    app_client: TestClient, asked: str, member_headers: Headers, outsider_headers: Headers,
    stored: Callable[[], StoredState],
) -> None:  # fmt: skip
    before = stored()
    path, body = f"/api/v1/requests/{asked}/hidden", {"reason": HIDDEN_BECAUSE}

    assert app_client.put(path, json=body).json() == NOT_LOGGED_IN
    assert app_client.put(path, json=body, headers=member_headers).json() == problem(
        403, "only staff of the organisation, and administrators, moderate what is written there"
    )
    assert app_client.put(path, json=body, headers=outsider_headers).status_code == 403
    assert stored() == before


def test_an_entry_of_another_request_is_not_found_under_this_one(
    app_client: TestClient, asked: str, comment_id: str, member_headers: Headers, editor_headers: Headers
) -> None:
    other = file(app_client, member_headers, title="Parkeringsplatser")

    response = app_client.put(
        f"/api/v1/requests/{other}/events/{comment_id}/hidden", json={"reason": HIDDEN_BECAUSE},
        headers=editor_headers,
    )  # fmt: skip

    assert response.json() == problem(404, f"no event '{comment_id}' in this request")


def test_the_created_entry_cannot_be_hidden(
    app_client: TestClient, asked: str, editor_headers: Headers
) -> None:
    created = app_client.get(f"/api/v1/requests/{asked}").json()["timeline"][0]["id"]

    response = app_client.put(
        f"/api/v1/requests/{asked}/events/{created}/hidden", json={"reason": HIDDEN_BECAUSE},
        headers=editor_headers,
    )  # fmt: skip

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["event_id"]

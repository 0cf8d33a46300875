"""/api/v1/reports for what people write besides data requests: a discussion on a dataset, one of its messages,
and a reuse. Staff of the dataset's organisation (for a reuse, of any organisation whose dataset it uses) and
administrators see the reports and decide; hiding, through the queue or the content's own endpoint, settles
them; what the reporter cannot see cannot be reported."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization
from tests.api.conftest import Headers
from tests.api.problems import problem
from tests.api.routers.test_discussions import ASK, read, say, start
from tests.api.routers.test_reports import ABUSE, HIDDEN_BECAUSE, decide, queue, report, reported
from tests.api.routers.test_reuses import APP, register
from tests.api.snapshots import StoredState
from tests.conftest import Actors
from tests.factories import make_dataset, make_organization

REPLY = "Ring Bertil på 070-123 45 67, han vet."
SJOVIK = {"slug": "sjoviks-kommun", "name": "Sjöviks kommun"}
VATTEN = {"slug": "sjovik-vatten", "name": "Sjövik Vatten AB"}
NOT_REUSE_STAFF = "only staff of an organisation whose dataset the reuse uses may decide on it"


@pytest.fixture
def unrelated_headers(actors: Actors, session: Session) -> Headers:
    """An editor of an organisation none of whose datasets is discussed or used."""
    energi = make_organization(session, "sjovik-energi", "Sjövik Energi AB")
    return actors.headers(actors.user("editor@sjovikenergi.se", "editor", energi.slug))


@pytest.fixture
def asked(app_client: TestClient, member_headers: Headers, badplatser: Dataset) -> str:
    """A discussion Anna started on Badplatser, of Sjöviks kommun; its id."""
    return start(app_client, member_headers)


@pytest.fixture
def message_id(app_client: TestClient, asked: str, other_member_headers: Headers) -> str:
    """Bo's reply in the discussion."""
    response = say(app_client, asked, other_member_headers, REPLY)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture
def reuse_id(
    app_client: TestClient, session: Session, member_headers: Headers, badplatser: Dataset,
    vatten: Organization, editor_headers: Headers,
) -> str:  # fmt: skip
    """An approved reuse of Anna's, on datasets of Sjöviks kommun and of Sjövik Vatten AB."""
    make_dataset(session, "Vattenkvalitet", organization=vatten.slug)
    reuse = register(app_client, member_headers, datasets=["badplatser", "vattenkvalitet"])
    response = app_client.patch(f"/api/v1/reuses/{reuse}", json={"state": "approved"}, headers=editor_headers)
    assert response.status_code == 200, response.text
    return reuse


# --- discussions and their messages ------------------------------------------------------------------------


def test_a_message_is_queued_for_staff_of_the_datasets_organisation_with_its_text(
    app_client: TestClient, asked: str, message_id: str, editor_headers: Headers
) -> None:
    report_id = reported(app_client, "message", message_id)

    [item] = queue(app_client, editor_headers)

    assert item == {
        "id": report_id, "target_kind": "message", "target_id": message_id, "created_at": item["created_at"],
        "reason": ABUSE, "content_kind": "message", "title": ASK["title"], "text": REPLY,
        "organizations": [SJOVIK], "shown_at": f"/api/v1/discussions/{asked}", "hidden": False,
        "resolved_at": None, "outcome": None,
    }  # fmt: skip


def test_a_discussion_is_reported_with_its_title_and_question(
    app_client: TestClient, asked: str, editor_headers: Headers
) -> None:
    reported(app_client, "discussion", asked)

    [item] = queue(app_client, editor_headers)

    assert (item["content_kind"], item["title"], item["text"]) == ("discussion", ASK["title"], ASK["body"])
    assert (item["organizations"], item["shown_at"]) == ([SJOVIK], f"/api/v1/discussions/{asked}")


def test_reports_on_a_discussion_are_for_its_organisation_and_administrators_only(
    app_client: TestClient, asked: str, message_id: str, admin_headers: Headers, outsider_headers: Headers,
    stored: Callable[[], StoredState],
) -> None:  # fmt: skip
    report_id = reported(app_client, "message", message_id)
    before = stored()

    assert [item["id"] for item in queue(app_client, admin_headers)] == [report_id]
    assert queue(app_client, outsider_headers) == []
    response = decide(app_client, report_id, outsider_headers, "hidden", HIDDEN_BECAUSE)
    assert response.json() == problem(
        403, "only staff of the organisation, and administrators, moderate what is written there"
    )
    assert stored() == before


def test_hiding_a_reported_message_leaves_it_in_the_thread_without_its_text(
    app_client: TestClient, asked: str, message_id: str, editor_headers: Headers
) -> None:
    report_id = reported(app_client, "message", message_id)

    response = decide(app_client, report_id, editor_headers, "hidden", HIDDEN_BECAUSE)

    assert response.status_code == 200
    assert (response.json()["outcome"], response.json()["hidden"]) == ("hidden", True)
    public = read(app_client, asked)["thread"][1]
    assert (public["id"], public["body"], public["hidden"]) == (message_id, None, True)
    assert REPLY not in app_client.get(f"/api/v1/discussions/{asked}").text
    assert read(app_client, asked, editor_headers)["thread"][1]["hidden_reason"] == HIDDEN_BECAUSE


def test_hiding_a_reported_discussion_takes_it_away_from_everyone_but_staff(
    app_client: TestClient, asked: str, editor_headers: Headers
) -> None:
    decide(app_client, reported(app_client, "discussion", asked), editor_headers, "hidden", HIDDEN_BECAUSE)

    assert app_client.get(f"/api/v1/discussions/{asked}").status_code == 404
    assert app_client.get("/api/v1/datasets/badplatser/discussions").json()["total"] == 0
    assert read(app_client, asked, editor_headers)["hidden_reason"] == HIDDEN_BECAUSE


def test_a_hidden_message_cannot_be_reported_again(
    app_client: TestClient, message_id: str, editor_headers: Headers
) -> None:
    decide(app_client, reported(app_client, "message", message_id), editor_headers, "hidden", HIDDEN_BECAUSE)

    response = report(app_client, "message", message_id)

    assert response.json() == problem(409, "it has already been hidden by a moderator")


# --- reuses --------------------------------------------------------------------------------------------------


def test_a_reuse_is_queued_for_staff_of_every_organisation_whose_dataset_it_uses(
    app_client: TestClient, reuse_id: str, editor_headers: Headers, outsider_headers: Headers,
    admin_headers: Headers, unrelated_headers: Headers,
) -> None:  # fmt: skip
    report_id = reported(app_client, "reuse", reuse_id)

    [item] = queue(app_client, editor_headers)
    assert (item["id"], item["content_kind"], item["title"], item["text"]) == (
        report_id,
        "reuse",
        APP["title"],
        APP["description"],
    )
    assert (item["organizations"], item["shown_at"]) == ([VATTEN, SJOVIK], f"/api/v1/reuses/{reuse_id}")
    assert [item["id"] for item in queue(app_client, outsider_headers)] == [report_id]
    assert [item["id"] for item in queue(app_client, admin_headers)] == [report_id]
    assert queue(app_client, unrelated_headers) == []


def test_an_editor_of_any_of_its_organisations_hides_a_reported_reuse(
    app_client: TestClient, reuse_id: str, outsider_headers: Headers
) -> None:
    report_id = reported(app_client, "reuse", reuse_id)

    response = decide(app_client, report_id, outsider_headers, "hidden", HIDDEN_BECAUSE)

    assert response.status_code == 200
    assert app_client.get(f"/api/v1/reuses/{reuse_id}").status_code == 404
    assert app_client.get("/api/v1/datasets/badplatser/reuses").json()["total"] == 0


def test_an_editor_of_an_unrelated_organisation_may_not_decide_on_a_reuse(
    app_client: TestClient, reuse_id: str, unrelated_headers: Headers, stored: Callable[[], StoredState]
) -> None:
    report_id = reported(app_client, "reuse", reuse_id)
    before = stored()

    response = decide(app_client, report_id, unrelated_headers, "hidden", HIDDEN_BECAUSE)

    assert response.json() == problem(403, NOT_REUSE_STAFF)
    assert stored() == before


# --- hiding through the content's own endpoint settles the reports ------------------------------------------


def target_and_path(request: pytest.FixtureRequest, kind: str) -> tuple[str, str]:
    """Something of the kind, and its API resource, from the fixtures above."""
    if kind == "reuse":
        reuse: str = request.getfixturevalue("reuse_id")
        return reuse, f"/api/v1/reuses/{reuse}"
    discussion: str = request.getfixturevalue("asked")
    if kind == "discussion":
        return discussion, f"/api/v1/discussions/{discussion}"
    message: str = request.getfixturevalue("message_id")
    return message, f"/api/v1/discussions/{discussion}/messages/{message}"


@pytest.mark.parametrize("kind", ["message", "discussion", "reuse"])
def test_hiding_through_the_contents_own_endpoint_settles_the_open_reports(
    app_client: TestClient, request: pytest.FixtureRequest, editor_headers: Headers, kind: str
) -> None:
    target, path = target_and_path(request, kind)
    reported(app_client, kind, target)
    reported(app_client, kind, target)

    response = app_client.put(f"{path}/hidden", json={"reason": HIDDEN_BECAUSE}, headers=editor_headers)

    assert response.status_code == 204
    assert queue(app_client, editor_headers) == []


def test_showing_again_through_the_contents_own_endpoint_leaves_the_open_reports(
    app_client: TestClient, reuse_id: str, editor_headers: Headers
) -> None:
    report_id = reported(app_client, "reuse", reuse_id)

    response = app_client.delete(f"/api/v1/reuses/{reuse_id}/hidden", headers=editor_headers)

    assert response.status_code == 204
    assert [item["id"] for item in queue(app_client, editor_headers)] == [report_id]


# --- what cannot be reported -------------------------------------------------------------------------------


def test_a_pending_reuse_cannot_be_reported_by_those_who_cannot_see_it(
    app_client: TestClient, member_headers: Headers, other_member_headers: Headers, badplatser: Dataset,
    stored: Callable[[], StoredState],
) -> None:  # fmt: skip
    pending = register(app_client, member_headers)
    before = stored()

    assert report(app_client, "reuse", pending).json() == problem(404, f"no reuse '{pending}'")
    assert report(app_client, "reuse", pending, other_member_headers).status_code == 404
    assert stored() == before


def test_a_hidden_discussion_and_its_messages_cannot_be_reported(
    app_client: TestClient, asked: str, message_id: str, editor_headers: Headers, member_headers: Headers,
    stored: Callable[[], StoredState],
) -> None:  # fmt: skip
    app_client.put(
        f"/api/v1/discussions/{asked}/hidden", json={"reason": HIDDEN_BECAUSE}, headers=editor_headers
    )
    before = stored()

    assert report(app_client, "discussion", asked).json() == problem(404, f"no discussion '{asked}'")
    assert report(app_client, "message", message_id, member_headers).json() == problem(
        404, f"no discussion '{asked}'"
    )
    assert stored() == before


@pytest.mark.parametrize("kind", ["discussion", "message", "reuse"])
def test_reporting_something_unknown_is_not_found(
    app_client: TestClient, badplatser: Dataset, kind: str, stored: Callable[[], StoredState]
) -> None:
    before = stored()
    unknown = str(uuid.uuid4())

    assert report(app_client, kind, unknown).json() == problem(404, f"no {kind} '{unknown}'")
    assert stored() == before

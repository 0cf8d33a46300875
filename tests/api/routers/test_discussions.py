"""/api/v1/datasets/{slug}/discussions and /api/v1/discussions: questions and comments on a dataset, the
organisation's answers, closing, hiding, and every kind of bad input refused without a change."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization, User
from datatorget.config import Settings
from datatorget.jobs.mail import SEND_EMAIL
from datatorget.jobs.models import Job
from tests.api.conftest import Headers
from tests.api.problems import NOT_LOGGED_IN, problem
from tests.api.snapshots import StoredState
from tests.conftest import Actors, client_with
from tests.factories import make_dataset

ASK = {"title": "Finns koordinaterna i SWEREF 99?", "body": "Jag vill rita badplatserna på en **karta**."}
NOBODY = "00000000-0000-0000-0000-000000000000"


def start(client: TestClient, headers: Headers, slug: str = "badplatser", **changes: Any) -> str:
    response = client.post(f"/api/v1/datasets/{slug}/discussions", json=ASK | changes, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture
def asked(app_client: TestClient, member_headers: Headers, badplatser: Dataset) -> str:
    """A discussion Anna started on Badplatser (of Sjöviks kommun); its id."""
    return start(app_client, member_headers)


def read(client: TestClient, discussion_id: str, headers: Headers | None = None) -> Any:
    response = client.get(f"/api/v1/discussions/{discussion_id}", headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


def say(client: TestClient, discussion_id: str, headers: Headers, body: str) -> Any:
    return client.post(f"/api/v1/discussions/{discussion_id}/messages", json={"body": body}, headers=headers)


def close(client: TestClient, discussion_id: str, headers: Headers, closed: bool = True) -> Any:
    return client.patch(f"/api/v1/discussions/{discussion_id}", json={"closed": closed}, headers=headers)


# --- starting, reading, listing -----------------------------------------------------------------------


def test_a_member_starts_a_discussion_with_the_question_as_its_first_message(
    app_client: TestClient, member_headers: Headers, badplatser: Dataset
) -> None:
    response = app_client.post("/api/v1/datasets/badplatser/discussions", json=ASK, headers=member_headers)

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"http://portal.test/api/v1/discussions/{body['id']}"
    assert body["dataset"] == {"slug": "badplatser", "title": {"sv": "Badplatser"}}
    assert (body["title"], body["state"], body["messages"], body["answered"]) == (
        ASK["title"],
        "open",
        1,
        False,
    )
    assert body["author"] == {"name": "Anna", "staff": False, "organization": None}
    assert [(m["body"], m["hidden"]) for m in body["thread"]] == [(ASK["body"], False)]


def test_anyone_reads_a_discussion_without_logging_in(app_client: TestClient, asked: str) -> None:
    body = read(app_client, asked)

    assert body["title"] == ASK["title"]
    assert body["thread"][0]["author"] == {"name": "Anna", "staff": False, "organization": None}


def test_the_list_has_the_total_and_the_newest_activity_first(
    app_client: TestClient, asked: str, member_headers: Headers, other_member_headers: Headers
) -> None:
    later = start(app_client, other_member_headers, title="Saknas Strandbadet?")
    say(app_client, asked, other_member_headers, "Det undrar jag också.")

    body = app_client.get("/api/v1/datasets/badplatser/discussions").json()

    assert body["total"] == 2
    assert [(item["id"], item["messages"]) for item in body["items"]] == [(asked, 2), (later, 1)]


def test_the_list_is_filtered_by_open_or_closed_and_paged(
    app_client: TestClient, asked: str, member_headers: Headers
) -> None:
    other = start(app_client, member_headers, title="En fråga till")
    close(app_client, asked, member_headers)

    open_ = app_client.get("/api/v1/datasets/badplatser/discussions?state=open").json()
    closed = app_client.get("/api/v1/datasets/badplatser/discussions?state=closed").json()
    page = app_client.get("/api/v1/datasets/badplatser/discussions?limit=1&offset=1").json()

    assert [item["id"] for item in open_["items"]] == [other]
    assert [(item["id"], item["state"]) for item in closed["items"]] == [(asked, "closed")]
    assert (page["total"], len(page["items"])) == (2, 1)


def test_a_list_filter_that_is_not_open_or_closed_is_refused(
    app_client: TestClient, badplatser: Dataset
) -> None:
    response = app_client.get("/api/v1/datasets/badplatser/discussions?state=finished")
    assert response.status_code == 422
    assert "state" in response.json()["errors"]


def test_no_email_address_is_ever_in_a_discussion(
    app_client: TestClient, asked: str, editor_headers: Headers
) -> None:
    say(app_client, asked, editor_headers, "Ja, i SWEREF 99 TM.")
    assert "@" not in app_client.get(f"/api/v1/discussions/{asked}").text
    assert "@" not in app_client.get("/api/v1/datasets/badplatser/discussions").text


def test_an_unknown_discussion_or_dataset_is_not_found(
    app_client: TestClient, member_headers: Headers
) -> None:
    assert app_client.get(f"/api/v1/discussions/{NOBODY}").json() == problem(404, f"no discussion '{NOBODY}'")
    response = app_client.post("/api/v1/datasets/finns-inte/discussions", json=ASK, headers=member_headers)
    assert response.json() == problem(404, "no dataset 'finns-inte'")


# --- replies and the organisation's answer --------------------------------------------------------------


def test_staff_replies_are_the_organisations_answer(
    app_client: TestClient, asked: str, editor_headers: Headers, other_member_headers: Headers
) -> None:
    member = say(app_client, asked, other_member_headers, "Bra fråga.")
    staff = say(app_client, asked, editor_headers, "Ja, i SWEREF 99 TM.")

    assert (member.status_code, staff.status_code) == (201, 201)
    assert member.json()["author"] == {"name": "Bo", "staff": False, "organization": None}
    assert staff.json()["author"] == {"name": None, "staff": True, "organization": "sjoviks-kommun"}
    assert read(app_client, asked)["answered"] is True


def test_an_editor_of_another_organisation_replies_as_anyone_else(
    app_client: TestClient, asked: str, outsider_headers: Headers
) -> None:
    response = say(app_client, asked, outsider_headers, "Vi har också sådana data.")

    assert response.json()["author"]["staff"] is False
    assert read(app_client, asked)["answered"] is False


def test_the_staff_mark_stays_when_the_author_leaves_the_organisation(
    app_client: TestClient, asked: str, editor_headers: Headers, session: Session
) -> None:
    say(app_client, asked, editor_headers, "Ja, i SWEREF 99 TM.")
    user = session.scalar(select(User).where(User.email == "editor@sjovik.se"))
    assert user is not None
    user.role = "member"
    user.organization_id = None
    session.commit()

    assert read(app_client, asked)["thread"][1]["author"]["staff"] is True


def test_staff_answers_are_emailed_to_whoever_started_the_discussion(
    app_client: TestClient,
    asked: str,
    editor_headers: Headers,
    other_member_headers: Headers,
    session: Session,
) -> None:
    say(app_client, asked, other_member_headers, "Bra fråga.")
    say(app_client, asked, editor_headers, "Ja, i SWEREF 99 TM.")

    jobs = session.scalars(select(Job).where(Job.kind == SEND_EMAIL)).all()
    assert [job.params["to"] for job in jobs] == ["anna@example.org"]
    assert jobs[0].params["subject"] == f"Svar i diskussionen / Answer in the discussion: {ASK['title']}"
    assert "Ja, i SWEREF 99 TM." in jobs[0].params["text"]
    assert f"http://portal.test/datamangder/badplatser/diskussioner/{asked}" in jobs[0].params["text"]
    assert f"http://portal.test/en/datasets/badplatser/discussions/{asked}" in jobs[0].params["text"]


def test_nobody_replies_in_a_closed_discussion(
    app_client: TestClient, asked: str, member_headers: Headers, editor_headers: Headers, stored: Any
) -> None:
    close(app_client, asked, member_headers)
    before = stored()

    for headers in (member_headers, editor_headers):
        response = say(app_client, asked, headers, "En sak till.")
        assert response.json() == problem(409, "the discussion is closed: it takes no more replies")
    assert stored() == before


# --- closing and opening again ----------------------------------------------------------------------------


def test_whoever_started_a_discussion_closes_it(
    app_client: TestClient, asked: str, member_headers: Headers
) -> None:
    response = close(app_client, asked, member_headers)

    assert response.status_code == 200
    assert response.json()["state"] == "closed"
    assert response.json()["closed_at"] is not None


def test_staff_close_a_discussion_and_open_it_again(
    app_client: TestClient, asked: str, editor_headers: Headers, admin_headers: Headers
) -> None:
    assert close(app_client, asked, editor_headers).json()["state"] == "closed"
    assert close(app_client, asked, editor_headers, closed=False).json()["state"] == "open"
    assert close(app_client, asked, admin_headers).json()["state"] == "closed"


def test_closing_a_closed_discussion_changes_nothing(
    app_client: TestClient, asked: str, member_headers: Headers, editor_headers: Headers
) -> None:
    first = close(app_client, asked, member_headers).json()["closed_at"]
    assert close(app_client, asked, editor_headers).json()["closed_at"] == first


@pytest.mark.parametrize(
    ("who", "closed", "expected"),
    [
        ("other_member_headers", True, 403),  # a member who did not start it
        ("outsider_headers", True, 403),  # an editor of another organisation
        ("member_headers", False, 403),  # whoever started it closes, but staff open again
        (None, True, 401),
    ],
)
def test_others_may_not_close_or_open_a_discussion_and_nothing_changes(
    app_client: TestClient, asked: str, editor_headers: Headers, stored: Any, request: pytest.FixtureRequest,
    who: str | None, closed: bool, expected: int,
) -> None:  # fmt: skip
    headers = request.getfixturevalue(who) if who else {}
    if not closed:
        close(app_client, asked, editor_headers)
    before = stored()

    response = close(app_client, asked, headers, closed=closed)

    assert response.status_code == expected, response.text
    assert stored() == before


def test_a_change_that_is_not_closed_true_or_false_is_refused(
    app_client: TestClient, asked: str, editor_headers: Headers
) -> None:
    for change in ({}, {"closed": "maybe"}, {"closed": True, "title": "Ny titel"}):
        response = app_client.patch(f"/api/v1/discussions/{asked}", json=change, headers=editor_headers)
        assert response.status_code == 422, change
    assert read(app_client, asked)["state"] == "open"


# --- bad input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "<script>alert(1)</script>"}, "title"),
        ({"body": ""}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "<script>alert(1)</script>"}, "body"),
        ({"body": "[klicka](javascript:alert(1))"}, "body"),
        ({"body": '<img src=x onerror="alert(1)">'}, "body"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_a_discussion_that_is_empty_huge_or_scripted_is_refused_and_nothing_is_stored(
    app_client: TestClient, member_headers: Headers, badplatser: Dataset, stored: Any,
    change: dict[str, Any], field: str,
) -> None:  # fmt: skip
    before = stored()
    response = app_client.post(
        "/api/v1/datasets/badplatser/discussions", json=ASK | change, headers=member_headers
    )
    assert response.status_code == 422, response.text
    assert field in {name.split(".")[0] for name in response.json()["errors"]}
    assert stored() == before


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001, "<iframe src=x>", "[x](javascript:alert(1))"])
def test_a_reply_that_is_empty_huge_or_scripted_is_refused_and_nothing_is_stored(
    app_client: TestClient, asked: str, member_headers: Headers, stored: Any, body: str
) -> None:
    before = stored()
    response = say(app_client, asked, member_headers, body)
    assert response.status_code == 422
    assert "body" in response.json()["errors"]
    assert stored() == before


def test_writing_needs_an_account_and_nothing_is_stored(
    app_client: TestClient, asked: str, stored: Any
) -> None:
    before = stored()
    assert app_client.post("/api/v1/datasets/badplatser/discussions", json=ASK).json() == NOT_LOGGED_IN
    assert say(app_client, asked, {}, "Hej").json() == NOT_LOGGED_IN
    assert close(app_client, asked, {}).json() == NOT_LOGGED_IN
    assert stored() == before


def test_a_flood_from_one_address_is_refused_with_429_and_nothing_more_is_stored(
    engine: Engine, settings: Settings, actors: Actors, badplatser: Dataset
) -> None:
    headers = actors.headers(actors.user("flood@example.org", "member"))
    with client_with(engine, settings.model_copy(update={"address_writes_per_minute": 2})) as client:
        for n in range(2):
            start(client, headers, title=f"Fråga nummer {n}")
        refused = client.post("/api/v1/datasets/badplatser/discussions", json=ASK, headers=headers)
        total = client.get("/api/v1/datasets/badplatser/discussions").json()["total"]

    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert refused.json()["detail"].startswith("too many writes")
    assert total == 2


# --- datasets not everyone can see -------------------------------------------------------------------------


@pytest.fixture
def draft(session: Session, sjovik: Organization) -> Dataset:
    return make_dataset(session, "Utkast till parkeringar", organization=sjovik.slug, state="draft")


def test_the_discussions_of_a_draft_are_not_found_by_the_public_but_by_staff(
    app_client: TestClient, draft: Dataset, editor_headers: Headers, member_headers: Headers
) -> None:
    discussion = start(app_client, editor_headers, slug=draft.slug)

    assert app_client.get(f"/api/v1/datasets/{draft.slug}/discussions").status_code == 404
    assert app_client.get(f"/api/v1/discussions/{discussion}").status_code == 404
    assert say(app_client, discussion, member_headers, "Hej").status_code == 404
    response = app_client.post(f"/api/v1/datasets/{draft.slug}/discussions", json=ASK, headers=member_headers)
    assert response.status_code == 404
    assert read(app_client, discussion, editor_headers)["thread"][0]["author"]["staff"] is True


# --- hiding by staff ---------------------------------------------------------------------------------------


def hide(client: TestClient, path: str, headers: Headers, reason: str | None = "Personuppgifter") -> Any:
    if reason is None:
        return client.delete(f"{path}/hidden", headers=headers)
    return client.put(f"{path}/hidden", json={"reason": reason}, headers=headers)


def test_staff_hide_a_message_whose_text_then_disappears_for_everyone_else(
    app_client: TestClient, asked: str, other_member_headers: Headers, editor_headers: Headers
) -> None:
    message = say(app_client, asked, other_member_headers, "Ring mig på 070-123 45 67.").json()["id"]

    assert (
        hide(app_client, f"/api/v1/discussions/{asked}/messages/{message}", editor_headers).status_code == 204
    )

    public = read(app_client, asked)["thread"][1]
    staff = read(app_client, asked, editor_headers)["thread"][1]
    assert (public["body"], public["hidden"], public["hidden_reason"]) == (None, True, None)
    assert (staff["body"], staff["hidden_reason"]) == (None, "Personuppgifter")
    assert "070-123" not in app_client.get(f"/api/v1/discussions/{asked}").text
    assert read(app_client, asked)["messages"] == 1


def test_staff_show_a_hidden_message_again(
    app_client: TestClient, asked: str, other_member_headers: Headers, editor_headers: Headers
) -> None:
    message = say(app_client, asked, other_member_headers, "Hej").json()["id"]
    path = f"/api/v1/discussions/{asked}/messages/{message}"
    hide(app_client, path, editor_headers)

    assert hide(app_client, path, editor_headers, reason=None).status_code == 204
    assert read(app_client, asked)["thread"][1]["body"] == "Hej"


def test_a_hidden_discussion_is_gone_for_everyone_but_staff(
    app_client: TestClient,
    asked: str,
    member_headers: Headers,
    editor_headers: Headers,
    admin_headers: Headers,
) -> None:
    hide(app_client, f"/api/v1/discussions/{asked}", editor_headers)

    assert app_client.get(f"/api/v1/discussions/{asked}").status_code == 404
    assert app_client.get(f"/api/v1/discussions/{asked}", headers=member_headers).status_code == 404
    assert app_client.get("/api/v1/datasets/badplatser/discussions").json()["total"] == 0
    staff = read(app_client, asked, editor_headers)
    assert (staff["hidden"], staff["hidden_reason"]) == (True, "Personuppgifter")
    assert read(app_client, asked, admin_headers)["hidden"] is True
    listed = app_client.get("/api/v1/datasets/badplatser/discussions", headers=editor_headers).json()
    assert [(item["id"], item["hidden"]) for item in listed["items"]] == [(asked, True)]

    hide(app_client, f"/api/v1/discussions/{asked}", editor_headers, reason=None)
    assert read(app_client, asked)["hidden"] is False


@pytest.mark.parametrize(
    ("who", "expected"), [("member_headers", 403), ("outsider_headers", 403), (None, 401)]
)
def test_only_staff_of_the_organisation_hide_and_nothing_changes(
    app_client: TestClient, asked: str, stored: Any, request: pytest.FixtureRequest, who: str | None,
    expected: int,
) -> None:  # fmt: skip
    message = read(app_client, asked)["thread"][0]["id"]
    headers = request.getfixturevalue(who) if who else {}
    before = stored()

    for path in (f"/api/v1/discussions/{asked}", f"/api/v1/discussions/{asked}/messages/{message}"):
        assert hide(app_client, path, headers).status_code == expected

    assert stored() == before


@pytest.mark.parametrize("data", [{}, {"reason": ""}, {"reason": "x" * 1001}])
def test_hiding_needs_a_reason_of_at_most_1000_characters(
    app_client: TestClient, asked: str, editor_headers: Headers, stored: Any, data: dict[str, str]
) -> None:
    before: StoredState = stored()
    response = app_client.put(f"/api/v1/discussions/{asked}/hidden", json=data, headers=editor_headers)
    assert response.status_code == 422
    assert stored() == before


def test_a_message_of_another_discussion_is_not_found(
    app_client: TestClient, asked: str, member_headers: Headers, editor_headers: Headers
) -> None:
    other = start(app_client, member_headers, title="En annan fråga")
    message = read(app_client, other)["thread"][0]["id"]

    response = hide(app_client, f"/api/v1/discussions/{asked}/messages/{message}", editor_headers)

    assert response.json() == problem(404, f"no message '{message}' in this discussion")


# --- a deleted account ----------------------------------------------------------------------------------------


def test_a_deleted_account_leaves_its_discussions_without_a_name(
    app_client: TestClient, asked: str, member_headers: Headers
) -> None:
    assert app_client.delete("/api/v1/account", headers=member_headers).status_code == 204

    body = read(app_client, asked)
    assert body["author"] == {"name": None, "staff": False, "organization": None}
    assert body["thread"][0]["author"]["name"] is None
    assert body["thread"][0]["body"] == ASK["body"]

"""/api/v1/requests: from "I want this data" to the organisation's answer, in public, through the API."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from datatorget.catalog.models import Dataset, Organization
from tests.api.conftest import ASK, Headers, file
from tests.api.problems import problem
from tests.api.snapshots import StoredState
from tests.factories import make_dataset


def read(client: TestClient, request_id: str, headers: Headers | None = None) -> Any:
    response = client.get(f"/api/v1/requests/{request_id}", headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_member_files_a_request_that_is_public_at_once(app_client: TestClient, asked: str) -> None:
    body = read(app_client, asked)
    assert body["state"] == "received"
    assert body["votes"] == 0
    assert body["organization"] == {"slug": "sjoviks-kommun", "name": "Sjöviks kommun"}
    assert [event["kind"] for event in body["timeline"]] == ["created"]
    assert body["timeline"][0]["author"] == {"name": "Anna", "staff": False, "organization": None}


def test_no_email_address_is_ever_in_a_request(app_client: TestClient, asked: str) -> None:
    assert "@" not in app_client.get(f"/api/v1/requests/{asked}").text
    assert "@" not in app_client.get("/api/v1/requests").text


def test_the_list_has_the_total_and_the_items(app_client: TestClient, asked: str) -> None:
    body = app_client.get("/api/v1/requests").json()
    assert body["total"] == 1
    assert [item["id"] for item in body["items"]] == [asked]


def test_without_an_account_an_email_address_is_needed(app_client: TestClient, sjovik: Organization) -> None:
    response = app_client.post("/api/v1/requests", json=ASK)
    assert response.status_code == 401


def test_a_request_filed_with_an_email_address_waits_for_confirmation(
    app_client: TestClient, sjovik: Organization
) -> None:
    response = app_client.post("/api/v1/requests", json=ASK | {"email": "cecilia@example.org"})
    assert response.status_code == 201
    assert response.json()["public"] is False
    assert app_client.get(f"/api/v1/requests/{response.json()['id']}").status_code == 404
    assert app_client.get("/api/v1/requests").json()["total"] == 0


def test_an_unknown_confirmation_token_is_not_found(app_client: TestClient) -> None:
    response = app_client.post("/api/v1/requests/confirmations", json={"token": "nonsense"})
    assert response.json() == problem(404, "this confirmation link is unknown or has been used")


def test_a_vote_counts_once_per_person(
    app_client: TestClient, asked: str, other_member_headers: Headers
) -> None:
    first = app_client.post(f"/api/v1/requests/{asked}/votes", headers=other_member_headers)
    assert first.status_code == 201
    assert first.json() == {"votes": 1}
    second = app_client.post(f"/api/v1/requests/{asked}/votes", headers=other_member_headers)
    assert second.json() == problem(409, "you have already voted for this request")
    assert read(app_client, asked)["votes"] == 1


def test_a_vote_can_be_withdrawn(app_client: TestClient, asked: str, other_member_headers: Headers) -> None:
    app_client.post(f"/api/v1/requests/{asked}/votes", headers=other_member_headers)
    response = app_client.delete(f"/api/v1/requests/{asked}/votes", headers=other_member_headers)
    assert response.json() == {"votes": 0}


def test_voting_needs_an_account(app_client: TestClient, asked: str) -> None:
    assert app_client.post(f"/api/v1/requests/{asked}/votes").status_code == 401


def test_anyone_with_an_account_comments_and_staff_comments_are_the_organisations(
    app_client: TestClient, asked: str, other_member_headers: Headers, editor_headers: Headers
) -> None:
    app_client.post(f"/api/v1/requests/{asked}/comments", json={"body": "Jag vill också ha detta."},
                    headers=other_member_headers)  # fmt: skip
    app_client.post(f"/api/v1/requests/{asked}/comments", json={"body": "Vi tittar på det."},
                    headers=editor_headers)  # fmt: skip
    timeline = read(app_client, asked)["timeline"]
    assert [(e["kind"], e["body"], e["author"]["staff"]) for e in timeline[1:]] == [
        ("comment", "Jag vill också ha detta.", False),
        ("comment", "Vi tittar på det.", True),
    ]
    assert timeline[2]["author"]["organization"] == "sjoviks-kommun"


def test_staff_plan_a_request_with_an_expected_date_in_public(
    app_client: TestClient, asked: str, editor_headers: Headers
) -> None:
    response = app_client.patch(
        f"/api/v1/requests/{asked}",
        json={"state": "planned", "expected_date": "2027-03-01", "answer": "Vi publicerar i mars."},
        headers=editor_headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["state"], body["expected_date"]) == ("planned", "2027-03-01")
    last = body["timeline"][-1]
    assert (last["kind"], last["state_from"], last["state_to"], last["body"]) == (
        "state", "received", "planned", "Vi publicerar i mars.",
    )  # fmt: skip
    assert last["author"]["staff"] is True


def test_a_published_request_links_the_datasets_and_takes_no_more_votes(
    app_client: TestClient, asked: str, editor_headers: Headers, other_member_headers: Headers,
    badplatser: Dataset,
) -> None:  # fmt: skip
    response = app_client.patch(f"/api/v1/requests/{asked}", json={"state": "published", "datasets": ["badplatser"]},
                                headers=editor_headers)  # fmt: skip
    assert response.json()["datasets"] == [{"slug": "badplatser", "title": {"sv": "Badplatser"}}]
    vote = app_client.post(f"/api/v1/requests/{asked}/votes", headers=other_member_headers)
    assert vote.json() == problem(409, "the request is published: it takes no more votes")


def test_declining_needs_a_reason_from_the_list(
    app_client: TestClient, asked: str, editor_headers: Headers
) -> None:
    response = app_client.patch(
        f"/api/v1/requests/{asked}", json={"state": "declined"}, headers=editor_headers
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"decline_reason": ["a declined request has a reason"]}
    response = app_client.patch(f"/api/v1/requests/{asked}", json={"state": "declined", "decline_reason": "personal_data",
                                "answer": "Uppgifterna rör enskilda."}, headers=editor_headers)  # fmt: skip
    assert response.json()["decline_reason"] == "personal_data"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"state": "planned"}, "expected_date"),
        ({"state": "published"}, "datasets"),
        ({"state": "available", "datasets": ["finns-inte"]}, "datasets"),
        ({"state": "under_review", "expected_date": "2027-01-01"}, "expected_date"),
        ({"state": "declined", "decline_reason": "other"}, "answer"),
        ({}, "state"),
        ({"state": "finished"}, "state"),
        ({"answer": ""}, "answer"),
    ],
)
def test_a_change_that_is_not_whole_is_refused_and_changes_nothing(
    app_client: TestClient,
    asked: str,
    editor_headers: Headers,
    stored: Any,
    change: dict[str, Any],
    field: str,
) -> None:
    before: StoredState = stored()
    response = app_client.patch(f"/api/v1/requests/{asked}", json=change, headers=editor_headers)
    assert response.status_code == 422
    assert field in {name.split(".")[0] for name in response.json()["errors"]}
    assert stored() == before


def test_only_staff_of_the_organisation_asked_answer(
    app_client: TestClient, asked: str, member_headers: Headers, outsider_headers: Headers, stored: Any
) -> None:
    before = stored()
    for headers in (member_headers, outsider_headers):
        response = app_client.patch(
            f"/api/v1/requests/{asked}", json={"state": "under_review"}, headers=headers
        )
        assert response.status_code == 403
    assert app_client.patch(f"/api/v1/requests/{asked}", json={"state": "under_review"}).status_code == 401
    assert stored() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"description": "<script>alert(1)</script>"}, "description"),
        ({"intended_use": "[klicka](javascript:alert(1))"}, "intended_use"),
        ({"organization": "finns-inte"}, "organization"),
        ({"theme": "NOPE"}, "theme"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_a_request_that_is_empty_huge_or_scripted_is_refused_and_nothing_is_stored(
    app_client: TestClient, member_headers: Headers, sjovik: Organization, stored: Any,
    change: dict[str, Any], field: str,
) -> None:  # fmt: skip
    before = stored()
    response = app_client.post("/api/v1/requests", json=ASK | change, headers=member_headers)
    assert response.status_code == 422, response.text
    assert field in {name.split(".")[0] for name in response.json()["errors"]}
    assert stored() == before


def test_a_comment_that_is_empty_or_huge_is_refused(
    app_client: TestClient, asked: str, member_headers: Headers
) -> None:
    for body in ("", "x" * 5001, "<iframe src=x>"):
        response = app_client.post(
            f"/api/v1/requests/{asked}/comments", json={"body": body}, headers=member_headers
        )
        assert response.status_code == 422
    assert [e["kind"] for e in read(app_client, asked)["timeline"]] == ["created"]


def test_requests_are_filtered_by_state_and_organisation_and_sorted_by_votes(
    app_client: TestClient, member_headers: Headers, other_member_headers: Headers, editor_headers: Headers,
    vatten: Organization, sjovik: Organization,
) -> None:  # fmt: skip
    quiet = file(app_client, member_headers, title="Bygglov per år")
    popular = file(app_client, member_headers, title="Vattenkvalitet", organization="sjovik-vatten")
    app_client.post(f"/api/v1/requests/{popular}/votes", headers=other_member_headers)
    app_client.patch(f"/api/v1/requests/{quiet}", json={"state": "under_review"}, headers=editor_headers)

    ids = [item["id"] for item in app_client.get("/api/v1/requests?sort=votes").json()["items"]]
    assert ids == [popular, quiet]
    by_state = app_client.get("/api/v1/requests?state=under_review").json()
    assert [item["id"] for item in by_state["items"]] == [quiet]
    by_organization = app_client.get("/api/v1/requests?organization=sjovik-vatten").json()
    assert [item["id"] for item in by_organization["items"]] == [popular]
    answered = app_client.get("/api/v1/requests?sort=answered").json()["items"]
    assert answered[0]["id"] == quiet


def test_an_unknown_request_is_not_found(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/requests/00000000-0000-0000-0000-000000000000")
    assert response.json() == problem(404, "no data request '00000000-0000-0000-0000-000000000000'")


def test_responsiveness_counts_requests_and_the_median_answer_time_per_organisation(
    app_client: TestClient, asked: str, editor_headers: Headers
) -> None:
    app_client.patch(
        f"/api/v1/requests/{asked}", json={"answer": "Vi tittar på det."}, headers=editor_headers
    )
    (row,) = app_client.get("/api/v1/requests/responsiveness").json()
    assert (row["organization"]["slug"], row["requests"], row["answered"]) == ("sjoviks-kommun", 1, 1)
    assert row["median_answer_days"] == 0.0


def test_following_and_unfollowing(app_client: TestClient, asked: str, other_member_headers: Headers) -> None:
    assert (
        app_client.put(f"/api/v1/requests/{asked}/following", headers=other_member_headers).status_code == 204
    )
    assert read(app_client, asked, other_member_headers)["following"] is True
    assert (
        app_client.delete(f"/api/v1/requests/{asked}/following", headers=other_member_headers).status_code
        == 204
    )
    assert read(app_client, asked, other_member_headers)["following"] is False


def test_a_published_dataset_is_needed_to_fulfil_a_request(
    app_client: TestClient, asked: str, editor_headers: Headers, session: Any, sjovik: Organization
) -> None:
    make_dataset(session, "Utkast", organization=sjovik.slug, state="draft")
    response = app_client.patch(f"/api/v1/requests/{asked}", json={"state": "available", "datasets": ["utkast"]},
                                headers=editor_headers)  # fmt: skip
    assert response.status_code == 422

"""/api/v1/reuses: registering an app or analysis built on datasets, its image, and approval by staff; only
approved reuses are public, and bad input changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Organization
from datatorget.config import Settings
from datatorget.dialogue.reuses import IMAGE_MAX_BYTES
from datatorget.jobs.models import Job
from tests.api.conftest import Headers
from tests.api.problems import NOT_LOGGED_IN, problem
from tests.api.snapshots import files_in
from tests.factories import make_dataset

APP = {
    "title": "Badkartan",
    "description": "En karta över kommunens badplatser, **med vattentemperatur**.",
    "kind": "app",
    "url": "https://badkartan.example/",
    "datasets": ["badplatser"],
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
NOT_STAFF = problem(403, "only staff of an organisation whose dataset the reuse uses may decide on it")


def register(client: TestClient, headers: Headers, **changes: Any) -> str:
    response = client.post("/api/v1/reuses", json=APP | changes, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture
def pending(app_client: TestClient, member_headers: Headers, badplatser: Dataset) -> str:
    """A reuse of the member's of the municipality's dataset, waiting for approval."""
    return register(app_client, member_headers)


@pytest.fixture
def approved(app_client: TestClient, pending: str, editor_headers: Headers) -> str:
    decide(app_client, pending, editor_headers, state="approved")
    return pending


def decide(client: TestClient, reuse_id: str, headers: Headers, **decision: Any) -> Any:
    response = client.patch(f"/api/v1/reuses/{reuse_id}", json=decision, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def read(client: TestClient, reuse_id: str, headers: Headers | None = None) -> Any:
    response = client.get(f"/api/v1/reuses/{reuse_id}", headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


def put_image(
    client: TestClient, reuse_id: str, headers: Headers, content: bytes = PNG, alt: str | None = "Kartan"
) -> Any:
    data = {"alt": alt} if alt is not None else {}
    files = {"image": ("bild.png", content, "image/png")}
    return client.put(f"/api/v1/reuses/{reuse_id}/image", data=data, files=files, headers=headers)


def emails(session: Session) -> list[tuple[str, str]]:
    session.expire_all()
    jobs = session.scalars(select(Job).where(Job.kind == "send_email").order_by(Job.created_at))
    return [(job.params["to"], job.params["subject"]) for job in jobs]


# --- registering and approving ---------------------------------------------------------------------------


def test_a_member_registers_a_reuse_that_waits_for_approval(
    app_client: TestClient, member_headers: Headers, badplatser: Dataset
) -> None:
    response = app_client.post("/api/v1/reuses", json=APP, headers=member_headers)

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"http://portal.test/api/v1/reuses/{body['id']}"
    assert {k: body[k] for k in ("title", "kind", "url", "state", "submitter", "image", "reject_reason")} == {
        "title": "Badkartan", "kind": "app", "url": "https://badkartan.example/", "state": "pending",
        "submitter": "Anna", "image": None, "reject_reason": None,
    }  # fmt: skip
    assert body["datasets"] == [{"slug": "badplatser", "title": {"sv": "Badplatser"}}]


def test_a_pending_reuse_is_invisible_to_the_public(app_client: TestClient, pending: str) -> None:
    assert app_client.get(f"/api/v1/reuses/{pending}").json() == problem(404, f"no reuse '{pending}'")
    assert app_client.get("/api/v1/reuses").json() == {"total": 0, "items": []}
    assert app_client.get("/api/v1/reuses?state=pending").json() == {"total": 0, "items": []}
    assert app_client.get("/api/v1/datasets/badplatser/reuses").json()["total"] == 0


def test_the_submitter_and_staff_of_the_datasets_organisation_see_a_pending_reuse(
    app_client: TestClient, pending: str, member_headers: Headers, editor_headers: Headers,
    outsider_headers: Headers, other_member_headers: Headers,
) -> None:  # fmt: skip
    assert read(app_client, pending, member_headers)["state"] == "pending"
    waiting = app_client.get("/api/v1/reuses?state=pending", headers=editor_headers).json()
    assert [item["id"] for item in waiting["items"]] == [pending]
    for headers in (outsider_headers, other_member_headers):
        assert app_client.get(f"/api/v1/reuses/{pending}", headers=headers).status_code == 404


def test_staff_approve_a_reuse_and_it_appears_on_the_datasets_reuses(
    app_client: TestClient, session: Session, pending: str, editor_headers: Headers
) -> None:
    body = decide(app_client, pending, editor_headers, state="approved")

    assert (body["state"], body["decided_at"] is not None) == ("approved", True)
    assert [item["id"] for item in app_client.get("/api/v1/reuses").json()["items"]] == [pending]
    assert [i["id"] for i in app_client.get("/api/v1/datasets/badplatser/reuses").json()["items"]] == [
        pending
    ]
    assert read(app_client, pending)["submitter"] == "Anna"
    assert emails(session) == [
        ("anna@example.org", "Tillämpningen är godkänd / Your reuse is approved: Badkartan")
    ]


def test_staff_reject_a_reuse_with_a_reason_that_only_the_submitter_and_staff_see(
    app_client: TestClient, session: Session, pending: str, editor_headers: Headers, member_headers: Headers
) -> None:
    body = decide(app_client, pending, editor_headers, state="rejected", reason="Länken fungerar inte.")

    assert (body["state"], body["reject_reason"]) == ("rejected", "Länken fungerar inte.")
    assert read(app_client, pending, member_headers)["reject_reason"] == "Länken fungerar inte."
    assert app_client.get(f"/api/v1/reuses/{pending}").status_code == 404
    assert emails(session)[0][1].startswith("Tillämpningen godkändes inte")


def test_an_administrator_decides_on_any_reuse(
    app_client: TestClient, pending: str, admin_headers: Headers
) -> None:
    assert decide(app_client, pending, admin_headers, state="approved")["state"] == "approved"


@pytest.mark.parametrize(
    ("decision", "field"),
    [
        ({"state": "rejected"}, "reason"),
        ({"state": "approved", "reason": "Bra."}, "reason"),
        ({"reason": "Varför inte?"}, "reason"),
        ({"state": "approved", "title": "Ny titel"}, "state"),
        ({"state": "pending"}, "state"),
        ({"state": "rejected", "reason": "x" * 1001}, "reason"),
    ],
)
def test_a_decision_that_is_not_whole_is_refused_and_changes_nothing(
    app_client: TestClient,
    pending: str,
    editor_headers: Headers,
    stored: Any,
    decision: dict[str, Any],
    field: str,
) -> None:
    before = stored()
    response = app_client.patch(f"/api/v1/reuses/{pending}", json=decision, headers=editor_headers)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]
    assert stored() == before


def test_a_member_or_an_editor_of_another_organisation_cannot_approve_a_pending_reuse_they_cannot_see(
    app_client: TestClient,
    pending: str,
    other_member_headers: Headers,
    outsider_headers: Headers,
    stored: Any,
) -> None:
    before = stored()
    for headers in (other_member_headers, outsider_headers):
        response = app_client.patch(f"/api/v1/reuses/{pending}", json={"state": "approved"}, headers=headers)
        assert response.json() == problem(404, f"no reuse '{pending}'")
    assert stored() == before


def test_a_member_or_an_editor_of_another_organisation_may_not_reject_an_approved_reuse(
    app_client: TestClient, approved: str, member_headers: Headers, other_member_headers: Headers,
    outsider_headers: Headers, stored: Any,
) -> None:  # fmt: skip
    before = stored()
    for headers in (member_headers, other_member_headers, outsider_headers):
        response = app_client.patch(
            f"/api/v1/reuses/{approved}", json={"state": "rejected", "reason": "Nej."}, headers=headers
        )
        assert response.json() == NOT_STAFF
    assert stored() == before


def test_anonymous_writes_need_an_account(
    app_client: TestClient, approved: str, badplatser: Dataset, stored: Any
) -> None:
    before = stored()
    assert app_client.post("/api/v1/reuses", json=APP).json() == NOT_LOGGED_IN
    assert app_client.patch(f"/api/v1/reuses/{approved}", json={"title": "Ny titel"}).json() == NOT_LOGGED_IN
    assert app_client.delete(f"/api/v1/reuses/{approved}").json() == NOT_LOGGED_IN
    assert put_image(app_client, approved, {}).json() == NOT_LOGGED_IN
    assert (
        app_client.put(f"/api/v1/reuses/{approved}/hidden", json={"reason": "Spam"}).json() == NOT_LOGGED_IN
    )
    assert stored() == before


# --- bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"description": "<script>alert(1)</script>"}, "description"),
        ({"description": "[klicka](javascript:alert(1))"}, "description"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://badkartan.example/"}, "url"),
        ({"url": "badkartan"}, "url"),
        ({"kind": "game"}, "kind"),
        ({"datasets": []}, "datasets"),
        ({"datasets": ["finns-inte"]}, "datasets"),
        ({"datasets": ["hemliga-planer"]}, "datasets"),
        ({"datasets": ["x" * 101]}, "datasets"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_a_reuse_that_is_empty_huge_scripted_or_uses_no_published_dataset_is_refused_and_nothing_is_stored(
    app_client: TestClient, session: Session, member_headers: Headers, badplatser: Dataset,
    sjovik: Organization, stored: Any, change: dict[str, Any], field: str,
) -> None:  # fmt: skip
    make_dataset(session, "Hemliga planer", slug="hemliga-planer", state="draft")
    before = stored()
    response = app_client.post("/api/v1/reuses", json=APP | change, headers=member_headers)
    assert response.status_code == 422, response.text
    assert field in {name.split(".")[0] for name in response.json()["errors"]}
    assert stored() == before


def test_an_unknown_dataset_is_named_in_the_error(
    app_client: TestClient, member_headers: Headers, badplatser: Dataset
) -> None:
    response = app_client.post(
        "/api/v1/reuses", json=APP | {"datasets": ["badplatser", "finns-inte"]}, headers=member_headers
    )
    assert response.json()["errors"] == {"datasets": ["no published dataset 'finns-inte'"]}


def test_an_unknown_reuse_is_not_found(app_client: TestClient) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert app_client.get(f"/api/v1/reuses/{missing}").json() == problem(404, f"no reuse '{missing}'")


# --- the submitter's changes -----------------------------------------------------------------------------


def test_the_submitter_changes_an_approved_reuse_and_it_waits_for_approval_again(
    app_client: TestClient, approved: str, member_headers: Headers
) -> None:
    body = decide(app_client, approved, member_headers, title="Badkartan 2", kind="visualisation")

    assert (body["title"], body["kind"], body["state"], body["decided_at"]) == (
        "Badkartan 2", "visualisation", "pending", None,
    )  # fmt: skip
    assert app_client.get("/api/v1/reuses").json()["total"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [({}, "title"), ({"title": None}, "title"), ({"url": "javascript:alert(1)"}, "url"),
     ({"image_alt": "Kartan"}, "image_alt"), ({"datasets": ["finns-inte"]}, "datasets")],
)  # fmt: skip
def test_a_bad_change_is_refused_and_the_reuse_stays_as_it_was(
    app_client: TestClient,
    approved: str,
    member_headers: Headers,
    stored: Any,
    change: dict[str, Any],
    field: str,
) -> None:
    before = stored()
    response = app_client.patch(f"/api/v1/reuses/{approved}", json=change, headers=member_headers)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]
    assert stored() == before


def test_only_the_submitter_changes_a_reuse(
    app_client: TestClient, approved: str, editor_headers: Headers, other_member_headers: Headers
) -> None:
    for headers in (editor_headers, other_member_headers):
        response = app_client.patch(f"/api/v1/reuses/{approved}", json={"title": "Min nu"}, headers=headers)
        assert response.json() == problem(403, "only whoever registered the reuse may change it")


def test_the_submitter_deletes_a_reuse_with_its_image(
    app_client: TestClient, settings: Settings, pending: str, member_headers: Headers, editor_headers: Headers
) -> None:
    put_image(app_client, pending, member_headers)
    assert app_client.delete(f"/api/v1/reuses/{pending}", headers=editor_headers).status_code == 403

    assert app_client.delete(f"/api/v1/reuses/{pending}", headers=member_headers).status_code == 204
    assert app_client.get(f"/api/v1/reuses/{pending}", headers=member_headers).status_code == 404
    assert files_in(settings.files_dir) == []


def test_a_deleted_account_leaves_its_reuse_without_a_name(
    app_client: TestClient, approved: str, member_headers: Headers
) -> None:
    assert app_client.delete("/api/v1/account", headers=member_headers).status_code == 204
    assert read(app_client, approved)["submitter"] is None


def test_no_email_address_is_ever_in_a_reuse(app_client: TestClient, approved: str) -> None:
    assert "@" not in app_client.get(f"/api/v1/reuses/{approved}").text
    assert "@" not in app_client.get("/api/v1/reuses").text


def test_reuses_are_filtered_by_kind_and_dataset(
    app_client: TestClient, session: Session, member_headers: Headers, editor_headers: Headers,
    badplatser: Dataset,
) -> None:  # fmt: skip
    make_dataset(session, "Evenemang", slug="evenemang")
    app_id = register(app_client, member_headers)
    analysis = register(
        app_client, member_headers, title="Besök per år", kind="analysis", datasets=["evenemang"]
    )
    for reuse_id in (app_id, analysis):
        decide(app_client, reuse_id, editor_headers, state="approved")

    def ids(query: str) -> list[str]:
        return [item["id"] for item in app_client.get(f"/api/v1/reuses?{query}").json()["items"]]

    assert ids("kind=analysis") == [analysis]
    assert ids("dataset=badplatser") == [app_id]
    assert app_client.get("/api/v1/reuses?kind=game").status_code == 422
    assert app_client.get("/api/v1/reuses?dataset=finns-inte").status_code == 404


# --- the image ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "media_type"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")]
)
def test_the_submitter_gives_the_reuse_an_image_that_the_portal_serves(
    app_client: TestClient, approved: str, member_headers: Headers, editor_headers: Headers, content: bytes,
    media_type: str,
) -> None:  # fmt: skip
    response = put_image(app_client, approved, member_headers, content)
    assert response.status_code == 200, response.text
    image = response.json()["image"]
    assert (image["alt"], image["media_type"]) == ("Kartan", media_type)
    assert image["url"].startswith(f"http://portal.test/api/v1/reuses/{approved}/image?v=")
    assert response.json()["state"] == "pending"  # a new image is approved like any change

    served = app_client.get(image["url"].removeprefix("http://portal.test"), headers=member_headers)
    assert (served.status_code, served.headers["content-type"], served.content) == (200, media_type, content)
    assert (
        served.headers["cache-control"] == "private, no-cache"
    )  # waiting for approval: not for shared caches
    decide(app_client, approved, editor_headers, state="approved")
    public = app_client.get(f"/api/v1/reuses/{approved}/image")
    assert (public.content, public.headers["cache-control"]) == (content, "public, max-age=86400")


def test_a_new_image_replaces_the_old_file(
    app_client: TestClient, settings: Settings, pending: str, member_headers: Headers
) -> None:
    put_image(app_client, pending, member_headers, PNG)
    put_image(app_client, pending, member_headers, JPEG)
    assert [path.suffix for path in files_in(settings.files_dir)] == [".jpg"]
    body = app_client.delete(f"/api/v1/reuses/{pending}/image", headers=member_headers).json()
    assert body["image"] is None
    assert files_in(settings.files_dir) == []


@pytest.mark.parametrize(
    ("content", "alt", "status", "field"),
    [
        (b"<svg onload=alert(1)></svg>", "Kartan", 422, "image"),
        (b"GIF89a" + b"\x00" * 64, "Kartan", 422, "image"),
        (b"namn;lat\nSandviken;59.1\n", "Kartan", 422, "image"),
        (b"", "Kartan", 422, "image"),
        (PNG + b"\x00" * IMAGE_MAX_BYTES, "Kartan", 413, None),
        (PNG, None, 422, "alt"),
        (PNG, "   ", 422, "alt"),
        (PNG, "x" * 301, 422, "alt"),
        (PNG, "<script>alert(1)</script>", 422, "alt"),
    ],
)
def test_a_file_that_is_not_an_image_or_too_big_or_without_a_description_is_refused_and_nothing_is_stored(
    app_client: TestClient, pending: str, member_headers: Headers, stored: Any, content: bytes,
    alt: str | None, status: int, field: str | None,
) -> None:  # fmt: skip
    before = stored()
    response = put_image(app_client, pending, member_headers, content, alt)
    assert response.status_code == status, response.text
    if field:
        assert field in response.json()["errors"]
    assert stored() == before


def test_an_image_must_be_sent_as_a_multipart_field_named_image(
    app_client: TestClient, pending: str, member_headers: Headers
) -> None:
    response = app_client.put(f"/api/v1/reuses/{pending}/image", json={"alt": "x"}, headers=member_headers)
    assert response.status_code == 422
    assert "image" in response.json()["errors"]


def test_a_reuse_without_an_image_has_none_to_serve(app_client: TestClient, approved: str) -> None:
    assert app_client.get(f"/api/v1/reuses/{approved}/image").json() == problem(404, "the reuse has no image")


def test_only_the_submitter_gives_the_reuse_an_image(
    app_client: TestClient, approved: str, editor_headers: Headers
) -> None:
    response = put_image(app_client, approved, editor_headers)
    assert response.json() == problem(403, "only whoever registered the reuse may change it")


# --- moderation ----------------------------------------------------------------------------------------------


def test_staff_hide_an_approved_reuse_with_a_reason_and_show_it_again(
    app_client: TestClient, approved: str, editor_headers: Headers, member_headers: Headers
) -> None:
    hidden = app_client.put(
        f"/api/v1/reuses/{approved}/hidden", json={"reason": "Reklam."}, headers=editor_headers
    )
    assert hidden.status_code == 204
    assert app_client.get(f"/api/v1/reuses/{approved}").status_code == 404
    assert app_client.get("/api/v1/datasets/badplatser/reuses").json()["total"] == 0
    staff_view = read(app_client, approved, editor_headers)
    assert (staff_view["hidden"], staff_view["hidden_reason"]) == (True, "Reklam.")
    own_view = read(app_client, approved, member_headers)
    assert (own_view["hidden"], own_view["hidden_reason"]) == (True, None)

    assert app_client.delete(f"/api/v1/reuses/{approved}/hidden", headers=editor_headers).status_code == 204
    assert read(app_client, approved)["hidden"] is False


def test_only_staff_hide_a_reuse(
    app_client: TestClient, approved: str, member_headers: Headers, outsider_headers: Headers
) -> None:
    for headers in (member_headers, outsider_headers):
        response = app_client.put(
            f"/api/v1/reuses/{approved}/hidden", json={"reason": "Nej."}, headers=headers
        )
        assert response.json() == NOT_STAFF
    assert read(app_client, approved)["hidden"] is False

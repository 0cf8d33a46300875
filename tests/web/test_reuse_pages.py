"""Reuses in the web UI: the list with its filter, registering one (with an image), its page, the submitter's
changes, and staff's approval, rejection and hiding, in Swedish and English; never an email address."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datatorget.catalog import accounts
from datatorget.catalog.models import User
from datatorget.config import Settings
from datatorget.demo.reuses import picture
from datatorget.dialogue import reuses as service
from datatorget.dialogue.models import Reuse
from datatorget.dialogue.schemas import ReuseIn, ReusePatch
from tests.api.snapshots import files_in
from tests.web.pages import Pages, field_error, h1_of, language_link, text_of, title_of

PNG = picture((0, 94, 150), (120, 200, 230))


def reuse_form(**fields: str) -> dict[str, Any]:
    """A filled-in form, as a browser would send it."""
    return {
        "title": "Badkartan",
        "description": "En karta över badplatserna, **med vattentemperatur**.",
        "kind": "app",
        "url": "https://badkartan.example/",
        "datasets": "badplatser, badvattenkvalitet",
        "image_alt": "",
        **fields,
    }


def registered(session: Session, member: User, *, approved: bool = False) -> str:
    """A reuse of the member's, registered through the service; its page's Swedish path."""
    fields = {k: v for k, v in reuse_form().items() if k != "image_alt"}
    data = ReuseIn.model_validate(fields | {"datasets": ["badplatser"]})
    reuse = service.register_reuse(session, data, member)
    if approved:
        service.change_reuse(session, reuse.id, ReusePatch(state="approved"), accounts.system_user(session))
    session.commit()
    return f"/tillampningar/{reuse.id}"


@pytest.fixture
def pending(session: Session, member: User) -> str:
    return registered(session, member)


@pytest.fixture
def approved(session: Session, member: User) -> str:
    return registered(session, member, approved=True)


def stored(session: Session, path: str) -> Reuse | None:
    session.expire_all()
    return session.get(Reuse, uuid.UUID(path.rsplit("/", 1)[1]))


def count(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Reuse)) or 0


def send_new(pages: Pages, path: str, fields: dict[str, Any], image: bytes | None = None) -> Any:
    data = {"csrf_token": pages.token_for(path), **fields}
    files = {"image": ("bild.png", io.BytesIO(image), "image/png")} if image is not None else None
    return pages.client.post(path, data=data, files=files, follow_redirects=False)


# --- the pages in both languages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("swedish", "english"),
    [("/tillampningar", "/en/reuses"), ("/tillampningar?kind=app", "/en/reuses?kind=app"),
     ("/tillampningar/ny", "/en/reuses/new")],
)  # fmt: skip
def test_each_reuse_page_renders_in_both_languages(
    app_client: TestClient, approved: str, swedish: str, english: str
) -> None:
    sv, en = app_client.get(swedish), app_client.get(english)

    assert (sv.status_code, en.status_code) == (200, 200)
    assert language_link(sv.text)[0] == english
    assert language_link(en.text)[0] == swedish
    assert title_of(sv.text) != title_of(en.text)
    assert h1_of(sv.text) != h1_of(en.text)


def test_the_menu_leads_to_the_reuses(app_client: TestClient, demo: None) -> None:
    assert '<a href="/tillampningar">Tillämpningar</a>' in app_client.get("/").text
    assert '<a href="/en/reuses">Reuses</a>' in app_client.get("/en/").text


def test_an_approved_reuse_is_a_card_in_the_list_on_its_page_and_on_its_datasets_page(
    app_client: TestClient, approved: str
) -> None:
    html = app_client.get("/tillampningar").text
    assert f'<a href="{approved}">Badkartan</a>' in html
    assert "1 tillämpning" in text_of(html)

    page = app_client.get(approved)
    assert h1_of(page.text) == "Badkartan"
    assert "<strong>med vattentemperatur</strong>" in page.text
    assert "Registrerad av Anna" in text_of(page.text)
    assert '<a href="https://badkartan.example/" rel="nofollow noopener"' in page.text
    assert "@" not in text_of(page.text)

    dataset = app_client.get("/en/datasets/badplatser").text
    assert f'<a href="/en/reuses/{approved.rsplit("/", 1)[1]}">Badkartan</a>' in dataset
    assert 'href="/en/reuses/new?dataset=badplatser"' in dataset


def test_the_list_is_filtered_by_kind(app_client: TestClient, approved: str) -> None:
    assert "Badkartan" in app_client.get("/tillampningar?kind=app").text
    assert "Badkartan" not in app_client.get("/tillampningar?kind=analysis").text
    assert app_client.get("/tillampningar?kind=nonsense").status_code == 200  # an unknown kind is ignored


def test_a_pending_reuse_is_not_shown_to_visitors(app_client: TestClient, pending: str) -> None:
    assert "Badkartan" not in app_client.get("/tillampningar").text
    assert app_client.get(pending).status_code == 404
    assert "Badkartan" not in app_client.get("/datamangder/badplatser").text


# --- registering -----------------------------------------------------------------------------------------


def test_a_visitor_is_asked_to_log_in_before_registering(app_client: TestClient, demo: None) -> None:
    words = text_of(app_client.get("/tillampningar/ny").text)
    assert "Du behöver ett konto" in words
    response = app_client.post("/tillampningar/ny", data=reuse_form(), follow_redirects=False)
    assert response.status_code == 403  # no form token without a session: refused before anything is read


def test_the_form_starts_with_the_dataset_it_was_opened_from(pages: Pages, member: User) -> None:
    pages.log_in(member)
    html = pages.client.get("/tillampningar/ny?dataset=badplatser").text
    assert 'id="datasets" name="datasets" type="text" value="badplatser"' in html


def test_a_member_registers_a_reuse_with_an_image_that_waits_for_approval(
    pages: Pages, session: Session, settings: Settings, member: User
) -> None:
    pages.log_in(member)
    response = send_new(pages, "/tillampningar/ny", reuse_form(image_alt="Kartan med badplatser"), PNG)

    assert response.status_code == 303, response.text
    path = response.headers["location"]
    reuse = stored(session, path)
    assert reuse is not None
    assert (reuse.state, reuse.image_type, reuse.image_alt) == (
        "pending",
        "image/png",
        "Kartan med badplatser",
    )
    page = pages.client.get(path).text
    assert "väntar på godkännande" in text_of(page)
    image = re.search(r'<img class="reuse__image" src="([^"]+)" alt="Kartan med badplatser">', page)
    assert image is not None
    assert pages.client.get(image.group(1).replace("&amp;", "&")).content == PNG
    assert "Badkartan" in text_of(pages.client.get("/tillampningar").text)  # under "waiting for approval"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "Write at least 3 characters."),
        ({"url": "javascript:alert(1)"}, "url", "Enter a full address"),
        ({"url": "ftp://badkartan.example/"}, "url", "Enter a full address"),
        ({"description": "<script>alert(1)</script>"}, "description", "Scripts and HTML"),
        ({"datasets": ""}, "datasets", ""),
        ({"datasets": "finns-inte"}, "datasets", "There is no published dataset called finns-inte."),
        ({"datasets": "planerade-cykelvagar"}, "datasets", "There is no published dataset"),
    ],
)
def test_a_form_with_mistakes_is_shown_again_in_english_and_nothing_is_stored(
    pages: Pages, session: Session, member: User, fields: dict[str, str], field: str, message: str
) -> None:
    pages.log_in(member, "en")
    response = send_new(pages, "/en/reuses/new", reuse_form(**fields))

    assert response.status_code == 422
    assert field_error(response.text, field).startswith(f"Error: {message}")
    assert title_of(response.text).startswith("Error:")
    assert count(session) == 0


@pytest.mark.parametrize(
    ("image", "alt", "field", "status"),
    [
        (b"<svg onload=alert(1)></svg>", "Kartan", "image", 422),
        (PNG, "", "image_alt", 422),
        (PNG + b"\x00" * (2 * 1024 * 1024), "Kartan", "image", 413),
    ],
)
def test_an_image_that_is_not_one_too_big_or_undescribed_leaves_nothing_stored(
    pages: Pages, session: Session, settings: Settings, member: User, image: bytes, alt: str, field: str,
    status: int,
) -> None:  # fmt: skip
    pages.log_in(member)
    files_before = files_in(settings.files_dir)
    response = send_new(pages, "/tillampningar/ny", reuse_form(image_alt=alt), image)

    assert response.status_code == status
    assert field_error(response.text, field)
    assert count(session) == 0
    assert files_in(settings.files_dir) == files_before


# --- staff decide ------------------------------------------------------------------------------------------


def test_staff_approve_a_waiting_reuse_from_the_list(
    pages: Pages, session: Session, editor: User, pending: str
) -> None:
    pages.log_in(editor)
    html = pages.client.get("/tillampningar").text
    assert "Väntar på godkännande" in text_of(html)

    response = pages.client.post(
        pending, data={"csrf_token": pages.csrf_token(html), "action": "approve", "back": "list"},
        follow_redirects=False,
    )  # fmt: skip
    assert (response.status_code, response.headers["location"]) == (303, "/tillampningar")
    reuse = stored(session, pending)
    assert reuse is not None and reuse.state == "approved"


def test_staff_reject_with_a_reason_that_the_submitter_sees(
    pages: Pages, session: Session, editor: User, member: User, pending: str
) -> None:
    pages.log_in(editor, "en")
    english = pending.replace("/tillampningar", "/en/reuses")
    refused = pages.submit(english, {"action": "reject", "reject_reason": ""})
    assert refused.status_code == 422
    assert field_error(refused.text, "decide-reject_reason") == "Error: Say why the reuse is not approved."

    assert (
        pages.submit(english, {"action": "reject", "reject_reason": "Länken fungerar inte."}).status_code
        == 303
    )
    pages.client.cookies.clear()
    pages.log_in(member)
    assert "Skäl: Länken fungerar inte." in text_of(pages.client.get(pending).text)


def test_a_member_may_not_approve(pages: Pages, session: Session, member: User, pending: str) -> None:
    pages.log_in(member)
    assert pages.submit(pending, {"action": "approve"}).status_code == 403
    reuse = stored(session, pending)
    assert reuse is not None and reuse.state == "pending"


def test_an_editor_of_another_organisation_does_not_see_a_waiting_reuse(
    pages: Pages, energy_editor: User, pending: str
) -> None:
    pages.log_in(energy_editor)
    assert pages.client.get(pending).status_code == 404


def test_staff_hide_a_reuse_with_a_reason_and_show_it_again(
    pages: Pages, app_client: TestClient, editor: User, approved: str
) -> None:
    pages.log_in(editor)
    assert pages.submit(approved, {"action": "hide", "hide_reason": ""}).status_code == 422
    assert pages.submit(approved, {"action": "hide", "hide_reason": "Reklam."}).status_code == 303
    assert "Reklam." in text_of(pages.client.get(approved).text)

    assert pages.submit(approved, {"action": "show_again"}).status_code == 303
    pages.client.cookies.clear()
    assert app_client.get(approved).status_code == 200


# --- the submitter's changes --------------------------------------------------------------------------------


def test_the_submitter_changes_an_approved_reuse_and_it_waits_again(
    pages: Pages, session: Session, member: User, approved: str
) -> None:
    pages.log_in(member)
    response = pages.submit(
        approved, {"action": "edit", **reuse_form(title="Badkartan 2", kind="visualisation")}
    )

    assert response.status_code == 303
    reuse = stored(session, approved)
    assert reuse is not None
    assert (reuse.title, reuse.kind, reuse.state) == ("Badkartan 2", "visualisation", "pending")


def test_a_change_with_mistakes_is_shown_again_and_changes_nothing(
    pages: Pages, session: Session, member: User, approved: str
) -> None:
    pages.log_in(member)
    response = pages.submit(approved, {"action": "edit", **reuse_form(title="", url="javascript:alert(1)")})

    assert response.status_code == 422
    assert field_error(response.text, "edit-title") and field_error(response.text, "edit-url")
    assert "<details open>" in response.text
    reuse = stored(session, approved)
    assert reuse is not None and (reuse.title, reuse.state) == ("Badkartan", "approved")


def test_the_submitter_deletes_a_reuse(pages: Pages, session: Session, member: User, approved: str) -> None:
    pages.log_in(member)
    response = pages.submit(approved, {"action": "delete"})

    assert (response.status_code, response.headers["location"]) == (303, "/tillampningar")
    assert stored(session, approved) is None

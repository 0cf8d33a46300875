"""Discussions in the web UI, in Swedish and English: the section on a dataset's page, the list with the form
to start one, a thread with replies, the organisation's answer, closing, hiding; bad input shown on the form
with nothing stored; never an email address on a page."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from datatorget.catalog import accounts
from datatorget.catalog.models import User
from datatorget.config import Settings
from datatorget.dialogue import discussions as service
from datatorget.dialogue.models import Discussion, DiscussionMessage
from datatorget.dialogue.schemas import DiscussionIn
from datatorget.jobs.mail import SEND_EMAIL
from datatorget.jobs.models import Job
from tests.conftest import client_with
from tests.web.pages import PASSWORD, Pages, field_error, h1_of, language_link, text_of, title_of

LIST = "/datamangder/badplatser/diskussioner"
LIST_EN = "/en/datasets/badplatser/discussions"
TITLE = "Finns koordinaterna i SWEREF 99?"
BODY = "Jag vill rita dem på en **karta**."
QUESTION: dict[str, str | list[str]] = {"title": TITLE, "message": BODY}


@pytest.fixture
def other_member(session: Session, demo: None) -> User:
    user = accounts.register_member(session, email="bo@example.org", password=PASSWORD, display_name="Bo")
    session.commit()
    return user


@pytest.fixture
def asked(session: Session, member: User) -> str:
    """A discussion Anna started on Badplatser, through the service; its page's path."""
    data = DiscussionIn(title=TITLE, body=BODY)
    discussion_id = service.start_discussion(session, "badplatser", data, member).id
    session.commit()
    return f"{LIST}/{discussion_id}"


def english(path: str) -> str:
    return path.replace("/datamangder/", "/en/datasets/").replace("/diskussioner", "/discussions")


def count(session: Session, model: type[Discussion] | type[DiscussionMessage]) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def act(pages: Pages, path: str, action: str, **fields: str) -> Any:
    return pages.submit(path, {"action": action, **fields})


# --- reading, in both languages ---------------------------------------------------------------------------


def test_the_list_and_a_thread_render_in_both_languages(app_client: TestClient, asked: str) -> None:
    for swedish, in_english in ((LIST, LIST_EN), (asked, english(asked))):
        sv, en = app_client.get(swedish), app_client.get(in_english)

        assert (sv.status_code, en.status_code) == (200, 200)
        assert language_link(sv.text)[0] == in_english
        assert language_link(en.text)[0] == swedish
        assert title_of(sv.text) != title_of(en.text)
    assert h1_of(app_client.get(LIST).text) == "Diskussioner: Badplatser"
    assert h1_of(app_client.get(asked).text) == TITLE


def test_the_dataset_page_shows_the_latest_discussions_and_how_to_take_part(
    app_client: TestClient, asked: str
) -> None:
    sv = app_client.get("/datamangder/badplatser").text
    en = app_client.get("/en/datasets/badplatser").text

    assert f'<a href="{asked}">{TITLE}</a>' in sv
    assert "Frågor och diskussioner" in text_of(sv) and "Questions and discussions" in text_of(en)
    assert "Öppen Startad av Anna 1 meddelande" in text_of(sv)
    assert "Open Started by Anna 1 message" in text_of(en)
    assert "Logga in för att starta en diskussion" in text_of(sv)


def test_a_dataset_without_discussions_says_so(app_client: TestClient, demo: None) -> None:
    assert "Inga diskussioner ännu." in text_of(app_client.get("/datamangder/badplatser").text)
    assert "No discussions yet." in text_of(app_client.get("/en/datasets/badplatser").text)


def test_the_list_is_filtered_by_open_or_closed_and_an_unknown_value_is_ignored(
    app_client: TestClient, session: Session, asked: str, member: User
) -> None:
    service.set_closed(session, uuid.UUID(asked.rsplit("/", 1)[1]), True, member)
    session.commit()

    open_ = app_client.get(LIST, params={"state": "open"}).text
    closed = app_client.get(LIST, params={"state": "closed"}).text
    odd = app_client.get(LIST, params={"state": "x", "page": "y"})

    assert "0 diskussioner" in text_of(open_)
    assert '<option value="closed" selected>Stängd</option>' in closed and TITLE in closed
    assert odd.status_code == 200 and "1 diskussion" in text_of(odd.text)


def test_no_email_address_is_on_any_discussion_page(
    app_client: TestClient, pages: Pages, asked: str, editor: User
) -> None:
    pages.log_in(editor)
    act(pages, asked, "reply", message="Ja, i SWEREF 99 TM.")
    for path in (asked, LIST, english(asked)):
        assert "@" not in text_of(app_client.get(path).text), path
    section = re.search(
        r'<section id="discussions".*?</section>', app_client.get("/datamangder/badplatser").text, re.S
    )
    assert section is not None and "Anna" in section.group(0) and "@" not in section.group(0)


# --- starting a discussion -------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "thread"), [(LIST, "/datamangder/badplatser/diskussioner/"),
                                              (LIST_EN, "/en/datasets/badplatser/discussions/")])  # fmt: skip
def test_a_member_starts_a_discussion_through_the_form(
    app_client: TestClient, pages: Pages, member: User, path: str, thread: str
) -> None:
    pages.log_in(member)
    response = pages.submit(path, QUESTION)

    assert response.status_code == 303
    assert response.headers["location"].startswith(thread)
    page = app_client.get(response.headers["location"]).text
    assert h1_of(page) == TITLE
    assert "<strong>karta</strong>" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "", "message": ""}, "title", "Skriv minst 3 tecken."),
        ({"title": "x" * 201}, "title", "Skriv högst 200 tecken."),
        ({"message": "x" * 5001}, "message", "Skriv högst 5000 tecken."),
        ({"message": "<script>alert(1)</script>"}, "message", "Skript och HTML"),
        ({"title": "Hej <script>"}, "title", "Skript och HTML"),
    ],
)
def test_a_discussion_with_mistakes_is_shown_again_with_them_and_nothing_is_stored(
    pages: Pages, session: Session, member: User, fields: dict[str, str | list[str]], field: str, message: str
) -> None:
    pages.log_in(member)
    response = pages.submit(LIST, QUESTION | fields)

    assert response.status_code == 422
    assert message in field_error(response.text, field)
    assert 'class="error-summary"' in response.text
    assert title_of(response.text).startswith("Fel:")
    assert count(session, Discussion) == 0


def test_mistakes_are_shown_in_english_on_the_english_page(
    pages: Pages, session: Session, member: User
) -> None:
    pages.log_in(member, "en")
    response = pages.submit(LIST_EN, {"title": "", "message": "Hej"})

    assert response.status_code == 422
    assert field_error(response.text, "title") == "Error: Write at least 3 characters."
    assert title_of(response.text).startswith("Error:")


def test_without_an_account_the_form_asks_to_log_in_and_a_post_goes_to_the_login(
    app_client: TestClient, pages: Pages, session: Session, demo: None
) -> None:
    page = app_client.get(LIST).text
    data = {"csrf_token": pages.token_for("/logga-in"), **QUESTION}
    response = app_client.post(LIST, data=data, follow_redirects=False)

    assert 'name="title"' not in page and "Logga in eller skapa ett konto" in text_of(page)
    assert response.status_code == 303 and response.headers["location"].startswith("/logga-in?next=")
    assert count(session, Discussion) == 0


def test_the_discussions_of_a_draft_are_not_found_by_the_public(
    app_client: TestClient, draft: str, editor: User, session: Session
) -> None:
    discussion = service.start_discussion(
        session, draft, DiscussionIn(title="Intern fråga", body="Hej"), editor
    )
    session.commit()

    assert app_client.get(f"/datamangder/{draft}/diskussioner").status_code == 404
    assert app_client.get(f"/datamangder/{draft}/diskussioner/{discussion.id}").status_code == 404


def test_a_discussion_under_another_dataset_or_an_odd_id_is_not_found(
    app_client: TestClient, asked: str
) -> None:
    discussion_id = asked.rsplit("/", 1)[1]
    assert app_client.get(f"/datamangder/evenemang/diskussioner/{discussion_id}").status_code == 404
    assert app_client.get(f"{LIST}/inte-ett-id").status_code == 404


# --- replies and the organisation's answer ---------------------------------------------------------------


def test_a_staff_reply_is_the_organisations_answer_and_is_emailed_to_the_asker(
    app_client: TestClient, pages: Pages, session: Session, asked: str, editor: User
) -> None:
    pages.log_in(editor)
    response = act(pages, asked, "reply", message="Ja, i **SWEREF 99 TM**.")

    assert response.status_code == 303 and "#message-" in response.headers["location"]
    words = text_of(app_client.get(asked).text)
    assert "Sjöviks kommun Organisationens svar" in words and "Besvarad" in words
    assert "The organisation's answer" in text_of(app_client.get(english(asked)).text)
    jobs = session.scalars(select(Job).where(Job.kind == SEND_EMAIL)).all()
    assert [job.params["to"] for job in jobs] == ["anna@example.org"]


def test_a_member_replies_and_no_email_is_sent(
    app_client: TestClient, pages: Pages, session: Session, asked: str, other_member: User
) -> None:
    pages.log_in(other_member, "en")
    response = act(pages, english(asked), "reply", message="Same question here.")

    assert response.headers["location"].startswith(english(asked))
    assert "Bo" in text_of(app_client.get(asked).text)
    assert session.scalars(select(Job).where(Job.kind == SEND_EMAIL)).all() == []


def test_an_empty_or_scripted_reply_is_shown_again_and_nothing_is_stored(
    pages: Pages, session: Session, asked: str, member: User
) -> None:
    pages.log_in(member)
    for message in ("   ", "<iframe src=x>", "x" * 5001):
        response = act(pages, asked, "reply", message=message)
        assert response.status_code == 422
        assert field_error(response.text, "reply-message")
    assert count(session, DiscussionMessage) == 1


# --- closing, and a closed discussion -----------------------------------------------------------------------


def test_whoever_started_it_closes_it_and_then_nobody_replies(
    app_client: TestClient, pages: Pages, session: Session, asked: str, member: User, editor: User
) -> None:
    pages.log_in(member)
    page = app_client.get(asked).text
    assert 'value="close"' in page and 'value="reopen"' not in page

    assert act(pages, asked, "close").status_code == 303
    closed = app_client.get(asked).text
    assert "Stängd" in text_of(closed) and 'value="reply"' not in closed
    assert "Diskussionen är stängd" in text_of(closed)

    pages.log_in(editor)  # a form sent from a page loaded before the discussion was closed
    response = act(pages, asked, "reply", message="Ett sent svar.")
    assert response.status_code == 409
    assert "Diskussionen har stängts" in text_of(response.text)
    assert count(session, DiscussionMessage) == 1


def test_staff_open_a_closed_discussion_again_in_english(
    app_client: TestClient, pages: Pages, asked: str, member: User, editor: User, session: Session
) -> None:
    service.set_closed(session, uuid.UUID(asked.rsplit("/", 1)[1]), True, member)
    session.commit()
    pages.log_in(editor, "en")

    assert act(pages, english(asked), "reopen").status_code == 303
    assert "Open" in text_of(app_client.get(english(asked)).text)


@pytest.mark.parametrize("who", ["other_member", "energy_editor"])
def test_someone_else_sees_no_close_button_and_may_not_close(
    app_client: TestClient,
    pages: Pages,
    session: Session,
    asked: str,
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    pages.log_in(request.getfixturevalue(who))

    assert 'value="close"' not in app_client.get(asked).text
    assert act(pages, asked, "close").status_code == 403
    session.expire_all()
    assert session.scalars(select(Discussion)).one().closed_at is None


# --- hiding by staff ---------------------------------------------------------------------------------------


def test_staff_hide_a_message_with_a_reason_and_show_it_again(
    app_client: TestClient, pages: Pages, session: Session, asked: str, other_member: User, editor: User
) -> None:
    message = service.reply(
        session, uuid.UUID(asked.rsplit("/", 1)[1]), "Ring mig på 070-123 45 67.", other_member
    )
    session.commit()
    pages.log_in(editor)

    assert act(pages, asked, "hide", message_id=str(message.id), reason="Telefonnummer").status_code == 303
    staff_page = text_of(app_client.get(asked).text)
    assert "070-123" not in staff_page and "Skäl: Telefonnummer" in staff_page

    pages.client.cookies.clear()
    public = text_of(app_client.get(asked).text)
    assert "070-123" not in public and "Telefonnummer" not in public
    assert "Meddelandet är dolt av en moderator." in public

    pages.log_in(editor)
    assert act(pages, asked, "show_again", message_id=str(message.id)).status_code == 303
    assert "070-123" in text_of(app_client.get(asked).text)


def test_hiding_without_a_reason_is_refused_and_nothing_changes(
    pages: Pages, session: Session, asked: str, editor: User
) -> None:
    pages.log_in(editor)
    response = act(pages, asked, "hide", reason="  ")

    assert response.status_code == 422
    assert "Skriv ett skäl till att dölja" in text_of(response.text)
    session.expire_all()
    assert session.scalars(select(Discussion)).one().hidden_reason is None


def test_a_hidden_discussion_is_gone_for_the_public_but_staff_see_it(
    app_client: TestClient, pages: Pages, asked: str, editor: User
) -> None:
    pages.log_in(editor)
    assert act(pages, asked, "hide", reason="Spam").status_code == 303
    assert "Diskussionen är dold av en moderator" in text_of(app_client.get(asked).text)

    pages.client.cookies.clear()
    assert app_client.get(asked).status_code == 404
    assert TITLE not in app_client.get("/datamangder/badplatser").text


def test_members_see_no_hide_forms_and_may_not_hide(
    app_client: TestClient, pages: Pages, session: Session, asked: str, member: User
) -> None:
    pages.log_in(member)

    assert 'value="hide"' not in app_client.get(asked).text
    assert act(pages, asked, "hide", reason="Jag ångrar mig").status_code == 403
    session.expire_all()
    assert session.scalars(select(Discussion)).one().hidden_reason is None


# --- floods ----------------------------------------------------------------------------------------------


def test_a_flood_of_forms_from_one_address_is_refused_with_429(
    engine: Engine, settings: Settings, session: Session, member: User
) -> None:
    with client_with(engine, settings.model_copy(update={"address_writes_per_minute": 2})) as client:
        pages = Pages(client)
        pages.log_in(member)
        statuses = [pages.submit(LIST, QUESTION | {"title": f"Fråga {n}"}).status_code for n in range(3)]

    assert statuses == [303, 303, 429]
    assert count(session, Discussion) == 2

"""Moderation in the web UI: reporting a request or a comment, a discussion's message or a reuse, through one
report page; the queue where staff hide or keep what was reported, deleting one's account, and the spam
defences and rate limits of the public forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from datatorget.catalog import accounts
from datatorget.catalog.models import User
from datatorget.config import Settings
from datatorget.dialogue import discussions, reuses
from datatorget.dialogue import requests as service
from datatorget.dialogue.models import ContentReport, DataRequest, RequestEvent
from datatorget.dialogue.schemas import DiscussionIn, RequestIn, ReuseIn, ReusePatch
from tests.conftest import client_with
from tests.web.pages import PASSWORD, Pages, field_error, h1_of, text_of, title_of

HIDDEN_BECAUSE = "Personuppgifter om en tredje person."
COMMENT = "Ring Bertil på 070-123 45 67."


@pytest.fixture
def asked(session: Session, member: User) -> str:
    """A request of the member's to Sjöviks kommun, with a comment of hers; its page's path."""
    data = RequestIn(
        title="Luftkvalitet per timme", description="Mätvärden, **timvis**.", organization="sjovik"
    )
    request = service.file_request(session, data, member).request
    service.add_comment(session, request.id, COMMENT, member)
    session.commit()
    return f"/dataforfragningar/{request.id}"


def report_page(path: str) -> str:
    """The report page of the request whose page is at `path`."""
    return f"/anmal/request/{path.rsplit('/', 1)[-1]}"


def comment_of(session: Session) -> RequestEvent:
    session.rollback()  # a fresh snapshot: the app wrote in its own transaction
    return session.scalars(select(RequestEvent).where(RequestEvent.kind == "comment")).one()


def reports(session: Session) -> list[ContentReport]:
    session.rollback()
    return list(session.scalars(select(ContentReport)))


def report_links(html: str) -> list[str]:
    return [
        link.replace("&amp;", "&") for link in re.findall(r'<p class="report-link"><a href="([^"]+)"', html)
    ]


def file_report(pages: Pages, path: str, reason: str = "Telefonnummer till en privatperson.") -> Any:
    """Send the report form at `path`, as a browser would."""
    return pages.submit(path, {"reason": reason, "website": ""})


# --- reporting ------------------------------------------------------------------------------------------


def test_anyone_reports_a_request_from_its_page(
    app_client: TestClient, pages: Pages, session: Session, asked: str
) -> None:
    request_link, _comment_link = report_links(app_client.get(asked).text)
    page = app_client.get(request_link)
    assert (page.status_code, h1_of(page.text)) == (200, "Anmäl till moderatorerna")
    assert "Luftkvalitet per timme" in text_of(page.text)

    response = file_report(pages, request_link)

    assert response.status_code == 303
    thanks = app_client.get(response.headers["location"]).text
    assert "Anmälan har skickats till moderatorerna" in text_of(thanks)
    [stored] = reports(session)
    assert (stored.target_kind, str(stored.target_id), stored.reporter_id) == (
        "request",
        asked.rsplit("/")[-1],
        None,
    )


def test_a_comment_is_reported_from_the_timeline_in_english(
    app_client: TestClient, pages: Pages, session: Session, asked: str
) -> None:
    _request_link, comment_link = report_links(
        app_client.get(asked.replace("/dataforfragningar", "/en/data-requests")).text
    )
    assert comment_link == f"/en/report/event/{comment_of(session).id}"
    assert COMMENT in text_of(app_client.get(comment_link).text)  # what is reported is shown

    response = file_report(pages, comment_link)

    assert response.status_code == 303
    assert "The report has been sent" in text_of(app_client.get(response.headers["location"]).text)
    assert [(r.target_kind, r.target_id) for r in reports(session)] == [("event", comment_of(session).id)]


def test_a_report_needs_a_reason(app_client: TestClient, pages: Pages, session: Session, asked: str) -> None:
    response = file_report(pages, report_page(asked), reason=" ")

    assert response.status_code == 422
    assert title_of(response.text).startswith("Fel:")
    assert field_error(response.text, "reason") == "Fel: Fyll i fältet."
    assert reports(session) == []


UNKNOWN = "00000000-0000-4000-8000-000000000000"  # fixed, so that the xdist workers collect the same tests


@pytest.mark.parametrize(
    "path",
    [f"/anmal/event/{UNKNOWN}", "/anmal/event/nonsense", f"/anmal/sak/{UNKNOWN}", f"/en/report/reuse/{UNKNOWN}"],
)  # fmt: skip
def test_an_unknown_kind_or_id_is_not_found(app_client: TestClient, asked: str, path: str) -> None:
    response = app_client.get(path)
    assert response.status_code == 404
    assert h1_of(response.text) in {"Sidan finns inte", "Page not found"}


def discussion_on_badplatser(session: Session, member: User) -> tuple[str, str]:
    """A discussion the member started on Badplatser (Sjöviks kommun's), with the comment as its question:
    its page's path and the question's id."""
    discussion = discussions.start_discussion(
        session, "badplatser", DiscussionIn(title="Koordinater?", body=COMMENT), member
    )
    session.commit()
    [(question, _author)] = discussions.thread(session, discussion)
    return f"/datamangder/badplatser/diskussioner/{discussion.id}", str(question.id)


def test_a_message_of_a_discussion_is_reported_from_its_thread_and_queued_with_a_link_to_it(
    app_client: TestClient, pages: Pages, session: Session, member: User, editor: User
) -> None:
    thread, message_id = discussion_on_badplatser(session, member)
    discussion_link, message_link = report_links(app_client.get(thread).text)
    assert (discussion_link, message_link) == (
        f"/anmal/discussion/{thread.rsplit('/', 1)[-1]}",
        f"/anmal/message/{message_id}",
    )
    page = app_client.get(message_link).text
    assert "Meddelandet du anmäler" in text_of(page) and COMMENT in text_of(page)

    response = file_report(pages, message_link)

    assert (response.status_code, response.headers["location"]) == (303, f"{message_link}?sent=1")
    thanks = app_client.get(response.headers["location"]).text
    assert "Anmälan har skickats" in text_of(thanks)
    assert f'<a href="{thread}#message-{message_id}">Tillbaka till diskussionen</a>' in thanks
    assert [(r.target_kind, str(r.target_id)) for r in reports(session)] == [("message", message_id)]
    pages.log_in(editor)
    queue = app_client.get("/moderering").text
    assert f'<a href="{thread}#message-{message_id}">Koordinater?</a>' in queue
    assert "Meddelande i en diskussion" in text_of(queue)


def test_a_reuse_is_reported_from_its_page_in_english(
    app_client: TestClient, pages: Pages, session: Session, member: User
) -> None:
    reuse = reuses.register_reuse(session, ReuseIn(title="Badkartan", description="En karta.", kind="app",
                                  url="https://badkartan.example", datasets=["badplatser"]), member)  # fmt: skip
    reuses.change_reuse(session, reuse.id, ReusePatch(state="approved"), accounts.system_user(session))
    session.commit()
    [link] = report_links(app_client.get(f"/en/reuses/{reuse.id}").text)
    assert link == f"/en/report/reuse/{reuse.id}"

    response = file_report(pages, link)

    assert response.status_code == 303
    thanks = app_client.get(response.headers["location"]).text
    assert f'<a href="/en/reuses/{reuse.id}">Back to the reuse</a>' in thanks
    assert [(r.target_kind, r.target_id) for r in reports(session)] == [("reuse", reuse.id)]


def test_a_pending_reuse_cannot_be_reported_by_visitors(
    app_client: TestClient, session: Session, member: User
) -> None:
    reuse = reuses.register_reuse(session, ReuseIn(title="Badkartan", description="En karta.", kind="app",
                                  url="https://badkartan.example", datasets=["badplatser"]), member)  # fmt: skip
    session.commit()

    assert app_client.get(f"/anmal/reuse/{reuse.id}").status_code == 404


# --- the queue ------------------------------------------------------------------------------------------


@pytest.fixture
def reported(pages: Pages, asked: str) -> str:
    """The member's comment, reported by someone without an account."""
    [_request_link, comment_link] = report_links(pages.client.get(asked).text)
    assert file_report(pages, comment_link).status_code == 303
    return asked


def decide(pages: Pages, outcome: str, reason: str = "") -> Any:
    html = pages.client.get("/moderering").text
    report_id = re.search(r'name="report_id" value="([^"]+)"', html)
    assert report_id, html
    return pages.submit(
        "/moderering", {"report_id": report_id.group(1), "outcome": outcome, "reason": reason}
    )


def test_staff_hide_a_reported_comment_with_a_reason_shown_to_staff_only(
    app_client: TestClient, pages: Pages, session: Session, reported: str, editor: User
) -> None:
    pages.log_in(editor)
    queue = app_client.get("/moderering").text
    assert h1_of(queue) == "Anmälningar att granska"
    assert COMMENT in text_of(queue) and "Telefonnummer till en privatperson." in text_of(queue)

    response = decide(pages, "hidden", HIDDEN_BECAUSE)

    assert (response.status_code, response.headers["location"]) == (303, "/moderering")
    assert "Det finns inga anmälningar att granska." in app_client.get("/moderering").text
    assert comment_of(session).hidden_reason == HIDDEN_BECAUSE
    staff_page = text_of(app_client.get(reported).text)
    assert HIDDEN_BECAUSE in staff_page and "Visa inlägget igen" in staff_page
    app_client.cookies.clear()
    public = text_of(app_client.get(reported).text)
    assert "Inlägget har dolts av en moderator." in public
    assert COMMENT not in public and HIDDEN_BECAUSE not in public


def test_hiding_without_a_reason_is_refused_and_nothing_changes(
    app_client: TestClient, pages: Pages, session: Session, reported: str, editor: User
) -> None:
    pages.log_in(editor)

    response = decide(pages, "hidden")

    assert response.status_code == 422
    assert field_error(response.text, "r1-reason") == "Fel: Skriv varför det ska döljas."
    assert comment_of(session).hidden_reason is None
    assert [r.resolved_at for r in reports(session)] == [None]


def test_staff_keep_what_was_reported(
    app_client: TestClient, pages: Pages, session: Session, reported: str, editor: User
) -> None:
    pages.log_in(editor)

    assert decide(pages, "kept").status_code == 303

    assert [r.outcome for r in reports(session)] == ["kept"]
    assert COMMENT in text_of(app_client.get(reported).text)


def test_staff_hide_a_request_and_show_it_again_from_its_page(
    app_client: TestClient, pages: Pages, session: Session, asked: str, editor: User
) -> None:
    file_report(pages, report_page(asked))
    pages.log_in(editor)
    decide(pages, "hidden", HIDDEN_BECAUSE)
    assert "Förfrågan har dolts av en moderator" in text_of(app_client.get(asked).text)

    response = pages.submit(asked, {"action": "show_again"})

    assert response.status_code == 303
    session.rollback()
    assert session.scalars(select(DataRequest)).one().hidden_reason is None


def test_a_hidden_request_is_gone_from_the_public_pages(
    app_client: TestClient, pages: Pages, asked: str, editor: User
) -> None:
    file_report(pages, report_page(asked))
    pages.log_in(editor)
    decide(pages, "hidden", HIDDEN_BECAUSE)
    app_client.cookies.clear()

    assert app_client.get(asked).status_code == 404
    assert "Luftkvalitet per timme" not in app_client.get("/dataforfragningar").text


def test_the_queue_is_for_staff_of_the_organisation(
    app_client: TestClient, pages: Pages, reported: str, member: User, energy_editor: User
) -> None:
    anonymous = app_client.get("/moderering", follow_redirects=False)
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/logga-in?next=%2Fmoderering")
    pages.log_in(member)
    assert app_client.get("/moderering").status_code == 403
    pages.log_in(energy_editor, lang="en")
    assert "There are no reports to review." in text_of(app_client.get("/en/moderation").text)


# --- deleting one's account -----------------------------------------------------------------------------


def test_a_member_deletes_their_account_and_what_they_wrote_stays_without_their_name(
    app_client: TestClient, pages: Pages, session: Session, asked: str, member: User
) -> None:
    pages.log_in(member)

    response = pages.submit("/konto", {"action": "delete", "password": PASSWORD})

    assert (response.status_code, h1_of(response.text)) == (200, "Ditt konto är raderat")
    assert app_client.get("/konto", follow_redirects=False).status_code == 303  # logged out
    session.rollback()
    assert session.scalar(select(func.count()).select_from(User).where(User.email == member.email)) == 0
    page = text_of(app_client.get(asked).text)
    assert COMMENT in page and "Anna" not in page


def test_a_wrong_password_deletes_nothing(
    app_client: TestClient, pages: Pages, session: Session, member: User
) -> None:
    pages.log_in(member)

    response = pages.submit("/konto", {"action": "delete", "password": "fel lösenord"})

    assert response.status_code == 422
    assert (
        field_error(response.text, "delete-password")
        == "Fel: Lösenordet stämmer inte. Kontot har inte raderats."
    )
    assert app_client.get("/konto").status_code == 200


def test_the_last_administrator_is_told_to_make_another_first(
    app_client: TestClient, pages: Pages, session: Session, demo: None
) -> None:
    admin = accounts.create_user(session, email="admin@sjovik.example", password=PASSWORD, role="admin",
                                 organization_slug=None, by=None)  # fmt: skip
    session.commit()
    pages.log_in(admin)

    response = pages.submit("/konto", {"action": "delete", "password": PASSWORD})

    assert response.status_code == 409
    assert "Gör någon annan till administratör" in field_error(response.text, "delete-password")


# --- spam defences and rate limits ----------------------------------------------------------------------


@pytest.fixture
def strict_client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """The app as in production: a form sent sooner than 60 s after it was shown is refused, and one address
    may write twice a minute. (Ask for it before `session` or `demo`: the app closes the engine's pool when
    it stops, so the test's session must have given its connection back by then.)"""
    strict = settings.model_copy(update={"form_min_seconds": 60, "address_writes_per_minute": 2})
    with client_with(engine, strict) as client:
        yield client


Form = dict[str, str | list[str]]
SIGN_UP: Form = {
    "email": "bo@example.org",
    "display_name": "Bo",
    "password": PASSWORD,
    "password_again": PASSWORD,
}
ANONYMOUS_REQUEST: Form = {"title": "Cykelställ", "description": "Var de finns.", "organization": "sjovik",
                     "email": "cecilia@example.org"}  # fmt: skip


def count(session: Session, model: type[Any]) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize(("path", "fields", "model"), [
    ("/registrera", SIGN_UP, User), ("/dataforfragningar/ny", ANONYMOUS_REQUEST, DataRequest),
])  # fmt: skip
def test_a_form_sent_too_soon_is_refused_and_nothing_is_stored(
    strict_client: TestClient,
    demo: None,
    session: Session,
    path: str,
    fields: Form,
    model: type[Any],
) -> None:
    before = count(session, model)

    response = Pages(strict_client).submit(path, fields)

    assert response.status_code == 422
    assert "Formuläret skickades för snabbt" in text_of(response.text)
    assert title_of(response.text).startswith("Fel:")
    assert count(session, model) == before


@pytest.mark.parametrize(("path", "fields", "model"), [
    ("/registrera", SIGN_UP, User), ("/dataforfragningar/ny", ANONYMOUS_REQUEST, DataRequest),
])  # fmt: skip
def test_a_form_with_the_hidden_field_filled_in_is_refused_and_nothing_is_stored(
    app_client: TestClient, session: Session, demo: None, path: str, fields: Form, model: type[Any]
) -> None:
    before = count(session, model)

    response = Pages(app_client).submit(path, {**fields, "website": "https://spam.example"})

    assert response.status_code == 422
    assert "ser ut att ha fyllts i automatiskt" in text_of(response.text)
    assert count(session, model) == before


def test_a_report_without_the_moment_the_form_was_shown_is_refused(
    app_client: TestClient, pages: Pages, session: Session, asked: str
) -> None:
    fields = {
        "csrf_token": pages.token_for(report_page(asked)),
        "reason": "Reklam.",
        "form_shown": "123.0.forged",
    }

    response = app_client.post(report_page(asked), data=fields)

    assert response.status_code == 422
    assert reports(session) == []


def test_a_flood_of_sign_ups_from_one_address_is_refused_with_a_page_that_says_when_to_try_again(
    strict_client: TestClient, session: Session
) -> None:
    pages = Pages(strict_client)
    for _ in range(2):
        pages.submit("/registrera", SIGN_UP)  # too soon for the spam guard, but counted
    before = count(session, User)

    response = pages.submit("/registrera", SIGN_UP)

    assert (response.status_code, response.headers["retry-after"]) == (429, "60")
    assert h1_of(response.text) == "För många på kort tid"
    assert count(session, User) == before


def test_a_sign_up_sent_too_soon_still_shows_every_mistake(
    strict_client: TestClient, session: Session
) -> None:
    response = Pages(strict_client).submit(
        "/registrera", {**SIGN_UP, "email": "inte en adress", "password": "kort"}
    )

    assert response.status_code == 422
    assert "Formuläret skickades för snabbt" in text_of(response.text)
    assert field_error(response.text, "email").startswith("Fel: Skriv en giltig e-postadress")
    assert field_error(response.text, "password") == "Fel: Skriv minst 10 tecken."

"""Data requests in the web UI: the list, filing (with an account or an email address), confirming, votes,
following, comments, and staff answers and changes of state; never an email address on a page."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog import accounts
from datatorget.catalog.models import User
from datatorget.dialogue import requests as service
from datatorget.dialogue.models import DataRequest, RequestEvent, RequestVote
from datatorget.dialogue.schemas import RequestIn
from datatorget.jobs.models import Job
from tests.web.pages import PASSWORD, Pages, field_error, h1_of, language_link, text_of, title_of

MEMBER_EMAIL = "anna@example.org"


def request_form(**fields: str) -> dict[str, Any]:
    """A filled-in request form, as a browser would send it."""
    return {
        "title": "Luftkvalitet per timme",
        "description": "Mätvärden från kommunens luftmätare, **timvis**.",
        "intended_use": "En app som varnar astmatiker.",
        "organization": "sjovik",
        "theme": "ENVI",
        "wished_format": "CSV",
        "wished_frequency": "DAILY",
        **fields,
    }


@pytest.fixture
def other_member(session: Session, demo: None) -> User:
    user = accounts.register_member(session, email="bo@example.org", password=PASSWORD, display_name=None)
    session.commit()
    return user


@pytest.fixture
def asked(session: Session, member: User) -> str:
    """A request of the member's to Sjöviks kommun, filed through the service; its page's path."""
    data = RequestIn.model_validate(request_form())
    request_id = service.file_request(session, data, member).request.id
    session.commit()
    return f"/dataforfragningar/{request_id}"


def english(path: str) -> str:
    return path.replace("/dataforfragningar", "/en/data-requests")


def stored(session: Session, path: str) -> DataRequest:
    session.expire_all()
    return session.get_one(DataRequest, uuid.UUID(path.rsplit("/", 1)[1]))


def act(pages: Pages, path: str, action: str, **fields: str) -> Any:
    return pages.submit(path, {"action": action, **fields})


# --- the pages in both languages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("swedish", "english_path"),
    [
        ("/dataforfragningar", "/en/data-requests"),
        ("/dataforfragningar?state=received&sort=newest", "/en/data-requests?state=received&sort=newest"),
        ("/dataforfragningar/ny", "/en/data-requests/new"),
        ("/dataforfragningar/skickad", "/en/data-requests/sent"),
    ],
)
def test_each_request_page_renders_in_both_languages(
    app_client: TestClient, asked: str, swedish: str, english_path: str
) -> None:
    sv, en = app_client.get(swedish), app_client.get(english_path)

    assert (sv.status_code, en.status_code) == (200, 200)
    assert language_link(sv.text)[0] == english_path
    assert language_link(en.text)[0] == swedish
    assert title_of(sv.text) != title_of(en.text)
    assert h1_of(sv.text) != h1_of(en.text)  # one h1 each, in its language


def test_a_request_page_renders_in_both_languages(app_client: TestClient, asked: str) -> None:
    sv, en = app_client.get(asked), app_client.get(english(asked))

    assert (sv.status_code, en.status_code) == (200, 200)
    assert h1_of(sv.text) == h1_of(en.text) == "Luftkvalitet per timme"
    assert "Mottagen" in text_of(sv.text) and "Received" in text_of(en.text)
    assert language_link(sv.text)[0] == english(asked)
    assert f'href="/api/v1/requests/{asked.rsplit("/", 1)[1]}.atom"' in sv.text


def test_the_list_shows_the_request_its_feed_and_the_organisations_responsiveness(
    app_client: TestClient, asked: str
) -> None:
    html = app_client.get("/dataforfragningar").text
    words = text_of(html)

    assert '<link rel="alternate" type="application/atom+xml" href="/api/v1/requests.atom"' in html
    assert f'<a href="{asked}">Luftkvalitet per timme</a>' in html
    assert "1 förfrågan" in words
    assert "Sjöviks kommun 1 0" in words  # requests, answered; no answers yet
    assert 'href="/dataforfragningar/ny"' in html


def test_the_filters_are_a_plain_get_form_and_an_unknown_value_is_ignored(
    app_client: TestClient, asked: str
) -> None:
    declined = app_client.get("/dataforfragningar", params={"state": "declined"}).text
    odd = app_client.get(
        "/dataforfragningar", params={"organization": "finns-inte", "sort": "x", "page": "y"}
    )

    assert '<form class="filter-form" method="get" action="/dataforfragningar"' in declined
    assert '<option value="declined" selected>Avböjd</option>' in declined
    assert "0 förfrågningar" in text_of(declined)
    assert odd.status_code == 200
    assert "1 förfrågan" in text_of(odd.text)


def test_the_list_is_paged(app_client: TestClient, session: Session, member: User) -> None:
    for n in range(21):
        service.file_request(
            session, RequestIn.model_validate(request_form(title=f"Data nummer {n}")), member
        )
    session.commit()

    first = app_client.get("/dataforfragningar", params={"sort": "newest"}).text
    second = app_client.get("/dataforfragningar", params={"sort": "newest", "page": "2"}).text

    assert 'href="/dataforfragningar?sort=newest&amp;page=2" rel="next"' in first
    assert "Data nummer 20" in first and "Data nummer 0" not in first
    assert "Data nummer 0" in second


def test_an_unknown_request_is_not_found(app_client: TestClient, demo: None) -> None:
    assert app_client.get(f"/dataforfragningar/{uuid.uuid4()}").status_code == 404
    assert app_client.get("/en/data-requests/not-an-id").status_code == 404


# --- filing ----------------------------------------------------------------------------------------------


def test_a_member_files_a_request_and_is_sent_to_its_page(
    app_client: TestClient, pages: Pages, session: Session, member: User
) -> None:
    pages.log_in(member)

    response = pages.submit("/dataforfragningar/ny", request_form())

    assert response.status_code == 303
    page = app_client.get(response.headers["location"])
    words = text_of(page.text)
    assert h1_of(page.text) == "Luftkvalitet per timme"
    assert "Anna" in words and "skickade in förfrågan" in words
    assert "<strong>timvis</strong>" in page.text
    assert "Sluta följa förfrågan" in words  # the author follows their request
    assert 'id="email"' not in app_client.get("/dataforfragningar/ny").text


def test_an_anonymous_person_files_with_an_email_address_and_confirms_through_the_link(
    app_client: TestClient, session: Session, demo: None
) -> None:
    response = Pages(app_client).submit("/en/data-requests/new", request_form(email="cecilia@example.org"))

    assert (response.status_code, response.headers["location"]) == (303, "/en/data-requests/sent")
    assert "We have sent a link" in text_of(app_client.get("/en/data-requests/sent").text)
    assert "0 requests" in text_of(app_client.get("/en/data-requests").text)  # not public yet
    email = session.scalars(select(Job).where(Job.kind == "send_email")).one().params
    assert email["to"] == "cecilia@example.org"
    link = re.search(r"http://portal\.test(/en/data-requests/confirm\?token=\S+)", email["text"])
    assert link, email["text"]

    confirmed = app_client.get(link.group(1), follow_redirects=False)

    assert confirmed.status_code == 303
    page = app_client.get(confirmed.headers["location"]).text
    assert h1_of(page) == "Luftkvalitet per timme"
    assert "cecilia" not in page
    assert app_client.get(link.group(1)).status_code == 404  # a link works once


def test_an_unknown_confirmation_link_gives_a_clear_not_found_page(
    app_client: TestClient, demo: None
) -> None:
    response = app_client.get("/dataforfragningar/bekrafta", params={"token": "nonsense"})

    assert response.status_code == 404
    assert h1_of(response.text) == "Länken fungerar inte"
    assert "redan använts" in text_of(response.text)


def test_without_an_account_the_email_address_is_asked_for(app_client: TestClient, demo: None) -> None:
    response = Pages(app_client).submit("/dataforfragningar/ny", request_form())

    assert response.status_code == 422
    assert "Skriv din e-postadress" in field_error(response.text, "email")
    assert 'value="Luftkvalitet per timme"' in response.text  # what was typed is kept


def test_script_in_the_markdown_of_a_request_is_refused(
    app_client: TestClient, pages: Pages, session: Session, member: User
) -> None:
    pages.log_in(member)

    response = pages.submit(
        "/dataforfragningar/ny", request_form(description="Hej <script>alert(1)</script>")
    )

    assert response.status_code == 422
    assert "Skript och HTML" in field_error(response.text, "description")
    assert "<script>alert" not in response.text
    assert session.scalars(select(DataRequest)).all() == []


def test_an_empty_title_and_an_unknown_organisation_are_shown_by_their_fields(
    app_client: TestClient, pages: Pages, member: User
) -> None:
    pages.log_in(member, "en")

    response = pages.submit("/en/data-requests/new", request_form(title="", organization="nowhere"))

    assert response.status_code == 422
    assert field_error(response.text, "title") != ""
    assert 'href="#title"' in response.text  # the error summary links to the field


# --- votes, following, comments --------------------------------------------------------------------------


def test_voting_twice_shows_an_error_and_counts_once(
    app_client: TestClient, pages: Pages, session: Session, asked: str, other_member: User
) -> None:
    pages.log_in(other_member)

    first = act(pages, asked, "vote")
    second = act(pages, asked, "vote")

    assert (first.status_code, first.headers["location"]) == (303, f"{asked}#votes")
    assert second.status_code == 409
    assert "Du har redan röstat" in text_of(second.text)
    assert stored(session, asked).votes == 1
    assert len(session.scalars(select(RequestVote)).all()) == 1
    assert "1 röst" in text_of(app_client.get(asked).text)


def test_a_vote_can_be_withdrawn(pages: Pages, session: Session, asked: str, other_member: User) -> None:
    pages.log_in(other_member)
    act(pages, asked, "vote")

    response = act(pages, asked, "withdraw_vote")

    assert response.status_code == 303
    assert stored(session, asked).votes == 0


def test_voting_without_logging_in_leads_to_the_login(app_client: TestClient, asked: str) -> None:
    html = app_client.get(asked).text
    token = Pages(app_client).token_for("/dataforfragningar/ny")  # the request page has no form for them
    response = app_client.post(asked, data={"action": "vote", "csrf_token": token}, follow_redirects=False)

    assert "Logga in eller skapa ett konto för att rösta" in text_of(html)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/logga-in?next=")


def test_a_member_follows_and_unfollows(
    app_client: TestClient, pages: Pages, asked: str, other_member: User
) -> None:
    pages.log_in(other_member)

    act(pages, asked, "follow")
    following = text_of(app_client.get(asked).text)
    act(pages, asked, "unfollow")

    assert "Sluta följa förfrågan" in following
    assert "Följ förfrågan" in text_of(app_client.get(asked).text)


def test_a_comment_is_rendered_as_markdown_and_script_is_refused(
    app_client: TestClient, pages: Pages, asked: str, other_member: User
) -> None:
    pages.log_in(other_member)

    done = act(pages, asked, "comment", body="Jag vill *också* ha detta.")
    refused = act(pages, asked, "comment", body='<img src=x onerror="alert(1)">')

    assert done.status_code == 303 and "#event-" in done.headers["location"]
    page = app_client.get(asked).text
    assert "<em>också</em>" in page
    assert "Anonym" in text_of(page)  # a member without a display name
    assert refused.status_code == 422
    assert "Skript och HTML" in field_error(refused.text, "comment-body")
    assert "<img src=x" not in refused.text  # what was typed is shown as text


def test_a_hidden_entry_says_a_moderator_hid_it(
    app_client: TestClient, pages: Pages, session: Session, asked: str, other_member: User
) -> None:
    pages.log_in(other_member)
    act(pages, asked, "comment", body="Något olämpligt")
    event = session.scalars(select(RequestEvent).where(RequestEvent.kind == "comment")).one()
    event.hidden_reason = "personal attack"
    session.commit()

    words = text_of(app_client.get(asked).text)

    assert "Något olämpligt" not in words
    assert "Inlägget har dolts av en moderator." in words


def test_no_email_address_is_shown_on_any_request_page(
    app_client: TestClient, pages: Pages, asked: str, member: User
) -> None:
    pages.log_in(member)
    act(pages, asked, "comment", body="En kommentar")

    for path in (asked, english(asked), "/dataforfragningar"):
        assert MEMBER_EMAIL not in app_client.get(path).text


# --- staff -----------------------------------------------------------------------------------------------


def test_someone_not_staff_cannot_change_the_state(
    pages: Pages, session: Session, asked: str, energy_editor: User
) -> None:
    pages.log_in(energy_editor)

    response = act(pages, asked, "answer", state="declined", decline_reason="cost", answer="Nej.")

    assert response.status_code == 403
    assert h1_of(response.text) == "Du har inte behörighet"
    request = stored(session, asked)
    assert (request.state, request.decline_reason, len(request.events)) == ("received", None, 1)


def test_only_staff_see_the_answer_form(
    app_client: TestClient, pages: Pages, asked: str, editor: User, member: User
) -> None:
    pages.log_in(member)
    assert 'value="answer"' not in app_client.get(asked).text
    pages.log_in(editor)
    assert 'value="answer"' in app_client.get(asked).text


def test_staff_plan_a_request_and_the_followers_are_told(
    app_client: TestClient, pages: Pages, session: Session, asked: str, editor: User
) -> None:
    pages.log_in(editor)

    response = act(
        pages,
        asked,
        "answer",
        state="planned",
        expected_date="2027-03-01",
        answer="Vi publicerar i **mars**.",
    )

    assert response.status_code == 303
    request = stored(session, asked)
    assert (request.state, str(request.expected_date)) == ("planned", "2027-03-01")
    html = app_client.get(asked).text
    words = text_of(html)
    assert "Status ändrades från Mottagen till Planerad." in words
    assert "Väntas bli publicerad 1 mars 2027" in words
    assert "Organisationens svar" in words and "<strong>mars</strong>" in html
    emails = session.scalars(select(Job).where(Job.kind == "send_email")).all()
    assert [job.params["to"] for job in emails] == [MEMBER_EMAIL]


def test_staff_decline_a_request_with_a_reason(
    app_client: TestClient, pages: Pages, session: Session, asked: str, editor: User
) -> None:
    pages.log_in(editor, "en")

    response = act(pages, english(asked), "answer", state="declined", decline_reason="personal_data")

    assert response.status_code == 303
    assert stored(session, asked).state == "declined"
    words = text_of(app_client.get(english(asked)).text)
    assert "Declined" in words and "The data is about individuals" in words


def test_staff_publish_a_request_with_its_dataset(
    app_client: TestClient, pages: Pages, session: Session, asked: str, editor: User
) -> None:
    pages.log_in(editor)

    response = act(pages, asked, "answer", state="published", datasets="badplatser")

    assert response.status_code == 303
    assert stored(session, asked).state == "published"
    html = app_client.get(asked).text
    assert 'href="/datamangder/badplatser"' in html
    assert "Rösta på förfrågan" not in text_of(html)  # a published request takes no more votes


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"state": "planned"}, "expected_date", "Ange när data väntas bli publicerade."),
        ({"state": "declined"}, "decline_reason", "Välj varför förfrågan avböjs."),
        ({"state": "published", "datasets": "finns-inte"}, "datasets", "ingen publicerad datamängd"),
        ({"state": "received"}, "state", "Välj en ny status"),
        ({"state": "planned", "expected_date": "i mars"}, "expected_date", "år-månad-dag"),
        ({"answer": "<script>alert(1)</script>"}, "answer", "Skript och HTML"),
    ],
)
def test_staff_mistakes_are_shown_by_the_fields_and_nothing_changes(
    pages: Pages, session: Session, asked: str, editor: User, fields: dict[str, str], field: str, message: str
) -> None:
    pages.log_in(editor)

    response = act(pages, asked, "answer", **fields)

    assert response.status_code == 422
    assert message in field_error(response.text, f"answer-{field}")
    assert f'href="#answer-{field}"' in response.text
    request = stored(session, asked)
    assert (request.state, len(request.events)) == ("received", 1)


def test_a_staff_comment_is_the_organisations_and_is_news_to_followers(
    app_client: TestClient, pages: Pages, session: Session, asked: str, editor: User
) -> None:
    pages.log_in(editor)

    act(pages, asked, "comment", body="Vi tittar på det.")

    words = text_of(app_client.get(asked).text)
    assert "Sjöviks kommun Organisationens svar" in words
    assert [j.params["to"] for j in session.scalars(select(Job).where(Job.kind == "send_email"))] == [
        MEMBER_EMAIL
    ]

"""Email about data requests: the confirmation link, and news for followers, sent through a real SMTP server.

An aiosmtpd server runs in the test process on a free port of 127.0.0.1; the queued `send_email` jobs are
run as a worker would run them, and what arrived there is what is checked.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SMTPSession
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from datatorget.catalog.models import Organization
from datatorget.config import Settings
from datatorget.jobs.mail import EMAIL_OFF, SEND_EMAIL
from datatorget.jobs.models import Job
from tests.api.conftest import ASK, Headers, file
from tests.conftest import Actors, client_with
from tests.jobs import run_jobs

ANONYMOUS = "cecilia@example.org"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Inbox:
    """Keeps every message the server accepts, with the addresses it was sent to."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: SMTP, session: SMTPSession, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(([str(to) for to in envelope.rcpt_tos], message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for recipients, message in self.received if address in recipients]

    def recipients(self) -> list[str]:
        return sorted(address for recipients, _ in self.received for address in recipients)


class Refusing:
    async def handle_RCPT(
        self, server: SMTP, session: SMTPSession, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        return f"550 5.1.1 <{address}>: Recipient address rejected"


@contextmanager
def smtp_server(handler: object) -> Iterator[int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    with smtp_server(handler) as port:
        yield handler, port


@pytest.fixture
def settings(settings: Settings, inbox: tuple[Inbox, int]) -> Settings:
    """The test settings, with the portal's email going to the test's SMTP server."""
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": inbox[1], "smtp_timeout_s": 5})


@pytest.fixture
def mail(inbox: tuple[Inbox, int]) -> Inbox:
    return inbox[0]


def email_jobs(session: Session) -> list[Job]:
    session.expire_all()
    return list(session.scalars(select(Job).where(Job.kind == SEND_EMAIL).order_by(Job.created_at)))


def confirmed_anonymous_request(client: TestClient, mail: Inbox) -> str:
    response = client.post("/api/v1/requests", json=ASK | {"email": ANONYMOUS})
    assert response.status_code == 201, response.text
    run_jobs(client)
    (message,) = mail.to(ANONYMOUS)
    token = re.search(r"/dataforfragningar/bekrafta\?token=([\w-]+)", message.get_content())
    assert token is not None
    confirmed = client.post("/api/v1/requests/confirmations", json={"token": token.group(1)})
    assert confirmed.status_code == 200, confirmed.text
    mail.received.clear()
    return str(response.json()["id"])


@pytest.fixture
def follower(actors: Actors) -> Headers:
    return actors.headers(actors.user("bo@example.org", "member"))


def test_a_request_filed_with_an_email_address_gets_the_link_that_makes_it_public(
    app_client: TestClient, mail: Inbox, sjovik: Organization
) -> None:
    response = app_client.post("/api/v1/requests", json=ASK | {"email": ANONYMOUS})
    request_id = response.json()["id"]
    assert run_jobs(app_client) == 1

    (message,) = mail.to(ANONYMOUS)
    assert message["Subject"] == "Bekräfta din dataförfrågan: Luftkvalitet per timme"
    assert message["To"] == ANONYMOUS
    assert message["From"] == "datatorget@localhost"
    text = message.get_content()
    assert "Sjöviks kommun" in text
    found = re.search(r"http://portal\.test/dataforfragningar/bekrafta\?token=([\w-]+)", text)
    assert found is not None

    assert app_client.get(f"/api/v1/requests/{request_id}").status_code == 404
    confirmed = app_client.post("/api/v1/requests/confirmations", json={"token": found.group(1)})
    assert confirmed.status_code == 200
    assert app_client.get(f"/api/v1/requests/{request_id}").status_code == 200
    assert [item["id"] for item in app_client.get("/api/v1/requests").json()["items"]] == [request_id]


def test_a_request_filed_from_an_account_sends_no_email(
    app_client: TestClient, mail: Inbox, member_headers: Headers, sjovik: Organization
) -> None:
    file(app_client, member_headers)
    assert run_jobs(app_client) == 0
    assert mail.received == []


def test_followers_and_the_requester_are_told_of_a_change_of_state_but_not_its_author(
    app_client: TestClient, mail: Inbox, follower: Headers, editor_headers: Headers, sjovik: Organization
) -> None:
    request_id = confirmed_anonymous_request(app_client, mail)
    app_client.put(f"/api/v1/requests/{request_id}/following", headers=follower)
    app_client.put(f"/api/v1/requests/{request_id}/following", headers=editor_headers)

    response = app_client.patch(f"/api/v1/requests/{request_id}", headers=editor_headers,
                                json={"state": "planned", "expected_date": "2027-03-01",
                                      "answer": "Vi publicerar i mars."})  # fmt: skip
    assert response.status_code == 200, response.text
    run_jobs(app_client)

    assert mail.recipients() == ["bo@example.org", ANONYMOUS]
    (message,) = mail.to("bo@example.org")
    assert message["Subject"] == ("Dataförfrågan planerad / Data request planned: Luftkvalitet per timme")
    text = message.get_content()
    for expected in ("Luftkvalitet per timme", "Läge: planerad", "State: planned", "2027-03-01",
                     "Vi publicerar i mars.", f"http://portal.test/dataforfragningar/{request_id}",
                     "eftersom du följer förfrågan"):  # fmt: skip
        assert expected in text
    assert "eftersom du skickade förfrågan" in mail.to(ANONYMOUS)[0].get_content()
    assert "editor@sjovik.se" not in text


def test_a_staff_answer_and_a_staff_comment_are_news_and_a_member_comment_is_not(
    app_client: TestClient, mail: Inbox, member_headers: Headers, follower: Headers, editor_headers: Headers,
    sjovik: Organization,
) -> None:  # fmt: skip
    request_id = file(app_client, member_headers)  # the author follows their own request
    app_client.put(f"/api/v1/requests/{request_id}/following", headers=follower)

    app_client.post(f"/api/v1/requests/{request_id}/comments", json={"body": "Jag också!"}, headers=follower)
    assert run_jobs(app_client) == 0

    app_client.patch(
        f"/api/v1/requests/{request_id}", json={"answer": "Vi tittar på det."}, headers=editor_headers
    )
    run_jobs(app_client)
    assert mail.recipients() == ["anna@example.org", "bo@example.org"]
    message = mail.to("anna@example.org")[0]
    assert message["Subject"] == "Svar på dataförfrågan / Answer to the data request: Luftkvalitet per timme"
    assert "Vi tittar på det." in message.get_content()
    assert "Läge: mottagen" in message.get_content()

    mail.received.clear()
    app_client.post(f"/api/v1/requests/{request_id}/comments", json={"body": "Det dröjer lite."},
                    headers=editor_headers)  # fmt: skip
    run_jobs(app_client)
    assert mail.recipients() == ["anna@example.org", "bo@example.org"]
    assert "Det dröjer lite." in mail.to("bo@example.org")[0].get_content()


def test_email_addresses_are_only_in_the_jobs_parameters(
    app_client: TestClient,
    mail: Inbox,
    session: Session,
    sjovik: Organization,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    app_client.post("/api/v1/requests", json=ASK | {"email": ANONYMOUS})
    run_jobs(app_client)
    (job,) = email_jobs(session)
    assert (job.status, job.params["to"], job.result) == ("succeeded", ANONYMOUS, {"sent": True})
    ours = [
        r.getMessage() for r in caplog.records if r.name.startswith("datatorget")
    ]  # not the test server's
    assert not [line for line in ours if ANONYMOUS in line]
    assert app_client.get(f"/api/v1/jobs/{job.id}").status_code == 404  # a job without a table is not shown


def test_with_email_off_the_message_is_logged_without_its_address_and_the_job_succeeds(
    engine: Engine, settings: Settings, session: Session, sjovik: Organization,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.INFO, logger="datatorget.jobs.mail")
    with client_with(engine, settings.model_copy(update={"smtp_host": None})) as client:
        client.post("/api/v1/requests", json=ASK | {"email": ANONYMOUS})
        assert run_jobs(client) == 1
    (job,) = email_jobs(session)
    assert (job.status, job.result) == ("succeeded", {"sent": False, "note": EMAIL_OFF})
    assert "Bekräfta din dataförfrågan" in caplog.text
    assert ANONYMOUS not in caplog.text


def test_a_mail_server_that_refuses_fails_the_job_with_a_plain_error(
    engine: Engine, settings: Settings, session: Session, sjovik: Organization,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    with smtp_server(Refusing()) as port, client_with(engine, settings.model_copy(update={"smtp_port": port})) as client:  # fmt: skip
        client.post("/api/v1/requests", json=ASK | {"email": ANONYMOUS})
        assert run_jobs(client) == 1
    (job,) = email_jobs(session)
    assert job.status == "failed"
    assert job.error == {
        "code": "email_refused",
        "sv": f"E-postservern 127.0.0.1:{port} tog inte emot meddelandet (svar 550).",
        "en": f"The mail server 127.0.0.1:{port} refused the message (reply 550).",
    }
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("datatorget")]
    assert ours  # the operator is told, at WARNING, without the address the server's reply quoted
    assert not [line for line in ours if ANONYMOUS in line]


def test_a_mail_server_that_cannot_be_reached_fails_the_job_with_a_plain_error(
    engine: Engine, settings: Settings, session: Session, sjovik: Organization
) -> None:
    port = free_port()  # nothing listens there
    with client_with(engine, settings.model_copy(update={"smtp_port": port})) as client:
        client.post("/api/v1/requests", json=ASK | {"email": ANONYMOUS})
        assert run_jobs(client) == 1
    (job,) = email_jobs(session)
    assert job.status == "failed"
    error: dict[str, Any] = job.error or {}
    assert error["code"] == "email_failed"
    assert error["en"] == (
        f"The message could not be sent: the connection to the mail server 127.0.0.1:{port} failed "
        "(ConnectionRefusedError)."
    )

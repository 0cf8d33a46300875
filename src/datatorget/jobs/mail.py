"""Email: one message per `send_email` job, sent with smtplib to the mail server in the settings.

The recipient's address is personal data: it is kept in the job's parameters and nowhere else, not in the
job's result or error and not in the log at INFO level. With no mail server configured, the message is
logged (without its address) and the job succeeds, so that a portal without email works the same way.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import delete
from sqlalchemy.orm import Session

from datatorget.config import Settings
from datatorget.jobs.models import Job
from datatorget.jobs.queue import enqueue
from datatorget.store.report import IngestionFailed

if TYPE_CHECKING:
    from datatorget.jobs.tasks import JobContext
    from datatorget.store.progress import Progress

log = logging.getLogger(__name__)

SEND_EMAIL = "send_email"
EMAIL_OFF = "email is off (DATATORGET_SMTP_HOST is not set): the message was logged, not sent"


def queue_email(session: Session, *, to: str, subject: str, text: str) -> Job:
    """Queue one plain-text message to one address; it is sent after the caller's transaction commits."""
    return enqueue(session, SEND_EMAIL, {"to": to, "subject": subject, "text": text})


def forget_recipient(session: Session, address: str) -> None:
    """Remove every email job to this address, sent or waiting (not one being sent right now): the address is
    in their parameters. Waiting messages are then never sent. For a deleted account."""
    session.execute(
        delete(Job).where(
            Job.kind == SEND_EMAIL, Job.status != "running", Job.params["to"].as_string() == address
        )
    )


def build_message(settings: Settings, *, to: str, subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = " ".join(subject.split())  # a title with a line break must not start a new header
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=urlsplit(settings.base_url).hostname or "localhost")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies are not sent back
    message.set_content(text)
    return message


def deliver(settings: Settings, host: str, message: EmailMessage) -> None:
    """Hand the message to the mail server; raises OSError (smtplib.SMTPException is one) when it cannot."""
    with smtplib.SMTP(host, settings.smtp_port, timeout=settings.smtp_timeout_s) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)


def send_email(
    ctx: JobContext,
    job_id: uuid.UUID,
    params: dict[str, Any],
    on_progress: Callable[[Progress], None] | None = None,
) -> dict[str, Any]:
    """The `send_email` job. Running it twice may send the message twice, never lose it."""
    settings = ctx.settings
    message = build_message(settings, to=params["to"], subject=params["subject"], text=params["text"])
    if not settings.smtp_host:
        log.info("%s (job %s)\nSubject: %s\n\n%s", EMAIL_OFF, job_id, message["Subject"], params["text"])
        return {"sent": False, "note": EMAIL_OFF}
    try:
        deliver(settings, settings.smtp_host, message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({code for code, _reply in exc.recipients.values()})
        raise _failure("refused", settings, job_id, ", ".join(map(str, codes))) from exc
    except smtplib.SMTPResponseException as exc:
        raise _failure("refused", settings, job_id, str(exc.smtp_code)) from exc
    except OSError as exc:  # not reached, timed out, TLS or login failed, disconnected
        raise _failure("unreachable", settings, job_id, type(exc).__name__) from exc
    return {"sent": True}


def _failure(kind: str, settings: Settings, job_id: uuid.UUID, reason: str) -> IngestionFailed:
    """A plain error without the recipient's address (a server's reply may quote it, so it is left out)."""
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    log.warning("job %s: the mail server %s %s the message (%s)", job_id, server,
                "refused" if kind == "refused" else "could not be reached for", reason)  # fmt: skip
    if kind == "refused":
        return IngestionFailed(
            "email_refused",
            sv=f"E-postservern {server} tog inte emot meddelandet (svar {reason}).",
            en=f"The mail server {server} refused the message (reply {reason}).",
        )
    return IngestionFailed(
        "email_failed",
        sv=f"Meddelandet kunde inte skickas: förbindelsen med e-postservern {server} misslyckades ({reason}).",
        en=f"The message could not be sent: the connection to the mail server {server} failed ({reason}).",
    )

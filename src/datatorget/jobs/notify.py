"""Email about data requests: the link that confirms one, and the news that its state changed or staff
answered. Each message is queued as a `send_email` job in the caller's transaction, so nothing is sent for a
change that is rolled back. The API and the web UI call these after the service call that made the change.
"""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog.models import User
from datatorget.config import Settings
from datatorget.dialogue.feeds import state_words
from datatorget.dialogue.models import (
    DataRequest,
    Discussion,
    DiscussionMessage,
    RequestEvent,
    RequestFollow,
    Reuse,
)
from datatorget.jobs.mail import queue_email

DECLINE_WORDS: dict[str, tuple[str, str]] = {
    "personal_data": ("uppgifterna rör enskilda personer", "the data is about individuals"),
    "security": ("säkerhetsskäl", "security"),
    "not_held": ("organisationen har inte uppgifterna", "the organisation does not hold the data"),
    "cost": ("kostnaden", "the cost"),
    "confidential": ("uppgifterna är sekretessbelagda", "the data is confidential"),
    "other": ("se svaret", "see the answer"),
}
SIGNATURE = "– Datatorget"


def confirmation_link(settings: Settings, token: str, lang: str) -> str:
    path = "/dataforfragningar/bekrafta" if lang == "sv" else "/en/data-requests/confirm"
    return f"{settings.base_url}{path}?token={quote(token, safe='')}"


def request_link(settings: Settings, request: DataRequest, lang: str = "sv") -> str:
    path = "/dataforfragningar" if lang == "sv" else "/en/data-requests"
    return f"{settings.base_url}{path}/{request.id}"


def send_confirmation(
    session: Session, settings: Settings, request: DataRequest, token: str, lang: str
) -> None:
    """Queue the email with the link that makes a request filed without an account public, in Swedish
    (`lang` "sv") or English."""
    if not request.requester_email:
        return
    link = confirmation_link(settings, token, lang)
    organization = request.organization.name
    if lang == "sv":
        subject = f"Bekräfta din dataförfrågan: {request.title}"
        text = (
            f"Hej!\n\nDu har skickat en dataförfrågan till {organization} på {settings.base_url}:\n\n"
            f"  {request.title}\n\nÖppna länken för att bekräfta den. Förfrågan blir synlig för alla först då; "
            f"din e-postadress visas aldrig.\n\n{link}\n\nLänken fungerar en gång. Har du inte skickat någon "
            f"förfrågan kan du bortse från det här meddelandet.\n\n{SIGNATURE}\n"
        )
    else:
        subject = f"Confirm your data request: {request.title}"
        text = (
            f"Hello,\n\nYou have sent a data request to {organization} at {settings.base_url}:\n\n"
            f"  {request.title}\n\nOpen the link to confirm it. Only then can everyone see the request; your "
            f"email address is never shown.\n\n{link}\n\nThe link works once. If you did not send a request, "
            f"you can ignore this message.\n\n{SIGNATURE}\n"
        )
    queue_email(session, to=request.requester_email, subject=subject, text=text)


def is_news(event: RequestEvent) -> bool:
    """What followers are told of: a change of state, or the organisation's answer or comment."""
    return event.kind in ("state", "answer") or (event.kind == "comment" and event.by_staff)


def request_changed(session: Session, settings: Settings, request: DataRequest, event: RequestEvent) -> None:
    """Queue one email, in Swedish and English, to each follower and to the address the request was filed
    with, when the event is news (`is_news`); never to the event's author."""
    if not is_news(event):
        return
    subject, news = _news(settings, request, event)
    for address, following in _recipients(session, request, event):
        why = (
            ("Du får det här meddelandet eftersom du följer förfrågan. På dess sida kan du sluta följa den.",
             "You receive this message because you follow the request. You can stop following it on its page.")
            if following else
            ("Du får det här meddelandet eftersom du skickade förfrågan.",
             "You receive this message because you sent the request.")
        )  # fmt: skip
        text = f"{news[0]}\n\n{why[0]}\n\n---\n\n{news[1]}\n\n{why[1]}\n\n{SIGNATURE}\n"
        queue_email(session, to=address, subject=subject, text=text)


def _recipients(session: Session, request: DataRequest, event: RequestEvent) -> list[tuple[str, bool]]:
    """(address, follows) of everyone to tell: followers, then the address of a request filed without an
    account once it is confirmed (an unconfirmed address may not be the filer's). Not the author."""
    author_email = (
        session.scalar(select(User.email).where(User.id == event.author_id)) if event.author_id else None
    )
    seen = {author_email.lower()} if author_email else set()
    found: list[tuple[str, bool]] = []
    followers = session.scalars(
        select(User.email).join(RequestFollow, RequestFollow.user_id == User.id)
        .where(RequestFollow.request_id == request.id).order_by(User.email)
    )  # fmt: skip
    for address in followers:
        if address.lower() not in seen:
            seen.add(address.lower())
            found.append((address, True))
    requester = request.requester_email
    if requester and request.confirmed_at is not None and requester.lower() not in seen:
        found.append((requester, False))
    return found


def _news(settings: Settings, request: DataRequest, event: RequestEvent) -> tuple[str, tuple[str, str]]:
    """The subject, and the news in Swedish and in English."""
    organization = request.organization.name
    state_sv, state_en = state_words(request.state)
    if event.kind == "state" and event.state_to:
        state_sv, state_en = state_words(event.state_to)
        subject = f"Dataförfrågan {state_sv} / Data request {state_en}: {request.title}"
        head = (f"{organization} har ändrat dataförfrågan till {state_sv}.",
                f"{organization} has changed the data request to {state_en}.")  # fmt: skip
    else:
        subject = f"Svar på dataförfrågan / Answer to the data request: {request.title}"
        head = (
            f"{organization} har svarat på dataförfrågan.",
            f"{organization} has answered the data request.",
        )
    details = dict(event.details or {})
    extra_sv: list[str] = []
    extra_en: list[str] = []
    if expected := details.get("expected_date"):
        extra_sv.append(f"Väntas: {expected}")
        extra_en.append(f"Expected: {expected}")
    if reason := details.get("decline_reason"):
        reason_sv, reason_en = DECLINE_WORDS.get(str(reason), (str(reason), str(reason)))
        extra_sv.append(f"Skäl: {reason_sv}")
        extra_en.append(f"Reason: {reason_en}")
    if datasets := details.get("datasets"):
        extra_sv.append(
            "Datamängder: " + ", ".join(f"{settings.base_url}/datamangder/{slug}" for slug in datasets)
        )
        extra_en.append(
            "Datasets: " + ", ".join(f"{settings.base_url}/en/datasets/{slug}" for slug in datasets)
        )
    answer = f"\n\n{event.body}" if event.body else ""

    def part(head: str, title: str, state: str, extra: list[str], link_text: str, link: str) -> str:
        lines = "".join(f"\n{line}" for line in extra)
        return f"{head}\n\n  {request.title}\n\n{title}: {state}{lines}{answer}\n\n{link_text}: {link}"

    return subject, (
        part(head[0], "Läge", state_sv, extra_sv, "Läs mer", request_link(settings, request)),
        part(head[1], "State", state_en, extra_en, "Read more",
             request_link(settings, request, "en")),
    )  # fmt: skip


# --- discussions on datasets ------------------------------------------------------------------------------


def discussion_link(settings: Settings, discussion: Discussion, lang: str = "sv") -> str:
    slug = quote(discussion.dataset.slug, safe="")
    if lang == "sv":
        return f"{settings.base_url}/datamangder/{slug}/diskussioner/{discussion.id}"
    return f"{settings.base_url}/en/datasets/{slug}/discussions/{discussion.id}"


def discussion_answered(
    session: Session, settings: Settings, discussion: Discussion, message: DiscussionMessage
) -> None:
    """Queue one email, in Swedish and English, to whoever started the discussion when staff of the
    dataset's organisation reply in it; not for other replies, and not to the one who wrote the reply."""
    if not message.staff or discussion.author_id is None or message.author_id == discussion.author_id:
        return
    address = session.scalar(select(User.email).where(User.id == discussion.author_id))
    if address is None:
        return
    organization = discussion.dataset.organization.name
    subject = f"Svar i diskussionen / Answer in the discussion: {discussion.title}"
    text = (
        f"{organization} har svarat i din diskussion:\n\n  {discussion.title}\n\n{message.body}\n\n"
        f"Läs mer: {discussion_link(settings, discussion)}\n\n"
        "Du får det här meddelandet eftersom du startade diskussionen.\n\n---\n\n"
        f"{organization} has answered in your discussion:\n\n  {discussion.title}\n\n{message.body}\n\n"
        f"Read more: {discussion_link(settings, discussion, 'en')}\n\n"
        f"You receive this message because you started the discussion.\n\n{SIGNATURE}\n"
    )
    queue_email(session, to=address, subject=subject, text=text)


# --- reuses ---------------------------------------------------------------------------------------------


def reuse_decided(session: Session, settings: Settings, reuse: Reuse) -> None:
    """Queue one email, in Swedish and English, to whoever registered the reuse, when staff approve or reject
    it; not when they decided on their own reuse, nor for a deleted account."""
    if reuse.submitter_id is None or reuse.submitter_id == reuse.decided_by or reuse.state == "pending":
        return
    address = session.scalar(select(User.email).where(User.id == reuse.submitter_id))
    if not address:
        return
    if reuse.state == "approved":
        subject = f"Tillämpningen är godkänd / Your reuse is approved: {reuse.title}"
        sv = "Din tillämpning är godkänd och visas nu för alla, också på datamängdernas sidor."
        en = "Your reuse is approved: everyone sees it now, on the pages of its datasets too."
    else:
        subject = f"Tillämpningen godkändes inte / Your reuse was not approved: {reuse.title}"
        sv = f"Din tillämpning godkändes inte. Skäl: {reuse.reject_reason}"
        en = f"Your reuse was not approved. Reason: {reuse.reject_reason}"
    text = (
        f"{sv}\n\n  {reuse.title}\n\nLäs mer: {settings.base_url}/tillampningar/{reuse.id}\n\n"
        "Du får det här meddelandet eftersom du registrerade tillämpningen.\n\n---\n\n"
        f"{en}\n\n  {reuse.title}\n\nRead more: {settings.base_url}/en/reuses/{reuse.id}\n\n"
        f"You receive this message because you registered the reuse.\n\n{SIGNATURE}\n"
    )
    queue_email(session, to=address, subject=subject, text=text)

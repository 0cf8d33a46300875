"""Data requests as the web pages show them: the list's filters and paging in its query string, a request
and its timeline as plain dicts (labels in the page's language, Markdown rendered), and the forms to file,
comment on and answer a request, with their errors in the page's language."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, get_args
from urllib.parse import urlencode

from starlette.datastructures import FormData, QueryParams

from datatorget.catalog.vocabulary import vocabulary
from datatorget.dialogue.requests import OPEN_STATES
from datatorget.dialogue.schemas import (
    DeclineReason,
    EventOut,
    RequestOut,
    RequestSort,
    RequestState,
    RequestSummary,
)
from datatorget.web.form_errors import FieldErrors
from datatorget.web.formatting import label, localized
from datatorget.web.i18n import Lang, Translator
from datatorget.web.markdown import render_markdown
from datatorget.web.paths import url
from datatorget.web.search_page import page_number

PAGE_SIZE = 20
STATES: tuple[str, ...] = get_args(RequestState)
SORTS: tuple[str, ...] = get_args(RequestSort)
DECLINE_REASONS: tuple[str, ...] = get_args(DeclineReason)

# --- the list -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListState:
    """The list's filters, sort and page, as in its query string."""

    state: str = ""
    organization: str = ""
    theme: str = ""
    sort: str = "votes"
    page: int = 1

    def params(self) -> list[tuple[str, str]]:
        pairs = [(name, getattr(self, name)) for name in ("state", "organization", "theme")]
        pairs = [(name, value) for name, value in pairs if value]
        if self.sort != "votes":
            pairs.append(("sort", self.sort))
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def link(self, lang: Lang) -> str:
        query = urlencode(self.params())
        return url("requests", lang) + (f"?{query}" if query else "")

    def on_page(self, page: int) -> ListState:
        return replace(self, page=page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE


def parse_list(params: QueryParams, organizations: Sequence[str]) -> ListState:
    """The state a query string asks for; an unknown value is left out rather than failing the page."""
    state, organization, theme, sort = (
        params.get(n, "").strip() for n in ("state", "organization", "theme", "sort")
    )
    return ListState(
        state=state if state in STATES else "",
        organization=organization if organization in organizations else "",
        theme=theme if theme in vocabulary("themes") else "",
        sort=sort if sort in SORTS else "votes",
        page=page_number(params),
    )


def options(lang: Lang) -> dict[str, list[dict[str, str]]]:
    """The choices of the filters and forms, labelled in the page's language."""
    t = Translator(lang)

    def terms(name: Any) -> list[dict[str, str]]:
        return [{"value": code, "label": term.label_in(lang)} for code, term in vocabulary(name).items()]

    return {
        "states": [{"value": s, "label": t(f"request_state.{s}")} for s in STATES],
        "sorts": [{"value": s, "label": t(f"requests.sort.{s}")} for s in SORTS],
        "reasons": [{"value": r, "label": t(f"decline_reason.{r}")} for r in DECLINE_REASONS],
        "themes": terms("themes"),
        "frequencies": terms("frequencies"),
    }


def summary_view(summary: RequestSummary, lang: Lang) -> dict[str, Any]:
    """One request in the list."""
    return {
        "url": url("request", lang, request_id=str(summary.id)),
        "title": summary.title,
        "organization": summary.organization.name,
        "theme": label("themes", summary.theme, lang),
        "state": summary.state,
        "votes": summary.votes,
        "comments": summary.comments,
        "created_at": summary.created_at,
        "last_answered_at": summary.last_answered_at,
    }


# --- one request ----------------------------------------------------------------------------------------


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _dataset_links(slugs: Sequence[str], lang: Lang) -> list[dict[str, str]]:
    return [{"url": url("dataset", lang, slug=slug), "title": slug} for slug in slugs]


def event_view(event: EventOut, organization: str, lang: Lang) -> dict[str, Any]:
    """One entry of the timeline: who (staff as their organisation), what changed, and the text."""
    details = event.details
    reason = details.get("decline_reason")
    reportable = event.kind != "created" and bool(event.body) and not event.hidden
    return {
        "id": str(event.id),
        "kind": event.kind,
        "created_at": event.created_at,
        "author": event.author.name,
        "staff": event.author.staff,
        "organization": organization if event.author.staff else None,
        "hidden": event.hidden,
        "hidden_reason": event.hidden_reason,
        "report_url": url("report", lang, kind="event", target_id=str(event.id)) if reportable else None,
        "body_html": render_markdown(event.body) if event.body and not event.hidden else None,
        "state_from": event.state_from,
        "state_to": event.state_to,
        "expected_date": _date(details.get("expected_date")),
        "decline_reason": reason if reason in DECLINE_REASONS else None,
        "datasets": _dataset_links([str(s) for s in details.get("datasets") or []], lang),
    }


def request_view(out: RequestOut, lang: Lang) -> dict[str, Any]:
    """Everything the request's page shows; no email address is in a `RequestOut`."""
    return {
        **summary_view(out, lang),
        "id": str(out.id),
        "organization": {
            "name": out.organization.name, "url": url("organization", lang, slug=out.organization.slug),
        },
        "description_html": render_markdown(out.description),
        "intended_use_html": render_markdown(out.intended_use) if out.intended_use else None,
        "wished_format": out.wished_format,
        "wished_frequency": label("frequencies", out.wished_frequency, lang),
        "expected_date": out.expected_date,
        "decline_reason": out.decline_reason,
        "datasets": [
            {"url": url("dataset", lang, slug=d.slug), "title": localized(d.title, lang)} for d in out.datasets
        ],
        "timeline": [event_view(e, out.organization.name, lang) for e in out.timeline],
        "hidden": out.hidden,
        "hidden_reason": out.hidden_reason,
        "report_url": url("report", lang, kind="request", target_id=str(out.id)),
        "is_open": out.state in OPEN_STATES,
        "voted": out.voted,
        "following": out.following,
        "feed_url": f"/api/v1/requests/{out.id}.atom",
    }  # fmt: skip


# --- the forms ------------------------------------------------------------------------------------------

FormValues = dict[str, str]
NEW_FIELDS = (
    "title", "description", "intended_use", "organization", "theme", "wished_format", "wished_frequency",
    "email",
)  # fmt: skip
ANSWER_FIELDS = ("state", "expected_date", "decline_reason", "datasets", "answer")


def form_values(form: FormData | None, names: Sequence[str], **defaults: str) -> FormValues:
    """The named fields of a submitted form as typed (or the defaults, for a form not yet sent)."""
    values = dict.fromkeys(names, "") | defaults
    if form is not None:
        for name in names:
            value = form.get(name)
            values[name] = value if isinstance(value, str) else ""
    return values


def split_slugs(text: str) -> list[str]:
    """The dataset slugs typed in one field, separated by commas or spaces."""
    return [slug for slug in re.split(r"[\s,]+", text) if slug]


def _optional(text: str) -> str | None:
    return text.strip() or None


def request_input(values: FormValues, *, logged_in: bool) -> dict[str, Any]:
    """The form to file a request as the input of `RequestIn`; the email address only without an account."""
    data: dict[str, Any] = {
        "title": values["title"], "description": values["description"],
        "intended_use": _optional(values["intended_use"]), "organization": values["organization"].strip(),
        "theme": _optional(values["theme"]), "wished_format": _optional(values["wished_format"]),
        "wished_frequency": _optional(values["wished_frequency"]),
    }  # fmt: skip
    if not logged_in:
        data["email"] = _optional(values["email"])
    return data


def answer_input(values: FormValues, current_state: str) -> dict[str, Any]:
    """The staff form as the input of `RequestPatch`: the state only when it changes, empty fields left out
    (the service says when a field does not go with the state chosen)."""
    data: dict[str, Any] = {}
    if values["state"] and values["state"] != current_state:
        data["state"] = values["state"]
    for name in ("answer", "expected_date", "decline_reason"):
        if values[name].strip():
            data[name] = values[name].strip()
    slugs = split_slugs(values["datasets"])
    if slugs:
        data["datasets"] = slugs
    return data


def field_of_location(location: Sequence[int | str]) -> str:
    """The form field an error of `RequestIn`, `RequestPatch`, `CommentIn`, `ReuseIn` or `ReusePatch` at this
    location is shown by."""
    return str(location[0]) if location else "title"


# The services' English messages about a request, as message keys.
_SERVICE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), key)
    for pattern, key in (
        (r"^no organisation", "error.no_organization"),
        (r"only with the state planned", "request_error.date_only_planned"),
        (r"only with the state declined", "request_error.reason_only_declined"),
        (r"only with the state published", "request_error.datasets_only_published"),
        (r"has an expected date", "request_error.date_missing"),
        (r"has a reason", "request_error.reason_missing"),
        (r"say why in the answer", "request_error.answer_for_other"),
        (r"names the datasets", "request_error.datasets_missing"),
        (r"no published dataset", "request_error.dataset_unknown"),
        (r"give a new state, an answer", "request_error.nothing"),
        (r"only without an account", "request_error.email_with_account"),
    )
)
_QUOTED = re.compile(r"'([^']*)'")


def service_errors(
    errors: Mapping[str, Sequence[str]], t: Translator,
    patterns: Sequence[tuple[re.Pattern[str], str]] = _SERVICE_MESSAGES, field_of: Callable[[str], str] = str,
) -> FieldErrors:  # fmt: skip
    """A dialogue service's `ValidationFailed.errors` as messages by form field: the key of the first of
    `patterns` a message matches (a `*.dataset_unknown` key names the slug quoted in the message)."""
    found: FieldErrors = {}
    for name, messages in errors.items():
        for message in messages:
            key = next((k for pattern, k in patterns if pattern.search(message)), "error.invalid")
            quoted = _QUOTED.search(message)
            text = t(key, slug=quoted.group(1)) if key.endswith(".dataset_unknown") and quoted else t(key)
            found.setdefault(field_of(name), []).append(text)
    return found

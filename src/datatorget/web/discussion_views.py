"""Discussions as the web pages show them: the section on a dataset's page, the list of a dataset's
discussions with its filter and paging, and one discussion's thread, as plain dicts (Markdown rendered,
hidden text left out); and the forms' errors by field, in the page's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from datatorget.catalog.models import Dataset, User
from datatorget.dialogue import discussions
from datatorget.dialogue.discussion_present import discussion_summaries
from datatorget.dialogue.schemas import DiscussionOut, DiscussionState, DiscussionSummary, MessageOut
from datatorget.web.form_errors import FieldErrors, validation_messages
from datatorget.web.formatting import localized
from datatorget.web.i18n import Lang, Translator
from datatorget.web.markdown import render_markdown
from datatorget.web.paths import url
from datatorget.web.search_page import page_number

SECTION_SIZE = 5
PAGE_SIZE = 20
START_FIELDS = ("title", "message")


def list_url(slug: str, lang: Lang) -> str:
    return url("discussions", lang, slug=slug)


def thread_url(slug: str, discussion_id: object, lang: Lang) -> str:
    return url("discussion", lang, slug=slug, discussion_id=str(discussion_id))


def _next(path: str) -> str:
    return urlencode({"next": path})


def summary_view(summary: DiscussionSummary, lang: Lang) -> dict[str, Any]:
    """One discussion in a list."""
    return {
        "url": thread_url(summary.dataset.slug, summary.id, lang),
        "title": summary.title,
        "author": summary.author.name,
        "staff": summary.author.staff,
        "state": summary.state,
        "messages": summary.messages,
        "answered": summary.answered,
        "hidden": summary.hidden,
        "last_activity_at": summary.last_activity_at,
    }


def discussion_section(session: Session, dataset: Dataset, viewer: User | None, lang: Lang) -> dict[str, Any]:
    """What `dataset_discussions.html` shows: the latest discussions, and where to see all or start one."""
    total, found = discussions.list_discussions(session, dataset, viewer, limit=SECTION_SIZE)
    path = list_url(dataset.slug, lang)
    return {
        "total": total,
        "latest": [summary_view(s, lang) for s in discussion_summaries(session, found)],
        "list_url": path,
        "start_url": f"{path}#start",
        "next": _next(f"{path}#start"),
        "organization": dataset.organization.name,
    }


# --- the list of a dataset's discussions ---------------------------------------------------------------


@dataclass(frozen=True)
class ListState:
    """The list's filter and page, as in its query string."""

    slug: str
    state: DiscussionState | None = None  # None: open and closed
    page: int = 1

    def link(self, lang: Lang) -> str:
        pairs: list[tuple[str, str]] = [("state", self.state)] if self.state else []
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return list_url(self.slug, lang) + (f"?{urlencode(pairs)}" if pairs else "")

    def on_page(self, page: int) -> ListState:
        return replace(self, page=page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE


def parse_list(slug: str, params: QueryParams) -> ListState:
    """The state a query string asks for; an unknown value is left out rather than failing the page."""
    wanted = params.get("state", "").strip()
    state: DiscussionState | None = "open" if wanted == "open" else "closed" if wanted == "closed" else None
    return ListState(slug=slug, state=state, page=page_number(params))


def dataset_view(dataset: Dataset, lang: Lang) -> dict[str, Any]:
    """The dataset a discussion page is about: its title in the page's language, and its page."""
    return {
        "slug": dataset.slug,
        "title": localized(dict(dataset.title), lang),
        "url": url("dataset", lang, slug=dataset.slug),
        "organization": dataset.organization.name,
    }


# --- one discussion ---------------------------------------------------------------------------------------


def message_view(message: MessageOut, organization: str, lang: Lang, *, first: bool) -> dict[str, Any]:
    shown = not message.hidden
    return {
        "id": str(message.id),
        "first": first,
        "created_at": message.created_at,
        "author": message.author.name,
        "staff": message.author.staff,
        "organization": organization if message.author.staff else None,
        "hidden": message.hidden,
        "hidden_reason": message.hidden_reason,
        "body_html": render_markdown(message.body) if message.body and shown else None,
        "report_url": url("report", lang, kind="message", target_id=str(message.id)) if shown else None,
    }


def discussion_view(out: DiscussionOut, organization: str, lang: Lang) -> dict[str, Any]:
    """Everything a discussion's page shows; no email address is in a `DiscussionOut`."""
    return {
        **summary_view(out, lang),
        "id": str(out.id),
        "created_at": out.created_at,
        "closed_at": out.closed_at,
        "hidden_reason": out.hidden_reason,
        "thread": [message_view(m, organization, lang, first=i == 0) for i, m in enumerate(out.thread)],
        "report_url": None if out.hidden else url("report", lang, kind="discussion", target_id=str(out.id)),
        "next": _next(thread_url(out.dataset.slug, out.id, lang) + "#reply"),
    }


# --- the forms ------------------------------------------------------------------------------------------


def field_of_location(location: Sequence[int | str]) -> str:
    """The form field an error of `DiscussionIn`, `MessageIn` or `HiddenIn` is shown by: the text is `message`."""
    name = str(location[0]) if location else "message"
    return "message" if name == "body" else name


def form_errors(exc: ValidationError, t: Translator) -> FieldErrors:
    return validation_messages(exc, field_of_location, t)

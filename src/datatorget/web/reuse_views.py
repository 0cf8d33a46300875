"""Reuses as the web pages show them: cards and a page as plain dicts (labels in the page's language, Markdown
rendered, the image served by the portal), the section of a dataset's page, and the form to register or
change a reuse with its errors in the page's language."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, get_args
from urllib.parse import urlencode, urlsplit

from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, User
from datatorget.dialogue import reuses
from datatorget.dialogue.reuse_present import reuse_outs
from datatorget.dialogue.schemas import ReuseKind, ReuseOut
from datatorget.web.form_errors import FieldErrors
from datatorget.web.formatting import localized
from datatorget.web.i18n import Lang, Translator
from datatorget.web.markdown import render_markdown
from datatorget.web.paths import url
from datatorget.web.request_views import service_errors as dialogue_errors
from datatorget.web.request_views import split_slugs

KINDS: tuple[str, ...] = get_args(ReuseKind)
FIELDS = ("title", "description", "kind", "url", "datasets", "image", "image_alt")
DATASET_SECTION_MAX = 12


def kind_options(lang: Lang) -> list[dict[str, str]]:
    t = Translator(lang)
    return [{"value": kind, "label": t(f"reuse_kind.{kind}")} for kind in KINDS]


def card_view(out: ReuseOut, lang: Lang) -> dict[str, Any]:
    """A reuse in a list: its image (from this portal), title, kind and datasets."""
    image = None
    if out.image is not None:
        address = urlsplit(out.image.url)
        image = {"src": f"{address.path}?{address.query}", "alt": out.image.alt}
    return {
        "id": str(out.id),
        "url": url("reuse", lang, reuse_id=str(out.id)),
        "title": out.title,
        "kind": out.kind,
        "image": image,
        "datasets": [
            {"url": url("dataset", lang, slug=d.slug), "title": localized(d.title, lang)}
            for d in out.datasets
        ],
        "state": out.state,
        "hidden": out.hidden,
        "created_at": out.created_at,
    }


def page_view(out: ReuseOut, lang: Lang) -> dict[str, Any]:
    """Everything the reuse's page shows; no email address is in a `ReuseOut`."""
    return {
        **card_view(out, lang),
        "description_html": render_markdown(out.description),
        "address": out.url,
        "submitter": out.submitter,
        "decided_at": out.decided_at,
        "reject_reason": out.reject_reason,
        "hidden_reason": out.hidden_reason,
        "report_url": (
            url("report", lang, kind="reuse", target_id=str(out.id))
            if out.state == "approved" and not out.hidden
            else None
        ),
    }


def reuse_section(session: Session, dataset: Dataset, viewer: User | None, lang: Lang) -> dict[str, Any]:
    """What `dataset_reuses.html` shows: the approved reuses of the dataset, and where to register one."""
    found = reuses.public_reuses_of(session, dataset)
    outs = reuse_outs(session, found[:DATASET_SECTION_MAX], None, base_url="")
    return {
        "cards": [card_view(out, lang) for out in outs],
        "total": len(found),
        "list_url": url("reuses", lang),
        "new_url": url("reuse_new", lang) + "?" + urlencode({"dataset": dataset.slug}),
    }


# --- the form -----------------------------------------------------------------------------------------------


def reuse_input(values: Mapping[str, str]) -> dict[str, Any]:
    """The form as the input of `ReuseIn`."""
    return {
        "title": values["title"], "description": values["description"], "kind": values["kind"],
        "url": values["url"].strip(), "datasets": split_slugs(values["datasets"]),
    }  # fmt: skip


# The service's English messages, as message keys.
_SERVICE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), key)
    for pattern, key in (
        (r"no published dataset", "reuse_error.dataset_unknown"),
        (r"not a PNG, JPEG or WebP", "reuse_error.not_an_image"),
        (r"file is empty", "error.file_empty"),
        (r"larger than the limit", "reuse_error.too_large"),
        (r"describe the image", "reuse_error.alt"),
        (r"say why", "reuse_error.reason_missing"),
        (r"^required$", "error.missing"),
    )
)


def service_errors(errors: Mapping[str, Sequence[str]], t: Translator) -> FieldErrors:
    """The reuse service's `ValidationFailed.errors` as messages by form field (`alt` is `image_alt`)."""
    return dialogue_errors(errors, t, _SERVICE_MESSAGES, lambda name: "image_alt" if name == "alt" else name)

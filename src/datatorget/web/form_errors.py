"""Errors in submitted forms as messages in the page's language.

Pydantic reports errors by type (`missing`, `string_too_long`, our own `swedish_required`, ...) and the
catalog services by field with an English message; both become `{form field: [message]}` in Swedish or
English, for the messages next to the fields and the summary at the top of the form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from datatorget.web.i18n import Translator

FieldErrors = dict[str, list[str]]

# pydantic error type -> message key; the message may use the error's context, e.g. {max_length}
_BY_TYPE = {
    "missing": "error.missing",
    "string_too_short": "error.missing",
    "string_too_long": "error.string_too_long",
    "too_long": "error.too_many",
    "url_parsing": "error.url",
    "url_scheme": "error.url",
    "url_type": "error.url",
    "url_too_long": "error.url",
    "date_parsing": "error.date",
    "date_type": "error.date",
    "date_from_datetime_parsing": "error.date",
    "date_from_datetime_inexact": "error.date",
    "swedish_required": "error.swedish_required",
    "script_not_allowed": "error.script_not_allowed",
    "not_in_vocabulary": "error.not_in_vocabulary",
    "temporal_order": "error.temporal_order",
    "org_number_format": "error.org_number_format",
    "org_number_checksum": "error.org_number_checksum",
    "string_pattern_mismatch": "error.slug",
    "literal_error": "error.choice",
    "enum": "error.choice",
}
# English messages of the catalog services -> message key
_BY_MESSAGE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), key)
    for pattern, key in (
        (r"already in use", "error.already_in_use"),
        (r"^no organisation", "error.no_organization"),
        (r"file is empty", "error.file_empty"),
        (r"file needs a name", "error.file_name"),
        (r"send the file", "error.file_missing"),
        (r"may not be null|^required$", "error.missing"),
        (r"is not in the \w+ vocabulary", "error.not_in_vocabulary"),
        (r"not a valid email", "error.email"),
        (r"scripts and HTML", "error.script_not_allowed"),
        (r"larger than the limit", "error.too_large"),
        (r"only a link to a table file", "error.not_a_table_link"),
    )
)


@dataclass(frozen=True)
class ErrorSummaryItem:
    field: str
    label: str
    message: str


def _message(error: Mapping[str, Any], t: Translator) -> str:
    kind = str(error.get("type", ""))
    context = dict(error.get("ctx") or {})
    if kind == "value_error" and "email" in str(error.get("msg", "")).lower():
        return t("error.email")
    if kind == "string_too_short" and int(context.get("min_length", 1)) > 1:
        return t("error.string_too_short", min_length=context["min_length"])
    key = _BY_TYPE.get(kind)
    if key is None:
        return t("error.invalid")
    wanted = {name: context[name] for name in ("max_length", "min_length") if name in context}
    return t(key, **wanted)


def validation_messages(
    exc: ValidationError, field_of: Callable[[tuple[int | str, ...]], str], t: Translator
) -> FieldErrors:
    """Pydantic's errors as messages by form field; `field_of` maps an error location to a form field."""
    found: FieldErrors = {}
    for error in exc.errors():
        messages = found.setdefault(field_of(tuple(error["loc"])), [])
        message = _message(error, t)
        if message not in messages:
            messages.append(message)
    return found


def service_messages(
    errors: Mapping[str, Sequence[str]], field_of: Callable[[str], str], t: Translator
) -> FieldErrors:
    """A service's `ValidationFailed.errors` or `Conflict.errors` as messages by form field."""
    found: FieldErrors = {}
    for name, messages in errors.items():
        for message in messages:
            key = next((k for pattern, k in _BY_MESSAGE if pattern.search(message)), "error.invalid")
            found.setdefault(field_of(name), []).append(t(key))
    return found


def summary(errors: FieldErrors, order: Iterable[str], t: Translator) -> list[ErrorSummaryItem]:
    """The errors for the box at the top of the form, in the order the fields appear on the page."""
    position = {name: i for i, name in enumerate(order)}
    return [
        ErrorSummaryItem(field=name, label=t(f"field.{name}") if t.has(f"field.{name}") else name, message=m)
        for name in sorted(errors, key=lambda n: position.get(n, len(position)))
        for m in errors[name]
    ]

"""Dates, sizes, numbers and vocabulary labels as a person reading Swedish or English expects them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from datatorget.catalog.vocabulary import VocabularyName, term
from datatorget.web.i18n import Lang

MONTHS: dict[Lang, tuple[str, ...]] = {
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
           "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}  # fmt: skip
SIZE_UNITS = ("kB", "MB", "GB", "TB")
NBSP = "\u00a0"

try:
    LOCAL_TIME: ZoneInfo | None = ZoneInfo("Europe/Stockholm")
except ZoneInfoNotFoundError:  # a machine without time zone data: show UTC
    LOCAL_TIME = None


def local_date(value: date | datetime) -> date:
    """The calendar date in Sweden of a moment (naive moments are taken as UTC), or the date itself."""
    if not isinstance(value, datetime):
        return value
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TIME).date() if LOCAL_TIME else moment.astimezone(UTC).date()


def format_date(value: date | datetime | None, lang: Lang) -> str:
    """`24 november 2026` in Swedish, `24 November 2026` in English; empty for no date."""
    if value is None:
        return ""
    day = local_date(value)
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def iso_date(value: date | datetime | None) -> str:
    """The date for a `<time datetime>` attribute."""
    return local_date(value).isoformat() if value is not None else ""


def format_number(value: float, lang: Lang, decimals: int = 0) -> str:
    """`1 234,5` in Swedish (non-breaking space, decimal comma), `1,234.5` in English."""
    text = f"{value:,.{decimals}f}"
    if lang == "sv":
        return text.replace(",", NBSP).replace(".", ",")
    return text


def format_size(byte_size: int | None, lang: Lang) -> str:
    """A file size in the units a person reads: `512 byte`, `1,2 MB` (decimal units, as disks show them)."""
    if byte_size is None:
        return ""
    if byte_size < 1000:
        unit = "byte" if lang == "sv" or byte_size == 1 else "bytes"
        return f"{byte_size}{NBSP}{unit}"
    size = float(byte_size)
    for unit in SIZE_UNITS:
        size /= 1000
        if size < 1000 or unit == SIZE_UNITS[-1]:
            return f"{format_number(size, lang, 0 if size >= 100 else 1)}{NBSP}{unit}"
    raise AssertionError("unreachable")


def label(vocabulary: VocabularyName, code: str | None, lang: Lang) -> str:
    """The label of a vocabulary term in the language; the code itself when the term is unknown."""
    if not code:
        return ""
    try:
        return term(vocabulary, code).label_in(lang)
    except KeyError:
        return code


@dataclass(frozen=True)
class Localized:
    """A text in the language it is written in, which may differ from the page's (a Swedish fallback)."""

    text: str
    lang: str


def localized(texts: dict[str, str], lang: Lang) -> Localized:
    """The text in the page's language, else in Swedish, else in any language given."""
    if texts.get(lang):
        return Localized(texts[lang], lang)
    if texts.get("sv"):
        return Localized(texts["sv"], "sv")
    for code, text in texts.items():
        if text:
            return Localized(text, code)
    return Localized("", lang)

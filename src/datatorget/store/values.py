"""Text from a query string (or a cursor) as a value of a Table Schema type, ready to bind in DuckDB.

`convert` accepts only what the type's ISO or plain notation allows and what DuckDB can compare with the
column: whole numbers within 64 bits, finite decimals, real dates and times, moments that stay within the
years 1-9999 once in UTC. Anything else raises `Invalid` with a message for the person who wrote it;
nothing else escapes, so bad input is a 422, never a 500.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

INT64 = 2**63
UINT64 = 2**64
TRUE_WORDS = frozenset({"true", "1", "ja", "yes"})
FALSE_WORDS = frozenset({"false", "0", "nej", "no"})

INTEGER_TEXT = re.compile(r"[+-]?\d{1,40}", re.ASCII)
NUMBER_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?", re.ASCII)
DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
DATETIME_TEXT = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?", re.ASCII
)
TIME_TEXT = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?", re.ASCII)
SPECIAL_NUMBERS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class Invalid(ValueError):
    """One parameter's value is wrong; the message says why (collected into ValidationFailed)."""


def convert(text: str, kind: str, *, stored: bool = False) -> Any:
    """`text` as a value of Table Schema type `kind`. `stored`: a value that came from the table itself
    (in a cursor), which may be NaN, infinite or an unsigned 64-bit integer."""
    if kind == "integer":
        return _integer(text, stored=stored)
    if kind == "number":
        if stored and text in SPECIAL_NUMBERS:
            return SPECIAL_NUMBERS[text]
        if not NUMBER_TEXT.fullmatch(text) or not math.isfinite(float(text)):
            raise Invalid(f"'{short(text)}' is not a number (write decimals with a point: 12.5)")
        return float(text)
    if kind == "boolean":
        return parse_flag(text)
    if kind == "date":
        return _iso(text, DATE_TEXT, date.fromisoformat, "a date as YYYY-MM-DD")
    if kind == "datetime":
        return _datetime(text)
    if kind == "time":
        return _iso(text, TIME_TEXT, time.fromisoformat, "a time of day as HH:MM:SS")
    return text


def _integer(text: str, *, stored: bool) -> int:
    """A whole number of a BIGINT, or (stored) of an integer column of a Parquet file, which is at most an
    unsigned 64-bit one: a larger number cannot be bound as a parameter."""
    if not INTEGER_TEXT.fullmatch(text):
        raise Invalid(f"'{short(text)}' is not a whole number")
    number = int(text)
    if not -INT64 <= number < (UINT64 if stored else INT64):
        raise Invalid(f"'{short(text)}' is out of range for a whole number")
    return number


def _datetime(text: str) -> datetime:
    """A moment as naive UTC (the columns are stored so); one with an offset must stay within the years
    1-9999 when moved to UTC (0001-01-01T00:00+01:00 is in the year 0)."""
    moment: datetime = _iso(
        text, DATETIME_TEXT, datetime.fromisoformat, "a date and time as YYYY-MM-DDTHH:MM:SS"
    )
    if moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError as exc:
        raise Invalid(f"'{short(text)}' is outside the years 1 to 9999 once moved to UTC") from exc


def _iso(text: str, pattern: re.Pattern[str], parse: Callable[[str], Any], expected: str) -> Any:
    """`text` parsed when it has the pattern's shape and is a real date or time (not 2024-02-30, 25:00)."""
    try:
        if pattern.fullmatch(text):
            return parse(text)
    except ValueError:
        pass
    raise Invalid(f"'{short(text)}' is not {expected}")


def short(text: str) -> str:
    """`text` cut to 50 characters, for a message."""
    return text if len(text) <= 50 else text[:50] + "…"


def parse_flag(value: str | None) -> bool:
    """true/false, in Swedish or English, or 1/0; not given is false."""
    if value is None:
        return False
    folded = value.strip().lower()
    if folded in TRUE_WORDS:
        return True
    if folded in FALSE_WORDS:
        return False
    raise Invalid("must be true or false")

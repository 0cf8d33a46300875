"""The keyset cursor (`_after`, a page's `next_cursor`): where a page ended, as an opaque text.

base64url(6-byte check + JSON [sort specs, sort values as text, row, version]). The check catches edited
or truncated cursors; a cursor written by hand can do no more than a filter could, since `store.params`
converts its values to their columns' types and they are bound as parameters like any other.

The version is in it because a row's position means nothing in another version: the rows after a cursor
are read from the version it was made in, whichever is current by then.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import orjson

from datatorget.store.values import INT64, Invalid

MAX_CURSOR_LENGTH = 100_000
INVALID_CURSOR = "not a valid cursor: use the next_cursor of a page as it is"


@dataclass(frozen=True)
class Cursor:
    """A cursor's parts as written: the sort it was made for, the last row's sort values as text (None for
    an empty cell), the row's position in its version's file, and that version."""

    specs: list[Any]
    values: list[Any]
    row: int
    version: int


def encode_cursor(specs: Sequence[str], values: Sequence[Any], row: int, version: int) -> str:
    """The cursor of the row with these sort values (`specs`: `column` or `-column`) at this position in
    the file of this version."""
    payload = orjson.dumps([list(specs), [_text(v) for v in values], row, version])
    return base64.urlsafe_b64encode(_check(payload) + payload).rstrip(b"=").decode("ascii")


def read_cursor(text: str) -> Cursor:
    """The parts of a cursor; Invalid when it was changed, cut short or never made by us."""
    if len(text) > MAX_CURSOR_LENGTH:
        raise Invalid("not a cursor of this table")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        check, payload = raw[:6], raw[6:]
        if len(check) != 6 or check != _check(payload):
            raise ValueError("check")
        specs, values, row, version = orjson.loads(payload)
    except (ValueError, TypeError) as exc:
        raise Invalid(INVALID_CURSOR) from exc
    if not (
        isinstance(specs, list) and isinstance(values, list) and _is_count(row, 0) and _is_count(version, 1)
    ):
        raise Invalid(INVALID_CURSOR)
    return Cursor(specs, values, row, version)


def cursor_version(params: Sequence[tuple[str, str]]) -> int | None:
    """The version the cursor among the parameters (`_after`) was made in. None without a cursor, or with
    one that is not valid (parsing the request says why)."""
    text = next((value for name, value in params if name == "_after" and value.strip()), None)
    try:
        return read_cursor(text).version if text is not None else None
    except Invalid:
        return None


def _is_count(value: Any, smallest: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and smallest <= value < INT64


def _check(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=6, person=b"dt-after").digest()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)

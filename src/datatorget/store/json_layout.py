"""Where the records of a JSON file are: a top-level list, one object per line (or after another), or the
list inside a wrapper object such as `{"data": [...]}` or a GeoJSON FeatureCollection.

Only the start and the end of the file are parsed here (HEAD_BYTES, TAIL_BYTES). A wrapper's list is copied,
byte for byte, to a file of its own, so DuckDB can stream its records one by one instead of parsing the
whole file as one object.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from datatorget.store.report import IngestionFailed

HEAD_BYTES = 1024 * 1024
TAIL_BYTES = 1024 * 1024
COPY_CHUNK = 4 * 1024 * 1024
WHITESPACE = " \t\n\r"
LIST_NAMES = ("features", "data", "items", "records", "results", "rows", "value")  # for an empty list
_DECODER = json.JSONDecoder()
_CLOSING = re.compile(r"\](?=[ \t\n\r]*[,}])")


@dataclass(frozen=True)
class Layout:
    """How DuckDB reads the records: the file to read (the upload or a copy of its list) and its format.

    `wrapper` names the member of a top-level object that held the list; `members` are the other members
    of that object (small ones, such as `type` or `crs`).
    """

    path: Path
    format: Literal["array", "auto"]
    wrapper: str | None = None
    members: dict[str, Any] = field(default_factory=dict)


def find_records(path: Path, work_dir: Path) -> Layout:
    """The layout of a JSON file whose first character is `[` or `{` (see sniff.detect_format)."""
    size = path.stat().st_size
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
    whole = size <= len(head)
    bom = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    text = _decode(head[bom:], final=whole)
    start = _skip(text, 0)
    if start == len(text):
        raise empty_json()
    if text[start] == "[":
        return Layout(path, "array")
    if text[start] != "{":
        raise not_records(
            sv="något annat: den börjar inte med [ eller {",
            en="something else: it starts with neither [ nor {",
        )
    try:
        first, end = _DECODER.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        if whole:
            raise malformed(exc.lineno, exc.colno, exc.msg) from None
        first, end = None, len(text)  # one object larger than the head: a wrapper, or one large record
    if first is not None:
        after = _skip(text, end)
        if after < len(text) or not whole:
            return Layout(path, "auto")  # more follows the first object: one object per line, or a sequence
    return _wrapped(path, text, start, whole, bom, size, work_dir)


def _wrapped(path: Path, text: str, start: int, whole: bool, bom: int, size: int, work_dir: Path) -> Layout:
    """The layout of a file that is one object: its list of objects copied out, or the object as one record."""
    key, at, members = _scan_members(text, start, whole)
    if key is None or at is None:
        empty = [name for name, value in members.items() if value == [] and name in LIST_NAMES]
        if empty and len(members) <= 3:
            raise empty_json()
        return Layout(path, "auto", members=members)  # a single record
    begin = bom + len(text[:at].encode("utf-8"))
    finish, trailing = _list_end(path, begin, size)
    members |= trailing
    others = [name for name, value in members.items() if _is_list_of_objects(value)]
    if others:
        names = ", ".join([key, *others])
        raise not_records(
            sv=f"ett objekt med flera listor av poster ({names}), så det går inte att veta vilken som är tabellen",
            en=f"an object with several lists of records ({names}), so there is no telling which is the table",
        )
    target = work_dir / "records.json"
    work_dir.mkdir(parents=True, exist_ok=True)
    _copy_range(path, begin, finish + 1, target)
    return Layout(target, "array", wrapper=key, members=members)


def _scan_members(text: str, start: int, whole: bool) -> tuple[str | None, int | None, dict[str, Any]]:
    """Walk the members of the object at `start` up to the first list of objects: its key, the position of
    its `[`, and the members before it. (None, None, members) when the object has no such list."""
    members: dict[str, Any] = {}
    position = _skip(text, start + 1)
    if text.startswith("}", position):
        return None, None, members
    while True:
        key, position = _value(text, position, whole)
        if not isinstance(key, str):
            raise malformed_at(text, position, "Expecting property name")
        position = _skip(text, position)
        if not text.startswith(":", position):
            raise malformed_at(text, position, "Expecting ':' delimiter")
        position = _skip(text, position + 1)
        if text.startswith("[", position) and text.startswith("{", _skip(text, position + 1)):
            return key, position, members
        members[key], position = _value(text, position, whole)
        position = _skip(text, position)
        if text.startswith("}", position):
            return None, None, members
        if not text.startswith(",", position):
            raise malformed_at(text, position, "Expecting ',' delimiter")
        position = _skip(text, position + 1)


def _value(text: str, position: int, whole: bool) -> tuple[Any, int]:
    """The JSON value at `position` and where it ends; a clear refusal when it does not fit in the head."""
    try:
        return _DECODER.raw_decode(text, position)
    except json.JSONDecodeError as exc:
        if not whole and (exc.msg.startswith("Unterminated") or exc.pos >= len(text) - 64):
            raise IngestionFailed(
                "unsupported_json",
                sv=f"Filen är ett JSON-objekt där listan med poster kommer efter mer än {HEAD_BYTES // 1024**2} MB "
                "annat innehåll. Lägg listan först, eller spara posterna som en lista eller en per rad.",
                en=f"The file is a JSON object whose list of records comes after more than "
                f"{HEAD_BYTES // 1024**2} MB of other content. Put the list first, or save the records as a list "
                "or one per line.",
            ) from None
        raise malformed(exc.lineno, exc.colno, exc.msg) from None


def _list_end(path: Path, begin: int, size: int) -> tuple[int, dict[str, Any]]:
    """The byte offset of the `]` that closes the list starting at `begin`, and the members after it.

    Found from the end of the file: the first `]` after which the rest reads as the remaining members of
    the object and its closing `}` (a `]` inside the list cannot: its rest closes too much).
    """
    offset = max(begin + 1, size - TAIL_BYTES)
    with path.open("rb") as file:
        file.seek(offset)
        tail = file.read()
    skipped = 0
    while skipped < min(4, len(tail)) and 0x80 <= tail[skipped] < 0xC0:
        skipped += 1  # the tail may begin inside a character
    text = _decode(tail[skipped:], final=True)
    for match in _CLOSING.finditer(text):
        members = _closing_members(text, match.end())
        if members is not None:
            return offset + skipped + len(text[: match.start()].encode("utf-8")), members
    raise IngestionFailed(
        "invalid_json",
        sv="Filen är inte giltig JSON: listan med poster avslutas inte som den ska (eller följs av mer än "
        f"{TAIL_BYTES // 1024**2} MB annat innehåll).",
        en="The file is not valid JSON: the list of records does not end as it should (or is followed by more "
        f"than {TAIL_BYTES // 1024**2} MB of other content).",
    )


def _closing_members(text: str, position: int) -> dict[str, Any] | None:
    """The members from `position` to the end when the text there ends the top-level object; else None."""
    members: dict[str, Any] = {}
    position = _skip(text, position)
    while position < len(text):
        if text[position] == "}":
            return members if _skip(text, position + 1) == len(text) else None
        if text[position] != ",":
            return None
        try:
            key, position = _DECODER.raw_decode(text, _skip(text, position + 1))
            position = _skip(text, position)
            if not isinstance(key, str) or not text.startswith(":", position):
                return None
            members[key], position = _DECODER.raw_decode(text, _skip(text, position + 1))
        except json.JSONDecodeError:
            return None
        position = _skip(text, position)
    return None


def _copy_range(source: Path, begin: int, end: int, target: Path) -> None:
    """Copy bytes [begin, end) of `source` to `target`, in chunks."""
    with source.open("rb") as reader, target.open("wb") as writer:
        reader.seek(begin)
        left = end - begin
        while left > 0 and (chunk := reader.read(min(COPY_CHUNK, left))):
            writer.write(chunk)
            left -= len(chunk)


def _is_list_of_objects(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def _skip(text: str, position: int) -> int:
    """The first position at or after `position` that is not JSON whitespace."""
    while position < len(text) and text[position] in WHITESPACE:
        position += 1
    return position


def _decode(data: bytes, *, final: bool) -> str:
    """UTF-8 text of part of the file (a character cut at the end is fine unless it is the whole file)."""
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data, final=final)
    except UnicodeDecodeError as exc:
        raise invalid_utf8(data[: exc.start].count(b"\n") + 1) from None


def locate_error(path: Path) -> IngestionFailed | None:
    """The first error of a JSON file (a list, an object, or objects one after another), with its line and
    column; None when Python's parser finds none. Reads the whole file: for files of moderate size only."""
    data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    text = _decode(data, final=True)
    position = _skip(text, 0)
    while position < len(text):
        try:
            _, position = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            return malformed(exc.lineno, exc.colno, exc.msg)
        position = _skip(text, position)
    return None


def malformed(line: int, column: int, reason: str) -> IngestionFailed:
    """The refusal of a file that is not valid JSON, with where the error is."""
    return IngestionFailed(
        "invalid_json",
        sv=f"Filen är inte giltig JSON: fel på rad {line}, tecken {column} ({reason}).",
        en=f"The file is not valid JSON: error at line {line}, column {column} ({reason}).",
    )


def malformed_at(text: str, position: int, reason: str) -> IngestionFailed:
    """`malformed` for a position in the text."""
    line = text.count("\n", 0, position) + 1
    return malformed(line, position - text.rfind("\n", 0, position), reason)


def invalid_utf8(line: int) -> IngestionFailed:
    """The refusal of a JSON file that is not UTF-8 (JSON must be)."""
    return IngestionFailed(
        "invalid_encoding",
        sv=f"Filen är inte giltig UTF-8 (rad {line}); JSON ska alltid vara UTF-8. Spara filen som UTF-8 och "
        "ladda upp igen.",
        en=f"The file is not valid UTF-8 (line {line}); JSON must always be UTF-8. Save the file as UTF-8 and "
        "upload it again.",
    )


def empty_json() -> IngestionFailed:
    """The refusal of a JSON file with no records."""
    return IngestionFailed(
        "empty_json",
        sv="JSON-filen innehåller en tom lista: det finns inga poster att göra en tabell av.",
        en="The JSON file holds an empty list: there are no records to make a table of.",
    )


def not_records(*, sv: str, en: str) -> IngestionFailed:
    """The refusal of JSON that is not a list of objects; `sv` and `en` say what was found instead."""
    return IngestionFailed(
        "json_not_records",
        sv=f'JSON-filen ska vara en lista med objekt, ett per rad i tabellen (som [{{"namn": "A"}}, ...]), '
        f"men är {sv}.",
        en=f'The JSON file must be a list of objects, one per table row (like [{{"namn": "A"}}, ...]), '
        f"but is {en}.",
    )

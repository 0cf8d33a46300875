"""What travels between the server and a SQL process: length-prefixed orjson messages, values with their type.

A message is 4 bytes of length (big-endian) and that many bytes of JSON. JSON carries text, booleans,
64-bit integers and finite floats as they are. Rows travel column by column (`encode_rows`):

- a column of such values only is sent as it is, and nothing is done to it on arrival;
- a column of one other type (DATE, DECIMAL, HUGEINT, UUID, ...) is sent as text (or numbers) with the
  name of its type, and turned back into values of that type on arrival;
- any other column (lists, structs, mixed types) is sent value by value, each value JSON cannot carry
  tagged as an object of one key (`encode_value`). Objects are never sent as they are (a STRUCT or MAP is
  tagged too), so that a value in the data can never be mistaken for a tag.

So a DATE comes back a `date`, a DECIMAL a `Decimal`, a HUGEINT an exact `int`, NaN a float.
"""

from __future__ import annotations

import math
import os
import struct
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import orjson

HEADER = struct.Struct(">I")
MAX_MESSAGE_BYTES = 1024 * 1024 * 1024  # a result is at most 64 MB of values; tags and hex can triple that
PLAIN = frozenset({str, bool, type(None)})
INT64 = range(-(2**63), 2**64)  # what orjson writes and reads exactly (the unsigned half too)


class WireError(Exception):
    """The other side sent something that is not a message: it is not the program we started."""


def write_message(fd: int, message: Any) -> None:
    """Write one message to a blocking file descriptor."""
    body = orjson.dumps(message)
    for part in (HEADER.pack(len(body)), body):
        data = memoryview(part)
        while data:
            data = data[os.write(fd, data) :]


def read_message(read: Callable[[int], bytes | bytearray]) -> Any:
    """The next message, read with `read(n)` (which returns exactly n bytes, or fewer at the end); None at
    the end of the stream."""
    header = read(HEADER.size)
    if not header:
        return None
    if len(header) < HEADER.size:
        raise EOFError("the stream ended inside a message")
    (size,) = HEADER.unpack(header)
    if size > MAX_MESSAGE_BYTES:
        raise WireError(f"a message of {size} bytes is larger than {MAX_MESSAGE_BYTES}")
    body = read(size)
    if len(body) < size:
        raise EOFError("the stream ended inside a message")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise WireError(f"a message is not JSON: {exc}") from exc


def is_plain(value: Any) -> bool:
    """True when JSON carries `value` with its type: text, a boolean, null, a 64-bit int or a finite float."""
    kind = type(value)
    if kind in PLAIN:
        return True
    if kind is int:
        return value in INT64
    return kind is float and math.isfinite(value)


def encode_rows(rows: Sequence[tuple[Any, ...]]) -> tuple[list[Any], list[tuple[int, str]]]:
    """The rows ready for orjson, and how each column that is not sent as it is was encoded."""
    if not rows:
        return [], []
    columns = list(zip(*rows, strict=True))
    encodings: list[tuple[int, str]] = []
    for position, column in enumerate(columns):
        encoding = column_encoding(column)
        if encoding:
            encode = SCALAR_ENCODERS.get(encoding, encode_value)
            columns[position] = tuple(None if value is None else encode(value) for value in column)
            encodings.append((position, encoding))
    if not encodings:
        return list(rows), []
    return list(zip(*columns, strict=True)), encodings


def column_encoding(column: Sequence[Any]) -> str:
    """How a column travels: "" as it is, the name of its one type, or "values" one tagged value at a time."""
    kinds = set(map(type, column))
    kinds.discard(type(None))
    if kinds <= PLAIN:
        return ""
    if kinds == {int}:
        return "" if min(column, key=none_last) in INT64 and max(column, key=none_first) in INT64 else "int"
    if kinds == {float}:
        return "" if all(map(math.isfinite, filter(None, column))) else "float"
    if len(kinds) == 1:
        name = SCALAR_NAMES.get(kinds.pop())
        if name:
            return name
    return "values"


def none_last(value: Any) -> Any:
    """A sort key that puts None after every integer."""
    return math.inf if value is None else value


def none_first(value: Any) -> Any:
    """A sort key that puts None before every integer."""
    return -math.inf if value is None else value


def decode_rows(rows: list[list[Any]], encodings: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """The rows `encode_rows` sent, each value of the type it had."""
    if not encodings:
        return [tuple(row) for row in rows]
    columns = [list(column) for column in zip(*rows, strict=True)]
    for position, encoding in encodings:
        decode = decode_value if encoding == "values" else DECODERS[encoding]
        columns[position] = [None if value is None else decode(value) for value in columns[position]]
    return list(zip(*columns, strict=True))


def encode_value(value: Any) -> Any:
    """`value` as JSON-ready data that `decode_value` turns back into an equal value of the same type."""
    if is_plain(value):
        return value
    if isinstance(value, list):
        return [encode_value(item) for item in value]
    if isinstance(value, tuple):
        return {"tuple": [encode_value(item) for item in value]}
    if isinstance(value, dict):
        return {"map": [[encode_value(key), encode_value(item)] for key, item in value.items()]}
    return encode_scalar(value)


def encode_scalar(value: Any) -> dict[str, Any]:
    """A value JSON cannot carry with its type, tagged with the name of that type."""
    name = next((SCALAR_NAMES[kind] for kind in type(value).__mro__ if kind in SCALAR_NAMES), "text")
    return {name: SCALAR_ENCODERS[name](value)}


DECODERS: dict[str, Callable[[Any], Any]] = {
    "int": int,
    "float": float,
    "decimal": Decimal,
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "timedelta": lambda parts: timedelta(days=parts[0], seconds=parts[1], microseconds=parts[2]),
    "bytes": bytes.fromhex,
    "uuid": uuid.UUID,
    "text": str,
}


SCALAR_NAMES: dict[type, str] = {
    int: "int",
    float: "float",
    Decimal: "decimal",
    datetime: "datetime",
    date: "date",
    time: "time",
    timedelta: "timedelta",
    bytes: "bytes",
    bytearray: "bytes",
    memoryview: "bytes",
    uuid.UUID: "uuid",
}
SCALAR_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "int": str,
    "float": repr,
    "decimal": str,
    "datetime": datetime.isoformat,
    "date": date.isoformat,
    "time": time.isoformat,
    "timedelta": lambda value: [value.days, value.seconds, value.microseconds],
    "bytes": lambda value: bytes(value).hex(),
    "uuid": str,
    "text": str,
}


def decode_value(value: Any) -> Any:
    """The value `encode_value` was given."""
    if isinstance(value, list):
        return [decode_value(item) for item in value]
    if not isinstance(value, dict):
        return value
    ((tag, payload),) = value.items()
    if tag == "tuple":
        return tuple(decode_value(item) for item in payload)
    if tag == "map":
        return {decode_value(key): decode_value(item) for key, item in payload}
    return DECODERS[tag](payload)

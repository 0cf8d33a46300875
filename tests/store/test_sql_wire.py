"""The messages between the server and a SQL process: framing, and values that keep their type."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, BinaryIO

import pytest

from datatorget.store.sql_wire import (
    HEADER,
    MAX_MESSAGE_BYTES,
    WireError,
    decode_rows,
    encode_rows,
    read_message,
    write_message,
)


def stream(*messages: Any, raw: bytes = b"") -> BinaryIO:
    """The reading end of a pipe that holds `messages`, then `raw`, then its end."""
    read_end, write_end = os.pipe()
    for message in messages:
        write_message(write_end, message)
    os.write(write_end, raw)
    os.close(write_end)
    return os.fdopen(read_end, "rb")


def round_trip(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    encoded, encodings = encode_rows(rows)
    with stream({"rows": encoded, "encodings": encodings}) as reader:
        message = read_message(reader.read)
    return decode_rows(message["rows"], message["encodings"])


def test_text_booleans_64_bit_integers_and_finite_floats_travel_as_they_are() -> None:
    rows = [("a", True, -(2**63), 2**64 - 1, 0.1, None), ("b", False, 0, 1, -2.5, None)]
    assert encode_rows(rows) == (rows, [])
    assert round_trip(rows) == rows


@pytest.mark.parametrize(
    "value",
    [
        Decimal("18.50"),
        date(2024, 6, 1),
        datetime(2024, 6, 1, 10, 0, 0, 123456),  # noqa: DTZ001 (a TIMESTAMP has no zone)
        datetime(2024, 6, 1, 10, 0, tzinfo=UTC),
        time(10, 0),
        time(10, 0, tzinfo=timezone(timedelta(hours=2))),
        timedelta(days=32, seconds=10800, microseconds=5),
        b"\x00ab",
        uuid.UUID("6d4b1f8e-0a4f-4c2a-9a47-1c1b2f3e4d5a"),
        2**70,
        -(2**70),
        float("nan"),
        float("-inf"),
    ],
)
def test_other_values_come_back_with_their_type(value: Any) -> None:
    [(alone, in_a_list, beside_none)] = round_trip([(value, [value, 1], value)])
    assert (type(alone), repr(alone)) == (type(value), repr(value))
    assert repr(in_a_list) == repr([value, 1])
    assert repr(round_trip([(value,), (None,)])) == repr([(value,), (None,)])
    assert repr(beside_none) == repr(value)


@pytest.mark.parametrize(
    "value",
    [
        {"date": "2024-06-01"},  # a STRUCT that looks like a tag stays a STRUCT
        {"map": [[1, 2]]},
        {1: "a", 2: "b"},  # a MAP with keys that are not text
        {(1, 2): Decimal("1.5")},
        (1, 2),
        [[date(2024, 6, 1)], {"a": [Decimal("1.5"), None]}],
    ],
)
def test_lists_structs_maps_and_arrays_come_back_as_they_were(value: Any) -> None:
    assert round_trip([(value, "x")]) == [(value, "x")]


def test_a_column_of_several_types_comes_back_value_by_value() -> None:
    rows = [(1,), (2**70,), (float("nan"),), ("x",), (date(2024, 6, 1),)]
    assert repr(round_trip(rows)) == repr(rows)


def test_no_rows_travel_as_no_rows() -> None:
    assert round_trip([]) == []


def test_the_end_of_the_stream_is_none() -> None:
    with stream({"a": 1}) as reader:
        assert read_message(reader.read) == {"a": 1}
        assert read_message(reader.read) is None


def test_a_stream_that_ends_inside_a_message_is_an_error() -> None:
    with stream(raw=HEADER.pack(10) + b"{}") as reader, pytest.raises(EOFError):
        read_message(reader.read)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (HEADER.pack(MAX_MESSAGE_BYTES + 1), "larger than"),
        (HEADER.pack(3) + b"{{{", "not JSON"),
    ],
)
def test_what_is_not_a_message_is_refused(data: bytes, error: str) -> None:
    with stream(raw=data) as reader, pytest.raises(WireError, match=error):
        read_message(reader.read)

"""Query parameters become a typed request: filters with values of their columns' types, our own
parameters, the cursor and the version; and bad input is refused with one message per parameter."""

from __future__ import annotations

from typing import Any

import pytest

from datatorget.errors import ValidationFailed
from datatorget.store.cursor import cursor_version, encode_cursor
from datatorget.store.params import RowsRequest, parse_rows_request, requested_version

BATHS_SCHEMA = {"fields": [
    {"name": "namn", "type": "string"}, {"name": "latitud", "type": "number"},
    {"name": "longitud", "type": "number"}, {"name": "djup cm", "type": "integer"},
    {"name": "öppnar", "type": "date"}, {"name": "hundar", "type": "boolean"},
    {"name": "kommentar", "type": "string"},
]}  # fmt: skip
READINGS_SCHEMA = {"fields": [
    {"name": "tid", "type": "datetime"}, {"name": "dag", "type": "date"}, {"name": "klockslag", "type": "time"},
    {"name": "antal", "type": "integer"}, {"name": "mått", "type": "number"},
]}  # fmt: skip


def refusal(params: list[tuple[str, str]], schema: dict[str, Any] = BATHS_SCHEMA) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        parse_rows_request(params, schema)
    return refused.value.errors


def value(params: list[tuple[str, str]]) -> Any:
    """The value of the one filter among the parameters, on the readings."""
    return parse_rows_request(params, READINGS_SCHEMA).filters[0].value


# --- filters and their values ----------------------------------------------------------------------------


def test_a_value_that_does_not_fit_the_column_type_is_refused() -> None:
    assert refusal([("djup cm", "tolv"), ("öppnar", "1 juni"), ("latitud", "59,1")]) == {
        "djup cm": ["'tolv' is not a whole number"],
        "öppnar": ["'1 juni' is not a date as YYYY-MM-DD"],
        "latitud": ["'59,1' is not a number (write decimals with a point: 12.5)"],
    }


def test_a_whole_number_beyond_64_bits_is_refused() -> None:
    assert refusal([("djup cm", "99999999999999999999999")]) == {
        "djup cm": ["'99999999999999999999999' is out of range for a whole number"]
    }


def test_digits_of_other_scripts_are_not_numbers() -> None:
    assert refusal([("djup cm", "١٢٠")]) == {"djup cm": ["'١٢٠' is not a whole number"]}


@pytest.mark.parametrize(
    ("moment", "message"),
    [("0001-01-01T00:00:00+01:00", "'0001-01-01T00:00:00+01:00' is outside the years 1 to 9999 once moved to UTC"),
     ("9999-12-31T23:59:59-01:00", "'9999-12-31T23:59:59-01:00' is outside the years 1 to 9999 once moved to UTC"),
     ("2024-02-30T10:00:00", "'2024-02-30T10:00:00' is not a date and time as YYYY-MM-DDTHH:MM:SS"),
     ("2024-06-01T25:00:00", "'2024-06-01T25:00:00' is not a date and time as YYYY-MM-DDTHH:MM:SS"),
     ("2024-06-01T10:00:00+24:00", "'2024-06-01T10:00:00+24:00' is not a date and time as YYYY-MM-DDTHH:MM:SS")],
)  # fmt: skip
def test_a_moment_that_does_not_exist_or_leaves_the_years_1_to_9999_in_utc_is_refused(
    moment: str, message: str
) -> None:
    assert refusal([("tid__gte", moment)], READINGS_SCHEMA) == {"tid__gte": [message]}


def test_a_moment_at_the_edge_of_the_calendar_that_stays_within_it_in_utc_is_a_value() -> None:
    assert value([("tid", "0001-01-01T00:00:00-01:00")]).isoformat() == "0001-01-01T01:00:00"
    assert value([("tid", "9999-12-31T23:59:59+01:00")]).isoformat() == "9999-12-31T22:59:59"
    assert value([("tid", "9999-12-31T23:59:59.999999")]).isoformat() == "9999-12-31T23:59:59.999999"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [("dag", "2024-02-30", "'2024-02-30' is not a date as YYYY-MM-DD"),
     ("dag", "0000-01-01", "'0000-01-01' is not a date as YYYY-MM-DD"),
     ("klockslag", "25:00", "'25:00' is not a time of day as HH:MM:SS"),
     ("klockslag", "24:00", "'24:00' is not a time of day as HH:MM:SS"),
     ("klockslag", "12:60", "'12:60' is not a time of day as HH:MM:SS"),
     ("antal", "9223372036854775808", "'9223372036854775808' is out of range for a whole number"),
     ("antal", "-9223372036854775809", "'-9223372036854775809' is out of range for a whole number")],
)  # fmt: skip
def test_a_date_or_time_that_does_not_exist_or_a_whole_number_beyond_64_bits_is_refused(
    name: str, text: str, message: str
) -> None:
    assert refusal([(name, text)], READINGS_SCHEMA) == {name: [message]}


def test_the_extreme_whole_numbers_of_64_bits_are_values() -> None:
    assert value([("antal", "9223372036854775807")]) == 2**63 - 1
    assert value([("antal", "-9223372036854775808")]) == -(2**63)


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1e400"])
def test_a_number_that_is_not_finite_is_refused(text: str) -> None:
    assert refusal([("mått", text)], READINGS_SCHEMA) == {
        "mått": [f"'{text}' is not a number (write decimals with a point: 12.5)"]
    }


def test_every_item_of_in_is_converted_and_each_bad_one_refused() -> None:
    assert value([("dag__in", "2024-02-28,2024-02-29")]) == (
        parse_rows_request([("dag", "2024-02-28")], READINGS_SCHEMA).filters[0].value,
        parse_rows_request([("dag", "2024-02-29")], READINGS_SCHEMA).filters[0].value,
    )
    assert refusal([("dag__in", "2024-02-28,2023-02-29")], READINGS_SCHEMA) == {
        "dag__in": ["'2023-02-29' is not a date as YYYY-MM-DD"]
    }


def test_an_unknown_column_is_refused_by_name() -> None:
    assert refusal([("djup__gt", "1"), ('x"; DROP TABLE t; --', "1")]) == {
        "djup__gt": ["the table has no column named 'djup'"],
        'x"; DROP TABLE t; --': ["the table has no column named 'x\"; DROP TABLE t; --'"],
    }


def test_more_than_a_hundred_filters_are_refused_at_once() -> None:
    assert refusal([("namn", str(n)) for n in range(10_000)]) == {
        "filters": ["at most 100 filters, not 10000"]
    }


def test_an_empty_filter_value_is_refused() -> None:
    assert refusal([("namn", "")]) == {"namn": ["empty value: to find empty cells use __isnull=true"]}


# --- our own parameters ------------------------------------------------------------------------------


def test_an_unknown_parameter_of_our_own_is_refused() -> None:
    errors = refusal([("_limit", "10")])
    assert list(errors) == ["_limit"]
    assert errors["_limit"][0].startswith("unknown parameter")


def test_an_empty_parameter_of_our_own_counts_as_not_given() -> None:
    request = parse_rows_request([("_q", ""), ("_sort", ""), ("_size", " ")], BATHS_SCHEMA)
    assert (request.search, request.sort, request.size) == ((), (), None)


def test_a_parameter_of_our_own_given_twice_is_refused() -> None:
    assert refusal([("_size", "1"), ("_size", "2")]) == {"_size": ["given more than once"]}


def test_sort_by_an_unknown_column_or_an_sql_fragment_is_refused() -> None:
    assert refusal([("_sort", "1;drop")]) == {"_sort": ["the table has no column named '1;drop'"]}


@pytest.mark.parametrize(
    ("size", "message"),
    [("0", "must be at least 1"), ("10001", "must be at most 10000"), ("-1", "must be a whole number of at least 1"),
     ("99999999999999999999", "must be a whole number of at least 1"), ("ten", "must be a whole number of at least 1")],
)  # fmt: skip
def test_a_page_size_outside_1_to_10000_is_refused(size: str, message: str) -> None:
    assert refusal([("_size", size)]) == {"_size": [message]}


def test_a_download_may_ask_for_more_than_10000_rows() -> None:
    assert parse_rows_request([("_size", "50000")], BATHS_SCHEMA, max_size=None).size == 50_000


@pytest.mark.parametrize(
    ("bbox", "message"),
    [("1,2,3", "must be four numbers: min_x,min_y,max_x,max_y (longitude and latitude)"),
     ("a,b,c,d", "must be four numbers: min_x,min_y,max_x,max_y ('a' is not a number (write decimals with a point: 12.5))"),
     ("18,59,17,60", "the minimum must not be larger than the maximum"),
     ("nan,1,2,3", "must be four numbers: min_x,min_y,max_x,max_y ('nan' is not a number (write decimals with a point: 12.5))")],
)  # fmt: skip
def test_a_malformed_bbox_is_refused(bbox: str, message: str) -> None:
    assert refusal([("_bbox", bbox)]) == {"_bbox": [message]}


def test_bbox_on_a_table_without_places_is_refused() -> None:
    schema = {"fields": [{"name": "namn", "type": "string"}]}
    assert refusal([("_bbox", "1,2,3,4")], schema) == {
        "_bbox": ["this table has no GeoJSON column and no latitude and longitude columns"]
    }


def test_a_request_remembers_every_column_of_the_table() -> None:
    request = parse_rows_request([("_cols", "namn")], BATHS_SCHEMA)
    assert isinstance(request, RowsRequest)
    assert len(request.table_columns) == 7
    assert not request.is_whole_table
    assert parse_rows_request([], BATHS_SCHEMA).is_whole_table


# --- the cursor and the version ---------------------------------------------------------------------


def test_a_cursor_with_values_of_the_wrong_type_is_refused() -> None:
    sort = parse_rows_request([("_sort", "öppnar")], BATHS_SCHEMA).sort
    forged = encode_cursor([key.spec for key in sort], ["not a date"], 1, 1)
    assert refusal([("_sort", "öppnar"), ("_after", forged)]) == {
        "_after": ["'not a date' is not a date as YYYY-MM-DD"]
    }


def test_a_cursor_holds_the_version_it_was_made_in_and_the_request_reads_that_version() -> None:
    cursor = encode_cursor([], [], 4, 2)
    request = parse_rows_request([("_after", cursor)], BATHS_SCHEMA)
    assert request.after is not None
    assert (request.after.row, request.after.version, request.version) == (4, 2, 2)
    assert cursor_version([("_size", "2"), ("_after", cursor)]) == 2


def test_a_cursor_with_the_same_version_as_asked_for_is_taken() -> None:
    cursor = encode_cursor([], [], 4, 2)
    assert parse_rows_request([("_after", cursor), ("_version", "2")], BATHS_SCHEMA).version == 2
    assert parse_rows_request([("_after", cursor), ("version", "2")], BATHS_SCHEMA).version == 2


def test_a_cursor_of_another_version_than_the_one_asked_for_is_refused() -> None:
    cursor = encode_cursor([], [], 4, 1)
    assert refusal([("_after", cursor), ("_version", "2")]) == {"_after": ["the cursor belongs to version 1"]}
    assert refusal([("_after", cursor), ("version", "2")]) == {"_after": ["the cursor belongs to version 1"]}


@pytest.mark.parametrize(
    "params",
    [[], [("_after", "")], [("_after", "not a cursor!")], [("_after", encode_cursor([], [], 4, 1)[:-2])]],
)
def test_without_a_valid_cursor_there_is_no_cursor_version(params: list[tuple[str, str]]) -> None:
    assert cursor_version(params) is None


@pytest.mark.parametrize(
    ("row", "version"), [(-1, 1), (4, 0), (True, 1), (4, True), (2**63, 1), ("4", 1), (4, None)]
)
def test_a_cursor_with_a_row_or_version_that_is_not_a_count_is_refused(row: Any, version: Any) -> None:
    assert refusal([("_after", encode_cursor([], [], row, version))]) == {
        "_after": ["not a valid cursor: use the next_cursor of a page as it is"]
    }


@pytest.mark.parametrize(
    ("sort", "forged", "message"),
    [("antal", "18446744073709551616", "'18446744073709551616' is out of range for a whole number"),
     ("antal", "9" * 40, f"'{'9' * 40}' is out of range for a whole number"),
     ("tid", "0001-01-01T00:00:00+01:00", "'0001-01-01T00:00:00+01:00' is outside the years 1 to 9999 once moved to UTC"),
     ("klockslag", "25:00:00", "'25:00:00' is not a time of day as HH:MM:SS")],
)  # fmt: skip
def test_a_forged_cursor_value_no_column_can_hold_is_refused(sort: str, forged: str, message: str) -> None:
    after = encode_cursor([sort], [forged], 1, 1)
    assert refusal([("_sort", sort), ("_after", after)], READINGS_SCHEMA) == {"_after": [message]}


def test_a_cursor_may_hold_what_a_column_holds_that_a_filter_may_not() -> None:
    after = encode_cursor(["antal", "mått"], [str(2**64 - 1), "nan"], 1, 1)
    request = parse_rows_request([("_sort", "antal,mått"), ("_after", after)], READINGS_SCHEMA)
    assert request.after is not None
    assert request.after.values[0] == 2**64 - 1
    assert request.after.values[1] != request.after.values[1]  # NaN


def test_version_is_our_parameter_unless_the_table_has_such_a_column() -> None:
    with_column = {"fields": [{"name": "Version", "type": "integer"}]}
    assert requested_version([("version", "2")], BATHS_SCHEMA) == 2
    assert requested_version([("version", "2")], with_column) is None
    assert parse_rows_request([("version", "2")], BATHS_SCHEMA).version == 2
    assert parse_rows_request([("version", "2")], with_column).filters[0].value == 2

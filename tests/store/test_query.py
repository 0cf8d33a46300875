"""Reading rows: a typed request (parsed from query parameters) read as a page from a real Parquet file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from datatorget.config import Settings
from datatorget.errors import ValidationFailed
from datatorget.store.connection import connect, sql_string
from datatorget.store.params import parse_rows_request
from datatorget.store.query import RowsPage, count_rows, read_rows

BATHS = """
SELECT * FROM (VALUES
    ('Sandviken', 59.12, 17.95, 120, DATE '2024-06-01', true, 'Sand och brygga'),
    ('Badholmen', 59.13, 17.99, NULL, DATE '2024-05-15', false, '=HYPERLINK("x")'),
    ('Ekudden', 59.20, 18.10, 120, NULL, true, 'Klippor, SAND i viken'),
    ('Östra stranden', 59.30, 18.30, 80, DATE '2024-06-01', NULL, NULL),
    ('Norrviken', 60.00, 17.00, 300, DATE '2024-07-01', false, 'Brygga')
) AS t("namn", "latitud", "longitud", "djup cm", "öppnar", "hundar", "kommentar")
"""
BATHS_SCHEMA = {"fields": [
    {"name": "namn", "type": "string"}, {"name": "latitud", "type": "number"},
    {"name": "longitud", "type": "number"}, {"name": "djup cm", "type": "integer"},
    {"name": "öppnar", "type": "date"}, {"name": "hundar", "type": "boolean"},
    {"name": "kommentar", "type": "string"},
]}  # fmt: skip
ALL_NAMES = ["Sandviken", "Badholmen", "Ekudden", "Östra stranden", "Norrviken"]


@pytest.fixture
def duck(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(settings)
    yield connection
    connection.close()


def write_parquet(duck: duckdb.DuckDBPyConnection, path: Path, select: str) -> Path:
    duck.execute(f"COPY ({select}) TO '{sql_string(str(path))}' (FORMAT parquet)")
    return path


@pytest.fixture
def baths(duck: duckdb.DuckDBPyConnection, tmp_path: Path) -> Path:
    return write_parquet(duck, tmp_path / "baths.parquet", BATHS)


def read(
    duck: duckdb.DuckDBPyConnection,
    path: Path,
    params: list[tuple[str, str]],
    schema: dict[str, Any] = BATHS_SCHEMA,
    **options: Any,
) -> RowsPage:
    """A page of version 1 of the table in `path`."""
    return read_rows(duck, path, schema, parse_rows_request(params, schema), version=1, **options)


def names(page: RowsPage) -> list[str]:
    return [row[0] for row in page.rows]


def refusal(params: list[tuple[str, str]], schema: dict[str, Any] = BATHS_SCHEMA) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        parse_rows_request(params, schema)
    return refused.value.errors


# --- filters -------------------------------------------------------------------------------------------


def test_a_column_equal_to_a_value_picks_the_rows_with_that_value(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [("djup cm", "120")])) == ["Sandviken", "Ekudden"]


def test_an_operator_suffix_compares_in_the_columns_type(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [("djup cm__gte", "120"), ("djup cm__lt", "300")])) == [
        "Sandviken",
        "Ekudden",
    ]


def test_dates_are_compared_as_dates(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [("öppnar__gt", "2024-05-31")])) == [
        "Sandviken",
        "Östra stranden",
        "Norrviken",
    ]


def test_in_takes_comma_separated_values(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [("djup cm__in", "80,300")])) == ["Östra stranden", "Norrviken"]


def test_in_takes_a_json_array_for_values_with_commas(duck: Any, baths: Path) -> None:
    page = read(duck, baths, [("kommentar__in", '["Klippor, SAND i viken", "Brygga"]')])
    assert names(page) == ["Ekudden", "Norrviken"]


def test_contains_and_startswith_ignore_case(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [("kommentar__contains", "sand")])) == ["Sandviken", "Ekudden"]
    assert names(read(duck, baths, [("namn__startswith", "öSTRA")])) == ["Östra stranden"]


def test_isnull_finds_the_empty_cells_or_the_filled_ones(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [("hundar__isnull", "true")])) == ["Östra stranden"]
    assert len(read(duck, baths, [("hundar__isnull", "false")]).rows) == 4


def test_ne_keeps_the_rows_whose_cell_is_empty(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [("hundar__ne", "true")])) == ["Badholmen", "Östra stranden", "Norrviken"]


def test_booleans_are_read_in_swedish_and_english(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [("hundar", "ja")])) == names(read(duck, baths, [("hundar", "true")]))


def test_a_column_name_is_found_ignoring_case(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [("NAMN", "Ekudden")])) == ["Ekudden"]


def test_a_column_with_double_underscores_in_its_name_is_filtered_as_a_whole(
    duck: Any, tmp_path: Path
) -> None:
    path = write_parquet(
        duck, tmp_path / "t.parquet", "SELECT 1 AS a, 'x' AS \"a__b\" UNION ALL SELECT 2, 'y'"
    )
    schema = {"fields": [{"name": "a", "type": "integer"}, {"name": "a__b", "type": "string"}]}
    assert read(duck, path, [("a__b", "y")], schema).rows == [(2, "y")]


def test_an_operator_suffix_wins_over_a_column_of_the_whole_name_which_eq_still_reaches(
    duck: Any, tmp_path: Path
) -> None:
    path = write_parquet(
        duck, tmp_path / "t.parquet", "SELECT 1 AS a, 'x' AS \"a__in\" UNION ALL SELECT 2, 'y'"
    )
    schema = {"fields": [{"name": "a", "type": "integer"}, {"name": "a__in", "type": "string"}]}
    assert read(duck, path, [("a__in", "2,3")], schema).rows == [(2, "y")]
    assert read(duck, path, [("a__in__eq", "x")], schema).rows == [(1, "x")]


def test_a_value_that_looks_like_sql_is_only_a_value(duck: Any, baths: Path) -> None:
    assert read(duck, baths, [("namn", "x' OR '1'='1")]).rows == []
    assert len(read(duck, baths, []).rows) == 5


# --- search, sort, columns -----------------------------------------------------------------------------


def test_search_finds_a_word_in_any_text_column_ignoring_case(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [("_q", "BRYGGA")])) == ["Sandviken", "Norrviken"]


def test_every_search_word_must_appear(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [("_q", "brygga sand")])) == ["Sandviken"]


def test_a_quoted_phrase_is_searched_as_one(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [("_q", '"sand i"')])) == ["Ekudden"]


def test_the_default_order_is_the_files_row_order(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [])) == ALL_NAMES


def test_sort_takes_several_columns_and_puts_empty_cells_last(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [("_sort", "-djup cm,namn")])) == [
        "Norrviken", "Ekudden", "Sandviken", "Östra stranden", "Badholmen"
    ]  # fmt: skip


def test_cols_chooses_the_columns_and_their_order(duck: Any, baths: Path) -> None:
    page = read(duck, baths, [("_cols", "djup cm,namn"), ("namn", "Ekudden")])
    assert ([c.name for c in page.columns], page.rows) == (["djup cm", "namn"], [(120, "Ekudden")])


def test_cols_may_be_repeated(duck: Any, baths: Path) -> None:
    page = read(duck, baths, [("_cols", "namn"), ("_cols", "öppnar"), ("_size", "1")])
    assert page.rows == [("Sandviken", date(2024, 6, 1))]


# --- paging --------------------------------------------------------------------------------------------


TIES = """
SELECT * FROM (VALUES (1, 'b', 2.0), (2, NULL, 1.0), (3, 'a', NULL), (4, 'b', 1.0), (5, NULL, NULL),
                      (6, 'a', 2.0), (7, 'b', 1.0), (8, 'c', NULL), (9, NULL, 3.0), (10, 'a', 1.0))
AS t(id, letter, score)
"""
TIES_SCHEMA = {"fields": [{"name": "id", "type": "integer"}, {"name": "letter", "type": "string"},
                          {"name": "score", "type": "number"}]}  # fmt: skip


@pytest.mark.parametrize("sort", ["", "letter", "-letter", "score,-letter", "-score,letter", "letter,-score"])
def test_keyset_pages_give_every_row_once_in_order_despite_ties_and_empty_cells(
    duck: Any, tmp_path: Path, sort: str
) -> None:
    path = write_parquet(duck, tmp_path / "ties.parquet", TIES)
    whole = read(duck, path, [("_sort", sort)], TIES_SCHEMA).rows
    paged: list[tuple[Any, ...]] = []
    after: str | None = None
    while True:
        page = read(duck, path, [("_sort", sort), ("_size", "3"), *([("_after", after)] if after else [])],
                    TIES_SCHEMA)  # fmt: skip
        paged += page.rows
        if (after := page.next_cursor) is None:
            break
    assert paged == whole
    assert sorted(row[0] for row in paged) == list(range(1, 11))


def test_offset_pages_skip_rows(duck: Any, baths: Path) -> None:
    page = read(duck, baths, [("_offset", "3"), ("_size", "1")])
    assert (names(page), page.next_offset) == (["Östra stranden"], 4)


def test_the_last_page_has_no_next_cursor(duck: Any, baths: Path) -> None:
    assert read(duck, baths, [("_offset", "4"), ("_size", "1")]).next_cursor is None


def test_a_changed_cursor_is_refused(duck: Any, baths: Path) -> None:
    cursor = read(duck, baths, [("_size", "2")]).next_cursor
    assert cursor is not None
    changed = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]

    assert refusal([("_after", changed)]) == {
        "_after": ["not a valid cursor: use the next_cursor of a page as it is"]
    }
    assert refusal([("_after", "not a cursor!")]) == {
        "_after": ["not a valid cursor: use the next_cursor of a page as it is"]
    }


def test_a_cursor_of_another_sort_order_is_refused(duck: Any, baths: Path) -> None:
    cursor = read(duck, baths, [("_size", "2"), ("_sort", "namn")]).next_cursor
    assert cursor is not None
    assert refusal([("_after", cursor)]) == {"_after": ["this cursor belongs to another sort order (_sort)"]}


def test_after_and_offset_together_are_refused(duck: Any, baths: Path) -> None:
    cursor = read(duck, baths, [("_size", "2")]).next_cursor
    assert cursor is not None
    assert refusal([("_after", cursor), ("_offset", "1")]) == {
        "_offset": ["use either _after or _offset, not both"]
    }


def test_a_page_of_an_unfiltered_table_has_the_version_row_count_as_total(duck: Any, baths: Path) -> None:
    assert read(duck, baths, [("_size", "2")], row_count=5).total == 5


def test_a_filtered_total_is_counted_only_when_asked(duck: Any, baths: Path) -> None:
    assert read(duck, baths, [("hundar", "true"), ("_size", "1")]).total is None
    assert read(duck, baths, [("hundar", "true"), ("_size", "1"), ("_total", "true")]).total == 2


def test_a_first_page_that_holds_every_match_knows_the_total(duck: Any, baths: Path) -> None:
    assert read(duck, baths, [("hundar", "true")]).total == 2


def test_a_filtered_total_is_counted_up_to_a_limit_and_unknown_beyond(duck: Any, baths: Path) -> None:
    wet = [("hundar__isnull", "false"), ("_size", "1")]  # four rows
    assert read(duck, baths, wet, count_limit=4).total == 4
    assert read(duck, baths, wet, count_limit=3).total is None
    assert read(duck, baths, [*wet, ("_total", "true")], count_limit=3).total == 4


def test_the_last_page_reached_by_offset_knows_the_total(duck: Any, baths: Path) -> None:
    assert read(duck, baths, [("hundar__isnull", "false"), ("_size", "3"), ("_offset", "3")]).total == 4
    assert read(duck, baths, [("hundar__isnull", "false"), ("_offset", "9")]).total is None


def test_the_next_cursor_holds_the_version_of_the_page(duck: Any, baths: Path) -> None:
    request = parse_rows_request([("_size", "2")], BATHS_SCHEMA)
    cursor = read_rows(duck, baths, BATHS_SCHEMA, request, version=3).next_cursor
    assert cursor is not None
    assert parse_rows_request([("_after", cursor)], BATHS_SCHEMA).version == 3


def test_a_cursor_read_against_another_version_is_refused(duck: Any, baths: Path) -> None:
    cursor = read(duck, baths, [("_size", "2")]).next_cursor
    assert cursor is not None
    request = parse_rows_request([("_after", cursor)], BATHS_SCHEMA)
    with pytest.raises(ValidationFailed) as refused:
        read_rows(duck, baths, BATHS_SCHEMA, request, version=2)
    assert refused.value.errors == {"_after": ["the cursor belongs to version 1"]}


def test_keyset_pages_sorted_by_unsigned_64_bit_integers_reach_the_largest(duck: Any, tmp_path: Path) -> None:
    path = write_parquet(duck, tmp_path / "u.parquet", "SELECT * FROM (VALUES (18446744073709551615::UBIGINT), "
                         "(9223372036854775808::UBIGINT), (1::UBIGINT), (NULL::UBIGINT)) AS t(n)")  # fmt: skip
    schema = {"fields": [{"name": "n", "type": "integer"}]}
    paged: list[tuple[Any, ...]] = []
    after: str | None = None
    while True:
        page = read(
            duck, path, [("_sort", "-n"), ("_size", "1"), *([("_after", after)] if after else [])], schema
        )
        paged += page.rows
        if (after := page.next_cursor) is None:
            break
    assert paged == [(2**64 - 1,), (2**63,), (1,), (None,)]


def test_count_rows_counts_the_whole_result_after_the_offset_within_the_size(duck: Any, baths: Path) -> None:
    def count(params: list[tuple[str, str]]) -> int:
        return count_rows(duck, baths, BATHS_SCHEMA, parse_rows_request(params, BATHS_SCHEMA, max_size=None))

    assert [count([]), count([("_offset", "1")]), count([("_size", "2")]), count([("hundar", "false")])] == [
        5,
        4,
        2,
        2,
    ]


def test_a_table_with_a_column_named_file_row_number_still_pages_in_file_order(
    duck: Any, tmp_path: Path
) -> None:
    path = write_parquet(duck, tmp_path / "t.parquet", "SELECT 10 - i AS file_row_number FROM range(5) t(i)")
    schema = {"fields": [{"name": "file_row_number", "type": "integer"}]}
    first = read(duck, path, [("_size", "2")], schema)
    second = read(duck, path, [("_size", "2"), ("_after", first.next_cursor or "")], schema)
    assert first.rows + second.rows == [(10,), (9,), (8,), (7,)]


# --- places --------------------------------------------------------------------------------------------


def test_bbox_picks_rows_whose_longitude_and_latitude_are_within(duck: Any, baths: Path) -> None:
    assert names(read(duck, baths, [("_bbox", "17.9,59.1,18.0,59.15")])) == ["Sandviken", "Badholmen"]


def test_bbox_picks_rows_whose_geojson_geometry_intersects(duck: Any, tmp_path: Path) -> None:
    path = write_parquet(
        duck,
        tmp_path / "g.parquet",
        """SELECT * FROM (VALUES
        ('punkt', '{"type":"Point","coordinates":[18.0,59.3]}'),
        ('linje', '{"type":"LineString","coordinates":[[17.0,59.3],[19.0,59.3]]}'),
        ('långt bort', '{"type":"Point","coordinates":[11.9,57.7]}'),
        ('trasig', '{"not":"geometry"}'), ('tom', NULL)) AS t(namn, plats)""",
    )
    schema = {"fields": [{"name": "namn", "type": "string"}, {"name": "plats", "type": "geojson"}]}
    assert names(read(duck, path, [("_bbox", "17.9,59.2,18.1,59.4")], schema)) == ["punkt", "linje"]


def test_geojson_cells_are_given_as_json_text(duck: Any, tmp_path: Path) -> None:
    path = write_parquet(
        duck, tmp_path / "g.parquet", """SELECT '{"type":"Point","coordinates":[1,2]}' AS plats"""
    )
    schema = {"fields": [{"name": "plats", "type": "geojson"}]}
    assert read(duck, path, [], schema).rows == [('{"type":"Point","coordinates":[1,2]}',)]


# --- versions and typed files --------------------------------------------------------------------------


def test_columns_of_a_typed_upload_are_read_in_their_table_schema_types(duck: Any, tmp_path: Path) -> None:
    path = write_parquet(
        duck,
        tmp_path / "typed.parquet",
        """SELECT 1.25::DECIMAL(10, 2) AS pris,
        TIMESTAMPTZ '2024-01-01 12:00:00+02' AS tid, {'a': 1} AS egenskaper, [1, 2] AS lista,
        uuid() AS id, 10::HUGEINT AS antal""",
    )
    schema = {"fields": [{"name": "pris", "type": "number"}, {"name": "tid", "type": "datetime"},
                         {"name": "egenskaper", "type": "object"}, {"name": "lista", "type": "array"},
                         {"name": "id", "type": "string"}, {"name": "antal", "type": "integer"}]}  # fmt: skip
    page = read(duck, path, [("tid__gte", "2024-01-01T10:00:00Z"), ("_sort", "tid")], schema)
    pris, tid, egenskaper, lista, id_, antal = page.rows[0]
    assert (pris, tid.isoformat(), egenskaper, lista, antal) == (
        1.25,
        "2024-01-01T10:00:00",
        '{"a":1}',
        "[1,2]",
        10,
    )
    assert isinstance(id_, str)

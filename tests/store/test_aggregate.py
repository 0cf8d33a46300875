"""Summaries of the filtered rows: group-by with aggregates, and facet counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from datatorget.config import Settings
from datatorget.errors import ValidationFailed
from datatorget.store.aggregate import (
    AggregateResult,
    FacetResult,
    aggregate_rows,
    facet_counts,
    parse_aggregate_request,
    parse_facet_request,
)
from datatorget.store.connection import connect, sql_string
from datatorget.store.params import Column

SCHOOLS = """
SELECT * FROM (VALUES
    ('Ekskolan', 'Norr', 'kommunal', 120, 3.5, '{"a":1}'),
    ('Björkskolan', 'Norr', 'fristående', 80, 4.0, NULL),
    ('Lindskolan', 'Söder', 'kommunal', 200, NULL, NULL),
    ('Askskolan', 'Söder', 'kommunal', NULL, 2.5, NULL),
    ('Almskolan', NULL, 'fristående', 40, 5.0, NULL)
) AS t("namn", "område", "huvudman", "elever", "betyg", "extra")
"""
SCHOOLS_SCHEMA = {"fields": [
    {"name": "namn", "type": "string"}, {"name": "område", "type": "string"},
    {"name": "huvudman", "type": "string"}, {"name": "elever", "type": "integer"},
    {"name": "betyg", "type": "number"}, {"name": "extra", "type": "object"},
]}  # fmt: skip


@pytest.fixture
def duck(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(settings)
    yield connection
    connection.close()


@pytest.fixture
def schools(duck: duckdb.DuckDBPyConnection, tmp_path: Path) -> Path:
    path = tmp_path / "schools.parquet"
    duck.execute(f"COPY ({SCHOOLS}) TO '{sql_string(str(path))}' (FORMAT parquet)")
    return path


def aggregate(duck: duckdb.DuckDBPyConnection, path: Path, params: list[tuple[str, str]]) -> AggregateResult:
    return aggregate_rows(duck, path, SCHOOLS_SCHEMA, parse_aggregate_request(params, SCHOOLS_SCHEMA))


def facet(duck: duckdb.DuckDBPyConnection, path: Path, params: list[tuple[str, str]]) -> FacetResult:
    return facet_counts(duck, path, SCHOOLS_SCHEMA, parse_facet_request(params, SCHOOLS_SCHEMA))


def refusal(params: list[tuple[str, str]], *, facets: bool = False) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        (parse_facet_request if facets else parse_aggregate_request)(params, SCHOOLS_SCHEMA)
    return refused.value.errors


def test_rows_are_counted_per_group_with_empty_groups_last(duck: Any, schools: Path) -> None:
    result = aggregate(duck, schools, [("_group", "område")])
    assert result.columns == (Column("område", "string"), Column("count", "integer"))
    assert (result.rows, result.truncated) == ([("Norr", 2), ("Söder", 2), (None, 1)], False)


def test_sum_avg_min_max_and_count_of_a_column_are_named_as_asked(duck: Any, schools: Path) -> None:
    result = aggregate(
        duck,
        schools,
        [("_group", "huvudman"), ("_agg", "sum:elever,avg:betyg,min:namn,max:elever,count:elever")],
    )
    assert [c.name for c in result.columns] == [
        "huvudman", "sum:elever", "avg:betyg", "min:namn", "max:elever", "count:elever"
    ]  # fmt: skip
    assert result.rows == [
        ("fristående", 120, 4.5, "Almskolan", 80, 2),
        ("kommunal", 320, 3.0, "Askskolan", 200, 2),
    ]


def test_without_groups_the_whole_table_is_one_row(duck: Any, schools: Path) -> None:
    assert aggregate(duck, schools, [("_agg", "count,sum:elever")]).rows == [(5, 440)]


def test_filters_pick_the_rows_before_they_are_grouped(duck: Any, schools: Path) -> None:
    result = aggregate(duck, schools, [("_group", "område"), ("elever__gte", "100"), ("_q", "skolan")])
    assert result.rows == [("Norr", 1), ("Söder", 1)]


def test_groups_can_be_sorted_by_an_aggregate(duck: Any, schools: Path) -> None:
    result = aggregate(duck, schools, [("_group", "område"), ("_agg", "sum:elever"), ("_sort", "sum:elever")])
    assert result.rows == [(None, 40), ("Norr", 200), ("Söder", 200)]  # ties by the group columns


def test_the_size_limits_the_groups_and_says_so(duck: Any, schools: Path) -> None:
    result = aggregate(duck, schools, [("_group", "namn"), ("_size", "2")])
    assert (result.rows, result.truncated) == ([("Almskolan", 1), ("Askskolan", 1)], True)


def test_sum_and_avg_of_a_text_column_are_refused() -> None:
    assert refusal([("_agg", "sum:namn,avg:område")]) == {
        "_agg": ["sum needs a numeric column, and 'namn' is string"]
    }


def test_an_unknown_aggregate_function_is_refused() -> None:
    assert refusal([("_agg", "median:elever")]) == {
        "_agg": ["'median:elever' is not an aggregate: use count, sum, avg, min, max as function:column"]
    }


def test_grouping_by_an_unknown_or_json_column_is_refused() -> None:
    assert refusal([("_group", "skola")]) == {"_group": ["the table has no column named 'skola'"]}
    assert refusal([("_group", "extra")]) == {"_group": ["a object column ('extra') cannot be grouped by"]}


def test_sorting_by_something_not_in_the_result_is_refused() -> None:
    assert refusal([("_group", "område"), ("_sort", "elever")]) == {
        "_sort": ["'elever' is not a column of the result: sort by område, count"]
    }


def test_parameters_of_pages_are_refused_by_aggregate() -> None:
    assert list(refusal([("_group", "område"), ("_cols", "namn")])) == ["_cols"]


def test_facet_counts_values_most_common_first_then_by_value(duck: Any, schools: Path) -> None:
    result = facet(duck, schools, [("_facet", "huvudman")])
    assert (result.column, result.values, result.truncated) == (
        Column("huvudman", "string"), [("kommunal", 3), ("fristående", 2)], False
    )  # fmt: skip


def test_facet_counts_empty_cells_as_a_value(duck: Any, schools: Path) -> None:
    assert facet(duck, schools, [("_facet", "område")]).values == [("Norr", 2), ("Söder", 2), (None, 1)]


def test_facet_takes_filters_and_a_size(duck: Any, schools: Path) -> None:
    result = facet(duck, schools, [("_facet", "namn"), ("huvudman", "kommunal"), ("_size", "2")])
    assert (result.values, result.truncated) == ([("Askskolan", 1), ("Ekskolan", 1)], True)


@pytest.mark.parametrize(
    ("params", "errors"),
    [([], {"_facet": ["name the column to count the values of: _facet=column"]}),
     ([("_facet", "extra")], {"_facet": ["a object column ('extra') cannot be faceted"]}),
     ([("_facet", "namn"), ("_size", "0")], {"_size": ["must be a whole number from 1 to 1000"]}),
     ([("_facet", "namn"), ("_facet", "område")], {"_facet": ["given more than once"]})],
)  # fmt: skip
def test_a_facet_without_a_usable_column_or_size_is_refused(
    params: list[tuple[str, str]], errors: dict[str, list[str]]
) -> None:
    assert refusal(params, facets=True) == errors

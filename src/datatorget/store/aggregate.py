"""Summaries of the rows a request's filters pick: group-by with aggregates, and facet counts.

- `_group=col1,col2&_agg=count,sum:col,avg:col,min:col,max:col,count:col` (+ filters, `_q`, `_bbox`,
  `_version`; `_sort` over the result's column names, `_size` groups): one row per group.
- `_facet=col` (+ the same filters; `_size` values): the most common values of a column with their counts.

Like the rows, the parameters are parsed into a typed request first (ValidationFailed when invalid), then
read with one DuckDB query whose values are all bound parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from datatorget.errors import ValidationFailed
from datatorget.store.params import (
    FILTER_PARAMETERS,
    JSON_TYPES,
    NUMERIC_TYPES,
    Column,
    Columns,
    RowsRequest,
    parse_rows_request,
    schema_columns,
    split_list,
)
from datatorget.store.query import open_table, where_clause
from datatorget.store.values import Invalid

FUNCTIONS = ("count", "sum", "avg", "min", "max")
MAX_GROUP_COLUMNS = 10
MAX_AGGREGATES = 50
DEFAULT_GROUPS = 1_000
MAX_GROUPS = 10_000
DEFAULT_FACET_VALUES = 20
MAX_FACET_VALUES = 1_000

T = TypeVar("T")


@dataclass(frozen=True)
class Aggregate:
    """`count` (rows), or a function of a column: `count:col` (non-empty cells), `sum:col`, ..."""

    function: str
    column: Column | None = None

    @property
    def name(self) -> str:
        return self.function if self.column is None else f"{self.function}:{self.column.name}"

    @property
    def type(self) -> str:
        if self.function == "count":
            return "integer"
        if self.function == "avg":
            return "number"
        assert self.column is not None
        return self.column.type


@dataclass(frozen=True)
class AggregateRequest:
    rows: RowsRequest  # the filters
    group: tuple[Column, ...]
    aggregates: tuple[Aggregate, ...]
    sort: tuple[tuple[int, bool], ...]  # (result column index, descending)
    size: int


@dataclass(frozen=True)
class AggregateResult:
    columns: tuple[Column, ...]  # the group columns, then one per aggregate (named as asked)
    rows: list[tuple[Any, ...]]
    truncated: bool  # there were more groups than `size`


@dataclass(frozen=True)
class FacetRequest:
    rows: RowsRequest
    column: Column
    size: int


@dataclass(frozen=True)
class FacetResult:
    column: Column
    values: list[tuple[Any, int]]  # (value, count), most common first; the empty value is None
    truncated: bool  # the column has more values than `size`


# --- parsing -------------------------------------------------------------------------------------------


def parse_aggregate_request(params: Sequence[tuple[str, str]], schema: Mapping[str, Any]) -> AggregateRequest:
    """The group-by the parameters ask for; ValidationFailed when invalid."""
    own = _own(params, ("_group", "_agg", "_sort", "_size"), repeatable=("_group", "_agg", "_sort"))
    rows = parse_rows_request(
        params, schema, accept=FILTER_PARAMETERS, ignore={"_group", "_agg", "_sort", "_size"}
    )
    columns = Columns(schema_columns(schema))
    errors: dict[str, list[str]] = {}
    group = _attempt(errors, "_group", lambda: _parse_group(own.get("_group", []), columns)) or ()
    aggregates = (
        _attempt(errors, "_agg", lambda: _parse_aggregates(own.get("_agg", ["count"]), columns)) or ()
    )
    size = _attempt(errors, "_size", lambda: _parse_size(own.get("_size"), DEFAULT_GROUPS, MAX_GROUPS))
    names = [c.name for c in group] + [a.name for a in aggregates]
    if len(set(names)) < len(names):
        errors.setdefault("_agg", []).append(
            "a group column has the name of an aggregate: count a column instead (count:column)"
        )
    sort = _attempt(errors, "_sort", lambda: _parse_sort(own.get("_sort", []), names)) or ()
    if errors:
        raise ValidationFailed(errors)
    return AggregateRequest(rows, group, aggregates, sort, size or DEFAULT_GROUPS)


def parse_facet_request(params: Sequence[tuple[str, str]], schema: Mapping[str, Any]) -> FacetRequest:
    """The facet the parameters ask for: one column's values; ValidationFailed when invalid."""
    own = _own(params, ("_facet", "_size"), repeatable=())
    rows = parse_rows_request(params, schema, accept=FILTER_PARAMETERS, ignore={"_facet", "_size"})
    errors: dict[str, list[str]] = {}
    column = _attempt(errors, "_facet", lambda: _parse_facet(own.get("_facet"), Columns(rows.table_columns)))
    size = _attempt(
        errors, "_size", lambda: _parse_size(own.get("_size"), DEFAULT_FACET_VALUES, MAX_FACET_VALUES)
    )
    if errors or column is None:
        raise ValidationFailed(errors)
    return FacetRequest(rows, column, size or DEFAULT_FACET_VALUES)


def _own(
    params: Sequence[tuple[str, str]], names: Sequence[str], *, repeatable: Sequence[str]
) -> dict[str, Any]:
    """The values of these parameters (empty ones left out); lists for the repeatable ones."""
    found: dict[str, Any] = {}
    for name, value in params:
        if name not in names or not value.strip():
            continue
        if name in repeatable:
            found.setdefault(name, []).append(value)
        elif name in found:
            raise ValidationFailed({name: ["given more than once"]})
        else:
            found[name] = value
    return found


def _attempt(errors: dict[str, list[str]], key: str, parse: Callable[[], T]) -> T | None:
    """What `parse` gives, or None with its complaint added to `errors`."""
    try:
        return parse()
    except Invalid as exc:
        errors.setdefault(key, []).append(str(exc))
        return None


def _parse_group(values: Sequence[str], columns: Columns) -> tuple[Column, ...]:
    chosen = [columns.get(name) for value in values for name in split_list(value, MAX_GROUP_COLUMNS)]
    if len(chosen) > MAX_GROUP_COLUMNS:
        raise Invalid(f"at most {MAX_GROUP_COLUMNS} columns")
    if len(set(chosen)) < len(chosen):
        raise Invalid("a column is named more than once")
    for column in chosen:
        if column.type in JSON_TYPES:
            raise Invalid(f"a {column.type} column ('{column.name}') cannot be grouped by")
    return tuple(chosen)


def _parse_aggregates(values: Sequence[str], columns: Columns) -> tuple[Aggregate, ...]:
    """`count`, `count:col`, `sum:col`, `avg:col`, `min:col`, `max:col`, comma-separated."""
    found = [
        _parse_aggregate(item, columns) for value in values for item in split_list(value, MAX_AGGREGATES)
    ]
    if len(found) > MAX_AGGREGATES:
        raise Invalid(f"at most {MAX_AGGREGATES} aggregates")
    if len(set(found)) < len(found):
        raise Invalid("an aggregate is asked for more than once")
    return tuple(found)


def _parse_aggregate(item: str, columns: Columns) -> Aggregate:
    function, _, name = item.partition(":")
    if function not in FUNCTIONS:
        raise Invalid(f"'{item}' is not an aggregate: use {', '.join(FUNCTIONS)} as function:column")
    if not name:
        if function != "count":
            raise Invalid(f"{function} needs a column: {function}:column")
        return Aggregate("count")
    column = columns.get(name)
    if function in ("sum", "avg") and column.type not in NUMERIC_TYPES:
        raise Invalid(f"{function} needs a numeric column, and '{column.name}' is {column.type}")
    if function in ("min", "max") and column.type in JSON_TYPES:
        raise Invalid(f"a {column.type} column ('{column.name}') has no {function}")
    return Aggregate(function, column)


def _parse_sort(values: Sequence[str], names: Sequence[str]) -> tuple[tuple[int, bool], ...]:
    keys = []
    for item in (i for value in values for i in split_list(value, len(names))):
        descending = item.startswith("-")
        name = item[1:] if descending else item
        if name not in names:
            raise Invalid(f"'{name}' is not a column of the result: sort by {', '.join(names)}")
        keys.append((names.index(name), descending))
    if len({index for index, _ in keys}) < len(keys):
        raise Invalid("a column is named more than once")
    return tuple(keys)


def _parse_facet(value: str | None, columns: Columns) -> Column:
    if value is None:
        raise Invalid("name the column to count the values of: _facet=column")
    column = columns.get(value)
    if column.type in JSON_TYPES:
        raise Invalid(f"a {column.type} column ('{column.name}') cannot be faceted")
    return column


def _parse_size(value: str | None, default: int, largest: int) -> int:
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or len(value) > 7 or not 1 <= int(value) <= largest:
        raise Invalid(f"must be a whole number from 1 to {largest}")
    return int(value)


# --- reading -------------------------------------------------------------------------------------------


def aggregate_rows(
    cursor: duckdb.DuckDBPyConnection, path: Path, schema: Mapping[str, Any], request: AggregateRequest
) -> AggregateResult:
    """One row per group (one row in all without groups), in the requested order, group columns first."""
    table = open_table(cursor, path, schema)
    groups = [table.expression(c.name) for c in request.group]
    values = ["count(*)" if a.column is None else f"{a.function}({table.expression(a.column.name)})"
              for a in request.aggregates]  # fmt: skip
    where = where_clause(table, request.rows)
    sql = f"SELECT {', '.join([*groups, *values])} FROM {table.source}{where.sql}"
    if groups:
        positions = range(1, len(groups) + 1)
        order = [f"{i + 1} {'DESC' if d else 'ASC'} NULLS LAST" for i, d in request.sort]
        order += [f"{p} ASC NULLS LAST" for p in positions if (p - 1) not in {i for i, _ in request.sort}]
        sql += f" GROUP BY {', '.join(map(str, positions))} ORDER BY {', '.join(order)} LIMIT ?"
    fetched = cursor.execute(sql, [*where.params, request.size + 1] if groups else where.params).fetchall()
    columns = (*request.group, *(Column(a.name, a.type) for a in request.aggregates))
    return AggregateResult(columns, fetched[: request.size], truncated=len(fetched) > request.size)


def facet_counts(
    cursor: duckdb.DuckDBPyConnection, path: Path, schema: Mapping[str, Any], request: FacetRequest
) -> FacetResult:
    """The column's most common values among the picked rows, with their counts (ties by value)."""
    table = open_table(cursor, path, schema)
    where = where_clause(table, request.rows)
    fetched = cursor.execute(
        f"SELECT {table.expression(request.column.name)}, count(*) FROM {table.source}{where.sql} "
        "GROUP BY 1 ORDER BY 2 DESC, 1 ASC NULLS LAST LIMIT ?",
        [*where.params, request.size + 1],
    ).fetchall()
    values = [(value, int(count)) for value, count in fetched[: request.size]]
    return FacetResult(request.column, values, truncated=len(fetched) > request.size)

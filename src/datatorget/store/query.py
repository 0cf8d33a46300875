"""Rows of a table version read with DuckDB: a typed request (store.params) as SQL, and its answers.

`read_rows` gives a page (with the cursor of the next), `count_rows` the size of a whole result,
`export_query` the SQL of a whole result for the downloads (store.export), `where_clause` the rows the
filters pick for the summaries (store.aggregate). The JSON API and the HTML table page both read through
here, so they never disagree. Nothing here knows HTTP.

Column names are quoted and every value is bound as a parameter. A version's file never changes, so its
columns' DuckDB types are read once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from datatorget.errors import ValidationFailed
from datatorget.store.connection import identifier, sql_string
from datatorget.store.cursor import encode_cursor
from datatorget.store.params import (
    JSON_TYPES,
    After,
    BBox,
    Column,
    Filter,
    Geometry,
    RowsRequest,
    SortKey,
    find_geometry,
    schema_columns,
)

COMPARISONS = {"eq": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}

# DuckDB types a column of each Table Schema type is read as it is; any other is cast (see _expression).
NATURAL_TYPES = {
    "integer": frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
                          "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}),
    "number": frozenset({"DOUBLE"}), "boolean": frozenset({"BOOLEAN"}), "date": frozenset({"DATE"}),
    "datetime": frozenset({"TIMESTAMP"}), "time": frozenset({"TIME"}), "string": frozenset({"VARCHAR"}),
}  # fmt: skip
CAST_TO = {"integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE",
           "datetime": "TIMESTAMP", "time": "TIME", "string": "VARCHAR"}  # fmt: skip


@dataclass(frozen=True)
class RowsPage:
    """One page of rows; `rows` hold the values of `columns` (JSON columns as JSON text)."""

    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]
    next_cursor: str | None
    next_offset: int | None
    total: int | None


# --- SQL -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    sql: str
    params: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Table:
    """A version's Parquet file as DuckDB reads it: a FROM clause, and SQL for each column's value and for
    a row's position in the file."""

    columns: tuple[Column, ...]
    source: str
    row_number: str
    expressions: Mapping[str, str]

    def expression(self, name: str) -> str:
        return self.expressions[name]

    def geometry(self) -> Geometry | None:
        return find_geometry(self.columns)


_DUCKDB_TYPES: dict[str, dict[str, str]] = {}  # path -> column -> DuckDB type; files are never changed
_DUCKDB_TYPES_KEPT = 4096


def open_table(cursor: duckdb.DuckDBPyConnection, path: Path, schema: Mapping[str, Any]) -> Table:
    """How to read the file: its columns' DuckDB types are read once per file (it never changes)."""
    key = str(path)
    types = _DUCKDB_TYPES.get(key)
    if types is None:
        described = cursor.execute(f"DESCRIBE SELECT * FROM read_parquet('{sql_string(key)}')").fetchall()
        types = {str(row[0]): str(row[1]) for row in described}
        if len(_DUCKDB_TYPES) >= _DUCKDB_TYPES_KEPT:
            _DUCKDB_TYPES.clear()
        _DUCKDB_TYPES[key] = types
    columns = schema_columns(schema)
    source, row_number = f"read_parquet('{sql_string(key)}')", "file_row_number"
    if any(name.casefold() == "file_row_number" for name in types):
        # The file's own column hides DuckDB's virtual one: number the rows, in file order, ourselves.
        row_number = identifier(_free_name(types, "datatorget_row"))
        source = f"(SELECT *, row_number() OVER () - 1 AS {row_number} FROM {source})"
    expressions = {c.name: _expression(c, types.get(c.name, "VARCHAR")) for c in columns}
    return Table(columns, source, row_number, expressions)


def _free_name(taken: Collection[str], base: str) -> str:
    folded = {name.casefold() for name in taken}
    counter = 0
    while f"{base}_{counter}" in folded:
        counter += 1
    return f"{base}_{counter}"


def _expression(column: Column, duckdb_type: str) -> str:
    """SQL for the column's value in its Table Schema type, whatever type the file stores it in: JSON
    columns as JSON text, times with a time zone in UTC, other unusual types cast."""
    quoted = identifier(column.name)
    if column.type in JSON_TYPES:
        if duckdb_type in ("VARCHAR", "JSON"):
            return (
                f"CASE WHEN json_valid({quoted}) THEN {quoted}::VARCHAR ELSE to_json({quoted})::VARCHAR END"
            )
        return f"to_json({quoted})::VARCHAR"
    if duckdb_type in NATURAL_TYPES.get(column.type, ()):
        return quoted
    if column.type == "datetime" and duckdb_type == "TIMESTAMP WITH TIME ZONE":
        return f"timezone('UTC', {quoted})"
    return f"TRY_CAST({quoted} AS {CAST_TO.get(column.type, 'VARCHAR')})"


def where_clause(table: Table, request: RowsRequest, *, paging: bool = True) -> Query:
    """` WHERE ...` for the filters, the search, the bbox and (when `paging`) the cursor; or nothing."""
    parts: list[Query] = [_filter_sql(table, f) for f in request.filters]
    parts += [_search_sql(table, word) for word in request.search]
    if request.bbox is not None:
        parts.append(_bbox_sql(table, request.bbox))
    if paging and request.after is not None:
        parts.append(_after_sql(table, request.sort, request.after))
    if not parts:
        return Query("")
    return Query(" WHERE " + " AND ".join(f"({p.sql})" for p in parts), [v for p in parts for v in p.params])


def _filter_sql(table: Table, f: Filter) -> Query:
    value = table.expression(f.column.name)
    if f.op in COMPARISONS:
        return Query(f"{value} {COMPARISONS[f.op]} ?", [f.value])
    if f.op == "ne":
        return Query(f"{value} IS DISTINCT FROM ?", [f.value])
    if f.op == "in":
        return Query(f"{value} IN ({', '.join('?' for _ in f.value)})", list(f.value))
    if f.op == "isnull":
        return Query(f"{value} IS {'' if f.value else 'NOT '}NULL")
    function = "contains" if f.op == "contains" else "starts_with"
    return Query(f"{function}(lower(CAST({value} AS VARCHAR)), lower(?))", [f.value])


def _search_sql(table: Table, word: str) -> Query:
    texts = [table.expression(c.name) for c in table.columns if c.type == "string"]
    return Query(" OR ".join(f"contains(lower({t}), lower(?))" for t in texts), [word] * len(texts))


def _bbox_sql(table: Table, bbox: BBox) -> Query:
    geometry = table.geometry()
    assert geometry is not None  # the parser refuses a bbox for a table without one
    if geometry.geojson is not None:
        shape = f"TRY(ST_GeomFromGeoJSON({table.expression(geometry.geojson)}))"
        return Query(f"ST_Intersects({shape}, ST_MakeEnvelope(?, ?, ?, ?))",
                     [bbox.min_x, bbox.min_y, bbox.max_x, bbox.max_y])  # fmt: skip
    assert geometry.longitude is not None and geometry.latitude is not None
    x, y = table.expression(geometry.longitude), table.expression(geometry.latitude)
    return Query(
        f"{x} BETWEEN ? AND ? AND {y} BETWEEN ? AND ?", [bbox.min_x, bbox.max_x, bbox.min_y, bbox.max_y]
    )


def _after_sql(table: Table, sort: Sequence[SortKey], after: After) -> Query:
    """Rows that come after the cursor in the order (sort keys with NULLS LAST, then file position)."""
    keys = [
        (table.expression(k.column.name), k.descending, v) for k, v in zip(sort, after.values, strict=True)
    ]
    keys.append((table.row_number, False, after.row))
    clauses: list[str] = []
    params: list[Any] = []
    for index, (value, descending, at) in enumerate(keys):
        if at is None:
            continue  # nothing but NULLs comes after a NULL, and those are equal on this key
        same = [f"{v} IS NULL" if a is None else f"{v} = ?" for v, _d, a in keys[:index]]
        params += [a for _v, _d, a in keys[:index] if a is not None]
        clauses.append(" AND ".join([*same, f"({value} {'<' if descending else '>'} ? OR {value} IS NULL)"]))
        params.append(at)
    return Query(" OR ".join(f"({c})" for c in clauses), params)


def order_clause(table: Table, sort: Sequence[SortKey]) -> str:
    keys = [f"{table.expression(k.column.name)} {'DESC' if k.descending else 'ASC'} NULLS LAST" for k in sort]
    return " ORDER BY " + ", ".join([*keys, table.row_number])


def select_query(
    table: Table, request: RowsRequest, expressions: Sequence[str], *, limit: int | None
) -> Query:
    """SELECT the expressions from the rows the request picks, in its order, after its cursor and offset.
    Without a sort or a limit the ORDER BY is left out: DuckDB keeps the file's order then
    (`preserve_insertion_order`, see connection.py), and a whole table needs no sorting."""
    if not request.is_filtered and not request.sort:
        return _row_range_query(table, request, expressions, limit=limit)
    where = where_clause(table, request)
    sql = f"SELECT {', '.join(expressions)} FROM {table.source}{where.sql}"
    if request.sort or limit is not None or request.offset:
        sql += order_clause(table, request.sort)
    params = list(where.params)
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    if request.offset:
        sql += " OFFSET ?"
        params.append(request.offset)
    return Query(sql, params)


def _row_range_query(
    table: Table, request: RowsRequest, expressions: Sequence[str], *, limit: int | None
) -> Query:
    """Unfiltered rows in file order are a range of row numbers: asked for as one, DuckDB reads only the
    row groups that hold it (a page deep in a large table costs what the first one does)."""
    start = request.offset + (request.after.row + 1 if request.after is not None else 0)
    sql = f"SELECT {', '.join(expressions)} FROM {table.source}"
    if limit is None:
        return Query(sql + f" WHERE {table.row_number} >= ?", [start]) if start else Query(sql)
    where = f" WHERE {table.row_number} >= ? AND {table.row_number} < ?"
    return Query(sql + where + order_clause(table, ()) + " LIMIT ?", [start, start + limit, limit])


def export_query(table: Table, request: RowsRequest, *, geometry: bool = False, typed: bool = False) -> Query:
    """The whole result of a request (`_size` limits it only when given). `geometry` adds the GeoJSON
    column's text, or longitude and latitude, at the end; `typed` gives the columns as the file stores
    them (for Parquet) instead of in their Table Schema types."""
    outputs = [identifier(c.name) if typed else table.expression(c.name) for c in request.columns]
    place = table.geometry() if geometry else None
    if place is not None and place.geojson is not None:
        outputs.append(table.expression(place.geojson))
    elif place is not None and place.longitude is not None and place.latitude is not None:
        outputs += [table.expression(place.longitude), table.expression(place.latitude)]
    return select_query(table, request, outputs, limit=request.size)


def count_query(table: Table, request: RowsRequest, *, limit: int | None = None) -> Query:
    """How many rows the filters, search and bbox pick (not the cursor, offset or size); with a `limit`,
    at most `limit + 1` of them."""
    where = where_clause(table, request, paging=False)
    if limit is None:
        return Query(f"SELECT count(*) FROM {table.source}{where.sql}", where.params)
    matches = f"SELECT 1 FROM {table.source}{where.sql} LIMIT ?"
    return Query(f"SELECT count(*) FROM ({matches})", [*where.params, limit + 1])


# --- reading -------------------------------------------------------------------------------------------


def read_rows(
    cursor: duckdb.DuckDBPyConnection,
    path: Path,
    schema: Mapping[str, Any],
    request: RowsRequest,
    *,
    version: int,
    row_count: int | None = None,
    count_limit: int | None = None,
) -> RowsPage:
    """One page of rows of `version` (whose file is `path`); its next cursor names that version.
    `row_count`, the version's number of rows, gives the total of an unfiltered request without counting.
    Otherwise the total is counted when the request asks for it (`_total`), or up to `count_limit`
    matching rows (None when more match): a count that stops early costs little on a large table."""
    if request.after is not None and request.after.version != version:
        raise ValidationFailed({"_after": [f"the cursor belongs to version {request.after.version}"]})
    table = open_table(cursor, path, schema)
    size = request.page_size
    outputs = [table.expression(c.name) for c in request.columns]
    keys = [table.expression(k.column.name) for k in request.sort] + [table.row_number]
    query = select_query(table, request, [*outputs, *keys], limit=size + 1)
    fetched = cursor.execute(query.sql, query.params).fetchall()
    page, more, width = fetched[:size], len(fetched) > size, len(outputs)
    specs = [key.spec for key in request.sort]
    next_cursor = encode_cursor(specs, page[-1][width:-1], page[-1][-1], version) if more else None
    known = _known_total(request, row_count, len(page), more=more)
    if known is None and (request.total or count_limit is not None):
        limit = None if request.total else count_limit
        counted = _matching(cursor, table, request, row_count, limit=limit)
        known = counted if limit is None or counted <= limit else None
    return RowsPage(
        columns=request.columns,
        rows=[row[:width] for row in page],
        next_cursor=next_cursor,
        next_offset=request.offset + size if more else None,
        total=known,
    )


def count_rows(
    cursor: duckdb.DuckDBPyConnection,
    path: Path,
    schema: Mapping[str, Any],
    request: RowsRequest,
    *,
    row_count: int | None = None,
) -> int:
    """How many rows the whole result of the request has (after its cursor and offset, within its size)."""
    table = open_table(cursor, path, schema)
    if request.after is None:
        matching = _matching(cursor, table, request, row_count)
    else:
        where = where_clause(table, request)
        found = cursor.execute(f"SELECT count(*) FROM {table.source}{where.sql}", where.params).fetchone()
        matching = int(found[0]) if found else 0
    remaining = max(matching - request.offset, 0)
    return remaining if request.size is None else min(remaining, request.size)


def _matching(
    cursor: duckdb.DuckDBPyConnection,
    table: Table,
    request: RowsRequest,
    row_count: int | None,
    *,
    limit: int | None = None,
) -> int:
    """How many rows the filters, search and bbox pick: the version's row count when there are none.
    With a `limit`, DuckDB stops counting at `limit + 1`."""
    if not request.is_filtered and row_count is not None:
        return row_count
    query = count_query(table, request, limit=limit)
    found = cursor.execute(query.sql, query.params).fetchone()
    return int(found[0]) if found else 0


def _known_total(request: RowsRequest, row_count: int | None, page_rows: int, *, more: bool) -> int | None:
    """The number of matching rows when it is known without counting: the version's, when nothing is
    filtered; the rows before and on the page, when it is the last one (reached by offset)."""
    if not request.is_filtered and row_count is not None:
        return row_count
    if not more and request.after is None and (page_rows or not request.offset):
        return request.offset + page_rows
    return None

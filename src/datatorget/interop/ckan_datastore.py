"""CKAN's DataStore actions over our tables: `datastore_search` through the row engine (store/query.py),
`datastore_search_sql` through the read-only SQL sandbox (store/sql.py).

A CKAN resource is a distribution, and its DataStore table is the distribution's table: `resource_id` is
the distribution's id. CKAN numbers rows with `_id` (from 1); here that is the row's place in the file.
In SQL, CKAN names a table by its resource id in double quotes; such names are read as the table's
`sql_name`, which works too.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb
import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Distribution
from datatorget.catalog.permissions import Viewer
from datatorget.catalog.tables import published_tables, version_to_read
from datatorget.errors import NotFound, ValidationFailed
from datatorget.store.export import json_rows
from datatorget.store.models import DataTable
from datatorget.store.params import MAX_PAGE_SIZE, Column, parse_rows_request
from datatorget.store.query import count_query, open_table, select_query
from datatorget.store.sql import SqlRefused, SqlResult, unique_names

DEFAULT_LIMIT = 100
RECORDS_FORMATS = ("objects", "lists", "csv", "tsv")
ROW_ID = Column("_id", "integer")
# Table Schema types as the DataStore's (PostgreSQL's) type names
CKAN_TYPES = {"string": "text", "integer": "int", "number": "numeric", "boolean": "bool", "date": "date",
              "datetime": "timestamp", "time": "time", "geojson": "json", "object": "json", "array": "json"}  # fmt: skip
DUCKDB_TYPES = {"VARCHAR": "text", "BIGINT": "int8", "INTEGER": "int4", "SMALLINT": "int2", "TINYINT": "int2",
                "HUGEINT": "numeric", "DOUBLE": "float8", "FLOAT": "float4", "BOOLEAN": "bool", "DATE": "date",
                "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz", "TIME": "time", "JSON": "json"}  # fmt: skip
# Our parameter names, as the CKAN parameter they come from (for error messages)
CKAN_NAMES = {"_q": "q", "_sort": "sort", "_cols": "fields", "_size": "limit", "_offset": "offset"}


@dataclass(frozen=True)
class DatastoreSearch:
    resource_id: str
    filters: Mapping[str, Any]
    q: str | Mapping[str, str]
    fields: Sequence[str]
    sort: str
    limit: int
    offset: int
    include_total: bool
    records_format: str


def search_rows(
    session: Session,
    duck: duckdb.DuckDBPyConnection,
    search: DatastoreSearch,
    viewer: Viewer,
    *,
    tables_dir: Path,
) -> dict[str, Any]:
    """The body of `datastore_search`: the fields, a page of records, the total and the links."""
    if search.records_format not in RECORDS_FORMATS:
        raise ValidationFailed({"records_format": [f"must be one of {', '.join(RECORDS_FORMATS)}"]})
    try:
        table_id = uuid.UUID(search.resource_id)
    except ValueError:
        raise NotFound(f'Resource "{search.resource_id}" was not found.') from None
    found = version_to_read(session, table_id, viewer, tables_dir=tables_dir)
    try:
        request = parse_rows_request(_pairs(search), found.schema, max_size=None)
    except ValidationFailed as exc:
        raise _in_ckan_names(exc) from exc
    limit = min(search.limit, MAX_PAGE_SIZE)
    table = open_table(duck, found.path, found.schema)
    wanted = [table.expression(c.name) for c in request.columns]
    with_id = not search.fields or "_id" in search.fields
    query = select_query(table, request, [f"{table.row_number} + 1", *wanted], limit=limit)
    rows = duck.execute(query.sql, query.params).fetchall() if limit else []
    columns = (ROW_ID, *request.columns)
    if not with_id:
        columns, rows = request.columns, [row[1:] for row in rows]
    body: dict[str, Any] = {
        "resource_id": str(table_id),
        "fields": [{"id": c.name, "type": CKAN_TYPES.get(c.type, "text")} for c in columns],
        "records": _records(columns, rows, search.records_format),
        "records_format": search.records_format,
        "filters": dict(search.filters),
        "limit": limit,
        "offset": search.offset,
        "include_total": search.include_total,
        "_links": _links(search, limit),
    }
    if search.q:
        body["q"] = search.q
    if search.sort:
        body["sort"] = search.sort
    if search.include_total:
        counted = count_query(table, request)
        total = duck.execute(counted.sql, counted.params).fetchone()
        body["total"] = int(total[0]) if total else 0
        body["total_was_estimated"] = False
    return body


def _pairs(search: DatastoreSearch) -> list[tuple[str, str]]:
    """The search as the row engine's parameters (store/params.py)."""
    pairs: list[tuple[str, str]] = []
    for column, value in search.filters.items():
        if value is None:
            pairs.append((f"{column}__isnull", "true"))
        elif isinstance(value, list):
            pairs.append((f"{column}__in", orjson.dumps([_text(item) for item in value]).decode()))
        else:
            pairs.append((column, _text(value)))
    if isinstance(search.q, Mapping):
        pairs += [(f"{column}__contains", _text(words)) for column, words in search.q.items()]
    elif search.q:
        pairs.append(("_q", search.q))
    fields = [name for name in search.fields if name != "_id"]
    if fields:
        pairs.append(("_cols", ",".join(fields)))
    if search.sort:
        pairs.append(("_sort", ",".join(_sort_keys(search.sort))))
    if search.offset:
        pairs.append(("_offset", str(search.offset)))
    return pairs


def _in_ckan_names(exc: ValidationFailed) -> ValidationFailed:
    """The row engine's errors under the CKAN parameter they come from; a column's under `filters`."""
    errors: dict[str, list[str]] = {}
    for name, messages in exc.errors.items():
        own = name in CKAN_NAMES or name in CKAN_NAMES.values()
        key = CKAN_NAMES.get(name, name if own else "filters")
        prefix = "" if own else f"{name.split('__')[0]}: "
        errors.setdefault(key, []).extend(prefix + message for message in messages)
    return ValidationFailed(errors)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _sort_keys(sort: str) -> list[str]:
    """CKAN's `name desc, other` as the row engine's `-name,other`; `_id` is the file's order, the default."""
    keys: list[str] = []
    for part in sort.split(","):
        words = part.split()
        if not words:
            continue
        name = words[0].strip('"')
        direction = words[1].lower() if len(words) > 1 else "asc"
        if direction not in ("asc", "desc") or len(words) > 2:
            raise ValidationFailed({"sort": [f"write '{part.strip()}' as a column name and asc or desc"]})
        if name != "_id":
            keys.append(f"-{name}" if direction == "desc" else name)
    return keys


def _records(columns: Sequence[Column], rows: Sequence[tuple[Any, ...]], records_format: str) -> Any:
    if records_format in ("objects", "lists"):
        return json_rows(columns, rows, "objects" if records_format == "objects" else "arrays")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t" if records_format == "tsv" else ",", lineterminator="\n")
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return buffer.getvalue()


def _links(search: DatastoreSearch, limit: int) -> dict[str, str]:
    """CKAN's `_links`: the first page and the next, as paths with the same parameters."""
    params: dict[str, Any] = {"resource_id": search.resource_id}
    if search.filters:
        params["filters"] = orjson.dumps(dict(search.filters)).decode()
    if search.q:
        params["q"] = search.q if isinstance(search.q, str) else orjson.dumps(dict(search.q)).decode()
    if search.fields:
        params["fields"] = ",".join(search.fields)
    if search.sort:
        params["sort"] = search.sort
    if limit != DEFAULT_LIMIT:
        params["limit"] = limit
    path = "/api/3/action/datastore_search?"
    return {
        "start": path + urlencode(params),
        "next": path + urlencode({**params, "offset": search.offset + limit}),
    }


# --- SQL -----------------------------------------------------------------------------------------------

QUOTED = re.compile(r"'(?:[^']|'')*'|\"((?:[^\"]|\"\")*)\"")


def sql_tables(session: Session, tables_dir: Path) -> tuple[list[tuple[str, Path]], dict[str, str]]:
    """The tables SQL may read (as `GET /api/v1/sql` gives them), and their SQL names by resource id."""
    rows = session.execute(
        select(DataTable.distribution_id, DataTable.sql_name)
        .join(Distribution, Distribution.id == DataTable.distribution_id)
        .join(Dataset, Dataset.id == Distribution.dataset_id)
        .where(Dataset.state == "published", DataTable.current_version.is_not(None))
    ).all()
    return published_tables(session, tables_dir), {str(table_id): name for table_id, name in rows}


def with_table_names(sql: str, names: Mapping[str, str]) -> str:
    """The query with each double-quoted resource id (outside string literals) replaced by its table's name."""

    def replace(match: re.Match[str]) -> str:
        quoted = match.group(1)
        if quoted is None:
            return match.group(0)  # a string literal stays as it is
        name = names.get(quoted.lower())
        return '"' + name.replace('"', '""') + '"' if name else match.group(0)

    return QUOTED.sub(replace, sql)


def sql_body(sql: str, result: SqlResult) -> dict[str, Any]:
    """The body of `datastore_search_sql`: the records as objects, the fields and whether they were cut."""
    names = unique_names(result.columns)
    return {
        "sql": sql,
        "fields": [
            {"id": n, "type": DUCKDB_TYPES.get(t, t.lower())}
            for n, t in zip(names, result.types, strict=True)
        ],
        "records": [dict(zip(names, row, strict=True)) for row in result.rows],
        "records_truncated": result.truncated,
    }


def refused_query(exc: SqlRefused) -> ValidationFailed:
    """A refused query as CKAN reports it: a Validation Error on `query`."""
    return ValidationFailed({"query": exc.errors.get("sql", [str(exc)])})

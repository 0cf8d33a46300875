"""Rows of a table version: query parameters parsed into a typed request, then read with DuckDB.

The JSON API, the downloads and the HTML table page all go through `parse_rows_request` and `read_rows`
(or `export_query` for a whole result), so they never disagree. Nothing here knows HTTP.

Parameters (a list of (name, value) pairs, as in a query string):
- `column=value`, `column__op=value`: filters, all of which must hold. `op` is one of OPERATORS; a name is
  split at its last `__` only when what follows is an operator and what precedes is a column.
- our own start with `_`: `_q`, `_sort`, `_cols`, `_size`, `_after`, `_offset`, `_shape`, `_bbox`,
  `_version` (also `version` when the table has no such column), `_total`, `_excel`, `_dialect`.

Every value is converted to its column's type and bound as a parameter; column names are quoted. Bad input
raises ValidationFailed with one message per parameter.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Literal

import duckdb
import orjson

from datatorget.errors import ValidationFailed
from datatorget.store.connection import identifier, sql_string

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 10_000
MAX_FILTERS = 100
MAX_LIST_ITEMS = 1_000
MAX_SEARCH_LENGTH = 500
MAX_SEARCH_WORDS = 20
MAX_CURSOR_LENGTH = 100_000
MAX_INTEGER = 2**62  # sizes and offsets
INT64 = 2**63

OPERATORS = frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "startswith", "isnull"})
ORDERING = frozenset({"lt", "lte", "gt", "gte"})
COMPARISONS = {"eq": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
JSON_TYPES = frozenset({"geojson", "object", "array"})
NUMERIC_TYPES = frozenset({"integer", "number"})
LATITUDE_NAMES = ("latitude", "latitud", "lat", "y")
LONGITUDE_NAMES = ("longitude", "longitud", "long", "lng", "lon", "x")
TRUE_WORDS = frozenset({"true", "1", "ja", "yes"})
FALSE_WORDS = frozenset({"false", "0", "nej", "no"})

# Which parameters of our own each kind of address takes (filters are always taken).
FILTER_PARAMETERS = frozenset({"_q", "_bbox", "_version"})
EXPORT_PARAMETERS = FILTER_PARAMETERS | {"_sort", "_cols", "_size", "_after", "_offset"}
PAGE_PARAMETERS = EXPORT_PARAMETERS | {"_shape", "_total"}
LIST_PARAMETERS = frozenset({"_sort", "_cols"})  # may be repeated: the lists add up

# DuckDB types a column of each Table Schema type is read as it is; any other is cast (see _expression).
NATURAL_TYPES = {
    "integer": frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
                          "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}),
    "number": frozenset({"DOUBLE"}), "boolean": frozenset({"BOOLEAN"}), "date": frozenset({"DATE"}),
    "datetime": frozenset({"TIMESTAMP"}), "time": frozenset({"TIME"}), "string": frozenset({"VARCHAR"}),
}  # fmt: skip
CAST_TO = {"integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE",
           "datetime": "TIMESTAMP", "time": "TIME", "string": "VARCHAR"}  # fmt: skip


class Invalid(ValueError):
    """One parameter's value is wrong; the message says why (collected into ValidationFailed)."""


# --- the request ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Table Schema type


@dataclass(frozen=True)
class Filter:
    column: Column
    op: str
    value: Any  # of the column's type; a tuple for `in`, a bool for `isnull`, text for `contains`


@dataclass(frozen=True)
class SortKey:
    column: Column
    descending: bool = False

    @property
    def spec(self) -> str:
        return f"-{self.column.name}" if self.descending else self.column.name


@dataclass(frozen=True)
class After:
    """Where the previous page ended: its last row's sort values and position in the file."""

    values: tuple[Any, ...]
    row: int


@dataclass(frozen=True)
class BBox:
    min_x: float
    min_y: float
    max_x: float
    max_y: float


@dataclass(frozen=True)
class Geometry:
    """Where a table keeps its places: a GeoJSON column, or longitude and latitude columns."""

    geojson: str | None = None
    longitude: str | None = None
    latitude: str | None = None


@dataclass(frozen=True)
class RowsRequest:
    """What to read: which rows (filters, search, bbox), in which order, which columns, which part."""

    table_columns: tuple[Column, ...]
    columns: tuple[Column, ...]  # the ones to give, in order (`_cols`; all by default)
    filters: tuple[Filter, ...] = ()
    search: tuple[str, ...] = ()  # words that must each appear in some text column
    sort: tuple[SortKey, ...] = ()
    size: int | None = None
    after: After | None = None
    offset: int = 0
    shape: Literal["objects", "arrays"] = "objects"
    bbox: BBox | None = None
    version: int | None = None
    total: bool = False
    excel: bool = False

    @property
    def page_size(self) -> int:
        return self.size or DEFAULT_PAGE_SIZE

    @property
    def is_filtered(self) -> bool:
        return bool(self.filters or self.search or self.bbox)

    @property
    def is_whole_table(self) -> bool:
        """Every row and column in file order: the stored file itself is the answer."""
        return (not self.is_filtered and not self.sort and self.size is None and self.after is None
                and not self.offset and self.columns == self.table_columns)  # fmt: skip


@dataclass(frozen=True)
class RowsPage:
    """One page of rows; `rows` hold the values of `columns` (JSON columns as JSON text)."""

    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]
    next_cursor: str | None
    next_offset: int | None
    total: int | None


def schema_columns(schema: Mapping[str, Any]) -> tuple[Column, ...]:
    return tuple(Column(str(f["name"]), str(f.get("type") or "string")) for f in schema.get("fields", []))


class Columns:
    """A table's columns by name: exactly, else ignoring case (names are unique ignoring case)."""

    def __init__(self, columns: Iterable[Column]) -> None:
        self.all = tuple(columns)
        self._exact = {c.name: c for c in self.all}
        self._folded = {c.name.casefold(): c for c in self.all}

    def find(self, name: str) -> Column | None:
        return self._exact.get(name) or self._folded.get(name.casefold())

    def get(self, name: str) -> Column:
        found = self.find(name)
        if found is None:
            raise Invalid(f"the table has no column named '{name}'")
        return found


# --- parsing -------------------------------------------------------------------------------------------


def parse_rows_request(
    params: Sequence[tuple[str, str]],
    schema: Mapping[str, Any],
    *,
    max_size: int | None = MAX_PAGE_SIZE,
    accept: Collection[str] = PAGE_PARAMETERS,
    ignore: Collection[str] = (),
) -> RowsRequest:
    """The request the parameters describe. `accept`: our own parameters allowed here; `ignore`: ones the
    caller reads itself; `max_size`: the largest `_size` (None: no limit). ValidationFailed when invalid."""
    columns = Columns(schema_columns(schema))
    own, filter_params = _split(params, columns, accept, ignore)
    errors: dict[str, list[str]] = {}

    def attempt(key: str, parse: Callable[..., Any], *args: Any) -> Any:
        try:
            return parse(*args)
        except Invalid as exc:
            errors.setdefault(key, []).append(str(exc))
            return None

    def one(name: str) -> str | None:
        return own[name][0] if name in own else None

    filters = [attempt(name, parse_filter, name, value, columns) for name, value in filter_params]
    sort = attempt("_sort", _parse_sort, own.get("_sort", []), columns) or ()
    dialect = attempt("_dialect", _parse_choice, one("_dialect"), ("default", "excel"))
    found = {
        "columns": attempt("_cols", _parse_cols, own.get("_cols", []), columns) or columns.all,
        "search": attempt("_q", _parse_search, one("_q"), columns) or (),
        "size": attempt("_size", _parse_size, one("_size"), max_size),
        "after": attempt("_after", decode_after, one("_after"), sort) if "_after" in own else None,
        "offset": attempt("_offset", _parse_count, one("_offset"), 0) or 0,
        "shape": attempt("_shape", _parse_choice, one("_shape"), ("objects", "arrays")) or "objects",
        "bbox": attempt("_bbox", _parse_bbox, one("_bbox"), columns) if "_bbox" in own else None,
        "version": attempt("_version", _parse_version, one("_version")),
        "total": bool(attempt("_total", _parse_flag, one("_total"))),
        "excel": bool(attempt("_excel", _parse_flag, one("_excel"))) or dialect == "excel",
    }
    if "_after" in own and "_offset" in own:
        errors.setdefault("_offset", []).append("use either _after or _offset, not both")
    if errors:
        raise ValidationFailed(errors)
    return RowsRequest(table_columns=columns.all, filters=tuple(filters), sort=sort, **found)


def _split(
    params: Sequence[tuple[str, str]], columns: Columns, accept: Collection[str], ignore: Collection[str]
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Our own parameters (empty ones left out: an empty form field) and the filters, in order."""
    own: dict[str, list[str]] = {}
    filters: list[tuple[str, str]] = []
    errors: dict[str, list[str]] = {}
    for name, value in params:
        if name == "version" and columns.find("version") is None:
            name = "_version"
        if name in ignore:
            continue
        if not name.startswith("_"):
            filters.append((name, value))
        elif name not in accept:
            listed = ", ".join(sorted(accept))
            errors[name] = [f"unknown parameter; this address takes filters on columns and {listed}"]
        elif not value.strip():
            continue
        elif name in own and name not in LIST_PARAMETERS:
            errors[name] = ["given more than once"]
        else:
            own.setdefault(name, []).append(value)
    if len(filters) > MAX_FILTERS:
        raise ValidationFailed({"filters": [f"at most {MAX_FILTERS} filters, not {len(filters)}"]})
    if errors:
        raise ValidationFailed(errors)
    return own, filters


def parse_filter(name: str, value: str, columns: Columns) -> Filter:
    """`column=value` or `column__op=value` as a filter with a value of the column's type."""
    column, op = columns.find(name), "eq"
    base, _, suffix = name.rpartition("__")
    if base and suffix in OPERATORS and columns.find(base) is not None:
        column, op = columns.find(base), suffix
    if column is None:
        raise Invalid(f"the table has no column named '{base if suffix in OPERATORS and base else name}'")
    if value == "" and op != "in":
        raise Invalid("empty value: to find empty cells use __isnull=true")
    if op == "isnull":
        return Filter(column, op, _parse_flag(value))
    if op in ("contains", "startswith"):
        return Filter(column, op, value)
    if column.type in JSON_TYPES and op in ORDERING:
        raise Invalid(f"a {column.type} column can be filtered with eq, ne, in, contains, startswith, isnull")
    if op == "in":
        items = split_list(value, MAX_LIST_ITEMS)
        return Filter(column, op, tuple(convert(item, column.type) for item in items))
    return Filter(column, op, convert(value, column.type))


def split_list(value: str, limit: int) -> list[str]:
    """Comma-separated items, or a JSON array of strings when the value starts with `[`."""
    if value.lstrip().startswith("["):
        try:
            items = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise Invalid("a list starting with [ must be a JSON array of strings") from exc
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise Invalid("a list starting with [ must be a JSON array of strings")
    else:
        items = [item.strip() for item in value.split(",")]
    if not items or any(item == "" for item in items):
        raise Invalid("the list has an empty item")
    if len(items) > limit:
        raise Invalid(f"at most {limit} items, not {len(items)}")
    return items


INTEGER_TEXT = re.compile(r"[+-]?\d{1,40}", re.ASCII)
NUMBER_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?", re.ASCII)
DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
DATETIME_TEXT = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?", re.ASCII
)
TIME_TEXT = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?", re.ASCII)
SPECIAL_NUMBERS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def convert(text: str, kind: str, *, stored: bool = False) -> Any:
    """`text` as a value of Table Schema type `kind`. `stored`: a value that came from the table itself
    (in a cursor), which may be NaN, infinite or a very large integer."""
    if kind == "integer":
        if not INTEGER_TEXT.fullmatch(text):
            raise Invalid(f"'{_short(text)}' is not a whole number")
        number = int(text)
        if not stored and not -INT64 <= number < INT64:
            raise Invalid(f"'{_short(text)}' is out of range for a whole number")
        return number
    if kind == "number":
        if stored and text in SPECIAL_NUMBERS:
            return SPECIAL_NUMBERS[text]
        if not NUMBER_TEXT.fullmatch(text) or not math.isfinite(float(text)):
            raise Invalid(f"'{_short(text)}' is not a number (write decimals with a point: 12.5)")
        return float(text)
    if kind == "boolean":
        return _parse_flag(text)
    if kind == "date":
        return _iso(text, DATE_TEXT, date.fromisoformat, "a date as YYYY-MM-DD")
    if kind == "datetime":
        moment = _iso(text, DATETIME_TEXT, datetime.fromisoformat, "a date and time as YYYY-MM-DDTHH:MM:SS")
        return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    if kind == "time":
        return _iso(text, TIME_TEXT, time.fromisoformat, "a time of day as HH:MM:SS")
    return text


def _iso(text: str, pattern: re.Pattern[str], parse: Callable[[str], Any], expected: str) -> Any:
    try:
        if pattern.fullmatch(text):
            return parse(text)
    except ValueError:
        pass
    raise Invalid(f"'{_short(text)}' is not {expected}")


def _short(text: str) -> str:
    return text if len(text) <= 50 else text[:50] + "…"


def _parse_flag(value: str | None) -> bool:
    if value is None:
        return False
    folded = value.strip().lower()
    if folded in TRUE_WORDS:
        return True
    if folded in FALSE_WORDS:
        return False
    raise Invalid("must be true or false")


def _parse_choice(value: str | None, choices: tuple[str, ...]) -> str | None:
    if value is not None and value not in choices:
        raise Invalid(f"must be one of {', '.join(choices)}")
    return value


def _parse_count(value: str | None, smallest: int) -> int | None:
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 19 or int(value) > MAX_INTEGER:
        raise Invalid(f"must be a whole number of at least {smallest}")
    if int(value) < smallest:
        raise Invalid(f"must be at least {smallest}")
    return int(value)


def _parse_size(value: str | None, max_size: int | None) -> int | None:
    size = _parse_count(value, 1)
    if size is not None and max_size is not None and size > max_size:
        raise Invalid(f"must be at most {max_size}")
    return size


def _parse_version(value: str | None) -> int | None:
    try:
        return _parse_count(value, 1)
    except Invalid as exc:
        raise Invalid("must be a version number (1, 2, ...)") from exc


def requested_version(params: Sequence[tuple[str, str]], schema: Mapping[str, Any] | None) -> int | None:
    """The version the parameters ask for: `_version`, or `version` when `schema` (if given) has no column
    of that name. None: the current version."""
    names = {"_version"}
    if schema is not None and Columns(schema_columns(schema)).find("version") is None:
        names.add("version")
    for name, value in params:
        if name in names and value.strip():
            try:
                return _parse_version(value)
            except Invalid as exc:
                raise ValidationFailed({name: [str(exc)]}) from exc
    return None


def _items(values: Sequence[str], columns: Columns) -> list[str]:
    """The items of a list parameter that may be repeated (`_sort`, `_cols`): at most one per column."""
    items = [item for value in values for item in split_list(value, len(columns.all) or 1)]
    if len(items) > len(columns.all):
        raise Invalid(f"at most {len(columns.all)} columns")
    return items


def _parse_sort(values: Sequence[str], columns: Columns) -> tuple[SortKey, ...]:
    keys = []
    for item in _items(values, columns):
        descending = item.startswith("-")
        column = columns.get(item[1:] if descending else item)
        if column.type in JSON_TYPES:
            raise Invalid(f"a {column.type} column ('{column.name}') cannot be sorted")
        keys.append(SortKey(column, descending))
    if len({key.column for key in keys}) < len(keys):
        raise Invalid("a column is named more than once")
    return tuple(keys)


def _parse_cols(values: Sequence[str], columns: Columns) -> tuple[Column, ...] | None:
    if not values:
        return None
    chosen = tuple(columns.get(name) for name in _items(values, columns))
    if len(set(chosen)) < len(chosen):
        raise Invalid("a column is named more than once")
    return chosen


SEARCH_WORDS = re.compile(r'"([^"]*)"|(\S+)')


def _parse_search(value: str | None, columns: Columns) -> tuple[str, ...]:
    """Words (or "quoted phrases") that must each occur, in any case, in some text column."""
    if value is None:
        return ()
    if len(value) > MAX_SEARCH_LENGTH:
        raise Invalid(f"at most {MAX_SEARCH_LENGTH} characters")
    words = tuple(w for quoted, plain in SEARCH_WORDS.findall(value) if (w := (quoted or plain).strip()))
    if len(words) > MAX_SEARCH_WORDS:
        raise Invalid(f"at most {MAX_SEARCH_WORDS} words")
    if words and not any(c.type == "string" for c in columns.all):
        raise Invalid("this table has no text columns to search")
    return words


def _parse_bbox(value: str | None, columns: Columns) -> BBox:
    parts = (value or "").split(",")
    if len(parts) != 4:
        raise Invalid("must be four numbers: min_x,min_y,max_x,max_y (longitude and latitude)")
    try:
        min_x, min_y, max_x, max_y = (convert(part.strip(), "number") for part in parts)
    except Invalid as exc:
        raise Invalid(f"must be four numbers: min_x,min_y,max_x,max_y ({exc})") from exc
    if min_x > max_x or min_y > max_y:
        raise Invalid("the minimum must not be larger than the maximum")
    if find_geometry(columns.all) is None:
        raise Invalid("this table has no GeoJSON column and no latitude and longitude columns")
    return BBox(min_x, min_y, max_x, max_y)


def find_geometry(columns: Sequence[Column]) -> Geometry | None:
    """The first GeoJSON column, else numeric columns named like latitude and longitude (lat, y, ...)."""
    for column in columns:
        if column.type == "geojson":
            return Geometry(geojson=column.name)
    numeric = {c.name.casefold(): c.name for c in columns if c.type in NUMERIC_TYPES}
    latitude = next((numeric[n] for n in LATITUDE_NAMES if n in numeric), None)
    longitude = next((numeric[n] for n in LONGITUDE_NAMES if n in numeric), None)
    if latitude and longitude:
        return Geometry(longitude=longitude, latitude=latitude)
    return None


# --- the keyset cursor ---------------------------------------------------------------------------------
# base64url(6-byte check + JSON [sort specs, sort values as text, row]). The check catches edited or
# truncated cursors; a cursor written by hand can do no more than a filter could, since its values are
# converted to their columns' types and bound as parameters like any other.


def encode_after(sort: Sequence[SortKey], values: Sequence[Any], row: int) -> str:
    """The cursor of the row with these sort values at this position in the file."""
    payload = orjson.dumps([[key.spec for key in sort], [_cursor_text(v) for v in values], row])
    return base64.urlsafe_b64encode(_check(payload) + payload).rstrip(b"=").decode("ascii")


def decode_after(text: str | None, sort: Sequence[SortKey]) -> After:
    """The position a cursor stands for; Invalid if it was changed or made for another sort order."""
    if text is None or len(text) > MAX_CURSOR_LENGTH:
        raise Invalid("not a cursor of this table")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        check, payload = raw[:6], raw[6:]
        if len(check) != 6 or check != _check(payload):
            raise ValueError("check")
        specs, values, row = orjson.loads(payload)
        if not (isinstance(specs, list) and isinstance(values, list) and isinstance(row, int)):
            raise ValueError("shape")
    except (ValueError, TypeError) as exc:
        raise Invalid("not a valid cursor: use the next_cursor of a page as it is") from exc
    if specs != [key.spec for key in sort] or len(values) != len(sort) or not 0 <= row < INT64:
        raise Invalid("this cursor belongs to another sort order (_sort)")
    decoded = []
    for key, value in zip(sort, values, strict=True):
        if value is not None and not isinstance(value, str):
            raise Invalid("not a valid cursor: use the next_cursor of a page as it is")
        decoded.append(None if value is None else convert(value, key.column.type, stored=True))
    return After(tuple(decoded), row)


def _check(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=6, person=b"dt-after").digest()


def _cursor_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


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


def count_query(table: Table, request: RowsRequest) -> Query:
    """How many rows the filters, search and bbox pick (not the cursor, offset or size)."""
    where = where_clause(table, request, paging=False)
    return Query(f"SELECT count(*) FROM {table.source}{where.sql}", where.params)


# --- reading -------------------------------------------------------------------------------------------


def read_rows(
    cursor: duckdb.DuckDBPyConnection,
    path: Path,
    schema: Mapping[str, Any],
    request: RowsRequest,
    *,
    row_count: int | None = None,
) -> RowsPage:
    """One page of rows. `row_count`, the version's number of rows, gives the total of an unfiltered
    request without counting; `total` is counted only when the request asks for it."""
    table = open_table(cursor, path, schema)
    size = request.page_size
    outputs = [table.expression(c.name) for c in request.columns]
    keys = [table.expression(k.column.name) for k in request.sort] + [table.row_number]
    query = select_query(table, request, [*outputs, *keys], limit=size + 1)
    fetched = cursor.execute(query.sql, query.params).fetchall()
    page, more, width = fetched[:size], len(fetched) > size, len(outputs)
    next_cursor = encode_after(request.sort, page[-1][width:-1], page[-1][-1]) if more else None
    return RowsPage(
        columns=request.columns,
        rows=[row[:width] for row in page],
        next_cursor=next_cursor,
        next_offset=request.offset + size if more else None,
        total=_total(cursor, table, request, row_count, len(page) if not more else None),
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
    cursor: duckdb.DuckDBPyConnection, table: Table, request: RowsRequest, row_count: int | None
) -> int:
    """How many rows the filters, search and bbox pick: the version's row count when there are none."""
    if not request.is_filtered and row_count is not None:
        return row_count
    query = count_query(table, request)
    found = cursor.execute(query.sql, query.params).fetchone()
    return int(found[0]) if found else 0


def _total(
    cursor: duckdb.DuckDBPyConnection,
    table: Table,
    request: RowsRequest,
    row_count: int | None,
    whole_page: int | None,
) -> int | None:
    """The number of matching rows when it is known without a scan, or counted when asked for."""
    if not request.is_filtered and row_count is not None:
        return row_count
    if whole_page is not None and request.after is None and not request.offset:
        return whole_page  # the first page holds every matching row
    return _matching(cursor, table, request, row_count) if request.total else None

"""The query parameters of a table's rows, parsed into a typed request (`RowsRequest`).

The JSON API, the downloads and the HTML table page all parse with `parse_rows_request`, then read with
`store.query`, so they never disagree. Nothing here knows HTTP or SQL.

Parameters (a list of (name, value) pairs, as in a query string):
- `column=value`, `column__op=value`: filters, all of which must hold. `op` is one of OPERATORS; a name is
  split at its last `__` only when what follows is an operator and what precedes is a column.
- our own start with `_`: `_q`, `_sort`, `_cols`, `_size`, `_after`, `_offset`, `_shape`, `_bbox`,
  `_version` (also `version` when the table has no such column), `_total`, `_excel`, `_dialect`.

Every value is converted to its column's type (store.values); bad input raises ValidationFailed with one
message per parameter. A cursor (`_after`, store.cursor) holds the version it was made in: with a
`_version` that differs it is refused, without one the request reads the cursor's version.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from datatorget.errors import ValidationFailed
from datatorget.store.cursor import INVALID_CURSOR, read_cursor
from datatorget.store.values import Invalid, convert, parse_flag

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 10_000
MAX_FILTERS = 100
MAX_LIST_ITEMS = 1_000
MAX_SEARCH_LENGTH = 500
MAX_SEARCH_WORDS = 20
MAX_INTEGER = 2**62  # sizes and offsets

OPERATORS = frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "startswith", "isnull"})
ORDERING = frozenset({"lt", "lte", "gt", "gte"})
JSON_TYPES = frozenset({"geojson", "object", "array"})
NUMERIC_TYPES = frozenset({"integer", "number"})
LATITUDE_NAMES = ("latitude", "latitud", "lat", "y")
LONGITUDE_NAMES = ("longitude", "longitud", "long", "lng", "lon", "x")

# Which parameters of our own each kind of address takes (filters are always taken).
FILTER_PARAMETERS = frozenset({"_q", "_bbox", "_version"})
EXPORT_PARAMETERS = FILTER_PARAMETERS | {"_sort", "_cols", "_size", "_after", "_offset"}
PAGE_PARAMETERS = EXPORT_PARAMETERS | {"_shape", "_total"}
LIST_PARAMETERS = frozenset({"_sort", "_cols"})  # may be repeated: the lists add up


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
    """Where the previous page ended: its last row's sort values and position in the file of its version."""

    values: tuple[Any, ...]
    row: int
    version: int


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
    version: int | None = None  # `_version`, else the cursor's; None: the current version
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
        "total": bool(attempt("_total", parse_flag, one("_total"))),
        "excel": bool(attempt("_excel", parse_flag, one("_excel"))) or dialect == "excel",
    }
    if "_after" in own and "_offset" in own:
        errors.setdefault("_offset", []).append("use either _after or _offset, not both")
    if (after := found["after"]) is not None:
        if found["version"] not in (None, after.version):
            errors.setdefault("_after", []).append(f"the cursor belongs to version {after.version}")
        found["version"] = after.version
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
        return Filter(column, op, parse_flag(value))
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


# --- the cursor ----------------------------------------------------------------------------------------


def decode_after(text: str, sort: Sequence[SortKey]) -> After:
    """The position a cursor (store.cursor) stands for; Invalid if it was changed or made for another sort
    order."""
    cursor = read_cursor(text)
    if cursor.specs != [key.spec for key in sort] or len(cursor.values) != len(sort):
        raise Invalid("this cursor belongs to another sort order (_sort)")
    decoded = []
    for key, value in zip(sort, cursor.values, strict=True):
        if value is not None and not isinstance(value, str):
            raise Invalid(INVALID_CURSOR)
        decoded.append(None if value is None else convert(value, key.column.type, stored=True))
    return After(tuple(decoded), cursor.row, cursor.version)

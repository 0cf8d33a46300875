"""JSON and GeoJSON: a list of objects (or one object per line) becomes a table with a column per key.

A column whose values are all JSON numbers or all booleans keeps that type. A column with strings is left
as text for type inference, so `"2024-06-01"` becomes a date and `"0180"` stays text. Nested objects and
lists become JSON text. A GeoJSON feature becomes a row: its `id`, its properties and its geometry as
GeoJSON text (typed `geojson` by inference). DuckDB parses the records; see json_layout.py for where they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from datatorget.store.connection import identifier, sql_string
from datatorget.store.headers import clean_headers
from datatorget.store.json_layout import Layout, empty_json, find_records, locate_error, not_records
from datatorget.store.progress import Progress, ProgressCallback, overall, watched
from datatorget.store.raw import RAW, Limits, RawTable, check_width, count_rows, first_line_of, reading_share
from datatorget.store.report import IngestionFailed, Problem

MAX_OBJECT_BYTES = 16 * 1024 * 1024  # one record; DuckDB holds a few of them per thread while reading
LOCATE_BYTES = 32 * 1024 * 1024  # invalid files up to this size get the exact line and column of the error
CELLS = "json_cells"
NUMBERS = frozenset({"BIGINT", "UBIGINT"})
JSON_TYPE_NAMES = {"ARRAY": ("listor", "lists"), "VARCHAR": ("texter", "strings"), "BIGINT": ("tal", "numbers"),
                   "UBIGINT": ("tal", "numbers"), "DOUBLE": ("tal", "numbers"), "BOOLEAN": ("true/false", "true/false"),
                   "NULL": ("null", "null")}  # fmt: skip


@dataclass(frozen=True)
class _Column:
    """A column to make: its name as the file gives it, and a JSON pointer to its value in a record."""

    name: str
    pointer: str


@dataclass(frozen=True)
class _Shape:
    count: int
    first_other: int | None  # the number of the first record that is not an object
    other_type: str | None
    first_type: str | None  # the "type" member of the first record: "Feature" in GeoJSON
    with_id: int  # records with a non-null "id" member


def load_json(
    cursor: duckdb.DuckDBPyConnection, path: Path, limits: Limits, progress: ProgressCallback
) -> RawTable:
    """A JSON list of objects, objects one per line, or a `{"data": [...]}` wrapper; GeoJSON is recognised."""
    return _load(cursor, path, limits, progress)


def load_geojson(
    cursor: duckdb.DuckDBPyConnection, path: Path, limits: Limits, progress: ProgressCallback
) -> RawTable:
    """A GeoJSON FeatureCollection (or features one per line): one row per feature. Content decides, so a
    `.geojson` file that holds plain records is read as JSON."""
    return _load(cursor, path, limits, progress)


def _load(
    cursor: duckdb.DuckDBPyConnection, path: Path, limits: Limits, progress: ProgressCallback
) -> RawTable:
    layout = find_records(path, limits.work_dir)
    records = (
        f"read_json_objects('{sql_string(str(layout.path))}', format='{layout.format}', "
        f"maximum_object_size={MAX_OBJECT_BYTES})"
    )
    shape = _shape(cursor, records, path, progress)
    features = (
        layout.wrapper == "features"
        or layout.members.get("type") == "FeatureCollection"
        or shape.first_type == "Feature"
    )
    report = reading_share(progress, 0.2, 0.4)
    if features:
        columns, problems = _feature_columns(cursor, records, shape, path, limits, report)
    else:
        keys = _keys(cursor, records, "json", path, limits, report)
        columns, problems = [_Column(key, _pointer(key)) for key in keys], []
    check_width(len(columns), limits)
    names, renamed = clean_headers([column.name for column in columns])
    typed = _create_raw(cursor, records, columns, names, path, progress) if columns else {}
    row_count = count_rows(cursor) if columns else shape.count
    progress(Progress("reading", overall("reading", 1.0), row_count))
    return RawTable(
        columns=names if columns else [],
        row_count=row_count,
        typed=typed,
        problems=problems + renamed,
        source=_source(layout, features),
    )


def _shape(cursor: duckdb.DuckDBPyConnection, records: str, path: Path, progress: ProgressCallback) -> _Shape:
    """How many records there are, and whether they are all objects; refuses an empty or mixed list."""
    row = _run(
        cursor,
        "SELECT count(*), min(n) FILTER (WHERE json_type(json) <> 'OBJECT'), "
        "arg_min(json_type(json), n) FILTER (WHERE json_type(json) <> 'OBJECT'), arg_min(json ->> '$.type', n), "
        "count(*) FILTER (WHERE json_type(json, '$.id') <> 'NULL') "
        f"FROM (SELECT json, row_number() OVER () AS n FROM {records})",
        path,
        reading_share(progress, 0.0, 0.2),
    ).fetchone()
    assert row is not None
    shape = _Shape(int(row[0]), row[1], row[2], row[3], int(row[4]))
    if shape.count == 0:
        raise empty_json()
    if shape.first_other is not None:
        sv_type, en_type = JSON_TYPE_NAMES.get(str(shape.other_type), ("annat", "something else"))
        raise not_records(
            sv=f"en lista med {sv_type} (post {shape.first_other} är inget objekt)",
            en=f"a list of {en_type} (record {shape.first_other} is not an object)",
        )
    return shape


def _keys(
    cursor: duckdb.DuckDBPyConnection,
    records: str,
    member: str,
    path: Path,
    limits: Limits,
    progress: ProgressCallback,
) -> list[str]:
    """Every key of the records (or of their `properties`), in the order they first appear."""
    target = "json" if member == "json" else f"json -> '{member}'"
    found = _run(
        cursor,
        "SELECT k, count(*) OVER () FROM (SELECT unnest(keys) AS k, unnest(range(len(keys))) AS pos, n FROM "
        f"(SELECT CASE WHEN json_type({target}) = 'OBJECT' THEN json_keys({target}) END AS keys, "
        f"row_number() OVER () AS n FROM {records})) GROUP BY k ORDER BY min(n), arg_min(pos, n) "
        f"LIMIT {limits.max_columns + 1}",
        path,
        progress,
    ).fetchall()
    if found:
        check_width(int(found[0][1]), limits)
    return [str(key) for key, _ in found]


def _feature_columns(
    cursor: duckdb.DuckDBPyConnection,
    records: str,
    shape: _Shape,
    path: Path,
    limits: Limits,
    progress: ProgressCallback,
) -> tuple[list[_Column], list[Problem]]:
    """The feature id (when any feature has one), the properties, then the geometry."""
    keys = _keys(cursor, records, "properties", path, limits, progress)
    reserved = ({"id"} if shape.with_id else set()) | {"geometry"}
    columns = [_Column("id", "/id")] if shape.with_id else []
    problems = []
    for key in keys:
        name = key
        if key.strip().casefold() in reserved:
            name = f"properties.{key.strip()}"
            problems.append(Problem("renamed_column", sv=f"Egenskapen '{key}' fick namnet '{name}': kolumnen "
                                    f"{key.strip()} är objektets egen.", en=f"The property '{key}' was named "
                                    f"'{name}': the column {key.strip()} is the feature's own.", column=name, value=key))  # fmt: skip
        columns.append(_Column(name, "/properties" + _pointer(key)))
    columns.append(_Column("geometry", "/geometry"))
    return columns, problems


def _create_raw(
    cursor: duckdb.DuckDBPyConnection,
    records: str,
    columns: list[_Column],
    names: list[str],
    path: Path,
    progress: ProgressCallback,
) -> dict[str, str]:
    """`raw` from the records: each value picked out as JSON, then given the column's type; the typed ones."""
    pointers = "[" + ", ".join(f"'{sql_string(column.pointer)}'" for column in columns) + "]"
    picked = ", ".join(f"e[{index + 1}] AS c{index}" for index in range(len(columns)))
    _run(
        cursor,
        f"CREATE OR REPLACE TEMP TABLE {CELLS} AS SELECT {picked} FROM "
        f"(SELECT json_extract(json, {pointers}) AS e FROM {records})",
        path,
        reading_share(progress, 0.4, 0.8),
    )
    try:
        kinds = _column_kinds(cursor, len(columns))
        selects = ", ".join(
            f"{_expression(f'c{index}', kinds[index])} AS {identifier(name)}"
            for index, name in enumerate(names)
        )
        with watched(cursor, reading_share(progress, 0.8, 1.0), "reading"):
            cursor.execute(f"CREATE OR REPLACE TEMP TABLE {RAW} AS SELECT {selects} FROM {CELLS}")
    finally:
        cursor.execute(f"DROP TABLE IF EXISTS {CELLS}")
    return {name: kinds[index] for index, name in enumerate(names) if kinds[index] not in ("text", "json")}


def _column_kinds(cursor: duckdb.DuckDBPyConnection, count: int) -> list[str]:
    """Per column: a DuckDB type when all its values are JSON numbers or all booleans, `json` when some are
    objects or lists, otherwise `text` (strings, or strings mixed with numbers: inference decides)."""
    found: dict[int, dict[str, int]] = {index: {} for index in range(count)}
    overflow: dict[int, int] = {}
    for name, json_type, values, too_big in cursor.execute(
        "SELECT name, json_type(value), count(*), count(*) FILTER (WHERE TRY_CAST(value AS BIGINT) IS NULL) "
        f"FROM (UNPIVOT {CELLS} ON COLUMNS(*) INTO NAME name VALUE value) GROUP BY ALL"
    ).fetchall():
        index = int(str(name)[1:])
        found[index][str(json_type)] = int(values)
        if json_type in NUMBERS:
            overflow[index] = overflow.get(index, 0) + int(too_big)
    return [_kind(found[index], overflow.get(index, 0)) for index in range(count)]


def _kind(types: dict[str, int], overflow: int) -> str:
    present = {json_type for json_type, values in types.items() if values and json_type != "NULL"}
    if not present:
        return "text"
    if present & {"OBJECT", "ARRAY"}:
        return "json"
    if present == {"BOOLEAN"}:
        return "BOOLEAN"
    if present <= NUMBERS:
        return "DECIMAL(20,0)" if overflow else "BIGINT"  # integers past BIGINT: up to 2^64 - 1
    if present <= NUMBERS | {"DOUBLE"}:
        return "DOUBLE"
    return "text"


def _expression(cell: str, kind: str) -> str:
    if kind == "text":
        return f"{cell} ->> '$'"
    if kind == "json":
        return f"CASE WHEN json_type({cell}) <> 'NULL' THEN {cell}::VARCHAR END"
    return f"TRY_CAST({cell} AS {kind})"


def _pointer(key: str) -> str:
    """A JSON pointer to a member of an object (RFC 6901: `~` and `/` escaped)."""
    return "/" + key.replace("~", "~0").replace("/", "~1")


def _source(layout: Layout, features: bool) -> dict[str, Any]:
    """What was found, kept with the version: the format, the wrapper member, a GeoJSON CRS."""
    source: dict[str, Any] = {"format": "geojson" if features else "json"}
    if layout.wrapper and not features:
        source["member"] = layout.wrapper
    crs = layout.members.get("crs")
    if features and isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        source["crs"] = str(crs["properties"].get("name"))
    return source


def _run(
    cursor: duckdb.DuckDBPyConnection, statement: str, path: Path, progress: ProgressCallback
) -> duckdb.DuckDBPyConnection:
    """Execute a statement over the records, turning DuckDB's JSON errors into plain refusals."""
    try:
        with watched(cursor, progress, "reading"):
            return cursor.execute(statement)
    except duckdb.OutOfMemoryException:
        raise
    except duckdb.Error as exc:
        raise _refusal(exc, path) from exc


def _refusal(exc: duckdb.Error, path: Path) -> IngestionFailed:
    """The reason a JSON file could not be read, with the line and column when they can be found."""
    message = re.sub(r' in file "[^"]*"', "", str(exc))
    if "maximum_object_size" in message:
        limit = MAX_OBJECT_BYTES // 1024**2
        return IngestionFailed(
            "json_record_too_large",
            sv=f"En post i JSON-filen är större än {limit} MB; så stora poster går inte att läsa in.",
            en=f"A record in the JSON file is larger than {limit} MB; records that large cannot be read.",
        )
    if "Malformed JSON" in message:
        located = locate_error(path) if path.stat().st_size <= LOCATE_BYTES else None
        if located is not None:
            return located
        where = re.search(r"at byte (\d+) in (line|record/value) (\d+): ([^.\n]*)", message)
        if where:
            byte, unit, number, reason = where.groups()
            sv_unit, en_unit = ("rad", "line") if unit == "line" else ("post", "record")
            return IngestionFailed(
                "invalid_json",
                sv=f"Filen är inte giltig JSON: fel i {sv_unit} {number}, vid byte {byte} ({reason}).",
                en=f"The file is not valid JSON: error in {en_unit} {number}, at byte {byte} ({reason}).",
            )
    detail = first_line_of(Exception(message))
    return IngestionFailed(
        "unreadable_json",
        sv=f"Filen gick inte att läsa som JSON: {detail}",
        en=f"The file could not be read as JSON: {detail}",
    )

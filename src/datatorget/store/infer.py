"""Column types from the values: numbers with decimal commas and space-grouped thousands, Swedish and ISO
dates, ja/nej booleans, codes with leading zeros kept as text. Then the SQL that turns text into those types.

A column takes a type when at least 99 % of its non-empty values in the sample fit it; the values that do
not fit become empty and are listed in the validation report (validate.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from datatorget.store.connection import identifier, sql_string

SAMPLE_ROWS = 20_000
CONFIDENCE = 0.99
NULL_MARKERS = ("", "NA", "N/A", "n/a", "na", "NULL", "null", "None", "-", "–", "..", ".", "saknas", "#N/A")
TRUE_WORDS = ("ja", "j", "true", "sant", "yes", "y")
FALSE_WORDS = ("nej", "n", "false", "falskt", "no")
SPACES = ("\u00a0", "\u202f", " ")

# Table Schema types and the DuckDB types that hold them
DUCKDB_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
                "date": "DATE", "datetime": "TIMESTAMP", "time": "TIME", "geojson": "VARCHAR",
                "object": "VARCHAR", "array": "VARCHAR"}  # fmt: skip
TYPES = tuple(DUCKDB_TYPES)

# Patterns checked on the sample only (regexes on every cell of a large table would be slow)
INTEGER = r"-?(\d+|\d{1,3}([ \x{a0}\x{202f}]\d{3})+)"  # no leading +: +46701234567 is a phone number
DECIMAL_COMMA = r"[+-]?(\d+|\d{1,3}([ \x{a0}\x{202f}]\d{3})+),\d+"
DECIMAL_POINT = (
    r"[+-]?(\d+|\d{1,3}(,\d{3})+)?\.\d+([eE][+-]?\d+)?"  # not 2E5: a code more often than a number
)
ISO_DATE = r"\d{4}-\d{2}-\d{2}"
DATE_FORMATS = {  # pattern -> strptime format
    r"\d{4}/\d{2}/\d{2}": "%Y/%m/%d",
    r"\d{1,2}\.\d{1,2}\.\d{4}": "%d.%m.%Y",
    r"\d{1,2}/\d{1,2}/\d{4}": "%d/%m/%Y",
}
ISO_DATETIME = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
LEADING_ZERO = r"[+-]?0\d+"
TIME_OF_DAY = r"([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?"


@dataclass(frozen=True)
class ColumnType:
    """A column's type and how its text is read: `decimal` "," or "." and `grouped` when numbers have
    thousands separators; `date_format` a strptime format for dates not in ISO form."""

    type: str
    decimal: str = "."
    grouped: bool = False
    date_format: str | None = None
    lenient: bool = False  # a type the publisher chose: read numbers with or without grouping spaces
    zoned: bool = False  # datetimes with a UTC offset (Z, +02:00): stored in UTC

    def describe(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.type == "number" and self.decimal == ",":
            found["decimalChar"] = ","
        if self.grouped:
            found["groupChar"] = " "
        if self.date_format:
            found["format"] = self.date_format
        return found


def null_condition(column: str) -> str:
    """SQL that is true when a text cell counts as empty: nothing, whitespace or a common null marker.
    (A list, not `IN (...)`: DuckDB plans an IN list per column, which is slow and costly on wide tables.)"""
    markers = ", ".join(f"'{sql_string(marker)}'" for marker in NULL_MARKERS)
    return f"list_contains([{markers}], coalesce(trim({column}), ''))"


def infer_types(cursor: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> dict[str, ColumnType]:
    """The type of every text column of `table`, from its first SAMPLE_ROWS rows."""
    selected = ", ".join(identifier(column) for column in columns)
    cursor.execute(
        f"CREATE OR REPLACE TEMP TABLE infer_sample AS SELECT {selected} FROM {table} LIMIT {SAMPLE_ROWS}"
    )
    # Each check is a cheap test first, and the costly one (a regular expression, a cast) only where that
    # passes: `CASE WHEN cheap THEN costly END` runs `costly` on those values alone, where `cheap AND costly`
    # would run both on every value.
    checks = {
        "integer": f"CASE WHEN try_cast(@v AS BIGINT) IS NOT NULL OR contains(@v, ' ') OR contains(@v, '\u00a0') "
        f"OR contains(@v, '\u202f') THEN regexp_full_match(@v, '{INTEGER}') END",
        "comma": f"CASE WHEN contains(@v, ',') THEN regexp_full_match(@v, '{DECIMAL_COMMA}') END",
        "point": f"CASE WHEN contains(@v, '.') OR contains(lower(@v), 'e') "
        f"THEN regexp_full_match(@v, '{DECIMAL_POINT}') END",
        "grouped": "CASE WHEN contains(@v, ' ') OR contains(@v, '\u00a0') OR contains(@v, '\u202f') "
        "THEN regexp_matches(@v, '\\d[ \\x{a0}\\x{202f}]\\d{3}') END",
        "leading_zero": f"CASE WHEN starts_with(@v, '0') OR starts_with(@v, '-0') OR starts_with(@v, '+0') "
        f"THEN regexp_full_match(@v, '{LEADING_ZERO}') END",
        "iso_date": f"CASE WHEN length(@v) = 10 THEN regexp_full_match(@v, '{ISO_DATE}') "
        "AND try_cast(@v AS DATE) IS NOT NULL END",
        "datetime": f"CASE WHEN length(@v) >= 16 THEN regexp_full_match(@v, '{ISO_DATETIME}') "
        "AND try_cast(replace(@v, 'T', ' ') AS TIMESTAMPTZ) IS NOT NULL END",
        "json": "CASE WHEN starts_with(@v, '{') OR starts_with(@v, '[') THEN json_valid(@v) END",
        "geojson": "list_contains(['Point','MultiPoint','LineString','MultiLineString','Polygon','MultiPolygon',"
        "'GeometryCollection'], CASE WHEN starts_with(@v, '{') AND json_valid(@v) THEN json_extract_string(@v, '$.type') END)",
        "zoned": "CASE WHEN length(@v) >= 16 THEN regexp_matches(@v, '(Z|[+-]\\d{2}:?\\d{2})$') END",
        "bool_words": "list_contains(['ja','nej','true','false','sant','falskt','yes','no'], lower(@v))",
        "time": f"CASE WHEN contains(@v, ':') THEN regexp_full_match(@v, '{TIME_OF_DAY}') "
        "AND try_cast(@v AS TIME) IS NOT NULL END",
    }
    for pattern, fmt in DATE_FORMATS.items():
        separator = "/" if "/" in fmt else "."
        checks[f"date:{fmt}"] = (
            f"CASE WHEN contains(@v, '{separator}') THEN regexp_full_match(@v, '{pattern}') "
            f"AND try_strptime(@v, '{fmt}') IS NOT NULL END"
        )
    counts_sql = ", ".join(
        ["count(v)"] + [f"count(*) FILTER (WHERE {check.replace('@v', 'v')})" for check in checks.values()]
    )
    # One pass over all sampled cells: one row per (column, value), grouped by column. Empty cells and null
    # markers are NULL from the start, so no check counts them.
    rows = cursor.execute(
        f"SELECT name, {counts_sql} FROM (SELECT name, CASE WHEN {null_condition('value')} THEN NULL "
        f"ELSE trim(value) END AS v FROM (UNPIVOT infer_sample ON COLUMNS(*) INTO NAME name VALUE value)) "
        "GROUP BY name"
    ).fetchall()
    cursor.execute("DROP TABLE infer_sample")
    found = {str(name): (int(total), dict(zip(checks, values, strict=True))) for name, total, *values in rows}
    return {column: _choose(*found.get(column, (0, {}))) for column in columns}


def _choose(total: int, counts: dict[str, int]) -> ColumnType:
    if total == 0:
        return ColumnType("string")

    def fits(count: int) -> bool:  # in a handful of values, one misfit is a typo rather than another type
        return count >= total * CONFIDENCE or (total >= 3 and total - count == 1)

    if counts["leading_zero"] > 0:
        return ColumnType("string")  # postal codes, municipality codes: the zeros are part of the value
    if fits(counts["bool_words"]):
        return ColumnType("boolean")
    grouped = counts["grouped"] > 0
    if fits(counts["integer"]):
        return ColumnType("integer", grouped=grouped)
    if counts["comma"] and fits(counts["comma"] + counts["integer"]):
        return ColumnType("number", decimal=",", grouped=grouped)
    if counts["point"] and fits(counts["point"] + counts["integer"]):
        return ColumnType("number", decimal=".")
    if fits(counts["iso_date"]):
        return ColumnType("date")
    for name, count in counts.items():
        if name.startswith("date:") and fits(count):
            return ColumnType("date", date_format=name.removeprefix("date:"))
    if fits(counts["datetime"] + counts["iso_date"]) and counts["datetime"]:
        return ColumnType("datetime", zoned=counts["zoned"] > 0)
    if fits(counts["time"]):
        return ColumnType("time")
    if fits(counts["geojson"]):
        return ColumnType("geojson")
    if fits(counts["json"]):
        return ColumnType("object")
    return ColumnType("string")


def cast_expression(column: str, kind: ColumnType) -> str:
    """SQL turning the text column into its type; a value that does not fit becomes NULL, and so does a
    null marker (`NA` is no number). Validation tells the two apart (ingest._validate)."""
    quoted = identifier(column)
    value = f"trim({quoted})"
    if kind.type in ("string", "object", "array"):
        return quoted  # as it was; the readers already give an empty cell as NULL
    if kind.type == "geojson":
        return f"CASE WHEN json_valid({value}) THEN {value} END"
    if kind.type in ("integer", "number", "date", "datetime", "time"):
        value = quoted  # DuckDB's casts skip surrounding spaces themselves: no trim() for millions of cells
    if kind.type in ("integer", "number"):
        if kind.grouped or kind.lenient:
            for space in SPACES:
                value = f"replace({value}, '{space}', '')"
        if kind.decimal == ",":
            value = f"replace({value}, ',', '.')"
        elif kind.type == "number":
            value = f"replace({value}, ',', '')"
        if kind.type == "integer":  # DuckDB would read 12.7 as 13, 2E5 as 200000, 1_000 as 1000, 0x1F as 31
            return f"try_cast(CASE WHEN regexp_matches({value}, '[.,eE_xX+]') THEN NULL ELSE {value} END AS BIGINT)"
        return f"try_cast({value} AS DOUBLE)"
    if kind.type == "boolean":
        true_words = ", ".join(f"'{w}'" for w in TRUE_WORDS)
        false_words = ", ".join(f"'{w}'" for w in FALSE_WORDS)
        lowered = f"lower({value})"
        return (
            f"CASE WHEN list_contains([{true_words}], {lowered}) THEN true "
            f"WHEN list_contains([{false_words}], {lowered}) THEN false END"
        )
    if kind.type == "date":
        if kind.date_format:
            return f"try_strptime({value}, '{kind.date_format}')::DATE"
        return f"try_cast({value} AS DATE)"
    if kind.type == "datetime":
        if kind.zoned:
            return f"timezone('UTC', try_cast(replace({value}, 'T', ' ') AS TIMESTAMPTZ))"
        return f"try_cast(replace({value}, 'T', ' ') AS TIMESTAMP)"
    if kind.type == "time":
        return f"try_cast({value} AS TIME)"
    raise ValueError(f"unknown type {kind.type}")


MISFIT = "datatorget: a cell does not fit the type of its column"


def strict_cast_expression(column: str, kind: ColumnType) -> str:
    """Like cast_expression, but a cell that holds a value which does not fit the type stops the statement
    with an error (MISFIT) instead of becoming NULL: for writing a file in one pass (direct.py)."""
    cast = cast_expression(column, kind)
    if kind.type in ("string", "object", "array"):
        return cast
    return f"coalesce({cast}, CASE WHEN NOT {null_condition(identifier(column))} THEN error('{MISFIT}') END)"


def table_schema_type(duckdb_type: str) -> str:
    """The Table Schema type of a column a typed source (Parquet, JSON) already gives a DuckDB type."""
    upper = duckdb_type.upper()
    if upper in ("BOOLEAN",):
        return "boolean"
    if any(upper.startswith(t) for t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                                          "USMALLINT", "UINTEGER", "UBIGINT")):  # fmt: skip
        return "integer"
    if any(upper.startswith(t) for t in ("FLOAT", "DOUBLE", "DECIMAL", "REAL")):
        return "number"
    if upper == "DATE":
        return "date"
    if upper.startswith("TIMESTAMP"):
        return "datetime"
    if upper.startswith("TIME"):
        return "time"
    if upper.startswith("GEOMETRY"):
        return "geojson"
    if upper.startswith("STRUCT") or upper.startswith("MAP") or upper == "JSON":
        return "object"
    if upper.endswith("[]") or upper.startswith("LIST"):
        return "array"
    return "string"

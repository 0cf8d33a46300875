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

SAMPLE_ROWS = 50_000
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
INTEGER = r"[+-]?(\d+|\d{1,3}([ \x{a0}\x{202f}]\d{3})+)"
DECIMAL_COMMA = r"[+-]?(\d+|\d{1,3}([ \x{a0}\x{202f}]\d{3})+),\d+"
DECIMAL_POINT = r"[+-]?(\d+|\d{1,3}(,\d{3})+)?\.\d+([eE][+-]?\d+)?|[+-]?\d+[eE][+-]?\d+"
ISO_DATE = r"\d{4}-\d{2}-\d{2}"
DATE_FORMATS = {  # pattern -> strptime format
    r"\d{4}/\d{2}/\d{2}": "%Y/%m/%d",
    r"\d{1,2}\.\d{1,2}\.\d{4}": "%d.%m.%Y",
    r"\d{1,2}/\d{1,2}/\d{4}": "%d/%m/%Y",
}
ISO_DATETIME = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
LEADING_ZERO = r"[+-]?0\d+"


@dataclass(frozen=True)
class ColumnType:
    """A column's type and how its text is read: `decimal` "," or "." and `grouped` when numbers have
    thousands separators; `date_format` a strptime format for dates not in ISO form."""

    type: str
    decimal: str = "."
    grouped: bool = False
    date_format: str | None = None
    lenient: bool = False  # a type the publisher chose: read numbers with or without grouping spaces

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
    """SQL that is true when a text cell counts as empty: nothing, whitespace or a common null marker."""
    markers = ", ".join(f"'{sql_string(marker)}'" for marker in NULL_MARKERS)
    return f"(trim({column}) IN ({markers}) OR {column} IS NULL)"


def infer_types(cursor: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> dict[str, ColumnType]:
    """The type of every text column of `table`, from its first SAMPLE_ROWS rows."""
    cursor.execute(f"CREATE OR REPLACE TEMP TABLE infer_sample AS SELECT * FROM {table} LIMIT {SAMPLE_ROWS}")
    checks = {
        "integer": f"regexp_full_match(v, '{INTEGER}')",
        "comma": f"regexp_full_match(v, '{DECIMAL_COMMA}')",
        "point": f"regexp_full_match(v, '{DECIMAL_POINT}')",
        "grouped": "regexp_matches(v, '\\d[ \\x{a0}\\x{202f}]\\d{3}')",
        "leading_zero": f"regexp_full_match(v, '{LEADING_ZERO}')",
        "boolean": "lower(v) IN (" + ", ".join(f"'{w}'" for w in TRUE_WORDS + FALSE_WORDS) + ")",
        "iso_date": f"regexp_full_match(v, '{ISO_DATE}') AND try_cast(v AS DATE) IS NOT NULL",
        "datetime": f"regexp_full_match(v, '{ISO_DATETIME}') AND try_cast(replace(v, 'T', ' ') AS TIMESTAMPTZ) IS NOT NULL",
        "json": "CASE WHEN starts_with(v, '{') OR starts_with(v, '[') THEN json_valid(v) ELSE false END",
        "geojson": "CASE WHEN starts_with(v, '{') AND json_valid(v) THEN json_extract_string(v, '$.type') END IN "
        "('Point','MultiPoint','LineString','MultiLineString','Polygon','MultiPolygon','GeometryCollection')",
        "bool_words": "lower(v) IN ('ja','nej','true','false','sant','falskt','yes','no')",
    }
    for pattern, fmt in DATE_FORMATS.items():
        checks[f"date:{fmt}"] = f"regexp_full_match(v, '{pattern}') AND try_strptime(v, '{fmt}') IS NOT NULL"
    result: dict[str, ColumnType] = {}
    for column in columns:
        quoted = identifier(column)
        counts_sql = ", ".join(f"count(*) FILTER (WHERE {expression})" for expression in checks.values())
        row = cursor.execute(
            f"SELECT count(*), {counts_sql} FROM (SELECT trim({quoted}) AS v FROM infer_sample "
            f"WHERE NOT {null_condition(quoted)})"
        ).fetchone()
        assert row is not None
        total, *values = row
        counts = dict(zip(checks, values, strict=True))
        result[column] = _choose(int(total), counts)
    cursor.execute("DROP TABLE infer_sample")
    return result


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
        return ColumnType("datetime")
    if fits(counts["geojson"]):
        return ColumnType("geojson")
    if fits(counts["json"]):
        return ColumnType("object")
    return ColumnType("string")


def cast_expression(column: str, kind: ColumnType) -> str:
    """SQL turning the text column into its type; a value that does not fit becomes NULL."""
    quoted = identifier(column)
    value = f"trim({quoted})"
    if kind.type in ("string", "object", "array"):
        return f"CASE WHEN trim({quoted}) = '' THEN NULL ELSE {quoted} END"
    if kind.type == "geojson":
        return f"CASE WHEN json_valid({value}) THEN {value} END"
    empty = f"WHEN {null_condition(quoted)} THEN NULL"
    if kind.type in ("integer", "number"):
        if kind.grouped or kind.lenient:
            for space in SPACES:
                value = f"replace({value}, '{space}', '')"
        if kind.decimal == ",":
            value = f"replace({value}, ',', '.')"
        elif kind.type == "number":
            value = f"replace({value}, ',', '')"
        target = DUCKDB_TYPES[kind.type]
        return f"CASE {empty} ELSE try_cast({value} AS {target}) END"
    if kind.type == "boolean":
        true_words = ", ".join(f"'{w}'" for w in TRUE_WORDS)
        false_words = ", ".join(f"'{w}'" for w in FALSE_WORDS)
        lowered = f"lower({value})"
        return f"CASE {empty} WHEN {lowered} IN ({true_words}) THEN true WHEN {lowered} IN ({false_words}) THEN false END"
    if kind.type == "date":
        if kind.date_format:
            return f"CASE {empty} ELSE try_strptime({value}, '{kind.date_format}')::DATE END"
        return f"CASE {empty} ELSE try_cast({value} AS DATE) END"
    if kind.type == "datetime":
        return f"CASE {empty} ELSE try_cast(replace({value}, 'T', ' ') AS TIMESTAMP) END"
    if kind.type == "time":
        return f"CASE {empty} ELSE try_cast({value} AS TIME) END"
    raise ValueError(f"unknown type {kind.type}")


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

"""Column statistics of a table version: empty cells, distinct values, smallest, largest, most common."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from datatorget.store.connection import identifier, sql_string

TOP_VALUES = 5
COLUMNS_PER_QUERY = 50
EXACT_DISTINCT_UP_TO = 1_000_000  # rows; above that, distinct counts are HyperLogLog estimates
ORDERED = frozenset({"integer", "number", "date", "datetime", "time", "string"})
COUNTED = frozenset({"string", "integer", "boolean", "date"})


def column_stats(
    cursor: duckdb.DuckDBPyConnection, path: Path, schema: dict[str, Any]
) -> list[dict[str, Any]]:
    """One entry per field: name, type, nulls, distinct (estimated above a million rows), min, max, top values."""
    relation = f"read_parquet('{sql_string(str(path))}')"
    fields = schema["fields"]
    if not fields:
        return []
    counted = cursor.execute(f"SELECT count(*) FROM {relation}").fetchone()
    distinct = (
        "count(DISTINCT {})"
        if counted and counted[0] <= EXACT_DISTINCT_UP_TO
        else "approx_count_distinct({})"
    )
    total = int(counted[0]) if counted else 0
    row: list[Any] = [total]
    for start in range(0, len(fields), COLUMNS_PER_QUERY):  # a wide table in several passes: bounded memory
        parts = []
        for field in fields[start : start + COLUMNS_PER_QUERY]:
            quoted = identifier(field["name"])
            ordered = field["type"] in ORDERED
            parts.append(
                f"count(*) - count({quoted}), {distinct.format(quoted)}, "
                + (f"min({quoted})::VARCHAR, max({quoted})::VARCHAR" if ordered else "NULL, NULL")
            )
        found_row = cursor.execute(f"SELECT {', '.join(parts)} FROM {relation}").fetchone()
        assert found_row is not None
        row += list(found_row)
    found = []
    for index, field in enumerate(fields):
        nulls, distinct, smallest, largest = row[1 + index * 4 : 5 + index * 4]
        entry: dict[str, Any] = {
            "name": field["name"],
            "type": field["type"],
            "nulls": int(nulls),
            "distinct": int(distinct),
            "min": _number(smallest, field["type"]),
            "max": _number(largest, field["type"]),
            "top": [],
        }
        if field["type"] in COUNTED and total:
            quoted = identifier(field["name"])
            entry["top"] = [
                {"value": _number(value, field["type"]), "count": int(count)}
                for value, count in cursor.execute(
                    f"SELECT {quoted}::VARCHAR, count(*) AS n FROM {relation} WHERE {quoted} IS NOT NULL "
                    f"GROUP BY 1 ORDER BY n DESC, 1 LIMIT {TOP_VALUES}"
                ).fetchall()
            ]
        found.append(entry)
    return found


def _number(value: str | None, kind: str) -> Any:
    if value is None:
        return None
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "boolean":
        return value == "true"
    return value

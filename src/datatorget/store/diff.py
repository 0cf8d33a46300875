"""What changed between two versions of a table: rows added, removed and changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from datatorget.store.connection import identifier, sql_string


def compare_versions(
    cursor: duckdb.DuckDBPyConnection, old: Path, new: Path, primary_key: list[str]
) -> dict[str, Any]:
    """Counts of added, removed and changed rows. With a primary key, a row is the same row when its key is;
    without one, rows are compared whole, and a changed row counts as one removed and one added."""
    old_sql = f"read_parquet('{sql_string(str(old))}')"
    new_sql = f"read_parquet('{sql_string(str(new))}')"
    old_columns = _columns(cursor, old_sql)
    new_columns = _columns(cursor, new_sql)
    common = [column for column in new_columns if column in old_columns]

    def side(alias: str, column: str) -> str:
        """The column, as text when its type changed between the versions (so that they compare)."""
        prefix = f"{alias}." if alias else ""
        same = old_columns[column] == new_columns[column]
        return f"{prefix}{identifier(column)}" if same else f"{prefix}{identifier(column)}::VARCHAR"

    summary: dict[str, Any] = {
        "columns_added": [column for column in new_columns if column not in old_columns],
        "columns_removed": [column for column in old_columns if column not in new_columns],
    }
    if primary_key and all(column in common for column in primary_key):
        joined = " AND ".join(f"{side('o', c)} = {side('n', c)}" for c in primary_key)
        values = [column for column in common if column not in primary_key]
        differs = " OR ".join(f"{side('o', c)} IS DISTINCT FROM {side('n', c)}" for c in values) or "false"
        row = cursor.execute(
            f"SELECT count(*) FILTER (WHERE o.{identifier(primary_key[0])} IS NULL), "
            f"count(*) FILTER (WHERE n.{identifier(primary_key[0])} IS NULL), "
            f"count(*) FILTER (WHERE o.{identifier(primary_key[0])} IS NOT NULL AND n.{identifier(primary_key[0])} IS NOT NULL AND ({differs})) "
            f"FROM {old_sql} o FULL OUTER JOIN {new_sql} n ON {joined}"
        ).fetchone()
        assert row is not None
        return summary | {
            "added": int(row[0]),
            "removed": int(row[1]),
            "changed": int(row[2]),
            "by": "primary_key",
        }
    selected = ", ".join(side("", column) for column in common) or "1"
    row = cursor.execute(
        f"SELECT (SELECT count(*) FROM (SELECT {selected} FROM {new_sql} EXCEPT ALL SELECT {selected} FROM {old_sql})), "
        f"(SELECT count(*) FROM (SELECT {selected} FROM {old_sql} EXCEPT ALL SELECT {selected} FROM {new_sql}))"
    ).fetchone()
    assert row is not None
    return summary | {"added": int(row[0]), "removed": int(row[1]), "changed": None, "by": "row"}


def _columns(cursor: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """Column name -> DuckDB type, in order."""
    return {
        str(row[0]): str(row[1]) for row in cursor.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    }

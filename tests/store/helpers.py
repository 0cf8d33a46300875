"""Reading back what an ingestion built."""

from __future__ import annotations

from typing import Any

import duckdb

from datatorget.store.connection import sql_string
from datatorget.store.ingest import BuiltVersion


def rows_of(duck: duckdb.DuckDBPyConnection, built: BuiltVersion) -> list[tuple[Any, ...]]:
    """Every row of a built version, in file order."""
    return duck.execute(f"SELECT * FROM read_parquet('{sql_string(str(built.path))}')").fetchall()


def types_of(built: BuiltVersion) -> dict[str, str]:
    """Column name -> Table Schema type."""
    return {field["name"]: field["type"] for field in built.schema["fields"]}

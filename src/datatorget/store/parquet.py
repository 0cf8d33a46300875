"""Parquet: the columns keep the types the file gives them; names are cleaned like any header row.

Types a table version cannot hold as they are become something it can: nested values (structs, lists,
maps) become JSON text, for inference to type as objects; binary values become text (UTF-8) or Base64;
anything else unusual (intervals, UUIDs, bit strings) becomes its text form.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from datatorget.store.connection import identifier, sql_string
from datatorget.store.headers import clean_headers
from datatorget.store.progress import Progress, ProgressCallback, overall, watched
from datatorget.store.raw import RAW, Limits, RawTable, check_width, count_rows, first_line_of
from datatorget.store.report import IngestionFailed

KEPT = re.compile(
    r"(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DATE|TIME"
    r"|TIMESTAMP|TIMESTAMP WITH TIME ZONE|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|VARCHAR|DECIMAL\(\d+,\s*\d+\)"
    r"|GEOMETRY(\(.*\))?)"
)
NESTED = ("STRUCT(", "MAP(", "UNION(")


def load_parquet(
    cursor: duckdb.DuckDBPyConnection, path: Path, limits: Limits, progress: ProgressCallback
) -> RawTable:
    """A Parquet file into `raw` with its own types (listed in `typed`), except where they must change."""
    source = f"read_parquet('{sql_string(str(path))}')"
    try:
        described = cursor.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    except duckdb.Error as exc:
        raise _unreadable(exc, path) from exc
    check_width(len(described), limits)
    names, problems = clean_headers([str(row[0]) for row in described])
    selects: list[str] = []
    typed: dict[str, str] = {}
    for (original, duckdb_type, *_), name in zip(described, names, strict=True):
        expression, raw_type = _column(identifier(str(original)), str(duckdb_type))
        selects.append(f"{expression} AS {identifier(name)}")
        if raw_type is not None:
            typed[name] = raw_type
    with watched(cursor, progress, "reading"):
        try:
            cursor.execute(f"CREATE OR REPLACE TEMP TABLE {RAW} AS SELECT {', '.join(selects)} FROM {source}")
        except duckdb.OutOfMemoryException:
            raise
        except duckdb.Error as exc:
            raise _unreadable(exc, path) from exc
    row_count = count_rows(cursor)
    progress(Progress("reading", overall("reading", 1.0), row_count))
    return RawTable(
        columns=names, row_count=row_count, typed=typed, problems=problems, source={"format": "parquet"}
    )


def _column(quoted: str, duckdb_type: str) -> tuple[str, str | None]:
    """The expression that reads a Parquet column and the type it gives `raw` (None: text for inference)."""
    if KEPT.fullmatch(duckdb_type):
        return quoted, duckdb_type
    if duckdb_type.endswith("]") or duckdb_type.startswith(NESTED):
        return f"to_json({quoted})::VARCHAR", None  # JSON text: inference types it as an object
    if duckdb_type == "BLOB":
        return f"coalesce(try(decode({quoted})), to_base64({quoted}))", "VARCHAR"
    return f"{quoted}::VARCHAR", "VARCHAR"


def _unreadable(exc: duckdb.Error, path: Path) -> IngestionFailed:
    detail = first_line_of(exc).replace(str(path), path.name)
    return IngestionFailed(
        "unreadable_parquet",
        sv=f"Filen gick inte att läsa som Parquet; den kan vara trasig ({detail}).",
        en=f"The file could not be read as Parquet; it may be damaged ({detail}).",
    )

"""A CSV file straight to Parquet in one pass, when every cell fits the type of its column.

The general path reads a file into the `raw` table (readers.py), infers the types, writes Parquet with the
casts and then compares counts to find the cells that did not fit (ingest.py): for a CSV file, the whole file
is read twice. Most files have no such cells, so for CSV this comes first: the types are inferred from the
first rows alone (the general path, too, looks at only those: infer.SAMPLE_ROWS), then one statement reads,
casts and writes, and stops at the first cell that does not fit. When one does not fit, or anything else is
out of the ordinary, `write_csv_directly` returns None and the caller takes the general path, which finds,
lists and handles every such cell.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from datatorget.store.connection import identifier, sql_string
from datatorget.store.infer import SAMPLE_ROWS, ColumnType, strict_cast_expression
from datatorget.store.progress import ProgressCallback, watched
from datatorget.store.raw import RAW, Limits, RawTable, count_rows
from datatorget.store.readers import (
    LateEncodingError,
    forget_rejects,
    open_csv,
    read_rejects,
    read_sample,
)
from datatorget.store.sniff import detect_encoding

TypesOf = Callable[[RawTable], dict[str, ColumnType]]


def write_csv_directly(
    cursor: duckdb.DuckDBPyConnection,
    path: Path,
    limits: Limits,
    target: Path,
    *,
    types_of: TypesOf,
    parquet_options: Callable[[int], str],
    progress: ProgressCallback,
) -> tuple[RawTable, dict[str, ColumnType]] | None:
    """Write the CSV file at `path` to `target` with the types `types_of` chooses from its first rows, in
    the Parquet options `parquet_options` gives for its number of columns; None
    when that cannot be done without losing a cell (nothing is then kept: `target` is removed).
    IngestionFailed for what the general path would refuse too (a header row that is too wide, say)."""
    sample = read_sample(path)
    encoding = detect_encoding(sample)
    csv = open_csv(path, sample, encoding, limits, progress)
    forget_rejects(cursor)
    cursor.execute(f"CREATE OR REPLACE TEMP TABLE {RAW} AS SELECT * FROM {csv.sql} LIMIT {SAMPLE_ROWS}")
    head = csv.as_raw(count_rows(cursor), [])
    if head.row_count == 0:
        return None  # nothing to infer from: the general path says why
    kinds = types_of(head)
    selects = ", ".join(f"{strict_cast_expression(c, kinds[c])} AS {identifier(c)}" for c in csv.columns)
    forget_rejects(cursor)
    with watched(cursor, progress, "reading", estimated_rows=csv.estimated_rows):
        try:
            written = cursor.execute(
                f"COPY (SELECT {selects} FROM {csv.sql}) TO '{sql_string(str(target))}' "
                f"({parquet_options(len(csv.columns))}, RETURN_STATS)"
            ).fetchone()
            rejects = read_rejects(cursor, csv)
        except (duckdb.ParserException, duckdb.BinderException):
            raise  # a mistake in the SQL above, not in the file
        except (duckdb.Error, LateEncodingError):
            target.unlink(missing_ok=True)
            return None  # a cell that does not fit (MISFIT), or a file the general path reads with care
    row_count = int(written[1]) if written else 0
    if row_count == 0:
        target.unlink(missing_ok=True)
        return None
    return csv.as_raw(row_count, rejects), kinds

"""A CSV file straight to Parquet in one pass, and the cases that leave it to the general path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from datatorget.store.connection import sql_string
from datatorget.store.direct import write_csv_directly
from datatorget.store.infer import SAMPLE_ROWS, ColumnType, infer_types
from datatorget.store.progress import ignore_progress
from datatorget.store.raw import RAW, Limits, RawTable
from datatorget.store.report import IngestionFailed
from tests.store.conftest import Ingest
from tests.store.helpers import rows_of

OPTIONS = "FORMAT parquet, COMPRESSION zstd"


def write(
    duck: duckdb.DuckDBPyConnection, tmp_path: Path, content: bytes, *, max_columns: int = 1000
) -> tuple[RawTable, dict[str, ColumnType]] | None:
    source = tmp_path / "upload.csv"
    source.write_bytes(content)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    cursor = duck.cursor()

    def types_of(head: RawTable) -> dict[str, ColumnType]:
        return infer_types(cursor, RAW, head.columns)

    return write_csv_directly(
        cursor, source, Limits(max_columns, 2**31, work), tmp_path / "out.parquet",
        types_of=types_of, parquet_options=lambda _columns: OPTIONS, progress=ignore_progress,
    )  # fmt: skip


def written_rows(duck: duckdb.DuckDBPyConnection, tmp_path: Path) -> list[tuple[object, ...]]:
    path = sql_string(str(tmp_path / "out.parquet"))
    return duck.execute(f"SELECT * FROM read_parquet('{path}')").fetchall()


def many_rows(last: str) -> bytes:
    """A file whose first SAMPLE_ROWS rows say `antal` is a whole number, and whose last row is `last`."""
    rows = "".join(f"{i};{i % 500};2024-01-0{1 + i % 9}\n" for i in range(SAMPLE_ROWS + 100))
    return f"id;antal;datum\n{rows}{last}\n".encode()


def test_a_clean_file_is_written_typed_in_one_pass(duck: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    done = write(duck, tmp_path, b"namn;belopp;datum;aktiv\nA;1 234,50;2024-06-01;ja\nB;;2024-06-02;nej\n")
    assert done is not None
    raw, kinds = done
    assert raw.row_count == 2
    assert {name: kind.type for name, kind in kinds.items()} == {
        "namn": "string", "belopp": "number", "datum": "date", "aktiv": "boolean",
    }  # fmt: skip
    assert written_rows(duck, tmp_path) == [
        ("A", 1234.5, dt.date(2024, 6, 1), True),
        ("B", None, dt.date(2024, 6, 2), False),
    ]


def test_a_misfit_after_the_inferred_rows_leaves_the_file_to_the_general_path(
    duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    assert write(duck, tmp_path, many_rows("9999999;tvåhundra;2024-01-01")) is None
    assert not (tmp_path / "out.parquet").exists()


def test_null_markers_after_the_inferred_rows_are_empty_cells_not_misfits(
    duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    assert write(duck, tmp_path, many_rows("9999999;N/A;-")) is not None
    assert written_rows(duck, tmp_path)[-1] == (9999999, None, None)


def test_invalid_utf8_late_in_the_file_leaves_it_to_the_general_path(
    duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    assert write(duck, tmp_path, many_rows("9999999;1;2024-01-01").replace(b"9999999", b"99\xff99")) is None


def test_a_header_only_file_leaves_it_to_the_general_path(
    duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    assert write(duck, tmp_path, b"id;antal\n") is None


def test_what_the_general_path_refuses_too_is_refused_at_once(
    duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    with pytest.raises(IngestionFailed) as refused:
        write(duck, tmp_path, b"a;b;c\n1;2;3\n", max_columns=2)
    assert refused.value.code == "too_many_columns"


def test_a_late_misfit_is_still_found_and_reported_by_the_ingestion(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    built = ingest(many_rows("9999999;tvåhundra;2024-01-01"))
    assert rows_of(duck, built)[-1] == (9999999, None, dt.date(2024, 1, 1))
    assert built.report["error_count"] == 1
    assert built.report["problems"][0]["row"] == SAMPLE_ROWS + 101
    assert built.report["problems"][0]["value"] == "tvåhundra"


def test_one_pass_and_the_general_path_give_the_same_table(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    """The same rows once clean (one pass) and once with a misfit in an extra row (the general path)."""
    clean = ingest(many_rows("9999999;1;2024-01-01"))
    with_misfit = ingest(many_rows("9999999;1;2024-01-01\n1;x;2024-01-01"))
    assert with_misfit.report["error_count"] == 1
    assert clean.schema == with_misfit.schema
    assert rows_of(duck, clean) == rows_of(duck, with_misfit)[:-1]

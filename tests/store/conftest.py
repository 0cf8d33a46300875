"""Fixtures of the store tests: a DuckDB like the app's, and a way to read a file in as a table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from datatorget.config import Settings
from datatorget.store.connection import connect
from datatorget.store.ingest import BuiltVersion, TableSettings, build_version
from datatorget.store.raw import Limits


@pytest.fixture
def store_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", duckdb_threads=1, duckdb_memory_limit="256MB")


@pytest.fixture
def duck(store_settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(store_settings)
    yield connection
    connection.close()


Ingest = Callable[..., BuiltVersion]


@pytest.fixture
def ingest(duck: duckdb.DuckDBPyConnection, store_settings: Settings, tmp_path: Path) -> Ingest:
    """Read `content` (bytes) in as a table the way the ingestion job does; the built version."""

    def run(
        content: bytes,
        name: str = "table.csv",
        *,
        settings: TableSettings | None = None,
        previous: BuiltVersion | None = None,
        max_columns: int | None = None,
    ) -> BuiltVersion:
        source = tmp_path / "uploads" / name
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(content)
        return build_version(
            duck,
            source,
            name,
            settings=settings or TableSettings(),
            limits=Limits(
                max_columns or store_settings.max_table_columns,
                store_settings.max_uncompressed_bytes,
                store_settings.work_dir,
            ),
            table_dir=store_settings.tables_dir / "t",
            previous=(previous.path, previous.schema) if previous else None,
        )

    return run

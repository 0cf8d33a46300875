"""DuckDB connections: extensions from the installed packages only, limits from the settings."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import threading
import uuid
from pathlib import Path
from typing import Protocol

import duckdb
import duckdb_extension_spatial  # type: ignore[import-untyped]

from datatorget.config import Settings


def spatial_extension() -> Path:
    """The spatial extension shipped by the `duckdb-extension-spatial` package for our DuckDB version."""
    folder = Path(next(iter(duckdb_extension_spatial.__path__)))
    return folder / "extensions" / f"v{duckdb.__version__}" / "spatial.duckdb_extension"


def connect(
    settings: Settings, *, memory_limit: str | None = None, threads: int | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that never downloads anything, spills to the work dir and has spatial loaded.
    Parquet metadata is cached: a version's file never changes once written.

    Threads share it through `.cursor()`: each cursor is a connection of its own to the same database.
    Each database spills into a folder of its own (DuckDB names its spill files by block size only, so two
    databases sharing a folder would overwrite each other's); folders of processes that ended are removed.
    """
    _no_pandas_lookups()
    spill_root = settings.work_dir / "duckdb"
    spill_root.mkdir(parents=True, exist_ok=True)
    _remove_spill_folders_of_ended_processes(spill_root)
    spill = spill_root / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": memory_limit or settings.duckdb_memory_limit,
        "temp_directory": str(spill.resolve()),
        "preserve_insertion_order": True,
    }
    if threads or settings.duckdb_threads:
        config["threads"] = threads or settings.duckdb_threads
    connection = duckdb.connect(":memory:", config=config)
    connection.execute(f"LOAD '{sql_string(str(spatial_extension()))}'")
    connection.execute("SET parquet_metadata_cache = true")
    connection.execute(
        "SET TimeZone = 'UTC'"
    )  # times with an offset are stored in UTC, whatever the server's zone
    return connection


def _no_pandas_lookups() -> None:
    """DuckDB's Python client tries to import pandas each time it binds query parameters, six times a
    query. Where pandas is not installed, each try searches every folder on sys.path under Python's import
    lock: about 0.8 ms a query, and request threads wait for each other. Marked missing once, each try
    fails at once, as it would anyway."""
    if "pandas" not in sys.modules and importlib.util.find_spec("pandas") is None:
        sys.modules["pandas"] = None  # type: ignore[assignment]


def _remove_spill_folders_of_ended_processes(root: Path) -> None:
    for folder in root.iterdir():
        pid = folder.name.split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sql_string(value: str) -> str:
    """`value` for use inside a single-quoted SQL string literal."""
    return value.replace("'", "''")


def identifier(name: str) -> str:
    """A column or table name quoted for SQL, whatever characters it holds."""
    return '"' + name.replace('"', '""') + '"'


class CursorSource(Protocol):
    """Anything that hands out DuckDB cursors: a connection, or a SharedConnection."""

    def cursor(self) -> duckdb.DuckDBPyConnection: ...


class SharedConnection:
    """One DuckDB database per process, opened on first use; every user takes a `cursor()` of its own."""

    def __init__(self, settings: Settings, *, threads: int | None = None) -> None:
        self._settings = settings
        self._threads = threads
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._connection is None:
                self._connection = connect(self._settings, threads=self._threads)
            return self._connection.cursor()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

"""Engines and sessionmakers for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from datatorget.config import Settings

WRITING = "datatorget_writing"


def make_engine(url: str) -> Engine:
    """An engine for the URL. SQLite gets foreign keys, WAL and transactions SQLAlchemy controls."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def engine_from_settings(settings: Settings) -> Engine:
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.resolved_database_url)


def make_sessionmaker(engine: Engine, *, writing: bool = False) -> sessionmaker[Session]:
    """Sessions on the engine. `writing=True` for units of work that change data: on SQLite they take
    the write lock when they begin, so that concurrent writers queue instead of failing."""
    return sessionmaker(
        engine.execution_options(**{WRITING: True}) if writing else engine, expire_on_commit=False
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself so that SAVEPOINTs and rollbacks behave as on PostgreSQL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB of pages per connection (the default is 2 MiB)
        cursor.execute("PRAGMA mmap_size=268435456")  # read through a 256 MiB memory map, without copies
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A transaction that will write takes the write lock at once (and waits for it up to the timeout):
        # one that read first and wrote later would fail with "database is locked" when another wrote
        # in between, instead of waiting its turn.
        writing = connection.get_execution_options().get(WRITING, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

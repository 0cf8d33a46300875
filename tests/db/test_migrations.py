"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

import datatorget.catalog.models
import datatorget.dialogue.models
import datatorget.interop.harvest_models
import datatorget.interop.quality_models
import datatorget.jobs.models
import datatorget.store.models  # noqa: F401
from datatorget.db.base import Base
from datatorget.db.migrate import is_current, upgrade

SEARCH_TABLES = {"sqlite": "dataset_fts", "postgresql": "dataset_search"}


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [
            d
            for d in compare_metadata(context, Base.metadata)
            if not _is_search_index(d, engine.dialect.name)
        ]
    assert differences == []


def test_the_database_is_at_the_newest_migration(engine: Engine) -> None:
    assert is_current(engine)


def test_upgrading_again_changes_nothing(engine: Engine) -> None:
    before = sorted(inspect(engine).get_table_names())
    upgrade(engine)
    assert sorted(inspect(engine).get_table_names()) == before


def test_the_search_index_of_the_backend_exists(engine: Engine) -> None:
    assert SEARCH_TABLES[engine.dialect.name] in inspect(engine).get_table_names()


def _is_search_index(difference: object, dialect: str) -> bool:
    """The full-text tables are made by the migration only; the models do not map them."""
    text = repr(difference)
    return any(name in text for name in ("dataset_fts", "dataset_search")) or (
        dialect == "sqlite" and "dataset_fts_" in text
    )

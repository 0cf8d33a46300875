"""Alembic environment: migrations run on the engine the caller hands over in config.attributes.

Migrations are written by hand (or generated, then read) and never import the models, so that the
database layer stays below the catalog; tests/db/test_migrations.py checks that they agree.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

engine: Engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    context.run_migrations()

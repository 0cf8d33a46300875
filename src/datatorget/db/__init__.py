"""The metadata database: engine, declarative base and Alembic migrations."""

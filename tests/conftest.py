"""Fixtures: real databases on both backends, an app per test, and factories that go through services.

`engine` is parametrised over SQLite and PostgreSQL. SQLite: a copy of a database migrated once per run.
PostgreSQL: a database created and migrated once per run, emptied after each test. PostgreSQL tests skip
with a printed reason when no server answers, except under CI=true, where they must run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, create_engine, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from datatorget.app import create_app
from datatorget.catalog import accounts
from datatorget.catalog.changes import new_generation
from datatorget.catalog.models import CatalogGeneration, User
from datatorget.config import Settings
from datatorget.db.engine import make_engine, make_sessionmaker
from datatorget.db.migrate import upgrade

POSTGRES_URL = os.environ.get("DATATORGET_TEST_POSTGRES_URL", "postgresql+psycopg://127.0.0.1:5432/test")
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashes() -> Iterator[None]:
    """Argon2 with the least work. With the production parameters each user a test makes costs a quarter of a
    second, and the suite makes thousands. The hashes are still argon2, made and checked by the same code (a
    hash carries its parameters)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "datatorget.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """A fresh PostgreSQL database for this test run (one per xdist worker), migrated."""
    admin_url = make_url(POSTGRES_URL)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"datatorget_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        reason = f"PostgreSQL is not reachable at {POSTGRES_URL}: {str(exc).splitlines()[0]}"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: PostgreSQL-backed tests must run)")
        pytest.skip(reason)
    engine = make_engine(admin_url.set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_postgres(engine: Engine) -> None:
    with engine.begin() as connection:
        tables = connection.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename NOT IN ('alembic_version', 'catalog_generation')"
            )
        ).scalars()
        names = ", ".join(f'"{t}"' for t in tables)
        if names:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        # TRUNCATE goes round the services, so the catalog changed without a new generation: draw one.
        connection.execute(update(CatalogGeneration).values(value=new_generation()))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    yield from empty_database(request, tmp_path, sqlite_template)


def empty_database(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    """An engine on a migrated, empty database of the backend `request.param`, emptied again afterwards."""
    if request.param == "sqlite":
        path = tmp_path / "datatorget.db"
        shutil.copy(sqlite_template, path)
        sqlite = make_engine(f"sqlite:///{path}")
        yield sqlite
        sqlite.dispose()
        return
    postgres: Engine = request.getfixturevalue("postgres_engine")
    try:
        yield postgres
    finally:
        _empty_postgres(postgres)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        base_url="http://portal.test",
        secret_key=SecretStr("test-secret"),
        job_workers=0,  # tests run queued jobs themselves (tests/jobs.py), so that they run in order
        duckdb_threads=1,
        duckdb_memory_limit="256MB",
        # Rate limits and the spam guard's minimum time out of the way; their own tests set them low.
        account_writes_per_minute=100_000,
        account_writes_per_day=100_000,
        address_writes_per_minute=100_000,
        form_min_seconds=0,
    )


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed as the app's would be; the database is emptied after the test."""
    with make_sessionmaker(engine)() as session:
        yield session


@contextmanager
def client_with(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """A client of the app with these settings on the test's database, started and stopped with the block."""
    app = create_app(settings, engine=engine, migrate=False)
    with TestClient(app, base_url="http://portal.test", raise_server_exceptions=True) as client:
        yield client


@pytest.fixture
def app_client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with client_with(engine, settings) as client:
        yield client


class Actors:
    """Users in the test database, and their bearer headers."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def user(
        self, email: str, role: str, organization: str | None = None, *, display_name: str | None = None
    ) -> User:
        user = accounts.create_user(
            self.session, email=email, password="correct horse battery", role=role,
            organization_slug=organization, by=None, display_name=display_name,
        )  # fmt: skip
        self.session.commit()
        return user

    def headers(self, user: User) -> dict[str, str]:
        _token, secret = accounts.create_token(self.session, user, name="test")
        self.session.commit()
        return {"Authorization": f"Bearer {secret}"}

"""Killing the process at any moment of an ingestion leaves the published version intact and nothing
half-visible: the import runs in a real process that is killed (SIGKILL) at several moments."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import select

from datatorget.catalog.files import file_path
from datatorget.catalog.models import Distribution
from datatorget.db.engine import make_engine, make_sessionmaker
from datatorget.db.migrate import upgrade
from datatorget.store.models import DataTable, TableVersion
from datatorget.store.versions import version_path
from tests.factories import make_dataset, make_organization

SMALL = b"id;namn;belopp\n1;A;1,5\n2;B;2,5\n"
KILL_AFTER_S = (0.3, 0.9, 1.5, 2.1, 2.7)


def datatorget(data_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DATATORGET_")}
    env |= {"DATATORGET_DATA_DIR": str(data_dir), "DATATORGET_DUCKDB_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "datatorget", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def large_csv(path: Path, rows: int) -> Path:
    duckdb.sql(
        f"COPY (SELECT i AS id, 'namn ' || i AS namn, replace(printf('%.2f', i * 1.5), '.', ',') AS belopp "
        f"FROM range({rows}) t(i)) TO '{path}' (HEADER, DELIMITER ';')"
    )
    return path


def assert_everything_visible_is_whole(data_dir: Path) -> int:
    """Every version the database names has its complete file; the distribution's file is the one its
    checksum names; gives the current version's number."""
    engine = make_engine(f"sqlite:///{data_dir / 'datatorget.db'}")
    try:
        with make_sessionmaker(engine)() as session:
            table = session.scalars(select(DataTable)).one()
            for version in session.scalars(select(TableVersion)):
                path = version_path(data_dir / "tables", version)
                assert hashlib.sha256(path.read_bytes()).hexdigest() == version.sha256
                counted = duckdb.sql(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()
                assert counted == (version.row_count,)
            distribution = session.scalars(select(Distribution)).one()
            assert distribution.file_name is not None
            stored = file_path(data_dir / "files", distribution.id, distribution.file_name).read_bytes()
            assert hashlib.sha256(stored).hexdigest() == distribution.checksum_sha256
            assert table.current_version is not None
            return table.current_version
    finally:
        engine.dispose()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is a POSIX signal")
def test_killing_an_ingestion_at_any_moment_leaves_the_published_version_whole(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    engine = make_engine(f"sqlite:///{data_dir / 'datatorget.db'}")
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        make_organization(session)
        make_dataset(session, "Badplatser")
    engine.dispose()
    (tmp_path / "small.csv").write_bytes(SMALL)
    assert (
        datatorget(data_dir, "import", str(tmp_path / "small.csv"), "--dataset", "badplatser").wait(60) == 0
    )
    table_id = _table_id(data_dir)
    big = large_csv(tmp_path / "big.csv", 1_500_000)
    for delay in KILL_AFTER_S:
        process = datatorget(data_dir, "import", str(big), "--dataset", "badplatser", "--table", table_id)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        assert assert_everything_visible_is_whole(data_dir) in (1, 2)


def _table_id(data_dir: Path) -> str:
    engine = make_engine(f"sqlite:///{data_dir / 'datatorget.db'}")
    try:
        with make_sessionmaker(engine)() as session:
            return str(session.scalars(select(DataTable.distribution_id)).one())
    finally:
        engine.dispose()

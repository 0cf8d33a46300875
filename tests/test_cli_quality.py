"""`datatorget quality check`: runs the quality check at once and says what it did."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from datatorget.cli import cli
from datatorget.db.engine import make_engine, make_sessionmaker
from datatorget.interop.quality_models import ComplianceCheck
from tests.factories import make_dataset, make_organization


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, str]]:
    """No DATATORGET_* variable and no .env file from outside the test reach the command."""
    for name in list(os.environ):
        if name.startswith("DATATORGET_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield {"DATATORGET_DATA_DIR": str(tmp_path / "data")}


def test_the_check_validates_every_dataset_and_prints_the_catalog_score(
    env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'datatorget.db'}")
    with make_sessionmaker(engine)() as session:
        make_organization(session)
        make_dataset(session, "Badplatser")
    result = runner.invoke(cli, ["quality", "check"], env=env, prog_name="datatorget")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Checked 0 addresses (0 failing) and validated 1 datasets. Published catalog: 45 of 405 points (bad).\n"
    )
    with make_sessionmaker(engine)() as session:
        assert [c.conforms for c in session.scalars(select(ComplianceCheck))] == [True]
    engine.dispose()

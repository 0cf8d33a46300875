"""`datatorget harvest add|list|run`: sources added from the command line, run in the command's own process
against a recorded DCAT catalog served on loopback, with the report printed; errors as one line."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.cli import cli
from datatorget.db.engine import make_engine, make_sessionmaker
from datatorget.interop.harvest_models import HarvestSource
from tests.factories import make_organization
from tests.interop.harvest_support import RemoteSite, serve_dcat, serving


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No DATATORGET_* variable and no .env file from outside the test reach the command."""
    for name in list(os.environ):
        if name.startswith("DATATORGET_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


class RunCommand:
    """Runs `datatorget ...` in-process with these environment variables."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        return self.runner.invoke(cli, list(args), env=self.env, prog_name="datatorget")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def run(data_dir: Path) -> RunCommand:
    """The command, allowed to harvest from loopback (where the test catalog is served)."""
    return RunCommand({
        "DATATORGET_DATA_DIR": str(data_dir),
        "DATATORGET_FETCH_PRIVATE_ADDRESSES": "true",
        "DATATORGET_HARVEST_TIMEOUT_S": "5",
    })  # fmt: skip


@pytest.fixture
def database(run: RunCommand, data_dir: Path) -> Iterator[Session]:
    """The database the commands use (made by `init`), with the organisation Sjöviks kommun."""
    assert run("init").exit_code == 0
    engine = make_engine(f"sqlite:///{data_dir / 'datatorget.db'}")
    with make_sessionmaker(engine)() as session:
        make_organization(session, "sjoviks-kommun", "Sjöviks kommun")
        yield session
    engine.dispose()


@pytest.fixture
def site() -> Iterator[RemoteSite]:
    """A remote DCAT catalog on loopback: two pages, four good records and one without a title."""
    with serving() as site:
        yield site


def fails_cleanly(result: Result) -> bool:
    """Exit code 1 from a handled error: one line, not a crash with a traceback."""
    return (
        result.exit_code == 1
        and isinstance(result.exception, SystemExit)
        and "Traceback" not in result.output
        and len(result.stderr.strip().splitlines()) == 1
        and result.stderr.startswith("Error: ")
    )


def add(run: RunCommand, url: str, *options: str) -> Result:
    result = run("harvest", "add", "--url", url, "--kind", "dcat", "--org", "sjoviks-kommun", *options)
    assert result.exit_code == 0, result.output
    return result


# --- add ------------------------------------------------------------------------------------------------


def test_add_adds_a_source_named_after_its_host(run: RunCommand, database: Session) -> None:
    result = add(run, "https://data.vallby.example/dcat", "--interval-hours", "12")

    [source] = database.scalars(select(HarvestSource)).all()
    assert result.stdout == f"Added harvest source data.vallby.example ({source.id})\n"
    assert (source.title, source.kind, source.interval_hours, source.organization.slug) == (
        "data.vallby.example", "dcat", 12, "sjoviks-kommun",
    )  # fmt: skip


def test_add_for_an_unknown_organisation_fails_with_one_line(run: RunCommand, database: Session) -> None:
    result = run(
        "harvest", "add", "--url", "https://data.vallby.example/dcat", "--kind", "dcat", "--org", "finns-inte"
    )

    assert fails_cleanly(result), result.output
    assert result.stderr == "Error: organization: no organisation 'finns-inte'\n"
    assert database.scalars(select(HarvestSource)).all() == []


def test_add_of_an_address_that_is_not_http_fails_with_one_line(run: RunCommand, database: Session) -> None:
    result = run(
        "harvest", "add", "--url", "ftp://data.vallby.example/k.ttl", "--kind", "dcat", "--org", "finns-inte"
    )

    assert fails_cleanly(result), result.output
    assert result.stderr.startswith("Error: url: ")


# --- list -----------------------------------------------------------------------------------------------


def test_list_without_sources_says_how_to_add_one(run: RunCommand, database: Session) -> None:
    result = run("harvest", "list")

    assert (result.exit_code, result.stdout) == (
        0,
        "No harvest sources. Add one with `datatorget harvest add`.\n",
    )


def test_list_shows_each_source_and_its_last_run(
    run: RunCommand, database: Session, site: RemoteSite
) -> None:
    add(run, serve_dcat(site), "--title", "Vallby", "--interval-hours", "0")
    run("harvest", "run", "Vallby")

    result = run("harvest", "list")

    [source] = database.scalars(select(HarvestSource)).all()
    lines = result.stdout.splitlines()
    assert lines[0] == f"{source.id}  Vallby  [dcat, sjoviks-kommun, by hand]"
    assert lines[2].startswith("  last run ")
    assert lines[2].endswith(": partial; 4 created, 0 updated, 0 unchanged, 0 withdrawn, 1 failed")


# --- run ------------------------------------------------------------------------------------------------


def test_run_harvests_now_and_prints_the_report(run: RunCommand, database: Session, site: RemoteSite) -> None:
    add(run, serve_dcat(site), "--title", "Vallby")

    result = run("harvest", "run", "vallby")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "Harvesting Vallby …",
        "  partial: 4 created, 0 updated, 0 unchanged, 0 withdrawn, 1 failed",
    ]
    [failed] = [line for line in lines if line.startswith("  failed: ")]
    assert len(failed.split(": ")) >= 3  # the record, then why it failed


def test_run_by_id_works_as_by_title(run: RunCommand, database: Session, site: RemoteSite) -> None:
    add(run, serve_dcat(site), "--title", "Vallby")
    [source] = database.scalars(select(HarvestSource)).all()

    result = run("harvest", "run", str(source.id))

    assert result.stdout.startswith("Harvesting Vallby …\n  partial: 4 created")


def test_a_run_that_fails_exits_with_1_and_says_why(
    run: RunCommand, database: Session, site: RemoteSite
) -> None:
    add(run, site.url("/finns-inte"), "--title", "Trasig")

    result = run("harvest", "run", "Trasig")

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout.splitlines()[1].startswith("  failed: 0 created")
    assert "/finns-inte" in result.stderr


def test_run_all_runs_every_source(run: RunCommand, database: Session, site: RemoteSite) -> None:
    add(run, serve_dcat(site), "--title", "Vallby")
    add(run, site.url("/finns-inte"), "--title", "Trasig")

    result = run("harvest", "run", "--all")

    assert result.exit_code == 1  # one of them failed
    harvesting = [line for line in result.stdout.splitlines() if line.startswith("Harvesting ")]
    assert harvesting == ["Harvesting Trasig …", "Harvesting Vallby …"]


def test_run_of_an_unknown_source_fails_with_one_line(run: RunCommand, database: Session) -> None:
    result = run("harvest", "run", "finns-inte")

    assert fails_cleanly(result), result.output
    assert result.stderr == (
        "Error: no harvest source with the id or title 'finns-inte' (see `datatorget harvest list`)\n"
    )


def test_run_needs_a_source_or_all(run: RunCommand, database: Session) -> None:
    result = run("harvest", "run")

    assert result.exit_code == 2
    assert "name one source (its id or title), or give --all" in result.stderr

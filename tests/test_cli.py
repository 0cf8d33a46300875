"""The `datatorget` command: set up, load the demo, add users, create tokens; errors as one line, no traceback."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from datatorget.app import create_app
from datatorget.catalog import accounts
from datatorget.catalog.models import Dataset, User
from datatorget.cli import cli
from datatorget.config import Settings
from datatorget.db.engine import make_engine, make_sessionmaker
from datatorget.store.models import DataTable
from tests.factories import make_dataset, make_organization


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No DATATORGET_* variable and no .env file from outside the test reach the command."""
    for name in list(os.environ):
        if name.startswith("DATATORGET_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def run(data_dir: Path) -> Iterator[RunCommand]:
    yield RunCommand({"DATATORGET_DATA_DIR": str(data_dir)})


class RunCommand:
    """Runs `datatorget ...` in-process with these environment variables."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        return self.runner.invoke(cli, list(args), env=self.env, prog_name="datatorget")


@pytest.fixture
def database(data_dir: Path) -> Iterator[Session]:
    """A session on the SQLite file the commands use by default (open it after the command made it)."""
    engine = make_engine(f"sqlite:///{data_dir / 'datatorget.db'}")
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def _fails_cleanly(result: Result) -> bool:
    """Exit code 1 from a handled error: a message, not a crash with a traceback."""
    return (
        result.exit_code == 1
        and isinstance(result.exception, SystemExit)
        and "Traceback" not in result.output
        and len(result.stderr.strip().splitlines()) == 1
        and result.stderr.startswith("Error: ")
    )


# --- init -----------------------------------------------------------------------------------------------


def test_init_creates_the_database_in_the_data_dir_and_prints_the_first_admin_login(
    run: RunCommand, data_dir: Path
) -> None:
    result = run("init")

    assert result.exit_code == 0, result.output
    assert (data_dir / "datatorget.db").is_file()
    assert result.stdout.splitlines()[:3] == [
        f"The database is ready: sqlite:///{(data_dir / 'datatorget.db').resolve()}",
        "Created the first admin. Log in with",
        "  email:    admin@example.org",
    ]
    assert re.fullmatch(r"  password: \S{12,}", result.stdout.splitlines()[3])
    assert result.stdout.splitlines()[4:] == ["The password is shown only this once."]


def test_the_printed_admin_login_works(run: RunCommand, database: Session) -> None:
    lines = run("init", "--admin-email", "it@sjovik.se").stdout.splitlines()
    password = lines[3].removeprefix("  password: ")

    admin = accounts.authenticate(database, "it@sjovik.se", password)

    assert admin is not None
    assert admin.role == "admin"


def test_init_run_again_changes_nothing_and_prints_no_login(run: RunCommand, database: Session) -> None:
    run("init")

    again = run("init")

    assert again.exit_code == 0
    assert "password" not in again.output
    assert again.stdout.startswith("The database is ready: ")
    assert database.scalar(select(func.count()).select_from(User)) == 1


# --- demo -----------------------------------------------------------------------------------------------


def test_demo_loads_published_datasets_and_a_draft(run: RunCommand, database: Session) -> None:
    result = run("demo")

    states = dict(database.execute(select(Dataset.state, func.count()).group_by(Dataset.state)).all())
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Demo loaded: {sum(states.values())} new datasets.\n")
    assert states["published"] >= 10
    assert states["draft"] >= 1


def test_demo_reads_every_demo_table_in(run: RunCommand, database: Session) -> None:
    result = run("demo")

    tables = database.scalars(select(DataTable)).all()
    assert result.stdout.endswith(f"Read {len(tables)} of {len(tables)} tables in.\n")
    assert len(tables) >= 10
    assert all(table.current_version == 1 for table in tables)


def test_demo_run_again_creates_nothing(run: RunCommand, database: Session) -> None:
    run("demo")
    count = database.scalar(select(func.count()).select_from(Dataset))

    again = run("demo")

    assert (again.exit_code, again.stdout) == (0, "The demo is already loaded.\n")
    assert database.scalar(select(func.count()).select_from(Dataset)) == count


# --- import and worker ----------------------------------------------------------------------------------


@pytest.fixture
def badplatser(run: RunCommand, database: Session) -> str:
    run("init")
    make_organization(database, "sjoviks-kommun", "Sjöviks kommun")
    make_dataset(database, "Badplatser", organization="sjoviks-kommun")
    return "badplatser"


def test_import_reads_a_file_into_a_new_table_of_the_dataset(
    run: RunCommand, database: Session, badplatser: str, tmp_path: Path
) -> None:
    (tmp_path / "badplatser.csv").write_bytes(
        "Namn;Temperatur\nNorrstrand;18,5\nViken;17,0\n".encode("cp1252")
    )

    result = run("import", str(tmp_path / "badplatser.csv"), "--dataset", badplatser)

    assert result.exit_code == 0, result.output
    assert "Version 1: 2 rows, 0 problems in the validation report." in result.stdout
    table = database.scalars(select(DataTable)).one()
    assert result.stdout.endswith(f"Table: http://127.0.0.1:8000/api/v1/tables/{table.distribution_id}\n")


def test_import_with_table_adds_the_next_version(
    run: RunCommand, database: Session, badplatser: str, tmp_path: Path
) -> None:
    (tmp_path / "v1.csv").write_bytes(b"id;namn\n1;A\n")
    (tmp_path / "v2.csv").write_bytes(b"id;namn\n1;A\n2;B\n")
    run("import", str(tmp_path / "v1.csv"), "--dataset", badplatser)
    table_id = str(database.scalars(select(DataTable.distribution_id)).one())

    result = run("import", str(tmp_path / "v2.csv"), "--dataset", badplatser, "--table", table_id)

    assert "Version 2: 2 rows" in result.stdout
    database.rollback()  # end the read transaction the session held since before the command
    assert database.scalars(select(DataTable.current_version)).one() == 2


def test_import_of_a_file_that_is_no_table_fails_with_the_reason(
    run: RunCommand, badplatser: str, tmp_path: Path
) -> None:
    (tmp_path / "bild.csv").write_bytes(bytes(range(256)) * 8)

    result = run("import", str(tmp_path / "bild.csv"), "--dataset", badplatser)

    assert result.exit_code == 1
    assert "Failed: The file holds binary data" in result.stderr
    assert "Traceback" not in result.output


def test_import_into_a_dataset_that_does_not_exist_fails_cleanly(run: RunCommand, tmp_path: Path) -> None:
    run("init")
    (tmp_path / "t.csv").write_bytes(b"a\n1\n")

    assert _fails_cleanly(run("import", str(tmp_path / "t.csv"), "--dataset", "finns-inte"))


# --- user add -------------------------------------------------------------------------------------------


def test_user_add_adds_an_editor_of_an_organisation(run: RunCommand, database: Session) -> None:
    run("init")
    make_organization(database, "sjoviks-kommun", "Sjöviks kommun")

    result = run("user", "add", "--email", "Anna@Sjovik.se", "--password", "korrekt häst batteri",
                 "--role", "editor", "--org", "sjoviks-kommun")  # fmt: skip

    assert (result.exit_code, result.stdout) == (0, "Added editor anna@sjovik.se\n")
    editor = accounts.authenticate(database, "anna@sjovik.se", "korrekt häst batteri")
    assert editor is not None
    assert editor.organization is not None
    assert editor.organization.slug == "sjoviks-kommun"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--email", "anna.sjovik.se", "--password", "korrekt häst batteri", "--role", "admin"],
         "Error: email: not a valid email address"),
        (["--email", "anna@sjovik.se", "--password", "kort", "--role", "admin"],
         "Error: password: a password has at least 10 characters"),
        (["--email", "anna@sjovik.se", "--password", "korrekt häst batteri", "--role", "editor", "--org", "finns-inte"],
         "Error: organization: no organisation 'finns-inte'"),
        (["--email", "anna@sjovik.se", "--password", "korrekt häst batteri", "--role", "editor"],
         "Error: organization: an editor belongs to an organisation"),
        (["--email", "admin@example.org", "--password", "korrekt häst batteri", "--role", "admin"],
         "Error: email: already in use"),
    ],
    ids=["bad-email", "short-password", "unknown-organisation", "editor-without-organisation", "email-in-use"],
)  # fmt: skip
def test_user_add_with_bad_input_fails_with_one_line_and_adds_nobody(
    run: RunCommand, database: Session, options: list[str], message: str
) -> None:
    run("init")

    result = run("user", "add", *options)

    assert _fails_cleanly(result), result.output
    assert result.stderr == f"{message}\n"
    assert result.stdout == ""
    assert database.scalar(select(func.count()).select_from(User)) == 1


# --- token create ---------------------------------------------------------------------------------------


def test_token_create_prints_only_the_token(run: RunCommand) -> None:
    run("init", "--admin-email", "it@sjovik.se")

    result = run("token", "create", "--user", "it@sjovik.se")

    assert result.exit_code == 0
    assert result.stderr == ""
    assert re.fullmatch(r"dt_[A-Za-z0-9_-]{40,}\n", result.stdout)


def test_the_printed_token_works_against_the_api(run: RunCommand, data_dir: Path) -> None:
    run("init", "--admin-email", "it@sjovik.se")
    token = run(
        "token", "create", "--user", "IT@sjovik.se", "--name", "gis", "--expires-days", "30"
    ).stdout.strip()
    app = create_app(Settings(data_dir=data_dir, secret_key=SecretStr("test-secret")))

    with TestClient(app) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        tokens = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"})

    assert (me.status_code, me.json()["email"], me.json()["role"]) == (200, "it@sjovik.se", "admin")
    [listed] = tokens.json()
    assert listed["name"] == "gis"
    assert listed["expires_at"] is not None


def test_token_create_for_an_unknown_user_fails_with_one_line(run: RunCommand) -> None:
    run("init")

    result = run("token", "create", "--user", "nobody@sjovik.se")

    assert _fails_cleanly(result), result.output
    assert (result.stdout, result.stderr) == ("", "Error: no user with the email nobody@sjovik.se\n")


# --- the rest -------------------------------------------------------------------------------------------


def test_serve_help_lists_host_port_and_workers(run: RunCommand) -> None:
    result = run("serve", "--help")

    assert result.exit_code == 0
    assert all(option in result.stdout for option in ("--host", "--port", "--workers"))


def test_an_invalid_configuration_is_reported_without_a_traceback(run: RunCommand) -> None:
    run.env["DATATORGET_BASE_URL"] = "ftp://portal.sjovik.se"

    result = run("init")

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: the configuration is not valid:")
    assert "DATATORGET_BASE_URL must start with http:// or https://" in result.stderr
    assert "ftp://portal.sjovik.se" not in result.output


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_init_and_token_create_work_on_postgresql(
    run: RunCommand, engine: Engine, settings: Settings
) -> None:
    url = engine.url.set(password="inte-visas")
    run.env["DATATORGET_DATABASE_URL"] = url.render_as_string(hide_password=False)

    init = run("init", "--admin-email", "it@sjovik.se")
    token = run("token", "create", "--user", "it@sjovik.se").stdout.strip()

    assert init.exit_code == 0, init.output
    assert "inte-visas" not in init.output
    with TestClient(create_app(settings, engine=engine, migrate=False)) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["email"] == "it@sjovik.se"


def test_an_invalid_configuration_never_shows_the_secret_key(run: RunCommand) -> None:
    run.env["DATATORGET_SECRET_KEY"] = "hemlig-nyckel-som-inte-far-synas"
    run.env["DATATORGET_ENVIRONMENT"] = "staging"

    result = run("init")

    assert result.exit_code == 1
    assert "DATATORGET_ENVIRONMENT" in result.stderr
    assert "hemlig-nyckel" not in result.output


def test_a_problem_with_the_settings_as_a_whole_names_no_variable(run: RunCommand) -> None:
    run.env["DATATORGET_ENVIRONMENT"] = "production"

    result = run("init")

    assert result.exit_code == 1
    assert "  DATATORGET_SECRET_KEY must be set in production" in result.stderr


def test_serve_logs_datatorget_messages_at_info_beside_uvicorns() -> None:
    """So that, without SMTP, the confirmation links of data requests can be read in the log."""
    from datatorget.cli import _log_config

    config = _log_config()
    assert config["loggers"]["datatorget"] == {"handlers": ["default"], "level": "INFO", "propagate": False}
    assert "default" in config["handlers"]

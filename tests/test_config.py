"""Settings: defaults for the embedded install, DATATORGET_* variables, and unsafe values refused at start-up."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from datatorget.config import SECRET_KEY_FILE, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No DATATORGET_* variable and no .env file from outside the test reach the settings."""
    for name in list(os.environ):
        if name.startswith("DATATORGET_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_the_defaults_suit_an_embedded_install_on_one_machine(tmp_path: Path) -> None:
    settings = Settings()

    assert settings.environment == "development"
    assert settings.data_dir == Path("data")
    assert settings.files_dir == Path("data/files")
    assert settings.database_url == ""
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'data' / 'datatorget.db'}"
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.max_upload_bytes == 500 * 1024 * 1024


def test_a_trailing_slash_is_dropped_from_the_base_url() -> None:
    assert Settings(base_url="https://data.sjovik.se/").base_url == "https://data.sjovik.se"


def test_settings_are_read_from_datatorget_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATATORGET_ENVIRONMENT", "production")
    monkeypatch.setenv("DATATORGET_SECRET_KEY", "en-lång-hemlig-nyckel")
    monkeypatch.setenv("DATATORGET_DATA_DIR", "/srv/datatorget")
    monkeypatch.setenv("DATATORGET_DATABASE_URL", "postgresql+psycopg://portal@db.sjovik.se:5432/portal")
    monkeypatch.setenv("DATATORGET_BASE_URL", "https://data.sjovik.se")
    monkeypatch.setenv("DATATORGET_MAX_UPLOAD_BYTES", "1048576")

    settings = Settings()

    assert settings.environment == "production"
    assert settings.secret_key.get_secret_value() == "en-lång-hemlig-nyckel"
    assert settings.data_dir == Path("/srv/datatorget")
    assert settings.resolved_database_url == "postgresql+psycopg://portal@db.sjovik.se:5432/portal"
    assert settings.base_url == "https://data.sjovik.se"
    assert settings.max_upload_bytes == 1_048_576


def test_variables_without_the_prefix_are_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASE_URL", "https://data.sjovik.se")
    monkeypatch.setenv("DATA_DIR", "/srv/datatorget")

    settings = Settings()

    assert (settings.base_url, settings.data_dir) == ("http://127.0.0.1:8000", Path("data"))


def test_settings_are_read_from_a_dotenv_file_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DATATORGET_BASE_URL=https://data.sjovik.se/\n", encoding="utf-8")

    assert Settings().base_url == "https://data.sjovik.se"


def test_a_variable_wins_over_the_dotenv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("DATATORGET_BASE_URL=https://gammal.sjovik.se\n", encoding="utf-8")
    monkeypatch.setenv("DATATORGET_BASE_URL", "https://data.sjovik.se")

    assert Settings().base_url == "https://data.sjovik.se"


# --- the secret key -------------------------------------------------------------------------------------


def test_production_without_a_secret_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="DATATORGET_SECRET_KEY must be set in production"):
        Settings(environment="production")


def test_production_signs_with_the_configured_key_and_writes_no_key_file(tmp_path: Path) -> None:
    settings = Settings(environment="production", secret_key=SecretStr("nyckel"), data_dir=tmp_path / "data")

    assert settings.signing_key() == "nyckel"
    assert not (tmp_path / "data" / SECRET_KEY_FILE).exists()


def test_development_generates_a_secret_key_once_and_keeps_it_in_the_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    first = Settings(data_dir=data_dir).signing_key()
    second = Settings(data_dir=data_dir).signing_key()

    key_file = data_dir / SECRET_KEY_FILE
    assert len(first) >= 32
    assert second == first
    assert key_file.read_text(encoding="utf-8") == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_each_data_dir_gets_its_own_generated_key(tmp_path: Path) -> None:
    one = Settings(data_dir=tmp_path / "one").signing_key()
    other = Settings(data_dir=tmp_path / "other").signing_key()

    assert one != other


# --- refused values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["mysql://portal@db.sjovik.se/portal", "postgres://portal@db.sjovik.se/portal", "portal.db"]
)
def test_a_database_url_that_is_neither_sqlite_nor_postgresql_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="DATATORGET_DATABASE_URL must be a sqlite:// or postgresql"):
        Settings(database_url=url)


@pytest.mark.parametrize(
    "url", ["sqlite:////srv/datatorget/portal.db", "postgresql+psycopg://portal@db.sjovik.se:5432/portal"]
)
def test_sqlite_and_postgresql_urls_are_used_as_given(url: str) -> None:
    assert Settings(database_url=url).resolved_database_url == url


@pytest.mark.parametrize("url", ["ftp://data.sjovik.se", "data.sjovik.se", "javascript:alert(1)"])
def test_a_base_url_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="DATATORGET_BASE_URL must start with http:// or https://"):
        Settings(base_url=url)


@pytest.mark.parametrize(
    "values",
    [{"environment": "staging"}, {"max_upload_bytes": 0}, {"max_upload_bytes": "500 MB"}],
    ids=["unknown-environment", "no-upload-size", "upload-size-not-a-number"],
)
def test_other_invalid_values_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate(values)

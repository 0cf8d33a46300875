"""Settings: one class, read from DATATORGET_* environment variables and validated at start-up."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_KEY_FILE = "secret_key"


class Settings(BaseSettings):
    """Everything an operator can configure. The operator guide lists every field."""

    model_config = SettingsConfigDict(env_prefix="DATATORGET_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = Field(
        "development", description="`production` refuses unsafe defaults such as a missing secret key."
    )
    data_dir: Path = Field(
        Path("data"), description="Folder for the SQLite database, uploaded files and keys."
    )
    database_url: str = Field(
        "",
        description="SQLAlchemy URL of the metadata database. Empty: a SQLite file `datatorget.db` in the "
        "data dir. PostgreSQL: `postgresql+psycopg://user:password@host:5432/name`.",
    )
    base_url: str = Field(
        "http://127.0.0.1:8000", description="The public address of the portal, used in every absolute link."
    )
    secret_key: SecretStr = Field(
        SecretStr(""),
        description="Signs session cookies. Unset in development: generated once and kept in the data dir. "
        "Required in production.",
    )
    max_upload_bytes: int = Field(
        500 * 1024 * 1024, gt=0, description="The largest file a publisher may upload, in bytes."
    )
    session_max_age_s: int = Field(8 * 3600, gt=0, description="How long a web login lasts, in seconds.")
    job_workers: int = Field(
        1,
        ge=0,
        description="Background job threads (table ingestion) in each `serve` process. 0: none; run "
        "`datatorget worker` instead.",
    )
    duckdb_memory_limit: str = Field(
        "1GB",
        pattern=r"^\d+(\.\d+)?\s*[KMGT]i?B$",
        description="Memory DuckDB may use for ingestion and queries "
        "(per process); beyond it, work spills to the data dir.",
    )
    duckdb_threads: int = Field(0, ge=0, description="Threads DuckDB may use. 0: one per CPU core.")
    max_table_columns: int = Field(1000, gt=0, description="The most columns an ingested table may have.")
    max_uncompressed_bytes: int = Field(
        2 * 1024 * 1024 * 1024,
        gt=0,
        description="The most an XLSX or ODS file may unpack to, in bytes (a guard against zip bombs).",
    )
    fetch_timeout_s: float = Field(
        120, gt=0, description="The longest a fetch of a table from a URL may take, in seconds."
    )
    fetch_private_addresses: bool = Field(
        False,
        description="Allow fetching tables from private, loopback and link-local addresses. Leave off "
        "unless the portal fetches from your own network on purpose.",
    )
    quality_check_interval_hours: int = Field(
        24,
        gt=0,
        description="How often the quality check runs: it tests the addresses of linked distributions and "
        "validates changed datasets against DCAT-AP, for the metadata quality score.",
    )
    link_check_timeout_s: float = Field(
        20, gt=0, description="The longest the quality check waits for one address to answer, in seconds."
    )
    map_tile_url: str = Field(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        description="The map tiles behind table maps, fetched by the visitor's browser (never by the server). "
        "Empty: maps without a background.",
    )
    map_attribution: str = Field(
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
        description="The credit shown on table maps for the tiles (HTML).",
    )
    sql_timeout_s: float = Field(5, gt=0, description="Time limit of one read-only SQL query, in seconds.")
    sql_max_rows: int = Field(10_000, gt=0, description="The most rows a read-only SQL query returns.")
    sql_memory_limit: str = Field(
        "512MB",
        pattern=r"^\d+(\.\d+)?\s*[KMGT]i?B$",
        description="Memory the read-only SQL endpoint may use (per process).",
    )

    catalog_publisher: str = Field(
        "",
        description="The organisation (its slug) that publishes the DCAT-AP-SE catalog as a whole. "
        "Empty, or an unknown slug: the organisation created first.",
    )
    dcat_page_size: int = Field(
        1000, gt=0, description="Datasets in one page of the DCAT-AP-SE catalog (/datasets/dcat)."
    )
    dcat_include_harvested: bool = Field(
        False,
        description="Also list datasets harvested from other catalogs in the DCAT-AP-SE catalog. Off: the "
        "national portal harvests those catalogs itself and would get each such dataset twice.",
    )
    harvest_timeout_s: float = Field(
        60, gt=0, description="The longest the fetch of one page of a harvest source may take, in seconds."
    )
    harvest_max_bytes: int = Field(
        20 * 1024 * 1024, gt=0, description="The largest page a harvest source may send, in bytes."
    )
    harvest_max_pages: int = Field(
        1000, gt=0, description="The most pages one harvest run reads from a source; more is left unread."
    )
    harvest_page_rows: int = Field(
        100, gt=0, le=1000, description="Datasets asked for per page of a CKAN site's package_search."
    )

    smtp_host: str | None = Field(
        None, description="The mail server that sends email. None: no email; messages are logged instead."
    )
    smtp_port: int = Field(25, gt=0, le=65535, description="The mail server's port.")
    smtp_from: str = Field(
        "datatorget@localhost",
        description="The sender of the portal's email (`From`), such as `Datatorget <noreply@sjovik.se>`.",
    )
    smtp_username: str = Field("", description="The login at the mail server. Empty: no login.")
    smtp_password: SecretStr = Field(SecretStr(""), description="The password of `smtp_username`.")
    smtp_starttls: bool = Field(
        False, description="Encrypt the connection with STARTTLS before logging in and sending."
    )
    smtp_timeout_s: float = Field(30, gt=0, description="The longest a talk with the mail server may take.")

    account_writes_per_minute: int = Field(
        10,
        gt=0,
        description="Writes (data requests, comments, votes, reports) one account may make in a minute.",
    )
    account_writes_per_day: int = Field(100, gt=0, description="Writes one account may make in a day.")
    address_writes_per_minute: int = Field(
        20, gt=0, description="Writes (and sign-ups) one client address may make in a minute."
    )
    form_min_seconds: int = Field(
        3,
        ge=0,
        description="The least time between showing a public form and sending it; sooner is refused as spam.",
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.environment == "production" and not self.secret_key.get_secret_value():
            raise ValueError("DATATORGET_SECRET_KEY must be set in production")
        if self.database_url and not self.database_url.startswith(("sqlite", "postgresql")):
            raise ValueError("DATATORGET_DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL")
        self.base_url = self.base_url.rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError("DATATORGET_BASE_URL must start with http:// or https://")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL to connect to, with the embedded SQLite default filled in."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'datatorget.db').resolve()}"

    @property
    def files_dir(self) -> Path:
        """Where uploaded distribution files are kept."""
        return self.data_dir / "files"

    @property
    def tables_dir(self) -> Path:
        """Where the immutable Parquet versions of ingested tables are kept."""
        return self.data_dir / "tables"

    @property
    def work_dir(self) -> Path:
        """Scratch space for ingestion jobs and DuckDB spill files; safe to empty when nothing runs."""
        return self.data_dir / "work"

    def signing_key(self) -> str:
        """The secret key; in development, one generated on first use and kept in the data dir."""
        configured = self.secret_key.get_secret_value()
        if configured:
            return configured
        path = self.data_dir / SECRET_KEY_FILE
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.touch(mode=0o600)
        path.write_text(key, encoding="utf-8")
        return key

"""Table versions in the metadata database: register a built version, find one to read."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only

from datatorget.db.base import utcnow
from datatorget.errors import NotFound
from datatorget.store.ingest import BuiltVersion, TableSettings
from datatorget.store.models import DataTable, TableVersion


def table_dir(tables_dir: Path, table_id: uuid.UUID) -> Path:
    return tables_dir / str(table_id)


def version_path(tables_dir: Path, version: TableVersion) -> Path:
    return version_file(tables_dir, version.table_id, version.sha256)


def version_file(tables_dir: Path, table_id: uuid.UUID, sha256: str) -> Path:
    """Where the version of a table with this content is: its file is named by its SHA-256."""
    return table_dir(tables_dir, table_id) / f"{sha256}.parquet"


def settings_of(table: DataTable) -> TableSettings:
    return TableSettings(
        on_error=table.on_error, primary_key=list(table.primary_key), overrides=dict(table.overrides)
    )


def register_version(session: Session, table: DataTable, built: BuiltVersion) -> TableVersion:
    """Add the built version and make it the current one; both happen when the caller commits."""
    highest = session.scalar(
        select(func.max(TableVersion.number)).where(TableVersion.table_id == table.distribution_id)
    )
    version = TableVersion(
        table_id=table.distribution_id,
        number=(highest or 0) + 1,
        sha256=built.sha256,
        byte_size=built.byte_size,
        row_count=built.row_count,
        table_schema=built.schema,
        report=built.report,
        summary=built.summary,
        stats=None,
        source=built.source,
    )
    session.add(version)
    table.current_version = version.number
    table.modified = utcnow()
    session.flush()
    return version


def find_version(session: Session, table: DataTable, number: int | None = None) -> TableVersion:
    """The current version, or the one numbered `number`; NotFound when there is none."""
    wanted = number if number is not None else table.current_version
    if wanted is None:
        raise no_version(None)
    version = session.scalar(
        select(TableVersion).where(
            TableVersion.table_id == table.distribution_id, TableVersion.number == wanted
        )
    )
    if version is None:
        raise no_version(wanted)
    return version


def no_version(wanted: int | None) -> NotFound:
    """The NotFound for a missing version `wanted`: None when the table has no current version."""
    if wanted is None:
        return NotFound("this table has no version yet: its ingestion has not finished or has failed")
    return NotFound(f"this table has no version {wanted}")


def current_previous(
    session: Session, table: DataTable, tables_dir: Path
) -> tuple[Path, dict[str, object]] | None:
    """The current version's file and schema, to compare a new version against."""
    if table.current_version is None:
        return None
    version = find_version(session, table)
    return version_path(tables_dir, version), version.table_schema


def version_summaries(session: Session, table_id: uuid.UUID) -> list[TableVersion]:
    """Every version of a table, newest first, without the large parts (schema, report, statistics): a
    table updated daily for years has thousands."""
    return list(
        session.scalars(
            select(TableVersion)
            .where(TableVersion.table_id == table_id)
            .order_by(TableVersion.number.desc())
            .options(
                load_only(
                    TableVersion.number,
                    TableVersion.created_at,
                    TableVersion.row_count,
                    TableVersion.sha256,
                    TableVersion.byte_size,
                    TableVersion.summary,
                    TableVersion.source,
                    TableVersion.table_id,
                )
            )
        )
    )

"""Distributions that are tables: which ones are, who may read them, and their SQL names."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog.datasets import require_change
from datatorget.catalog.models import Dataset, Distribution
from datatorget.catalog.permissions import Viewer, can_see, can_see_state
from datatorget.catalog.vocabulary import file_type_for_filename
from datatorget.db.base import utcnow
from datatorget.errors import NotFound, ValidationFailed
from datatorget.store.infer import TYPES
from datatorget.store.models import DataTable, TableVersion
from datatorget.store.versions import find_version, no_version, version_file, version_path

TABULAR_FORMATS = frozenset({"CSV", "TSV", "XLSX", "ODS", "JSON", "GEOJSON", "PARQUET"})
MAX_SQL_NAME = 63


def is_tabular(distribution: Distribution) -> bool:
    """A distribution whose file (or fetched URL) can become a table."""
    if distribution.format in TABULAR_FORMATS:
        return True
    name = distribution.file_name or distribution.download_url or distribution.access_url or ""
    file_type = file_type_for_filename(name.split("?")[0]) if name else None
    return file_type is not None and file_type.code in TABULAR_FORMATS


def ensure_table(session: Session, distribution: Distribution) -> DataTable:
    """The distribution's table, created (with a free SQL name) on first use."""
    table = session.get(DataTable, distribution.id)
    if table is None:
        table = DataTable(
            distribution_id=distribution.id,
            sql_name=_free_sql_name(session, distribution),
            on_error="blank",
            primary_key=[],
            overrides={},
        )
        session.add(table)
        session.flush()
    return table


def sql_name_base(text: str) -> str:
    """Lower case letters, digits and underscores, starting with a letter: a name SQL reads without quotes."""
    folded = text.lower().translate(str.maketrans("åäöéü", "aaoeu"))
    name = re.sub(r"[^a-z0-9]+", "_", folded).strip("_")
    if not name or not name[0].isalpha():
        name = f"t_{name}" if name else "tabell"
    return name[: MAX_SQL_NAME - 4]


def _free_sql_name(session: Session, distribution: Distribution) -> str:
    dataset = distribution.dataset
    title = (distribution.title or {}).get("sv") or (distribution.title or {}).get("en") or ""
    stem = re.sub(r"\.(csv|tsv|txt|xlsx|ods|json|geojson|parquet)$", "", title, flags=re.IGNORECASE)
    base = sql_name_base(dataset.slug)
    candidates = (
        [base] if sql_name_base(stem) in (base, "tabell") else [base, sql_name_base(f"{dataset.slug}_{stem}")]
    )
    taken = set(session.scalars(select(DataTable.sql_name).where(DataTable.sql_name.like(f"{base}%"))))
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    counter = 2
    while f"{candidates[-1]}_{counter}" in taken:
        counter += 1
    return f"{candidates[-1]}_{counter}"


@dataclass(frozen=True)
class ReadableVersion:
    """A table version someone may read, and where its file is."""

    distribution: Distribution
    table: DataTable
    version: TableVersion
    path: Path


def get_table(session: Session, distribution_id: uuid.UUID, viewer: Viewer) -> tuple[Distribution, DataTable]:
    distribution = session.get(Distribution, distribution_id)
    if distribution is None or not can_see(viewer, distribution.dataset):
        raise NotFound(f"no table '{distribution_id}'")
    table = session.get(DataTable, distribution_id)
    if table is None:
        raise NotFound(f"the distribution '{distribution_id}' is not a table")
    return distribution, table


def readable_version(
    session: Session,
    distribution_id: uuid.UUID,
    viewer: Viewer,
    *,
    tables_dir: Path,
    version: int | None = None,
) -> ReadableVersion:
    """The current version of a table (or version number `version`) if the viewer may see its dataset."""
    distribution, table = get_table(session, distribution_id, viewer)
    found = find_version(session, table, version)
    return ReadableVersion(distribution, table, found, version_path(tables_dir, found))


@dataclass(frozen=True)
class VersionToRead:
    """What reading rows needs of a table version, as plain values (they outlive the session)."""

    id: uuid.UUID  # the table's, which is its distribution's
    sql_name: str
    version: int
    row_count: int
    schema: dict[str, Any]
    path: Path


def version_to_read(
    session: Session,
    distribution_id: uuid.UUID,
    viewer: Viewer,
    *,
    tables_dir: Path,
    version: int | None = None,
) -> VersionToRead:
    """readable_version in one query, without loading the dataset with its distributions or the version's
    report and statistics: the row API asks this on every request. The same answers and NotFounds."""
    number = DataTable.current_version if version is None else version
    found = session.execute(
        select(Dataset.state, Dataset.organization_id, DataTable.sql_name, DataTable.current_version,
               TableVersion.number, TableVersion.row_count, TableVersion.table_schema, TableVersion.sha256)
        .select_from(Distribution)
        .join(Dataset, Dataset.id == Distribution.dataset_id)
        .outerjoin(DataTable, DataTable.distribution_id == Distribution.id)
        .outerjoin(TableVersion, (TableVersion.table_id == Distribution.id) & (TableVersion.number == number))
        .where(Distribution.id == distribution_id)
    ).one_or_none()  # fmt: skip
    if found is None or not can_see_state(viewer, found.state, found.organization_id):
        raise NotFound(f"no table '{distribution_id}'")
    if found.sql_name is None:
        raise NotFound(f"the distribution '{distribution_id}' is not a table")
    if found.number is None:
        raise no_version(version if version is not None else found.current_version)
    return VersionToRead(distribution_id, found.sql_name, found.number, found.row_count,
                         dict(found.table_schema), version_file(tables_dir, distribution_id, found.sha256))  # fmt: skip


def published_tables(session: Session, tables_dir: Path) -> list[tuple[str, Path]]:
    """(SQL name, file) of the current version of every table in a published dataset: what SQL may read."""
    rows = session.execute(
        select(DataTable.sql_name, TableVersion)
        .join(
            TableVersion,
            (TableVersion.table_id == DataTable.distribution_id)
            & (TableVersion.number == DataTable.current_version),
        )
        .join(Distribution, Distribution.id == DataTable.distribution_id)
        .join(Dataset, Dataset.id == Distribution.dataset_id)
        .where(Dataset.state == "published")
        .order_by(DataTable.sql_name)
    ).all()
    return [(name, version_path(tables_dir, version)) for name, version in rows]


def update_table_settings(
    session: Session, distribution_id: uuid.UUID, values: dict[str, Any], viewer: Viewer
) -> DataTable:
    """Change what the publisher decides about a table: `on_error`, `primary_key`, column `overrides`.
    They apply from the next ingestion (re-ingest to apply them now)."""
    distribution, table = get_table(session, distribution_id, viewer)
    require_change(viewer, distribution.dataset)
    errors: dict[str, list[str]] = {}
    if "on_error" in values:
        if values["on_error"] not in ("blank", "refuse"):
            errors["on_error"] = [
                "must be 'blank' (bad cells become empty) or 'refuse' (the upload is refused)"
            ]
        else:
            table.on_error = values["on_error"]
    if "primary_key" in values:
        key = values["primary_key"] or []
        if (
            not isinstance(key, list)
            or not all(isinstance(name, str) and name for name in key)
            or len(set(key)) != len(key)
        ):
            errors["primary_key"] = ["must be a list of distinct column names"]
        else:
            table.primary_key = key
    if "overrides" in values:
        overrides = values["overrides"] or {}
        for column, override in overrides.items():
            kind = override.get("type")
            if kind is not None and kind not in TYPES:
                errors[f"overrides.{column}.type"] = [f"must be one of {', '.join(TYPES)}"]
        if not errors:
            table.overrides = overrides
    if errors:
        raise ValidationFailed(errors)
    table.modified = utcnow()
    return table

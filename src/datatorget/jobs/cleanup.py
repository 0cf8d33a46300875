"""Leftovers of interrupted work: folders of jobs that ended, and Parquet files no version names.

A process killed in the middle of an ingestion leaves its scratch folder, and perhaps a complete Parquet
file that it never got to register. Neither is visible to anyone; this removes them when a worker starts.
Anything younger than a day is left alone, since another process may still be working on it.
"""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from datatorget.config import Settings
from datatorget.jobs.models import Job
from datatorget.store.models import TableVersion

MIN_AGE_S = 24 * 3600
SCRATCH_PREFIXES = ("ingest-", "fetch-", "exports")


def remove_leftovers(settings: Settings, sessions: sessionmaker[Session]) -> int:
    """Remove what interrupted jobs left behind; the number of files and folders removed."""
    removed = 0
    now = time.time()
    with sessions.begin() as session:
        unfinished = {
            str(job_id)
            for job_id in session.scalars(select(Job.id).where(Job.status.in_(("queued", "running"))))
        }
        versions = {
            (str(table_id), f"{sha}.parquet")
            for table_id, sha in session.execute(select(TableVersion.table_id, TableVersion.sha256))
        }
    staged = settings.work_dir / "staged"
    for folder in _children(staged):
        if folder.name not in unfinished and _old(folder, now):
            removed += _remove(folder)
    for entry in _children(settings.work_dir):
        if entry.name.startswith(SCRATCH_PREFIXES) and _old(entry, now):
            removed += _remove(entry)
    for folder in _children(settings.tables_dir):
        for file in _children(folder):
            if (folder.name, file.name) not in versions and _old(file, now) and _is_id(folder.name):
                removed += _remove(file)
    return removed


def _children(folder: Path) -> list[Path]:
    return list(folder.iterdir()) if folder.is_dir() else []


def _old(path: Path, now: float) -> bool:
    try:
        return now - path.stat().st_mtime > MIN_AGE_S
    except FileNotFoundError:
        return False


def _is_id(name: str) -> bool:
    try:
        uuid.UUID(name)
    except ValueError:
        return False
    return True


def _remove(path: Path) -> int:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    return 1

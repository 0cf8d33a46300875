"""Uploaded files in the data dir: streamed to disk in chunks, checksummed, size-limited.

A file is written to a temporary name and moved into place; it is removed again if the transaction that
references it rolls back, and an old file is removed only after the transaction that drops it commits.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from datatorget.errors import PayloadTooLarge, ValidationFailed

CHUNK = 1024 * 1024
_AFTER_COMMIT = "datatorget_after_commit"
_AFTER_ROLLBACK = "datatorget_after_rollback"


@dataclass(frozen=True)
class StoredFile:
    path: Path
    byte_size: int
    sha256: str


def safe_file_name(name: str) -> str:
    """A file name safe to keep on disk and put in a URL, keeping the extension: 'Bad platser.CSV' -> ..."""
    base = Path(name.replace("\\", "/")).name
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip(".-")
    if not cleaned:
        raise ValidationFailed({"file": ["the file needs a name, such as data.csv"]})
    return cleaned[-200:]


def file_path(files_dir: Path, distribution_id: uuid.UUID, file_name: str) -> Path:
    return files_dir / distribution_id.hex[:2] / distribution_id.hex / file_name


def store_stream(session: Session, source: BinaryIO, destination: Path, *, max_bytes: int) -> StoredFile:
    """Copy a stream to `destination` chunk by chunk; refuse it once it passes `max_bytes`."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{uuid.uuid4().hex}.part")
    digest = hashlib.sha256()
    size = 0
    stored = False
    try:
        with partial.open("wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(f"the file is larger than the limit of {max_bytes} bytes")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, destination)
        stored = True
    finally:
        partial.unlink(missing_ok=True)
        if not stored:
            _remove(destination)
    on_rollback(session, lambda: _remove(destination))
    return StoredFile(destination, size, digest.hexdigest())


def remove_after_commit(session: Session, path: Path) -> None:
    on_commit(session, lambda: _remove(path))


def on_commit(session: Session, action: Callable[[], None]) -> None:
    session.info.setdefault(_AFTER_COMMIT, []).append(action)


def on_rollback(session: Session, action: Callable[[], None]) -> None:
    session.info.setdefault(_AFTER_ROLLBACK, []).append(action)


def _remove(path: Path) -> None:
    """Remove a stored file, then its distribution folder and bucket folder if that left them empty."""
    path.unlink(missing_ok=True)
    for folder in (path.parent, path.parent.parent):
        try:
            folder.rmdir()  # only ever removes an empty folder
        except OSError:
            break


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_ROLLBACK, None)
    for action in session.info.pop(_AFTER_COMMIT, []):
        action()


@event.listens_for(Session, "after_transaction_end")
def _run_after_rollback(session: Session, transaction: SessionTransaction) -> None:
    """When the outermost transaction ends without a commit (a commit has already taken the rollback
    actions away), undo what it wrote outside the database. This also covers a failed flush."""
    if transaction.parent is None:
        session.info.pop(_AFTER_COMMIT, None)
        for action in session.info.pop(_AFTER_ROLLBACK, []):
            action()

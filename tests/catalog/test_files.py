"""Uploaded files: streamed, checksummed, size-limited, and in step with the transaction."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from datatorget.catalog.files import file_path, remove_after_commit, safe_file_name, store_stream
from datatorget.catalog.models import User
from datatorget.db.engine import make_sessionmaker
from datatorget.errors import PayloadTooLarge, ValidationFailed


def test_a_stream_is_stored_with_its_size_and_checksum(session: Session, tmp_path: Path) -> None:
    content = b"namn;lat;lon\n" * 100_000
    stored = store_stream(session, io.BytesIO(content), tmp_path / "a" / "data.csv", max_bytes=10_000_000)
    assert (stored.byte_size, stored.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert stored.path.read_bytes() == content


def test_a_stream_over_the_limit_is_refused_and_leaves_no_file(session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    with pytest.raises(PayloadTooLarge):
        store_stream(session, io.BytesIO(b"x" * 101), folder / "data.csv", max_bytes=100)
    assert not folder.exists()


def test_a_stored_file_is_removed_when_the_transaction_rolls_back(session: Session, tmp_path: Path) -> None:
    session.begin()
    stored = store_stream(session, io.BytesIO(b"a;b\n"), tmp_path / "x" / "data.csv", max_bytes=100)
    session.rollback()
    assert not stored.path.exists()


def test_a_stored_file_stays_when_the_transaction_commits(session: Session, tmp_path: Path) -> None:
    session.begin()
    stored = store_stream(session, io.BytesIO(b"a;b\n"), tmp_path / "x" / "data.csv", max_bytes=100)
    session.commit()
    assert stored.path.exists()


def test_a_file_to_remove_goes_only_after_the_commit(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_bytes(b"old")
    session.begin()
    remove_after_commit(session, path)
    session.rollback()
    assert path.exists()
    session.begin()
    remove_after_commit(session, path)
    session.commit()
    assert not path.exists()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Badplatser 2024.CSV", "Badplatser-2024.CSV"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\Lekplatser.xlsx", "Lekplatser.xlsx"),
        ("Återvinning.geojson", "Atervinning.geojson"),
    ],
)
def test_file_names_are_made_safe(given: str, kept: str) -> None:
    assert safe_file_name(given) == kept


def test_a_file_name_of_only_symbols_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        safe_file_name("???")


def test_a_refused_stream_leaves_no_empty_folder(session: Session, tmp_path: Path) -> None:
    with pytest.raises(PayloadTooLarge):
        store_stream(session, io.BytesIO(b"x" * 101), tmp_path / "files" / "ab" / "data.csv", max_bytes=100)
    assert not (tmp_path / "files" / "ab").exists()


def test_a_stored_file_is_removed_when_the_flush_fails(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "x" / "data.csv"
    with pytest.raises(IntegrityError), make_sessionmaker(engine).begin() as session:  # as a request does
        store_stream(session, io.BytesIO(b"a;b\n"), path, max_bytes=100)
        session.add(User(email="x@example.org", password_hash="!", role="admin"))
        session.add(User(email="x@example.org", password_hash="!", role="admin"))
        session.flush()
    assert not path.exists()


def test_a_refused_upload_leaves_neither_its_folder_nor_its_bucket(session: Session, tmp_path: Path) -> None:
    files_dir = tmp_path / "files"
    with pytest.raises(PayloadTooLarge):
        store_stream(
            session, io.BytesIO(b"x" * 101), file_path(files_dir, uuid.uuid4(), "data.csv"), max_bytes=100
        )
    assert (files_dir.is_dir(), list(files_dir.iterdir())) == (True, [])

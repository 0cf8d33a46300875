"""interop/compliance.py: the DCAT-AP 3.0.1 validation of each dataset's own export, stored with the state of
the dataset it describes; and the shapes and methodology shipped as package data."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import tomllib
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog import accounts, datasets
from datatorget.catalog.models import Dataset
from datatorget.catalog.schemas import DatasetPatch
from datatorget.config import Settings
from datatorget.interop.compliance import SHAPE_FILES, check_stale, validate_dataset
from datatorget.interop.quality_models import ComplianceCheck
from tests.factories import make_dataset, make_organization, make_upload

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = ROOT.parent / "shared" / "standards" / "semiceu-dcat-ap" / "dcat-ap-3.0.1"
SHIPPED = ROOT / "src" / "datatorget" / "interop" / "shapes" / "dcat-ap-3.0.1"
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def _upstream(name: str) -> Path:
    path = (
        UPSTREAM
        / ("shacl" if name in ("dcat-ap-SHACL.ttl", "ranges.ttl") else "html-shacl")
        / name.removeprefix("html-")
    )
    if not path.is_file():
        reason = f"the DCAT-AP 3.0.1 shapes are not in {UPSTREAM} (missing {path.name})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true: the shapes must be compared")
        pytest.skip(reason)
    return path


@pytest.mark.parametrize("name", SHAPE_FILES)
def test_the_shipped_shapes_are_unchanged_copies(name: str) -> None:
    shipped = hashlib.sha256((SHIPPED / name).read_bytes()).hexdigest()
    assert shipped == hashlib.sha256(_upstream(name).read_bytes()).hexdigest()


def test_the_package_data_includes_the_methodology_and_the_shapes() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "datatorget"
    ]
    package = ROOT / "src" / "datatorget"
    files = ["interop/mqa_metrics.json", *(f"interop/shapes/dcat-ap-3.0.1/{name}" for name in SHAPE_FILES)]
    for name in files:
        assert (package / name).is_file(), name
        assert any(
            fnmatch.fnmatch(name, pattern.replace("**/", "")) or fnmatch.fnmatch(name, pattern)
            for pattern in patterns
        ), name
    assert (resources.files("datatorget.interop") / "mqa_metrics.json").is_file()


@pytest.fixture(autouse=True)
def organization(session: Session) -> None:
    make_organization(session)


def test_a_dataset_with_an_uploaded_file_conforms(session: Session, settings: Settings) -> None:
    dataset = make_dataset(session, "Badplatser", license="CC0")
    make_upload(session, dataset.slug, settings.files_dir)
    session.expire_all()
    assert validate_dataset(session.get_one(Dataset, dataset.id), base_url=settings.base_url) == []


def test_a_dataset_without_a_description_violates_dcat_ap(session: Session, settings: Settings) -> None:
    dataset = make_dataset(session, "Badplatser")
    dataset.description = {}  # as a harvested dataset might come
    session.flush()
    found = validate_dataset(dataset, base_url=settings.base_url)
    assert {v["path"] for v in found} == {"http://purl.org/dc/terms/description"}


def _checked(session: Session, settings: Settings) -> int:
    session.expire_all()
    return check_stale(session, session.scalars(select(Dataset)).all(), base_url=settings.base_url, now=NOW)


def test_the_check_validates_each_dataset_once_until_it_changes(session: Session, settings: Settings) -> None:
    make_dataset(session, "Badplatser")
    make_dataset(session, "Lekplatser")
    assert _checked(session, settings) == 2
    session.commit()
    assert _checked(session, settings) == 0
    datasets.update_dataset(
        session, "lekplatser", DatasetPatch(themes=["ENVI"]), accounts.system_user(session)
    )
    session.commit()
    assert _checked(session, settings) == 1


def test_a_new_distribution_makes_the_result_stale(session: Session, settings: Settings) -> None:
    dataset = make_dataset(session, "Badplatser")
    _checked(session, settings)
    session.commit()
    make_upload(session, dataset.slug, settings.files_dir)
    assert _checked(session, settings) == 1


def test_the_stored_result_names_what_it_was_computed_for(session: Session, settings: Settings) -> None:
    dataset = make_dataset(session, "Badplatser")
    _checked(session, settings)
    session.commit()
    check = session.get_one(ComplianceCheck, dataset.id)
    assert (check.conforms, check.violations, check.distribution_count, check.checked_at) == (
        True,
        [],
        0,
        NOW,
    )
    assert check.dataset_modified == session.get_one(Dataset, dataset.id).modified

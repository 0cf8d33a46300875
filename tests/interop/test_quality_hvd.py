"""interop/quality_hvd.py: the checklist of a high-value dataset, each obligation with what is missing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog import accounts, distributions
from datatorget.catalog.models import Dataset
from datatorget.catalog.schemas import DistributionLinkIn
from datatorget.config import Settings
from datatorget.interop.quality import HvdChecklist, dataset_quality
from datatorget.jobs.ingestion import start_ingestion
from tests.factories import make_dataset, make_organization, make_upload
from tests.jobs import run_jobs

AIR = "c_dd313021"  # an HVD category (environment: air quality)
HVD: dict[str, Any] = {
    "hvd_categories": [AIR],
    "license": "CC_BY_4_0",
    "contact_point": {"name": "Miljö", "email": "miljo@sjovik.example"},
}


@pytest.fixture(autouse=True)
def organization(session: Session) -> None:
    make_organization(session)


def checklist(session: Session, dataset: Dataset) -> HvdChecklist:
    session.expire_all()
    found = dataset_quality(session, session.get_one(Dataset, dataset.id)).hvd
    assert found is not None
    return found


def failing(found: HvdChecklist) -> dict[str, str]:
    return {check.key: check.en for check in found.checks if not check.ok}


def test_a_dataset_without_hvd_category_has_no_checklist(session: Session) -> None:
    dataset = make_dataset(session, "Badplatser")
    assert dataset_quality(session, dataset).hvd is None


def test_a_csv_read_in_as_a_table_meets_every_obligation(
    session: Session, settings: Settings, app_client: TestClient
) -> None:
    dataset = make_dataset(session, "Luftkvalitet", **HVD)
    distribution = make_upload(session, dataset.slug, settings.files_dir)
    start_ingestion(session, distribution, accounts.system_user(session))
    session.commit()
    run_jobs(app_client)
    found = checklist(session, dataset)
    session.close()  # give the connection back before the app, set up after the session, stops its engine
    assert (found.categories, found.complete, failing(found)) == ([AIR], True, {})
    assert [c.key for c in found.checks] == [
        "licence", "api", "bulk_download", "machine_readable", "api_documentation", "contact_point", "metadata",
    ]  # fmt: skip


def test_a_file_without_a_table_lacks_the_api_and_its_documentation(
    session: Session, settings: Settings
) -> None:
    dataset = make_dataset(session, "Luftkvalitet", **HVD)
    make_upload(session, dataset.slug, settings.files_dir)
    found = checklist(session, dataset)
    assert found.complete is False
    assert sorted(failing(found)) == ["api", "api_documentation"]
    assert failing(found)["api"].startswith("An API that gives access to the dataset: missing.")


def test_a_licence_less_open_than_cc_by_is_named_with_the_distribution(
    session: Session, settings: Settings
) -> None:
    dataset = make_dataset(session, "Luftkvalitet", **(HVD | {"license": "CC_BYSA_4_0"}))
    make_upload(session, dataset.slug, settings.files_dir, file_name="matvarden.csv")
    assert failing(checklist(session, dataset))["licence"] == (
        "Licence CC BY 4.0 or more open: choose CC0 or CC BY 4.0 for matvarden.csv."
    )


def test_cc0_meets_the_licence_obligation(session: Session, settings: Settings) -> None:
    dataset = make_dataset(session, "Luftkvalitet", **(HVD | {"license": "CC0"}))
    make_upload(session, dataset.slug, settings.files_dir)
    assert "licence" not in failing(checklist(session, dataset))


def test_a_linked_sparql_endpoint_counts_as_an_api(session: Session) -> None:
    dataset = make_dataset(session, "Luftkvalitet", **HVD)
    data = DistributionLinkIn(access_url="https://data.sjovik.example/sparql", format="SPARQLQ")
    distributions.add_link(session, dataset.slug, data, accounts.system_user(session))
    session.commit()
    assert "api" not in failing(checklist(session, dataset))


def test_a_dataset_without_distributions_misses_most_obligations(session: Session) -> None:
    dataset = make_dataset(session, "Luftkvalitet", **HVD)
    assert sorted(failing(checklist(session, dataset))) == [
        "api", "api_documentation", "bulk_download", "licence", "machine_readable", "metadata",
    ]  # fmt: skip


def test_a_missing_contact_point_is_told(session: Session, settings: Settings) -> None:
    dataset = make_dataset(session, "Luftkvalitet", **(HVD | {"contact_point": None}))
    make_upload(session, dataset.slug, settings.files_dir)
    assert failing(checklist(session, dataset))["contact_point"] == (
        "A contact point: missing. Give an email address for the dataset or the organisation."
    )


def test_a_pdf_alone_is_not_machine_readable(session: Session) -> None:
    dataset = make_dataset(session, "Luftkvalitet", **HVD)
    data = DistributionLinkIn(
        access_url="https://www.sjovik.example/luft.pdf", download_url=None, format="PDF"
    )
    distributions.add_link(session, dataset.slug, data, accounts.system_user(session))
    session.commit()
    missing = failing(checklist(session, dataset))
    assert {"machine_readable", "bulk_download"} <= set(missing)
    assert "metadata" not in missing

"""A harvested dataset is read-only here: it, its distributions and their tables are changed at the source
only. Every way of changing them is refused with 409 and the code `harvested`."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog import accounts, datasets, distributions
from datatorget.catalog.datasets import HarvestedReadOnly
from datatorget.catalog.models import Dataset
from datatorget.catalog.schemas import DatasetPatch, DistributionLinkIn, DistributionPatch
from datatorget.interop.harvest_import import SourceRef, import_record
from datatorget.interop.harvest_records import RemoteRecord
from datatorget.interop.harvest_schemas import HarvestSourceIn
from datatorget.interop.harvest_sources import create_source
from datatorget.jobs.ingestion import start_ingestion
from tests.conftest import Actors
from tests.factories import make_organization

RECORD = RemoteRecord(
    remote_id="https://data.vallby.se/store/1/resource/12",
    remote_url="https://data.vallby.se/store/1/resource/12",
    title="Badplatser",
    fields={"title": {"sv": "Badplatser"}, "description": {"sv": "Kommunens strandbad."}},
    distributions=[{"access_url": "https://data.vallby.se/badplatser.csv", "format": "CSV"}],
)


def harvested(session: Session) -> Dataset:
    """A dataset harvested from a source named Vallbys katalog."""
    make_organization(session, "vallby-kommun", "Vallby kommun")
    data = HarvestSourceIn(title="Vallbys katalog", url="https://data.vallby.se/dcat", kind="dcat",
                           organization="vallby-kommun")  # fmt: skip
    source = create_source(session, data, accounts.system_user(session))
    ref = SourceRef(source.id, source.title, source.organization_id, "vallby-kommun")
    slug = import_record(session, ref, RECORD, datetime(2025, 3, 1, tzinfo=UTC)).dataset_slug
    session.commit()
    dataset = datasets.find_dataset(session, slug)
    assert dataset is not None
    return dataset


def _refused(change: Callable[[], object]) -> HarvestedReadOnly:
    with pytest.raises(HarvestedReadOnly) as caught:
        change()
    return caught.value


def test_changing_a_harvested_dataset_is_refused_with_a_reason_in_both_languages(session: Session) -> None:
    dataset = harvested(session)
    refusal = _refused(
        lambda: datasets.update_dataset(
            session, dataset.slug, DatasetPatch(title={"sv": "Bad"}), accounts.system_user(session)
        )
    )
    assert (refusal.status, refusal.code) == (409, "harvested")
    assert refusal.sv == "Datamängden är skördad från Vallbys katalog och ändras bara där."
    assert refusal.en == "The dataset is harvested from Vallbys katalog: it is changed only there."
    assert refusal.errors == {"origin": [f"harvested: {refusal.en}"]}


def test_deleting_a_harvested_dataset_is_refused(session: Session, tmp_path: Path) -> None:
    dataset = harvested(session)
    _refused(
        lambda: datasets.delete_dataset(
            session, dataset.slug, accounts.system_user(session), files_dir=tmp_path
        )
    )


def test_adding_a_link_or_a_file_to_a_harvested_dataset_is_refused(session: Session, tmp_path: Path) -> None:
    dataset = harvested(session)
    admin = accounts.system_user(session)
    link = DistributionLinkIn(access_url="https://data.vallby.se/annat.csv")
    _refused(lambda: distributions.add_link(session, dataset.slug, link, admin))
    upload = distributions.Upload(io.BytesIO(b"a;b\n1;2\n"), "extra.csv", declared_size=8)
    _refused(
        lambda: distributions.add_upload(
            session, dataset.slug, upload, admin, files_dir=tmp_path, max_bytes=100
        )
    )


def test_changing_or_deleting_a_harvested_distribution_is_refused(session: Session, tmp_path: Path) -> None:
    distribution = harvested(session).distributions[0]
    admin = accounts.system_user(session)
    patch = DistributionPatch(title={"sv": "Annat namn"})
    _refused(lambda: distributions.update_distribution(session, distribution.id, patch, admin))
    _refused(lambda: distributions.delete_distribution(session, distribution.id, admin, files_dir=tmp_path))


def test_reading_a_harvested_distribution_into_a_table_is_refused(session: Session) -> None:
    distribution = harvested(session).distributions[0]
    _refused(lambda: start_ingestion(session, distribution, accounts.system_user(session), source="url"))


def test_the_api_answers_409_with_the_reason_when_a_harvested_dataset_is_changed(
    app_client: TestClient, session: Session
) -> None:
    dataset = harvested(session)
    admin = Actors(session).user("admin@vallby.se", "admin")
    headers = Actors(session).headers(admin)
    response = app_client.patch(
        f"/api/v1/datasets/{dataset.slug}", json={"state": "private"}, headers=headers
    )
    message = "The dataset is harvested from Vallbys katalog: it is changed only there."
    assert (response.status_code, response.json()) == (
        409,
        {"type": "about:blank", "title": "Conflict", "status": 409, "detail": message,
         "errors": {"origin": [f"harvested: {message}"]}},
    )  # fmt: skip

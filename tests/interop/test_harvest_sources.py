"""interop/harvest_sources.py: admins manage sources and queue runs; one run at a time; deleting a source
turns its datasets into ordinary local ones."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from datatorget.catalog import accounts, datasets
from datatorget.catalog.models import Dataset
from datatorget.catalog.schemas import DatasetPatch
from datatorget.config import Settings
from datatorget.db.base import utcnow
from datatorget.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from datatorget.interop.harvest_models import HarvestRecord, HarvestRun
from datatorget.interop.harvest_schemas import HarvestSourceIn, HarvestSourcePatch
from datatorget.interop.harvest_sources import (
    create_source,
    delete_source,
    get_run,
    list_runs,
    list_sources,
    queue_run,
    run_out,
    source_out,
    update_source,
)
from tests.interop.harvest_support import Harness, RemoteSite, harness, serve_dcat, serving

URL = "https://data.vallby.se/dcat/catalog"


@pytest.fixture
def harvesting(engine: Engine, settings: Settings) -> Harness:
    return harness(engine, settings)


@pytest.fixture
def session(harvesting: Harness) -> Iterator[Session]:
    with harvesting.sessions() as session:
        yield session


def _source_in(**fields: Any) -> HarvestSourceIn:
    values = {"title": "Vallby kommun", "url": URL, "kind": "dcat", "organization": "vallby-kommun"}
    return HarvestSourceIn.model_validate(values | fields)


def test_a_new_source_with_an_interval_is_due_at_once(session: Session) -> None:
    before = utcnow()
    source = create_source(session, _source_in(), accounts.system_user(session))
    assert source.next_run_at is not None and before <= source.next_run_at <= utcnow()
    assert (source.interval_hours, source.enabled, source.organization.slug) == (24, True, "vallby-kommun")


def test_a_source_run_only_by_hand_is_never_due(session: Session) -> None:
    source = create_source(session, _source_in(interval_hours=0), accounts.system_user(session))
    assert source.next_run_at is None


@pytest.mark.parametrize("url", ["ftp://data.vallby.se/katalog", "file:///etc/passwd", "data.vallby.se"])
def test_a_source_needs_an_http_or_https_address(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _source_in(url=url)
    assert [error["loc"] for error in caught.value.errors()] == [("url",)]


def test_a_source_address_with_a_password_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        create_source(
            session, _source_in(url="https://user:secret@data.vallby.se/dcat"), accounts.system_user(session)
        )
    assert list(caught.value.errors) == ["url"]


def test_a_source_needs_an_organisation_that_exists(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        create_source(session, _source_in(organization="okand-kommun"), accounts.system_user(session))
    assert caught.value.errors == {"organization": ["no organisation 'okand-kommun'"]}


def test_a_source_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError):
        _source_in(kind="oai-pmh")


def test_only_an_administrator_manages_sources(session: Session) -> None:
    editor = accounts.create_user(
        session, email="redaktor@vallby.se", password="correct horse battery", role="editor",
        organization_slug="vallby-kommun", by=None,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        create_source(session, _source_in(), editor)
    with pytest.raises(NotAuthenticated):
        list_sources(session, None)


def test_changing_the_interval_to_zero_stops_the_schedule(session: Session) -> None:
    admin = accounts.system_user(session)
    source = create_source(session, _source_in(), admin)
    update_source(session, source.id, HarvestSourcePatch(interval_hours=0, title="Vallby (test)"), admin)
    assert (source.next_run_at, source.title) == (None, "Vallby (test)")


def test_a_shorter_interval_brings_the_next_run_forward(session: Session) -> None:
    admin = accounts.system_user(session)
    source = create_source(session, _source_in(interval_hours=0), admin)
    update_source(session, source.id, HarvestSourcePatch(interval_hours=1), admin)
    assert source.next_run_at is not None and source.next_run_at <= utcnow()
    source.next_run_at = utcnow() + timedelta(days=7)
    update_source(session, source.id, HarvestSourcePatch(interval_hours=2), admin)
    assert source.next_run_at <= utcnow() + timedelta(hours=2)


def test_a_required_field_cannot_be_cleared(session: Session) -> None:
    admin = accounts.system_user(session)
    source = create_source(session, _source_in(), admin)
    with pytest.raises(ValidationFailed) as caught:
        update_source(session, source.id, HarvestSourcePatch.model_validate({"title": None}), admin)
    assert caught.value.errors == {"title": ["may not be null"]}


def test_a_run_is_queued_and_a_second_one_is_refused_while_it_waits(session: Session) -> None:
    admin = accounts.system_user(session)
    source = create_source(session, _source_in(), admin)
    run = queue_run(session, source.id, admin)
    assert (run.status, run.trigger, run.counts["created"]) == ("queued", "manual", 0)
    with pytest.raises(Conflict):
        queue_run(session, source.id, admin)


def test_a_run_stuck_for_half_a_day_no_longer_blocks_the_source(session: Session) -> None:
    admin = accounts.system_user(session)
    source = create_source(session, _source_in(), admin)
    stuck = queue_run(session, source.id, admin)
    stuck.status, stuck.started_at = "running", utcnow() - timedelta(hours=13)
    session.flush()
    queue_run(session, source.id, admin)
    assert (stuck.status, stuck.error and stuck.error["code"]) == ("failed", "interrupted")


def test_runs_are_listed_newest_first_and_read_by_id(session: Session) -> None:
    admin = accounts.system_user(session)
    source = create_source(session, _source_in(), admin)
    first = queue_run(session, source.id, admin)
    first.status, first.created_at = "succeeded", utcnow() - timedelta(hours=1)
    second = queue_run(session, source.id, admin)
    assert [run.id for run in list_runs(session, source.id, admin)] == [second.id, first.id]
    assert get_run(session, first.id, admin) is first
    with pytest.raises(NotFound):
        get_run(session, uuid.uuid4(), admin)


def test_the_run_report_has_the_shape_of_the_api(session: Session) -> None:
    admin = accounts.system_user(session)
    source = create_source(session, _source_in(), admin)
    run = queue_run(session, source.id, admin)
    run.status, run.error = "failed", {"code": "http_error", "sv": "Fel 500.", "en": "Error 500."}
    run.records = [{"remote_id": "https://x.example/ds/1", "title": "Badplatser", "outcome": "failed",
                    "dataset": None, "reason": {"code": "no_title", "sv": "a", "en": "b"}}]  # fmt: skip
    out = run_out(run).model_dump(mode="json")
    assert (out["status"], out["error"], out["records"][0]["reason"]["code"]) == (
        "failed",
        {"code": "http_error", "sv": "Fel 500.", "en": "Error 500."},
        "no_title",
    )
    assert out["counts"] == {"created": 0, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0}


def test_a_source_shows_its_last_run_and_its_datasets(harvesting: Harness) -> None:
    with serving() as site:
        source_id = harvesting.add_source(serve_dcat(site))
        run = harvesting.run(source_id)
    with harvesting.sessions() as session:
        out = source_out(session, harvesting.source(source_id))
    assert out.dataset_count == 4
    assert out.last_run is not None
    assert (out.last_run.id, out.last_run.status, out.last_run.counts.created) == (run.id, "partial", 4)
    assert out.organization.slug == "vallby-kommun"


def _harvested(harvesting: Harness, site: RemoteSite) -> uuid.UUID:
    source_id = harvesting.add_source(serve_dcat(site))
    harvesting.run(source_id)
    return source_id


def test_deleting_a_source_keeps_its_datasets_as_private_local_ones(harvesting: Harness) -> None:
    with serving() as site:
        source_id = _harvested(harvesting, site)
    with harvesting.sessions.begin() as session:
        kept = delete_source(session, source_id, accounts.system_user(session))
    assert kept == 4
    with harvesting.sessions.begin() as session:
        found = session.query(Dataset).all()
        assert {(d.state, d.origin) for d in found} == {("private", None)}
        assert session.query(HarvestRecord).count() == session.query(HarvestRun).count() == 0


def test_a_dataset_of_a_deleted_source_can_be_edited(harvesting: Harness) -> None:
    with serving() as site:
        source_id = _harvested(harvesting, site)
    with harvesting.sessions.begin() as session:
        delete_source(session, source_id, accounts.system_user(session))
    with harvesting.sessions.begin() as session:
        changed = datasets.update_dataset(
            session, "badplatser", DatasetPatch(state="published"), accounts.system_user(session)
        )
        assert changed.state == "published"


def test_a_source_with_a_run_in_progress_cannot_be_deleted(session: Session) -> None:
    admin = accounts.system_user(session)
    source = create_source(session, _source_in(), admin)
    queue_run(session, source.id, admin)
    with pytest.raises(Conflict):
        delete_source(session, source.id, admin)

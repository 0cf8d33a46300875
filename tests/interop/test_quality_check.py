"""The quality check (interop/link_check.py, jobs/quality_check.py): linked addresses asked on a local server,
their answers stored and read by the score, changed datasets validated, and the schedule that queues the check
once per interval and never twice."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from datatorget.catalog import accounts, distributions
from datatorget.catalog.models import Dataset, Distribution
from datatorget.catalog.schemas import DistributionLinkIn, DistributionPatch
from datatorget.config import Settings
from datatorget.db.base import utcnow
from datatorget.db.engine import make_sessionmaker
from datatorget.interop.link_check import Answer, Link, ask_all, http_prober, links_to_check, store_answers
from datatorget.interop.quality import dataset_quality
from datatorget.interop.quality_models import ComplianceCheck, LinkCheck, QualitySchedule
from datatorget.jobs import scheduler
from datatorget.jobs.models import Job
from datatorget.jobs.quality_check import CHECK_QUALITY, LEASE, quality_schedule, run_quality_check
from datatorget.jobs.tasks import TASKS
from tests import link_server
from tests.factories import make_dataset, make_organization, make_upload


@pytest.fixture
def server() -> Iterator[link_server.LinkServer]:
    with link_server.link_server() as server:
        yield server


@pytest.fixture
def checking(settings: Settings) -> Settings:
    """The settings, with the local server's loopback address allowed."""
    return settings.model_copy(update={"fetch_private_addresses": True, "link_check_timeout_s": 5})


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine, writing=True)


@pytest.fixture(autouse=True)
def organization(session: Session) -> None:
    make_organization(session)


def add_link(
    session: Session, dataset: str, access_url: str, download_url: str | None = None
) -> Distribution:
    data = DistributionLinkIn(access_url=access_url, download_url=download_url, format="CSV")
    found = distributions.add_link(session, dataset, data, accounts.system_user(session))
    session.commit()
    return found


# --- the link checker ---------------------------------------------------------------------------------------


def test_only_linked_distributions_have_addresses_to_check(session: Session, settings: Settings) -> None:
    make_dataset(session, "Badplatser")
    make_upload(session, "badplatser", settings.files_dir)
    linked = add_link(session, "badplatser", "https://a.example/sida", "https://a.example/data.csv")
    assert sorted(links_to_check(session), key=lambda link: link.kind) == [
        Link(linked.id, "access", "https://a.example/sida"),
        Link(linked.id, "download", "https://a.example/data.csv"),
    ]


def test_an_address_is_asked_once_however_many_links_share_it(
    server: link_server.LinkServer, checking: Settings
) -> None:
    server.routes["/data.csv"] = link_server.Answer(200)
    url = server.url("/data.csv")
    links = [Link(uuid.uuid4(), "access", url), Link(uuid.uuid4(), "download", url)]
    answers = ask_all(links, http_prober(checking))
    assert set(answers.values()) == {Answer(200, True, None)}
    assert server.requests == [("HEAD", "/data.csv")]


def test_an_error_status_and_no_answer_both_fail(server: link_server.LinkServer, checking: Settings) -> None:
    ask = http_prober(checking)
    assert ask(server.url("/borta.csv")) == Answer(404, False, "http_error")
    assert ask("http://127.0.0.1:9/data.csv") == Answer(None, False, "unreachable")


def test_the_check_stores_each_answer_and_the_score_reads_it(
    session: Session, sessions: sessionmaker[Session], server: link_server.LinkServer, checking: Settings
) -> None:
    server.routes["/sida"] = link_server.Answer(302, {"Location": "/ny-sida"})
    server.routes["/ny-sida"] = link_server.Answer(200)
    dataset = make_dataset(session, "Badplatser")
    linked = add_link(session, "badplatser", server.url("/sida"), server.url("/data.csv"))
    assert run_quality_check(sessions, checking) == {"links": 2, "links_failing": 1, "datasets_validated": 1}
    session.expire_all()
    stored = {c.kind: (c.status_code, c.ok, c.error_code) for c in session.scalars(select(LinkCheck))}
    assert stored == {"access": (200, True, None), "download": (404, False, "http_error")}
    quality = dataset_quality(session, session.get_one(Dataset, dataset.id))
    assert {m.metric: m.points for m in quality.metrics if m.metric.endswith("StatusCode")} == {
        "accessUrlStatusCode": 50,
        "downloadUrlStatusCode": 0,
    }
    assert session.get_one(LinkCheck, (linked.id, "access")).url == server.url("/sida")


def test_an_answer_for_a_distribution_deleted_meanwhile_is_not_stored(session: Session) -> None:
    make_dataset(session, "Badplatser")
    linked = add_link(session, "badplatser", "https://example.org/sida")
    gone = Link(uuid.uuid4(), "access", "https://example.org/borta")
    kept = Link(linked.id, "access", "https://example.org/sida")
    store_answers(
        session, {gone: Answer(200, True, None), kept: Answer(404, False, "http_error")}, now=utcnow()
    )
    assert [(c.distribution_id, c.ok) for c in session.scalars(select(LinkCheck))] == [(linked.id, False)]


def test_a_removed_download_address_loses_its_result(
    session: Session, sessions: sessionmaker[Session], server: link_server.LinkServer, checking: Settings
) -> None:
    make_dataset(session, "Badplatser")
    linked = add_link(session, "badplatser", server.url("/sida"), server.url("/data.csv"))
    run_quality_check(sessions, checking)
    distributions.update_distribution(
        session, linked.id, DistributionPatch(download_url=None), accounts.system_user(session)
    )
    session.commit()
    run_quality_check(sessions, checking)
    session.expire_all()
    assert [c.kind for c in session.scalars(select(LinkCheck))] == ["access"]


def test_a_second_check_validates_only_what_changed(
    session: Session, sessions: sessionmaker[Session], checking: Settings
) -> None:
    make_dataset(session, "Badplatser")
    make_dataset(session, "Lekplatser")
    assert run_quality_check(sessions, checking)["datasets_validated"] == 2
    make_upload(session, "lekplatser", checking.files_dir)
    assert run_quality_check(sessions, checking)["datasets_validated"] == 1
    assert len(session.scalars(select(ComplianceCheck)).all()) == 2


# --- the job and its schedule -------------------------------------------------------------------------------


def test_the_check_is_a_job_kind_and_a_schedule() -> None:
    assert CHECK_QUALITY in TASKS
    assert quality_schedule in scheduler.SCHEDULES


def test_the_first_tick_queues_the_check_and_the_next_does_not(sessions: sessionmaker[Session]) -> None:
    now = utcnow()
    with sessions.begin() as session:
        assert quality_schedule(session, now) == [(CHECK_QUALITY, {})]
    with sessions.begin() as session:
        assert quality_schedule(session, now + timedelta(minutes=1)) == []


def test_a_waiting_check_is_not_queued_again_when_the_lease_runs_out(sessions: sessionmaker[Session]) -> None:
    now = utcnow()
    assert scheduler.tick(sessions, now) >= 1
    with sessions.begin() as session:
        assert quality_schedule(session, now + LEASE + timedelta(minutes=1)) == []
        assert len(session.scalars(select(Job).where(Job.kind == CHECK_QUALITY)).all()) == 1


def test_a_finished_check_is_due_again_one_interval_later(
    sessions: sessionmaker[Session], checking: Settings
) -> None:
    run_quality_check(sessions, checking)
    with sessions.begin() as session:
        row = session.get_one(QualitySchedule, 1)
        assert row.next_due_at is not None and row.last_finished_at is not None
        assert row.next_due_at - row.last_finished_at == timedelta(
            hours=checking.quality_check_interval_hours
        )
        assert quality_schedule(session, row.next_due_at - timedelta(minutes=1)) == []
        assert quality_schedule(session, row.next_due_at) == [(CHECK_QUALITY, {})]

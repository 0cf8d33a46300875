"""One harvest run: read every page of a source, import each record in its own transaction, withdraw what
is gone, and write the report. Called by the `harvest` job (jobs/tasks.py) with the id of a queued run.

- A record that cannot be imported fails alone; its reason (in Swedish and English) is in the report.
- Datasets whose records were not seen are withdrawn only after a *complete* read: never after a page that
  could not be fetched or parsed, the page limit, a loop of pages, or a read that found nothing at all at a
  source that had datasets.
- The run ends `succeeded` (complete, no record failed), `partial` (some records failed, or the read was
  stopped on purpose) or `failed` (the source could not be read; the reason is in `error`). Records read
  before a failure are still imported.
- Nothing here raises for a bad source: one bad source never stops the worker or the scheduler.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from datatorget.config import Settings
from datatorget.db.base import utcnow
from datatorget.errors import DatatorgetError
from datatorget.interop.harvest_ckan import read_ckan
from datatorget.interop.harvest_dcat import read_datatorget, read_dcat
from datatorget.interop.harvest_fetch import HarvestFailed, HarvestLimits
from datatorget.interop.harvest_import import SourceRef, import_record, withdraw
from datatorget.interop.harvest_models import RECORD_OUTCOMES, HarvestRecord, HarvestRun, HarvestSource
from datatorget.interop.harvest_records import Reader, ReadStopped, RecordFailed, RemoteRecord
from datatorget.store.addresses import AddressPolicy

log = logging.getLogger(__name__)

READERS: dict[str, Reader] = {"dcat": read_dcat, "ckan": read_ckan, "datatorget": read_datatorget}
MAX_LISTED = 1000  # records listed one by one in a run's report; the counts stay exact beyond that
INTERNAL = {
    "code": "internal",
    "sv": "Ett oväntat fel inträffade. Det har loggats; försök igen eller kontakta portalens förvaltare.",
    "en": "An unexpected error occurred. It has been logged; try again or contact the portal's operators.",
}
EMPTY_SOURCE = {
    "code": "empty_source",
    "sv": "Källan gav inga datamängder alls; de skördade datamängderna drogs inte tillbaka.",
    "en": "The source gave no datasets at all; the harvested datasets were not withdrawn.",
}


@dataclass
class Report:
    """What a run did: exact counts per outcome, and the records that did not come out unchanged."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RECORD_OUTCOMES, 0))
    records: list[dict[str, Any]] = field(default_factory=list)

    def add(self, outcome: str, remote_id: str, title: str, *, slug: str | None = None,
            reason: dict[str, str] | None = None) -> None:  # fmt: skip
        self.counts[outcome] += 1
        if outcome != "unchanged" and len(self.records) < MAX_LISTED:
            self.records.append({"remote_id": remote_id, "title": title, "outcome": outcome,
                                 "dataset": slug, "reason": reason})  # fmt: skip


@dataclass(frozen=True)
class Started:
    run_id: uuid.UUID
    source: SourceRef
    kind: str
    url: str
    at: datetime


def run_harvest(
    sessions: sessionmaker[Session],
    settings: Settings,
    run_id: uuid.UUID,
    *,
    address_allowed: AddressPolicy | None = None,
) -> dict[str, Any]:
    """Run the queued (or interrupted) run `run_id` to its end; its status and counts.

    `address_allowed` replaces the address policy of the settings (for tests)."""
    started = _start(sessions, run_id)
    if started is None:
        return _summary(sessions, run_id)
    report = Report()
    status, error = "failed", None
    try:
        status, error = _harvest(
            sessions, started, HarvestLimits.from_settings(settings, address_allowed), report
        )
    except Exception:  # a bug or a database away: the run says so, the worker goes on
        log.exception("harvest run %s failed", run_id)
        error = INTERNAL
    _finish(sessions, run_id, status, error, report)
    return {"run_id": str(run_id), "status": status, "counts": report.counts}


def _harvest(
    sessions: sessionmaker[Session], started: Started, limits: HarvestLimits, report: Report
) -> tuple[str, dict[str, str] | None]:
    seen: set[str] = set()
    try:
        for records in READERS[started.kind](started.url, limits):
            for record in records:
                if record.remote_id in seen:  # a record twice (pages shifted at the source): once is enough
                    continue
                seen.add(record.remote_id)
                _import(sessions, started, record, report)
            _progress(sessions, started, report)
    except ReadStopped as stopped:
        return "partial", stopped.as_dict()
    except HarvestFailed as failure:
        return "failed", failure.as_dict()
    if not seen and _has_records(sessions, started.source.id):
        return "partial", EMPTY_SOURCE
    _withdraw_missing(sessions, started, seen, report)
    return ("partial" if report.counts["failed"] else "succeeded"), None


def _import(sessions: sessionmaker[Session], started: Started, record: RemoteRecord, report: Report) -> None:
    """Import one record in a transaction of its own; a failure is recorded and goes no further."""
    reason: dict[str, str]
    try:
        with sessions.begin() as session:
            imported = import_record(session, started.source, record, started.at)
        report.add(imported.outcome, record.remote_id, record.title, slug=imported.dataset_slug)
        return
    except RecordFailed as failure:
        reason = failure.as_dict()
    except DatatorgetError as exc:
        reason = {"code": "invalid", "sv": str(exc), "en": str(exc)}
    except SQLAlchemyError:
        log.warning("harvest record %s could not be saved", record.remote_id, exc_info=True)
        reason = {
            "code": "not_saved",
            "sv": "Posten kunde inte sparas (den krockade med en ändring som gjordes samtidigt). Den prövas igen "
            "vid nästa skörd.",
            "en": "The record could not be saved (it clashed with a change made at the same time). It is tried "
            "again at the next harvest.",
        }
    except Exception:
        log.exception("harvest record %s failed", record.remote_id)
        reason = INTERNAL
    report.add("failed", record.remote_id, record.title, reason=reason)


def _withdraw_missing(
    sessions: sessionmaker[Session], started: Started, seen: set[str], report: Report
) -> None:
    with sessions.begin() as session:
        rows = session.execute(
            select(HarvestRecord.id, HarvestRecord.remote_id).where(
                HarvestRecord.source_id == started.source.id, HarvestRecord.withdrawn_at.is_(None)
            )
        ).all()
    for record_id, remote_id in rows:
        if remote_id in seen:
            continue
        try:
            with sessions.begin() as session:
                withdrawn = withdraw(session, record_id, started.at, started.source.title)
        except SQLAlchemyError:
            log.warning("harvest record %s could not be withdrawn", remote_id, exc_info=True)
            continue
        if withdrawn is not None:
            report.add("withdrawn", remote_id, withdrawn[1], slug=withdrawn[0])


def _has_records(sessions: sessionmaker[Session], source_id: uuid.UUID) -> bool:
    with sessions.begin() as session:
        found = session.scalar(
            select(HarvestRecord.id)
            .where(HarvestRecord.source_id == source_id, HarvestRecord.withdrawn_at.is_(None))
            .limit(1)
        )
    return found is not None


def _start(sessions: sessionmaker[Session], run_id: uuid.UUID) -> Started | None:
    """Mark the run running; None when there is nothing to run (it ended already, or is gone). A run that
    was running when its worker died starts again from the beginning."""
    with sessions.begin() as session:
        run = session.get(HarvestRun, run_id)
        if run is None or run.status not in ("queued", "running"):
            return None
        source = session.get_one(HarvestSource, run.source_id)
        now = utcnow()
        run.status, run.started_at, run.finished_at = "running", now, None
        run.counts, run.records, run.error = dict.fromkeys(RECORD_OUTCOMES, 0), [], None
        ref = SourceRef(source.id, source.title, source.organization_id, source.organization.slug)
        return Started(run_id, ref, source.kind, source.url, now)


def _progress(sessions: sessionmaker[Session], started: Started, report: Report) -> None:
    """The counts so far, after each page, for an admin who watches the run."""
    try:
        with sessions.begin() as session:
            run = session.get(HarvestRun, started.run_id)
            if run is not None:
                run.counts = dict(report.counts)
    except SQLAlchemyError:
        log.warning("could not record the progress of a harvest of %s", started.source.id, exc_info=True)


def _finish(sessions: sessionmaker[Session], run_id: uuid.UUID, status: str,
            error: dict[str, str] | None, report: Report) -> None:  # fmt: skip
    with sessions.begin() as session:
        run = session.get(HarvestRun, run_id)
        if run is None:  # the source was deleted meanwhile
            return
        run.status, run.error, run.finished_at = status, error, utcnow()
        run.counts, run.records = dict(report.counts), list(report.records)


def _summary(sessions: sessionmaker[Session], run_id: uuid.UUID) -> dict[str, Any]:
    with sessions.begin() as session:
        run = session.get(HarvestRun, run_id)
        if run is None:
            return {"run_id": str(run_id), "status": "gone", "counts": {}}
        return {"run_id": str(run_id), "status": run.status, "counts": dict(run.counts)}

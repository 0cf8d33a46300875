"""The scheduler: once a minute, work that is due (harvests, link checks) becomes jobs on the queue.

Each schedule is a function that, in the transaction it is given, picks what is due and moves its next
due time on, so that two processes ticking at once never queue the same work twice (on PostgreSQL it
locks what it picks with FOR UPDATE SKIP LOCKED; SQLite serialises writers). A schedule that fails is
logged and skipped until the next tick: one bad schedule never stops the others.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from datatorget.db.base import utcnow
from datatorget.interop.harvest_sources import due_harvests
from datatorget.jobs import queue
from datatorget.jobs.quality_check import quality_schedule

log = logging.getLogger(__name__)

TICK_S = 60.0

# What a schedule gives: the jobs to queue, as (job kind, params)
Due = list[tuple[str, dict[str, Any]]]
Schedule = Callable[[Session, datetime], Due]

SCHEDULES: tuple[Schedule, ...] = (due_harvests, quality_schedule)


def tick(sessions: sessionmaker[Session], now: datetime | None = None) -> int:
    """Queue every job that is due now; the number queued."""
    now = now or utcnow()
    queued = 0
    for schedule in SCHEDULES:
        try:
            with sessions.begin() as session:
                for kind, params in schedule(session, now):
                    queue.enqueue(session, kind, params)
                    queued += 1
        except Exception:
            log.warning("the schedule %s could not run", schedule.__qualname__, exc_info=True)
    return queued


class Scheduler:
    """A thread that ticks every TICK_S seconds until stopped."""

    def __init__(self, sessions: sessionmaker[Session], *, every_s: float = TICK_S) -> None:
        self.sessions = sessions
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="datatorget-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                tick(self.sessions)
            except Exception:  # the database is away: try again at the next tick
                log.warning("the scheduler could not tick", exc_info=True)
            self._stop.wait(self.every_s)

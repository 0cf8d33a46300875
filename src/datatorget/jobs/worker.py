"""Workers: threads that take jobs from the queue and run them, in `serve` or in `datatorget worker`."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

from datatorget.jobs import queue
from datatorget.jobs.cleanup import remove_leftovers
from datatorget.jobs.scheduler import Scheduler
from datatorget.jobs.tasks import TASKS, JobContext
from datatorget.store.progress import Progress
from datatorget.store.report import IngestionFailed

log = logging.getLogger(__name__)

HEARTBEAT_S = 20.0  # well within queue.STALE_AFTER
UNEXPECTED = {
    "code": "internal",
    "sv": "Ett oväntat fel inträffade. Det har loggats; försök igen eller kontakta portalens förvaltare.",
    "en": "An unexpected error occurred. It has been logged; try again or contact the portal's operators.",
}


def run_job(ctx: JobContext, job_id: uuid.UUID, kind: str, params: dict[str, object],
            on_progress: Callable[[Progress], None] | None = None) -> bool:  # fmt: skip
    """Run one claimed job to its end; True when it succeeded. Never raises: a failure is recorded.
    While it runs, a heartbeat tells other workers that it is alive, also in stages without progress."""
    alive = threading.Event()
    beating = threading.Thread(
        target=_beat, args=(ctx, job_id, alive), name=f"heartbeat-{job_id}", daemon=True
    )
    beating.start()
    try:
        return _run(ctx, job_id, kind, params, on_progress)
    finally:
        alive.set()
        beating.join()


def _beat(ctx: JobContext, job_id: uuid.UUID, done: threading.Event) -> None:
    while not done.wait(HEARTBEAT_S):
        try:
            queue.heartbeat(ctx.sessions, job_id)
        except Exception:
            log.warning("could not record that job %s is alive", job_id, exc_info=True)


def _run(ctx: JobContext, job_id: uuid.UUID, kind: str, params: dict[str, object],
         on_progress: Callable[[Progress], None] | None) -> bool:  # fmt: skip
    task = TASKS.get(kind)
    try:
        try:
            if task is None:
                raise IngestionFailed(
                    "unknown_job", sv=f"Okänd jobbtyp {kind}.", en=f"Unknown job kind {kind}."
                )
            result = task(ctx, job_id, dict(params), on_progress)
        except IngestionFailed as failure:
            report = {"report": failure.report.as_dict()} if failure.report else None
            queue.fail(ctx.sessions, job_id, failure.as_dict(), report)
            return False
        except Exception as exc:  # a job must never take its worker down
            if getattr(exc, "status", 500) < 500:
                queue.fail(ctx.sessions, job_id, {"code": "failed", "sv": str(exc), "en": str(exc)})
            else:
                log.exception("job %s (%s) failed", job_id, kind)
                queue.fail(ctx.sessions, job_id, UNEXPECTED)
            return False
        queue.finish(ctx.sessions, job_id, result)
        return True
    except Exception:  # recording the outcome failed (the database is away): the job is taken up again later
        log.exception("could not record how job %s ended", job_id)
        return False


def run_pending(ctx: JobContext) -> int:
    """Run queued jobs until none is left, in this thread; the number run. For the CLI and tests."""
    count = 0
    while (claimed := queue.claim(ctx.sessions)) is not None:
        run_job(ctx, *claimed)
        count += 1
    return count


class Workers:
    """`count` threads that poll the queue until stopped, and the scheduler that queues work when it is due."""

    def __init__(self, ctx: JobContext, count: int, *, poll_s: float = 0.5) -> None:
        self.ctx = ctx
        self.count = count
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.scheduler = Scheduler(ctx.sessions)

    def start(self) -> None:
        try:
            queue.requeue_stale(self.ctx.sessions)
            remove_leftovers(self.ctx.settings, self.ctx.sessions)
        except Exception:
            log.warning("could not look for interrupted jobs", exc_info=True)
        self.scheduler.start()
        for number in range(self.count):
            thread = threading.Thread(target=self._loop, name=f"datatorget-worker-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self.scheduler.stop(timeout_s)
        for thread in self._threads:
            thread.join(timeout_s)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                claimed = queue.claim(self.ctx.sessions)
            except Exception:
                log.warning("could not read the job queue", exc_info=True)
                claimed = None
            if claimed is None:
                self._stop.wait(self.poll_s)
                continue
            run_job(self.ctx, *claimed)  # never raises

"""The job queue: jobs are claimed once, run to an end, and taken up again when their worker died."""

from __future__ import annotations

import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset
from datatorget.db.base import utcnow
from datatorget.jobs import queue
from datatorget.jobs.models import Job
from datatorget.jobs.worker import Workers, run_pending

CSV = b"namn;antal\nA;1\nB;2\n"


def upload(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post("/api/v1/datasets/badplatser/distributions", headers=headers,
                           files={"file": ("t.csv", CSV, "text/csv")})  # fmt: skip
    job: str = response.json()["job"]
    return job


def test_a_job_is_claimed_only_once(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    upload(app_client, editor_headers)
    sessions = app_client.app.state.job_context.sessions  # type: ignore[attr-defined]
    assert queue.claim(sessions) is not None
    assert queue.claim(sessions) is None


def test_a_job_whose_worker_died_is_queued_again(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset, session: Session
) -> None:
    job_id = upload(app_client, editor_headers)
    sessions = app_client.app.state.job_context.sessions  # type: ignore[attr-defined]
    queue.claim(sessions)
    with sessions.begin() as other:
        other.execute(update(Job).values(heartbeat_at=utcnow() - timedelta(minutes=10)))
    assert queue.requeue_stale(sessions) == 1
    assert app_client.get(f"/api/v1/jobs/{job_id}").json()["status"] == "queued"


def test_a_job_that_keeps_killing_its_worker_fails_after_three_attempts(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    job_id = upload(app_client, editor_headers)
    sessions = app_client.app.state.job_context.sessions  # type: ignore[attr-defined]
    for _ in range(queue.MAX_ATTEMPTS):
        queue.claim(sessions)
        with sessions.begin() as other:
            other.execute(update(Job).values(heartbeat_at=utcnow() - timedelta(minutes=10)))
        queue.requeue_stale(sessions)
    job = app_client.get(f"/api/v1/jobs/{job_id}").json()
    assert (job["status"], job["error_code"]) == ("failed", "worker_stopped")


def test_a_failed_job_says_so_in_its_stage(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    response = app_client.post("/api/v1/datasets/badplatser/distributions", headers=editor_headers,
                               files={"file": ("bin.csv", b"\x00\x01\x02" * 100, "text/csv")})  # fmt: skip
    run_pending(app_client.app.state.job_context)  # type: ignore[attr-defined]
    job = app_client.get(f"/api/v1/jobs/{response.json()['job']}", headers=editor_headers).json()
    assert (job["status"], job["progress"]["stage"]) == ("failed", "failed")


def test_worker_threads_run_queued_jobs_in_the_background(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    job_id = upload(app_client, editor_headers)
    workers = Workers(app_client.app.state.job_context, 1, poll_s=0.05)  # type: ignore[attr-defined]
    workers.start()
    try:
        deadline = time.monotonic() + 20
        while app_client.get(f"/api/v1/jobs/{job_id}").json()["status"] != "succeeded":
            assert time.monotonic() < deadline, "the worker did not finish the job"
            time.sleep(0.05)
    finally:
        workers.stop()


def test_leftovers_of_interrupted_jobs_are_removed_when_a_day_old(
    app_client: TestClient, editor_headers: dict[str, str], badplatser: Dataset
) -> None:
    import os

    from datatorget.jobs.cleanup import remove_leftovers

    upload(app_client, editor_headers)
    run_pending(app_client.app.state.job_context)  # type: ignore[attr-defined]
    settings = app_client.app.state.settings  # type: ignore[attr-defined]
    table_folder = next(settings.tables_dir.iterdir())
    published = set(table_folder.iterdir())
    orphan = table_folder / ("0" * 64 + ".parquet")
    scratch = settings.work_dir / "ingest-dead"
    fresh = settings.work_dir / "ingest-running-elsewhere"
    for path in (orphan, scratch / "raw.csv", fresh / "raw.csv"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    day_ago = time.time() - 2 * 24 * 3600
    for path in (orphan, scratch):
        os.utime(path, (day_ago, day_ago))

    assert remove_leftovers(settings, app_client.app.state.job_context.sessions) == 2  # type: ignore[attr-defined]
    assert set(table_folder.iterdir()) == published
    assert not scratch.exists()
    assert fresh.exists()

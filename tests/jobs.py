"""Run the jobs a test queued, in the test's own thread, as a worker would."""

from __future__ import annotations

from fastapi.testclient import TestClient

from datatorget.jobs.worker import run_pending


def run_jobs(client: TestClient) -> int:
    """Run every queued job of the app behind `client` to its end; how many ran."""
    app = client.app
    return run_pending(app.state.job_context)  # type: ignore[attr-defined]

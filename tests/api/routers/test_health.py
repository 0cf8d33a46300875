"""/healthz says the process answers; /readyz says the database answers too."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from datatorget.app import create_app
from datatorget.config import Settings
from datatorget.db.engine import make_engine


def test_healthz_answers(app_client: TestClient) -> None:
    response = app_client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_answers_when_the_database_does(app_client: TestClient) -> None:
    response = app_client.get("/readyz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://datatorget@127.0.0.1:1/datatorget?connect_timeout=2",
        "sqlite:///{tmp_path}/missing-folder/datatorget.db",
    ],
    ids=["postgresql-port-closed", "sqlite-folder-missing"],
)
def test_readyz_is_unavailable_while_the_database_is_unreachable(
    settings: Settings, tmp_path: Path, url: str
) -> None:
    app = create_app(settings, engine=make_engine(url.format(tmp_path=tmp_path)), migrate=False)

    with TestClient(app) as client:
        ready = client.get("/readyz")
        healthy = client.get("/healthz")

    assert (ready.status_code, ready.json()) == (503, {"status": "unavailable", "detail": "OperationalError"})
    assert healthy.status_code == 200

"""The demo municipality in a portal of its own, with its tables read in: what dataportal.se would harvest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from datatorget.app import create_app
from datatorget.catalog import accounts
from datatorget.catalog.models import Dataset, Distribution
from datatorget.config import Settings
from datatorget.demo.load import load_demo
from datatorget.jobs.ingestion import start_missing_tables
from datatorget.jobs.worker import run_pending

BASE_URL = "http://portal.test"


@dataclass(frozen=True)
class DemoPortal:
    app: FastAPI
    settings: Settings

    def session(self) -> Session:
        session: Session = self.app.state.sessionmaker()
        return session


def demo_portal(data_dir: Path) -> DemoPortal:
    settings = Settings(
        data_dir=data_dir, base_url=BASE_URL, secret_key=SecretStr("demo-portal-secret"), job_workers=0
    )
    app = create_app(settings)
    with app.state.sessionmaker.begin() as session:
        load_demo(session, settings)
        start_missing_tables(session, accounts.system_user(session))
    run_pending(app.state.job_context)
    return DemoPortal(app, settings)


def all_datasets(session: Session) -> list[Dataset]:
    """Every dataset of the portal, published or not, with what the export reads loaded."""
    return list(
        session.scalars(
            select(Dataset)
            .options(selectinload(Dataset.distributions).selectinload(Distribution.data_table))
            .order_by(Dataset.slug)
        )
    )

"""The demo municipality in a portal of its own, with its tables read in: what dataportal.se would harvest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from datatorget.catalog.models import Dataset, Distribution
from datatorget.config import Settings
from tests.servers import demo_app

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
    return DemoPortal(demo_app(settings), settings)


def all_datasets(session: Session) -> list[Dataset]:
    """Every dataset of the portal, published or not, with what the export reads loaded."""
    return list(
        session.scalars(
            select(Dataset)
            .options(selectinload(Dataset.distributions).selectinload(Distribution.data_table))
            .order_by(Dataset.slug)
        )
    )

"""Fixtures of the catalog tests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.catalog.factories import Catalog


@pytest.fixture
def catalog(session: Session) -> Catalog:
    made = Catalog(session)
    made.organization("sjovik", "Sjöviks kommun")
    return made

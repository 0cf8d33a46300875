"""The demo portal the DCAT tests export and read back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.interop.demo_portal import DemoPortal, demo_portal


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoPortal]:
    """The demo portal with its tables read in, loaded once per module."""
    portal = demo_portal(tmp_path_factory.mktemp("demo-portal"))
    yield portal
    portal.app.state.duck.close()
    portal.app.state.engine.dispose()

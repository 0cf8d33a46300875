"""Fetching one page of a harvest source: store/fetch.py's safe fetch (http and https only, never a private
address at any redirect hop, a byte limit and one deadline per page), read into memory.

A page that cannot be fetched raises HarvestFailed with the reason in Swedish and English; the run that
asked for it fails with that reason (see interop/harvest.py).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from datatorget.config import Settings
from datatorget.store.addresses import AddressPolicy
from datatorget.store.fetch import fetch_to_file
from datatorget.store.report import IngestionFailed


class HarvestFailed(IngestionFailed):
    """A source (or one page of it) that could not be read: `code`, `sv` and `en` say why."""


@dataclass(frozen=True)
class HarvestLimits:
    """How far a harvest may go: per page, a deadline and a size; per run, a number of pages."""

    timeout_s: float
    max_bytes: int
    max_pages: int
    page_rows: int
    work_dir: Path
    allow_private: bool
    address_allowed: AddressPolicy | None = None  # replaces fetch_to_file's address check (for tests)

    @classmethod
    def from_settings(cls, settings: Settings, address_allowed: AddressPolicy | None = None) -> HarvestLimits:
        """The limits in the settings; `address_allowed` replaces the address policy (for tests)."""
        return cls(
            timeout_s=settings.harvest_timeout_s,
            max_bytes=settings.harvest_max_bytes,
            max_pages=settings.harvest_max_pages,
            page_rows=settings.harvest_page_rows,
            work_dir=settings.work_dir,
            allow_private=settings.fetch_private_addresses,
            address_allowed=address_allowed,
        )


@dataclass(frozen=True)
class Page:
    url: str
    body: bytes
    content_type: str | None


def fetch_page(url: str, limits: HarvestLimits, *, accept: str) -> Page:
    """The body of one page at `url`; HarvestFailed when it cannot be fetched within the limits."""
    limits.work_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="harvest-", dir=limits.work_dir))
    try:
        fetched = fetch_to_file(
            url,
            folder,
            max_bytes=limits.max_bytes,
            timeout_s=limits.timeout_s,
            allow_private=limits.allow_private,
            address_allowed=limits.address_allowed,
            accept=accept,
        )
        return Page(url, fetched.path.read_bytes(), fetched.content_type)
    except IngestionFailed as failure:
        raise page_failed(failure.code, url, sv=failure.sv, en=failure.en) from failure
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def page_failed(code: str, url: str, *, sv: str, en: str) -> HarvestFailed:
    """The failure of one page, its address first so that an admin knows which one (the fetch's own message
    says "file")."""
    return HarvestFailed(code, sv=f"{url[:300]}: {sv}", en=f"{url[:300]}: {en}")

"""Fetch a table from a URL into a local file: http and https only, size and time limits, and never to a
private address (the portal must not become a way into the network it runs in)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from datatorget.store.report import IngestionFailed


@dataclass(frozen=True)
class Fetched:
    path: Path
    file_name: str
    content_type: str | None
    byte_size: int


def fetch_to_file(
    url: str, folder: Path, *, max_bytes: int, timeout_s: float, allow_private: bool
) -> Fetched:
    raise IngestionFailed(
        "fetch_unavailable",
        sv="Hämtning från adress är inte klar ännu.",
        en="Fetching from a URL is not ready yet.",
    )

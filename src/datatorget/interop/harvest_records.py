"""What a harvester reads from a source: records, one per remote dataset, in the shape of our own fields.

A reader (harvest_dcat, harvest_ckan) is a generator of pages of records. It raises HarvestFailed when the
source cannot be read at all, and ReadStopped when it stopped early on purpose (the page limit, a loop of
pages): what was read until then is imported, but nothing is withdrawn after an incomplete read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from datatorget.interop.harvest_fetch import HarvestFailed, HarvestLimits, page_failed


class ReadStopped(HarvestFailed):
    """The reader stopped before the end of the source (too many pages, pages that loop)."""


class RecordFailed(HarvestFailed):
    """One record that cannot become a dataset; the others go on."""


@dataclass(frozen=True)
class Problem:
    code: str
    sv: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "sv": self.sv, "en": self.en}


@dataclass(frozen=True)
class RemoteRecord:
    """One dataset at the source. `fields` are those of a DatasetIn but for organisation, slug and state;
    `distributions` those of a DistributionLinkIn. A record that could not be read has a `problem`."""

    remote_id: str
    remote_url: str | None
    title: str  # for the run report
    fields: dict[str, Any] = field(default_factory=dict)
    distributions: list[dict[str, Any]] = field(default_factory=list)
    remote_modified: datetime | None = None
    notes: list[str] = field(default_factory=list)
    problem: Problem | None = None


Reader = Callable[[str, HarvestLimits], Iterator[list[RemoteRecord]]]


def page_limit(limits: HarvestLimits) -> ReadStopped:
    pages = limits.max_pages
    return ReadStopped(
        "page_limit",
        sv=f"Källan har fler än {pages} sidor; resten lästes inte och inget drogs tillbaka.",
        en=f"The source has more than {pages} pages; the rest was not read and nothing was withdrawn.",
    )


def unreadable(url: str, *, sv: str, en: str) -> HarvestFailed:
    return page_failed("unreadable", url, sv=sv, en=en)


def first_text(texts: dict[str, str]) -> str:
    """The Swedish text, else the English one, else any: the title shown in a run report."""
    return texts.get("sv") or texts.get("en") or next(iter(texts.values()), "")

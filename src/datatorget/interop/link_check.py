"""The link checker: asks the access and download address of every linked distribution whether it answers,
for the MQA accessibility metrics (accessUrlStatusCode, downloadUrlStatusCode).

Uploaded files are the portal's own and known to be there: they are not asked. Each address is probed with
store.fetch.probe (HEAD, or GET without reading the body; the same address rules as fetching a table), a few
at a time, outside any database transaction; the results then replace the stored ones in one go. A status
of 2xx or 3xx (after redirects) passes; an error status, or no answer, fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog.models import Distribution
from datatorget.config import Settings
from datatorget.interop.quality_models import LinkCheck, id_chunks
from datatorget.store.fetch import probe
from datatorget.store.report import IngestionFailed

PARALLEL = 4  # addresses asked at once


@dataclass(frozen=True)
class Link:
    distribution_id: uuid.UUID
    kind: str  # access | download
    url: str


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    ok: bool
    error_code: str | None


Prober = Callable[[str], Answer]
LinkKey = tuple[uuid.UUID, str]  # (distribution id, "access" | "download")


def links_to_check(session: Session) -> list[Link]:
    """The access and download addresses of every distribution that is a link rather than an upload."""
    rows = session.execute(
        select(Distribution.id, Distribution.access_url, Distribution.download_url).where(
            Distribution.file_name.is_(None)
        )
    )
    found = []
    for distribution_id, access_url, download_url in rows:
        for kind, url in (("access", access_url), ("download", download_url)):
            if url:
                found.append(Link(distribution_id, kind, url))
    return found


def http_prober(settings: Settings) -> Prober:
    """Asks an address with the settings' time limit and address rules."""

    def ask(url: str) -> Answer:
        try:
            status = probe(
                url, timeout_s=settings.link_check_timeout_s, allow_private=settings.fetch_private_addresses
            )
        except IngestionFailed as failure:
            return Answer(None, False, failure.code)
        ok = 200 <= status < 400
        return Answer(status, ok, None if ok else "http_error")

    return ask


def ask_all(links: Iterable[Link], prober: Prober) -> dict[Link, Answer]:
    """Each link's answer; an address shared by several links is asked once."""
    pending = list(links)
    urls = list(dict.fromkeys(link.url for link in pending))
    with ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="link-check") as pool:
        answers = dict(zip(urls, pool.map(prober, urls), strict=True))
    return {link: answers[link.url] for link in pending}


def stored_links(session: Session, distribution_ids: Iterable[uuid.UUID]) -> dict[LinkKey, LinkCheck]:
    """The stored results of these distributions' addresses, by distribution id and kind."""
    found: dict[LinkKey, LinkCheck] = {}
    for chunk in id_chunks(distribution_ids):
        for row in session.scalars(select(LinkCheck).where(LinkCheck.distribution_id.in_(chunk))):
            found[(row.distribution_id, row.kind)] = row
    return found


def store_answers(session: Session, answers: dict[Link, Answer], *, now: datetime) -> None:
    """Replace the stored results of these links. A distribution deleted meanwhile is skipped; one whose
    address changed meanwhile keeps the result, which names the old address and so counts as unchecked."""
    ids = list({link.distribution_id for link in answers})
    existing = {
        found
        for chunk in id_chunks(ids)
        for found in session.scalars(select(Distribution.id).where(Distribution.id.in_(chunk)))
    }
    stored = stored_links(session, ids)
    for link, answer in answers.items():
        if link.distribution_id not in existing:
            continue
        check = stored.get((link.distribution_id, link.kind))
        if check is None:
            check = LinkCheck(distribution_id=link.distribution_id, kind=link.kind)
            session.add(check)
        check.url = link.url
        check.status_code = answer.status_code
        check.ok = answer.ok
        check.error_code = answer.error_code
        check.checked_at = now
    session.flush()


def forget_removed_links(session: Session, links: Iterable[Link]) -> None:
    """Drop the results of addresses a distribution no longer has (or of files uploaded in their place)."""
    kept = {(link.distribution_id, link.kind) for link in links}
    for check in session.scalars(select(LinkCheck)):
        if (check.distribution_id, check.kind) not in kept:
            session.delete(check)
    session.flush()

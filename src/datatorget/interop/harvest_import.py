"""One harvested record into the catalog: validated as a dataset, compared by content hash, and created,
updated or left alone; and the withdrawal of a dataset that is gone from its source.

A harvested dataset is an ordinary published dataset with `origin` set, which makes it read-only for
people (catalog.datasets.require_change); its distributions are links, never files. Its record in
`harvest_record` keeps the hash of the normalised record, so a record that did not change at the source is
not written again: its dataset keeps its `modified` and gets no change in the log.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog.changes import diff, record_change
from datatorget.catalog.datasets import touch, write_harvested
from datatorget.catalog.models import Dataset, Distribution, Organization
from datatorget.catalog.schemas import DatasetIn, DistributionLinkIn
from datatorget.catalog.vocabulary import term
from datatorget.interop.harvest_models import HarvestRecord
from datatorget.interop.harvest_records import RecordFailed, RemoteRecord, first_text

REQUIRED = frozenset({"title", "description", "organization", "state"})
DISTRIBUTION_FIELDS = (
    "title",
    "description",
    "access_url",
    "download_url",
    "format",
    "media_type",
    "license",
)


@dataclass(frozen=True)
class SourceRef:
    """What the import needs of a source, read once per run."""

    id: uuid.UUID
    title: str
    organization_id: uuid.UUID
    organization_slug: str


@dataclass(frozen=True)
class Imported:
    outcome: str  # created | updated | unchanged
    dataset_slug: str


def import_record(session: Session, source: SourceRef, record: RemoteRecord, now: datetime) -> Imported:
    """Create, update or leave alone the dataset of one record; RecordFailed when it cannot be a dataset."""
    if record.problem is not None:
        raise RecordFailed(record.problem.code, sv=record.problem.sv, en=record.problem.en)
    notes = list(record.notes)
    data = dataset_in(record, source.organization_slug, notes)
    links = distributions_in(record, notes)
    content_hash = hash_of(data, links, record)
    known = session.scalar(
        select(HarvestRecord).where(
            HarvestRecord.source_id == source.id, HarvestRecord.remote_id == record.remote_id
        )
    )
    dataset = session.get(Dataset, known.dataset_id) if known is not None and known.dataset_id else None
    if dataset is not None and dataset.origin is None:  # made local since: never written over
        raise RecordFailed(
            "made_local",
            sv="Datamängden som skördades härifrån har blivit en lokal datamängd och skrivs inte över.",
            en="The dataset harvested from here has become a local dataset and is not written over.",
        )
    if (
        known is not None
        and dataset is not None
        and known.content_hash == content_hash
        and known.withdrawn_at is None
        and dataset.state == "published"
    ):
        known.last_seen_at = now
        return Imported("unchanged", dataset.slug)
    outcome = "updated" if dataset is not None else "created"
    if dataset is None:
        dataset = Dataset(id=uuid.uuid4(), organization=session.get_one(Organization, source.organization_id))
    dataset.origin = {
        "source_id": str(source.id),
        "source_title": source.title,
        "remote_id": record.remote_id,
        "remote_url": record.remote_url,
        "remote_modified": record.remote_modified.isoformat() if record.remote_modified else None,
        "harvested_at": now.isoformat(),
    }
    if dataset.organization_id not in (None, source.organization_id):
        dataset.organization = session.get_one(Organization, source.organization_id)
    write_harvested(session, dataset, data, summary=f"harvested from {source.title}"[:200])
    _sync_distributions(session, dataset, links, now)
    if known is None:
        known = HarvestRecord(
            id=uuid.uuid4(), source_id=source.id, remote_id=record.remote_id, first_seen_at=now
        )
        session.add(known)
    known.dataset_id = dataset.id
    known.content_hash = content_hash
    known.last_seen_at = now
    known.withdrawn_at = None
    known.note = "\n".join(notes)[:10_000] or None
    session.flush()
    return Imported(outcome, dataset.slug)


def dataset_in(record: RemoteRecord, organization: str, notes: list[str]) -> DatasetIn:
    """The record's fields as a valid DatasetIn. A record without a title fails; one without a Swedish title
    or a description borrows one (with a note); an invalid optional field is left out (with a note)."""
    values = dict(record.fields)
    title: dict[str, str] = {lang: text for lang, text in dict(values.get("title") or {}).items() if text}
    if not title:
        raise RecordFailed("no_title", sv="Posten saknar titel.", en="The record has no title.")
    if "sv" not in title:
        title["sv"] = next(iter(title.values()))
        notes.append("no Swedish title: the title in another language stands in")
    description = {lang: text for lang, text in dict(values.get("description") or {}).items() if text}
    if "sv" not in description:
        description["sv"] = next(iter(description.values()), title["sv"])
        notes.append("no Swedish description: another language or the title stands in")
    values |= {"title": title, "description": description, "organization": organization, "state": "published"}
    for _attempt in range(3):
        try:
            return DatasetIn.model_validate(values)
        except ValidationError as exc:
            wrong = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
            if wrong & REQUIRED or not wrong:
                raise RecordFailed(
                    "invalid",
                    sv=f"Posten är inte en giltig datamängd: {_messages(exc)}",
                    en=f"The record is not a valid dataset: {_messages(exc)}",
                ) from None
            for name in sorted(wrong):
                notes.append(f"{name} left out: {values.pop(name, None)!r:.200} is not valid")
    raise RecordFailed(
        "invalid", sv="Posten är inte en giltig datamängd.", en="The record is not a valid dataset."
    )


def distributions_in(record: RemoteRecord, notes: list[str]) -> list[DistributionLinkIn]:
    """The record's distributions as valid links; an invalid optional field is left out, and a distribution
    without a valid address is left out whole (with a note)."""
    links: list[DistributionLinkIn] = []
    for found in record.distributions:
        values = {name: value for name, value in found.items() if value not in (None, {}, "")}
        for _attempt in range(3):
            try:
                links.append(DistributionLinkIn.model_validate(values))
                break
            except ValidationError as exc:
                wrong = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
                if "access_url" in wrong or not wrong:
                    notes.append(f"distribution {found.get('access_url')!r:.200} left out: {_messages(exc)}")
                    break
                for name in sorted(wrong):
                    notes.append(f"{name} of a distribution left out: {values.pop(name, None)!r:.200}")
    return links


def hash_of(data: DatasetIn, links: list[DistributionLinkIn], record: RemoteRecord) -> str:
    """The hash of the normalised record: what would be written, and where it came from."""
    normal = {
        "dataset": data.model_dump(mode="json"),
        "distributions": [link.model_dump(mode="json") for link in links],
        "remote_url": record.remote_url,
    }
    return hashlib.sha256(json.dumps(normal, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def withdraw(
    session: Session, record_id: uuid.UUID, now: datetime, source_title: str
) -> tuple[str, str] | None:
    """Withdraw the dataset of a record no longer at its source: it becomes private (and stays read-only);
    it is published again if it comes back. The dataset's slug and title, or None when it had none left."""
    known = session.get(HarvestRecord, record_id)
    if known is None or known.withdrawn_at is not None:
        return None
    known.withdrawn_at = now
    dataset = session.get(Dataset, known.dataset_id) if known.dataset_id else None
    if dataset is None or dataset.origin is None:
        return None
    if dataset.state != "private":
        before = dataset.state
        dataset.state = "private"
        touch(dataset)
        record_change(session, None, "dataset", dataset.id, "update", {"state": [before, "private"]},
                      dataset_id=dataset.id, summary=f"withdrawn: gone from {source_title}"[:200])  # fmt: skip
    return dataset.slug, first_text(dataset.title)


def _sync_distributions(
    session: Session, dataset: Dataset, links: list[DistributionLinkIn], now: datetime
) -> None:
    """The dataset's distributions become the links, in order: changed in place, added, or removed."""
    current = list(dataset.distributions)
    for position, link in enumerate(links, start=1):
        values = link.model_dump()
        if values["format"] and not values["media_type"]:
            values["media_type"] = term("file_types", values["format"]).media_type
        if position <= len(current):
            distribution = current[position - 1]
            before = {name: getattr(distribution, name) for name in DISTRIBUTION_FIELDS}
            if diff(before, values):
                for name, value in values.items():
                    setattr(distribution, name, value)
                distribution.modified = now
        else:
            dataset.distributions.append(
                Distribution(id=uuid.uuid4(), position=position, issued=now, modified=now, **values)
            )
    for extra in current[len(links) :]:
        dataset.distributions.remove(extra)
    session.flush()


def _messages(exc: ValidationError) -> str:
    parts = [
        f"{'.'.join(str(part) for part in error['loc'] if '[' not in str(part))}: {error['msg']}"
        for error in exc.errors()
    ]
    return "; ".join(parts)[:500]

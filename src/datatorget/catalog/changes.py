"""The change log: who changed what in the catalog, and when."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from datatorget.catalog.models import CatalogGeneration, Change, User

SYSTEM_ACTOR = "system"


def record_change(
    session: Session,
    by: User | None,
    entity_type: str,
    entity_id: uuid.UUID,
    action: str,
    fields: dict[str, list[Any]],
    *,
    dataset_id: uuid.UUID | None = None,
    summary: str = "",
) -> None:
    """Record one change. `fields` maps each changed field to [before, after], JSON-ready.

    Also draws a new catalog generation, in the same transaction (see `CatalogGeneration`)."""
    session.add(
        Change(
            user_id=by.id if by else None,
            actor=by.email if by else SYSTEM_ACTOR,
            entity_type=entity_type,
            entity_id=entity_id,
            dataset_id=dataset_id,
            action=action,
            fields=fields,
            summary=summary,
        )
    )
    session.execute(update(CatalogGeneration).values(value=new_generation()))


def new_generation() -> int:
    return secrets.randbits(62)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value differs, as {field: [before, after]}; a field missing on one side is None there."""
    keys = list(before) + [key for key in after if key not in before]
    return {key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)}


def dataset_history(
    session: Session, dataset_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[int, list[Change]]:
    where = Change.dataset_id == dataset_id
    total = session.scalar(select(func.count()).select_from(Change).where(where)) or 0
    rows = session.scalars(
        select(Change).where(where).order_by(Change.at.desc(), Change.id.desc()).limit(limit).offset(offset)
    )
    return total, list(rows)

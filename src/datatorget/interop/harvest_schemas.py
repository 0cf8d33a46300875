"""Request and response models of harvesting: the sources an admin manages and the reports of their runs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from datatorget.catalog.schemas import OrganizationRef, Slug, Strict, Url

SourceKind = Literal["dcat", "ckan", "datatorget"]
RunStatus = Literal["queued", "running", "succeeded", "partial", "failed"]
RecordOutcome = Literal["created", "updated", "unchanged", "withdrawn", "failed"]
SourceTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
IntervalHours = Annotated[
    int,
    Field(ge=0, le=24 * 366, description="Hours between scheduled runs; 0: the source is only run by hand."),
]
KIND_DESCRIPTION = (
    "`dcat`: a DCAT-AP catalog (RDF/XML, Turtle or JSON-LD, Hydra paging); `ckan`: a CKAN site (its "
    "`package_search`); `datatorget`: another Datatorget (its DCAT-AP-SE catalog)."
)


class HarvestSourceIn(Strict):
    title: SourceTitle
    url: Url = Field(description="The catalog's address; for CKAN and Datatorget, the site's address.")
    kind: SourceKind = Field(description=KIND_DESCRIPTION)
    organization: Slug = Field(description="The local organisation that publishes what is harvested.")
    interval_hours: IntervalHours = 24
    enabled: bool = True


class HarvestSourcePatch(Strict):
    """A partial update: only the fields given change."""

    title: SourceTitle | None = None
    url: Url | None = None
    kind: SourceKind | None = Field(None, description=KIND_DESCRIPTION)
    organization: Slug | None = None
    interval_hours: IntervalHours | None = None
    enabled: bool | None = None


class RunReason(BaseModel):
    """Why a run or a record failed, for people: a code, and the reason in Swedish and English."""

    code: str
    sv: str
    en: str


class RunRecordOut(BaseModel):
    """A record that did not come out unchanged; `dataset` is the slug of its local dataset, if any."""

    remote_id: str
    title: str
    outcome: RecordOutcome
    dataset: str | None = None
    reason: RunReason | None = None


class RunCounts(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    failed: int = 0


class RunSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    status: RunStatus
    trigger: str
    created_at: datetime
    finished_at: datetime | None
    counts: RunCounts
    error: RunReason | None = None


class HarvestRunOut(BaseModel):
    """One run: when, how it ended (`error` says why it failed), the counts, and each record that did not
    come out unchanged (up to 1000; the counts are exact)."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    source_id: uuid.UUID
    status: RunStatus
    trigger: Literal["manual", "schedule"]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    counts: RunCounts
    error: RunReason | None
    records: list[RunRecordOut]


class HarvestSourceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    title: str
    url: str
    kind: SourceKind
    organization: OrganizationRef
    interval_hours: int
    enabled: bool
    next_run_at: datetime | None
    created_at: datetime
    modified: datetime
    dataset_count: int = Field(0, description="Datasets harvested from the source and not withdrawn.")
    last_run: RunSummary | None = None

"""/api/v1/reports: anyone reports what people wrote (requests and their timelines, discussions and their
messages, reuses); staff decide in the moderation queue."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from datatorget.deps import ApiViewer, ApiWrite, SessionDep
from datatorget.dialogue import moderation
from datatorget.dialogue.present import report_out
from datatorget.dialogue.schemas import DecisionIn, ReportIn, ReportOut, ReportReceipt

router = APIRouter(prefix="/reports", tags=["moderation"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[ApiWrite],
    summary="Report something people wrote (a request, an entry, a discussion, a message, a reuse) to the moderators",
)
def report(data: ReportIn, session: SessionDep, viewer: ApiViewer) -> ReportReceipt:
    created = moderation.report(session, data, viewer)
    return ReportReceipt(
        id=created.id,
        target_kind=data.target_kind,
        target_id=created.target_id,
        created_at=created.created_at,
    )


@router.get("", summary="The moderation queue: open reports (staff: their organisation's; admins: all)")
def open_reports(session: SessionDep, viewer: ApiViewer) -> list[ReportOut]:
    return [report_out(queued) for queued in moderation.open_reports(session, viewer)]


@router.post(
    "/{report_id}/decision", summary="Decide a report: hide what was reported (with a reason) or keep it"
)
def decide(report_id: uuid.UUID, data: DecisionIn, session: SessionDep, viewer: ApiViewer) -> ReportOut:
    return report_out(moderation.decide(session, report_id, data.outcome, data.reason, viewer))

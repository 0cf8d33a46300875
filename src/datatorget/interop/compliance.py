"""DCAT-AP compliance, the dcatApCompliance metric: a dataset's own DCAT-AP-SE export (interop.dcat_export)
validated with pyshacl against the DCAT-AP 3.0.1 shapes shipped in `interop/shapes/dcat-ap-3.0.1/`.

Validation takes tens of milliseconds per dataset and more on large ones, so it runs in the scheduled quality
check, not per request; the result is stored with the state of the dataset it was computed for (its latest
change and its number of distributions), and a later change makes it stale until the next check.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from importlib import resources

from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import SH
from sqlalchemy import select
from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset
from datatorget.interop.dcat_export import dataset_graph
from datatorget.interop.quality_models import ComplianceCheck, id_chunks

SHAPE_FILES = (
    "dcat-ap-SHACL.ttl",
    "ranges.ttl",
    "html-shapes.ttl",
    "html-range.ttl",
    "html-mdr-vocabularies.shape.ttl",
    "html-deprecateduris.ttl",
)
MAX_VIOLATIONS = 50  # kept per dataset


@cache
def dcat_ap_shapes() -> Graph:
    """The DCAT-AP 3.0.1 shapes, read once."""
    folder = resources.files("datatorget.interop") / "shapes" / "dcat-ap-3.0.1"
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(data=(folder / name).read_text(encoding="utf-8"), format="turtle")
    # ranges.ttl names five property shapes that no file defines (an upstream slip): pyshacl refuses a shape
    # that is referenced but not defined, so the references are dropped.
    for shape, prop in list(graph.subject_objects(SH.property)):
        if (prop, None, None) not in graph:
            graph.remove((shape, SH.property, prop))
    return graph


def validate_dataset(dataset: Dataset, *, base_url: str) -> list[dict[str, str]]:
    """The DCAT-AP violations of the dataset's export (warnings do not count), each with its focus node,
    path and message; an empty list when it conforms."""
    data = dataset_graph(dataset, base_url=base_url)
    _conforms, report, _text = validate(
        data, shacl_graph=dcat_ap_shapes(), inference="none", allow_warnings=True
    )
    assert isinstance(report, Graph)
    found = []
    for result in report.objects(None, SH.result):
        if report.value(result, SH.resultSeverity) == SH.Violation:
            found.append(
                {
                    "focus": str(report.value(result, SH.focusNode) or ""),
                    "path": str(report.value(result, SH.resultPath) or ""),
                    "message": str(report.value(result, SH.resultMessage) or ""),
                }
            )
    return sorted(found, key=lambda v: (v["focus"], v["path"], v["message"]))


def last_change(dataset: Dataset) -> datetime:
    """The latest change of the dataset, its distributions and its organisation: what its export reads."""
    return max(
        [dataset.modified, dataset.organization.modified, *(d.modified for d in dataset.distributions)]
    )


def is_current(check: ComplianceCheck, dataset: Dataset) -> bool:
    """Whether a stored result still describes the dataset as it is."""
    return check.dataset_modified == last_change(dataset) and check.distribution_count == len(
        dataset.distributions
    )


def stored_checks(session: Session, dataset_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, ComplianceCheck]:
    """The stored results of these datasets, by dataset id (none for a dataset never validated)."""
    found: dict[uuid.UUID, ComplianceCheck] = {}
    for chunk in id_chunks(dataset_ids):
        found.update(
            (row.dataset_id, row)
            for row in session.scalars(select(ComplianceCheck).where(ComplianceCheck.dataset_id.in_(chunk)))
        )
    return found


def check_compliance(session: Session, dataset: Dataset, *, base_url: str, now: datetime) -> ComplianceCheck:
    """Validate the dataset now and store the result in place of the last one."""
    violations = validate_dataset(dataset, base_url=base_url)
    check = session.get(ComplianceCheck, dataset.id)
    if check is None:
        check = ComplianceCheck(dataset_id=dataset.id)
        session.add(check)
    check.dataset_modified = last_change(dataset)
    check.distribution_count = len(dataset.distributions)
    check.conforms = not violations
    check.violations = violations[:MAX_VIOLATIONS]
    check.checked_at = now
    session.flush()
    return check


def check_stale(session: Session, datasets: Iterable[Dataset], *, base_url: str, now: datetime) -> int:
    """Validate the datasets that were never validated or changed since; the number validated."""
    pending = list(datasets)
    stored = stored_checks(session, (d.id for d in pending))
    checked = 0
    for dataset in pending:
        found = stored.get(dataset.id)
        if found is None or not is_current(found, dataset):
            check_compliance(session, dataset, base_url=base_url, now=now)
            checked += 1
    return checked

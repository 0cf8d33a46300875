"""The MQA metrics measured on a dataset as its DCAT-AP-SE export (interop.dcat_export) describes it.

Pure: a dataset (with its organisation, distributions and their tables loaded) and the stored results of
the link checker and the compliance check in, one `Measurement` per metric out. Each metric is measured on
the catalog rows by the same rules the export follows, so that it says what a harvester would see:

- format and media type: the export's file type (the format code, else the file type of the media type, else
  of the file name or address) and media type (the distribution's, else its file type's);
- uploaded files have download and access addresses (their address on the portal) and are known to be
  there, so the link checker does not ask for them;
- every dataset has a publisher (its organisation); every distribution has dct:issued and dct:modified;
- the contact point is the dataset's, or its organisation's when it has none with an email address;
- the export writes no dct:rights, so rightsAvailability always fails (see docs/interop/README.md).

Distribution metrics give the share of distributions that pass (see quality_methodology).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from datatorget.catalog.models import Dataset, Distribution
from datatorget.catalog.vocabulary import (
    Term,
    file_type_for_filename,
    file_type_for_media_type,
    term,
    vocabulary,
)
from datatorget.interop.compliance import is_current
from datatorget.interop.link_check import LinkKey
from datatorget.interop.quality_methodology import Methodology
from datatorget.interop.quality_models import ComplianceCheck, LinkCheck


@dataclass(frozen=True)
class Evidence:
    """What the scheduled checks found for one dataset."""

    links: Mapping[LinkKey, LinkCheck]
    compliance: ComplianceCheck | None


@dataclass(frozen=True)
class Measurement:
    metric: str
    share: float | None  # 0..1: the share that passes (1 or 0 for a dataset metric); None: not yet measured
    failing: tuple[str, ...] = ()  # names of the distributions (or addresses) that fail, for the advice


def measure(dataset: Dataset, evidence: Evidence, method: Methodology) -> dict[str, Measurement]:
    """Every metric of the methodology, measured on the dataset."""
    found: dict[str, Measurement] = {}
    for spec in method.metrics:
        if spec.level == "dataset":
            found[spec.metric] = _DATASET[spec.metric](dataset, evidence)
        else:
            found[spec.metric] = _distributions(spec.metric, dataset, evidence, method)
    return found


# --- dataset metrics --------------------------------------------------------------------------------------


def _flag(metric: str, ok: bool) -> Measurement:
    return Measurement(metric, 1.0 if ok else 0.0)


def has_contact_point(dataset: Dataset) -> bool:
    """Whether the export writes a contact point: the dataset's email, or its organisation's."""
    own = (dataset.contact_point or {}).get("email")
    return bool(own or dataset.organization.contact_email)


def _compliance(dataset: Dataset, evidence: Evidence) -> Measurement:
    check = evidence.compliance
    if check is None or not is_current(check, dataset):
        return Measurement("dcatApCompliance", None)
    if check.conforms:
        return _flag("dcatApCompliance", True)
    messages = dict.fromkeys(f"{v['path'].rsplit('/', 1)[-1]}: {v['message']}" for v in check.violations)
    return Measurement("dcatApCompliance", 0.0, tuple(messages))


_DATASET: dict[str, Callable[[Dataset, Evidence], Measurement]] = {
    "keywordAvailability": lambda d, _e: _flag("keywordAvailability", any(d.keywords.values())),
    "categoryAvailability": lambda d, _e: _flag("categoryAvailability", bool(d.themes)),
    "spatialAvailability": lambda d, _e: _flag("spatialAvailability", bool(d.spatial)),
    "temporalAvailability": lambda d, _e: _flag(
        "temporalAvailability", d.temporal_start is not None or d.temporal_end is not None
    ),
    "dcatApCompliance": _compliance,
    "accessRightsAvailability": lambda d, _e: _flag("accessRightsAvailability", bool(d.access_rights)),
    "accessRightsVocabularyAlignment": lambda d, _e: _flag(
        "accessRightsVocabularyAlignment",
        bool(d.access_rights) and d.access_rights in vocabulary("access_rights"),
    ),
    "contactPointAvailability": lambda d, _e: _flag("contactPointAvailability", has_contact_point(d)),
    "publisherAvailability": lambda d, _e: _flag("publisherAvailability", True),
}


# --- distribution metrics ---------------------------------------------------------------------------------


def file_type(distribution: Distribution) -> Term | None:
    """The file type the export gives the distribution (dct:format)."""
    if distribution.format:
        try:
            return term("file_types", distribution.format)
        except KeyError:
            return None
    if distribution.media_type and (found := file_type_for_media_type(distribution.media_type)):
        return found
    name = distribution.file_name or distribution.download_url or distribution.access_url
    return file_type_for_filename(name) if name else None


def media_type(distribution: Distribution) -> str | None:
    """The media type the export gives the distribution (dcat:mediaType), without parameters."""
    kind = file_type(distribution)
    found = distribution.media_type or (kind.media_type if kind else None)
    return found.split(";", 1)[0].strip().lower() if found else None


def licence(dataset: Dataset, distribution: Distribution) -> str | None:
    return distribution.license or dataset.license


def distribution_name(distribution: Distribution) -> str:
    title = distribution.title.get("sv") or distribution.title.get("en") or ""
    return title or distribution.file_name or distribution.download_url or distribution.access_url or "?"


def _link_state(distribution: Distribution, kind: str, url: str | None, evidence: Evidence) -> bool | None:
    """Whether the address answered 2xx or 3xx at the last check; None when it has not been checked."""
    if distribution.file_name:
        return True  # our own upload: known to be there
    if not url:
        return False
    check = evidence.links.get((distribution.id, kind))
    if check is None or check.url != url:
        return None
    return check.ok


def _distributions(metric: str, dataset: Dataset, evidence: Evidence, method: Methodology) -> Measurement:
    distributions = list(dataset.distributions)
    if metric == "downloadUrlStatusCode":  # counted over the distributions that have a download address
        distributions = [d for d in distributions if d.file_name or d.download_url]
    if not distributions:
        return Measurement(metric, 0.0)
    states = [(d, _passes(metric, dataset, d, evidence, method)) for d in distributions]
    if any(state is None for _d, state in states):
        return Measurement(metric, None)
    failing = tuple(_failing_name(metric, d) for d, state in states if not state)
    return Measurement(metric, (len(states) - len(failing)) / len(states), failing)


def _failing_name(metric: str, distribution: Distribution) -> str:
    name = distribution_name(distribution)
    if metric == "accessUrlStatusCode" and distribution.access_url:
        return f"{name} ({distribution.access_url})"
    if metric == "downloadUrlStatusCode" and distribution.download_url:
        return f"{name} ({distribution.download_url})"
    return name


def _passes(
    metric: str, dataset: Dataset, distribution: Distribution, evidence: Evidence, method: Methodology
) -> bool | None:
    kind = file_type(distribution)
    match metric:
        case "accessUrlStatusCode":
            return _link_state(distribution, "access", distribution.access_url, evidence)
        case "downloadUrlAvailability":
            return bool(distribution.file_name or distribution.download_url)
        case "downloadUrlStatusCode":
            return _link_state(distribution, "download", distribution.download_url, evidence)
        case "formatAvailability":
            return kind is not None
        case "mediaTypeAvailability":
            return media_type(distribution) is not None
        case "formatMediaTypeVocabularyAlignment":
            found = media_type(distribution)
            return (
                kind is not None
                and found is not None
                and file_type_for_media_type(found) is not None
                and found not in method.media_types_outside_iana
            )
        case "formatMediaTypeNonProprietary":
            return _file_type_in(distribution, kind, method.non_proprietary)
        case "formatMediaTypeMachineInterpretable":
            return _file_type_in(distribution, kind, method.machine_readable)
        case "licenceAvailability":
            return licence(dataset, distribution) is not None
        case "knownLicence":
            code = licence(dataset, distribution)
            return code is not None and code in vocabulary("licenses")
        case "rightsAvailability":
            return False  # the export writes no dct:rights
        case "byteSizeAvailability":
            return distribution.byte_size is not None
        case "dateIssuedAvailability" | "dateModifiedAvailability":
            return True  # always written
    raise ValueError(f"no measurement for the metric {metric!r}")


def _file_type_in(distribution: Distribution, kind: Term | None, codes: frozenset[str]) -> bool:
    """Whether the format or the media type is one of `codes` (file-type codes)."""
    found = media_type(distribution)
    by_media_type = file_type_for_media_type(found) if found else None
    return any(t is not None and t.code in codes for t in (kind, by_media_type))

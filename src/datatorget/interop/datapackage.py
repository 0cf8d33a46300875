"""A dataset as a Frictionless Data Package (`datapackage.json`): one resource per distribution.

A distribution read in as a table is given as the table's CSV download (`/api/v1/tables/{id}/rows.csv`)
with the Table Schema of its current version, written as that CSV writes its values: ISO dates, a decimal
point, no grouping. Any other distribution is given as its file or link, with its format, size and hash.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from datatorget.catalog.models import Dataset, Distribution
from datatorget.catalog.present import dataset_uri, file_url, has_version
from datatorget.catalog.vocabulary import vocabulary
from datatorget.interop.ckan_packages import tag_names, text_in
from datatorget.store.versions import find_version

# Our licence codes as the SPDX identifiers Data Packages name licences by
SPDX_LICENSES = {
    "CC0": "CC0-1.0", "CC_BY_4_0": "CC-BY-4.0", "CC_BYSA_4_0": "CC-BY-SA-4.0", "CC_BYND_4_0": "CC-BY-ND-4.0",
    "CC_BYNC_4_0": "CC-BY-NC-4.0", "CC_BYNCSA_4_0": "CC-BY-NC-SA-4.0", "CC_BYNCND_4_0": "CC-BY-NC-ND-4.0",
    "ODC_PDDL": "PDDL-1.0", "ODC_BY": "ODC-By-1.0", "ODC_BL": "ODbL-1.0",
}  # fmt: skip
# Field properties that describe how the uploaded file wrote a value, not how the CSV download writes it
SOURCE_PROPERTIES = ("decimalChar", "groupChar", "bareNumber", "format", "trueValues", "falseValues")


def data_package(session: Session, dataset: Dataset, *, base_url: str) -> dict[str, Any]:
    """The Data Package descriptor of a dataset (the caller has checked that the viewer may see it)."""
    package: dict[str, Any] = {
        "name": dataset.slug,
        "id": dataset_uri(base_url, dataset),
        "title": text_in(dataset.title),
        "description": text_in(dataset.description),
        "homepage": dataset.landing_page or dataset_uri(base_url, dataset),
        "keywords": tag_names(dataset),
        "contributors": [{"title": dataset.organization.name, "roles": ["publisher"]}],
        "licenses": _licenses(dataset.license),
    }
    if dataset.organization.homepage:
        package["contributors"][0]["path"] = dataset.organization.homepage
    if dataset.issued is not None:
        package["created"] = _time(dataset.issued)
    taken: set[str] = set()
    package["resources"] = [
        resource
        for distribution in dataset.distributions
        if (resource := _resource(session, distribution, base_url=base_url, taken=taken)) is not None
    ]
    return package


def _licenses(code: str | None) -> list[dict[str, str]]:
    term = vocabulary("licenses").get(code) if code else None
    if term is None:
        return []
    found = {"name": SPDX_LICENSES.get(term.code, term.code), "title": term.label_in("en")}
    if term.url:
        found["path"] = term.url
    return [found]


def _resource(
    session: Session, distribution: Distribution, *, base_url: str, taken: set[str]
) -> dict[str, Any] | None:
    uploaded = file_url(base_url, distribution) if distribution.file_name else None
    source = uploaded or distribution.download_url or distribution.access_url
    title = text_in(distribution.title) or distribution.file_name or ""
    described: dict[str, Any] = {"title": title} if title else {}
    if text_in(distribution.description):
        described["description"] = text_in(distribution.description)
    table = distribution.data_table
    if table is not None and has_version(distribution):
        version = find_version(session, table)
        resource = {
            "name": _free_name(table.sql_name, taken),
            "path": f"{base_url}/api/v1/tables/{distribution.id}/rows.csv",
            **described,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": csv_schema(version.table_schema),
        }
        if source:
            resource["sources"] = [{"title": distribution.file_name or title or source, "path": source}]
        return resource
    if not source:
        return None
    resource = {
        "name": _free_name(_name_of(distribution.file_name or title or "resource"), taken),
        "path": source,
    }
    resource |= described
    if distribution.format:
        resource["format"] = distribution.format.lower()
    if distribution.media_type:
        resource["mediatype"] = distribution.media_type
    if distribution.byte_size is not None:
        resource["bytes"] = distribution.byte_size
    if distribution.checksum_sha256:
        resource["hash"] = f"sha256:{distribution.checksum_sha256}"
    return resource


def csv_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The Table Schema of a version as its CSV download writes the values."""
    fields = [
        {key: value for key, value in field.items() if key not in SOURCE_PROPERTIES}
        for field in schema["fields"]
    ]
    return {**schema, "fields": fields, "missingValues": [""]}


def _name_of(text: str) -> str:
    """A resource name as Data Packages allow: lower case letters, digits, -, _ and ."""
    folded = text.lower().translate(str.maketrans("åäöéü", "aaoeu"))
    return re.sub(r"[^a-z0-9._-]+", "-", folded).strip("-.") or "resource"


def _free_name(name: str, taken: set[str]) -> str:
    candidate, counter = name, 1
    while candidate in taken:
        counter += 1
        candidate = f"{name}-{counter}"
    taken.add(candidate)
    return candidate


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")

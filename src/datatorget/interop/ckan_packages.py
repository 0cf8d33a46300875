"""Catalog rows as the dicts CKAN's Action API returns: dataset → package, distribution → resource,
organisation → organization, theme → group, keyword → tag.

Texts are given in Swedish (English when there is no Swedish), with both languages in `title_translated`
and `notes_translated` as ckanext-fluent gives them. Times are CKAN's: UTC without a zone.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from datatorget.catalog.models import Dataset, Distribution, Organization
from datatorget.catalog.present import dataset_uri, file_url, has_version
from datatorget.catalog.vocabulary import VocabularyName, vocabulary

# Our licence codes and CKAN's licence ids (CKAN's default list where it has the licence).
CKAN_LICENSES = {
    "CC0": "cc-zero", "CC_BY_4_0": "cc-by", "CC_BYSA_4_0": "cc-by-sa", "CC_BYNC_4_0": "cc-nc",
    "CC_BYND_4_0": "cc-by-nd-4.0", "CC_BYNCSA_4_0": "cc-by-nc-sa-4.0", "CC_BYNCND_4_0": "cc-by-nc-nd-4.0",
    "ODC_PDDL": "odc-pddl", "ODC_BY": "odc-by", "ODC_BL": "odc-odbl",
}  # fmt: skip
OPEN_LICENSES = frozenset({"CC0", "CC_BY_4_0", "CC_BYSA_4_0", "ODC_PDDL", "ODC_BY", "ODC_BL"})


def ckan_time(moment: datetime | None) -> str | None:
    """A time as CKAN writes it: UTC, ISO 8601 without a zone, with microseconds."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def text_in(texts: dict[str, str] | None) -> str:
    """The Swedish text, else the English one, else any."""
    texts = texts or {}
    return texts.get("sv") or texts.get("en") or next(iter(texts.values()), "")


def license_id(code: str | None) -> str:
    return CKAN_LICENSES.get(code, code) if code else "notspecified"


def license_codes(ckan_id: str) -> list[str]:
    """Our licence codes a CKAN licence id (or one of our codes) names, ignoring case."""
    wanted = ckan_id.casefold()
    return [code for code, known in CKAN_LICENSES.items() if wanted in (known.casefold(), code.casefold())]


def _label(name: VocabularyName, code: str | None, lang: str = "en") -> str | None:
    if code is None:
        return None
    term = vocabulary(name).get(code)
    return term.label_in(lang) if term else code


def _uri(name: VocabularyName, code: str | None) -> str | None:
    term = vocabulary(name).get(code) if code else None
    return term.uri if term else code


def _license_url(code: str | None) -> str | None:
    term = vocabulary("licenses").get(code) if code else None
    return term.url if term else None


def organization_dict(organization: Organization, *, package_count: int | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": str(organization.id),
        "name": organization.slug,
        "title": organization.name,
        "display_name": organization.name,
        "type": "organization",
        "description": "",
        "image_url": "",
        "image_display_url": "",
        "created": ckan_time(organization.created_at),
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
    }
    if package_count is not None:
        found["package_count"] = package_count
    return found


def group_name(code: str) -> str:
    """A theme's group name: its code in lower case (CKAN names are lower case)."""
    return code.lower()


def group_dict(code: str, *, package_count: int | None = None) -> dict[str, Any]:
    """A theme as a CKAN group."""
    term = vocabulary("themes").get(code)
    label = dict(term.label) if term else {"sv": code, "en": code}
    found: dict[str, Any] = {
        "id": group_name(code),
        "name": group_name(code),
        "title": text_in(label),
        "display_name": text_in(label),
        "title_translated": label,
        "description": "",
        "image_display_url": "",
        "type": "group",
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
        "uri": term.uri if term else None,
    }
    if package_count is not None:
        found["package_count"] = package_count
    return found


def tag_names(dataset: Dataset) -> list[str]:
    """The dataset's keywords in every language, Swedish first, each once."""
    languages = sorted(dataset.keywords, key=lambda lang: (lang != "sv", lang != "en", lang))
    return list(dict.fromkeys(word for lang in languages for word in dataset.keywords[lang]))


def tag_dict(name: str) -> dict[str, Any]:
    return {"id": name, "name": name, "display_name": name, "state": "active", "vocabulary_id": None}


def resource_dict(distribution: Distribution, *, base_url: str, position: int) -> dict[str, Any]:
    uploaded = file_url(base_url, distribution) if distribution.file_name else None
    return {
        "id": str(distribution.id),
        "package_id": str(distribution.dataset_id),
        "name": text_in(distribution.title) or distribution.file_name or "",
        "description": text_in(distribution.description),
        "format": distribution.format or "",
        "url": uploaded or distribution.download_url or distribution.access_url or "",
        "url_type": "upload" if uploaded else None,
        "resource_type": "file.upload" if uploaded else "file",
        "mimetype": distribution.media_type,
        "mimetype_inner": None,
        "size": distribution.byte_size,
        "hash": distribution.checksum_sha256 or "",
        "created": ckan_time(distribution.issued),
        "last_modified": ckan_time(distribution.modified),
        "metadata_modified": ckan_time(distribution.modified),
        "position": position,
        "state": "active",
        "datastore_active": has_version(distribution),
        "cache_url": None,
        "cache_last_updated": None,
        "license_id": license_id(distribution.license) if distribution.license else None,
    }


def package_dict(dataset: Dataset, *, base_url: str) -> dict[str, Any]:
    """A dataset as CKAN's `package_show` gives it."""
    contact = dataset.contact_point or {}
    tags = tag_names(dataset)
    resources = [resource_dict(d, base_url=base_url, position=i) for i, d in enumerate(dataset.distributions)]
    return {
        "id": str(dataset.id),
        "name": dataset.slug,
        "title": text_in(dataset.title),
        "title_translated": dict(dataset.title),
        "notes": text_in(dataset.description),
        "notes_translated": dict(dataset.description),
        "type": "dataset",
        "state": "draft" if dataset.state == "draft" else "active",
        "private": dataset.state != "published",
        "license_id": license_id(dataset.license),
        "license_title": _label("licenses", dataset.license) or "License not specified",
        "license_url": _license_url(dataset.license),
        "isopen": dataset.license in OPEN_LICENSES,
        "url": dataset.landing_page or "",
        "version": None,
        "author": dataset.organization.name,
        "author_email": dataset.organization.contact_email,
        "maintainer": contact.get("name"),
        "maintainer_email": contact.get("email"),
        "metadata_created": ckan_time(dataset.created_at),
        "metadata_modified": ckan_time(dataset.modified),
        "creator_user_id": None,
        "owner_org": str(dataset.organization_id),
        "organization": organization_dict(dataset.organization),
        "groups": [group_dict(code) for code in dataset.themes],
        "tags": [tag_dict(name) for name in tags],
        "num_tags": len(tags),
        "resources": resources,
        "num_resources": len(resources),
        "extras": _extras(dataset, base_url=base_url),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def _extras(dataset: Dataset, *, base_url: str) -> list[dict[str, str]]:
    """DCAT-AP-SE fields CKAN has no place for, named as ckanext-dcat names them; lists as JSON text."""
    values: dict[str, Any] = {
        "uri": dataset_uri(base_url, dataset),
        "identifier": str(dataset.id),
        "issued": ckan_time(dataset.issued),
        "modified": ckan_time(dataset.modified),
        "frequency": _uri("frequencies", dataset.frequency),
        "access_rights": _uri("access_rights", dataset.access_rights),
        "theme": [_uri("themes", code) for code in dataset.themes],
        "spatial_uri": dataset.spatial,
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else None,
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else None,
        "conforms_to": dataset.conforms_to,
        "hvd_category": [_uri("hvd_categories", code) for code in dataset.hvd_categories],
        "publisher_name": dataset.organization.name,
        "publisher_url": dataset.organization.homepage,
    }
    extras: list[dict[str, str]] = []
    for key, value in values.items():
        if value is None or value == []:
            continue
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, list) else str(value)
        extras.append({"key": key, "value": text})
    return extras

"""Reading a CKAN site through its Action API: `package_search?rows=N&start=K`, page by page.

A package becomes a record in our own fields: title and notes (ckanext-fluent's `*_translated` when there),
tags as Swedish keywords, CKAN's licence ids as our licence codes, the DCAT fields ckanext-dcat keeps in
`extras`, and each resource as a link distribution. The read is complete only when it reached the `count`
the first page gave with as many distinct packages: packages that move while the site is paged through
(new ones, deleted ones) make the read incomplete, so nothing is withdrawn on a mistaken absence.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson

from datatorget.catalog.vocabulary import VocabularyName, file_type_for_filename, file_type_for_media_type
from datatorget.catalog.vocabulary import vocabulary as vocabulary_terms
from datatorget.interop.ckan_packages import CKAN_LICENSES
from datatorget.interop.dcat_vocab import term_code
from datatorget.interop.harvest_fetch import HarvestLimits, Page, fetch_page, page_failed
from datatorget.interop.harvest_records import (
    Problem,
    ReadStopped,
    RemoteRecord,
    first_text,
    page_limit,
    unreadable,
)

SEARCH_PATH = "/api/3/action/package_search"
ACCEPT = "application/json"
# CKAN licence ids (its default list, and common variants) and our licence codes
LICENSES = {known.casefold(): code for code, known in CKAN_LICENSES.items()} | {
    "cc-by-4.0": "CC_BY_4_0", "cc-by-sa-4.0": "CC_BYSA_4_0", "cc0-1.0": "CC0", "cc0": "CC0",
    "cc-nc-4.0": "CC_BYNC_4_0", "cc-by-nc-4.0": "CC_BYNC_4_0", "odc-odbl-1.0": "ODC_BL", "odbl": "ODC_BL",
    "odc-by-1.0": "ODC_BY", "odc-pddl-1.0": "ODC_PDDL", "pddl": "ODC_PDDL",
}  # fmt: skip
KEYWORD_MAX, KEYWORDS_MAX = 100, 50


def search_url(url: str) -> str:
    """The package_search address of a CKAN site, given the site (or that address itself)."""
    base = url.strip().split("?", 1)[0].rstrip("/")
    if base.endswith(SEARCH_PATH):
        return base
    return base.removesuffix("/api/3/action").removesuffix("/api/3").removesuffix("/api") + SEARCH_PATH


def site_of(url: str) -> str:
    return search_url(url).removesuffix(SEARCH_PATH)


def read_ckan(url: str, limits: HarvestLimits) -> Iterator[list[RemoteRecord]]:
    """The records of the CKAN site at `url`, `limits.page_rows` packages a page."""
    endpoint, site = search_url(url), site_of(url)
    seen: set[str] = set()
    expected: int | None = None
    start = pages = 0
    while expected is None or start < expected:
        if pages >= limits.max_pages:
            raise page_limit(limits)
        query = urlencode(
            {"q": "*:*", "rows": limits.page_rows, "start": start, "sort": "metadata_created asc"}
        )
        page = fetch_page(f"{endpoint}?{query}", limits, accept=ACCEPT)
        pages += 1
        count, packages = _result(page)
        expected = count if expected is None else expected
        records = [record_of(package, site) for package in packages]
        seen.update(record.remote_id for record in records)
        yield records
        if not packages:
            break
        start += len(packages)
    if expected is not None and len(seen) != expected:
        raise ReadStopped(
            "count_changed",
            sv=f"Webbplatsen angav {expected} datamängder men {len(seen)} olika lästes (de ändrades under "
            "läsningen); inget drogs tillbaka.",
            en=f"The site gave {expected} datasets but {len(seen)} distinct ones were read (they changed "
            "during the read); nothing was withdrawn.",
        )


def _result(page: Page) -> tuple[int, list[dict[str, Any]]]:
    """The count and packages of a package_search answer; HarvestFailed for anything else."""
    try:
        body = orjson.loads(page.body)
    except orjson.JSONDecodeError as exc:
        raise unreadable(
            page.url, sv=f"svaret är inte JSON ({exc})", en=f"the answer is not JSON ({exc})"
        ) from None
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(body, dict) or body.get("success") is not True or not isinstance(result, dict):
        error = body.get("error") if isinstance(body, dict) else None
        detail = str((error or {}).get("message") or "")[:200] if isinstance(error, dict) else ""
        raise page_failed(
            "not_ckan",
            page.url,
            sv=f"svaret är inte ett lyckat package_search-svar från CKAN. {detail}".strip(),
            en=f"the answer is not a successful CKAN package_search answer. {detail}".strip(),
        )
    count, packages = result.get("count"), result.get("results")
    if not isinstance(count, int) or not isinstance(packages, list):
        raise unreadable(
            page.url, sv="svaret saknar count och results", en="the answer lacks count and results"
        )
    return count, [package for package in packages if isinstance(package, dict)]


def record_of(package: dict[str, Any], site: str) -> RemoteRecord:
    """A CKAN package as a record in our fields."""
    notes: list[str] = []
    title = _texts(package, "title")
    remote_id = str(package.get("id") or "")
    name = str(package.get("name") or remote_id)
    if not remote_id:
        return RemoteRecord(remote_id=f"name:{name}", remote_url=None, title=first_text(title),
                            problem=Problem("no_identifier", sv="Paketet saknar id.", en="The package has no id."))  # fmt: skip
    extras = _extras(package)
    fields: dict[str, Any] = {
        "title": title,
        "description": _texts(package, "notes"),
        "keywords": _keywords(package),
        "themes": _codes("themes", extras.get("theme"), notes),
        "contact_point": _contact(package),
        "license": _license(package.get("license_id"), package.get("license_url"), notes),
        "access_rights": _code("access_rights", extras.get("access_rights"), notes),
        "spatial": _list(extras.get("spatial_uri")),
        "temporal": _temporal(extras),
        "frequency": _code("frequencies", extras.get("frequency"), notes),
        "landing_page": _http(package.get("url")),
        "conforms_to": _list(extras.get("conforms_to")),
        "hvd_categories": _codes("hvd_categories", extras.get("hvd_category"), notes),
    }
    resources = _items(package, "resources")
    distributions = [d for d in (_distribution(r, notes) for r in resources if isinstance(r, dict)) if d]
    return RemoteRecord(
        remote_id=remote_id,
        remote_url=f"{site}/dataset/{name}",
        title=first_text(title) or name,
        fields={key: value for key, value in fields.items() if value is not None},
        distributions=distributions,
        remote_modified=_moment(package.get("metadata_modified")),
        notes=notes,
    )


def _items(package: dict[str, Any], name: str) -> list[Any]:
    found = package.get(name)
    return found if isinstance(found, list) else []


def _texts(package: dict[str, Any], name: str) -> dict[str, str]:
    translated = package.get(f"{name}_translated")
    if isinstance(translated, dict):
        texts = {str(lang): str(text).strip() for lang, text in translated.items() if isinstance(text, str)}
        texts = {lang: text for lang, text in texts.items() if text}
        if texts:
            return texts
    text = package.get(name)
    return {"sv": text.strip()} if isinstance(text, str) and text.strip() else {}


def _keywords(package: dict[str, Any]) -> dict[str, list[str]]:
    tags = _items(package, "tags")
    words = {
        str(tag.get("display_name") or tag.get("name") or "").strip()
        for tag in tags
        if isinstance(tag, dict) and not tag.get("vocabulary_id")
    }
    kept = sorted(word for word in words if 0 < len(word) <= KEYWORD_MAX)[:KEYWORDS_MAX]
    return {"sv": kept} if kept else {}


def _extras(package: dict[str, Any]) -> dict[str, str]:
    extras = _items(package, "extras")
    return {
        str(extra["key"]): str(extra.get("value") or "")
        for extra in extras
        if isinstance(extra, dict) and extra.get("key")
    }


def _list(value: str | None) -> list[str]:
    """An extra that holds one value or a JSON list of them (as ckanext-dcat writes lists)."""
    if not value:
        return []
    if value.lstrip().startswith("["):
        try:
            found = json.loads(value)
        except ValueError:
            return []
        return sorted({str(item) for item in found if item}) if isinstance(found, list) else []
    return [value.strip()]


def _codes(name: VocabularyName, value: str | None, notes: list[str]) -> list[str]:
    codes: list[str] = []
    for item in _list(value):
        code = term_code(name, item) or (item if item in vocabulary_terms(name) else None)
        if code is None:
            notes.append(f"{item} is not in the {name} vocabulary")
        elif code not in codes:
            codes.append(code)
    return codes


def _code(name: VocabularyName, value: str | None, notes: list[str]) -> str | None:
    codes = _codes(name, value, notes)
    return codes[0] if codes else None


def _license(license_id: Any, license_url: Any, notes: list[str]) -> str | None:
    """Our licence code for a CKAN licence id (or its URL); None, with a note, for one we do not know."""
    if isinstance(license_id, str) and license_id.strip():
        wanted = license_id.strip()
        if wanted.casefold() in LICENSES:
            return LICENSES[wanted.casefold()]
        if wanted in vocabulary_terms("licenses"):
            return wanted
        if wanted.casefold() in (
            "notspecified",
            "other-open",
            "other-closed",
            "other-at",
            "other-pd",
            "other-nc",
        ):
            return None
    if isinstance(license_url, str) and (code := term_code("licenses", license_url.strip())):
        return code
    if isinstance(license_id, str) and license_id.strip():
        notes.append(f"licence {license_id} is not in the licenses vocabulary")
    return None


def _contact(package: dict[str, Any]) -> dict[str, str] | None:
    for role in ("maintainer", "author"):
        email = package.get(f"{role}_email")
        if isinstance(email, str) and "@" in email:
            name = package.get(role)
            return {"name": name.strip() if isinstance(name, str) and name.strip() else email.strip(),
                    "email": email.strip()}  # fmt: skip
    return None


def _temporal(extras: dict[str, str]) -> dict[str, str] | None:
    start, end = extras.get("temporal_start", "")[:10], extras.get("temporal_end", "")[:10]
    if not (start or end):
        return None
    return {"start": start or None, "end": end or None}  # type: ignore[dict-item]


def _http(value: Any) -> str | None:
    if isinstance(value, str) and urlsplit(value.strip()).scheme in ("http", "https"):
        return value.strip()
    return None


def _distribution(resource: dict[str, Any], notes: list[str]) -> dict[str, Any] | None:
    url = _http(resource.get("url"))
    if url is None:
        notes.append(f"resource {resource.get('id')} has no http(s) address and was left out")
        return None
    name, description = resource.get("name"), resource.get("description")
    mimetype = resource.get("mimetype") if isinstance(resource.get("mimetype"), str) else None
    return {
        "title": {"sv": name.strip()} if isinstance(name, str) and name.strip() else {},
        "description": {"sv": description.strip()} if isinstance(description, str) and description.strip() else {},
        "access_url": url,
        "download_url": _http(resource.get("download_url")) or (url if resource.get("url_type") == "upload" else None),
        "format": _file_type(resource.get("format"), mimetype, url, notes),
        "media_type": mimetype.split(";")[0].strip().lower() if mimetype else None,
        "license": _license(resource.get("license_id"), None, notes) if resource.get("license_id") else None,
    }  # fmt: skip


def _file_type(format: Any, mimetype: str | None, url: str, notes: list[str]) -> str | None:
    """Our file-type code from the resource's format (CSV, GeoJSON, ...), else its media type or extension."""
    if isinstance(format, str) and format.strip():
        wanted = format.strip().upper().replace("-", "_").replace(" ", "_").lstrip(".")
        if wanted in vocabulary_terms("file_types"):
            return wanted
        if found := file_type_for_media_type(format):
            return found.code
    found = (file_type_for_media_type(mimetype) if mimetype else None) or file_type_for_filename(
        urlsplit(url).path
    )
    if found is None and isinstance(format, str) and format.strip():
        notes.append(f"format {format} is not in the file_types vocabulary")
    return found.code if found else None


def _moment(value: Any) -> datetime | None:
    """A CKAN time (UTC, without a zone)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

"""Catalog response models as the plain dicts templates show: labels in the page's language, dates and
sizes formatted, Markdown rendered. Templates never see an ORM object."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from datatorget.catalog.schemas import DatasetOut, DatasetSummary, DistributionOut, OrganizationOut
from datatorget.catalog.vocabulary import term
from datatorget.web.formatting import Localized, format_size, label, localized
from datatorget.web.i18n import Lang
from datatorget.web.markdown import plain_text, render_markdown
from datatorget.web.paths import url


def summary_view(summary: DatasetSummary, lang: Lang) -> dict[str, Any]:
    """One dataset in a result list."""
    description = localized(summary.description, lang)
    return {
        "url": url("dataset", lang, slug=summary.slug),
        "title": localized(summary.title, lang),
        "excerpt": Localized(plain_text(description.text), description.lang),
        "organization": summary.organization.name,
        "themes": [label("themes", code, lang) for code in summary.themes],
        "formats": summary.formats,
        "modified": summary.modified,
        "is_draft": summary.state == "draft",
        "is_private": summary.state == "private",
    }


def _licence(code: str | None, lang: Lang) -> dict[str, str] | None:
    if not code:
        return None
    try:
        found = term("licenses", code)
    except KeyError:
        return {"label": code, "url": ""}
    return {"label": found.label_in(lang), "url": found.url or found.uri}


def _hvd(code: str, lang: Lang) -> dict[str, str]:
    try:
        found = term("hvd_categories", code)
    except KeyError:
        return {"label": code, "group": "", "uri": ""}
    group = label("hvd_categories", found.parent, lang) if found.parent else ""
    return {"label": found.label_in(lang), "group": group, "uri": found.uri}


def distribution_view(distribution: DistributionOut, lang: Lang, dataset_slug: str) -> dict[str, Any]:
    description = localized(distribution.description, lang)
    table_url = (
        url("table", lang, slug=dataset_slug, table_id=str(distribution.id)) if distribution.table else None
    )
    return {
        "id": distribution.id,
        "title": localized(distribution.title, lang),
        "description_html": render_markdown(description.text) if description.text else None,
        "description_lang": description.lang,
        "is_file": distribution.file_name is not None,
        "file_name": distribution.file_name,
        "download_url": distribution.download_url,
        "access_url": distribution.access_url,
        "format": label("file_types", distribution.format, lang),
        "format_code": distribution.format or "",
        "media_type": distribution.media_type or "",
        "size": format_size(distribution.byte_size, lang),
        "checksum": distribution.checksum.value if distribution.checksum else None,
        "licence": _licence(distribution.license, lang),
        "modified": distribution.modified,
        "table_url": table_url,
    }


def dataset_view(dataset: DatasetOut, lang: Lang) -> dict[str, Any]:
    """Everything the dataset page shows, readable by a person."""
    description = localized(dataset.description, lang)
    keywords_lang = lang if dataset.keywords.get(lang) else "sv"
    return {
        "slug": dataset.slug,
        "uri": dataset.uri,
        "state": dataset.state,
        "title": localized(dataset.title, lang),
        "description_html": render_markdown(description.text),
        "description_lang": description.lang,
        "keywords": dataset.keywords.get(keywords_lang, []),
        "keywords_lang": keywords_lang,
        "themes": [{"code": c, "label": label("themes", c, lang)} for c in dataset.themes],
        "organization": {"slug": dataset.organization.slug, "name": dataset.organization.name},
        "contact": dataset.contact_point.model_dump() if dataset.contact_point else None,
        "licence": _licence(dataset.license, lang),
        "access_rights": label("access_rights", dataset.access_rights, lang),
        "frequency": label("frequencies", dataset.frequency, lang),
        "spatial": dataset.spatial,
        "temporal": dataset.temporal.model_dump() if dataset.temporal else None,
        "landing_page": dataset.landing_page,
        "conforms_to": dataset.conforms_to,
        "hvd_categories": [_hvd(code, lang) for code in dataset.hvd_categories],
        "issued": dataset.issued,
        "modified": dataset.modified,
        "distributions": [distribution_view(d, lang, dataset.slug) for d in dataset.distributions],
    }


def origin_view(origin: dict[str, Any] | None) -> dict[str, Any] | None:
    """Where a harvested dataset came from (`Dataset.origin`): the source's title, the dataset's address at
    the source (http and https only) and when it was last harvested; None for a local dataset."""
    if not origin:
        return None
    remote_url = str(origin.get("remote_url") or "")
    try:
        harvested_at: datetime | None = datetime.fromisoformat(str(origin.get("harvested_at")))
    except ValueError:
        harvested_at = None
    return {
        "source_title": str(origin.get("source_title") or ""),
        "remote_url": remote_url if remote_url.startswith(("http://", "https://")) else None,
        "harvested_at": harvested_at,
    }


def organization_view(organization: OrganizationOut, lang: Lang) -> dict[str, Any]:
    return {
        "slug": organization.slug,
        "name": organization.name,
        "url": url("organization", lang, slug=organization.slug),
        "org_number": organization.org_number,
        "publisher_type": label("publisher_types", organization.publisher_type, lang),
        "homepage": organization.homepage,
        "contact_name": organization.contact_name,
        "contact_email": organization.contact_email,
        "dataset_count": organization.dataset_count,
    }

"""The two forms that add a distribution: upload a file, or link to data published elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from starlette.datastructures import FormData

from datatorget.catalog.vocabulary import vocabulary
from datatorget.web.i18n import Lang

Kind = Literal["upload", "link"]
FormValues = dict[str, str]

TEXT_FIELDS = ("title_sv", "title_en", "description_sv", "description_en", "format", "license")
FIELDS: dict[Kind, tuple[str, ...]] = {
    "upload": ("file", *TEXT_FIELDS),
    "link": ("access_url", "download_url", "ingest", *TEXT_FIELDS),
}


def empty_forms() -> dict[Kind, FormValues]:
    return {kind: dict.fromkeys(fields, "") for kind, fields in FIELDS.items()}


def submitted(form: FormData, kind: Kind) -> FormValues:
    """The text fields of the submitted form, as typed (the file itself is read by the handler)."""
    values: FormValues = {}
    for name in FIELDS[kind]:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    return values


def texts(values: FormValues, name: str) -> dict[str, str]:
    return {
        lang: values[f"{name}_{lang}"].strip() for lang in ("sv", "en") if values[f"{name}_{lang}"].strip()
    }


def link_input(values: FormValues) -> dict[str, Any]:
    """The link form as the input of `DistributionLinkIn`."""
    return {
        "title": texts(values, "title"),
        "description": texts(values, "description"),
        "access_url": values["access_url"].strip(),
        "download_url": values["download_url"].strip() or None,
        "format": values["format"] or None,
        "license": values["license"] or None,
    }


def field_of_location(location: Sequence[int | str]) -> str:
    parts = [str(part) for part in location if "[" not in str(part)]
    head = parts[0] if parts else "file"
    if head in ("title", "description"):
        return f"{head}_{'en' if 'en' in parts[1:2] else 'sv'}"
    return head


def field_of_service_error(name: str) -> str:
    return field_of_location(name.split("."))


def choices(lang: Lang) -> dict[str, Any]:
    def options(name: Any) -> list[dict[str, str]]:
        return [{"value": code, "label": t.label_in(lang)} for code, t in vocabulary(name).items()]

    return {"file_types": options("file_types"), "licenses": options("licenses")}

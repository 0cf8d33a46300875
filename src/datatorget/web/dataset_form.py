"""The dataset form: what the fields hold, how a submitted form becomes a `DatasetIn`, and back again.

A form is kept as `FormValues` (each field's text, or the list of ticked boxes) so that a form shown again
after an error holds exactly what the person typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.datastructures import FormData

from datatorget.catalog.schemas import DatasetOut
from datatorget.catalog.vocabulary import vocabulary
from datatorget.web.i18n import Lang

FormValues = dict[str, Any]

TEXT_FIELDS = (
    "title_sv", "title_en", "slug", "description_sv", "description_en", "keywords_sv", "keywords_en",
    "organization", "contact_name", "contact_email", "license", "access_rights", "frequency", "landing_page",
    "spatial", "temporal_start", "temporal_end", "conforms_to", "state",
)  # fmt: skip
CHOICE_FIELDS = ("themes", "hvd_categories")
# The order of the fields on the page, for the error summary.
FIELD_ORDER = (
    "title_sv", "title_en", "slug", "description_sv", "description_en", "organization", "state",
    "keywords_sv", "keywords_en", "themes", "contact_name", "contact_email", "license", "access_rights",
    "frequency", "landing_page", "spatial", "temporal_start", "temporal_end", "conforms_to", "hvd_categories",
)  # fmt: skip
STATES = ("draft", "published", "private")


def empty_form(organization: str = "") -> FormValues:
    values: FormValues = dict.fromkeys(TEXT_FIELDS, "")
    values |= {"themes": [], "hvd_categories": [], "organization": organization, "state": "draft",
               "access_rights": "PUBLIC"}  # fmt: skip
    return values


def submitted_form(form: FormData) -> FormValues:
    """The dataset fields of a submitted form, as typed."""
    values: FormValues = {}
    for name in TEXT_FIELDS:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    for name in CHOICE_FIELDS:
        values[name] = [v for v in form.getlist(name) if isinstance(v, str) and v]
    return values


def form_from_dataset(dataset: DatasetOut) -> FormValues:
    """The form of an existing dataset, for editing."""
    contact = dataset.contact_point
    temporal = dataset.temporal
    return {
        "title_sv": dataset.title.get("sv", ""),
        "title_en": dataset.title.get("en", ""),
        "slug": dataset.slug,
        "description_sv": dataset.description.get("sv", ""),
        "description_en": dataset.description.get("en", ""),
        "keywords_sv": ", ".join(dataset.keywords.get("sv", [])),
        "keywords_en": ", ".join(dataset.keywords.get("en", [])),
        "organization": dataset.organization.slug,
        "contact_name": contact.name if contact else "",
        "contact_email": str(contact.email) if contact else "",
        "license": dataset.license or "",
        "access_rights": dataset.access_rights or "",
        "frequency": dataset.frequency or "",
        "landing_page": dataset.landing_page or "",
        "spatial": "\n".join(dataset.spatial),
        "temporal_start": temporal.start.isoformat() if temporal and temporal.start else "",
        "temporal_end": temporal.end.isoformat() if temporal and temporal.end else "",
        "conforms_to": "\n".join(dataset.conforms_to),
        "state": dataset.state,
        "themes": list(dataset.themes),
        "hvd_categories": list(dataset.hvd_categories),
    }


def _texts(values: FormValues, name: str) -> dict[str, str]:
    return {lang: values[f"{name}_{lang}"] for lang in ("sv", "en") if values[f"{name}_{lang}"].strip()}


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _optional(text: str) -> str | None:
    return text.strip() or None


def dataset_input(values: FormValues) -> dict[str, Any]:
    """The form as the input of `DatasetIn` (create) or `DatasetPatch` (edit: every field replaced).

    An empty Swedish title or description is sent as a text of its own, so that the error says
    "a Swedish text is required" even when only the English one is filled in.
    """
    contact = {key: values[f"contact_{key}"].strip() for key in ("name", "email")}
    temporal = {key: _optional(values[f"temporal_{key}"]) for key in ("start", "end")}
    data: dict[str, Any] = {
        "title": _texts(values, "title"),
        "description": _texts(values, "description"),
        "keywords": {lang: _words(values[f"keywords_{lang}"]) for lang in ("sv", "en")},
        "themes": values["themes"],
        "organization": values["organization"].strip(),
        "contact_point": {k: v for k, v in contact.items() if v} if any(contact.values()) else None,
        "license": _optional(values["license"]),
        "access_rights": _optional(values["access_rights"]),
        "frequency": _optional(values["frequency"]),
        "landing_page": _optional(values["landing_page"]),
        "spatial": _lines(values["spatial"]),
        "temporal": temporal if any(temporal.values()) else None,
        "conforms_to": _lines(values["conforms_to"]),
        "hvd_categories": values["hvd_categories"],
        "state": values["state"] or "draft",
    }
    if values["slug"].strip():
        data["slug"] = values["slug"].strip()
    return data


def field_of_location(location: Sequence[int | str]) -> str:
    """The form field an error in `DatasetIn` at this location belongs to."""
    parts = [str(part) for part in location if "[" not in str(part)]
    head = parts[0] if parts else ""
    if head in ("title", "description", "keywords"):
        return f"{head}_{'en' if 'en' in parts[1:2] else 'sv'}"
    if head == "contact_point":
        return "contact_email" if "email" in parts else "contact_name"
    if head == "temporal":
        return "temporal_start" if "start" in parts else "temporal_end"
    return head if head in FIELD_ORDER else "title_sv"


def field_of_service_error(name: str) -> str:
    """The form field a service's error key (`title`, `title.sv`, `slug`, ...) belongs to."""
    return field_of_location(name.split("."))


def choices(lang: Lang) -> dict[str, Any]:
    """The options of the form's lists and boxes, labelled in the page's language."""

    def options(name: Any) -> list[dict[str, str]]:
        return [{"value": code, "label": t.label_in(lang)} for code, t in vocabulary(name).items()]

    hvd = vocabulary("hvd_categories")
    groups = [
        {
            "code": code,
            "label": top.label_in(lang),
            "options": [{"value": code, "label": top.label_in(lang), "is_group": True}]
            + [
                {"value": sub, "label": child.label_in(lang), "is_group": False}
                for sub, child in hvd.items()
                if child.parent == code
            ],
        }
        for code, top in hvd.items()
        if top.parent is None
    ]
    return {
        "themes": options("themes"),
        "licenses": options("licenses"),
        "access_rights": options("access_rights"),
        "frequencies": options("frequencies"),
        "hvd_groups": groups,
        "states": list(STATES),
    }

"""The table settings form: what bad cells become, the primary key, and per column a type, a title and a
description in Swedish and English. Columns are numbered fields (`col-3-type`), since a column's name may
hold any character; each carries its name in a hidden field, so a form sent after the columns changed is
read against the columns it showed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from datatorget.store.infer import TYPES
from datatorget.web.form_errors import ErrorSummaryItem, FieldErrors
from datatorget.web.i18n import Translator

ON_ERROR = ("blank", "refuse")
COLUMN_TEXTS = ("title_sv", "title_en", "description_sv", "description_en")
MAX_TITLE = 200
MAX_DESCRIPTION = 2000


@dataclass(frozen=True)
class Column:
    """A column as the form shows it: its number in the form, its name, and its type in the shown version."""

    index: int
    name: str
    current_type: str


@dataclass
class SettingsForm:
    on_error: str
    primary_key: list[str]
    columns: list[Column]
    # per column name: type ("" for automatic) and the four texts
    values: dict[str, dict[str, str]]
    # overrides of columns the shown version does not have; kept as they are
    other_overrides: dict[str, Any]

    def field_order(self) -> list[str]:
        order = ["on_error", "primary_key"]
        for column in self.columns:
            order += [f"col-{column.index}-{name}" for name in ("type", *COLUMN_TEXTS)]
        return order


def columns_of(schema: Mapping[str, Any] | None, overrides: Mapping[str, Any]) -> list[Column]:
    """The columns of the shown version; without a version, the columns the publisher has settings for."""
    if schema:
        return [Column(i, str(f["name"]), str(f["type"])) for i, f in enumerate(schema.get("fields", []))]
    return [Column(i, name, "") for i, name in enumerate(overrides)]


def form_from_table(
    on_error: str, primary_key: Sequence[str], overrides: Mapping[str, Any], columns: list[Column]
) -> SettingsForm:
    values = {}
    for column in columns:
        override = overrides.get(column.name) or {}
        titles = override.get("title") or {}
        descriptions = override.get("description") or {}
        values[column.name] = {
            "type": str(override.get("type") or ""),
            "title_sv": titles.get("sv", ""),
            "title_en": titles.get("en", ""),
            "description_sv": descriptions.get("sv", ""),
            "description_en": descriptions.get("en", ""),
        }
    shown = {column.name for column in columns}
    return SettingsForm(
        on_error=on_error,
        primary_key=[name for name in primary_key if name in shown],
        columns=columns,
        values=values,
        other_overrides={name: value for name, value in overrides.items() if name not in shown},
    )


def submitted_form(form: FormData, shown: SettingsForm) -> SettingsForm:
    """The form as sent, read against the columns it showed; a column sent under another name is ignored."""
    by_index = {column.index: column for column in shown.columns}
    values = {column.name: dict(shown.values[column.name]) for column in shown.columns}
    for index, column in by_index.items():
        if _text(form, f"col-{index}-name") != column.name:
            continue
        for name in ("type", *COLUMN_TEXTS):
            values[column.name][name] = _text(form, f"col-{index}-{name}").strip()
    return SettingsForm(
        on_error=_text(form, "on_error"),
        primary_key=[v for v in form.getlist("primary_key") if isinstance(v, str)],
        columns=shown.columns,
        values=values,
        other_overrides=shown.other_overrides,
    )


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def check(form: SettingsForm, t: Translator) -> FieldErrors:
    """Errors the form itself can find, by field, in the page's language."""
    errors: FieldErrors = {}
    if form.on_error not in ON_ERROR:
        errors["on_error"] = [t("error.choice")]
    names = {column.name for column in form.columns}
    if any(name not in names for name in form.primary_key) or len(set(form.primary_key)) != len(
        form.primary_key
    ):
        errors["primary_key"] = [t("error.choice")]
    for column in form.columns:
        chosen = form.values[column.name]
        prefix = f"col-{column.index}-"
        if chosen["type"] and chosen["type"] not in TYPES:
            errors[prefix + "type"] = [t("error.choice")]
        for name in COLUMN_TEXTS:
            longest = MAX_TITLE if name.startswith("title") else MAX_DESCRIPTION
            if len(chosen[name]) > longest:
                errors[prefix + name] = [t("error.string_too_long", max_length=longest)]
    return errors


def settings_values(form: SettingsForm) -> dict[str, Any]:
    """The form as the values of `update_table_settings`."""
    overrides: dict[str, Any] = dict(form.other_overrides)
    for column in form.columns:
        chosen = form.values[column.name]
        override: dict[str, Any] = {}
        if chosen["type"]:
            override["type"] = chosen["type"]
        for name in ("title", "description"):
            texts = {lang: chosen[f"{name}_{lang}"] for lang in ("sv", "en") if chosen[f"{name}_{lang}"]}
            if texts:
                override[name] = texts
        if override:
            overrides[column.name] = override
    return {
        "on_error": form.on_error,
        "primary_key": [column.name for column in form.columns if column.name in form.primary_key],
        "overrides": overrides,
    }


def field_of_service_error(form: SettingsForm) -> dict[str, str]:
    """The service's error keys (`overrides.<column>.type`) and the form fields they belong to."""
    fields = {"on_error": "on_error", "primary_key": "primary_key"}
    for column in form.columns:
        fields[f"overrides.{column.name}.type"] = f"col-{column.index}-type"
    return fields


def error_summary(errors: FieldErrors, form: SettingsForm, t: Translator) -> list[ErrorSummaryItem]:
    """The errors for the box at the top, in the order of the fields, each labelled with its column."""
    labels = {"on_error": t("table_settings.on_error"), "primary_key": t("table_settings.primary_key")}
    for column in form.columns:
        for name in ("type", *COLUMN_TEXTS):
            labels[f"col-{column.index}-{name}"] = t(f"table_settings.column.{name}_of", column=column.name)
    order = form.field_order()
    position = {name: i for i, name in enumerate(order)}
    return [
        ErrorSummaryItem(field=name, label=labels.get(name, name), message=message)
        for name in sorted(errors, key=lambda n: position.get(n, len(position)))
        for message in errors[name]
    ]

"""The table page's query string: the data API's own parameters (`column=value`, `column__op=value`, `_q`,
`_sort`, `_size`, `_offset`, `_version`), so that a page and a download of the same rows share one address
syntax. This module reads the filters and sort back out of it and makes the links that change them; the
rows themselves are read by `store.query`, the same code the API runs.

The filter form sends a column, an operator and a value as three fields; `canonical()` turns them into the
API's `column__op=value` form, and the handler redirects there, so that every state is a plain GET URL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from datatorget.web.i18n import Translator

# The operators of the data API; "" is equality (`column=value`).
OPERATORS = ("", "ne", "lt", "lte", "gt", "gte", "contains", "startswith", "in", "isnull")
# The filter form's choices, in its order: the API's, and "not empty" (which is `isnull=false`).
FORM_OPERATORS = (*OPERATORS, "notnull")
FORM_FIELDS = ("_filter_column", "_filter_op", "_filter_value")
PAGING = ("_offset", "_after")
# the API's own parameters the page passes on to the rows it reads; any other (`_after`, `_shape`) is left out
KEPT = frozenset({"_q", "_sort", "_cols", "_size", "_offset", "_bbox", "_version"})
MAX_PARAMS = 50
MAX_VALUE = 500
FALSE_WORDS = frozenset({"false", "0", "nej", "no"})
NUMBER_TYPES = frozenset({"integer", "number"})
DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
SPACES = re.compile(r"[ \u00a0\u202f]")


@dataclass(frozen=True)
class Filter:
    column: str
    op: str  # "" for equality
    value: str

    @property
    def param(self) -> tuple[str, str]:
        return (f"{self.column}__{self.op}" if self.op else self.column, self.value)


@dataclass(frozen=True)
class TableQuery:
    """The page's parameters, in the order given."""

    params: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str | None:
        return next((value for key, value in self.params if key == name), None)

    def filters(self, columns: Sequence[str]) -> list[Filter]:
        """The parameters that filter a column, read against the table's columns."""
        found = []
        known = set(columns)
        for key, value in self.params:
            if key.startswith("_"):
                continue
            column, _, op = key.rpartition("__")
            if column and op in OPERATORS and column in known:
                found.append(Filter(column, op, value))
            elif key in known:
                found.append(Filter(key, "", value))
        return found

    def sort(self) -> list[tuple[str, bool]]:
        """(column, descending) for each column of `_sort`, first the one that decides."""
        text = self.get("_sort") or ""
        try:
            parts = json.loads(text) if text.lstrip().startswith("[") else text.split(",")
        except json.JSONDecodeError:
            return []
        return [
            (p.removeprefix("-"), p.startswith("-")) for p in parts if isinstance(p, str) and p.strip("-")
        ]

    def replaced(self, drop: Iterable[str] = (), add: Iterable[tuple[str, str]] = ()) -> TableQuery:
        dropped = set(drop)
        return TableQuery(tuple(p for p in self.params if p[0] not in dropped) + tuple(add))

    def without(self, pair: tuple[str, str]) -> TableQuery:
        return TableQuery(tuple(p for p in self.params if p != pair and p[0] not in PAGING))

    def sorted_by(self, column: str) -> TableQuery:
        """Sorted by `column`: ascending first, descending when it already sorts ascending."""
        current = self.sort()
        descending = bool(current) and current[0] == (column, False)
        value = f"-{column}" if descending else column
        if "," in column or column.lstrip().startswith("["):  # the API reads such a name in a JSON list
            value = json.dumps([value], ensure_ascii=False)
        return self.replaced(drop=("_sort", *PAGING), add=[("_sort", value)])

    def at_offset(self, offset: int) -> TableQuery:
        return self.replaced(drop=PAGING, add=[("_offset", str(offset))] if offset > 0 else [])

    def link(self, base: str) -> str:
        query = urlencode(self.params)
        return base + (f"?{query}" if query else "")

    def export_params(self) -> list[tuple[str, str]]:
        """What a download of the same rows sends: filters, search, sort and version, not the paging."""
        return [(key, value) for key, value in self.params if key not in (*PAGING, "_size")]


def parse_table_query(pairs: Iterable[tuple[str, str]]) -> TableQuery:
    """The page's parameters as given, without the filter form's own fields and empty searches."""
    kept = []
    for key, value in list(pairs)[:MAX_PARAMS]:
        if key in FORM_FIELDS or (key.startswith("_") and key not in KEPT):
            continue
        if key == "_q" and not value.strip():
            continue
        kept.append((key, value[:MAX_VALUE]))
    return TableQuery(tuple(kept))


def canonical(pairs: Sequence[tuple[str, str]], types: Mapping[str, str]) -> TableQuery | None:
    """The address the filter form means, when the form was sent: its column, operator and value become
    one `column__op=value` parameter and the paging starts over. None when no form was sent.

    People type numbers as they write them (`18,5`, `1 234`); the API reads a decimal point and no spaces,
    so a number column's value is rewritten here, before it becomes part of the address."""
    sent = dict(p for p in pairs if p[0] in FORM_FIELDS)
    empty_search = any(key == "_q" and not value.strip() for key, value in pairs)
    if not sent and not empty_search:
        return None
    query = parse_table_query(pairs)
    column = sent.get("_filter_column", "")
    op = sent.get("_filter_op", "")
    value = sent.get("_filter_value", "").strip()
    if column in types and op in FORM_OPERATORS and (value or op in ("isnull", "notnull")):
        if op in ("isnull", "notnull"):
            op, value = "isnull", "true" if op == "isnull" else "false"
        elif types[column] in NUMBER_TYPES and op not in ("contains", "startswith"):
            value = _typed_number(value, op)
        query = query.replaced(drop=PAGING, add=[Filter(column, op, value).param])
    elif sent:
        query = query.replaced(drop=PAGING)
    return query


def _typed_number(value: str, op: str) -> str:
    """`1 234,5` as `1234.5`; a list (`in`) item by item, split at `;` when it has one (`1,5;2,5`)."""
    if op == "in":
        items = value.split(";") if ";" in value else value.split(",")
        return ",".join(_number_text(item) for item in items)
    return _number_text(value)


def _number_text(text: str) -> str:
    cleaned = SPACES.sub("", text.strip())
    return cleaned.replace(",", ".") if DECIMAL_COMMA.fullmatch(cleaned) else cleaned


def operator_options(t: Translator) -> list[dict[str, str]]:
    return [{"value": op, "label": t(f"table.op.{op or 'eq'}")} for op in FORM_OPERATORS]


def filter_label(found: Filter, label: str, t: Translator) -> str:
    """`Typ = Havsbad`, `Pris > 20`, `Namn är tom`: a filter as a person reads it."""
    if found.op == "isnull":
        empty = found.value.strip().lower() not in FALSE_WORDS
        return t("table.filter.is_empty" if empty else "table.filter.not_empty", column=label)
    symbol = t(f"table.op_symbol.{found.op or 'eq'}")
    return f"{label} {symbol} {found.value}"

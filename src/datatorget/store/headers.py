"""Column names as people wrote them, made safe to address: trimmed, never empty, never twice."""

from __future__ import annotations

import re

from datatorget.store.report import Problem

MAX_NAME = 120


def clean_headers(raw: list[str]) -> tuple[list[str], list[Problem]]:
    """Names for the columns, in order, and a note for each one that had to be changed.

    Whitespace is collapsed; a leading `_` is dropped (parameters of the data API start with `_`);
    an empty name becomes `kolumn_N`; a repeated name gets `_2`, `_3`, ...
    """
    names: list[str] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for position, original in enumerate(raw, start=1):
        name = re.sub(r"\s+", " ", original or "").strip().lstrip("_").strip()[:MAX_NAME]
        if not name:
            name = f"kolumn_{position}"
        base, counter = name, 2
        while name.casefold() in seen:
            name = f"{base}_{counter}"
            counter += 1
        seen.add(name.casefold())
        names.append(name)
        if name != (original or ""):
            problems.append(_renamed(position, original or "", name))
    return names, problems


def _renamed(position: int, original: str, name: str) -> Problem:
    if not original.strip():
        sv = f"Kolumn {position} saknar rubrik och fick namnet {name}."
        en = f"Column {position} has no header and was named {name}."
    else:
        sv = f"Rubriken '{original}' i kolumn {position} ändrades till '{name}' (tom, upprepad eller inledd med _)."
        en = f"The header '{original}' of column {position} was changed to '{name}' (empty, repeated or starting with _)."
    return Problem("renamed_column", sv=sv, en=en, column=name, value=original[:200])

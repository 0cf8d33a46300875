"""The words of the web UI in Swedish and English. The language is the path's.

The messages of a language are `web/i18n/<lang>.json` and, for a part of the UI kept apart, the
`web/i18n/<part>.<lang>.json` files (`discussions.sv.json`). A key defined twice is an error.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from fastapi import Depends, Request

Lang = Literal["sv", "en"]
LANGUAGES: tuple[Lang, ...] = ("sv", "en")
ENGLISH_PREFIX = "/en"


def lang_of_path(path: str) -> Lang:
    """English under /en/, Swedish everywhere else."""
    return "en" if path == ENGLISH_PREFIX or path.startswith(ENGLISH_PREFIX + "/") else "sv"


def request_lang(request: Request) -> Lang:
    return lang_of_path(request.url.path)


def other_lang(lang: Lang) -> Lang:
    return "en" if lang == "sv" else "sv"


@cache
def messages(lang: Lang) -> dict[str, str]:
    """Every message of one language, keyed by a dotted name such as `search.sort.title`."""
    folder = resources.files("datatorget.web") / "i18n"
    sources = sorted(
        (f for f in folder.iterdir() if f.name == f"{lang}.json" or f.name.endswith(f".{lang}.json")),
        key=lambda f: f.name,
    )
    loaded: dict[str, str] = {}
    for source in sources:
        part: dict[str, str] = json.loads(source.read_text(encoding="utf-8"))
        if twice := loaded.keys() & part.keys():
            raise ValueError(f"{source.name} defines keys already defined: {sorted(twice)}")
        loaded.update(part)
    return loaded


class Translator:
    """`t("key", name=...)` in templates and handlers: the message in one language, with its blanks filled."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def __call__(self, key: str, **params: object) -> str:
        text = messages(self.lang)[key]
        return text.format(**params) if params else text

    def plural(self, key: str, count: int, shown: str | None = None, **params: object) -> str:
        """`key.one` for one, `key.other` for any other count; `{count}` is filled in with the count, or
        with `shown` (the count as formatted for the page, `1 234`) when given."""
        return self(f"{key}.one" if count == 1 else f"{key}.other", count=count if shown is None else shown,
                    **params)  # fmt: skip

    def has(self, key: str) -> bool:
        return key in messages(self.lang)


LangDep = Annotated[Lang, Depends(request_lang)]

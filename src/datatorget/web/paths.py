"""The addresses of the web UI: each page has a Swedish path and an English one under /en/.

`url("dataset", "en", slug="badplatser")` gives `/en/datasets/badplatser`; `counterpart()` gives the same
page in the other language, for the language link. `add_page` registers one handler at both paths.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Literal
from urllib.parse import quote, unquote

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from datatorget.errors import NotFound
from datatorget.web.i18n import Lang, lang_of_path, other_lang

PageName = Literal[
    "home", "search", "dataset_new", "dataset", "dataset_edit", "distribution_new", "organizations",
    "organization", "login", "logout", "account", "accessibility", "table", "table_settings", "table_status",
    "requests", "request_new", "request_sent", "request_confirm", "request", "register", "report", "moderation",
    "discussions", "discussion", "reuses", "reuse_new", "reuse", "demand", "harvest_sources", "harvest_source_new",
    "harvest_source", "harvest_run", "quality",
]  # fmt: skip

# In matching order: /datamangder/ny must be tried before /datamangder/{slug}.
PAGES: dict[PageName, dict[Lang, str]] = {
    "home": {"sv": "/", "en": "/en/"},
    "search": {"sv": "/datamangder", "en": "/en/datasets"},
    "dataset_new": {"sv": "/datamangder/ny", "en": "/en/datasets/new"},
    "dataset": {"sv": "/datamangder/{slug}", "en": "/en/datasets/{slug}"},
    "dataset_edit": {"sv": "/datamangder/{slug}/redigera", "en": "/en/datasets/{slug}/edit"},
    "distribution_new": {
        "sv": "/datamangder/{slug}/distributioner/ny",
        "en": "/en/datasets/{slug}/distributions/new",
    },
    "table": {"sv": "/datamangder/{slug}/tabeller/{table_id}", "en": "/en/datasets/{slug}/tables/{table_id}"},
    "table_settings": {
        "sv": "/datamangder/{slug}/tabeller/{table_id}/installningar",
        "en": "/en/datasets/{slug}/tables/{table_id}/settings",
    },
    "table_status": {
        "sv": "/datamangder/{slug}/tabeller/{table_id}/status",
        "en": "/en/datasets/{slug}/tables/{table_id}/status",
    },
    "discussions": {"sv": "/datamangder/{slug}/diskussioner", "en": "/en/datasets/{slug}/discussions"},
    "discussion": {
        "sv": "/datamangder/{slug}/diskussioner/{discussion_id}",
        "en": "/en/datasets/{slug}/discussions/{discussion_id}",
    },
    "organizations": {"sv": "/organisationer", "en": "/en/organisations"},
    "organization": {"sv": "/organisationer/{slug}", "en": "/en/organisations/{slug}"},
    "login": {"sv": "/logga-in", "en": "/en/login"},
    "logout": {"sv": "/logga-ut", "en": "/en/logout"},
    "account": {"sv": "/konto", "en": "/en/account"},
    "accessibility": {"sv": "/tillganglighet", "en": "/en/accessibility"},
    "requests": {"sv": "/dataforfragningar", "en": "/en/data-requests"},
    # the fixed addresses under /dataforfragningar before /dataforfragningar/{request_id}
    "request_new": {"sv": "/dataforfragningar/ny", "en": "/en/data-requests/new"},
    "request_sent": {"sv": "/dataforfragningar/skickad", "en": "/en/data-requests/sent"},
    "request_confirm": {"sv": "/dataforfragningar/bekrafta", "en": "/en/data-requests/confirm"},
    "request": {"sv": "/dataforfragningar/{request_id}", "en": "/en/data-requests/{request_id}"},
    "report": {"sv": "/anmal/{kind}/{target_id}", "en": "/en/report/{kind}/{target_id}"},
    "register": {"sv": "/registrera", "en": "/en/register"},
    "moderation": {"sv": "/moderering", "en": "/en/moderation"},
    "reuses": {"sv": "/tillampningar", "en": "/en/reuses"},
    "reuse_new": {"sv": "/tillampningar/ny", "en": "/en/reuses/new"},
    "reuse": {"sv": "/tillampningar/{reuse_id}", "en": "/en/reuses/{reuse_id}"},
    "demand": {"sv": "/efterfragan", "en": "/en/demand"},
    "harvest_sources": {"sv": "/skordning", "en": "/en/harvesting"},
    "harvest_source_new": {"sv": "/skordning/ny", "en": "/en/harvesting/new"},
    "harvest_source": {"sv": "/skordning/{source_id}", "en": "/en/harvesting/{source_id}"},
    "harvest_run": {
        "sv": "/skordning/{source_id}/korningar/{run_id}",
        "en": "/en/harvesting/{source_id}/runs/{run_id}",
    },
    "quality": {"sv": "/kvalitet", "en": "/en/quality"},
}
# Pages whose query is not carried over to the other language: where to go after login, a one-time link.
_PRIVATE_QUERY: frozenset[PageName] = frozenset({"login", "register", "request_confirm"})


def url(name: PageName, lang: Lang, **params: str) -> str:
    """The path of a page in a language, with its parameters quoted."""
    return PAGES[name][lang].format(**{key: quote(value, safe="") for key, value in params.items()})


@cache
def _pattern(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)))


def page_of(path: str) -> tuple[PageName, dict[str, str]] | None:
    """The page a path shows and its parameters, or None for a path that is no page."""
    lang = lang_of_path(path)
    for name, paths in PAGES.items():
        match = _pattern(paths[lang]).fullmatch(path)
        if match:
            return name, {key: unquote(value) for key, value in match.groupdict().items()}
    return None


def counterpart(path: str, query: str = "") -> str:
    """The same page in the other language (with the same query), or the other language's home page."""
    target = other_lang(lang_of_path(path))
    found = page_of(path)
    if found is None or found[0] == "logout":
        return url("home", target)
    name, params = found
    return url(name, target, **params) + (f"?{query}" if query and name not in _PRIVATE_QUERY else "")


def add_page(
    router: APIRouter, name: PageName, methods: Sequence[str] = ("GET",)
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated handler at the page's Swedish and English paths."""

    def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        for lang, path in PAGES[name].items():
            router.add_api_route(
                path, endpoint, methods=list(methods), name=f"{name}_{'_'.join(methods).lower()}_{lang}",
                response_class=HTMLResponse,
            )  # fmt: skip
        return endpoint

    return register


def parse_id(text: str, what: str) -> uuid.UUID:
    """The id in a path or a form field; NotFound (the 404 page) for text that is no id."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound(f"no {what} '{text}'") from None


def is_safe_next(target: str) -> bool:
    """A path on this site to return to after login; never another host."""
    return target.startswith("/") and not target.startswith(("//", "/\\")) and "\n" not in target

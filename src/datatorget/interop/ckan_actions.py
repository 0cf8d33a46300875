"""The read-only CKAN Action API v3 subset: one function per action, and CKAN's error types.

Each action takes the caller's context and the parameters as CKAN receives them (a JSON body, or query
or form fields, whose values are then text) and gives the `result`. The API router (api/routers/ckan.py)
wraps it in CKAN's envelope. Every error is one of our domain errors; `ckan_error` gives its CKAN shape.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datatorget import __version__
from datatorget.catalog.datasets import get_dataset
from datatorget.catalog.models import Dataset, DatasetKeyword, DatasetTheme, Distribution, Organization
from datatorget.catalog.organizations import list_organizations
from datatorget.catalog.permissions import Viewer, can_see, visible_datasets
from datatorget.catalog.vocabulary import vocabulary
from datatorget.config import Settings
from datatorget.errors import (
    Conflict,
    DatatorgetError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from datatorget.interop import ckan_datastore
from datatorget.interop.ckan_packages import (
    group_dict,
    group_name,
    license_id,
    organization_dict,
    package_dict,
    resource_dict,
    tag_dict,
)
from datatorget.interop.ckan_query import SearchQueryError
from datatorget.interop.ckan_search import (
    DEFAULT_FACET_LIMIT,
    DEFAULT_ROWS,
    DEFAULT_SORT,
    MAX_ROWS,
    PackageSearch,
    search_packages,
)
from datatorget.store.sql import SqlRefused
from datatorget.store.sql_process import SqlProcesses

CKAN_VERSION = "2.10.4"  # the CKAN whose Action API this one follows
MAX_LIST = 1_000


class UnknownAction(DatatorgetError):
    """An action this portal does not have (every write action among them): CKAN answers 400."""

    status = 400


class BadRequest(DatatorgetError):
    """A body that is not a JSON object, or parameters CKAN could not read at all."""

    status = 400


@dataclass(frozen=True)
class ActionContext:
    session: Session
    viewer: Viewer
    settings: Settings
    duck: duckdb.DuckDBPyConnection
    sql: SqlProcesses


Params = Mapping[str, Any]
Action = Callable[[ActionContext, Params], Any]
ACTIONS: dict[str, Action] = {}


def action(function: Action) -> Action:
    ACTIONS[function.__name__] = function
    return function


def run_action(name: str, context: ActionContext, params: Params) -> Any:
    """The `result` of the action `name`; UnknownAction when there is none."""
    found = ACTIONS.get(name)
    if found is None:
        raise UnknownAction(f"Action name not known: {name}")
    return found(context, params)


def help_text(name: str) -> str:
    return inspect.getdoc(ACTIONS[name]) or ""


def ckan_error(exc: DatatorgetError) -> tuple[int, dict[str, Any]]:
    """The HTTP status and CKAN `error` object of one of our errors, as CKAN's API would answer it."""
    if isinstance(exc, UnknownAction | BadRequest):
        return 400, {"__type": "Bad Request", "message": f"Bad request - {exc}"}
    if isinstance(exc, NotFound):
        return 404, {"__type": "Not Found Error", "message": f"Not found: {exc}"}
    if isinstance(exc, NotAuthenticated | PermissionDenied):
        return 403, {"__type": "Authorization Error", "message": f"Access denied: {exc}"}
    if isinstance(exc, SearchQueryError):
        return 409, {"__type": "Search Query Error", "message": f"Search Query is invalid: {exc}"}
    if isinstance(exc, ValidationFailed | Conflict):
        return 409, {"__type": "Validation Error", **(exc.errors or {"message": [str(exc)]})}
    return exc.status, {"__type": "Error", "message": str(exc)}


# --- parameters as CKAN reads them ---------------------------------------------------------------------

TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off", ""})


def _flag(params: Params, key: str, default: bool = False) -> bool:
    value = params.get(key, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise ValidationFailed({key: ["Value must be one of: true, false"]})


def _number(params: Params, key: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    value = params.get(key, default)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 12:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed({key: ["Invalid integer"]})
    if value < minimum:
        raise ValidationFailed({key: [f"Must be at least {minimum}"]})
    return value if maximum is None else min(value, maximum)


def _text(params: Params, key: str, default: str = "") -> str:
    value = params.get(key, default)
    if value is None:
        return default
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise ValidationFailed({key: ["Must be a string"]})


def _required(params: Params, *keys: str) -> str:
    """The first of `keys` that is given; CKAN's "Missing value" under the first otherwise."""
    for key in keys:
        if params.get(key) not in (None, ""):
            return _text(params, key)
    raise ValidationFailed({keys[0]: ["Missing value"]})


def _json(params: Params, key: str, default: Any) -> Any:
    """A list or object given as such (JSON body) or as JSON text (query string, form)."""
    value = params.get(key, default)
    if isinstance(value, str):
        try:
            return orjson.loads(value) if value.strip() else default
        except orjson.JSONDecodeError:
            raise ValidationFailed({key: ["Must be valid JSON"]}) from None
    return value


def _strings(params: Params, key: str) -> list[str]:
    """A list of strings: a JSON list (or its text), or comma-separated text."""
    value = params.get(key)
    if isinstance(value, str) and not value.strip().startswith("["):
        return [part.strip() for part in value.split(",") if part.strip()]
    found = _json(params, key, [])
    if not isinstance(found, list) or not all(isinstance(item, str) for item in found):
        raise ValidationFailed({key: ["Must be a list of strings"]})
    return found


# --- the site ------------------------------------------------------------------------------------------


@action
def status_show(context: ActionContext, params: Params) -> dict[str, Any]:
    """The site and the CKAN API version this portal answers as."""
    return {
        "site_title": "Datatorget",
        "site_description": "",
        "site_url": context.settings.base_url,
        "ckan_version": CKAN_VERSION,
        "datatorget_version": __version__,
        "error_emails_to": None,
        "locale_default": "sv",
        "extensions": ["datastore"],
    }


@action
def help_show(context: ActionContext, params: Params) -> str:
    """What an action does. Parameters: name."""
    name = _required(params, "name")
    if name not in ACTIONS:
        raise NotFound(f"Action function not found: {name}")
    return help_text(name)


# --- datasets ------------------------------------------------------------------------------------------


def _published(viewer: Viewer) -> Any:
    return visible_datasets(viewer) & (Dataset.state == "published")


@action
def package_list(context: ActionContext, params: Params) -> list[str]:
    """The names of the published datasets, A–Z. Parameters: limit, offset."""
    limit = _number(params, "limit", MAX_LIST * 100, minimum=0)
    offset = _number(params, "offset", 0)
    names = select(Dataset.slug).where(_published(context.viewer)).order_by(Dataset.slug)
    return list(context.session.scalars(names.limit(limit).offset(offset)))


@action
def package_search(context: ActionContext, params: Params) -> dict[str, Any]:
    """Search the datasets. Parameters: q, fq, fq_list, rows (at most 1000), start, sort, facet.field,
    facet.limit, include_private, include_drafts. See the interoperability guide for the query syntax."""
    fq = [_text(params, "fq"), *_strings(params, "fq_list")]
    search = PackageSearch(
        q=_text(params, "q"),
        fq=[f for f in fq if f.strip()],
        rows=_number(params, "rows", DEFAULT_ROWS, maximum=MAX_ROWS),
        start=_number(params, "start", 0),
        sort=_text(params, "sort") or DEFAULT_SORT,
        facet_fields=_strings(params, "facet.field"),
        facet_limit=_number(params, "facet.limit", DEFAULT_FACET_LIMIT, minimum=-1),
        include_private=_flag(params, "include_private"),
        include_drafts=_flag(params, "include_drafts"),
    )
    found = search_packages(context.session, search, context.viewer)
    base_url = context.settings.base_url
    items = _facet_items(context.session, found.facets)
    return {
        "count": found.count,
        "sort": search.sort,
        "results": [package_dict(d, base_url=base_url) for d in found.datasets],
        "facets": {name: {item["name"]: item["count"] for item in listed} for name, listed in items.items()},
        "search_facets": {name: {"title": name, "items": listed} for name, listed in items.items()},
    }


def _facet_items(
    session: Session, facets: dict[str, list[tuple[str, int]]]
) -> dict[str, list[dict[str, Any]]]:
    """Each facet's values as CKAN's items; the organisations' names read in one query."""
    slugs = [value for value, _count in facets.get("organization", [])]
    names = select(Organization.slug, Organization.name).where(Organization.slug.in_(slugs))
    titles: dict[str, str] = dict(session.execute(names).all()) if slugs else {}
    return {
        name: [_facet_item(name, value, count, titles) for value, count in values]
        for name, values in facets.items()
    }


def _facet_item(facet: str, value: str, count: int, titles: dict[str, str]) -> dict[str, Any]:
    name, display = value, value
    if facet == "groups":
        group = group_dict(value)
        name, display = group["name"], group["display_name"]
    elif facet == "license_id":
        name = license_id(value)
        term = vocabulary("licenses").get(value)
        display = term.label_in("en") if term else value
    elif facet == "organization":
        display = titles.get(value) or value
    return {"name": name, "display_name": display, "count": count}


@action
def package_show(context: ActionContext, params: Params) -> dict[str, Any]:
    """One dataset. Parameters: id (its name or id)."""
    dataset = get_dataset(context.session, _required(params, "id", "name_or_id"), context.viewer)
    return package_dict(dataset, base_url=context.settings.base_url)


@action
def resource_show(context: ActionContext, params: Params) -> dict[str, Any]:
    """One resource (a distribution). Parameters: id."""
    ref = _required(params, "id")
    try:
        distribution = context.session.get(Distribution, uuid.UUID(ref))
    except ValueError:
        distribution = None
    if distribution is None or not can_see(context.viewer, distribution.dataset):
        raise NotFound(f"no resource '{ref}'")
    position = distribution.dataset.distributions.index(distribution)
    return resource_dict(distribution, base_url=context.settings.base_url, position=position)


@action
def tag_list(context: ActionContext, params: Params) -> list[Any]:
    """The keywords of the published datasets, in every language. Parameters: query (part of a tag),
    all_fields. Tags belong to no vocabulary: with vocabulary_id the list is empty."""
    if params.get("vocabulary_id"):
        return []
    query = _text(params, "query").casefold()
    words = (
        select(DatasetKeyword.keyword)
        .join(Dataset, Dataset.id == DatasetKeyword.dataset_id)
        .where(_published(context.viewer))
        .distinct()
    )
    names = sorted(word for word in context.session.scalars(words) if query in word.casefold())
    return [tag_dict(name) for name in names] if _flag(params, "all_fields") else names


# --- organisations and groups --------------------------------------------------------------------------


def _organization_counts(context: ActionContext) -> dict[uuid.UUID, int]:
    counts = (
        select(Dataset.organization_id, func.count())
        .where(_published(context.viewer))
        .group_by(Dataset.organization_id)
    )
    return {organization_id: int(n) for organization_id, n in context.session.execute(counts)}


def _listed(
    params: Params, items: list[dict[str, Any]], *, default_sort: str = "title asc"
) -> list[dict[str, Any]]:
    """Sorted, filtered by `organizations`/`groups` names, paged with limit and offset, as CKAN lists."""
    wanted = set(_strings(params, "organizations") + _strings(params, "groups"))
    if wanted:
        items = [item for item in items if item["name"] in wanted]
    sort = (_text(params, "sort") or default_sort).split()
    key, descending = sort[0], len(sort) > 1 and sort[1].lower() == "desc"
    if key not in ("name", "title", "package_count") or len(sort) > 2:
        raise ValidationFailed({"sort": ["Sort by name, title or package_count, asc or desc"]})
    if key == "package_count":
        items = sorted(items, key=lambda item: item["package_count"], reverse=descending)
    elif key == "name" or descending:
        items = sorted(items, key=lambda item: item[key], reverse=descending)
    offset = _number(params, "offset", 0)
    return items[offset : offset + _number(params, "limit", MAX_LIST, maximum=MAX_LIST)]


@action
def organization_list(context: ActionContext, params: Params) -> list[Any]:
    """The organisations (publishers). Parameters: all_fields, sort (name, title or package_count, asc or
    desc), limit, offset, organizations (names to keep)."""
    counts = _organization_counts(context)
    items = [
        organization_dict(o, package_count=counts.get(o.id, 0))
        for o, _n in list_organizations(context.session, context.viewer)
    ]
    listed = _listed(params, items)
    return listed if _flag(params, "all_fields") else [item["name"] for item in listed]


@action
def organization_show(context: ActionContext, params: Params) -> dict[str, Any]:
    """One organisation. Parameters: id (its name or id), include_datasets (up to 1000 published ones)."""
    ref = _required(params, "id")
    try:
        found = context.session.get(Organization, uuid.UUID(ref))
    except ValueError:
        found = context.session.scalar(select(Organization).where(Organization.slug == ref))
    if found is None:
        raise NotFound(f"no organization '{ref}'")
    result = organization_dict(found, package_count=_organization_counts(context).get(found.id, 0))
    if _flag(params, "include_datasets"):
        result["packages"] = _packages(context, f'organization:"{found.slug}"')
    return result


def _packages(context: ActionContext, fq: str) -> list[dict[str, Any]]:
    """The first MAX_ROWS datasets of the filter the viewer may see, A–Z, as packages (`include_datasets`)."""
    search = PackageSearch(fq=[fq], rows=MAX_ROWS, sort="name asc")
    datasets = search_packages(context.session, search, context.viewer).datasets
    return [package_dict(d, base_url=context.settings.base_url) for d in datasets]


def _theme_counts(context: ActionContext) -> dict[str, int]:
    counts = (
        select(DatasetTheme.code, func.count())
        .join(Dataset, Dataset.id == DatasetTheme.dataset_id)
        .where(_published(context.viewer))
        .group_by(DatasetTheme.code)
    )
    return {code: int(n) for code, n in context.session.execute(counts)}


@action
def group_list(context: ActionContext, params: Params) -> list[Any]:
    """The themes of the EU's data theme vocabulary, as groups. Parameters: all_fields, sort, limit, offset,
    groups (names to keep)."""
    counts = _theme_counts(context)
    items = [group_dict(code, package_count=counts.get(code, 0)) for code in vocabulary("themes")]
    listed = _listed(params, sorted(items, key=lambda item: item["title"]))
    return listed if _flag(params, "all_fields") else [item["name"] for item in listed]


@action
def group_show(context: ActionContext, params: Params) -> dict[str, Any]:
    """One theme as a group. Parameters: id (its name, theme code or IRI), include_datasets."""
    ref = _required(params, "id")
    themes = vocabulary("themes")
    code = next((c for c, t in themes.items() if ref in (group_name(c), c, t.uri)), None)
    if code is None:
        raise NotFound(f"no group '{ref}'")
    result = group_dict(code, package_count=_theme_counts(context).get(code, 0))
    if _flag(params, "include_datasets"):
        result["packages"] = _packages(context, f"groups:{group_name(code)}")
    return result


# --- the DataStore -------------------------------------------------------------------------------------


@action
def datastore_search(context: ActionContext, params: Params) -> dict[str, Any]:
    """Rows of a resource's table. Parameters: resource_id, filters, q, fields, sort, limit (at most 10000),
    offset, include_total, records_format (objects, lists, csv or tsv)."""
    filters = _json(params, "filters", {})
    if not isinstance(filters, dict):
        raise ValidationFailed({"filters": ["Must be a JSON object"]})
    q = params.get("q") or ""
    if isinstance(q, str) and q.strip().startswith("{"):
        q = _json(params, "q", {})
    if not isinstance(q, str | dict):
        raise ValidationFailed({"q": ["Must be a string or a JSON object"]})
    search = ckan_datastore.DatastoreSearch(
        resource_id=_required(params, "resource_id", "id"),
        filters=filters,
        q=q,
        fields=_strings(params, "fields"),
        sort=_text(params, "sort"),
        limit=_number(params, "limit", ckan_datastore.DEFAULT_LIMIT),
        offset=_number(params, "offset", 0),
        include_total=_flag(params, "include_total", True),
        records_format=_text(params, "records_format", "objects"),
    )
    tables_dir = context.settings.tables_dir
    return ckan_datastore.search_rows(
        context.session, context.duck, search, context.viewer, tables_dir=tables_dir
    )


@action
def datastore_search_sql(context: ActionContext, params: Params) -> dict[str, Any]:
    """A read-only SQL query over the published tables. Parameters: sql. Name a table by its resource id in
    double quotes, as in CKAN, or by its SQL name."""
    sql = _required(params, "sql")
    tables, names = ckan_datastore.sql_tables(context.session, context.settings.tables_dir)
    settings = context.settings
    try:
        result = context.sql.run(
            ckan_datastore.with_table_names(sql, names),
            tables=tables,
            max_rows=settings.sql_max_rows,
            timeout_s=settings.sql_timeout_s,
        )
    except SqlRefused as exc:
        raise ckan_datastore.refused_query(exc) from exc
    return ckan_datastore.sql_body(sql, result)

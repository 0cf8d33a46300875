"""What the table page shows of one table version. The rows, the chart's numbers and whether there is a map
come from the store's own query functions (`store.query`, `store.aggregate`), the ones the data API runs,
so the page and the API never disagree; this module only turns their results into words and links.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import duckdb
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import object_session

from datatorget.catalog.tables import ReadableVersion
from datatorget.errors import ValidationFailed
from datatorget.store.aggregate import (
    aggregate_rows,
    facet_counts,
    parse_aggregate_request,
    parse_facet_request,
)
from datatorget.store.export import XLSX_MAX_ROWS
from datatorget.store.models import TableVersion
from datatorget.store.params import JSON_TYPES, find_geometry, parse_rows_request, schema_columns
from datatorget.store.query import RowsPage, read_rows
from datatorget.store.versions import version_summaries
from datatorget.web.charts import MAX_BARS, MAX_POINTS, ChartPlan, bar_chart, line_chart, plan_chart
from datatorget.web.formatting import format_number
from datatorget.web.i18n import Lang, Translator
from datatorget.web.table_page import TableQuery, canonical, filter_label, operator_options, parse_table_query
from datatorget.web.table_views import (
    NUMERIC,
    column_titles,
    format_value,
    report_view,
    stats_view,
    versions_view,
)

PAGE_SIZE = 25
ROWS_AREA = "rows-area"  # the part of the page htmx swaps when the rows change
MAX_PAGE_SIZE = 500
MAP_ROWS = 5000
# A filtered page counts its matching rows up to this many ("rows 1-25 of 1 234"); beyond, it gives no total
# ("rows 1-25"): a count that stops early stays fast on a large table, where a full one would scan it all.
COUNT_LIMIT = 100_000
# (file ending, extra parameters, the words for it); GeoJSON only for tables with places
EXPORTS: tuple[tuple[str, tuple[tuple[str, str], ...], str], ...] = (
    ("csv", (), "csv"),
    ("csv", (("_excel", "true"),), "csv_excel"),
    ("xlsx", (), "xlsx"),
    ("json", (), "json"),
    ("ndjson", (), "ndjson"),
    ("geojson", (), "geojson"),
    ("parquet", (), "parquet"),
)


def page_content(
    request: Request,
    urls: dict[str, str],
    readable: ReadableVersion | None,
    duck: duckdb.DuckDBPyConnection,
    lang: Lang,
    *,
    map_tiles: dict[str, str],
) -> dict[str, Any] | Response:
    """The page's content for the version (None: the table has none yet), or the redirect to the address
    the filter form means when it was sent."""
    if readable is None:
        return {"version": None, "rows": None, "chart": None, "map": None}
    t = Translator(lang)
    version = readable.version
    schema = version.table_schema
    fields: list[dict[str, Any]] = list(schema.get("fields", []))
    types = {str(f["name"]): str(f.get("type") or "string") for f in fields}
    pairs = request.query_params.multi_items()
    wanted = canonical(pairs, types)
    if wanted is not None:
        return RedirectResponse(wanted.link(urls["page"]), status_code=303)
    query = parse_table_query(pairs)
    titles = column_titles(schema, lang)
    rows_error = None
    try:
        page, rows_query = _read(duck, readable, query)
    except ValidationFailed as exc:
        rows_error = t("table.filter.error", names=", ".join(exc.errors) or "?")
        query = TableQuery(tuple(p for p in query.params if p[0] == "_version"))
        page, rows_query = _read(duck, readable, query)
    is_current = version.number == readable.table.current_version
    pinned = [] if is_current else [("_version", str(version.number))]
    api = urls["api"]
    geometry = find_geometry(schema_columns(schema))
    filtered = bool(query.filters(list(types)) or query.get("_q") or query.get("_bbox"))
    return {
        "version": {
            "number": version.number,
            "created_at": version.created_at,
            "row_count": version.row_count,
            "column_count": len(fields),
            "is_current": is_current,
        },
        "rows": _rows_view(page, rows_query, types, titles, urls["page"], t),
        "rows_error": rows_error,
        "status": 400 if rows_error else 200,
        "query": _query_view(query, types, titles, urls["page"], t),
        "operators": operator_options(t),
        "column_labels": titles,
        "column_descriptions": _descriptions(fields, lang),
        "stats": stats_view(version.stats, lang),
        "report": report_view(version.report, lang),
        # htmx swaps only the rows when a sort link or the pager is followed: no chart is needed then
        "chart": None
        if request.headers.get("HX-Target") == ROWS_AREA
        else _chart(duck, readable, fields, lang),
        "map": _map(api, query, pinned, lang, map_tiles) if geometry else None,
        "downloads": _downloads(api, pinned, geometry is not None, version.row_count, t),
        "filtered_downloads": (
            # without a total, the version's rows are as many as the filtered ones can be
            _downloads(api, query.export_params(), geometry is not None, _at_most(page, version.row_count), t)
            if filtered
            else []
        ),
        "versions": _versions(readable, urls["page"], lang),
        "urls": {
            "schema": api + (f"?version={version.number}" if pinned else ""),
            "api_rows": _address(f"{api}/rows", pinned),
        },
    }


def _versions(readable: ReadableVersion, page: str, lang: Lang) -> list[dict[str, Any]]:
    """Every version with the link that shows it (the current one at the page's own address)."""
    current = readable.table.current_version
    return [
        v | {"url": page if v["number"] == current else f"{page}?_version={v['number']}"}
        for v in versions_view(_summaries(readable), readable.version.number, lang)
    ]


def _summaries(readable: ReadableVersion) -> list[TableVersion]:
    session = object_session(readable.table)
    assert session is not None
    return version_summaries(session, readable.table.distribution_id)


def _read(
    duck: duckdb.DuckDBPyConnection, readable: ReadableVersion, query: TableQuery
) -> tuple[RowsPage, TableQuery]:
    """The page of rows the query asks for, read as the data API reads it, with the total when it is known
    or counted within COUNT_LIMIT."""
    asked = query if query.get("_size") else query.replaced(add=[("_size", str(PAGE_SIZE))])
    version = readable.version
    rows_request = parse_rows_request(asked.params, version.table_schema, max_size=MAX_PAGE_SIZE)
    page = read_rows(duck, readable.path, version.table_schema, rows_request, version=version.number,
                     row_count=version.row_count, count_limit=COUNT_LIMIT)  # fmt: skip
    return page, asked


def _at_most(page: RowsPage, row_count: int) -> int:
    """How many rows match at most: the total when known, else every row of the version."""
    return page.total if page.total is not None else row_count


def _address(base: str, params: list[tuple[str, str]]) -> str:
    return base + (f"?{urlencode(params)}" if params else "")


def _rows_view(
    page: RowsPage, query: TableQuery, types: dict[str, str], titles: dict[str, str], base: str, t: Translator
) -> dict[str, Any]:
    """The rows as text, each column with the link that sorts by it, and links to the pages around."""
    lang = t.lang
    size = int(query.get("_size") or PAGE_SIZE)
    offset = int(query.get("_offset") or 0)
    sort = query.sort()
    first_sort = sort[0] if sort else None
    columns = []
    for column in page.columns:
        state = None
        if first_sort and first_sort[0] == column.name:
            state = "descending" if first_sort[1] else "ascending"
        sortable = column.type not in JSON_TYPES
        columns.append({
            "name": column.name,
            "label": titles.get(column.name, column.name),
            "numeric": column.type in NUMERIC,
            "sort": state,
            "sort_url": query.sorted_by(column.name).link(base) if sortable else None,
            "sort_hint": t("table.sort_descending" if state == "ascending" else "table.sort_ascending"),
        })  # fmt: skip
    records = [[format_value(value, lang) for value in row] for row in page.rows]
    first, last = offset + 1, offset + len(records)
    total = page.total
    numbers = {
        "first": format_number(first, lang),
        "last": format_number(last, lang),
        "total": format_number(total or 0, lang),
    }
    if not records:
        status = t("table.rows_none")
    elif total is not None:
        status = t("table.rows_status", **numbers)
    else:
        status = t("table.rows_status_open", first=numbers["first"], last=numbers["last"])
    caption = status
    if first_sort:
        label = titles.get(first_sort[0], first_sort[0])
        caption += " " + t("table.sorted_desc" if first_sort[1] else "table.sorted_asc", column=label)
    return {
        "columns": columns,
        "records": records,
        "first": first,
        "first_text": numbers["first"],
        "caption": caption,
        "status": status,
        "previous_url": query.at_offset(max(offset - size, 0)).link(base) if offset > 0 else None,
        "next_url": query.at_offset(page.next_offset).link(base) if page.next_offset is not None else None,
    }


def _query_view(
    query: TableQuery, types: dict[str, str], titles: dict[str, str], base: str, t: Translator
) -> dict[str, Any]:
    """The search words and the filters in force, each filter with the link that removes it; the fields the
    filter form carries along so that sending it keeps them."""
    filters = query.filters(list(types))
    return {
        "q": query.get("_q") or "",
        "filters": [
            {
                "label": filter_label(f, titles.get(f.column, f.column), t),
                "remove_url": query.without(f.param).link(base),
            }
            for f in filters
        ],
        "hidden": [(key, value) for key, value in query.params if key not in ("_q", "_offset", "_after")],
        "clear_url": query.replaced(
            drop=[k for k, _v in query.params if not k.startswith("_")] + ["_q", "_offset"]
        ).link(base),
    }


def _descriptions(fields: list[dict[str, Any]], lang: Lang) -> list[tuple[str, str]]:
    """Each column's description in the page's language, where the publisher gave one."""
    found = []
    for field in fields:
        texts = field.get("descriptions") or {}
        text = texts.get(lang) or texts.get("sv") or field.get("description")
        if text:
            found.append((str(field["name"]), str(text)))
    return found


def _chart(
    duck: duckdb.DuckDBPyConnection, readable: ReadableVersion, fields: list[dict[str, Any]], lang: Lang
) -> dict[str, Any] | None:
    """The quick chart of the whole version, with the numbers it shows for its table."""
    version = readable.version
    plan = plan_chart(fields, version.stats, version.row_count, can_group=True)
    if plan is None:
        return None
    t = Translator(lang)
    if plan.kind == "line":
        return _line(duck, readable, plan, t)
    return _bar(duck, readable, plan, t)


def _bar(
    duck: duckdb.DuckDBPyConnection, readable: ReadableVersion, plan: ChartPlan, t: Translator
) -> dict[str, Any] | None:
    lang = t.lang
    stats = {s["name"]: s for s in readable.version.stats or []}
    if plan.complete_top:
        counted = [(top["value"], int(top["count"])) for top in stats[plan.column].get("top") or []]
    else:
        schema = readable.version.table_schema
        request = parse_facet_request([("_facet", plan.column), ("_size", str(MAX_BARS))], schema)
        counted = facet_counts(duck, readable.path, schema, request).values
    values = [
        (format_value(v, lang) if v is not None else t("table.chart.empty"), float(n)) for v, n in counted
    ]
    drawn = bar_chart(values, lang)
    if drawn is None:
        return None
    return {
        "svg": drawn,
        "title": t("table.chart.bar_title", column=plan.column),
        "description": t.plural("table.chart.bar_description", len(values), column=plan.column),
        "x_header": plan.column,
        "y_header": t("table.chart.rows"),
        "data": [(bar.label, bar.value_text) for bar in drawn.bars],
    }


def _line(
    duck: duckdb.DuckDBPyConnection, readable: ReadableVersion, plan: ChartPlan, t: Translator
) -> dict[str, Any] | None:
    assert plan.value is not None
    lang = t.lang
    schema = readable.version.table_schema
    params = [("_group", json.dumps([plan.column])), ("_agg", json.dumps([f"avg:{plan.value}"])),
              ("_size", str(MAX_POINTS))]  # fmt: skip
    result = aggregate_rows(duck, readable.path, schema, parse_aggregate_request(params, schema))
    values = [(_iso(day), float(mean)) for day, mean in result.rows if day is not None and mean is not None]
    drawn = line_chart(values, lang)
    if drawn is None:
        return None
    return {
        "svg": drawn,
        "title": t("table.chart.line_title", value=plan.value, date=plan.column),
        "description": t.plural("table.chart.line_description", len(values), first=values[0][0],
                                last=values[-1][0]) + (" " + t("table.chart.truncated") if result.truncated else ""),
        "x_header": plan.column,
        "y_header": t("table.chart.mean_of", value=plan.value),
        "data": [(point.label, point.value_text) for point in drawn.points],
    }  # fmt: skip


def _iso(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _map(
    api: str, query: TableQuery, pinned: list[tuple[str, str]], lang: Lang, tiles: dict[str, str]
) -> dict[str, Any]:
    """The map's data address: the rows the filters pick, as GeoJSON from the data API."""
    params = [p for p in query.export_params() if p[0] not in ("_cols", "_sort", "_version")]
    return {
        "geojson_url": _address(f"{api}/rows.geojson", [*params, *pinned, ("_size", str(MAP_ROWS))]),
        "tile_url": tiles["url"],
        "attribution": tiles["attribution"],
        "limit_text": format_number(MAP_ROWS, lang),
    }


def _downloads(
    api: str, params: list[tuple[str, str]], is_geo: bool, row_count: int, t: Translator
) -> list[dict[str, str]]:
    """A link for every export format, for the same rows (`params`)."""
    found = []
    for ext, extra, name in EXPORTS:
        if (ext == "geojson" and not is_geo) or (ext == "xlsx" and row_count > XLSX_MAX_ROWS):
            continue
        found.append({
            "href": _address(f"{api}/rows.{ext}", [*params, *extra]),
            "label": t(f"table.download.{name}"),
            "hint": t(f"table.download.{name}.hint"),
        })  # fmt: skip
    return found

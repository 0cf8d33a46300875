"""The rows of a table: pages as JSON, downloads in six formats, group-by aggregates and facet counts.

Each route reads the query string as a list of pairs, finds the table version the caller may read, and
hands both to the store (store/params.py, query.py, export.py, aggregate.py), which the HTML table page
calls too.
Every answer, errors included, carries `Access-Control-Allow-Origin: *`: open data may be read by any site.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from datatorget.api import errors
from datatorget.catalog.tables import VersionToRead, version_to_read
from datatorget.deps import DuckDep, ReaderViewer, SessionDep, SettingsDep
from datatorget.errors import DatatorgetError, ValidationFailed
from datatorget.store.aggregate import (
    aggregate_rows,
    facet_counts,
    parse_aggregate_request,
    parse_facet_request,
)
from datatorget.store.cursor import cursor_version
from datatorget.store.export import (
    check_xlsx_size,
    csv_stream,
    export_file,
    file_chunks,
    geojson_stream,
    json_bytes,
    json_rows,
    json_stream,
    ndjson_stream,
    open_rows,
    page_body,
    write_parquet,
    write_xlsx,
)
from datatorget.store.params import (
    EXPORT_PARAMETERS,
    FILTER_PARAMETERS,
    PAGE_PARAMETERS,
    RowsRequest,
    parse_rows_request,
    requested_version,
)
from datatorget.store.query import RowsPage, read_rows

CORS = {"Access-Control-Allow-Origin": "*"}


class DataRoute(APIRoute):
    """A route of the data API: its answers, errors included, may be read by pages on any site."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_cors(request: Request) -> Response:
            try:
                response = await handler(request)
            except (DatatorgetError, RequestValidationError, HTTPException) as exc:
                response = await errors.handle(request, exc)
            response.headers.update(CORS)
            return response

        return with_cors


router = APIRouter(tags=["rows"], route_class=DataRoute)


# --- the table version asked for -----------------------------------------------------------------------


@dataclass(frozen=True)
class TableFile(VersionToRead):
    """The version of a table a request reads, and the request's query string as pairs."""

    pinned: bool  # the request named the version, or its cursor did
    params: list[tuple[str, str]]


def query_pairs(request: Request) -> list[tuple[str, str]]:
    """The query string as (name, value) pairs, in order; 422 when its percent-encoding is not UTF-8."""
    raw = request.scope.get("query_string", b"").decode("latin-1")
    try:
        parse_qsl(raw, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            {"query": ["the query string is not valid UTF-8 once percent-decoded"]}
        ) from exc
    return request.query_params.multi_items()


def table_file(
    table_id: uuid.UUID, request: Request, session: SessionDep, viewer: ReaderViewer, settings: SettingsDep
) -> TableFile:
    """The version the caller asked for (`_version`, or `version` when no column has that name; else the
    one its cursor was made in) if they may see it; 404 otherwise. A cursor and a `_version` that differ
    are refused when the request is parsed."""
    params = query_pairs(request)
    asked = requested_version(params, None) or cursor_version(params)
    found = version_to_read(session, table_id, viewer, tables_dir=settings.tables_dir, version=asked)
    if asked is None and (alias := requested_version(params, found.schema)) is not None:
        asked = alias
        found = version_to_read(session, table_id, viewer, tables_dir=settings.tables_dir, version=alias)
    return TableFile(**vars(found), pinned=asked is not None, params=params)


TableDep = Annotated[TableFile, Depends(table_file)]


# --- pages of rows -------------------------------------------------------------------------------------


class ColumnOut(BaseModel):
    name: str
    type: str = Field(description="Table Schema type: string, integer, number, boolean, date, datetime, ...")


class RowsOut(BaseModel):
    """A page of rows (documentation of the body; it is written by orjson, not by this model)."""

    columns: list[ColumnOut]
    total: int | None = Field(
        description="Rows matching the filters: null unless known without counting or `_total=true`."
    )
    next: str | None = Field(description="The address of the next page; null on the last page.")
    next_cursor: str | None = Field(description="The `_after` value of the next page; null on the last page.")
    rows: list[dict[str, Any]] | list[list[Any]] = Field(
        description="Objects keyed by column name, or arrays with `_shape=arrays`. Dates and times in ISO 8601; "
        "GeoJSON, object and array columns as JSON."
    )


FILTERS_HELP = """
Filter with `column=value` or `column__op=value`, op one of `eq`, `ne`, `lt`, `lte`, `gt`, `gte`,
`in` (comma-separated, or a JSON array), `contains`, `startswith` (both ignore case), `isnull` (`true`/`false`).
Values are read as the column's type (decimal point, ISO dates). Our own parameters start with `_`.
"""
PARAMETER_HELP = {
    "_q": 'Words that must each appear (ignoring case) in some text column; "quote" phrases.',
    "_sort": "Columns to sort by, comma-separated; `-column` for descending. Empty cells last.",
    "_cols": "The columns to give, comma-separated, in this order.",
    "_size": "Rows per page: 100 unless given, at most 10000. In downloads: all rows unless given.",
    "_after": "A page's `next_cursor`: the rows after it, in the version of that page.",
    "_offset": "Skip this many rows (instead of `_after`).",
    "_shape": "`objects` (default) or `arrays`.",
    "_bbox": "min_x,min_y,max_x,max_y: rows whose geometry (GeoJSON column, or longitude/latitude) is within.",
    "_version": "Read this version of the table (also `version=` when no column is called version).",
    "_total": "`true`: count the rows that match (`total`).",
    "_excel": "`true`: CSV for Excel with Swedish settings: `;`, decimal comma, byte order mark.",
    "_dialect": "`excel` is the same as `_excel=true`.",
    "_group": "Columns to group by, comma-separated.",
    "_agg": "count, count:column, sum:column, avg:column, min:column, max:column; comma-separated.",
    "_facet": "The column whose values are counted.",
}


def documented(*names: str) -> dict[str, Any]:
    """OpenAPI for parameters we read from the query string ourselves."""
    return {"parameters": [{"name": name, "in": "query", "required": False, "schema": {"type": "string"},
                            "description": PARAMETER_HELP[name]} for name in names]}  # fmt: skip


def next_url(base_url: str, table: TableFile, page: RowsPage) -> str | None:
    """The address of the page after `page`: the same parameters, the version pinned, the next position."""
    if page.next_cursor is None:
        return None
    by_offset = any(name == "_offset" and value.strip() for name, value in table.params)
    kept = [(name, value) for name, value in table.params if name not in ("_after", "_offset")]
    if not table.pinned:
        kept.append(("_version", str(table.version)))
    kept.append(("_offset", str(page.next_offset)) if by_offset else ("_after", page.next_cursor))
    return f"{base_url}/api/v1/tables/{table.id}/rows?{urlencode(kept)}"


@router.get(
    "/tables/{table_id}/rows",
    summary="Rows of a table, a page at a time: filter, search, sort, choose columns",
    description=FILTERS_HELP,
    response_model=None,
    responses={200: {"model": RowsOut, "description": "A page of rows"}},
    openapi_extra=documented(*sorted(PAGE_PARAMETERS)),
)
def rows_page(table: TableDep, http: Request, duck: DuckDep, settings: SettingsDep) -> Response:
    request = parse_rows_request(table.params, table.schema)
    http.app.state.demand.count_table_use(table.id, "api")
    page = read_rows(
        duck, table.path, table.schema, request, version=table.version, row_count=table.row_count
    )
    body = page_body(page, shape=request.shape, next_url=next_url(settings.base_url, table, page))
    return Response(body, media_type="application/json")


# --- downloads -----------------------------------------------------------------------------------------


def file_name(table: TableFile, ext: str) -> str:
    """The table's SQL name (letters, digits, _), with the version when one was asked for."""
    return f"{table.sql_name}{f'_v{table.version}' if table.pinned else ''}.{ext}"


def download(chunks: Iterator[bytes], media_type: str, table: TableFile, ext: str) -> StreamingResponse:
    disposition = f'attachment; filename="{file_name(table, ext)}"'
    return StreamingResponse(chunks, media_type=media_type, headers={"Content-Disposition": disposition})


def export_request(table: TableFile, *extra: str) -> RowsRequest:
    return parse_rows_request(
        table.params, table.schema, max_size=None, accept=EXPORT_PARAMETERS | set(extra)
    )


def file_response(table: TableFile, media_type: str, ext: str) -> FileResponse:
    return FileResponse(table.path, media_type=media_type, filename=file_name(table, ext))


def described(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media_type: {}}, "description": what}}


@router.get(
    "/tables/{table_id}/rows.csv",
    summary="All rows (or the filtered ones) as CSV",
    description=FILTERS_HELP,
    response_class=StreamingResponse,
    responses=described("text/csv", "UTF-8 CSV with a header row"),
    openapi_extra=documented(*sorted(EXPORT_PARAMETERS), "_excel", "_dialect"),
)
def rows_csv(table: TableDep, http: Request, duck: DuckDep) -> StreamingResponse:
    request = export_request(table, "_excel", "_dialect")
    http.app.state.demand.count_table_use(table.id, "download")
    rows = open_rows(duck, table.path, table.schema, request)
    return download(csv_stream(rows, excel=request.excel), "text/csv; charset=utf-8", table, "csv")


@router.get(
    "/tables/{table_id}/rows.ndjson",
    summary="All rows (or the filtered ones) as newline-delimited JSON",
    description=FILTERS_HELP,
    response_class=StreamingResponse,
    responses=described("application/x-ndjson", "One JSON object per line"),
    openapi_extra=documented(*sorted(EXPORT_PARAMETERS), "_shape"),
)
def rows_ndjson(table: TableDep, http: Request, duck: DuckDep) -> StreamingResponse:
    request = export_request(table, "_shape")
    http.app.state.demand.count_table_use(table.id, "download")
    rows = open_rows(duck, table.path, table.schema, request)
    return download(ndjson_stream(rows, shape=request.shape), "application/x-ndjson", table, "ndjson")


@router.get(
    "/tables/{table_id}/rows.json",
    summary="All rows (or the filtered ones) as one JSON array of objects",
    description=FILTERS_HELP,
    response_class=StreamingResponse,
    responses=described("application/json", "A JSON array of row objects (arrays with `_shape=arrays`)"),
    openapi_extra=documented(*sorted(EXPORT_PARAMETERS), "_shape"),
)
def rows_json(table: TableDep, http: Request, duck: DuckDep) -> StreamingResponse:
    request = export_request(table, "_shape")
    http.app.state.demand.count_table_use(table.id, "download")
    rows = open_rows(duck, table.path, table.schema, request)
    return download(json_stream(rows, shape=request.shape), "application/json", table, "json")


@router.get(
    "/tables/{table_id}/rows.geojson",
    summary="All rows (or the filtered ones) as a GeoJSON FeatureCollection",
    description=FILTERS_HELP + "\nThe geometry is the first GeoJSON column, or a point from longitude and "
    "latitude columns (lon/lng/long/longitud/longitude/x, lat/latitud/latitude/y). 422 when there is none.",
    response_class=StreamingResponse,
    responses=described("application/geo+json", "A FeatureCollection"),
    openapi_extra=documented(*sorted(EXPORT_PARAMETERS)),
)
def rows_geojson(table: TableDep, http: Request, duck: DuckDep) -> StreamingResponse:
    request = export_request(table)
    http.app.state.demand.count_table_use(table.id, "download")
    rows = open_rows(duck, table.path, table.schema, request, geometry=True)
    return download(geojson_stream(rows), "application/geo+json", table, "geojson")


PARQUET = "application/vnd.apache.parquet"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/tables/{table_id}/rows.parquet",
    summary="All rows (or the filtered ones) as Parquet",
    description=FILTERS_HELP,
    response_model=None,
    responses=described(PARQUET, "A Parquet file with the column types of the table"),
    openapi_extra=documented(*sorted(EXPORT_PARAMETERS)),
)
def rows_parquet(table: TableDep, http: Request, duck: DuckDep, settings: SettingsDep) -> Response:
    request = export_request(table)
    http.app.state.demand.count_table_use(table.id, "download")
    if request.is_whole_table:
        return file_response(table, PARQUET, "parquet")
    target = export_file(settings.work_dir, ".parquet",
                         lambda path: write_parquet(duck, table.path, table.schema, request, path))  # fmt: skip
    return download(file_chunks(target, remove=True), PARQUET, table, "parquet")


@router.get(
    "/tables/{table_id}/rows.xlsx",
    summary="All rows (or the filtered ones) as an Excel workbook (at most 1,048,575 rows)",
    description=FILTERS_HELP,
    response_class=StreamingResponse,
    responses=described(XLSX, "An Excel workbook with one sheet"),
    openapi_extra=documented(*sorted(EXPORT_PARAMETERS)),
)
def rows_xlsx(table: TableDep, http: Request, duck: DuckDep, settings: SettingsDep) -> StreamingResponse:
    request = export_request(table)
    http.app.state.demand.count_table_use(table.id, "download")
    check_xlsx_size(duck, table.path, table.schema, request, row_count=table.row_count)

    def write(path: Path) -> None:
        write_xlsx(open_rows(duck, table.path, table.schema, request), path, sheet=table.sql_name)

    return download(
        file_chunks(export_file(settings.work_dir, ".xlsx", write), remove=True), XLSX, table, "xlsx"
    )


# --- summaries -----------------------------------------------------------------------------------------


class AggregateOut(BaseModel):
    columns: list[ColumnOut] = Field(description="The group columns, then one per aggregate, named as asked.")
    rows: list[dict[str, Any]]
    truncated: bool = Field(description="There were more groups than `_size`.")


class FacetValue(BaseModel):
    value: Any
    count: int


class FacetOut(BaseModel):
    column: str
    type: str
    values: list[FacetValue] = Field(description="The most common values first; an empty cell is null.")
    truncated: bool = Field(description="The column has more values than `_size`.")


@router.get(
    "/tables/{table_id}/aggregate",
    summary="Group rows and aggregate them: count, sum, avg, min, max",
    description=FILTERS_HELP + "\n`_sort` sorts by the result's columns (`-count`); `_size` groups (1000, at "
    "most 10000).",
    response_model=None,
    responses={200: {"model": AggregateOut, "description": "One row per group"}},
    openapi_extra=documented("_group", "_agg", "_sort", "_size", *sorted(FILTER_PARAMETERS)),
)
def aggregate(table: TableDep, http: Request, duck: DuckDep) -> Response:
    request = parse_aggregate_request(table.params, table.schema)
    http.app.state.demand.count_table_use(table.id, "api")
    result = aggregate_rows(duck, table.path, table.schema, request)
    body = {"columns": [{"name": c.name, "type": c.type} for c in result.columns],
            "rows": json_rows(result.columns, result.rows), "truncated": result.truncated}  # fmt: skip
    return Response(json_bytes(body), media_type="application/json")


@router.get(
    "/tables/{table_id}/facets",
    summary="The most common values of a column, with their counts",
    description=FILTERS_HELP + "\n`_size` values (20, at most 1000).",
    response_model=None,
    responses={200: {"model": FacetOut, "description": "Values and counts"}},
    openapi_extra=documented("_facet", "_size", *sorted(FILTER_PARAMETERS)),
)
def facets(table: TableDep, http: Request, duck: DuckDep) -> Response:
    request = parse_facet_request(table.params, table.schema)
    http.app.state.demand.count_table_use(table.id, "api")
    result = facet_counts(duck, table.path, table.schema, request)
    body = {"column": result.column.name, "type": result.column.type, "truncated": result.truncated,
            "values": [{"value": value, "count": count} for value, count in result.values]}  # fmt: skip
    return Response(json_bytes(body), media_type="application/json")

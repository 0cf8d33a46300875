"""Read-only SQL over the published tables: `GET /sql` answers JSON, `GET /sql.csv` CSV.

Each published table is a view named by its `sql_name`; the sandbox and its limits are in store/sql.py, the
processes it runs in in store/sql_process.py. Every refusal is a 422 with the reason under `errors.sql`; when
every SQL process stays busy, a 503 with `Retry-After`. Answers, errors included, carry
`Access-Control-Allow-Origin: *` (the data API's `DataRoute`), so any site may query the portal.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from datatorget.api.errors import problem
from datatorget.api.routers.rows import DataRoute
from datatorget.catalog.tables import published_tables
from datatorget.deps import SessionDep, SettingsDep
from datatorget.store.export import json_bytes, neutralise
from datatorget.store.sql import SqlResult, unique_names
from datatorget.store.sql_process import SqlBusy, SqlProcesses

router = APIRouter(tags=["sql"], route_class=DataRoute)

PROCESSES_LOCK = threading.Lock()
CSV_BATCH = 1_000

SqlText = Annotated[
    str,
    Query(
        description="One SELECT query (WITH, UNION, DESCRIBE and SUMMARIZE too) over the published tables, "
        "each named by its `sql_name`. At most 100 kB.",
        examples=["SELECT * FROM badplatser LIMIT 10"],
    ),
]


class SqlOut(BaseModel):
    """The result of a query (documentation of the body; it is written by orjson, not by this model)."""

    columns: list[str]
    types: list[str] = Field(description="DuckDB's type of each column: VARCHAR, BIGINT, DATE, ...")
    rows: list[list[Any] | dict[str, Any]] = Field(
        description="Arrays of values, or objects with `_shape=objects`. Dates and times as ISO 8601 text, "
        "decimals as numbers, BLOBs as hex, JSON as JSON, GEOMETRY as GeoJSON, integers beyond 64 bits exact."
    )
    truncated: bool = Field(description="True when the query gave more rows than the limit returned here.")
    elapsed_ms: float


def sql_processes(request: Request, settings: SettingsDep) -> SqlProcesses:
    """The app's SQL processes, made on first use and kept on the app's state (`sql_processes`) for every
    later request; the app's shutdown may `close()` them, and they end with the server in any case."""
    state = request.app.state
    with PROCESSES_LOCK:
        processes: SqlProcesses | None = getattr(state, "sql_processes", None)
        if processes is None:
            processes = SqlProcesses(settings)
            state.sql_processes = processes
    return processes


ProcessesDep = Annotated[SqlProcesses, Depends(sql_processes)]


def query_result(sql: str, session: SessionDep, settings: SettingsDep, processes: ProcessesDep) -> SqlResult:
    """Run `sql` over the current version of every table in a published dataset."""
    tables = published_tables(session, settings.tables_dir)
    return processes.run(sql, tables=tables, max_rows=settings.sql_max_rows, timeout_s=settings.sql_timeout_s)


def busy(exc: SqlBusy) -> Response:
    """The 503 answer when no SQL process was free in time, saying when to try again."""
    response = problem(exc.status, str(exc))
    response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


@router.get(
    "/sql",
    summary="Run a read-only SQL query over the published tables (JSON)",
    response_model=SqlOut,
    responses={
        422: {"description": "Not one SELECT over the published tables, or over a limit"},
        503: {"description": "Every SQL process stayed busy; try again after `Retry-After` seconds"},
    },
)
def sql_json(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    processes: ProcessesDep,
    sql: SqlText = "",
    shape: Annotated[Literal["arrays", "objects"], Query(alias="_shape")] = "arrays",
) -> Response:
    try:
        result = query_result(sql, session, settings, processes)
    except SqlBusy as exc:
        return busy(exc)
    request.app.state.demand.count_sql(sql)
    return Response(json_body(result, shape), media_type="application/json")


@router.get(
    "/sql.csv",
    summary="Run a read-only SQL query over the published tables (CSV)",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}}, "description": "The `X-Truncated` header says if cut"},
        503: {"description": "Every SQL process stayed busy; try again after `Retry-After` seconds"},
    },
)
def sql_csv(
    request: Request, session: SessionDep, settings: SettingsDep, processes: ProcessesDep, sql: SqlText = ""
) -> Response:
    try:
        result = query_result(sql, session, settings, processes)
    except SqlBusy as exc:
        return busy(exc)
    request.app.state.demand.count_sql(sql)
    headers = {"X-Truncated": str(result.truncated).lower(), "Access-Control-Expose-Headers": "X-Truncated"}
    return StreamingResponse(csv_chunks(result), media_type="text/csv; charset=utf-8", headers=headers)


def json_body(result: SqlResult, shape: str) -> bytes:
    """The JSON body of `GET /sql`: rows as arrays, or as objects keyed by (de-duplicated) column name."""
    rows: Sequence[Any] = result.rows
    if shape == "objects":
        names = unique_names(result.columns)
        rows = [dict(zip(names, row, strict=True)) for row in result.rows]
    return json_bytes(
        {
            "columns": result.columns,
            "types": result.types,
            "rows": rows,
            "truncated": result.truncated,
            "elapsed_ms": result.elapsed_ms,
        }
    )


def csv_chunks(result: SqlResult) -> Iterator[bytes]:
    """UTF-8 CSV with a header row, a batch of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(column) for column in result.columns])
    for start in range(0, max(len(result.rows), 1), CSV_BATCH):
        writer.writerows([csv_cell(value) for value in row] for row in result.rows[start : start + CSV_BATCH])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


def csv_cell(value: Any) -> Any:
    """A value as CSV text: empty for null, JSON for lists and structs, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, list | tuple | dict):
        return json_bytes(value).decode("utf-8")
    if isinstance(value, Decimal | int | float):
        return value
    return str(value)

"""Renderings of rows: the JSON body of a page, and the downloads of a whole result.

CSV, NDJSON, JSON and GeoJSON are generators of bytes that fetch from DuckDB a batch at a time, so a
download of any size needs the memory of one batch. XLSX and Parquet cannot be written front to back as a
stream (a zip; a footer), so they are written to a temporary file that is then streamed and removed.

Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
get a leading ' in CSV and XLSX (OWASP's advice on CSV injection); numbers are left as they are.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import orjson
import xlsxwriter  # type: ignore[import-untyped]

from datatorget.errors import ValidationFailed
from datatorget.store.connection import sql_string
from datatorget.store.params import JSON_TYPES, Column, Geometry, RowsRequest
from datatorget.store.query import RowsPage, count_rows, export_query, open_table

BATCH_ROWS = 2_000
FILE_CHUNK = 1024 * 1024
XLSX_MAX_ROWS = 1_048_575  # a sheet has 1,048,576 rows, one of them the header
XLSX_MAX_COLUMNS = 16_384
EXACT_IN_A_DOUBLE = 2**53
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_TYPES = frozenset({"string"}) | JSON_TYPES

Batches = Iterator[list[tuple[Any, ...]]]


# --- JSON ----------------------------------------------------------------------------------------------


def json_bytes(value: Any) -> bytes:
    """`value` as JSON: dates and times as ISO 8601 text, NaN and infinities as null, integers of any size
    exact."""
    try:
        return orjson.dumps(value, default=_json_default)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits (a HUGEINT column, a sum)
        return orjson.dumps(_exact_integers(value), default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _exact_integers(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
        return orjson.Fragment(str(value))
    if isinstance(value, dict):
        return {key: _exact_integers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_exact_integers(item) for item in value]
    return value


def json_rows(
    columns: Sequence[Column], rows: Sequence[tuple[Any, ...]], shape: str = "objects"
) -> list[Any]:
    """Rows ready for orjson: objects keyed by column name (or arrays), JSON columns as JSON, not text."""
    names = [c.name for c in columns]
    embedded = [index for index, c in enumerate(columns) if c.type in JSON_TYPES]
    found: list[Any] = []
    for row in rows:
        if embedded:
            row = _embed_json(row, embedded)
        found.append(dict(zip(names, row, strict=True)) if shape == "objects" else row)
    return found


def _embed_json(row: tuple[Any, ...], indexes: Sequence[int]) -> tuple[Any, ...]:
    cells = list(row)
    for index in indexes:
        if cells[index] is not None:
            cells[index] = orjson.Fragment(cells[index])
    return tuple(cells)


def page_body(page: RowsPage, *, shape: str = "objects", next_url: str | None = None) -> bytes:
    """The JSON body of `GET /tables/{id}/rows`: columns, total (null when not counted), the next page,
    rows."""
    return json_bytes(
        {
            "columns": [{"name": c.name, "type": c.type} for c in page.columns],
            "total": page.total,
            "next": next_url,
            "next_cursor": page.next_cursor,
            "rows": json_rows(page.columns, page.rows, shape),
        }
    )


# --- a whole result, a batch at a time -----------------------------------------------------------------


@dataclass(frozen=True)
class RowStream:
    """The rows of a result, fetched as they are read. With `geometry`, each row ends with the GeoJSON
    column's text, or with longitude and latitude."""

    columns: tuple[Column, ...]
    batches: Batches
    geometry: Geometry | None = None


def open_rows(
    cursor: duckdb.DuckDBPyConnection,
    path: Path,
    schema: Mapping[str, Any],
    request: RowsRequest,
    *,
    geometry: bool = False,
) -> RowStream:
    """Start the query of the whole result (before any byte is sent, so that errors can still be told);
    `geometry` asks for the places too, and fails with ValidationFailed when the table has none."""
    table = open_table(cursor, path, schema)
    place = table.geometry() if geometry else None
    if geometry and place is None:
        raise ValidationFailed(
            {"format": ["this table has no GeoJSON column and no latitude and longitude columns, so it "
                        "cannot be given as GeoJSON; download it as CSV or JSON instead"]}
        )  # fmt: skip
    query = export_query(table, request, geometry=geometry)
    result = cursor.execute(query.sql, query.params)
    return RowStream(request.columns, _batches(result), place)


def _batches(result: duckdb.DuckDBPyConnection) -> Batches:
    while batch := result.fetchmany(BATCH_ROWS):
        yield batch


def ndjson_stream(rows: RowStream, *, shape: str = "objects") -> Iterator[bytes]:
    """One JSON object (or array) per line."""
    for batch in rows.batches:
        yield b"".join(json_bytes(item) + b"\n" for item in json_rows(rows.columns, batch, shape))


def json_stream(rows: RowStream, *, shape: str = "objects") -> Iterator[bytes]:
    """One JSON array of row objects (or arrays)."""
    yield b"["
    separator = b""
    for batch in rows.batches:
        yield separator + json_bytes(json_rows(rows.columns, batch, shape))[1:-1]
        separator = b","
    yield b"]"


def geojson_stream(rows: RowStream) -> Iterator[bytes]:
    """A FeatureCollection: the geometry of each row (a Point from longitude and latitude), the other
    columns as properties. Coordinates are given as stored."""
    geometry = rows.geometry
    assert geometry is not None
    kept = [index for index, c in enumerate(rows.columns) if c.name != geometry.geojson]
    properties = tuple(rows.columns[index] for index in kept)
    yield b'{"type":"FeatureCollection","features":['
    separator = b""
    for batch in rows.batches:
        features = [
            {"type": "Feature", "geometry": _geometry(row, geometry), "properties": values}
            for row, values in zip(
                batch, json_rows(properties, [tuple(row[i] for i in kept) for row in batch]), strict=True
            )
        ]
        yield separator + json_bytes(features)[1:-1]
        separator = b","
    yield b"]}"


def _geometry(row: tuple[Any, ...], geometry: Geometry) -> Any:
    if geometry.geojson is not None:
        return None if row[-1] is None else orjson.Fragment(row[-1])
    longitude, latitude = row[-2], row[-1]
    if longitude is None or latitude is None:
        return None
    return {"type": "Point", "coordinates": [longitude, latitude]}


# --- CSV -----------------------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made plain text with a leading '."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_stream(rows: RowStream, *, excel: bool = False) -> Iterator[bytes]:
    """UTF-8 CSV with a header. `excel`: for Excel set to Swedish, with `;` between fields, decimal
    commas and a byte order mark (so that Excel reads it as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    writer.writerow([neutralise(c.name) for c in rows.columns])
    yield (("\ufeff" if excel else "") + buffer.getvalue()).encode("utf-8")
    converters = [(i, f) for i, c in enumerate(rows.columns) if (f := _csv_converter(c.type, excel))]
    for batch in rows.batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_converted(row, converters) for row in batch)
        yield buffer.getvalue().encode("utf-8")


def _converted(row: tuple[Any, ...], converters: Sequence[tuple[int, Callable[[Any], str]]]) -> Sequence[Any]:
    if not converters:
        return row
    cells = list(row)
    for index, convert in converters:
        if cells[index] is not None:
            cells[index] = convert(cells[index])
    return cells


def _csv_converter(kind: str, excel: bool) -> Callable[[Any], str] | None:
    """How a column's values are written, when the csv module's own str() is not what we want."""
    if kind in TEXT_TYPES:
        return neutralise
    if kind == "boolean":
        return lambda value: "true" if value else "false"
    if kind == "datetime":
        return lambda value: value.isoformat(sep=" " if excel else "T")
    if kind == "number" and excel:
        return lambda value: repr(value).replace(".", ",")
    return None


# --- files: XLSX and Parquet ---------------------------------------------------------------------------


def export_file(work_dir: Path, suffix: str, write: Callable[[Path], None]) -> Path:
    """A new file in `work_dir` that `write` fills; removed again if writing fails."""
    folder = work_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}{suffix}"
    try:
        write(target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def file_chunks(path: Path, *, remove: bool = False) -> Generator[bytes]:
    """The bytes of a file, a chunk at a time; with `remove` the file is deleted once read (or abandoned)."""
    try:
        with path.open("rb") as file:
            while chunk := file.read(FILE_CHUNK):
                yield chunk
    finally:
        if remove:
            path.unlink(missing_ok=True)


def write_parquet(
    cursor: duckdb.DuckDBPyConnection,
    path: Path,
    schema: Mapping[str, Any],
    request: RowsRequest,
    target: Path,
) -> None:
    """The whole result as a Parquet file, with the column types of the stored file."""
    query = export_query(open_table(cursor, path, schema), request, typed=True)
    cursor.execute(
        f"COPY ({query.sql}) TO '{sql_string(str(target))}' (FORMAT parquet, COMPRESSION zstd)", query.params
    )


def check_xlsx_size(
    cursor: duckdb.DuckDBPyConnection,
    path: Path,
    schema: Mapping[str, Any],
    request: RowsRequest,
    *,
    row_count: int | None = None,
) -> None:
    """ValidationFailed when the result does not fit in one Excel sheet."""
    if len(request.columns) > XLSX_MAX_COLUMNS:
        raise ValidationFailed({"_cols": [f"an Excel sheet takes at most {XLSX_MAX_COLUMNS} columns"]})
    rows = count_rows(cursor, path, schema, request, row_count=row_count)
    if rows > XLSX_MAX_ROWS:
        raise ValidationFailed(
            {"format": [f"the result has {rows} rows and an Excel sheet takes at most {XLSX_MAX_ROWS}: "
                        "download it as CSV (rows.csv?_excel=true opens in Excel), or filter it"]}
        )  # fmt: skip


def write_xlsx(rows: RowStream, target: Path, *, sheet: str = "data") -> None:
    """The rows as one sheet of an Excel workbook, written row by row (constant memory): numbers, dates
    and booleans as such, a bold header row that stays in view."""
    workbook = xlsxwriter.Workbook(
        str(target),
        {"constant_memory": True, "remove_timezone": True, "nan_inf_to_errors": True,
         "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )  # fmt: skip
    try:
        worksheet = workbook.add_worksheet(sheet[:31])
        header = workbook.add_format({"bold": True})
        for index, column in enumerate(rows.columns):
            worksheet.write_string(0, index, neutralise(column.name), header)
            worksheet.set_column(index, index, min(max(len(column.name), 10), 50) + 2)
        worksheet.freeze_panes(1, 0)
        formats = {kind: workbook.add_format({"num_format": pattern}) for kind, pattern in
                   (("date", "yyyy-mm-dd"), ("datetime", "yyyy-mm-dd hh:mm:ss"), ("time", "hh:mm:ss"))}  # fmt: skip
        writers = [_xlsx_writer(worksheet, c.type, formats.get(c.type)) for c in rows.columns]
        number = 1
        for batch in rows.batches:
            for row in batch:
                for index, (write, value) in enumerate(zip(writers, row, strict=True)):
                    if value is not None:
                        write(number, index, value)
                number += 1
    finally:
        workbook.close()


XlsxWriter = Callable[[int, int, Any], Any]


def _xlsx_writer(worksheet: Any, kind: str, cell_format: Any) -> XlsxWriter:
    """How a column's values go into cells: each type with its own xlsxwriter method."""
    if kind == "integer":
        return lambda r, c, v: (
            worksheet.write_number(r, c, v)
            if abs(v) < EXACT_IN_A_DOUBLE
            else worksheet.write_string(r, c, str(v))
        )
    if kind == "number":
        return lambda r, c, v: worksheet.write_number(r, c, v)
    if kind == "boolean":
        return lambda r, c, v: worksheet.write_boolean(r, c, v)
    if kind in ("date", "datetime", "time"):
        return lambda r, c, v: (
            worksheet.write_datetime(r, c, v, cell_format)
            if isinstance(v, time) or v.year >= 1900  # Excel has no dates before 1900
            else worksheet.write_string(r, c, v.isoformat())
        )
    return lambda r, c, v: worksheet.write_string(r, c, neutralise(str(v)))

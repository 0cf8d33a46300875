"""Downloads of a whole result: streamed CSV, NDJSON, JSON and GeoJSON; XLSX and Parquet via a file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import openpyxl  # type: ignore[import-untyped]
import orjson
import pytest

from datatorget.config import Settings
from datatorget.errors import ValidationFailed
from datatorget.store import export
from datatorget.store.connection import connect, sql_string
from datatorget.store.export import (
    RowStream,
    check_xlsx_size,
    csv_stream,
    export_file,
    file_chunks,
    geojson_stream,
    json_bytes,
    json_stream,
    ndjson_stream,
    open_rows,
    page_body,
    write_parquet,
    write_xlsx,
)
from datatorget.store.params import parse_rows_request
from datatorget.store.query import read_rows

PLACES = """
SELECT * FROM (VALUES
    ('Sandviken', 59.5, 17.25, 120, DATE '2024-06-01', TIMESTAMP '2024-06-01 08:30:00', true,
     '{"type":"Point","coordinates":[17.25,59.5]}'),
    ('=SUM(A1:A2)', -1.5, NULL, -3, NULL, NULL, false, NULL),
    ('-10', NULL, 18.0, NULL, DATE '1850-01-01', NULL, NULL, '{"type":"Point","coordinates":[18,59]}')
) AS t("namn", "latitud", "longitud", "djup", "öppnar", "uppdaterad", "hundar", "plats")
"""
PLACES_SCHEMA = {"fields": [
    {"name": "namn", "type": "string"}, {"name": "latitud", "type": "number"},
    {"name": "longitud", "type": "number"}, {"name": "djup", "type": "integer"},
    {"name": "öppnar", "type": "date"}, {"name": "uppdaterad", "type": "datetime"},
    {"name": "hundar", "type": "boolean"}, {"name": "plats", "type": "geojson"},
]}  # fmt: skip
NO_PLACES_SCHEMA = {"fields": [{"name": "namn", "type": "string"}]}


@pytest.fixture
def duck(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(settings)
    yield connection
    connection.close()


def write_table(duck: duckdb.DuckDBPyConnection, path: Path, select: str) -> Path:
    duck.execute(f"COPY ({select}) TO '{sql_string(str(path))}' (FORMAT parquet)")
    return path


@pytest.fixture
def places(duck: duckdb.DuckDBPyConnection, tmp_path: Path) -> Path:
    return write_table(duck, tmp_path / "places.parquet", PLACES)


def rows(
    duck: duckdb.DuckDBPyConnection,
    path: Path,
    params: list[tuple[str, str]] = (),  # type: ignore[assignment]
    schema: dict[str, Any] = PLACES_SCHEMA,
    *,
    geometry: bool = False,
) -> RowStream:
    request = parse_rows_request(list(params), schema, max_size=None)
    return open_rows(duck, path, schema, request, geometry=geometry)


def text(chunks: Iterator[bytes]) -> str:
    return b"".join(chunks).decode("utf-8")


# --- CSV -----------------------------------------------------------------------------------------------


def test_csv_has_a_header_and_a_line_per_row_with_iso_dates(duck: Any, places: Path) -> None:
    written = text(csv_stream(rows(duck, places, [("_cols", "namn,djup,öppnar,uppdaterad,hundar")])))
    assert written == (
        "namn,djup,öppnar,uppdaterad,hundar\r\n"
        "Sandviken,120,2024-06-01,2024-06-01T08:30:00,true\r\n"
        "'=SUM(A1:A2),-3,,,false\r\n"
        "'-10,,1850-01-01,,\r\n"
    )


def test_csv_for_excel_has_semicolons_decimal_commas_and_a_byte_order_mark(duck: Any, places: Path) -> None:
    written = text(csv_stream(rows(duck, places, [("_cols", "namn,latitud,uppdaterad")]), excel=True))
    assert written == (
        "\ufeffnamn;latitud;uppdaterad\r\nSandviken;59,5;2024-06-01 08:30:00\r\n'=SUM(A1:A2);-1,5;\r\n'-10;;\r\n"
    )


def test_csv_neutralises_formulas_in_text_but_leaves_negative_numbers_alone(duck: Any, places: Path) -> None:
    parsed = list(csv.reader(io.StringIO(text(csv_stream(rows(duck, places, [("_cols", "namn,djup")]))))))
    assert parsed[2:] == [["'=SUM(A1:A2)", "-3"], ["'-10", ""]]


def test_csv_quotes_cells_with_commas_quotes_and_line_breaks(duck: Any, tmp_path: Path) -> None:
    path = write_table(duck, tmp_path / "t.parquet", "SELECT 'a, \"b\"\nc' AS namn")
    assert text(csv_stream(rows(duck, path, schema=NO_PLACES_SCHEMA))) == 'namn\r\n"a, ""b""\nc"\r\n'


def test_a_large_result_streams_in_batches(duck: Any, tmp_path: Path) -> None:
    path = write_table(duck, tmp_path / "t.parquet", "SELECT 'rad ' || i AS namn FROM range(5000) t(i)")
    chunks = list(csv_stream(rows(duck, path, schema=NO_PLACES_SCHEMA)))
    assert len(chunks) == 1 + -(-5000 // export.BATCH_ROWS)  # the header, then one chunk per batch
    assert b"".join(chunks).count(b"\r\n") == 5001


def test_the_size_limits_a_download_only_when_given(duck: Any, tmp_path: Path) -> None:
    path = write_table(duck, tmp_path / "t.parquet", "SELECT 'rad ' || i AS namn FROM range(20000) t(i)")
    assert text(csv_stream(rows(duck, path, schema=NO_PLACES_SCHEMA))).count("\r\n") == 20001
    assert text(csv_stream(rows(duck, path, [("_size", "3")], NO_PLACES_SCHEMA))).count("\r\n") == 4


def test_a_download_may_start_at_an_offset_or_after_a_cursor(duck: Any, tmp_path: Path) -> None:
    path = write_table(duck, tmp_path / "t.parquet", "SELECT 'rad ' || i AS namn FROM range(5) t(i)")
    cursor = read_rows(
        duck, path, NO_PLACES_SCHEMA, parse_rows_request([("_size", "3")], NO_PLACES_SCHEMA), version=1
    )
    assert (
        text(csv_stream(rows(duck, path, [("_offset", "3")], NO_PLACES_SCHEMA)))
        == "namn\r\nrad 3\r\nrad 4\r\n"
    )
    after = [("_after", cursor.next_cursor or "")]
    assert text(csv_stream(rows(duck, path, after, NO_PLACES_SCHEMA))) == "namn\r\nrad 3\r\nrad 4\r\n"


# --- JSON ----------------------------------------------------------------------------------------------


def test_ndjson_has_one_object_per_line(duck: Any, places: Path) -> None:
    lines = text(
        ndjson_stream(rows(duck, places, [("_cols", "namn,öppnar,plats"), ("_size", "2")]))
    ).splitlines()
    assert [orjson.loads(line) for line in lines] == [
        {
            "namn": "Sandviken",
            "öppnar": "2024-06-01",
            "plats": {"type": "Point", "coordinates": [17.25, 59.5]},
        },
        {"namn": "=SUM(A1:A2)", "öppnar": None, "plats": None},
    ]


def test_json_is_one_array_across_batches(duck: Any, tmp_path: Path) -> None:
    path = write_table(duck, tmp_path / "t.parquet", "SELECT i AS n FROM range(4500) t(i)")
    schema = {"fields": [{"name": "n", "type": "integer"}]}
    assert orjson.loads(b"".join(json_stream(rows(duck, path, schema=schema)))) == [
        {"n": i} for i in range(4500)
    ]


def test_json_of_an_empty_result_is_an_empty_array(duck: Any, places: Path) -> None:
    assert b"".join(json_stream(rows(duck, places, [("namn", "ingen")]))) == b"[]"


def test_json_arrays_shape_gives_each_row_as_an_array(duck: Any, places: Path) -> None:
    stream = rows(duck, places, [("_cols", "namn,djup"), ("_size", "1")])
    assert orjson.loads(b"".join(json_stream(stream, shape="arrays"))) == [["Sandviken", 120]]


def test_json_bytes_keeps_integers_beyond_64_bits_exact() -> None:
    assert json_bytes({"sum": 2**70, "nan": float("nan")}) == b'{"sum":1180591620717411303424,"nan":null}'


def test_a_page_body_gives_columns_total_next_and_rows(duck: Any, places: Path) -> None:
    request = parse_rows_request([("_cols", "namn,hundar"), ("_size", "1")], PLACES_SCHEMA)
    page = read_rows(duck, places, PLACES_SCHEMA, request, version=1, row_count=3)
    body = orjson.loads(page_body(page, next_url="http://portal.test/next"))
    assert body == {
        "columns": [{"name": "namn", "type": "string"}, {"name": "hundar", "type": "boolean"}],
        "total": 3,
        "next": "http://portal.test/next",
        "next_cursor": page.next_cursor,
        "rows": [{"namn": "Sandviken", "hundar": True}],
    }


# --- GeoJSON -------------------------------------------------------------------------------------------


def test_geojson_takes_the_geometry_from_the_geojson_column(duck: Any, places: Path) -> None:
    collection = orjson.loads(
        b"".join(geojson_stream(rows(duck, places, [("_cols", "namn")], geometry=True)))
    )
    assert collection == {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [17.25, 59.5]},
             "properties": {"namn": "Sandviken"}},
            {"type": "Feature", "geometry": None, "properties": {"namn": "=SUM(A1:A2)"}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [18, 59]}, "properties": {"namn": "-10"}},
        ],
    }  # fmt: skip


def test_geojson_makes_points_from_longitude_and_latitude_columns(duck: Any, places: Path) -> None:
    schema = {"fields": [f for f in PLACES_SCHEMA["fields"] if f["name"] != "plats"]}
    stream = rows(duck, places, [("_cols", "namn"), ("_size", "2")], schema, geometry=True)
    features = orjson.loads(b"".join(geojson_stream(stream)))["features"]
    assert [f["geometry"] for f in features] == [{"type": "Point", "coordinates": [17.25, 59.5]}, None]


def test_geojson_of_a_table_without_places_is_refused(duck: Any, places: Path) -> None:
    with pytest.raises(ValidationFailed) as refused:
        rows(duck, places, schema=NO_PLACES_SCHEMA, geometry=True)
    assert refused.value.errors == {
        "format": ["this table has no GeoJSON column and no latitude and longitude columns, so it cannot be "
                   "given as GeoJSON; download it as CSV or JSON instead"]
    }  # fmt: skip


# --- XLSX and Parquet ----------------------------------------------------------------------------------


def test_xlsx_has_typed_cells_and_neutralised_formulas(duck: Any, places: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    write_xlsx(rows(duck, places, [("_cols", "namn,djup,latitud,öppnar,hundar")]), target, sheet="badplatser")
    sheet = openpyxl.load_workbook(target, read_only=True)["badplatser"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["namn", "djup", "latitud", "öppnar", "hundar"]
    assert values[1][:3] == ["Sandviken", 120, 59.5]
    assert values[1][3].date().isoformat() == "2024-06-01"
    assert values[1][4] is True
    assert values[2][:3] == ["'=SUM(A1:A2)", -3, -1.5]
    assert values[3][3] == "1850-01-01"  # Excel has no dates before 1900: kept as text


def test_xlsx_refuses_a_result_larger_than_a_sheet(duck: Any, tmp_path: Path) -> None:
    path = write_table(duck, tmp_path / "big.parquet", "SELECT i AS n FROM range(1048576) t(i)")
    schema = {"fields": [{"name": "n", "type": "integer"}]}
    with pytest.raises(ValidationFailed) as refused:
        check_xlsx_size(duck, path, schema, parse_rows_request([], schema, max_size=None))
    assert refused.value.errors == {
        "format": ["the result has 1048576 rows and an Excel sheet takes at most 1048575: download it as CSV "
                   "(rows.csv?_excel=true opens in Excel), or filter it"]
    }  # fmt: skip
    check_xlsx_size(duck, path, schema, parse_rows_request([("n__gt", "0")], schema, max_size=None))


def test_parquet_keeps_the_filters_order_and_column_types(duck: Any, places: Path, tmp_path: Path) -> None:
    request = parse_rows_request([("_cols", "djup,namn"), ("_sort", "-djup"), ("djup__isnull", "false")],
                                 PLACES_SCHEMA, max_size=None)  # fmt: skip
    target = tmp_path / "out.parquet"
    write_parquet(duck, places, PLACES_SCHEMA, request, target)
    read = duck.execute(f"SELECT * FROM read_parquet('{target}')")
    assert [d[0] for d in read.description] == ["djup", "namn"]
    assert read.fetchall() == [(120, "Sandviken"), (-3, "=SUM(A1:A2)")]


def test_an_export_file_is_removed_when_writing_fails(tmp_path: Path) -> None:
    def fail(path: Path) -> None:
        path.write_bytes(b"half")
        raise ValueError("disk full")

    with pytest.raises(ValueError, match="disk full"):
        export_file(tmp_path, ".xlsx", fail)
    assert list((tmp_path / "exports").iterdir()) == []


def three_megabytes(path: Path) -> None:
    path.write_bytes(b"x" * 3_000_000)


def test_a_streamed_export_file_is_removed_once_read(tmp_path: Path) -> None:
    target = export_file(tmp_path, ".parquet", three_megabytes)
    assert len(b"".join(file_chunks(target, remove=True))) == 3_000_000
    assert not target.exists()


def test_an_abandoned_export_file_is_removed_too(tmp_path: Path) -> None:
    target = export_file(tmp_path, ".parquet", three_megabytes)
    chunks = file_chunks(target, remove=True)
    next(chunks)
    chunks.close()
    assert not target.exists()

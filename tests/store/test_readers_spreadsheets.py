"""Reading XLSX and ODS workbooks in as tables: the first sheet with anything in it, its header row under
any titles, Excel dates as dates, codes as text; and refusing zip bombs before anything is unpacked."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
import openpyxl  # type: ignore[import-untyped]
import pytest
import xlsxwriter  # type: ignore[import-untyped]

from datatorget.config import Settings
from datatorget.store.ingest import TableSettings, build_version
from datatorget.store.progress import Progress
from datatorget.store.raw import Limits
from datatorget.store.readers import load_raw
from datatorget.store.report import IngestionFailed
from datatorget.store.sheets import cell_text
from datatorget.store.sniff import detect_format
from tests.store.conftest import Ingest
from tests.store.helpers import rows_of, types_of

Rows = list[list[object]]


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> dt.datetime:
    """A date and time as spreadsheets keep them: with no time zone."""
    return dt.datetime(year, month, day, hour, minute, second, micro)  # noqa: DTZ001


def xlsx(*sheets: tuple[str, Rows]) -> bytes:
    """An XLSX workbook written by openpyxl, one worksheet per (name, rows); rows start at A1."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets:
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


BADPLATSER: Rows = [
    ["Badplatser i Sjöviks kommun 2024"],
    [],
    ["Namn", "Kommunkod", "Temperatur", "Besökare", "Öppnad", "Provtagen", "Tillgänglig"],
    ["Norrstrand", "0180", 18.5, 1234, dt.date(2024, 6, 1), at(2024, 6, 1, 13, 45), True],
    ["Sjöbaden", "0181", 19.25, 12300, dt.date(2024, 6, 15), at(2024, 6, 15, 8, 0), False],
    ["Klippan", "0182", None, 45, dt.date(2024, 7, 1), at(2024, 7, 1, 9, 30, 15), True],
]


def test_a_sheet_with_a_title_above_the_header_gets_the_types_a_person_would_give_it(ingest: Ingest) -> None:
    built = ingest(xlsx(("Badplatser", BADPLATSER)), "badplatser.xlsx")
    assert types_of(built) == {
        "Namn": "string",
        "Kommunkod": "string",
        "Temperatur": "number",
        "Besökare": "integer",
        "Öppnad": "date",
        "Provtagen": "datetime",
        "Tillgänglig": "boolean",
    }


def test_a_sheet_is_read_to_the_right_values(ingest: Ingest, duck: duckdb.DuckDBPyConnection) -> None:
    built = ingest(xlsx(("Badplatser", BADPLATSER)), "badplatser.xlsx")
    assert rows_of(duck, built) == [
        ("Norrstrand", "0180", 18.5, 1234, dt.date(2024, 6, 1), at(2024, 6, 1, 13, 45), True),
        ("Sjöbaden", "0181", 19.25, 12300, dt.date(2024, 6, 15), at(2024, 6, 15, 8, 0), False),
        ("Klippan", "0182", None, 45, dt.date(2024, 7, 1), at(2024, 7, 1, 9, 30, 15), True),
    ]


def test_the_sheet_and_header_row_are_kept_with_the_version_and_the_title_is_noted(ingest: Ingest) -> None:
    built = ingest(xlsx(("Badplatser", BADPLATSER)), "badplatser.xlsx")
    assert built.source == {
        "format": "xlsx",
        "sheet": "Badplatser",
        "header_line": 3,
        "file_name": "badplatser.xlsx",
    }
    assert built.report["counts"] == {"title_rows_skipped": 1}
    assert built.report["problems"][0]["value"] == "Badplatser i Sjöviks kommun 2024"


def test_an_empty_first_sheet_is_passed_over_for_the_first_one_with_data(ingest: Ingest) -> None:
    built = ingest(xlsx(("Om data", []), ("Tabell", [["a", "b"], [1, 2]])), "data.xlsx")
    assert built.source["sheet"] == "Tabell"
    assert types_of(built) == {"a": "integer", "b": "integer"}


def test_a_hidden_sheet_is_passed_over_for_a_visible_one(ingest: Ingest) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Koder"
    workbook.active.append(["kod", "namn"])
    workbook.active.append(["01", "A"])
    workbook.active.sheet_state = "hidden"
    visible = workbook.create_sheet("Data")
    visible.append(["id", "värde"])
    visible.append([1, 2])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert ingest(buffer.getvalue(), "data.xlsx").source["sheet"] == "Data"


def test_a_workbook_without_any_filled_cell_is_refused(ingest: Ingest) -> None:
    with pytest.raises(IngestionFailed) as refused:
        ingest(xlsx(("Blad1", []), ("Blad2", [[None, ""]])), "tom.xlsx")
    assert refused.value.code == "empty_workbook"


def test_empty_rows_and_columns_around_the_table_are_left_out(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["C5"], sheet["D5"] = "namn", "antal"
    sheet["C6"], sheet["D6"] = "A", 1
    sheet["C9"], sheet["D9"] = "B", 2  # empty rows between are no rows of data
    sheet["F20"].number_format = "0.00"  # formatting alone does not widen the table
    buffer = io.BytesIO()
    workbook.save(buffer)
    built = ingest(buffer.getvalue(), "data.xlsx")
    assert types_of(built) == {"namn": "string", "antal": "integer"}
    assert rows_of(duck, built) == [("A", 1), ("B", 2)]


def test_a_row_wider_than_the_header_adds_a_column_named_by_its_position(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    rows: Rows = [["namn", "antal"], *[[f"rad {i}", i] for i in range(30)], ["sist", 31, "anteckning"]]
    built = ingest(xlsx(("Data", rows)), "data.xlsx")
    assert types_of(built) == {"namn": "string", "antal": "integer", "kolumn_3": "string"}
    assert rows_of(duck, built)[-2:] == [("rad 29", 29, None), ("sist", 31, "anteckning")]


def test_a_sheet_wider_than_the_limit_is_refused(ingest: Ingest) -> None:
    rows: Rows = [[f"k{n}" for n in range(12)], list(range(12))]
    with pytest.raises(IngestionFailed) as refused:
        ingest(xlsx(("Data", rows)), "data.xlsx", max_columns=10)
    assert refused.value.code == "too_many_columns"


def test_empty_columns_before_a_table_do_not_count_against_the_limit(ingest: Ingest) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for column in range(30, 33):
        sheet.cell(row=1, column=column, value=f"k{column}")
        sheet.cell(row=2, column=column, value=column)
    buffer = io.BytesIO()
    workbook.save(buffer)
    built = ingest(buffer.getvalue(), "data.xlsx", max_columns=10)
    assert list(types_of(built)) == ["k30", "k31", "k32"]


def test_a_sheet_whose_first_row_is_data_gets_numbered_column_names(ingest: Ingest) -> None:
    built = ingest(
        xlsx(("Data", [[1, 2.5, dt.date(2024, 1, 1)], [2, 3.5, dt.date(2024, 1, 2)]])), "data.xlsx"
    )
    assert types_of(built) == {"kolumn_1": "integer", "kolumn_2": "number", "kolumn_3": "date"}
    assert built.report["counts"] == {}


def test_numbers_are_read_without_binary_noise(ingest: Ingest, duck: duckdb.DuckDBPyConnection) -> None:
    rows: Rows = [["tal"], [0.1], [0.30000000000000004], [1234567.891], [2.0]]
    built = ingest(xlsx(("Data", rows)), "data.xlsx")
    assert [row[0] for row in rows_of(duck, built)] == [0.1, 0.3, 1234567.891, 2.0]


def test_whole_numbers_stored_as_decimals_make_an_integer_column(ingest: Ingest) -> None:
    built = ingest(xlsx(("Data", [["antal"], [1.0], [20.0], [300.0]])), "data.xlsx")
    assert types_of(built) == {"antal": "integer"}


def test_formulas_give_the_results_the_workbook_saved(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "formler.xlsx"
    workbook = xlsxwriter.Workbook(
        str(path)
    )  # openpyxl saves no results of formulas; Excel and xlsxwriter do
    sheet = workbook.add_worksheet("Summor")
    sheet.write_row(0, 0, ["a", "b", "summa", "text"])
    sheet.write_row(1, 0, [1, 2])
    sheet.write_formula(1, 2, "=A2+B2", None, 3)
    sheet.write_formula(1, 3, '="kod "&A2', None, "kod 1")
    workbook.close()
    built = ingest(path.read_bytes(), "formler.xlsx")
    assert rows_of(duck, built) == [(1, 2, 3, "kod 1")]


def test_an_xlsx_file_named_csv_is_read_as_xlsx(ingest: Ingest) -> None:
    built = ingest(xlsx(("Data", [["kod", "antal"], ["0180", 1]])), "data.csv")
    assert built.source["format"] == "xlsx"
    assert types_of(built) == {"kod": "string", "antal": "integer"}


def test_a_csv_file_named_xlsx_is_read_as_csv(ingest: Ingest) -> None:
    built = ingest(b"kod;antal\n0180;1\n", "data.xlsx")
    assert built.source["format"] == "csv"
    assert types_of(built) == {"kod": "string", "antal": "integer"}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("0180", "0180"),
        (0.1, "0.1"),
        (0.1 + 0.2, "0.3"),
        (12.0, "12"),
        (-0.0, "0"),
        (1e20, "1e+20"),
        (7, "7"),
        (True, "true"),
        (False, "false"),
        (at(2024, 6, 1), "2024-06-01"),
        (at(2024, 6, 1, 13, 45), "2024-06-01 13:45:00"),
        (at(2024, 6, 1, 13, 45, 0, 500_000), "2024-06-01 13:45:00.500"),
        (dt.date(2024, 6, 1), "2024-06-01"),
        (dt.time(13, 45), "13:45:00"),
        (dt.timedelta(days=1, hours=6, minutes=30), "30:30:00"),
    ],
)
def test_cells_become_the_text_type_inference_reads(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_progress_counts_the_rows_read(
    duck: duckdb.DuckDBPyConnection, store_settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "stor.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(["id", "namn"])
    for number in range(25_000):
        sheet.append([number, "x"])
    workbook.save(path)
    reports: list[Progress] = []
    limits = Limits(100, store_settings.max_uncompressed_bytes, tmp_path / "work")
    table = load_raw(duck.cursor(), path, "xlsx", limits, reports.append)
    assert table.row_count == 25_000
    assert [report.rows_read for report in reports if report.rows_read][:2] == [10_000, 20_000]
    assert reports[-1] == Progress("reading", 60.0, 25_000)


def zip_of(entries: dict[str, bytes | int]) -> bytes:
    """A zip archive; an int entry is that many zero bytes, written in pieces (so the test stays small)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as entry:
                for _ in range(content // (1024 * 1024)):
                    entry.write(bytes(1024 * 1024))
    return buffer.getvalue()


def test_a_part_packed_absurdly_tightly_is_refused_as_a_zip_bomb(ingest: Ingest) -> None:
    bomb = zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                   "xl/worksheets/sheet1.xml": 64 * 1024 * 1024})  # fmt: skip
    assert len(bomb) < 200_000
    with pytest.raises(IngestionFailed) as refused:
        ingest(bomb, "data.xlsx")
    assert refused.value.code == "zip_bomb"
    assert "sheet1.xml" in refused.value.en


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused(
    duck: duckdb.DuckDBPyConnection, store_settings: Settings, tmp_path: Path
) -> None:
    upload = tmp_path / "data.xlsx"
    upload.write_bytes(xlsx(("Data", [["a", "b"], *[[f"värde {i}", i] for i in range(2000)]])))
    with pytest.raises(IngestionFailed) as refused:
        build_version(duck, upload, "data.xlsx", settings=TableSettings(), table_dir=tmp_path / "tables",
                      limits=Limits(100, 50_000, store_settings.work_dir))  # fmt: skip
    assert refused.value.code == "zip_bomb"
    assert refused.value.sv.startswith("Kalkylarket packas upp till")


def test_a_zip_with_thousands_of_parts_is_refused_before_they_are_listed(ingest: Ingest) -> None:
    parts: dict[str, bytes | int] = {"xl/workbook.xml": b"<workbook/>"}
    parts |= {f"xl/media/{number}.bin": b"" for number in range(10_001)}
    with pytest.raises(IngestionFailed) as refused:
        ingest(zip_of(parts), "data.xlsx")
    assert refused.value.code == "zip_bomb"


def test_a_damaged_workbook_is_refused_in_plain_words(ingest: Ingest) -> None:
    content = xlsx(("Data", [["a"], [1]]))
    with pytest.raises(IngestionFailed) as refused:
        ingest(content[: len(content) // 2], "data.xlsx")
    assert refused.value.code == "broken_zip"


def ods(*sheets: tuple[str, Rows]) -> bytes:
    """An OpenDocument spreadsheet, written by hand: one table per (name, rows), each ended, as LibreOffice
    does, by a million repeated empty rows."""
    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join(f"<table:table-row>{''.join(map(_ods_cell, row))}</table:table-row>" for row in rows)
        + '<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
        'table:number-columns-repeated="1024"/></table:table-row></table:table>'
        for name, rows in sheets
    )
    return _ods_archive(tables)


def _ods_cell(value: object) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, bool):
        kind, attribute = "boolean", f'office:boolean-value="{str(value).lower()}"'
    elif isinstance(value, int | float):
        kind, attribute = "float", f'office:value="{value}"'
    elif isinstance(value, dt.date):
        kind, attribute = "date", f'office:date-value="{value.isoformat()}"'
    else:
        kind, attribute = "string", ""
    return (f'<table:table-cell office:value-type="{kind}" {attribute}><text:p>{escape(str(value))}'
            "</text:p></table:table-cell>")  # fmt: skip


def _ods_archive(tables: str) -> bytes:
    namespaces = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {namespaces} office:version="1.3">'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
               "</office:document-content>")  # fmt: skip
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")  # stored, first
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_an_ods_sheet_is_read_like_an_xlsx_one(ingest: Ingest, duck: duckdb.DuckDBPyConnection) -> None:
    built = ingest(ods(("Tom", []), ("Badplatser", BADPLATSER)), "badplatser.ods")
    assert built.source == {
        "format": "ods",
        "sheet": "Badplatser",
        "header_line": 3,
        "file_name": "badplatser.ods",
    }
    assert types_of(built)["Kommunkod"] == "string"
    assert types_of(built)["Öppnad"] == "date"
    assert rows_of(duck, built)[0] == (
        "Norrstrand", "0180", 18.5, 1234, dt.date(2024, 6, 1), at(2024, 6, 1, 13, 45), True,
    )  # fmt: skip


def test_an_ods_file_named_xlsx_is_read_as_ods(ingest: Ingest) -> None:
    assert ingest(ods(("Data", [["a"], [1]])), "data.xlsx").source["format"] == "ods"


def test_an_ods_whose_repeated_cells_would_fill_the_memory_is_refused_before_loading(ingest: Ingest) -> None:
    repeated = (
        '<table:table table:name="Bomb"><table:table-row table:number-rows-repeated="200000">'
        '<table:table-cell table:number-columns-repeated="100" office:value-type="float" office:value="1">'
        "<text:p>1</text:p></table:table-cell></table:table-row></table:table>"
    )
    bomb = _ods_archive(repeated)
    assert len(bomb) < 2000  # twenty million cells in under two kilobytes, beyond any zip ratio check
    with pytest.raises(IngestionFailed) as refused:
        ingest(bomb, "data.ods")
    assert refused.value.code == "sheet_too_large"


def test_an_ods_sheet_taller_than_excel_allows_is_refused(ingest: Ingest) -> None:
    tall = (
        '<table:table table:name="Lång"><table:table-row><table:table-cell office:value-type="string">'
        '<text:p>a</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
        "</table:table-row></table:table>"
    )
    with pytest.raises(IngestionFailed) as refused:
        ingest(_ods_archive(tall), "data.ods")
    assert refused.value.code == "too_many_rows"


def test_format_detection_reads_only_the_start_of_a_huge_mimetype_entry(tmp_path: Path) -> None:
    path = tmp_path / "data.ods"
    path.write_bytes(zip_of({"mimetype": 64 * 1024 * 1024}))
    tracemalloc.start()
    try:
        with pytest.raises(IngestionFailed) as refused:
            detect_format(path, "data.ods")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.code == "zip_not_spreadsheet"
    assert peak < 8 * 1024 * 1024


def test_sum_and_source_rows_under_the_table_are_skipped_and_noted(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    rows: Rows = [*BADPLATSER, [], ["Summa", None, None, 13579], ["Källa: Miljöförvaltningen"]]
    built = ingest(xlsx(("Badplatser", rows)), "badplatser.xlsx")
    assert built.row_count == 3
    assert built.report["counts"] == {"footer_rows_skipped": 1, "title_rows_skipped": 1}
    assert built.report["valid"] is True


def test_a_sparse_row_followed_by_more_data_is_kept(ingest: Ingest) -> None:
    rows: Rows = [
        *BADPLATSER,
        [],
        ["Viken"],
        ["Ön", "0183", 17.0, 10, dt.date(2024, 7, 2), at(2024, 7, 2), True],
    ]
    built = ingest(xlsx(("Badplatser", rows)), "badplatser.xlsx")
    assert built.row_count == 5

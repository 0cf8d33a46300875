"""XLSX and ODS workbooks: the first worksheet that holds anything becomes the table (see sheets.py).

XLSX streams through openpyxl's read-only mode, row by row. ODS goes through calamine, which holds every
sheet in memory, so an ODS file is measured first: its content is scanned (streamed, never kept) for how
far its filled cells reach once repeated rows and columns are expanded, and refused when that is too much.
Both are zip archives and pass the zip-bomb check (archives.py) before anything is unpacked.
"""

from __future__ import annotations

import shutil
import warnings
import xml.parsers.expat
import zipfile
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import duckdb
import openpyxl  # type: ignore[import-untyped]
from python_calamine import CalamineError, CalamineWorkbook

from datatorget.store.archives import broken_zip, check_spreadsheet_zip
from datatorget.store.progress import ProgressCallback
from datatorget.store.raw import Limits, RawTable, check_width, first_line_of
from datatorget.store.report import IngestionFailed
from datatorget.store.sheets import EXCEL_MAX_ROWS, HEADER_SCAN_ROWS, Sheet, load_sheet, numbered_rows

# calamine keeps a cell in about 60 bytes; ten million cells is about 600 MB while the sheet is read
MAX_ODS_CELLS = 10_000_000
SCAN_CHUNK = 1024 * 1024
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
# Element and attribute names as expat gives them with namespace_separator=" "
SHEET, ROW = f"{TABLE} table", f"{TABLE} table-row"
CELLS = (f"{TABLE} table-cell", f"{TABLE} covered-table-cell")
SHEET_NAME, VALUE_TYPE = f"{TABLE} name", f"{OFFICE} value-type"
ROWS_REPEATED, COLUMNS_REPEATED = f"{TABLE} number-rows-repeated", f"{TABLE} number-columns-repeated"


def load_xlsx(
    cursor: duckdb.DuckDBPyConnection, path: Path, limits: Limits, progress: ProgressCallback
) -> RawTable:
    """The first non-empty worksheet of an Excel workbook, streamed; formulas give their saved results."""
    check_spreadsheet_zip(path, max_uncompressed_bytes=limits.max_uncompressed_bytes)
    # An open file, not the path: openpyxl refuses paths without an Excel extension, and the format
    # comes from the content (a workbook uploaded as data.csv is still a workbook).
    with warnings.catch_warnings(), path.open("rb") as file:
        # openpyxl warns about features it leaves out (data validation, conditional formats, ...):
        # none of them changes a cell's value.
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds of errors for a damaged file
            raise _unreadable("XLSX", exc) from exc
        try:
            sheet = _first_xlsx_sheet(workbook)
            return load_sheet(cursor, sheet, "xlsx", limits, progress)
        except (IngestionFailed, duckdb.Error):
            raise
        except Exception as exc:  # a damaged part found while streaming the rows
            raise _unreadable("XLSX", exc) from exc
        finally:
            workbook.close()


def _first_xlsx_sheet(workbook: Any) -> Sheet:
    """The first visible worksheet with a filled cell (a hidden one only when no visible one has any)."""
    worksheets = list(workbook.worksheets)
    ordered = [ws for ws in worksheets if ws.sheet_state == "visible"]
    ordered += [ws for ws in worksheets if ws.sheet_state != "visible"]
    for worksheet in ordered:
        estimated = worksheet.max_row  # from the sheet's stated dimension; may be missing or wrong
        worksheet.reset_dimensions()  # so a wrong stated dimension cannot cut rows or columns off
        rows = numbered_rows(worksheet.iter_rows(values_only=True))
        head = list(islice(rows, HEADER_SCAN_ROWS))
        if head:
            return Sheet(str(worksheet.title), head, rows, estimated if isinstance(estimated, int) else None)
    raise _empty_workbook()


def load_ods(
    cursor: duckdb.DuckDBPyConnection, path: Path, limits: Limits, progress: ProgressCallback
) -> RawTable:
    """The first non-empty sheet of an OpenDocument spreadsheet, after checking it fits in memory."""
    check_spreadsheet_zip(path, max_uncompressed_bytes=limits.max_uncompressed_bytes)
    extents = scan_ods(path)
    filled = [extent for extent in extents if extent.cells]
    if not filled:
        raise _empty_workbook()
    _check_ods_size(extents, filled[0], limits)
    try:
        workbook = CalamineWorkbook.from_path(str(_named_ods(path, limits.work_dir)))
    except CalamineError as exc:
        raise _unreadable("ODS", exc) from exc
    try:
        calamine_sheet = workbook.get_sheet_by_name(filled[0].name)
        start = calamine_sheet.start
        rows = numbered_rows(calamine_sheet.iter_rows(), first_line=(start[0] + 1) if start else 1)
        head = list(islice(rows, HEADER_SCAN_ROWS))
        if not head:
            raise _empty_workbook()
        sheet = Sheet(filled[0].name, head, rows, calamine_sheet.height)
        return load_sheet(cursor, sheet, "ods", limits, progress)
    except CalamineError as exc:
        raise _unreadable("ODS", exc) from exc
    finally:
        workbook.close()


def _named_ods(path: Path, work_dir: Path) -> Path:
    """The file under a name ending in .ods, which calamine picks its reader by (a link, or else a copy)."""
    if path.suffix.lower() == ".ods":
        return path
    work_dir.mkdir(parents=True, exist_ok=True)
    named = work_dir / "workbook.ods"
    named.unlink(missing_ok=True)
    try:
        named.symlink_to(path.resolve())
    except OSError:
        shutil.copyfile(path, named)
    return named


@dataclass
class SheetExtent:
    """How far a sheet's filled cells reach, with repeated rows and columns expanded (0-based, inclusive)."""

    name: str
    top: int = -1
    bottom: int = -1
    left: int = -1
    right: int = -1
    cells: int = 0  # filled cells, counted with their repeats

    @property
    def area(self) -> int:
        """The cells of the rectangle from the first filled cell to the last, which calamine allocates."""
        if not self.cells:
            return 0
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)


def scan_ods(path: Path) -> list[SheetExtent]:
    """The extent of every sheet of an ODS file, from its content streamed through expat (never kept).

    Reading through zipfile also proves the content is no larger than the archive says.
    """
    scanner = _OdsScanner()
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = scanner.start
    parser.EndElementHandler = scanner.end
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
            while chunk := content.read(SCAN_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (KeyError, zipfile.BadZipFile, OSError) as exc:
        raise broken_zip() from exc
    except (xml.parsers.expat.ExpatError, ValueError) as exc:
        raise _unreadable("ODS", exc) from exc
    return scanner.sheets


class _OdsScanner:
    """Expat handlers that follow rows and cells of each table and note where filled cells are."""

    def __init__(self) -> None:
        self.sheets: list[SheetExtent] = []
        self._row = 0
        self._column = 0
        self._rows_repeated = 1
        self._columns_repeated = 1
        self._cell_depth = 0  # > 0 inside a cell: 1 for the cell itself, more for what it holds
        self._cell_filled = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if self._cell_depth:
            self._cell_depth += 1
            self._cell_filled = True  # a paragraph of text, an annotation, ...
            return
        if name in CELLS:
            self._columns_repeated = _count(attributes.get(COLUMNS_REPEATED))
            self._cell_filled = VALUE_TYPE in attributes
            self._cell_depth = 1
        elif name == ROW:
            self._rows_repeated = _count(attributes.get(ROWS_REPEATED))
            self._column = 0
        elif name == SHEET:
            self.sheets.append(SheetExtent(attributes.get(SHEET_NAME, f"Blad{len(self.sheets) + 1}")))
            self._row = 0

    def end(self, name: str) -> None:
        if self._cell_depth > 1:
            self._cell_depth -= 1
            return
        if self._cell_depth == 1:
            self._cell_depth = 0
            if self._cell_filled and self.sheets:
                self._note(self.sheets[-1])
            self._column += self._columns_repeated
        elif name == ROW:
            self._row += self._rows_repeated

    def _note(self, sheet: SheetExtent) -> None:
        last_row = self._row + self._rows_repeated - 1
        last_column = self._column + self._columns_repeated - 1
        if not sheet.cells:
            sheet.top, sheet.left = self._row, self._column
        sheet.top = min(sheet.top, self._row)
        sheet.left = min(sheet.left, self._column)
        sheet.bottom = max(sheet.bottom, last_row)
        sheet.right = max(sheet.right, last_column)
        sheet.cells += self._rows_repeated * self._columns_repeated


def _count(value: str | None) -> int:
    """A repeat count from an ODS attribute: 1 when absent."""
    if value is None:
        return 1
    count = int(value)
    if count < 1:
        raise ValueError(f"a repeat count of {count}")
    return count


def _check_ods_size(extents: list[SheetExtent], first: SheetExtent, limits: Limits) -> None:
    """Refuse an ODS file whose sheets would not fit in memory, or whose first sheet is too tall or wide."""
    if first.bottom - first.top + 1 > EXCEL_MAX_ROWS:
        raise IngestionFailed(
            "too_many_rows",
            sv=f"Kalkylbladet {first.name} har fler än {EXCEL_MAX_ROWS} rader. Spara tabellen som CSV.",
            en=f"The sheet {first.name} has more than {EXCEL_MAX_ROWS} rows. Save the table as CSV.",
        )
    check_width(first.right - first.left + 1, limits)
    area = sum(extent.area for extent in extents)
    if area > MAX_ODS_CELLS:
        raise IngestionFailed(
            "sheet_too_large",
            sv=f"Kalkylarket har för många celler för att läsas som ODS ({area} med tomma celler inom "
            f"tabellerna; som mest {MAX_ODS_CELLS}). Spara det som XLSX eller CSV och ladda upp igen.",
            en=f"The spreadsheet has too many cells to be read as ODS ({area} counting empty cells within the "
            f"tables; at most {MAX_ODS_CELLS}). Save it as XLSX or CSV and upload it again.",
        )


def _empty_workbook() -> IngestionFailed:
    """The refusal of a workbook with nothing in it."""
    return IngestionFailed(
        "empty_workbook",
        sv="Kalkylarket har inga ifyllda celler i något blad.",
        en="The spreadsheet has no filled cells in any sheet.",
    )


def _unreadable(kind: str, exc: Exception) -> IngestionFailed:
    """The refusal of a workbook its library could not read, with the library's reason."""
    detail = first_line_of(exc) or type(exc).__name__
    return IngestionFailed(
        f"unreadable_{kind.lower()}",
        sv=f"Filen gick inte att läsa som {kind}; den kan vara trasig ({detail}).",
        en=f"The file could not be read as {kind}; it may be damaged ({detail}).",
    )

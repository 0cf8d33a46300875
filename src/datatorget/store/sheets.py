"""A worksheet, row by row, into the `raw` table: the header row under any title rows, cells as text.

Cells become the text type inference expects: dates in ISO form (`2024-06-01`, `2024-06-01 13:45:00`),
numbers with a decimal point and no binary noise (`0.1`, `12`), booleans as `true`/`false`. Rows stream to
CSV files in the work folder and DuckDB reads those, so a sheet is never held in memory as a whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import IO, TYPE_CHECKING

import duckdb

from datatorget.store.connection import identifier, sql_string
from datatorget.store.headers import clean_headers
from datatorget.store.progress import Progress, ProgressCallback, overall, watched
from datatorget.store.raw import RAW, Limits, RawTable, check_width, count_rows, first_line_of, reading_share
from datatorget.store.report import IngestionFailed, Problem

EXCEL_MAX_ROWS = 1_048_576
MAX_FOOTER_ROWS = 10  # at most this many sparse rows under a table are taken for its footer
HEADER_SCAN_ROWS = 20  # title rows above the header are looked for among the first non-empty rows
PROGRESS_EVERY = 10_000
MAX_ROW_BYTES = 16 * 1024 * 1024  # a row of the CSV files; DuckDB reads them in buffers of twice that
READ_SHARE = 0.9  # of the reading stage: going through the sheet; the rest is loading it into DuckDB

if TYPE_CHECKING:
    from _csv import Writer as _CsvWriter

Row = Sequence[object]
NumberedRow = tuple[int, Row]  # the sheet's row number (1 = the first row) and its cells


@dataclass
class Sheet:
    """One worksheet as a stream: its name, its first non-empty rows, then the rest of them."""

    name: str
    head: list[NumberedRow]
    rest: Iterator[NumberedRow]
    estimated_rows: int | None = None


def numbered_rows(rows: Iterable[Row], first_line: int = 1) -> Iterator[NumberedRow]:
    """The rows that hold anything, with their row number; refuses a sheet taller than Excel allows."""
    for line, row in enumerate(rows, start=first_line):
        if line > EXCEL_MAX_ROWS:
            raise IngestionFailed(
                "too_many_rows",
                sv=f"Kalkylbladet har fler än {EXCEL_MAX_ROWS:,} rader, mer än Excel tillåter; filen kan vara "
                "trasig. Spara tabellen som CSV.".replace(",", " "),
                en=f"The worksheet has more than {EXCEL_MAX_ROWS:,} rows, more than Excel allows; the file may "
                "be damaged. Save the table as CSV.",
            )
        if any(is_filled(value) for value in row):
            yield line, row


def is_filled(value: object) -> bool:
    """Whether a cell holds anything: not empty and not only spaces."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True


def cell_text(value: object) -> str:
    """A cell as the text type inference reads: ISO dates, point decimals, true/false, empty for nothing."""
    kind = type(value)
    if kind is str:
        text = str(value)
        return text.replace("\x00", "") if "\x00" in text else text
    if value is None:
        return ""
    if isinstance(value, float):
        return number_text(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if isinstance(value, dt.datetime):
        return datetime_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")
    if isinstance(value, dt.timedelta):
        return duration_text(value)
    return str(value)


def number_text(value: float) -> str:
    """A number as a spreadsheet shows it: 15 significant digits, so `0.1` and not `0.1000000000000000055`,
    and whole numbers without `.0`."""
    if not math.isfinite(value):
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}"


def datetime_text(value: dt.datetime) -> str:
    """`2024-06-01` for a date at midnight (spreadsheets keep dates as date-times), else date and time."""
    if value.hour == value.minute == value.second == value.microsecond == 0 and value.tzinfo is None:
        return value.date().isoformat()
    return value.isoformat(sep=" ", timespec="milliseconds" if value.microsecond else "seconds")


def duration_text(value: dt.timedelta) -> str:
    """A duration as hours, minutes and seconds: `30:00:00` for a day and six hours."""
    seconds = round(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"


def header_index(rows: Sequence[Row]) -> int:
    """The first row with at least half as many filled cells as the fullest one: rows above it are titles."""
    counts = [sum(1 for value in row if is_filled(value)) for row in rows]
    widest = max(counts, default=0)
    if widest <= 1:
        return 0
    needed = max(2, (widest + 1) // 2)
    return next(index for index, count in enumerate(counts) if count >= needed)


def has_header(row: Row) -> bool:
    """A header row holds some text; a row of only numbers, dates and booleans is data."""
    return any(isinstance(value, str) and value.strip() for value in row)


def load_sheet(
    cursor: duckdb.DuckDBPyConnection, sheet: Sheet, fmt: str, limits: Limits, progress: ProgressCallback
) -> RawTable:
    """Create `raw` from a worksheet: header row found under any titles, empty edge rows and columns left out."""
    at = header_index([row for _, row in sheet.head])
    header_line, header_row = sheet.head[at]
    header = has_header(header_row)
    header_texts = _trimmed([cell_text(value) for value in header_row]) if header else []
    data = sheet.head[at + 1 :] if header else sheet.head[at:]
    extent = _Extent()
    extent.add(header_texts)
    with _Segments(limits.work_dir, width=max(extent.right, 1)) as segments:
        footers = _stream(
            chain(data, sheet.rest), extent, segments, limits, progress, sheet.estimated_rows,
            header_width=len(header_texts),
            after_line=header_line if header else header_line - 1,
        )  # fmt: skip
    width = max(extent.right, 1)
    left = min(extent.left, width - 1)
    names, problems = _names(header_texts, left, width, limits) if header else (_numbered(width - left), [])
    _create_raw(cursor, names, left, width, segments.files, progress)
    problems += _titles_skipped([row for _, row in sheet.head[:at]])
    problems += _footers_skipped(footers)
    row_count = count_rows(cursor)
    progress(Progress("reading", overall("reading", 1.0), row_count))
    return RawTable(
        columns=names,
        row_count=row_count,
        problems=problems,
        source={"format": fmt, "sheet": sheet.name, "header_line": header_line if header else None},
        first_line=data[0][0] if data else header_line + 1,
    )


def _stream(
    rows: Iterator[NumberedRow],
    extent: _Extent,
    segments: _Segments,
    limits: Limits,
    progress: ProgressCallback,
    estimated_rows: int | None,
    *,
    header_width: int,
    after_line: int,
) -> list[list[str]]:
    """Write every data row as text to the CSV files, noting how far the table reaches (refused as soon as
    it is wider than allowed). Sparse rows after an empty row at the end of the sheet ("Summa", "Källa: SCB")
    are footers, not data: they are held back while they may be, and given back."""
    held: list[list[str]] = []
    previous = after_line
    for line, row in rows:
        texts = _trimmed([cell_text(value) for value in row])
        sparse = header_width >= 2 and sum(1 for text in texts if text) < (header_width + 1) // 2
        if sparse and (held or line > previous + 1) and len(held) < MAX_FOOTER_ROWS:
            held.append(texts)
            previous = line
            continue
        for kept in held:  # data came after them: they were data
            _write(kept, extent, segments, limits)
        held = []
        _write(texts, extent, segments, limits)
        previous = line
        if segments.rows % PROGRESS_EVERY == 0:
            _report_rows(progress, segments.rows, line, estimated_rows)
    return held


def _write(texts: list[str], extent: _Extent, segments: _Segments, limits: Limits) -> None:
    if len(texts) > extent.right:
        extent.add(texts)
        check_width(extent.right - extent.left, limits)
    else:
        extent.add(texts)
    segments.write(texts)


def _footers_skipped(footers: list[list[str]]) -> list[Problem]:
    if not footers:
        return []
    text = " / ".join(" ".join(cell for cell in row if cell) for row in footers)[:200]
    return [
        Problem(
            "footer_rows_skipped",
            sv=f"Raderna under tabellen hoppades över: {text}",
            en=f"The rows below the table were skipped: {text}",
            value=text,
        )
    ]


def _names(header: list[str], left: int, width: int, limits: Limits) -> tuple[list[str], list[Problem]]:
    """The column names from the header row's cells within the table, cleaned (see headers.py)."""
    check_width(width - left, limits)
    padded = header + [""] * (width - len(header))
    return clean_headers(padded[left:width])


def _numbered(count: int) -> list[str]:
    """Names for the columns of a table without a header row: kolumn_1, kolumn_2, ..."""
    return [f"kolumn_{number}" for number in range(1, count + 1)]


def _titles_skipped(titles: list[Row]) -> list[Problem]:
    """A note of the rows above the header row, which were left out."""
    texts = [" ".join(cell_text(value) for value in row if is_filled(value)) for row in titles]
    if not texts:
        return []
    joined = " / ".join(texts)[:200]
    return [Problem("title_rows_skipped", sv=f"Raderna ovanför rubrikraden hoppades över: {joined}",
                    en=f"The rows above the header row were skipped: {joined}", value=joined)]  # fmt: skip


def _trimmed(texts: list[str]) -> list[str]:
    """The cells of a row without the empty ones at its end."""
    end = len(texts)
    while end and not texts[end - 1].strip():
        end -= 1
    return texts[:end] if end < len(texts) else texts


@dataclass
class _Extent:
    """The columns a table uses: from its leftmost filled cell to its rightmost (0-based, end exclusive)."""

    left: int = 1 << 30
    right: int = 0

    def add(self, texts: list[str]) -> None:
        if not texts:
            return
        self.right = max(self.right, len(texts))
        if self.left:
            first = next((index for index, text in enumerate(texts) if text.strip()), self.left)
            self.left = min(self.left, first)


@dataclass
class _Segment:
    path: Path
    width: int


class _Segments:
    """CSV files of rows, every row of a file as wide as the file; a wider row starts a new file."""

    def __init__(self, folder: Path, *, width: int) -> None:
        self.folder = folder
        self.width = width
        self.files: list[_Segment] = []
        self.rows = 0
        self._file: IO[str] | None = None
        self._csv: _CsvWriter | None = None

    def __enter__(self) -> _Segments:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _start(self, width: int) -> None:
        if self._file is not None:
            self._file.close()
        path = self.folder / f"sheet-{len(self.files)}.csv"
        self.width = width
        self.files.append(_Segment(path, width))
        self._file = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file, lineterminator="\n")

    def write(self, texts: list[str]) -> None:
        """Add a row, padded with empty cells to the width of its file."""
        if len(texts) > self.width or self._csv is None:
            self._start(max(len(texts), self.width))
        if len(texts) < self.width:
            texts = texts + [""] * (self.width - len(texts))
        assert self._csv is not None
        self._csv.writerow(texts)
        self.rows += 1


def _create_raw(
    cursor: duckdb.DuckDBPyConnection,
    names: list[str],
    left: int,
    width: int,
    segments: list[_Segment],
    progress: ProgressCallback,
) -> None:
    """`raw` with the named columns, filled from each CSV file in turn (so rows keep their order)."""
    columns = ", ".join(f"{identifier(name)} VARCHAR" for name in names)
    cursor.execute(f"CREATE OR REPLACE TEMP TABLE {RAW} ({columns})")
    report = reading_share(progress, READ_SHARE, 1.0)
    for segment in segments:
        declared = "{" + ", ".join(f"'c{index}': 'VARCHAR'" for index in range(segment.width)) + "}"
        picked = ", ".join(f"c{index}" if index < segment.width else "NULL" for index in range(left, width))
        statement = (
            f"INSERT INTO {RAW} SELECT {picked} FROM read_csv('{sql_string(str(segment.path))}', "
            f"auto_detect=false, header=false, delim=',', quote='\"', escape='\"', columns={declared}, "
            f"max_line_size={MAX_ROW_BYTES}, buffer_size={2 * MAX_ROW_BYTES}, encoding='utf-8')"
        )
        with watched(cursor, report, "reading"):
            try:
                cursor.execute(statement)
            except duckdb.OutOfMemoryException:
                raise
            except duckdb.Error as exc:
                raise IngestionFailed(
                    "unreadable_sheet",
                    sv=f"Kalkylbladet gick inte att läsa in: {first_line_of(exc)}",
                    en=f"The worksheet could not be read: {first_line_of(exc)}",
                ) from exc
        segment.path.unlink(missing_ok=True)


def _report_rows(progress: ProgressCallback, rows: int, line: int, estimated: int | None) -> None:
    """Rows read so far, as a share of the rows the sheet says it has (when it says)."""
    fraction = min(line / estimated, 0.99) if estimated else 0.0
    progress(Progress("reading", overall("reading", READ_SHARE * fraction), rows))

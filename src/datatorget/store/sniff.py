"""What kind of table file is this? Format from the content, then encoding, delimiter and header row.

Only the first part of a file is read here (a bounded sample), never the whole file.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from datatorget.store.archives import check_directory
from datatorget.store.report import IngestionFailed, Problem, Report

Format = Literal["csv", "xlsx", "ods", "json", "geojson", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "ods", "json", "geojson", "parquet")
SAMPLE_BYTES = 256 * 1024
DELIMITERS = (";", ",", "\t", "|")
SAMPLE_ROWS = 200
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def detect_format(path: Path, file_name: str) -> Format:
    """The format of a file, from its first bytes; the file name only tells JSON from GeoJSON."""
    with path.open("rb") as file:
        head = file.read(SAMPLE_BYTES)
    if not head:
        raise IngestionFailed("empty_file", sv="Filen är tom.", en="The file is empty.")
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestionFailed(
            "old_excel",
            sv="Filen är i det gamla Excel-formatet (XLS). Spara den som XLSX eller CSV och ladda upp igen.",
            en="The file is in the old Excel format (XLS). Save it as XLSX or CSV and upload it again.",
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv"  # Excel's "Unicode text": tab-separated UTF-16
    if _looks_binary(head):
        raise IngestionFailed(
            "binary_file",
            sv="Filen innehåller binära data och är ingen tabell i något format vi läser (CSV, XLSX, ODS, "
            "JSON, GeoJSON, Parquet).",
            en="The file holds binary data and is not a table in any format we read (CSV, XLSX, ODS, JSON, "
            "GeoJSON, Parquet).",
        )
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if text[:1] in (b"{", b"["):
        lowered = text[:4096].lower()
        if file_name.lower().endswith(".geojson") or b'"featurecollection"' in lowered.replace(b" ", b""):
            return "geojson"
        return "json"
    return "csv"


def _zip_format(path: Path) -> Format:
    check_directory(path)  # before zipfile lists the entries: millions of them would fill the memory
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and _mimetype(archive) == ODS_MIMETYPE:
                return "ods"
            if "xl/workbook.xml" in names:
                return "xlsx"
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise IngestionFailed(
            "broken_zip",
            sv="Filen ser ut som ett kalkylark (zip) men går inte att öppna; den kan vara trasig eller ofullständig.",
            en="The file looks like a spreadsheet (zip) but cannot be opened; it may be damaged or incomplete.",
        ) from exc
    raise IngestionFailed(
        "zip_not_spreadsheet",
        sv="Filen är ett zip-arkiv men inget kalkylark (XLSX eller ODS).",
        en="The file is a zip archive but not a spreadsheet (XLSX or ODS).",
    )


def _mimetype(archive: zipfile.ZipFile) -> bytes:
    """The start of the `mimetype` entry, which names an OpenDocument file's type. Only the start: the entry
    could be made to unpack to gigabytes."""
    with archive.open("mimetype") as entry:
        return entry.read(len(ODS_MIMETYPE) + 16).strip()


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 13, 12))
    return controls > max(1, len(head) // 100)


Encoding = Literal["utf-8", "utf-16", "cp1252", "latin-1"]


def detect_encoding(sample: bytes) -> Encoding:
    """UTF-8 when the sample is valid UTF-8 (a sequence cut at the sample's end is fine); otherwise
    Windows-1252, the encoding of Swedish Excel exports, or ISO-8859-1 for bytes Windows-1252 leaves out.

    A sample that has valid UTF-8 letters (å, ä, ö) before an invalid byte is a damaged UTF-8 file, not a
    Windows-1252 one: refused, with the line, rather than read as garbled text.
    """
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    body = sample.removeprefix(codecs.BOM_UTF8)
    try:
        decoder.decode(body, final=False)
        return "utf-8"
    except UnicodeDecodeError as invalid:
        before = body[: invalid.start]
        if not before.isascii():
            raise invalid_utf8(before.count(b"\n") + 1) from None
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def invalid_utf8(line: int) -> IngestionFailed:
    """The refusal of a UTF-8 file with invalid bytes, naming the first line that has them."""
    report = Report()
    report.add(Problem("invalid_encoding", sv="Raden innehåller tecken som inte är giltig UTF-8.",
                       en="The line holds characters that are not valid UTF-8.", line=line))  # fmt: skip
    return IngestionFailed(
        "invalid_encoding",
        sv=f"Filen är inte giltig UTF-8: rad {line} innehåller tecken som inte går att läsa. Spara filen som "
        "UTF-8 och ladda upp igen.",
        en=f"The file is not valid UTF-8: line {line} holds characters that cannot be read. Save the file as "
        "UTF-8 and upload it again.",
        report=report,
    )


@dataclass(frozen=True)
class Dialect:
    """How a delimited text file is laid out. `header_line` is the 0-based line of the header row; lines
    above it are titles. `header` is False when the first row already holds data."""

    delimiter: str
    header_line: int
    header: bool
    names: list[str]
    title_lines: list[str]


def detect_dialect(text: str, *, whole_file: bool) -> Dialect:
    """Delimiter and header row from the first part of a file, decoded (or the whole file)."""
    lines = text.splitlines(keepends=True)
    if len(lines) > 1 and not whole_file:
        lines = lines[:-1]  # the sample may end inside the last line
    sample = "".join(lines[: SAMPLE_ROWS * 2])
    best: tuple[float, int, str, list[list[str]], list[int]] | None = None
    for rank, delimiter in enumerate(DELIMITERS):
        rows, line_numbers = _parse(sample, delimiter)
        if not rows:
            continue
        widths = [len(row) for row in rows]
        width = max(set(widths), key=lambda w: (widths.count(w), w))
        consistency = widths.count(width) / len(widths)
        score = consistency if width > 1 else 0.0
        candidate = (score, width, delimiter, rows, line_numbers)
        if best is None or (score, width, -rank) > (best[0], best[1], -DELIMITERS.index(best[2])):
            best = candidate
    if best is None:
        raise IngestionFailed("empty_file", sv="Filen är tom.", en="The file is empty.")
    _, width, delimiter, rows, line_numbers = best
    index = _header_index(rows, width)
    header_row = rows[index]
    header = not all(_looks_like_value(cell) for cell in header_row if cell.strip()) or len(rows) == 1
    return Dialect(
        delimiter=delimiter if width > 1 else ",",
        header_line=line_numbers[index],
        header=header,
        names=header_row if header else [f"kolumn_{n + 1}" for n in range(len(header_row))],
        title_lines=[" ".join(cell for cell in row if cell.strip()) for row in rows[:index]],
    )


def _parse(sample: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    reader = csv.reader(
        io.StringIO(sample), delimiter=delimiter, quotechar='"', doublequote=True, strict=False
    )
    rows: list[list[str]] = []
    starts: list[int] = []
    line = 0
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                rows.append(row)
                starts.append(line)
            line = reader.line_num
            if len(rows) >= SAMPLE_ROWS:
                break
    except csv.Error:
        pass
    return rows, starts


def _header_index(rows: list[list[str]], width: int) -> int:
    """The first row as wide as the table with most of its cells filled: rows above it are titles."""
    if width <= 1:
        return 0
    for index, row in enumerate(rows[:20]):
        filled = sum(1 for cell in row if cell.strip())
        if len(row) >= width and filled >= max(2, (width + 1) // 2):
            return index
    return 0


def _looks_like_value(cell: str) -> bool:
    """A cell that is a number or a date, as data rows hold and header rows do not."""
    stripped = cell.strip().replace(" ", "").replace(",", ".").replace("-", "").replace(":", "")
    return stripped.replace(".", "", 1).isdigit()

"""Read an uploaded file into a DuckDB table named `raw`: one column per source column, as text.

Every format ends in the same place, so type inference and validation (infer.py) work the same for all.
Formats that carry their own types (Parquet, JSON numbers) keep them; see `RawTable.typed`. CSV is read
here; the other formats have a module each (spreadsheets.py, json_readers.py, parquet.py).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from datatorget.store.connection import sql_string
from datatorget.store.headers import clean_headers
from datatorget.store.json_readers import load_geojson, load_json
from datatorget.store.parquet import load_parquet
from datatorget.store.progress import Progress, ProgressCallback, overall, watched
from datatorget.store.raw import RAW, Limits, RawTable, Reader, check_width, count_rows
from datatorget.store.report import IngestionFailed, Problem, Report
from datatorget.store.sniff import (
    SAMPLE_BYTES,
    Encoding,
    Format,
    detect_dialect,
    detect_encoding,
    invalid_utf8,
)
from datatorget.store.spreadsheets import load_ods, load_xlsx

MAX_LINE_BYTES = 8 * 1024 * 1024
TRANSCODE_CHUNK = 4 * 1024 * 1024


def load_raw(
    cursor: duckdb.DuckDBPyConnection, path: Path, fmt: Format, limits: Limits, progress: ProgressCallback
) -> RawTable:
    """Create the `raw` table from a file of the given format (see sniff.detect_format)."""
    reader = READERS.get(fmt)
    if reader is None:
        raise IngestionFailed(
            "unsupported_format",
            sv=f"Formatet {fmt} kan inte läsas in som tabell ännu.",
            en=f"The format {fmt} cannot be read as a table yet.",
        )
    table = reader(cursor, path, limits, progress)
    if not table.columns:
        raise IngestionFailed("no_columns", sv="Filen har inga kolumner.", en="The file has no columns.")
    return table


def load_csv(
    cursor: duckdb.DuckDBPyConnection, path: Path, limits: Limits, progress: ProgressCallback
) -> RawTable:
    """CSV and TSV in any of the encodings Swedish exports use, with the delimiter and header row detected."""
    sample = read_sample(path)
    encoding = detect_encoding(sample)
    try:
        return _read_delimited(cursor, path, sample, encoding, limits, progress)
    except LateEncodingError as late:
        if encoding != "utf-8" or not sample.isascii():
            raise late.failure from None
        damaged_at = _damaged_utf8_line(path)
        if damaged_at is not None:
            raise invalid_utf8(damaged_at) from None
        # The sample was plain ASCII and the first non-ASCII byte came later: a Windows-1252 file.
        return _read_delimited(cursor, path, sample, "cp1252", limits, progress)


def read_sample(path: Path) -> bytes:
    """The start of a file, where encoding and dialect are detected."""
    with path.open("rb") as file:
        return file.read(SAMPLE_BYTES)


def _damaged_utf8_line(path: Path) -> int | None:
    """The line of the first invalid byte, if valid UTF-8 letters (å, ä, ö) come before it: then the file is
    damaged UTF-8, not Windows-1252. Read in chunks, never whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 1
    seen_letters = False
    with path.open("rb") as file:
        while chunk := file.read(TRANSCODE_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as invalid:
                before = chunk[: invalid.start]
                seen_letters = seen_letters or not before.isascii()
                return lines + before.count(b"\n") if seen_letters else None
            seen_letters = seen_letters or not chunk.isascii()
            lines += chunk.count(b"\n")
    return None


class LateEncodingError(Exception):
    """A file read as UTF-8 (its start was plain ASCII) turned out to hold other bytes further on."""

    def __init__(self, failure: IngestionFailed) -> None:
        self.failure = failure


@dataclass(frozen=True)
class CsvSource:
    """A CSV file as DuckDB reads it (`sql`, a `read_csv(...)` call giving every column as text), and what
    was found on the way: the column names, problems with the header, the dialect and encoding."""

    sql: str
    columns: list[str]
    problems: list[Problem]
    source: dict[str, Any]
    first_line: int  # the line of the file that holds data row 1
    estimated_rows: int | None

    def as_raw(self, row_count: int, rejects: list[Problem]) -> RawTable:
        """What reading `row_count` rows of the file gave, with the rows it left out (`rejects`)."""
        return RawTable(columns=self.columns, row_count=row_count, problems=self.problems + rejects,
                        source=self.source, first_line=self.first_line)  # fmt: skip


def open_csv(
    path: Path, sample: bytes, encoding: Encoding, limits: Limits, progress: ProgressCallback
) -> CsvSource:
    """Find the dialect and header of a CSV file (a UTF-8 copy first, for other encodings) and say how
    DuckDB reads it. Rows DuckDB cannot read go to its reject tables (see `_rejects`)."""
    size = path.stat().st_size
    source = path
    if encoding != "utf-8":
        source = _transcode(path, encoding, limits.work_dir / "utf8.csv", progress)
    text = sample.decode(encoding if encoding != "utf-8" else "utf-8-sig", errors="replace")
    if size > len(sample) and "\n" not in text and "\r" not in text:
        raise IngestionFailed(
            "first_line_too_long",
            sv=f"Filens första rad är längre än {SAMPLE_BYTES // 1024} kB. Ingen tabell har en så lång "
            "rubrikrad: är filen verkligen en CSV-fil?",
            en=f"The first line of the file is longer than {SAMPLE_BYTES // 1024} kB. No table has a header row "
            "that long: is the file really a CSV file?",
        )
    dialect = detect_dialect(text, whole_file=size <= len(sample))
    check_width(len(dialect.names), limits)
    names, problems = clean_headers(dialect.names)
    skip = dialect.header_line + (1 if dialect.header else 0)
    if dialect.title_lines:
        titles = " / ".join(dialect.title_lines)[:200]
        problems.append(Problem("title_rows_skipped", sv=f"Raderna ovanför rubrikraden hoppades över: {titles}",
                                en=f"The lines above the header row were skipped: {titles}", value=titles))  # fmt: skip
    columns = "{" + ", ".join(f"'{sql_string(name)}': 'VARCHAR'" for name in names) + "}"
    sql = (
        f"read_csv('{sql_string(str(source))}', auto_detect=false, delim='{sql_string(dialect.delimiter)}', "
        f"quote='\"', escape='\"', header=false, skip={skip}, columns={columns}, store_rejects=true, "
        f"ignore_errors=true, max_line_size={MAX_LINE_BYTES}, encoding='utf-8')"
    )
    return CsvSource(
        sql=sql,
        columns=names,
        problems=problems,
        source={
            "format": "csv",
            "encoding": encoding,
            "delimiter": dialect.delimiter,
            "header_line": dialect.header_line + 1 if dialect.header else None,
        },
        first_line=skip + 1,
        estimated_rows=_estimate_rows(sample, size),
    )


def forget_rejects(cursor: duckdb.DuckDBPyConnection) -> None:
    """Empty DuckDB's reject tables, so that they hold the rows of the next read only."""
    cursor.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")


def read_rejects(cursor: duckdb.DuckDBPyConnection, csv: CsvSource) -> list[Problem]:
    """The rows the last read left out; IngestionFailed (wrapped, see load_csv) when the file turned out
    not to be UTF-8 after all."""
    rejects = _rejects(cursor, first_line=csv.first_line)
    if any(problem.code == "invalid_encoding" for problem in rejects):
        failure = IngestionFailed(
            "invalid_encoding",
            sv="Filen är inte giltig UTF-8: några rader innehåller tecken som inte går att läsa (se rapporten). "
            "Spara filen som UTF-8 och ladda upp igen.",
            en="The file is not valid UTF-8: some lines hold characters that cannot be read (see the report). "
            "Save the file as UTF-8 and upload it again.",
            report=Report.of(rejects),
        )
        raise LateEncodingError(failure)
    return rejects


def _read_delimited(
    cursor: duckdb.DuckDBPyConnection,
    path: Path,
    sample: bytes,
    encoding: Encoding,
    limits: Limits,
    progress: ProgressCallback,
) -> RawTable:
    csv = open_csv(path, sample, encoding, limits, progress)
    forget_rejects(cursor)
    with watched(cursor, progress, "reading", estimated_rows=csv.estimated_rows):
        try:
            cursor.execute(f"CREATE OR REPLACE TEMP TABLE {RAW} AS SELECT * FROM {csv.sql}")
        except duckdb.Error as exc:
            raise IngestionFailed(
                "unreadable_csv",
                sv=f"Filen gick inte att läsa som CSV: {_first_line(exc)}",
                en=f"The file could not be read as CSV: {_first_line(exc)}",
            ) from exc
    row_count = _count(cursor)
    rejects = read_rejects(cursor, csv)
    progress(Progress("reading", overall("reading", 1.0), row_count))
    return csv.as_raw(row_count, rejects)


def _transcode(path: Path, encoding: Encoding, target: Path, progress: ProgressCallback) -> Path:
    """A UTF-8 copy of a UTF-16, Windows-1252 or ISO-8859-1 file, written in chunks (never the whole file)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    size = max(path.stat().st_size, 1)
    done = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with path.open("rb") as source, target.open("wb") as sink:
        while chunk := source.read(TRANSCODE_CHUNK):
            try:
                sink.write(decoder.decode(chunk).encode("utf-8"))
            except UnicodeDecodeError as invalid:
                if encoding == "utf-16":
                    raise IngestionFailed(
                        "invalid_encoding",
                        sv="Filen är märkt som UTF-16 men innehåller tecken som inte går att läsa.",
                        en="The file is marked as UTF-16 but holds characters that cannot be read.",
                    ) from invalid
                # a byte Windows-1252 leaves undefined: ISO-8859-1 maps them all
                return _transcode(path, "latin-1", target, progress)
            done += len(chunk)
            progress(Progress("reading", overall("reading", 0.3 * done / size)))
        sink.write(decoder.decode(b"", final=True).encode("utf-8"))
    return target


def _estimate_rows(sample: bytes, size: int) -> int | None:
    lines = sample.count(b"\n")
    return int(size / (len(sample) / lines)) if lines else None


def _count(cursor: duckdb.DuckDBPyConnection) -> int:
    return count_rows(cursor, RAW)


REJECTS = {
    "MISSING COLUMNS": ("missing_values", "Raden har för få fält och lämnades utanför.",
                        "The row has too few fields and was left out."),
    "TOO MANY COLUMNS": ("extra_values", "Raden har fler fält än rubrikraden och lämnades utanför.",
                         "The row has more fields than the header row and was left out."),
    "LINE SIZE OVER MAXIMUM": ("line_too_long", f"Raden är längre än {MAX_LINE_BYTES // 1024 // 1024} MB och lämnades utanför.",
                               f"The line is longer than {MAX_LINE_BYTES // 1024 // 1024} MB and was left out."),
    "INVALID ENCODING": ("invalid_encoding", "Raden innehåller tecken som inte är giltig UTF-8.",
                         "The line holds characters that are not valid UTF-8."),
    "UNQUOTED VALUE": ("bad_quoting", "Raden har ett citattecken på fel plats och lämnades utanför.",
                       "The line has a quote character in the wrong place and was left out."),
}  # fmt: skip


def _rejects(cursor: duckdb.DuckDBPyConnection, *, first_line: int) -> list[Problem]:
    """The rows DuckDB could not read, one problem per line, from its reject_errors table."""
    try:
        found = cursor.execute(
            "SELECT DISTINCT ON (line) error_type::VARCHAR, line, left(csv_line, 200) FROM reject_errors "
            "ORDER BY line LIMIT 10000"
        ).fetchall()
    except duckdb.CatalogException:
        return []
    problems = []
    for error_type, line, text in found:
        code, sv, en = REJECTS.get(
            error_type, ("unreadable_row", "Raden gick inte att läsa.", "The row could not be read.")
        )
        problems.append(Problem(code, sv=sv, en=en, line=int(line), value=text))
    return problems


def _first_line(exc: Exception) -> str:
    """The first line of a DuckDB error, without the server's file paths it may quote."""
    return re.sub(r'"/[^"]*"', '"…"', str(exc).split("\n")[0])[:300]


READERS: dict[Format, Reader] = {
    "csv": load_csv,
    "xlsx": load_xlsx,
    "ods": load_ods,
    "json": load_json,
    "geojson": load_geojson,
    "parquet": load_parquet,
}

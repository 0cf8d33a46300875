"""Build a new table version from a file: read, infer types, validate, write Parquet, compare, hash.

Nothing here touches the metadata database. The new Parquet file gets its final, content-addressed name
before anything refers to it, so a process killed at any moment leaves at most an unreferenced file; the
caller switches the table to the new version in one transaction (versions.register_version).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from datatorget.store.connection import CursorSource, identifier, sql_string
from datatorget.store.diff import compare_versions
from datatorget.store.direct import write_csv_directly
from datatorget.store.infer import (
    DUCKDB_TYPES,
    ColumnType,
    cast_expression,
    infer_types,
    null_condition,
    table_schema_type,
)
from datatorget.store.progress import Progress, ProgressCallback, ignore_progress, overall, watched
from datatorget.store.raw import RAW, Limits, RawTable
from datatorget.store.readers import load_raw
from datatorget.store.report import WARNINGS, IngestionFailed, Problem, Report
from datatorget.store.sniff import Format, detect_format

ROW_GROUP_SIZE = 122_880
LISTED_PER_COLUMN = 100
TYPE_NAMES = {"string": ("text", "text"), "integer": ("heltal", "whole number"), "number": ("tal", "number"),
              "boolean": ("ja/nej", "yes/no"), "date": ("datum", "date"), "datetime": ("tidpunkt", "date and time"),
              "time": ("klockslag", "time of day"), "geojson": ("GeoJSON-geometri", "GeoJSON geometry"),
              "object": ("JSON-objekt", "JSON object"), "array": ("JSON-lista", "JSON list")}  # fmt: skip


@dataclass(frozen=True)
class TableSettings:
    """What the publisher chose: what to do with bad cells, the primary key, and per-column overrides."""

    on_error: str = "blank"
    primary_key: list[str] = field(default_factory=list)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class BuiltVersion:
    path: Path
    sha256: str
    byte_size: int
    row_count: int
    schema: dict[str, Any]
    report: dict[str, Any]
    source: dict[str, Any]
    summary: dict[str, Any] | None


def build_version(
    connection: CursorSource,
    source: Path,
    file_name: str,
    *,
    settings: TableSettings,
    limits: Limits,
    table_dir: Path,
    previous: tuple[Path, dict[str, Any]] | None = None,
    progress: ProgressCallback = ignore_progress,
) -> BuiltVersion:
    """Turn `source` into a Parquet file in `table_dir` named by its SHA-256. `previous` is the current
    version's file and schema, to say what changed. IngestionFailed when the file cannot become a table."""
    work = limits.work_dir / f"ingest-{uuid.uuid4().hex}"
    work.mkdir(parents=True)
    cursor = connection.cursor()
    try:
        fmt = detect_format(source, file_name)
        reading = Limits(limits.max_columns, limits.max_uncompressed_bytes, work)
        target = work / "table.parquet"
        direct = None
        if fmt == "csv":
            direct = write_csv_directly(
                cursor, source, reading, target, progress=progress, parquet_options=_parquet_options,
                types_of=lambda head: _column_types(cursor, head, settings),
            )  # fmt: skip
        if direct is not None:
            raw, kinds = direct
            report = Report.of(raw.problems)
        else:
            raw, kinds, report = _write_through_raw(cursor, source, fmt, reading, settings, target, progress)
        if report.error_count and settings.on_error == "refuse":
            raise IngestionFailed(
                "invalid_values",
                sv=f"Filen har {report.error_count} fel (se rapporten) och du har valt att sådana filer ska "
                "avvisas. Rätta felen och ladda upp igen, eller välj att felaktiga celler ska lämnas tomma.",
                en=f"The file has {report.error_count} errors (see the report) and you chose to refuse such "
                "files. Correct them and upload again, or choose to leave bad cells empty.",
                report=report,
            )
        schema = _schema(raw, kinds, settings)
        _check_primary_key(cursor, target, settings.primary_key, raw.columns)
        summary = None
        if previous is not None:
            progress(Progress("comparing", overall("comparing", 0), raw.row_count))
            summary = compare_versions(cursor, previous[0], target, settings.primary_key)
        digest = _sha256(target)
        table_dir.mkdir(parents=True, exist_ok=True)
        final = table_dir / f"{digest}.parquet"
        byte_size = target.stat().st_size
        if not final.exists():
            _fsync(target)
            os.replace(target, final)  # atomic: the final name holds the whole file or nothing
            _fsync_dir(table_dir)
        return BuiltVersion(
            path=final,
            sha256=digest,
            byte_size=byte_size,
            row_count=raw.row_count,
            schema=schema,
            report=report.as_dict(),
            source=raw.source | {"file_name": file_name},
            summary=summary,
        )
    except duckdb.OutOfMemoryException as exc:
        raise IngestionFailed(
            "out_of_memory",
            sv="Filen kräver mer minne än servern har tillåtit för inläsning.",
            en="The file needs more memory than the server allows for ingestion.",
        ) from exc
    except duckdb.Error as exc:  # what the readers and checks above did not foresee, said plainly
        first = str(exc).splitlines()[0][:300].replace(str(limits.work_dir), "…")
        raise IngestionFailed(
            "unreadable",
            sv=f"Filen gick inte att läsa in: {first}",
            en=f"The file could not be read in: {first}",
        ) from exc
    finally:
        cursor.close()
        shutil.rmtree(work, ignore_errors=True)


def _write_through_raw(
    cursor: duckdb.DuckDBPyConnection,
    source: Path,
    fmt: Format,
    limits: Limits,
    settings: TableSettings,
    target: Path,
    progress: ProgressCallback,
) -> tuple[RawTable, dict[str, ColumnType], Report]:
    """The general path: the file into `raw`, types from its first rows, Parquet with the casts, then the
    cells that did not fit, counted and listed."""
    raw = load_raw(cursor, source, fmt, limits, progress)
    report = Report.of(raw.problems)
    if raw.row_count == 0 and any(p.code not in WARNINGS for p in raw.problems):
        raise IngestionFailed(
            "no_readable_rows",
            sv="Ingen rad i filen gick att läsa; rapporten säger varför (till exempel ett citattecken som "
            "aldrig stängs).",
            en="No row of the file could be read; the report says why (for example a quote that is never "
            "closed).",
            report=report,
        )
    if raw.row_count == 0:
        raise IngestionFailed(
            "no_rows",
            sv="Filen har inga rader med data, bara rubriker (eller ingenting).",
            en="The file has no rows of data, only headers (or nothing).",
        )
    progress(Progress("checking", overall("checking", 0), raw.row_count))
    kinds = _column_types(cursor, raw, settings)
    selects = ", ".join(
        f"{_expression(column, raw, kinds[column])} AS {identifier(column)}" for column in raw.columns
    )
    with watched(cursor, progress, "writing", estimated_rows=raw.row_count):
        cursor.execute(
            f"COPY (SELECT {selects} FROM {RAW}) TO '{sql_string(str(target))}' "
            f"({_parquet_options(len(raw.columns))})"
        )
    _validate(cursor, raw, kinds, target, report)
    return raw, kinds, report


def _parquet_options(columns: int) -> str:
    return f"FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {_row_group_size(columns)}"


def _column_types(
    cursor: duckdb.DuckDBPyConnection, raw: RawTable, settings: TableSettings
) -> dict[str, ColumnType]:
    text_columns = [column for column in raw.columns if column not in raw.typed]
    kinds = infer_types(cursor, RAW, text_columns) if text_columns else {}
    for column, duck_type in raw.typed.items():
        kinds[column] = ColumnType(table_schema_type(duck_type))
    for column, override in settings.overrides.items():
        wanted = override.get("type")
        if column in kinds and wanted and wanted != kinds[column].type:
            # Only a CSV file written for Swedish Excel (not comma-separated) has decimal commas; the
            # spreadsheet and JSON readers write numbers with a decimal point.
            swedish = raw.source.get("format") == "csv" and raw.source.get("delimiter") != ","
            decimal = "," if swedish else "."
            kinds[column] = ColumnType(wanted, decimal=decimal, lenient=True)
    return kinds


def _expression(column: str, raw: RawTable, kind: ColumnType) -> str:
    if column not in raw.typed:
        return cast_expression(column, kind)
    if table_schema_type(raw.typed[column]) == kind.type:
        if raw.typed[column].upper().startswith("GEOMETRY"):
            return f"ST_AsGeoJSON({identifier(column)})"
        return identifier(column)
    return f"try_cast({identifier(column)} AS {DUCKDB_TYPES[kind.type]})"


def _validate(
    cursor: duckdb.DuckDBPyConnection,
    raw: RawTable,
    kinds: dict[str, ColumnType],
    written: Path,
    report: Report,
) -> None:
    """Cells that had a value but lost it in the cast did not fit their type: count them, list some."""
    checked = [
        column for column in raw.columns if kinds[column].type not in ("string",) and column not in raw.typed
    ]
    if not checked:
        return
    before = cursor.execute(
        "SELECT "
        + ", ".join(f"count(*) FILTER (WHERE NOT {null_condition(identifier(c))})" for c in checked)
        + f" FROM {RAW}"
    ).fetchone()
    after = cursor.execute(
        "SELECT "
        + ", ".join(f"count({identifier(c)})" for c in checked)
        + f" FROM read_parquet('{sql_string(str(written))}')"
    ).fetchone()
    assert before is not None and after is not None
    for column, had, kept in zip(checked, before, after, strict=True):
        lost = int(had) - int(kept)
        if lost <= 0:
            continue
        kind = kinds[column]
        quoted = identifier(column)
        examples = cursor.execute(
            f"SELECT rowid + 1, left({quoted}, 200) FROM {RAW} WHERE NOT {null_condition(quoted)} "
            f"AND ({cast_expression(column, kind)}) IS NULL ORDER BY rowid LIMIT {LISTED_PER_COLUMN}"
        ).fetchall()
        sv_type, en_type = TYPE_NAMES[kind.type]
        for index, (row, value) in enumerate(examples):
            problem = Problem(
                "type_error",
                sv=f"Värdet '{value}' är inte {_article(sv_type)} och lämnades tomt.",
                en=f"The value '{value}' is not a {en_type} and was left empty.",
                row=int(row),
                column=column,
                value=value,
            )
            report.add(problem, count=1 if index < len(examples) - 1 else lost - len(examples) + 1)


def _article(sv_type: str) -> str:
    return (
        sv_type
        if sv_type in ("text", "ja/nej")
        else ("ett " if sv_type in ("heltal", "tal", "datum", "klockslag", "JSON-objekt") else "en ")
        + sv_type
    )


def _schema(raw: RawTable, kinds: dict[str, ColumnType], settings: TableSettings) -> dict[str, Any]:
    fields = []
    for column in raw.columns:
        kind = kinds[column]
        described: dict[str, Any] = {"name": column, "type": kind.type} | kind.describe()
        override = settings.overrides.get(column, {})
        titles = override.get("title") or {}
        descriptions = override.get("description") or {}
        if titles:
            described["title"] = titles.get("sv") or titles.get("en")
            described["titles"] = titles
        if descriptions:
            described["description"] = descriptions.get("sv") or descriptions.get("en")
            described["descriptions"] = descriptions
        fields.append(described)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if settings.primary_key:
        schema["primaryKey"] = list(settings.primary_key)
    return schema


def _check_primary_key(
    cursor: duckdb.DuckDBPyConnection, written: Path, key: list[str], columns: list[str]
) -> None:
    if not key:
        return
    missing = [name for name in key if name not in columns]
    if missing:
        names = ", ".join(missing)
        raise IngestionFailed(
            "primary_key_missing",
            sv=f"Primärnyckeln nämner kolumner som filen saknar: {names}. Ändra primärnyckeln i tabellens "
            "inställningar eller rätta filen.",
            en=f"The primary key names columns the file does not have: {names}. Change the primary key in the "
            "table's settings or correct the file.",
        )
    key_sql = ", ".join(identifier(column) for column in key)
    nulls = " OR ".join(f"{identifier(column)} IS NULL" for column in key)
    row = cursor.execute(
        f"SELECT count(*) - count(DISTINCT ({key_sql})), count(*) FILTER (WHERE {nulls}) "
        f"FROM read_parquet('{sql_string(str(written))}')"
    ).fetchone()
    assert row is not None
    duplicates, empty = int(row[0]), int(row[1])
    if duplicates or empty:
        names = ", ".join(key)
        raise IngestionFailed(
            "primary_key",
            sv=f"Primärnyckeln ({names}) ska vara unik och aldrig tom, men {duplicates} rader upprepar en nyckel "
            f"och {empty} rader saknar den.",
            en=f"The primary key ({names}) must be unique and never empty, but {duplicates} rows repeat a key "
            f"and {empty} rows lack one.",
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _row_group_size(columns: int) -> int:
    """Rows per Parquet row group: DuckDB's default for ordinary tables, fewer for wide ones, whose row
    groups would otherwise take more memory to write than an ingestion may use."""
    return max(2048, min(ROW_GROUP_SIZE, 2_000_000 // max(columns, 1)))

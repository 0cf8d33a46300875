"""Reading Parquet in as a table: the file's own types kept, names cleaned, nested values as JSON text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from datatorget.store.report import IngestionFailed
from tests.store.conftest import Ingest
from tests.store.helpers import rows_of, types_of


def parquet(duck: duckdb.DuckDBPyConnection, tmp_path: Path, select: str) -> bytes:
    """A Parquet file of what `select` returns, written by DuckDB."""
    path = tmp_path / "source.parquet"
    duck.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet)")
    return path.read_bytes()


TYPED = """
    SELECT * FROM (VALUES
        (1, '0180', 18.5, DATE '2024-06-01', TIMESTAMP '2024-06-01 13:45:00', true, 12.50::DECIMAL(10, 2)),
        (2, '0181', NULL, DATE '2024-06-15', NULL, false, 3.00::DECIMAL(10, 2))
    ) AS t(id, kommunkod, temperatur, oppnad, provtagen, tillganglig, avgift)
"""


def test_the_types_in_the_file_are_kept(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    built = ingest(parquet(duck, tmp_path, TYPED), "badplatser.parquet")
    assert types_of(built) == {
        "id": "integer",
        "kommunkod": "string",
        "temperatur": "number",
        "oppnad": "date",
        "provtagen": "datetime",
        "tillganglig": "boolean",
        "avgift": "number",
    }
    assert built.source == {"format": "parquet", "file_name": "badplatser.parquet"}


def test_the_values_in_the_file_are_kept(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    built = ingest(parquet(duck, tmp_path, TYPED), "badplatser.parquet")
    rows = rows_of(duck, built)
    assert rows[0][:6] == (1, "0180", 18.5, dt.date(2024, 6, 1), dt.datetime(2024, 6, 1, 13, 45), True)  # noqa: DTZ001
    assert rows[1][:6] == (2, "0181", None, dt.date(2024, 6, 15), None, False)
    assert [str(row[6]) for row in rows] == ["12.50", "3.00"]


def test_text_that_looks_like_dates_stays_text_when_the_file_says_text(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    built = ingest(parquet(duck, tmp_path, "SELECT '2024-06-01' AS dag, '12' AS antal"), "data.parquet")
    assert types_of(built) == {"dag": "string", "antal": "string"}


def test_column_names_are_cleaned_and_the_changes_noted(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    built = ingest(
        parquet(duck, tmp_path, 'SELECT 1 AS "_id", 2 AS "Namn", 3 AS "namn ", 4 AS "  "'), "data.parquet"
    )
    assert list(types_of(built)) == ["id", "Namn", "namn_2", "kolumn_4"]
    assert built.report["counts"] == {"renamed_column": 3}


def test_nested_values_become_json_text(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    select = "SELECT 1 AS id, {'gata': 'Storgatan 1', 'nr': 3} AS adress, ['bad', 'grill'] AS taggar, MAP {'a': 1} AS m"
    built = ingest(parquet(duck, tmp_path, select), "data.parquet")
    assert types_of(built) == {"id": "integer", "adress": "object", "taggar": "object", "m": "object"}
    assert rows_of(duck, built) == [(1, '{"gata":"Storgatan 1","nr":3}', '["bad","grill"]', '{"a":1}')]


def test_a_geometry_column_becomes_geojson(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    built = ingest(
        parquet(duck, tmp_path, "SELECT 'A' AS namn, ST_Point(18.07, 59.33) AS geom"), "data.parquet"
    )
    assert types_of(built) == {"namn": "string", "geom": "geojson"}
    assert rows_of(duck, built) == [("A", '{"type":"Point","coordinates":[18.07,59.33]}')]


def test_binary_values_become_text_or_base64(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    select = "SELECT encode('Sjövik') AS text_som_bytes, '\\x00\\xFF'::BLOB AS bytes, uuid() AS id"
    built = ingest(parquet(duck, tmp_path, select), "data.parquet")
    assert types_of(built) == {"text_som_bytes": "string", "bytes": "string", "id": "string"}
    assert rows_of(duck, built)[0][:2] == ("Sjövik", "AP8=")


def test_a_parquet_file_named_csv_is_read_as_parquet(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    assert ingest(parquet(duck, tmp_path, TYPED), "data.csv").source["format"] == "parquet"


def test_a_table_wider_than_the_limit_is_refused(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    select = "SELECT " + ", ".join(f"{n} AS k{n}" for n in range(20))
    with pytest.raises(IngestionFailed) as refused:
        ingest(parquet(duck, tmp_path, select), "data.parquet", max_columns=10)
    assert refused.value.code == "too_many_columns"


def test_a_damaged_file_is_refused_without_naming_server_paths(ingest: Ingest, tmp_path: Path) -> None:
    with pytest.raises(IngestionFailed) as refused:
        ingest(b"PAR1" + b"\x00" * 100, "trasig.parquet")
    assert refused.value.code == "unreadable_parquet"
    assert str(tmp_path) not in refused.value.en

"""Reading a Swedish CSV export in as a typed table version: types, validation report, versions."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pytest

from datatorget.config import Settings
from datatorget.store.connection import connect
from datatorget.store.ingest import TableSettings, build_version
from datatorget.store.raw import Limits
from datatorget.store.report import IngestionFailed
from tests.store.conftest import Ingest
from tests.store.helpers import rows_of, types_of

SWEDISH = '''Badplatser i Sjöviks kommun 2024
Namn;Postnummer;Temperatur;Besökare;Öppnad;Tillgänglig;Kommentar
Norrstrand;05412;18,5;1 234;2024-06-01;ja;Fin sand
Sjöbaden;05413;19,25;12\u00a0300;2024-06-15;nej;
Klippan;05414;N/A;..;2024-07-01;Ja;"Citat ""inne"""
Viken;05415;17,0;45;2024-07-02;nej;-
'''


def test_a_swedish_export_gets_the_types_a_person_would_give_it(ingest: Ingest) -> None:
    built = ingest(SWEDISH.encode("cp1252"))
    assert types_of(built) == {
        "Namn": "string",
        "Postnummer": "string",
        "Temperatur": "number",
        "Besökare": "integer",
        "Öppnad": "date",
        "Tillgänglig": "boolean",
        "Kommentar": "string",
    }


def test_a_swedish_export_is_read_to_the_right_values(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    built = ingest(SWEDISH.encode("cp1252"))
    assert rows_of(duck, built) == [
        ("Norrstrand", "05412", 18.5, 1234, dt.date(2024, 6, 1), True, "Fin sand"),
        ("Sjöbaden", "05413", 19.25, 12300, dt.date(2024, 6, 15), False, None),
        ("Klippan", "05414", None, None, dt.date(2024, 7, 1), True, 'Citat "inne"'),
        ("Viken", "05415", 17.0, 45, dt.date(2024, 7, 2), False, "-"),
    ]


def test_what_was_detected_is_kept_with_the_version(ingest: Ingest) -> None:
    built = ingest(SWEDISH.encode("cp1252"), "badplatser.csv")
    assert built.source == {
        "format": "csv",
        "encoding": "cp1252",
        "delimiter": ";",
        "header_line": 2,
        "file_name": "badplatser.csv",
    }


def test_utf8_with_a_byte_order_mark_reads_the_first_header_cleanly(ingest: Ingest) -> None:
    built = ingest(b"\xef\xbb\xbfnamn,antal\nA,1\nB,2\n")
    assert types_of(built) == {"namn": "string", "antal": "integer"}


def test_the_schema_is_a_valid_table_schema(ingest: Ingest) -> None:
    from frictionless import Schema

    built = ingest(SWEDISH.encode())
    assert list(Schema.metadata_validate(built.schema)) == []


def test_a_cell_that_does_not_fit_its_column_is_left_empty_and_reported(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    rows = "\n".join(f"{i};{i * 10}" for i in range(1, 200))
    built = ingest(f"id;antal\n{rows}\n200;tvåhundra\n".encode())
    assert rows_of(duck, built)[-1] == (200, None)
    assert built.report["error_count"] == 1
    assert built.report["problems"] == [
        {
            "code": "type_error",
            "sv": "Värdet 'tvåhundra' är inte ett heltal och lämnades tomt.",
            "en": "The value 'tvåhundra' is not a whole number and was left empty.",
            "row": 200,
            "column": "antal",
            "value": "tvåhundra",
        }
    ]


def test_a_publisher_who_refuses_bad_cells_gets_no_version_and_the_report(ingest: Ingest) -> None:
    rows = "\n".join(f"{i};{i * 10}" for i in range(1, 200))
    with pytest.raises(IngestionFailed) as refused:
        ingest(f"id;antal\n{rows}\n200;tvåhundra\n".encode(), settings=TableSettings(on_error="refuse"))
    assert refused.value.code == "invalid_values"
    assert refused.value.report is not None
    assert refused.value.report.counts == {"type_error": 1}


def test_a_row_with_too_many_fields_is_left_out_and_reported_with_its_line(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    built = ingest(b"a;b\n1;2\n3;4;5\n6;7\n")
    assert rows_of(duck, built) == [(1, 2), (6, 7)]
    assert built.report["counts"] == {"extra_values": 1}
    assert built.report["problems"][0]["line"] == 3


def test_empty_and_repeated_header_names_are_renamed_and_noted(ingest: Ingest) -> None:
    built = ingest(b"namn;;namn;_id\nA;1;B;2\n")
    assert [field["name"] for field in built.schema["fields"]] == ["namn", "kolumn_2", "namn_2", "id"]
    assert built.report["counts"] == {"renamed_column": 3}
    assert built.report["valid"] is True


def test_codes_with_leading_zeros_stay_text(ingest: Ingest) -> None:
    built = ingest(b"kommunkod;orgnr;postnummer\n0180;212000-0142;114 55\n0114;212000-0100;252 21\n")
    assert set(types_of(built).values()) == {"string"}


def test_numbers_with_point_decimals_and_comma_thousands_are_numbers(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    built = ingest(b'name,amount\nA,"1,234.50"\nB,0.25\nC,12\n')
    assert types_of(built)["amount"] == "number"
    assert [row[1] for row in rows_of(duck, built)] == [1234.5, 0.25, 12.0]


def test_swedish_and_iso_dates_and_datetimes_are_typed(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    built = ingest(
        b"dag;tid;svensk\n2024-01-05;2024-01-05 13:45;05.01.2024\n2024-02-29;2024-02-29T08:00:00;29.02.2024\n"
    )
    assert types_of(built) == {"dag": "date", "tid": "datetime", "svensk": "date"}
    local_time = dt.datetime(2024, 1, 5, 13, 45)  # noqa: DTZ001  (as written in the file: no zone)
    assert rows_of(duck, built)[0] == (dt.date(2024, 1, 5), local_time, dt.date(2024, 1, 5))


def test_null_markers_are_empty_in_typed_columns(ingest: Ingest, duck: duckdb.DuckDBPyConnection) -> None:
    built = ingest("id;värde\n1;1\n2;NA\n3;-\n4;..\n5;\n6;2\n".encode())
    assert [row[1] for row in rows_of(duck, built)] == [1, None, None, None, None, 2]
    assert built.report["error_count"] == 0


def test_the_publisher_can_override_a_type_title_and_description(ingest: Ingest) -> None:
    override = {
        "kod": {"type": "string", "title": {"sv": "Kod", "en": "Code"}, "description": {"en": "An id"}}
    }
    built = ingest(b"kod;antal\n1;2\n3;4\n", settings=TableSettings(overrides=override))
    field = built.schema["fields"][0]
    assert field == {
        "name": "kod",
        "type": "string",
        "title": "Kod",
        "titles": {"sv": "Kod", "en": "Code"},
        "description": "An id",
        "descriptions": {"en": "An id"},
    }


def test_a_header_only_file_is_refused(ingest: Ingest) -> None:
    with pytest.raises(IngestionFailed) as refused:
        ingest(b"namn;antal\n")
    assert refused.value.code == "no_rows"


def test_a_table_wider_than_the_limit_is_refused(ingest: Ingest) -> None:
    header = ";".join(f"k{i}" for i in range(10_000))
    with pytest.raises(IngestionFailed) as refused:
        ingest(f"{header}\n{';'.join('1' * 10_000)}\n".encode())
    assert refused.value.code == "too_many_columns"
    assert "10000" in refused.value.en


def test_invalid_utf8_in_the_middle_of_a_utf8_file_is_refused_with_the_line(ingest: Ingest) -> None:
    content = "namn;ort\nA;Sjövik\n".encode() + b"B;Sj\xf6vik\n" + "C;Åby\n".encode()
    with pytest.raises(IngestionFailed) as refused:
        ingest(content)
    assert refused.value.code == "invalid_encoding"
    assert refused.value.report is not None
    assert [problem.line for problem in refused.value.report.problems] == [3]


def test_a_windows_1252_file_whose_first_special_character_comes_late_is_still_read(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    ascii_rows = "".join(f"rad {i};{i}\n" for i in range(30_000))  # more than the sniffed sample
    built = ingest(("namn;antal\n" + ascii_rows + "Sjövik;1\n").encode("cp1252"))
    assert built.source["encoding"] == "cp1252"
    assert rows_of(duck, built)[-1] == ("Sjövik", 1)


def test_a_single_line_longer_than_the_limit_is_left_out_and_reported(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    built = ingest(b"a;b\n1;2\n" + b"x" * (9 * 1024 * 1024) + b";3\n4;5\n")
    assert rows_of(duck, built) == [(1, 2), (4, 5)]
    assert built.report["counts"] == {"line_too_long": 1}


def test_the_file_is_named_by_its_content_hash(ingest: Ingest) -> None:
    import hashlib

    built = ingest(b"a\n1\n")
    assert built.path.name == f"{built.sha256}.parquet"
    assert hashlib.sha256(built.path.read_bytes()).hexdigest() == built.sha256


def test_nothing_is_left_in_the_work_dir(ingest: Ingest, tmp_path: Path) -> None:
    ingest(SWEDISH.encode("cp1252"))
    work = tmp_path / "data" / "work"
    assert [path for path in work.iterdir() if path.name != "duckdb"] == []


def test_a_new_version_says_what_changed_by_primary_key(ingest: Ingest) -> None:
    key = TableSettings(primary_key=["id"])
    first = ingest(b"id;namn\n1;A\n2;B\n3;C\n", settings=key)
    second = ingest(b"id;namn\n1;A\n2;BB\n4;D\n5;E\n", settings=key, previous=first)
    assert second.summary == {
        "added": 2, "removed": 1, "changed": 1, "by": "primary_key", "columns_added": [], "columns_removed": [],
    }  # fmt: skip


def test_without_a_primary_key_rows_are_compared_whole(ingest: Ingest) -> None:
    first = ingest(b"id;namn\n1;A\n2;B\n3;C\n")
    second = ingest(b"id;namn\n1;A\n2;BB\n3;C\n3;C\n", previous=first)
    assert second.summary is not None
    assert (second.summary["added"], second.summary["removed"], second.summary["changed"]) == (2, 1, None)


def test_a_primary_key_that_repeats_is_refused(ingest: Ingest) -> None:
    with pytest.raises(IngestionFailed) as refused:
        ingest(b"id;namn\n1;A\n1;B\n", settings=TableSettings(primary_key=["id"]))
    assert refused.value.code == "primary_key"


def test_a_failed_ingestion_leaves_no_new_file_in_the_table_folder(ingest: Ingest, tmp_path: Path) -> None:
    ingest(b"id;namn\n1;A\n")
    folder = tmp_path / "data" / "tables" / "t"
    before = sorted(os.listdir(folder))
    with pytest.raises(IngestionFailed):
        ingest(b"id;namn\n1;A\n1;B\n", settings=TableSettings(primary_key=["id"]))
    assert sorted(os.listdir(folder)) == before


def test_invalid_utf8_after_the_sniffed_sample_is_refused_with_its_line(ingest: Ingest) -> None:
    rows = "".join(f"Sjövik {i};{i}\n" for i in range(30_000)).encode()
    with pytest.raises(IngestionFailed) as refused:
        ingest(b"namn;antal\n" + rows + b"Sj\xf6vik;1\n")
    assert refused.value.code == "invalid_encoding"
    assert refused.value.report is not None
    assert [problem.line for problem in refused.value.report.problems] == [30_002]


def test_a_table_as_wide_as_the_limit_is_read_in_within_the_default_memory_limit(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")  # DuckDB keeps a block per column: 1,000 need the default
    header = ";".join(f"k{i}" for i in range(settings.max_table_columns))
    rows = "".join(
        ";".join(f"{r},{i}" if i % 3 else str(r * i) for i in range(1000)) + "\n" for r in range(200)
    )
    source = tmp_path / "wide.csv"
    source.write_text(f"{header}\n{rows}", encoding="utf-8")
    duck = connect(settings)
    built = build_version(
        duck, source, "wide.csv", settings=TableSettings(), table_dir=settings.tables_dir / "t",
        limits=Limits(settings.max_table_columns, settings.max_uncompressed_bytes, settings.work_dir),
    )  # fmt: skip
    duck.close()
    assert built.row_count == 200
    assert {field["type"] for field in built.schema["fields"]} == {"integer", "number"}


def test_times_of_day_are_typed(ingest: Ingest, duck: duckdb.DuckDBPyConnection) -> None:
    built = ingest(b"tid;pm10\n08:00;12,5\n9:30;14,0\n23:59:59;3,1\n")
    assert types_of(built)["tid"] == "time"
    assert [row[0] for row in rows_of(duck, built)] == [dt.time(8, 0), dt.time(9, 30), dt.time(23, 59, 59)]


def test_a_changed_column_type_with_a_primary_key_still_gives_a_summary(ingest: Ingest) -> None:
    key = TableSettings(primary_key=["id"])
    first = ingest(b"id;antal\n1;5\n2;6\n", settings=key)
    second = ingest(b"id;antal\n1;ca 5\n2;6\n", settings=key, previous=first)
    assert second.summary is not None
    assert (second.summary["added"], second.summary["removed"], second.summary["changed"]) == (0, 0, 1)


def test_a_primary_key_naming_a_missing_column_is_refused_plainly(ingest: Ingest) -> None:
    with pytest.raises(IngestionFailed) as refused:
        ingest(b"id;namn\n1;A\n", settings=TableSettings(primary_key=["nummer"]))
    assert refused.value.code == "primary_key_missing"
    assert "nummer" in refused.value.sv


def test_phone_numbers_and_codes_that_look_like_numbers_stay_text(ingest: Ingest) -> None:
    built = ingest(b"telefon;kod;antal\n+46701234567;2E5;1\n+46702345678;4E10;2\n+46703456789;1_000;3\n")
    assert types_of(built) == {"telefon": "string", "kod": "string", "antal": "integer"}


def test_a_decimal_in_a_column_of_whole_numbers_is_reported_not_rounded(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    rows = "".join(f"{i};{i}\n" for i in range(200))
    built = ingest(f"id;antal\n{rows}200;12.7\n".encode())
    assert rows_of(duck, built)[-1] == (200, None)
    assert built.report["counts"] == {"type_error": 1}


def test_times_with_a_utc_offset_are_stored_in_utc(ingest: Ingest, duck: duckdb.DuckDBPyConnection) -> None:
    built = ingest(
        b"id;tid\nA;2024-06-01T10:00:00+02:00\nB;2024-06-01T08:00:00Z\nC;2024-06-01 09:30:00+0100\n"
    )
    utc = [row[1].replace(tzinfo=dt.UTC) for row in rows_of(duck, built)]
    june = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    assert utc == [june.replace(hour=8), june.replace(hour=8), june.replace(hour=8, minute=30)]


def test_damaged_utf8_after_an_ascii_beginning_is_refused_not_garbled(ingest: Ingest) -> None:
    ascii_rows = "".join(f"rad {i};{i}\n" for i in range(30_000))
    content = ("namn;antal\n" + ascii_rows + "Malmö;1\n").encode() + b"Bad\xff;2\n"
    with pytest.raises(IngestionFailed) as refused:
        ingest(content)
    assert refused.value.code == "invalid_encoding"
    assert "30003" in refused.value.en


def test_excels_unicode_text_in_utf16_is_read(ingest: Ingest, duck: duckdb.DuckDBPyConnection) -> None:
    built = ingest("namn\tantal\nSjövik\t1\nÅby\t2\n".encode("utf-16"))
    assert built.source["encoding"] == "utf-16"
    assert rows_of(duck, built) == [("Sjövik", 1), ("Åby", 2)]


def test_a_first_line_longer_than_any_header_is_refused_plainly(ingest: Ingest) -> None:
    with pytest.raises(IngestionFailed) as refused:
        ingest(b"x" * (1024 * 1024) + b"\n1\n")
    assert refused.value.code == "first_line_too_long"


def test_a_quote_that_never_closes_is_reported(ingest: Ingest) -> None:
    with pytest.raises(IngestionFailed) as refused:
        ingest(b'a,b\n"x,1\n2,3\n')
    assert refused.value.code == "no_readable_rows"
    assert refused.value.report is not None

"""Telling what a file is from its first bytes: format, encoding, delimiter, header row."""

from __future__ import annotations

from pathlib import Path

import pytest

from datatorget.store.report import IngestionFailed
from datatorget.store.sniff import detect_dialect, detect_encoding, detect_format


def write(tmp_path: Path, content: bytes, name: str = "file.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_a_parquet_file_is_known_by_its_magic_bytes_whatever_its_name(tmp_path: Path) -> None:
    assert detect_format(write(tmp_path, b"PAR1" + b"\x00" * 20), "data.csv") == "parquet"


def test_json_is_told_from_geojson_by_its_feature_collection(tmp_path: Path) -> None:
    geojson = b'{"type": "FeatureCollection", "features": []}'
    assert detect_format(write(tmp_path, geojson), "x.json") == "geojson"
    assert detect_format(write(tmp_path, b'[{"a": 1}]'), "x.csv") == "json"


def test_text_with_a_byte_order_mark_is_csv(tmp_path: Path) -> None:
    assert detect_format(write(tmp_path, b"\xef\xbb\xbfa;b\n1;2\n"), "x.txt") == "csv"


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestionFailed) as refused:
        detect_format(write(tmp_path, b""), "empty.csv")
    assert refused.value.code == "empty_file"
    assert refused.value.sv == "Filen är tom."


def test_binary_data_named_csv_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestionFailed) as refused:
        detect_format(write(tmp_path, bytes(range(256)) * 40), "data.csv")
    assert refused.value.code == "binary_file"


def test_an_old_excel_file_is_refused_with_advice(tmp_path: Path) -> None:
    with pytest.raises(IngestionFailed) as refused:
        detect_format(write(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100), "data.xls")
    assert "XLSX" in refused.value.en


def test_a_zip_that_is_no_spreadsheet_is_refused(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(IngestionFailed) as refused:
        detect_format(path, "data.xlsx")
    assert refused.value.code == "zip_not_spreadsheet"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("Kommun;Ort\nSjövik;Åby\n".encode(), "utf-8"),
        ("\ufeffKommun;Ort\nSjövik;Åby\n".encode(), "utf-8"),
        ("Kommun;Pris\nSjövik;5 €\n".encode("cp1252"), "cp1252"),
        (b"Kommun;Ort\nSj\xf6vik;\x81\n", "latin-1"),
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252", "iso-8859-1"],
)
def test_the_encoding_is_detected(content: bytes, expected: str) -> None:
    assert detect_encoding(content) == expected


def test_a_utf8_sequence_cut_at_the_end_of_the_sample_is_still_utf8() -> None:
    assert detect_encoding("Sjövik".encode()[:-1] + "ö".encode()[:1]) == "utf-8"


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_the_delimiter_is_detected(delimiter: str) -> None:
    text = f"namn{delimiter}antal{delimiter}ort\nA{delimiter}1{delimiter}X\nB{delimiter}2{delimiter}Y\n"
    assert detect_dialect(text, whole_file=True).delimiter == delimiter


def test_a_comma_inside_a_semicolon_file_does_not_fool_the_delimiter() -> None:
    text = "namn;belopp;ort\nA;1,5;X\nB;2,25;Y\nC;3,0;Z\n"
    assert detect_dialect(text, whole_file=True).delimiter == ";"


def test_title_rows_above_the_header_are_skipped() -> None:
    text = (
        "Befolkning i Sjöviks kommun 2024\nKälla: SCB\n\nKommun;Antal;Andel\nSjövik;1 234;0,5\nÅby;12;1,5\n"
    )
    dialect = detect_dialect(text, whole_file=True)
    assert dialect.names == ["Kommun", "Antal", "Andel"]
    assert dialect.header_line == 3
    assert dialect.title_lines == ["Befolkning i Sjöviks kommun 2024", "Källa: SCB"]


def test_a_file_without_a_header_row_gets_column_names() -> None:
    dialect = detect_dialect("1;2;3\n4;5;6\n", whole_file=True)
    assert not dialect.header
    assert dialect.names == ["kolumn_1", "kolumn_2", "kolumn_3"]


def test_quoted_fields_with_delimiters_and_newlines_keep_the_columns() -> None:
    text = 'namn;kommentar;antal\nA;"en; två\ntre";1\nB;"x";2\n'
    assert detect_dialect(text, whole_file=True).names == ["namn", "kommentar", "antal"]

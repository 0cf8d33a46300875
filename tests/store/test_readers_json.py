"""Reading JSON and GeoJSON in as tables: a column per key, JSON's own numbers and booleans kept, strings
typed by inference, nested values as JSON text, a row per GeoJSON feature with its geometry."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb
import pytest

from datatorget.store.report import IngestionFailed
from tests.store.conftest import Ingest
from tests.store.helpers import rows_of, types_of

BADPLATSER = [
    {"namn": "Norrstrand", "kommunkod": "0180", "temperatur": 18.5, "besokare": 1234, "oppnad": "2024-06-01",
     "tillganglig": True},
    {"namn": "Sjöbaden", "kommunkod": "0181", "temperatur": 19, "besokare": 12300, "oppnad": "2024-06-15",
     "tillganglig": False},
    {"namn": "Klippan", "kommunkod": "0182", "temperatur": None, "besokare": 45, "oppnad": "2024-07-01",
     "tillganglig": None},
]  # fmt: skip


def encoded(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def refusal(ingest: Ingest, content: bytes, name: str = "data.json") -> IngestionFailed:
    with pytest.raises(IngestionFailed) as refused:
        ingest(content, name)
    return refused.value


def test_a_list_of_objects_gets_a_typed_column_per_key(ingest: Ingest) -> None:
    built = ingest(encoded(BADPLATSER), "badplatser.json")
    assert types_of(built) == {
        "namn": "string",
        "kommunkod": "string",
        "temperatur": "number",
        "besokare": "integer",
        "oppnad": "date",
        "tillganglig": "boolean",
    }
    assert built.source == {"format": "json", "file_name": "badplatser.json"}


def test_a_list_of_objects_is_read_to_the_right_values(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    built = ingest(encoded(BADPLATSER), "badplatser.json")
    assert rows_of(duck, built) == [
        ("Norrstrand", "0180", 18.5, 1234, dt.date(2024, 6, 1), True),
        ("Sjöbaden", "0181", 19.0, 12300, dt.date(2024, 6, 15), False),
        ("Klippan", "0182", None, 45, dt.date(2024, 7, 1), None),
    ]


def test_objects_one_per_line_are_read_with_every_key_in_the_order_it_first_appears(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    lines = '{"id": 1, "namn": "A"}\n{"id": 2, "ort": "Sjövik"}\n\n{"namn": "C", "id": 3}\n'
    built = ingest(lines.encode(), "data.ndjson")
    assert types_of(built) == {"id": "integer", "namn": "string", "ort": "string"}
    assert rows_of(duck, built) == [(1, "A", None), (2, None, "Sjövik"), (3, "C", None)]


def test_pretty_printed_objects_one_after_another_are_read(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    built = ingest(b'{\n  "id": 1\n}\n{\n  "id": 2\n}\n')
    assert rows_of(duck, built) == [(1,), (2,)]


def test_nested_objects_and_lists_become_json_text(ingest: Ingest, duck: duckdb.DuckDBPyConnection) -> None:
    content = encoded([{"id": 1, "adress": {"gata": "Storgatan 1", "ort": "Sjövik"}, "taggar": ["bad", "grill"]},
                       {"id": 2, "adress": None, "taggar": []}])  # fmt: skip
    built = ingest(content)
    assert types_of(built) == {"id": "integer", "adress": "object", "taggar": "object"}
    assert rows_of(duck, built) == [
        (1, '{"gata":"Storgatan 1","ort":"Sjövik"}', '["bad","grill"]'),
        (2, None, "[]"),
    ]


def test_codes_given_as_numbers_in_some_records_and_strings_in_others_stay_text(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    built = ingest(b'[{"kod": 180}, {"kod": "0181"}, {"kod": "0182"}]')
    assert types_of(built) == {"kod": "string"}
    assert [row[0] for row in rows_of(duck, built)] == ["180", "0181", "0182"]


def test_whole_numbers_past_64_bits_keep_every_digit(ingest: Ingest, duck: duckdb.DuckDBPyConnection) -> None:
    built = ingest(b'[{"id": 18446744073709551615}, {"id": 1}]')
    assert [str(row[0]) for row in rows_of(duck, built)] == ["18446744073709551615", "1"]


def test_keys_that_differ_only_in_case_become_two_columns(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    built = ingest(b'[{"Namn": "A", "namn": "a", "a.b/c~d": 1}]')
    assert list(types_of(built)) == ["Namn", "namn_2", "a.b/c~d"]
    assert rows_of(duck, built) == [("A", "a", 1)]


def test_records_inside_a_data_wrapper_are_read(ingest: Ingest, duck: duckdb.DuckDBPyConnection) -> None:
    content = encoded({"meta": {"count": 2, "source": "Sjöviks kommun"}, "data": [{"a": 1}, {"a": 2}],
                       "links": {"next": None}})  # fmt: skip
    built = ingest(content, "data.json")
    assert rows_of(duck, built) == [(1,), (2,)]
    assert built.source == {"format": "json", "member": "data", "file_name": "data.json"}


def test_a_wrapper_with_two_lists_of_records_is_refused(ingest: Ingest) -> None:
    failure = refusal(ingest, encoded({"skolor": [{"a": 1}], "förskolor": [{"a": 2}]}))
    assert failure.code == "json_not_records"
    assert "skolor, förskolor" in failure.sv


def test_a_single_object_is_a_table_of_one_row(ingest: Ingest, duck: duckdb.DuckDBPyConnection) -> None:
    built = ingest('{"namn": "Sjöviks kommun", "invanare": 12034, "taggar": []}'.encode())
    assert rows_of(duck, built) == [("Sjöviks kommun", 12034, "[]")]


def test_json_named_csv_is_read_as_json(ingest: Ingest) -> None:
    assert ingest(encoded(BADPLATSER), "badplatser.csv").source["format"] == "json"


def test_invalid_json_is_refused_with_the_line_and_column_of_the_error(ingest: Ingest) -> None:
    failure = refusal(ingest, b'[\n  {"a": 1},\n  {"a": 2 "b": 3}\n]')
    assert failure.code == "invalid_json"
    assert failure.sv == "Filen är inte giltig JSON: fel på rad 3, tecken 11 (Expecting ',' delimiter)."
    assert failure.en == "The file is not valid JSON: error at line 3, column 11 (Expecting ',' delimiter)."


def test_invalid_json_in_a_later_line_of_objects_is_refused_with_its_line(ingest: Ingest) -> None:
    failure = refusal(ingest, b'{"a": 1}\n{"a": 2}\n{"a": 3 "b": 4}\n')
    assert failure.code == "invalid_json"
    assert "line 3" in failure.en


def test_a_truncated_file_is_refused_as_invalid(ingest: Ingest) -> None:
    assert refusal(ingest, b'[{"a": 1}, {"a": 2}').code == "invalid_json"


def test_json_that_is_not_utf8_is_refused(ingest: Ingest) -> None:
    failure = refusal(ingest, '[{"ort": "Sjövik"}]'.encode("cp1252"))
    assert failure.code == "invalid_encoding"


def test_an_empty_list_is_refused(ingest: Ingest) -> None:
    failure = refusal(ingest, b"[ ]")
    assert failure.code == "empty_json"
    assert failure.sv == "JSON-filen innehåller en tom lista: det finns inga poster att göra en tabell av."


def test_a_list_of_numbers_is_refused_as_no_records(ingest: Ingest) -> None:
    failure = refusal(ingest, b"[1, 2, 3]")
    assert failure.code == "json_not_records"
    assert failure.en.endswith("but is a list of numbers (record 1 is not an object).")


def test_a_list_with_one_record_that_is_no_object_is_refused_naming_it(ingest: Ingest) -> None:
    failure = refusal(ingest, b'[{"a": 1}, {"a": 2}, ["a", 3]]')
    assert failure.code == "json_not_records"
    assert "record 3 is not an object" in failure.en


def feature(number: int, shape: dict[str, Any] | None, /, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "id": number, "properties": properties, "geometry": shape}


POINT = {"type": "Point", "coordinates": [18.0686, 59.3293]}
POLYGON = {"type": "Polygon", "coordinates": [[[18.0, 59.0], [18.1, 59.0], [18.1, 59.1], [18.0, 59.0]]]}


def collection(*features: dict[str, Any], **members: Any) -> bytes:
    return encoded({"type": "FeatureCollection", "features": list(features)} | members)


def test_a_feature_collection_gives_a_row_per_feature_with_its_geometry(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    built = ingest(collection(feature(1, POINT, namn="Norrstrand", djup=2.5), feature(2, POLYGON, namn="Viken")),
                   "badplatser.geojson")  # fmt: skip
    assert types_of(built) == {"id": "integer", "namn": "string", "djup": "number", "geometry": "geojson"}
    assert rows_of(duck, built) == [
        (1, "Norrstrand", 2.5, '{"type":"Point","coordinates":[18.0686,59.3293]}'),
        (
            2,
            "Viken",
            None,
            '{"type":"Polygon","coordinates":[[[18.0,59.0],[18.1,59.0],[18.1,59.1],[18.0,59.0]]]}',
        ),
    ]
    assert built.source == {"format": "geojson", "file_name": "badplatser.geojson"}


def test_a_feature_without_geometry_is_a_row_with_an_empty_geometry(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    built = ingest(
        collection(feature(1, POINT, namn="A"), feature(2, None, namn="B"), feature(3, POINT, namn="C"))
    )
    assert types_of(built)["geometry"] == "geojson"
    assert [row[2] is None for row in rows_of(duck, built)] == [False, True, False]


def test_features_without_ids_give_no_id_column(ingest: Ingest) -> None:
    features = [{"type": "Feature", "properties": {"namn": "A"}, "geometry": POINT}]
    built = ingest(encoded({"type": "FeatureCollection", "features": features}), "data.geojson")
    assert types_of(built) == {"namn": "string", "geometry": "geojson"}


def test_properties_named_like_the_features_own_columns_are_renamed_and_noted(ingest: Ingest) -> None:
    built = ingest(collection(feature(1, POINT, id=7, geometry="punkt", namn="A")))
    assert list(types_of(built)) == ["id", "properties.id", "properties.geometry", "namn", "geometry"]
    assert built.report["counts"] == {"renamed_column": 2}


def test_members_after_the_features_and_an_old_style_crs_are_understood(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}  # as GeoServer writes it
    content = b'{"type":"FeatureCollection","features":' + encoded([feature(1, POINT, namn="A")])
    content += b',"totalFeatures":1,"numberReturned":1,"bbox":[1,2,3,4],"crs":' + encoded(crs) + b"}"
    built = ingest(content, "wfs.json")
    assert rows_of(duck, built) == [(1, "A", '{"type":"Point","coordinates":[18.0686,59.3293]}')]
    assert built.source == {"format": "geojson", "crs": "urn:ogc:def:crs:EPSG::3006", "file_name": "wfs.json"}


def test_a_feature_collection_larger_than_the_part_read_first_is_streamed(
    ingest: Ingest, duck: duckdb.DuckDBPyConnection
) -> None:
    features = [feature(n, POLYGON, namn=f"Område {n}", beskrivning="x" * 200) for n in range(8000)]
    content = collection(*features, totalFeatures=8000)
    assert len(content) > 3 * 1024 * 1024
    built = ingest(content, "omraden.json")
    assert built.row_count == 8000
    assert built.source["format"] == "geojson"
    assert rows_of(duck, built)[-1][:2] == (7999, "Område 7999")


def test_features_one_per_line_are_read(ingest: Ingest) -> None:
    lines = b"\n".join(encoded(feature(n, POINT, namn=str(n))) for n in range(3))
    built = ingest(lines, "data.geojsonl")
    assert built.row_count == 3
    assert types_of(built)["geometry"] == "geojson"


def test_a_geojson_file_holding_plain_records_is_read_as_json(ingest: Ingest) -> None:
    assert ingest(encoded(BADPLATSER), "badplatser.geojson").source["format"] == "json"


def test_an_empty_feature_collection_is_refused(ingest: Ingest) -> None:
    assert refusal(ingest, collection(), "data.geojson").code == "empty_json"


def test_a_truncated_feature_collection_is_refused_with_the_position(ingest: Ingest) -> None:
    content = collection(feature(1, POINT, namn="A"), feature(2, POINT, namn="B"))
    failure = refusal(ingest, content[:-40], "data.geojson")
    assert failure.code == "invalid_json"
    assert failure.en.startswith("The file is not valid JSON: error at line 1, column")

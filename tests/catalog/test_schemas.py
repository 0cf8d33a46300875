"""What dataset input accepts and refuses, field by field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from datatorget.catalog.schemas import DatasetIn, OrganizationIn

BASE = {"title": {"sv": "Badplatser"}, "organization": "sjovik"}


def errors_of(**fields: object) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as failure:
        DatasetIn.model_validate(BASE | {"description": {"sv": "Badplatser."}} | fields)
    return [(".".join(str(p) for p in e["loc"]), e["type"]) for e in failure.value.errors()]


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "[klicka](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        "<iframe src=https://evil.example>",
        "<svg/onload=alert(1)>",
    ],
)
def test_script_in_a_description_is_refused(text: str) -> None:
    assert errors_of(description={"sv": text}) == [("description.sv", "script_not_allowed")]


@pytest.mark.parametrize(
    "text",
    [
        "Öppet: onsdag = stängt",
        "a < b och c > d",
        "Se **fetstil** och `kod`.",
        "Värden < 5 visas inte; onsdag = antal",
    ],
)
def test_ordinary_text_with_symbols_is_accepted(text: str) -> None:
    assert DatasetIn.model_validate(BASE | {"description": {"sv": text}}).description == {"sv": text}


def test_a_swedish_title_is_required() -> None:
    assert ("title", "swedish_required") in errors_of(title={"en": "Bathing sites"})


def test_a_value_outside_a_vocabulary_is_refused() -> None:
    assert errors_of(themes=["XYZ"]) == [("themes.0", "not_in_vocabulary")]


def test_a_vocabulary_iri_is_taken_as_its_code() -> None:
    iri = "http://publications.europa.eu/resource/authority/data-theme/ENVI"
    assert DatasetIn.model_validate(BASE | {"description": {"sv": "x"}, "themes": [iri]}).themes == ["ENVI"]


def test_an_over_long_title_is_refused() -> None:
    assert errors_of(title={"sv": "x" * 301}) == [("title.sv", "string_too_long")]


def test_a_time_period_that_ends_before_it_starts_is_refused() -> None:
    assert errors_of(temporal={"start": "2024-01-01", "end": "2023-01-01"}) == [
        ("temporal", "temporal_order")
    ]


def test_unknown_fields_are_refused() -> None:
    assert errors_of(colour="blue") == [("colour", "extra_forbidden")]


def test_an_address_that_is_not_http_is_refused() -> None:
    assert errors_of(landing_page="ftp://files.example/x") == [("landing_page", "url_parsing")]


@pytest.mark.parametrize(
    ("number", "kind"), [("212000-1234", "org_number_checksum"), ("1234", "org_number_format")]
)
def test_a_wrong_organisation_number_is_refused(number: str, kind: str) -> None:
    with pytest.raises(ValidationError) as failure:
        OrganizationIn(slug="sjovik", name="Sjöviks kommun", org_number=number)
    assert [e["type"] for e in failure.value.errors()] == [kind]


def test_an_organisation_number_is_kept_with_its_hyphen() -> None:
    assert OrganizationIn(slug="sjovik", name="Sjövik", org_number="2120009879").org_number == "212000-9879"

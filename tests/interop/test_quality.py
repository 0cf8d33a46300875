"""interop/quality.py: the MQA score of a dataset and of the catalog, measured on datasets made through the
catalog services, with the link checker's and the compliance check's results stored as the quality check
stores them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from datatorget.catalog import accounts, datasets, distributions
from datatorget.catalog.models import Dataset, Distribution
from datatorget.catalog.schemas import DatasetPatch, DistributionLinkIn
from datatorget.config import Settings
from datatorget.errors import NotFound
from datatorget.interop.compliance import last_change
from datatorget.interop.link_check import Answer, Link, store_answers
from datatorget.interop.quality import DatasetQuality, catalog_quality, dataset_quality
from datatorget.interop.quality_models import ComplianceCheck
from tests.conftest import Actors
from tests.factories import make_dataset, make_organization, make_upload

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
COMPLETE: dict[str, Any] = {
    "keywords": {"sv": ["bad"]},
    "themes": ["ENVI"],
    "spatial": ["http://publications.europa.eu/resource/authority/country/SWE"],
    "temporal": {"start": "2020-01-01"},
    "license": "CC_BY_4_0",
    "access_rights": "PUBLIC",
    "contact_point": {"name": "Fritid", "email": "fritid@sjovik.example"},
}


@pytest.fixture(autouse=True)
def organization(session: Session) -> None:
    make_organization(session)


def complete(session: Session, title: str = "Badplatser", **fields: Any) -> Dataset:
    """A dataset with every dataset-level field the metrics ask for, without distributions."""
    return make_dataset(session, title, **(COMPLETE | fields))


def link(session: Session, dataset: Dataset, access_url: str, **fields: Any) -> Distribution:
    data = DistributionLinkIn.model_validate({"access_url": access_url, **fields})
    found = distributions.add_link(session, dataset.slug, data, accounts.system_user(session))
    session.commit()
    return found


def quality(session: Session, dataset: Dataset) -> DatasetQuality:
    session.expire_all()
    return dataset_quality(session, session.get_one(Dataset, dataset.id))


def points(result: DatasetQuality, metric: str) -> float | None:
    """The metric's points, or None when it was not measured."""
    found = next(m for m in result.metrics if m.metric == metric)
    return found.points if found.measured else None


def store_compliance(session: Session, dataset: Dataset, *, conforms: bool = True) -> None:
    session.expire_all()
    current = session.get_one(Dataset, dataset.id)
    violations = (
        []
        if conforms
        else [{"focus": "x", "path": "http://purl.org/dc/terms/description", "message": "Less than 1 values"}]
    )
    session.add(
        ComplianceCheck(
            dataset_id=current.id,
            dataset_modified=last_change(current),
            distribution_count=len(current.distributions),
            conforms=conforms,
            violations=violations,
            checked_at=NOW,
        )
    )
    session.commit()


def store_link(session: Session, distribution: Distribution, kind: str, url: str, answer: Answer) -> None:
    store_answers(session, {Link(distribution.id, kind, url): answer}, now=NOW)
    session.commit()


# --- a dataset ----------------------------------------------------------------------------------------------


def test_a_complete_dataset_with_an_uploaded_csv_lacks_only_compliance_and_rights(
    session: Session, settings: Settings
) -> None:
    dataset = complete(session)
    make_upload(session, dataset.slug, settings.files_dir)
    result = quality(session, dataset)
    assert (result.points, result.max_points, result.rating) == (370, 405, "excellent")
    assert [m.metric for m in result.metrics if m.points < m.max_points] == [
        "dcatApCompliance",
        "rightsAvailability",
    ]
    assert result.suggestions == []
    assert result.hvd is None


def test_the_dimension_points_add_up_to_the_score(session: Session, settings: Settings) -> None:
    dataset = complete(session, keywords={})
    make_upload(session, dataset.slug, settings.files_dir)
    result = quality(session, dataset)
    assert [(d.dimension, d.points, d.max_points) for d in result.dimensions] == [
        ("findability", 70, 100),
        ("accessibility", 100, 100),
        ("interoperability", 80, 110),
        ("reusability", 75, 75),
        ("contextuality", 15, 20),
    ]
    assert sum(d.points for d in result.dimensions) == result.points == 340


def test_a_missing_keyword_gives_a_suggestion_for_the_keyword_field(
    session: Session, settings: Settings
) -> None:
    dataset = complete(session, keywords={})
    make_upload(session, dataset.slug, settings.files_dir)
    [suggestion] = quality(session, dataset).suggestions
    assert (suggestion.metric, suggestion.dimension, suggestion.gain, suggestion.field) == (
        "keywordAvailability", "findability", 30, "keywords_sv",
    )  # fmt: skip
    assert suggestion.sv.startswith("Lägg till minst ett nyckelord")
    assert suggestion.en.startswith("Add at least one keyword")


def test_suggestions_come_biggest_gain_first(session: Session, settings: Settings) -> None:
    dataset = make_dataset(session, "Tunn", themes=["ENVI"])
    make_upload(session, dataset.slug, settings.files_dir)
    gains = [(s.metric, s.gain) for s in quality(session, dataset).suggestions]
    assert gains == sorted(gains, key=lambda pair: -pair[1])
    assert gains[0] == ("keywordAvailability", 30)
    assert {metric for metric, _gain in gains} >= {
        "licenceAvailability",
        "contactPointAvailability",
        "temporalAvailability",
    }


def test_the_organisations_contact_email_counts_as_the_contact_point(session: Session) -> None:
    make_organization(session, "sjovik-energi", "Sjövik Energi AB", contact_email="energi@sjovik.example")
    dataset = complete(session, organization="sjovik-energi", contact_point=None)
    assert points(quality(session, dataset), "contactPointAvailability") == 20


def test_a_dataset_without_distributions_fails_them_and_is_told_to_add_one(session: Session) -> None:
    result = quality(session, complete(session))
    assert points(result, "formatAvailability") == -5
    assert points(result, "mediaTypeAvailability") == -5
    assert points(result, "dateIssuedAvailability") == 0
    [suggestion] = result.suggestions
    assert (suggestion.metric, suggestion.field, suggestion.gain) == ("distributions", "distributions", 235)
    assert suggestion.sv.startswith("Lägg till en distribution")


def test_a_distribution_metric_gives_the_share_of_distributions_that_pass(
    session: Session, settings: Settings
) -> None:
    dataset = complete(session)
    make_upload(session, dataset.slug, settings.files_dir)
    link(session, dataset, "https://data.sjovik.example/bad", format=None, title={"sv": "Utan format"})
    result = quality(session, dataset)
    assert points(result, "formatAvailability") == 20 * 0.5 - 5 * 0.5
    assert points(result, "downloadUrlAvailability") == 10
    [format_advice] = [s for s in result.suggestions if s.metric == "formatAvailability"]
    assert format_advice.sv == "Ange filformat för distributionerna: Utan format."


def test_a_pdf_is_neither_open_nor_machine_readable(session: Session) -> None:
    dataset = complete(session)
    link(session, dataset, "https://www.sjovik.example/bad.pdf", format="PDF", title={"sv": "Rapport"})
    result = quality(session, dataset)
    assert points(result, "formatMediaTypeNonProprietary") == 0
    assert points(result, "formatMediaTypeMachineInterpretable") == 0
    advice = {s.metric: s.sv for s in result.suggestions}
    assert advice["formatMediaTypeMachineInterpretable"] == (
        "Erbjud ett maskinläsbart format, t.ex. CSV eller JSON, i stället för Rapport."
    )


def test_an_excel_file_is_machine_readable_but_proprietary(session: Session) -> None:
    dataset = complete(session)
    link(session, dataset, "https://www.sjovik.example/bad.xlsx", format="XLSX")
    result = quality(session, dataset)
    assert points(result, "formatMediaTypeMachineInterpretable") == 20
    assert points(result, "formatMediaTypeNonProprietary") == 0


def test_the_format_is_found_from_the_file_name_as_the_export_does(session: Session) -> None:
    dataset = complete(session)
    link(session, dataset, "https://data.sjovik.example/bad.geojson", format=None)
    result = quality(session, dataset)
    assert (points(result, "formatAvailability"), points(result, "mediaTypeAvailability")) == (20, 10)
    assert points(result, "formatMediaTypeVocabularyAlignment") == 10


def test_advice_that_ends_a_sentence_names_the_distributions_after_it(session: Session) -> None:
    dataset = complete(session, license=None)
    link(session, dataset, "https://www.sjovik.example/bad.csv", format="CSV", title={"sv": "Badplatser"})
    advice = {s.metric: s.sv for s in quality(session, dataset).suggestions}
    assert advice["licenceAvailability"] == "Lägg till en licens: välj en licens från listan: Badplatser."


def test_a_dataset_without_any_download_address_is_told_to_add_one_not_to_fix_it(session: Session) -> None:
    dataset = complete(session)
    link(session, dataset, "https://www.sjovik.example/protokoll", format="HTML")
    metrics = {s.metric for s in quality(session, dataset).suggestions}
    assert "downloadUrlAvailability" in metrics
    assert "downloadUrlStatusCode" not in metrics


# --- what the quality check stored ----------------------------------------------------------------------------


def test_an_unchecked_link_is_not_measured_and_gives_no_suggestion(session: Session) -> None:
    dataset = complete(session)
    link(session, dataset, "https://data.sjovik.example/bad.json", format="JSON")
    result = quality(session, dataset)
    assert points(result, "accessUrlStatusCode") is None
    assert "accessUrlStatusCode" not in {s.metric for s in result.suggestions}


def test_an_address_that_answered_gets_the_access_points(session: Session) -> None:
    dataset = complete(session)
    url = "https://data.sjovik.example/bad.json"
    distribution = link(session, dataset, url, format="JSON")
    store_link(session, distribution, "access", url, Answer(200, True, None))
    assert points(quality(session, dataset), "accessUrlStatusCode") == 50


def test_a_broken_address_is_named_in_the_suggestion(session: Session) -> None:
    dataset = complete(session)
    url = "https://data.sjovik.example/borta.json"
    distribution = link(session, dataset, url, format="JSON", title={"sv": "Badplatser JSON", "en": "JSON"})
    store_link(session, distribution, "access", url, Answer(404, False, "http_error"))
    result = quality(session, dataset)
    assert points(result, "accessUrlStatusCode") == 0
    [advice] = [s for s in result.suggestions if s.metric == "accessUrlStatusCode"]
    assert (advice.gain, advice.field) == (50, "distributions")
    assert advice.en == f"Fix or remove access addresses that do not answer: Badplatser JSON ({url})."


def test_a_check_of_an_earlier_address_counts_as_unchecked(session: Session) -> None:
    dataset = complete(session)
    distribution = link(session, dataset, "https://data.sjovik.example/ny.json", format="JSON")
    store_link(
        session, distribution, "access", "https://data.sjovik.example/gammal.json", Answer(200, True, None)
    )
    assert points(quality(session, dataset), "accessUrlStatusCode") is None


def test_download_addresses_are_judged_over_the_distributions_that_have_one(
    session: Session, settings: Settings
) -> None:
    dataset = complete(session)
    make_upload(session, dataset.slug, settings.files_dir)
    link(session, dataset, "https://www.sjovik.example/om-badplatser", format="HTML")
    assert points(quality(session, dataset), "downloadUrlStatusCode") == 30


def test_a_stored_compliance_result_counts_while_the_dataset_is_unchanged(
    session: Session, settings: Settings
) -> None:
    dataset = complete(session)
    make_upload(session, dataset.slug, settings.files_dir)
    store_compliance(session, dataset)
    result = quality(session, dataset)
    assert (points(result, "dcatApCompliance"), result.points) == (30, 400)


def test_a_change_to_the_dataset_makes_the_compliance_result_stale(session: Session) -> None:
    dataset = complete(session)
    store_compliance(session, dataset)
    datasets.update_dataset(
        session, dataset.slug, DatasetPatch(keywords={"sv": ["strand"]}), accounts.system_user(session)
    )
    session.commit()
    assert points(quality(session, dataset), "dcatApCompliance") is None


def test_a_non_compliant_dataset_is_told_what_fails(session: Session) -> None:
    dataset = complete(session)
    store_compliance(session, dataset, conforms=False)
    result = quality(session, dataset)
    [advice] = [s for s in result.suggestions if s.metric == "dcatApCompliance"]
    assert (advice.gain, advice.field) == (30, None)
    assert advice.en == "Fix what makes the description fail DCAT-AP: description: Less than 1 values."


# --- the catalog --------------------------------------------------------------------------------------------


def test_the_catalog_score_is_the_average_of_the_datasets(session: Session, settings: Settings) -> None:
    good = complete(session, "Badplatser")
    make_upload(session, good.slug, settings.files_dir)
    complete(session, "Tom")  # no distributions
    result = catalog_quality(session, None)
    scores = [q.points for q in result.datasets]
    assert result.points == round(sum(scores) / 2, 2)
    assert [q.slug for q in result.datasets] == ["tom", "badplatser"]  # worst first
    assert result.ratings == {"excellent": 1, "good": 0, "sufficient": 1, "bad": 0}
    assert next(d.points for d in result.dimensions) == 100


def test_anonymous_readers_score_only_published_datasets(session: Session) -> None:
    complete(session, "Publicerad")
    complete(session, "Utkast", state="draft")
    assert [q.slug for q in catalog_quality(session, None).datasets] == ["publicerad"]


def test_an_editor_also_scores_the_drafts_of_their_organisation(session: Session) -> None:
    complete(session, "Publicerad")
    complete(session, "Utkast", state="draft")
    editor = Actors(session).user("redaktor@sjovik.example", "editor", "sjoviks-kommun")
    assert sorted(q.slug for q in catalog_quality(session, editor).datasets) == [
        "publicerad",
        "utkast",
    ]


def test_the_catalog_can_be_kept_to_one_organisation(session: Session) -> None:
    make_organization(session, "sjovik-energi", "Sjövik Energi AB")
    complete(session, "Badplatser")
    complete(session, "Laddstationer", organization="sjovik-energi")
    result = catalog_quality(session, None, organization="sjovik-energi")
    assert [(q.slug, q.organization) for q in result.datasets] == [("laddstationer", "sjovik-energi")]


def test_an_unknown_organisation_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        catalog_quality(session, None, organization="finns-inte")


def test_an_empty_catalog_scores_nothing(session: Session) -> None:
    result = catalog_quality(session, None)
    assert (result.points, result.rating, result.datasets, result.hvd_incomplete) == (0, "bad", [], 0)


def test_the_catalog_counts_high_value_datasets_with_an_incomplete_checklist(
    session: Session, tmp_path: Path
) -> None:
    complete(session, "Luftkvalitet", hvd_categories=["c_dd313021"])
    assert catalog_quality(session, None).hvd_incomplete == 1

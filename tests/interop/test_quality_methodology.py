"""interop/mqa_metrics.json agrees with piveau's definition of the MQA in ../shared/standards/piveau-mqa/:
every metric with its dimension and points, the rating bands, 405 points in all.

Without the standards folder these tests fail under CI=true and skip (with the reason) otherwise.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import DC, RDF

from datatorget.catalog.vocabulary import vocabulary
from datatorget.interop.quality_methodology import DIMENSIONS, methodology

ROOT = Path(__file__).resolve().parents[2]
PIVEAU = ROOT.parent / "shared" / "standards" / "piveau-mqa"
PV = Namespace("https://piveau.eu/ns/voc#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
SCORING = Namespace("https://piveau.eu/ns/scoring#")
TYPOS = {"reusablity": "reusability"}  # upstream writes pv:reusablity for the two access-rights metrics


def _standard(name: str, fmt: str) -> Graph:
    path = PIVEAU / name
    if not path.is_file():
        reason = f"piveau's MQA definitions are not in {PIVEAU} (missing {name})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true: the methodology tests must run")
        pytest.skip(reason)
    return Graph().parse(path, format=fmt)


@cache
def _piveau_metrics() -> dict[str, tuple[str, int, int]]:
    """metric -> (dimension, true score, false score), as piveau defines them."""
    graph = _standard("piveau-dqv-vocabulary.ttl", "turtle")
    found = {}
    for metric in graph.subjects(RDF.type, DQV.Metric):
        true_score = graph.value(metric, PV.trueScore)
        if true_score is None:
            continue  # pv:score, the total
        dimension = str(graph.value(metric, DQV.inDimension)).removeprefix(str(PV))
        false_score = graph.value(metric, PV.falseScore)
        found[str(metric).removeprefix(str(PV))] = (
            TYPOS.get(dimension, dimension),
            int(str(true_score)),
            int(str(false_score)) if false_score is not None else 0,
        )
    return found


def test_every_metric_has_piveaus_dimension_and_points() -> None:
    ours = {m.metric: (m.dimension, m.true_points, m.false_points) for m in methodology().metrics}
    assert ours == _piveau_metrics()


def test_the_metrics_add_up_to_405_points() -> None:
    assert sum(true for _dim, true, _false in _piveau_metrics().values()) == 405
    assert methodology().max_points == 405


def test_the_dimensions_are_piveaus_five() -> None:
    graph = _standard("piveau-dqv-vocabulary.ttl", "turtle")
    defined = {str(d).removeprefix(str(PV)) for d in graph.subjects(RDF.type, DQV.Dimension)}
    assert defined == set(DIMENSIONS)


def test_only_the_two_access_rights_metrics_carry_the_upstream_typo() -> None:
    graph = _standard("piveau-dqv-vocabulary.ttl", "turtle")
    misspelt = {str(m).removeprefix(str(PV)) for m in graph.subjects(DQV.inDimension, PV.reusablity)}
    assert misspelt == {"accessRightsAvailability", "accessRightsVocabularyAlignment"}


def test_the_rating_bands_follow_piveaus_scoring_scheme() -> None:
    graph = _standard("piveau-scoring-skos.rdf", "xml")
    lower = {}
    for concept in graph.subjects(DC.identifier, None):
        text = str(graph.value(concept, DC.description))
        numbers = [int(n) for n in re.findall(r"\d+", text)]
        name = str(concept).removeprefix(str(SCORING))
        lower[name] = numbers[0] + 1 if "greater than" in text else (0 if "less than" in text else numbers[0])
    ours = dict(methodology().ratings)
    assert {
        "excellent": ours["excellent"],
        "good": ours["good"],
        "enough": ours["sufficient"],
        "bad": ours["bad"],
    } == lower


@pytest.mark.parametrize(
    ("points", "rating"),
    [(405, "excellent"), (351, "excellent"), (350.4, "good"), (221, "good"), (220, "sufficient"),
     (120, "sufficient"), (119.4, "bad"), (-10, "bad")],
)  # fmt: skip
def test_a_score_is_rated_by_its_whole_points(points: float, rating: str) -> None:
    assert methodology().rating(points) == rating


def test_the_format_lists_name_only_file_types_of_our_vocabulary() -> None:
    method = methodology()
    known = set(vocabulary("file_types"))
    assert method.non_proprietary <= known
    assert method.machine_readable <= known
    assert method.hvd_api_formats <= known


def test_xlsx_is_machine_readable_but_proprietary_and_pdf_neither() -> None:
    method = methodology()
    assert "XLSX" in method.machine_readable and "XLSX" not in method.non_proprietary
    assert "PDF" not in method.machine_readable and "PDF" not in method.non_proprietary
    assert {"CSV", "JSON", "GEOJSON", "PARQUET", "XML"} <= method.machine_readable & method.non_proprietary


def test_the_hvd_licences_are_in_our_licence_vocabulary() -> None:
    assert set(methodology().hvd_open_licences) <= set(vocabulary("licenses"))

"""The checklist of a high-value dataset (a dataset with an HVD category): the obligations of Commission
Implementing Regulation (EU) 2023/138 and the DCAT-AP HVD 3.0.0 shapes, each with what is missing.

- licence: CC BY 4.0 or a more open licence (the codes in `hvd_open_licences` of mqa_metrics.json) on every
  distribution;
- api: an API, i.e. a table read in from a distribution (Datatorget's data API, a dcat:DataService in the
  export), or a linked distribution whose format is an API (`hvd_api_formats`);
- bulk_download: a download of the whole dataset (a distribution with a download address);
- machine_readable: at least one distribution in a machine-readable format;
- api_documentation: the API is documented (the data API has its OpenAPI description and page);
- contact_point: a contact point with an email address (the dataset's or its organisation's);
- metadata: the HVD category, the applicable legislation (written automatically on the dataset, its
  distributions and its data services) and an access address on every distribution.
"""

from __future__ import annotations

from datatorget.catalog.models import Dataset, Distribution
from datatorget.catalog.present import has_version
from datatorget.catalog.vocabulary import term
from datatorget.interop.quality_methodology import Methodology
from datatorget.interop.quality_metrics import distribution_name, file_type, has_contact_point, licence
from datatorget.interop.quality_types import HvdCheck, HvdChecklist


def hvd_checklist(dataset: Dataset, method: Methodology) -> HvdChecklist | None:
    """The checklist, or None when the dataset has no HVD category."""
    if not dataset.hvd_categories:
        return None
    checks = [
        _licence(dataset, method),
        _api(dataset, method),
        _bulk_download(dataset),
        _machine_readable(dataset, method),
        _documentation(dataset),
        _contact(dataset),
        _metadata(dataset),
    ]
    return HvdChecklist(list(dataset.hvd_categories), checks, all(c.ok for c in checks))


def _names(distributions: list[Distribution]) -> str:
    return ", ".join(distribution_name(d) for d in distributions)


def _licence(dataset: Dataset, method: Methodology) -> HvdCheck:
    allowed = method.hvd_open_licences
    sv, en = "Licens CC BY 4.0 eller öppnare", "Licence CC BY 4.0 or more open"
    if not dataset.distributions:
        return HvdCheck(
            "licence",
            False,
            f"{sv}: ingen distribution har någon licens.",
            f"{en}: no distribution has a licence.",
        )
    wrong = [d for d in dataset.distributions if licence(dataset, d) not in allowed]
    if not wrong:
        codes = sorted({licence(dataset, d) or "" for d in dataset.distributions})
        labels = ", ".join(_licence_label(c, "sv") for c in codes)
        return HvdCheck(
            "licence", True, f"{sv}: {labels}.", f"{en}: {', '.join(_licence_label(c, 'en') for c in codes)}."
        )
    return HvdCheck(
        "licence",
        False,
        f"{sv}: välj CC0 eller CC BY 4.0 för {_names(wrong)}.",
        f"{en}: choose CC0 or CC BY 4.0 for {_names(wrong)}.",
    )


def _licence_label(code: str, lang: str) -> str:
    try:
        return term("licenses", code).label_in(lang)
    except KeyError:
        return code


def _listed(key: str, sv: str, en: str, found: list[Distribution], missing: tuple[str, str]) -> HvdCheck:
    """Met when `found` names a distribution (which are listed), else missing with what to do (sv, en)."""
    if found:
        names = _names(found)
        return HvdCheck(key, True, f"{sv}: {names}.", f"{en}: {names}.")
    return HvdCheck(key, False, f"{sv}: {missing[0]}", f"{en}: {missing[1]}")


def _api(dataset: Dataset, method: Methodology) -> HvdCheck:
    """Our data API (a table read in from a distribution), or a linked distribution that is an API."""
    tables = [d for d in dataset.distributions if has_version(d)]
    linked = [
        d for d in dataset.distributions if (kind := file_type(d)) and kind.code in method.hvd_api_formats
    ]
    return _listed(
        "api",
        "Ett API som ger tillgång till datamängden",
        "An API that gives access to the dataset",
        tables + linked,
        (
            "saknas. Ladda upp data som en tabell (CSV, Excel, JSON …) så får den ett data-API.",
            "missing. Upload the data as a table (CSV, Excel, JSON …) and it gets a data API.",
        ),
    )


def _bulk_download(dataset: Dataset) -> HvdCheck:
    return _listed(
        "bulk_download",
        "Nedladdning av hela datamängden",
        "A download of the whole dataset",
        [d for d in dataset.distributions if d.file_name or d.download_url],
        (
            "saknas. Ladda upp en fil eller ange en direkt nedladdningsadress.",
            "missing. Upload a file or give a direct download address.",
        ),
    )


def _machine_readable(dataset: Dataset, method: Methodology) -> HvdCheck:
    return _listed(
        "machine_readable",
        "Ett maskinläsbart format",
        "A machine-readable format",
        [d for d in dataset.distributions if (kind := file_type(d)) and kind.code in method.machine_readable],
        (
            "saknas. Erbjud data i t.ex. CSV, JSON eller GeoJSON.",
            "missing. Offer the data in e.g. CSV, JSON or GeoJSON.",
        ),
    )


def _documentation(dataset: Dataset) -> HvdCheck:
    sv, en = "Dokumentation av API:et", "Documentation of the API"
    if any(has_version(d) for d in dataset.distributions):
        return HvdCheck(
            "api_documentation",
            True,
            f"{sv}: data-API:et beskrivs av portalens OpenAPI-beskrivning.",
            f"{en}: the data API is described by the portal's OpenAPI description.",
        )
    return HvdCheck(
        "api_documentation",
        False,
        f"{sv}: saknas. Portalens data-API är dokumenterat; ett API utanför portalen kan inte kontrolleras här.",
        f"{en}: missing. The portal's data API is documented; an API outside the portal cannot be checked here.",
    )


def _contact(dataset: Dataset) -> HvdCheck:
    sv, en = "En kontaktpunkt", "A contact point"
    if has_contact_point(dataset):
        return HvdCheck("contact_point", True, f"{sv}: angiven.", f"{en}: given.")
    return HvdCheck(
        "contact_point",
        False,
        f"{sv}: saknas. Ange en e-postadress för datamängden eller organisationen.",
        f"{en}: missing. Give an email address for the dataset or the organisation.",
    )


def _metadata(dataset: Dataset) -> HvdCheck:
    sv = "Obligatoriska HVD-uppgifter (kategori, tillämplig lagstiftning, åtkomstadress)"
    en = "The required HVD metadata (category, applicable legislation, access address)"
    if not dataset.distributions:
        return HvdCheck(
            "metadata",
            False,
            f"{sv}: datamängden har ingen distribution.",
            f"{en}: the dataset has no distribution.",
        )
    missing = [d for d in dataset.distributions if not (d.file_name or d.access_url)]
    if missing:
        return HvdCheck(
            "metadata",
            False,
            f"{sv}: ange en åtkomstadress för {_names(missing)}.",
            f"{en}: give an access address for {_names(missing)}.",
        )
    return HvdCheck(
        "metadata",
        True,
        f"{sv}: kompletta; lagstiftningen anges automatiskt.",
        f"{en}: complete; the legislation is given automatically.",
    )

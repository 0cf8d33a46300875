"""What to do about each failing metric, in Swedish and English, and which form field it concerns.

`field` names a field of the dataset form (web/dataset_form.py), or `distributions` for something fixed on
the dataset's distributions (their own form), or None when an editor cannot fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

DISTRIBUTIONS = "distributions"
NO_DISTRIBUTIONS = (
    "distributions"  # the metric of the one suggestion given to a dataset without distributions
)


@dataclass(frozen=True)
class Advice:
    sv: str
    en: str
    field: str | None


ADVICE: dict[str, Advice] = {
    "keywordAvailability": Advice(
        "Lägg till minst ett nyckelord, så att datamängden hittas i sökningar.",
        "Add at least one keyword, so that the dataset is found by searches.",
        "keywords_sv",
    ),
    "categoryAvailability": Advice(
        "Välj minst ett tema (kategori) för datamängden.",
        "Choose at least one theme (category) for the dataset.",
        "themes",
    ),
    "spatialAvailability": Advice(
        "Ange geografiskt område, till exempel kommunen som datamängden gäller.",
        "Give the geographical area, for example the municipality the dataset covers.",
        "spatial",
    ),
    "temporalAvailability": Advice(
        "Ange tidsperiod: vilka datum datamängden gäller från och till.",
        "Give the time period: the dates the dataset covers from and to.",
        "temporal_start",
    ),
    "accessUrlStatusCode": Advice(
        "Rätta eller ta bort åtkomstadresser som inte svarar",
        "Fix or remove access addresses that do not answer",
        DISTRIBUTIONS,
    ),
    "downloadUrlAvailability": Advice(
        "Ge distributionerna en direkt nedladdningsadress, eller ladda upp filen",
        "Give the distributions a direct download address, or upload the file",
        DISTRIBUTIONS,
    ),
    "downloadUrlStatusCode": Advice(
        "Rätta eller ta bort nedladdningsadresser som inte svarar",
        "Fix or remove download addresses that do not answer",
        DISTRIBUTIONS,
    ),
    "formatAvailability": Advice(
        "Ange filformat för distributionerna",
        "Give the file format of the distributions",
        DISTRIBUTIONS,
    ),
    "mediaTypeAvailability": Advice(
        "Ange filformat (som ger medietypen) för distributionerna",
        "Give the file format (which gives the media type) of the distributions",
        DISTRIBUTIONS,
    ),
    "formatMediaTypeVocabularyAlignment": Advice(
        "Välj filformat ur listan så att format och medietyp följer EU:s vokabulärer",
        "Choose file formats from the list, so that format and media type follow the EU vocabularies",
        DISTRIBUTIONS,
    ),
    "formatMediaTypeNonProprietary": Advice(
        "Erbjud ett öppet format, t.ex. CSV i stället för Excel, för",
        "Offer an open format, e.g. CSV instead of Excel, for",
        DISTRIBUTIONS,
    ),
    "formatMediaTypeMachineInterpretable": Advice(
        "Erbjud ett maskinläsbart format, t.ex. CSV eller JSON, i stället för",
        "Offer a machine-readable format, e.g. CSV or JSON, instead of",
        DISTRIBUTIONS,
    ),
    "dcatApCompliance": Advice(
        "Rätta det som gör att beskrivningen inte följer DCAT-AP",
        "Fix what makes the description fail DCAT-AP",
        None,
    ),
    "licenceAvailability": Advice(
        "Lägg till en licens: välj en licens från listan.",
        "Add a licence: choose a licence from the list.",
        "license",
    ),
    "knownLicence": Advice(
        "Välj en licens från listan, så att den känns igen.",
        "Choose a licence from the list, so that it is recognised.",
        "license",
    ),
    "accessRightsAvailability": Advice(
        "Ange åtkomsträttigheter (t.ex. Publik).",
        "Give the access rights (e.g. Public).",
        "access_rights",
    ),
    "accessRightsVocabularyAlignment": Advice(
        "Välj åtkomsträttigheter från listan.",
        "Choose the access rights from the list.",
        "access_rights",
    ),
    "contactPointAvailability": Advice(
        "Ange en kontaktpunkt med e-postadress, för frågor om datamängden.",
        "Give a contact point with an email address, for questions about the dataset.",
        "contact_email",
    ),
    "publisherAvailability": Advice("Ange utgivare.", "Give the publisher.", "organization"),
    "byteSizeAvailability": Advice(
        "Ladda upp filen i stället för att länka, så att storleken blir känd, för",
        "Upload the file instead of linking to it, so that its size is known, for",
        DISTRIBUTIONS,
    ),
}
# rightsAvailability has no advice: the export writes no dct:rights, so nothing an editor does changes it.
# dateIssuedAvailability and dateModifiedAvailability fail only without distributions (every distribution has
# both dates), which the suggestion to add a distribution covers.
UNFIXABLE = frozenset({"rightsAvailability"})
NO_ADVICE = UNFIXABLE | {"dateIssuedAvailability", "dateModifiedAvailability"}

ADD_DISTRIBUTION = Advice(
    "Lägg till en distribution: ladda upp en fil eller länka till data, helst i ett öppet, maskinläsbart "
    "format som CSV.",
    "Add a distribution: upload a file or link to data, preferably in an open, machine-readable format "
    "such as CSV.",
    DISTRIBUTIONS,
)


def advice_text(metric: str, failing: tuple[str, ...], lang: str) -> str:
    """The advice for a failing metric, naming the distributions it concerns."""
    advice = ADVICE[metric]
    text = advice.sv if lang == "sv" else advice.en
    if not failing:
        return text
    shown = ", ".join(failing[:5]) + (" …" if len(failing) > 5 else "")
    if text.endswith((" för", " for", " av", " of")):
        return f"{text} {shown}."
    return f"{text.rstrip('.')}: {shown}."

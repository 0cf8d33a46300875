"""Request and response models of the catalog: what the API, the web forms and the CLI accept and give."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from datatorget.catalog.vocabulary import VocabularyName, term, term_by_uri, vocabulary

TITLE_MAX = 300
DESCRIPTION_MAX = 20_000
KEYWORD_MAX = 100
KEYWORDS_PER_LANGUAGE_MAX = 50

DatasetState = Literal["draft", "published", "private"]
Role = Literal["admin", "editor", "member"]
Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=2, max_length=100),
    Field(description="Lower-case letters a–z, digits and single hyphens, as in `badplatser-2024`."),
]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
_http_url: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)


def _valid_url(value: str) -> str:
    try:
        return str(_http_url.validate_python(value))
    except ValidationError:
        raise PydanticCustomError("url_parsing", "not a valid http(s) address") from None


Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000),
    AfterValidator(_valid_url),
    WithJsonSchema({"type": "string", "format": "uri", "maxLength": 2000}),
]


def _swedish_required(value: dict[str, Any]) -> dict[str, Any]:
    if not value.get("sv"):
        raise PydanticCustomError("swedish_required", "a Swedish text (sv) is required")
    return value


# Descriptions are Markdown and are rendered without raw HTML; script-like content is refused outright so
# that it is never stored (and never reaches a harvester that renders HTML). An event handler counts inside
# a tag: up to the next '<', not the next '>', which may sit inside a quoted value (<img alt=">" onerror=...>).
_SCRIPT = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|style|svg|math|form|base|meta|link)\b|<[a-z][^<]*\bon[a-z]+\s*=|javascript\s*:"
    r"|vbscript\s*:|data\s*:\s*text/html",
    re.IGNORECASE,
)


def _no_script(value: str) -> str:
    if _SCRIPT.search(value):
        raise PydanticCustomError(
            "script_not_allowed", "scripts and HTML such as <script> are not allowed: write plain Markdown"
        )
    return value


NoScript = AfterValidator(_no_script)
TitleText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX), NoScript
]
DescriptionText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=DESCRIPTION_MAX), NoScript
]
KeywordText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=KEYWORD_MAX), NoScript
]

Title = Annotated[dict[LanguageCode, TitleText], AfterValidator(_swedish_required)]
OptionalTitle = dict[LanguageCode, TitleText]
Description = Annotated[dict[LanguageCode, DescriptionText], AfterValidator(_swedish_required)]
OptionalDescription = dict[LanguageCode, DescriptionText]
Keywords = dict[LanguageCode, Annotated[list[KeywordText], Field(max_length=KEYWORDS_PER_LANGUAGE_MAX)]]


def vocabulary_code(name: VocabularyName, value: str) -> str:
    """The code of a vocabulary term given by code or by IRI; a validation error for anything else."""
    try:
        return term(name, value).code
    except KeyError:
        found = term_by_uri(name, value)
        if found is None:
            raise PydanticCustomError(
                "not_in_vocabulary",
                "'{value}' is not in the {vocabulary} vocabulary (for example {examples})",
                {"value": value, "vocabulary": name, "examples": ", ".join(list(vocabulary(name))[:8])},
            ) from None
        return found.code


def _in(name: VocabularyName) -> AfterValidator:
    return AfterValidator(lambda value: vocabulary_code(name, value))


ThemeCode = Annotated[str, _in("themes")]
LicenseCode = Annotated[str, _in("licenses")]
AccessRightsCode = Annotated[str, _in("access_rights")]
FrequencyCode = Annotated[str, _in("frequencies")]
FileTypeCode = Annotated[str, _in("file_types")]
HvdCategoryCode = Annotated[str, _in("hvd_categories")]
PublisherTypeCode = Annotated[str, _in("publisher_types")]


class Strict(BaseModel):
    """Input models refuse fields they do not know, so a typo is an error rather than silently lost."""

    model_config = ConfigDict(extra="forbid")


class ContactPoint(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: EmailStr


class Temporal(Strict):
    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Temporal:
        if self.start and self.end and self.end < self.start:
            raise PydanticCustomError("temporal_order", "the end of the time period is before its start")
        return self


# --- organisations -------------------------------------------------------------------------------------


def _valid_org_number(value: str) -> str:
    digits = value.replace("-", "")
    if not (len(digits) == 10 and digits.isdigit()):
        raise PydanticCustomError(
            "org_number_format", "an organisation number has ten digits, as in 212000-1234"
        )
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    if total % 10:
        raise PydanticCustomError(
            "org_number_checksum", "the check digit of the organisation number is wrong"
        )
    return f"{digits[:6]}-{digits[6:]}"


OrgNumber = Annotated[str, AfterValidator(_valid_org_number)]


class OrganizationIn(Strict):
    slug: Slug
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    org_number: OrgNumber | None = None
    publisher_type: PublisherTypeCode | None = None
    homepage: Url | None = None
    contact_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    contact_email: EmailStr | None = None


class OrganizationPatch(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    org_number: OrgNumber | None = None
    publisher_type: PublisherTypeCode | None = None
    homepage: Url | None = None
    contact_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    contact_email: EmailStr | None = None


class OrganizationRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    slug: str
    name: str


class OrganizationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    slug: str
    name: str
    org_number: str | None
    publisher_type: str | None
    homepage: str | None
    contact_name: str | None
    contact_email: str | None
    modified: datetime
    dataset_count: int = 0


class OrganizationList(BaseModel):
    total: int
    items: list[OrganizationOut]


# --- datasets ------------------------------------------------------------------------------------------


class DatasetFields(Strict):
    """The fields a publisher may set, shared by create (all given) and patch (some given)."""

    keywords: Keywords = Field(default_factory=dict)
    themes: list[ThemeCode] = Field(default_factory=list, max_length=13)
    contact_point: ContactPoint | None = None
    license: LicenseCode | None = None
    access_rights: AccessRightsCode | None = "PUBLIC"
    spatial: list[Url] = Field(default_factory=list, max_length=20)
    temporal: Temporal | None = None
    frequency: FrequencyCode | None = None
    landing_page: Url | None = None
    conforms_to: list[Url] = Field(default_factory=list, max_length=20)
    hvd_categories: list[HvdCategoryCode] = Field(default_factory=list, max_length=20)
    state: DatasetState = "draft"

    @field_validator("keywords")
    @classmethod
    def _unique_keywords(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {lang: list(dict.fromkeys(words)) for lang, words in value.items()}

    @field_validator("themes", "hvd_categories", "spatial", "conforms_to")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class DatasetIn(DatasetFields):
    slug: Slug | None = Field(None, description="Made from the Swedish title when left out.")
    title: Title
    description: Description
    organization: Slug


class DatasetPatch(Strict):
    """A partial update: only the fields given change. `null` clears an optional field."""

    slug: Slug | None = None
    title: Title | None = None
    description: Description | None = None
    organization: Slug | None = None
    keywords: Keywords | None = None
    themes: list[ThemeCode] | None = None
    contact_point: ContactPoint | None = None
    license: LicenseCode | None = None
    access_rights: AccessRightsCode | None = None
    spatial: list[Url] | None = None
    temporal: Temporal | None = None
    frequency: FrequencyCode | None = None
    landing_page: Url | None = None
    conforms_to: list[Url] | None = None
    hvd_categories: list[HvdCategoryCode] | None = None
    state: DatasetState | None = None


class Checksum(BaseModel):
    algorithm: Literal["sha256"] = "sha256"
    value: str


class DistributionOut(BaseModel):
    id: uuid.UUID
    title: dict[str, str]
    description: dict[str, str]
    access_url: str | None
    download_url: str | None
    file_name: str | None
    format: str | None
    media_type: str | None
    byte_size: int | None
    checksum: Checksum | None
    license: str | None
    issued: datetime
    modified: datetime
    table: str | None = Field(
        None, description="The data API of the table read in from this distribution, when it is a table."
    )


class DistributionCreated(DistributionOut):
    job: uuid.UUID | None = Field(
        None, description="The job that reads a tabular file into its table: `GET /api/v1/jobs/{job}`."
    )


class DatasetOut(BaseModel):
    id: uuid.UUID = Field(description="The stable identifier (dcterms:identifier).")
    uri: str
    slug: str
    state: DatasetState
    title: dict[str, str]
    description: dict[str, str]
    keywords: dict[str, list[str]]
    themes: list[str]
    organization: OrganizationRef
    contact_point: ContactPoint | None
    license: str | None
    access_rights: str | None
    spatial: list[str]
    temporal: Temporal | None
    frequency: str | None
    landing_page: str | None
    conforms_to: list[str]
    hvd_categories: list[str]
    issued: datetime | None
    modified: datetime
    distributions: list[DistributionOut]


class DatasetSummary(BaseModel):
    id: uuid.UUID
    slug: str
    state: DatasetState
    title: dict[str, str]
    description: dict[str, str]
    organization: OrganizationRef
    themes: list[str]
    formats: list[str]
    modified: datetime


class FacetValue(BaseModel):
    value: str
    count: int
    label: dict[str, str] | None = None


class DatasetList(BaseModel):
    total: int
    items: list[DatasetSummary]
    facets: dict[str, list[FacetValue]]


# --- distributions -------------------------------------------------------------------------------------


class DistributionLinkIn(Strict):
    """A distribution that points at data published elsewhere."""

    title: OptionalTitle = Field(default_factory=dict)
    description: OptionalDescription = Field(default_factory=dict)
    access_url: Url
    download_url: Url | None = None
    format: FileTypeCode | None = None
    media_type: Annotated[str, StringConstraints(pattern=r"^[\w.+-]+/[\w.+-]+$", max_length=200)] | None = (
        None
    )
    license: LicenseCode | None = None


class DistributionPatch(Strict):
    title: OptionalTitle | None = None
    description: OptionalDescription | None = None
    access_url: Url | None = None
    download_url: Url | None = None
    format: FileTypeCode | None = None
    media_type: Annotated[str, StringConstraints(pattern=r"^[\w.+-]+/[\w.+-]+$", max_length=200)] | None = (
        None
    )
    license: LicenseCode | None = None


# --- accounts and history ------------------------------------------------------------------------------


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    email: str
    role: str
    organization: OrganizationRef | None


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: datetime
    actor: str
    entity_type: str
    entity_id: uuid.UUID
    action: str
    fields: dict[str, Any]
    summary: str


class ChangeList(BaseModel):
    total: int
    items: list[ChangeOut]

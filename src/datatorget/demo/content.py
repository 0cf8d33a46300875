"""The fictional municipality of Sjövik: three organisations and their datasets, the same on every call.

Pure data: no database, no files, no network. The catalog services load it into a portal.
Codes follow the EU vocabularies (data themes, file types, licences, frequencies, access rights)
and high-value dataset categories are the last segment of their http://data.europa.eu/bna/ IRI.
"""

import copy
from dataclasses import dataclass
from typing import Any

from datatorget.demo import files as make
from datatorget.demo.texts import DATASET_TEXTS, ORGANIZATIONS

SWEDEN = "http://publications.europa.eu/resource/authority/country/SWE"
GEOJSON_SPECIFICATION = "https://www.rfc-editor.org/rfc/rfc7946"

HVD_EARTH_OBSERVATION = "c_dd313021"  # Earth observation and environment
HVD_MOBILITY = "c_b79e35eb"

_MUNICIPALITY = "https://www.sjovik.example"


@dataclass(frozen=True)
class DemoFile:
    filename: str
    content: bytes
    title: dict[str, str]
    format: str  # EU file-type code: "CSV" or "GEOJSON"


@dataclass(frozen=True)
class DemoLink:
    access_url: str
    title: dict[str, str]
    format: str  # EU file-type code, e.g. "HTML" or "JSON"


@dataclass(frozen=True)
class DemoDataset:
    fields: dict[str, Any]
    files: tuple[DemoFile, ...]
    links: tuple[DemoLink, ...] = ()


@dataclass(frozen=True)
class DemoCatalog:
    organizations: tuple[dict[str, Any], ...]
    datasets: tuple[DemoDataset, ...]


_CONTACTS = {
    "avfall": ("Avfall och återvinning", "avfall@sjovik.example"),
    "bygglov": ("Bygglovsenheten", "bygglov@sjovik.example"),
    "ekonomi": ("Ekonomiavdelningen", "ekonomi@sjovik.example"),
    "fritid": ("Kultur- och fritidsförvaltningen", "kulturfritid@sjovik.example"),
    "gata": ("Gatu- och parkenheten", "gatapark@sjovik.example"),
    "miljo": ("Miljö- och hälsoskyddsenheten", "miljo@sjovik.example"),
    "skola": ("Barn- och utbildningsförvaltningen", "bou@sjovik.example"),
    "energi": ("Sjöviks Energi, kundservice", "kundservice@sjovikenergi.example"),
    "bostader": ("Sjöviksbostäder, kundcenter", "info@sjoviksbostader.example"),
}


def _file(filename: str, content: bytes, sv: str, en: str) -> DemoFile:
    file_format = "GEOJSON" if filename.endswith(".geojson") else "CSV"
    return DemoFile(filename=filename, content=content, title={"sv": sv, "en": en}, format=file_format)


def _dataset(
    slug: str,
    *,
    contact: str,
    themes: list[str],
    frequency: str,
    files: tuple[DemoFile, ...],
    organization: str = "sjovik",
    license_code: str = "CC0",
    temporal: tuple[str | None, str | None] = (None, None),
    landing_page: str | None = None,
    conforms_to: tuple[str, ...] = (),
    hvd_categories: tuple[str, ...] = (),
    state: str = "published",
    links: tuple[DemoLink, ...] = (),
) -> DemoDataset:
    contact_name, contact_email = _CONTACTS[contact]
    fields: dict[str, Any] = {
        "slug": slug,
        **copy.deepcopy(DATASET_TEXTS[slug]),
        "themes": themes,
        "organization": organization,
        "contact_point": {"name": contact_name, "email": contact_email},
        "license": license_code,
        "access_rights": "PUBLIC",
        "spatial": [SWEDEN],
        "temporal": {"start": temporal[0], "end": temporal[1]},
        "frequency": frequency,
        "landing_page": landing_page,
        "conforms_to": list(conforms_to),
        "hvd_categories": list(hvd_categories),
        "state": state,
    }
    return DemoDataset(fields=fields, files=files, links=links)


def _datasets() -> tuple[DemoDataset, ...]:
    return (
        _dataset(
            "badplatser",
            contact="fritid",
            themes=["ENVI", "SOCI"],
            frequency="ANNUAL",
            landing_page=f"{_MUNICIPALITY}/uppleva-och-gora/bad",
            files=(
                _file("badplatser.geojson", make.bathing_sites_geojson(), "Badplatser", "Bathing sites"),
                _file(
                    "badplatser.csv", make.bathing_sites_csv(), "Badplatser (tabell)", "Bathing sites (table)"
                ),
            ),
        ),
        _dataset(
            "badvattenkvalitet",
            contact="miljo",
            themes=["ENVI", "HEAL"],
            frequency="WEEKLY",
            temporal=("2024-06-10", "2024-08-19"),
            landing_page=f"{_MUNICIPALITY}/uppleva-och-gora/bad/badvattenkvalitet",
            hvd_categories=(HVD_EARTH_OBSERVATION,),
            files=(
                _file(
                    "badvattenkvalitet-2024.csv",
                    make.bathing_water_csv(),
                    "Provresultat badsäsongen 2024",
                    "Sample results, bathing season 2024",
                ),
            ),
        ),
        _dataset(
            "offentliga-toaletter",
            contact="gata",
            themes=["SOCI", "HEAL"],
            frequency="IRREG",
            files=(
                _file("offentliga-toaletter.geojson", make.toilets_geojson(), "Toaletter", "Toilets"),
                _file(
                    "offentliga-toaletter.csv", make.toilets_csv(), "Toaletter (tabell)", "Toilets (table)"
                ),
            ),
        ),
        _dataset(
            "lekplatser",
            contact="gata",
            themes=["SOCI"],
            frequency="ANNUAL",
            conforms_to=(GEOJSON_SPECIFICATION,),
            files=(_file("lekplatser.geojson", make.playgrounds_geojson(), "Lekplatser", "Playgrounds"),),
        ),
        _dataset(
            "atervinningsstationer",
            contact="avfall",
            themes=["ENVI"],
            frequency="IRREG",
            conforms_to=(GEOJSON_SPECIFICATION,),
            landing_page=f"{_MUNICIPALITY}/bo-och-leva/avfall-och-atervinning",
            files=(
                _file(
                    "atervinningsstationer.geojson",
                    make.recycling_stations_geojson(),
                    "Återvinningsstationer",
                    "Recycling stations",
                ),
            ),
        ),
        _dataset(
            "laddstationer",
            organization="sjovik-energi",
            contact="energi",
            themes=["TRAN", "ENER"],
            frequency="DAILY",
            license_code="CC_BY_4_0",
            landing_page="https://www.sjovikenergi.example/ladda-elbil",
            hvd_categories=(HVD_MOBILITY,),
            files=(
                _file(
                    "laddstationer.geojson",
                    make.charging_points_geojson(),
                    "Laddstationer",
                    "Charging stations",
                ),
                _file(
                    "laddstationer.csv",
                    make.charging_points_csv(),
                    "Laddstationer (tabell)",
                    "Charging stations (table)",
                ),
            ),
            links=(
                DemoLink(
                    access_url="https://api.sjovikenergi.example/laddstationer/v1/openapi.json",
                    title={"sv": "API-beskrivning (OpenAPI)", "en": "API description (OpenAPI)"},
                    format="JSON",
                ),
            ),
        ),
        _dataset(
            "luftkvalitet",
            contact="miljo",
            themes=["ENVI", "HEAL"],
            frequency="UPDATE_CONT",  # hourly values; DCAT-AP-SE lists no HOURLY
            temporal=("2024-11-04", None),
            landing_page=f"{_MUNICIPALITY}/miljo/luft",
            hvd_categories=(HVD_EARTH_OBSERVATION,),
            files=(
                _file(
                    "luftkvalitet-storgatan.csv",
                    make.air_quality_csv(),
                    "Timvärden, Storgatan",
                    "Hourly values, Storgatan",
                ),
            ),
        ),
        _dataset(
            "trafikmatningar",
            contact="gata",
            themes=["TRAN"],
            frequency="ANNUAL",
            temporal=("2024-01-01", "2024-12-31"),
            hvd_categories=(HVD_MOBILITY,),
            files=(
                _file(
                    "trafikmatningar-2024.csv",
                    make.traffic_counts_csv(),
                    "Trafikmätningar 2024",
                    "Traffic counts 2024",
                ),
            ),
        ),
        _dataset(
            "budgetutfall",
            contact="ekonomi",
            themes=["GOVE", "ECON"],
            frequency="ANNUAL",
            temporal=("2021-01-01", "2024-12-31"),
            landing_page=f"{_MUNICIPALITY}/kommun-och-politik/ekonomi",
            files=(
                _file(
                    "budgetutfall-2021-2024.csv",
                    make.budget_outcome_csv(),
                    "Budget och utfall 2021–2024",
                    "Budget and outcome 2021–2024",
                ),
            ),
        ),
        _dataset(
            "skolor",
            contact="skola",
            themes=["EDUC"],
            frequency="ANNUAL",
            landing_page=f"{_MUNICIPALITY}/skola",
            files=(
                _file("grundskolor.geojson", make.schools_geojson(), "Grundskolor", "Compulsory schools"),
                _file(
                    "grundskolor.csv",
                    make.schools_csv(),
                    "Grundskolor (tabell)",
                    "Compulsory schools (table)",
                ),
            ),
        ),
        _dataset(
            "bygglov",
            contact="bygglov",
            themes=["REGI", "GOVE"],
            frequency="MONTHLY",
            temporal=("2024-01-01", "2024-12-31"),
            files=(
                _file(
                    "bygglov-2024.csv",
                    make.building_permits_csv(),
                    "Beslut 2024",
                    "Decisions 2024",
                ),
            ),
        ),
        _dataset(
            "evenemang",
            contact="fritid",
            themes=["EDUC", "SOCI"],
            frequency="DAILY",
            landing_page=f"{_MUNICIPALITY}/evenemang",
            files=(_file("evenemang.csv", make.events_csv(), "Evenemang våren 2025", "Events spring 2025"),),
            links=(
                DemoLink(
                    access_url="https://api.sjovik.example/evenemang/v1/evenemang",
                    title={"sv": "Evenemangs-API", "en": "Events API"},
                    format="JSON",
                ),
            ),
        ),
        _dataset(
            "bibliotek-oppettider",
            contact="fritid",
            themes=["EDUC"],
            frequency="IRREG",
            landing_page="https://biblioteket.sjovik.example",
            files=(
                _file(
                    "bibliotek-oppettider.csv",
                    make.library_hours_csv(),
                    "Öppettider",
                    "Opening hours",
                ),
            ),
        ),
        _dataset(
            "bostadsbestand",
            organization="sjoviksbostader",
            contact="bostader",
            themes=["SOCI", "REGI"],
            frequency="ANNUAL",
            landing_page="https://www.sjoviksbostader.example/om-oss",
            files=(
                _file(
                    "lagenhetsbestand.csv",
                    make.housing_stock_csv(),
                    "Lägenhetsbestånd per adress",
                    "Housing stock per address",
                ),
            ),
        ),
        _dataset(
            "fjarrvarme",
            organization="sjovik-energi",
            contact="energi",
            themes=["ENER", "ENVI"],
            frequency="MONTHLY",
            license_code="CC_BY_4_0",
            temporal=("2022-01-01", None),
            files=(
                _file(
                    "fjarrvarme-per-manad.csv",
                    make.district_heating_csv(),
                    "Levererad fjärrvärme per månad",
                    "District heating delivered per month",
                ),
            ),
        ),
        _first_publication(),
        _dataset(
            "planerade-cykelvagar",
            contact="gata",
            themes=["TRAN", "REGI"],
            frequency="IRREG",
            state="draft",
            files=(
                _file(
                    "planerade-cykelvagar.csv",
                    make.cycle_paths_csv(),
                    "Planerade cykelvägar",
                    "Planned cycle paths",
                ),
            ),
        ),
    )


def _first_publication() -> DemoDataset:
    """A dataset described the way many first publications are: a PDF on the website, without licence,
    keywords, themes, contact or period. The quality dashboard shows what an editor should fix first."""
    demo = _dataset(
        "sammantradesprotokoll",
        contact="ekonomi",
        themes=[],
        frequency="MONTHLY",
        files=(),
        links=(
            DemoLink(
                access_url=f"{_MUNICIPALITY}/kommun-och-politik/protokoll",
                title={"sv": "Protokoll (PDF)", "en": "Minutes (PDF)"},
                format="PDF",
            ),
        ),
    )
    fields = demo.fields | {
        "keywords": {"sv": [], "en": []},
        "contact_point": None,
        "license": None,
        "access_rights": None,
        "spatial": [],
        "frequency": None,
    }
    return DemoDataset(fields=fields, files=demo.files, links=demo.links)


def demo_catalog() -> DemoCatalog:
    """The whole demo: built afresh on every call, so callers may change what they get."""
    return DemoCatalog(organizations=copy.deepcopy(ORGANIZATIONS), datasets=_datasets())

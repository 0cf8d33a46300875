"""The demo files: GeoJSON and CSV built from fixed seeds, so every run gives the same bytes.

Point data is GeoJSON (WGS84, longitude before latitude) around the fictional town of Sjövik.
CSV is written the way Swedish municipal systems export it: `;` between fields, decimal comma,
dates as YYYY-MM-DD, Swedish headers, and for some files a UTF-8 byte order mark.
"""

import csv
import io
import json
import math
import random
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

CENTRE_LAT = 56.67
CENTRE_LON = 12.86
_KM_PER_DEGREE = 111.2

Feature = tuple[float, float, dict[str, Any]]
"""A point: longitude, latitude and its properties."""

_COAST = ((12.67, 56.72), (12.72, 56.65), (12.80, 56.655), (12.88, 56.66), (12.92, 56.60), (12.94, 56.55))
"""The shoreline, roughly, as (lon, lat) from north-west to south-east."""


def _rng(name: str) -> random.Random:
    """A generator of its own for each file, so that changing one file changes no other."""
    return random.Random(f"sjovik/{name}")


def _position(rng: random.Random, radius_km: float) -> tuple[float, float]:
    """A point on land at most radius_km from the town centre, as (lon, lat) rounded to about a metre.

    The sea lies to the south-west, so the points keep to the half from east-south-east to north-west.
    """
    distance = radius_km * math.sqrt(rng.random())
    angle = math.radians(rng.uniform(-20, 160))
    lat = CENTRE_LAT + distance * math.sin(angle) / _KM_PER_DEGREE
    lon = CENTRE_LON + distance * math.cos(angle) / (_KM_PER_DEGREE * math.cos(math.radians(CENTRE_LAT)))
    return round(lon, 5), round(lat, 5)


def _on_the_coast(rng: random.Random) -> tuple[float, float]:
    """A point on the shoreline."""
    (lon1, lat1), (lon2, lat2) = rng.choice(list(pairwise(_COAST)))
    share = rng.random()
    return round(lon1 + share * (lon2 - lon1), 5), round(lat1 + share * (lat2 - lat1), 5)


def _cell(value: object) -> str:
    """A value as a Swedish export writes it: decimal comma, Ja/Nej, empty for missing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return str(value)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def _geojson(features: Iterable[Feature]) -> bytes:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}
            for lon, lat, props in features
        ],
    }
    return (json.dumps(collection, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _points_csv(features: Iterable[Feature], columns: Sequence[tuple[str, str]]) -> bytes:
    """The points as CSV: one column per (header, property key), then latitude and longitude."""
    header = [title for title, _ in columns] + ["Latitud", "Longitud"]
    rows = ([props[key] for _, key in columns] + [lat, lon] for lon, lat, props in features)
    return _csv(header, rows)


# --- Bathing sites and their water quality ---------------------------------------------------------

_BATHING_SITES = (
    ("Sjöviks havsbad", "Havsbad", True),
    ("Norra stranden", "Havsbad", True),
    ("Tallvikens badplats", "Havsbad", True),
    ("Sandvikens badplats", "Havsbad", False),
    ("Ekuddens klippbad", "Havsbad", False),
    ("Hamnbadet", "Havsbad", True),
    ("Lillsjöns badplats", "Sjöbad", True),
    ("Stensjöbadet", "Sjöbad", True),
    ("Kvarnbadet", "Sjöbad", False),
    ("Björkängs badplats", "Sjöbad", False),
    ("Gäddtjärns badplats", "Sjöbad", False),
)


def _bathing_sites() -> list[Feature]:
    rng = _rng("badplatser")
    features = []
    for number, (name, kind, sampled) in enumerate(_BATHING_SITES, start=1):
        lon, lat = _on_the_coast(rng) if kind == "Havsbad" else _position(rng, 15)
        props = {
            "id": f"SJV-BAD-{number:02d}",
            "namn": name,
            "typ": kind,
            "provtagning": sampled,
            "toalett": sampled or rng.random() < 0.5,
            "badbrygga": rng.random() < 0.6,
            "tillganglighetsanpassad": rng.random() < 0.4,
            "livraddningsutrustning": True,
            "hundbad": name == "Ekuddens klippbad",
        }
        features.append((lon, lat, props))
    return features


def bathing_sites_geojson() -> bytes:
    return _geojson(_bathing_sites())


def bathing_sites_csv() -> bytes:
    columns = [
        ("Id", "id"),
        ("Namn", "namn"),
        ("Typ", "typ"),
        ("Provtagning", "provtagning"),
        ("Toalett", "toalett"),
        ("Badbrygga", "badbrygga"),
        ("Tillgänglighetsanpassad", "tillganglighetsanpassad"),
        ("Hundbad", "hundbad"),
    ]
    return _points_csv(_bathing_sites(), columns)


def _assessment(e_coli: int, enterococci: int) -> str:
    if e_coli > 1000 or enterococci > 400:
        return "Otjänligt"
    if e_coli > 100 or enterococci > 100:
        return "Tjänligt med anmärkning"
    return "Tjänligt"


def _bacteria(rng: random.Random) -> int:
    """A colony count as the laboratory reports it: whole tens, at least the detection limit 10."""
    return max(10, int(round(rng.lognormvariate(3.0, 1.3), -1)))


def bathing_water_csv() -> bytes:
    rng = _rng("badvattenkvalitet")
    rows = []
    for week in range(11):
        sampled_on = date(2024, 6, 10) + timedelta(weeks=week)
        season = math.sin(math.pi * (week + 1) / 12)
        for name, kind, sampled in _BATHING_SITES:
            if not sampled:
                continue
            temperature = 15.5 + 5 * season + (1.5 if kind == "Sjöbad" else 0) + rng.gauss(0, 1)
            e_coli, enterococci = _bacteria(rng), _bacteria(rng)
            assessment = _assessment(e_coli, enterococci)
            rows.append(
                [name, sampled_on.isoformat(), round(temperature, 1), e_coli, enterococci, assessment]
            )
    header = [
        "Badplats",
        "Provdatum",
        "Vattentemperatur (°C)",
        "E. coli (cfu/100 ml)",
        "Intestinala enterokocker (cfu/100 ml)",
        "Bedömning",
    ]
    return _csv(header, rows)


# --- Public toilets, playgrounds, recycling stations ------------------------------------------------

_TOILETS = (
    ("Stora torget", "Stora torget 1", "06–22", 0),
    ("Stadsparken", "Parkgatan 3", "07–21", 0),
    ("Resecentrum", "Järnvägsgatan 10", "05–24", 5),
    ("Stadsbiblioteket", "Kyrkogatan 8", "Enligt bibliotekets öppettider", 0),
    ("Sjöviks havsbad", "Strandvägen 40", "Dygnet runt", 0),
    ("Norra stranden", "Norra strandvägen 2", "Dygnet runt", 0),
    ("Gästhamnen", "Hamngatan 14", "06–23", 10),
    ("Kvarnparken", "Kvarnvägen 5", "07–20", 0),
    ("Ekuddens naturreservat, parkeringen", "Ekuddsvägen 100", "Dygnet runt", 0),
    ("Idrottsplatsen Vallen", "Vallgatan 2", "Enligt arrangemang", 0),
    ("Lillsjöns badplats", "Lillsjövägen 21", "Dygnet runt", 0),
    ("Kyrkogården", "Kyrkvägen 1", "07–19", 0),
)


def _toilets() -> list[Feature]:
    rng = _rng("offentliga-toaletter")
    features = []
    for number, (name, address, hours, fee) in enumerate(_TOILETS, start=1):
        lon, lat = _position(rng, 6)
        props = {
            "id": f"SJV-WC-{number:02d}",
            "namn": name,
            "adress": address,
            "oppettider": hours,
            "avgift_kr": fee,
            "tillganglighetsanpassad": rng.random() < 0.75,
            "skotbord": rng.random() < 0.6,
            "sasong": "Maj–september" if "bad" in name or "stranden" in name else "Året runt",
        }
        features.append((lon, lat, props))
    return features


def toilets_geojson() -> bytes:
    return _geojson(_toilets())


def toilets_csv() -> bytes:
    columns = [
        ("Id", "id"),
        ("Namn", "namn"),
        ("Adress", "adress"),
        ("Öppettider", "oppettider"),
        ("Avgift (kr)", "avgift_kr"),
        ("Tillgänglighetsanpassad", "tillganglighetsanpassad"),
        ("Skötbord", "skotbord"),
        ("Säsong", "sasong"),
    ]
    return _points_csv(_toilets(), columns)


_PLAYGROUNDS = (
    ("Stadsparkens lekplats", "Temalekplats", "Sjörövare"),
    ("Kvarnparkens lekplats", "Temalekplats", "Kvarnen"),
    ("Tallvikens lekplats", "Områdeslekplats", None),
    ("Norrängens lekplats", "Områdeslekplats", None),
    ("Sjöstadens lekplats", "Temalekplats", "Fyren"),
    ("Ekbackens lekplats", "Närlekplats", None),
    ("Lönngatans lekplats", "Närlekplats", None),
    ("Björkängens lekplats", "Närlekplats", None),
    ("Rönnvägens lekplats", "Närlekplats", None),
    ("Måsvägens lekplats", "Närlekplats", None),
    ("Lillsjöns lekplats", "Områdeslekplats", None),
    ("Skolgatans lekplats", "Närlekplats", None),
    ("Vallens lekplats", "Områdeslekplats", None),
    ("Hamnens lekplats", "Temalekplats", "Fiskebåten"),
    ("Kyrkbackens lekplats", "Närlekplats", None),
    ("Sälgvägens lekplats", "Närlekplats", None),
    ("Ängsvägens lekplats", "Närlekplats", None),
    ("Ejderns lekplats", "Närlekplats", None),
    ("Prästgårdens lekplats", "Närlekplats", None),
    ("Havsbadets lekplats", "Områdeslekplats", None),
)


def playgrounds_geojson() -> bytes:
    rng = _rng("lekplatser")
    features = []
    for number, (name, kind, theme) in enumerate(_PLAYGROUNDS, start=1):
        lon, lat = _position(rng, 5)
        inspected = date(2024, 4, 2) + timedelta(days=rng.randrange(150))
        props = {
            "id": f"SJV-LEK-{number:02d}",
            "namn": name,
            "typ": kind,
            "tema": theme,
            "alder": "1–6 år" if kind == "Närlekplats" else "1–12 år",
            "inhagnad": rng.random() < 0.3,
            "tillganglighetsanpassad": kind != "Närlekplats" or rng.random() < 0.2,
            "senast_besiktigad": inspected.isoformat(),
        }
        features.append((lon, lat, props))
    return _geojson(features)


_RECYCLING_STATIONS = (
    ("ÅVS Stora torget", "Torggatan 4"),
    ("ÅVS Resecentrum", "Järnvägsgatan 14"),
    ("ÅVS Norrängen", "Norrängsvägen 30"),
    ("ÅVS Tallviken", "Tallviksvägen 2"),
    ("ÅVS Kvarnbyn", "Kvarnvägen 41"),
    ("ÅVS Handelsplats Norr", "Verkstadsgatan 7"),
    ("ÅVS Sjöstaden", "Kajgatan 9"),
    ("ÅVS Lillsjön", "Lillsjövägen 3"),
    ("ÅVS Björkängen", "Björkängsvägen 15"),
    ("ÅVS Hamnen", "Hamngatan 22"),
)

_FRACTIONS = (
    "Pappersförpackningar",
    "Plastförpackningar",
    "Metallförpackningar",
    "Glasförpackningar, färgade",
    "Glasförpackningar, ofärgade",
)


def recycling_stations_geojson() -> bytes:
    rng = _rng("atervinningsstationer")
    features = []
    for number, (name, address) in enumerate(_RECYCLING_STATIONS, start=1):
        lon, lat = _position(rng, 7)
        textiles = rng.random() < 0.4
        props = {
            "id": f"SJV-AVS-{number:02d}",
            "namn": name,
            "adress": address,
            "fraktioner": [*_FRACTIONS, "Textil"] if textiles else list(_FRACTIONS),
            "tomning": rng.choice(["Måndag och torsdag", "Tisdag och fredag", "Onsdag"]),
        }
        features.append((lon, lat, props))
    return _geojson(features)


# --- Charging points ---------------------------------------------------------------------------------

_CHARGING_SITES = (
    ("Stadshusets parkering", "Storgatan 20", "Typ 2", 22),
    ("Resecentrum", "Järnvägsgatan 12", "CCS, Typ 2", 50),
    ("Torggaraget", "Torggatan 6", "Typ 2", 11),
    ("Simhallen", "Badhusgatan 3", "Typ 2", 22),
    ("Sjöviks havsbad", "Strandvägen 38", "Typ 2", 22),
    ("Handelsplats Norr", "Verkstadsgatan 1", "CCS, CHAdeMO, Typ 2", 150),
    ("Infarten E6", "Trafikplats Sjövik Norra", "CCS, Typ 2", 150),
    ("Vårdcentralen Norrängen", "Norrängsvägen 12", "Typ 2", 22),
    ("Idrottsplatsen Vallen", "Vallgatan 4", "Typ 2", 22),
    ("Gästhamnen", "Hamngatan 16", "Typ 2", 11),
    ("Kvarnbyns centrum", "Kvarnvägen 10", "CCS, Typ 2", 50),
    ("Stadsbiblioteket", "Kyrkogatan 6", "Typ 2", 22),
    ("Sjöstaden", "Kajgatan 2", "CCS, Typ 2", 50),
    ("Tallvikens centrum", "Tallviksvägen 8", "Typ 2", 22),
)


def _charging_points() -> list[Feature]:
    rng = _rng("laddstationer")
    features = []
    for number, (name, address, connectors, power) in enumerate(_CHARGING_SITES, start=1):
        lon, lat = _position(rng, 6)
        fast = power >= 50
        props = {
            "id": f"SE*SJE*E{number:04d}",
            "namn": name,
            "adress": address,
            "operator": "Sjöviks Energi AB",
            "antal_laddpunkter": rng.choice([2, 4] if fast else [2, 4, 6, 8]),
            "max_effekt_kw": power,
            "kontakttyper": connectors,
            "pris_kr_per_kwh": 5.95 if fast else 3.95,
            "oppet": "Dygnet runt",
            "status": "Under byggnation" if name == "Sjöstaden" else "I drift",
        }
        features.append((lon, lat, props))
    return features


def charging_points_geojson() -> bytes:
    return _geojson(_charging_points())


def charging_points_csv() -> bytes:
    columns = [
        ("Id", "id"),
        ("Namn", "namn"),
        ("Adress", "adress"),
        ("Operatör", "operator"),
        ("Antal laddpunkter", "antal_laddpunkter"),
        ("Max effekt (kW)", "max_effekt_kw"),
        ("Kontakttyper", "kontakttyper"),
        ("Pris (kr/kWh)", "pris_kr_per_kwh"),
        ("Öppet", "oppet"),
        ("Status", "status"),
    ]
    return _points_csv(_charging_points(), columns)


# --- Schools -----------------------------------------------------------------------------------------

_SCHOOLS = (
    ("Centrumskolan", "F–6", "Skolgatan 5"),
    ("Ekbackeskolan", "F–6", "Ekbacksvägen 11"),
    ("Sjöviksskolan", "7–9", "Kyrkogatan 30"),
    ("Tallviksskolan", "F–9", "Tallviksvägen 20"),
    ("Norrängsskolan", "F–3", "Norrängsvägen 40"),
    ("Kvarnbyskolan", "4–9", "Kvarnvägen 25"),
    ("Lillsjöskolan", "F–6", "Lillsjövägen 9"),
    ("Havsutsiktens skola", "F–6", "Strandvägen 12"),
    ("Björkängsskolan", "7–9", "Björkängsvägen 2"),
)

_PUPILS_PER_GRADE = {"F–3": (28, 45), "F–6": (35, 60), "4–9": (50, 75), "7–9": (120, 180), "F–9": (45, 65)}
_GRADES = {"F–3": 4, "F–6": 7, "4–9": 6, "7–9": 3, "F–9": 10}


def _schools() -> list[Feature]:
    rng = _rng("skolor")
    features = []
    for number, (name, grades, address) in enumerate(_SCHOOLS, start=1):
        lon, lat = _position(rng, 8)
        low, high = _PUPILS_PER_GRADE[grades]
        slug = name.lower().replace(" ", "-").translate(str.maketrans("åäö", "aao"))
        props = {
            "skolenhetskod": f"9990{number:04d}",
            "namn": name,
            "arskurser": grades,
            "antal_elever": _GRADES[grades] * rng.randint(low, high),
            "huvudman": "Sjöviks kommun",
            "adress": address,
            "webbplats": f"https://www.sjovik.example/skolor/{slug}",
            "fritidshem": grades.startswith("F"),
        }
        features.append((lon, lat, props))
    return features


def schools_geojson() -> bytes:
    return _geojson(_schools())


def schools_csv() -> bytes:
    columns = [
        ("Skolenhetskod", "skolenhetskod"),
        ("Namn", "namn"),
        ("Årskurser", "arskurser"),
        ("Antal elever", "antal_elever"),
        ("Huvudman", "huvudman"),
        ("Adress", "adress"),
        ("Webbplats", "webbplats"),
        ("Fritidshem", "fritidshem"),
    ]
    return _points_csv(_schools(), columns)


# --- Air quality and traffic -------------------------------------------------------------------------


def air_quality_csv() -> bytes:
    """Hourly values for two weeks at the street station on Storgatan."""
    rng = _rng("luftkvalitet")
    rows: list[list[object]] = []
    pm10 = 14.0
    for day in range(14):
        today = date(2024, 11, 4) + timedelta(days=day)
        weekday = today.weekday() < 5
        for hour in range(24):
            pm10 = min(45.0, max(4.0, pm10 + rng.gauss(0, 1.5)))
            traffic = 8 if 6 <= hour <= 19 else 0
            if weekday and hour in (7, 8, 16, 17):
                traffic = 18  # rush hour
            no2 = max(2.0, 9 + traffic + rng.gauss(0, 3))
            values: list[object] = [round(pm10, 1), round(pm10 * rng.uniform(0.4, 0.6), 1), round(no2, 1)]
            if today.weekday() == 1 and hour == 10:
                values = [None, None, None]  # the instruments are calibrated on Tuesday mornings
            rows.append([today.isoformat(), f"{hour:02d}:00", *values])
    return _csv(["Datum", "Tid", "PM10 (µg/m³)", "PM2,5 (µg/m³)", "NO2 (µg/m³)"], rows, bom=True)


_COUNT_POINTS = (
    ("Storgatan", 40, ("Österut", "Västerut"), 4200),
    ("Kungsgatan", 40, ("Norrut", "Söderut"), 3100),
    ("Havsvägen", 50, ("Österut", "Västerut"), 5200),
    ("Norra Ringvägen", 60, ("Norrut", "Söderut"), 7800),
    ("Skolgatan", 30, ("Österut", "Västerut"), 900),
    ("Tallviksvägen", 40, ("Norrut", "Söderut"), 2300),
    ("Industrigatan", 50, ("Österut", "Västerut"), 3600),
    ("Järnvägsgatan", 40, ("Norrut", "Söderut"), 4600),
    ("Strandvägen", 30, ("Norrut", "Söderut"), 1700),
    ("Kyrkogatan", 30, ("Österut", "Västerut"), 1200),
    ("Kvarnvägen", 40, ("Norrut", "Söderut"), 2600),
    ("Södra Ringvägen", 60, ("Österut", "Västerut"), 6900),
)


def traffic_counts_csv() -> bytes:
    """One week's count in each direction at each point, spread over 2024."""
    rng = _rng("trafikmatningar")
    rows = []
    for number, (street, limit, directions, volume) in enumerate(_COUNT_POINTS, start=1):
        start = date(2024, 3, 4) + timedelta(weeks=3 * number + rng.randrange(2))
        for direction in directions:
            mean_speed = limit * rng.uniform(0.85, 1.05)
            rows.append(
                [
                    f"MP{number:03d}",
                    street,
                    direction,
                    start.isoformat(),
                    (start + timedelta(days=6)).isoformat(),
                    limit,
                    int(round(volume * rng.uniform(0.85, 1.15), -1)),
                    round(rng.uniform(3, 12), 1),
                    round(mean_speed, 1),
                    round(mean_speed * rng.uniform(1.12, 1.2)),
                ]
            )
    header = [
        "Mätpunkt",
        "Gata",
        "Riktning",
        "Startdatum",
        "Slutdatum",
        "Skyltad hastighet (km/h)",
        "Medeldygnstrafik (fordon/dygn)",
        "Andel tung trafik (%)",
        "Medelhastighet (km/h)",
        "85-percentil (km/h)",
    ]
    return _csv(header, rows)


# --- Budget and building permits ---------------------------------------------------------------------

_BUDGET_2021 = (
    ("Kommunstyrelsen", 182_000),
    ("Barn och utbildning", 1_480_000),
    ("Vård och omsorg", 1_150_000),
    ("Individ- och familjeomsorg", 420_000),
    ("Kultur och fritid", 156_000),
    ("Samhällsbyggnad", 238_000),
    ("Miljö och hälsoskydd", 24_000),
    ("Räddningstjänst", 61_000),
)


def budget_outcome_csv() -> bytes:
    """Budget and outcome in thousands of kronor per committee; a positive deviation is a surplus."""
    rng = _rng("budgetutfall")
    rows = []
    for year in range(2021, 2025):
        for area, first_budget in _BUDGET_2021:
            budget = int(round(first_budget * 1.035 ** (year - 2021), -2))
            outcome = round(budget * rng.gauss(1.0, 0.02))
            deviation = budget - outcome
            rows.append([year, area, budget, outcome, deviation, round(100 * deviation / budget, 1)])
    header = ["År", "Verksamhet", "Budget (tkr)", "Utfall (tkr)", "Avvikelse (tkr)", "Avvikelse (%)"]
    return _csv(header, rows, bom=True)


_PERMIT_KINDS = (
    ("Bygglov", "Nybyggnad av enbostadshus", 12),
    ("Bygglov", "Tillbyggnad av enbostadshus", 14),
    ("Bygglov", "Nybyggnad av komplementbyggnad", 10),
    ("Bygglov", "Fasadändring", 6),
    ("Bygglov", "Nybyggnad av flerbostadshus", 2),
    ("Bygglov", "Uppsättning av skylt", 5),
    ("Rivningslov", "Rivning av komplementbyggnad", 3),
    ("Marklov", "Schaktning och fyllning", 2),
    ("Förhandsbesked", "Nybyggnad av enbostadshus", 3),
)
_TRACTS = (
    "Eken",
    "Tallen",
    "Björken",
    "Lönnen",
    "Rönnen",
    "Måsen",
    "Tärnan",
    "Ejdern",
    "Kvarnen",
    "Prästgården",
)
_DISTRICTS = ("Centrum", "Norrängen", "Tallviken", "Kvarnbyn", "Sjöstaden", "Lillsjö", "Björkängen")


def building_permits_csv() -> bytes:
    """Decisions on permits in 2024, in the order they were taken."""
    rng = _rng("bygglov")
    kinds = [(kind, measure) for kind, measure, weight in _PERMIT_KINDS for _ in range(weight)]
    cases = []
    for _ in range(90):
        received = date(2024, 1, 2) + timedelta(days=rng.randrange(300))
        decided = received + timedelta(days=rng.randint(7, 63))
        kind, measure = rng.choice(kinds)
        decision = rng.choices(["Beviljat", "Avslag", "Avskrivet"], weights=[90, 4, 6])[0]
        estate = f"Sjövik {rng.choice(_TRACTS)} {rng.randint(1, 30)}:{rng.randint(1, 80)}"
        cases.append((received, decided, kind, measure, estate, rng.choice(_DISTRICTS), decision))
    cases.sort(key=lambda case: case[0])  # case numbers follow the order the applications came in
    numbered = sorted(enumerate(cases, start=101), key=lambda item: (item[1][1], item[0]))
    rows = [
        [
            f"BYGG 2024-{number:04d}",
            received.isoformat(),
            decided.isoformat(),
            *rest,
            (decided - received).days,
        ]
        for number, (received, decided, *rest) in numbered
    ]
    header = [
        "Diarienummer",
        "Inkommet datum",
        "Beslutsdatum",
        "Ärendetyp",
        "Åtgärd",
        "Fastighetsbeteckning",
        "Kommundel",
        "Beslut",
        "Handläggningstid (dagar)",
    ]
    return _csv(header, rows, bom=True)


# --- Events and libraries ----------------------------------------------------------------------------

_EVENTS = (
    ("Sagostund för de minsta", "Barn och familj", "Stadsbiblioteket", "Sjöviks bibliotek", 0, 10, 1),
    ("Lunchkonsert med kulturskolan", "Musik", "Sjöviks kyrka", "Kulturskolan", 0, 12, 1),
    ("Loppis på Stora torget", "Marknad", "Stora torget", "Sjöviks företagarförening", 0, 10, 5),
    ("Guidad vandring i Ekuddens naturreservat", "Natur", "Ekuddens parkering", "Sjöviks kommun", 0, 10, 2),
    ("Bokcirkel: nordiska deckare", "Litteratur", "Stadsbiblioteket", "Sjöviks bibliotek", 0, 18, 2),
    ("Jazzkväll på Kulturhuset", "Musik", "Kulturhuset Fyren", "Sjöviks jazzklubb", 180, 19, 3),
    ("Teater för barn: Pippi på de sju haven", "Teater", "Kulturhuset Fyren", "Sjöviks kommun", 60, 14, 1),
    ("Seniorgympa", "Hälsa", "Sporthallen Vallen", "PRO Sjövik", 0, 10, 1),
    ("Digital hjälp på biblioteket", "Utbildning", "Stadsbiblioteket", "Sjöviks bibliotek", 0, 13, 2),
    ("Filmklubb för unga", "Film", "Kulturhuset Fyren", "Ungdomens hus", 40, 18, 2),
    ("Utställning: Sjövik förr och nu", "Utställning", "Konsthallen", "Sjöviks hembygdsförening", 0, 11, 6),
    ("Rådgivning om solceller", "Hållbarhet", "Kundcenter, Sjöviks Energi", "Sjöviks Energi AB", 0, 16, 3),
)
_SPECIAL_EVENTS = (
    ("Valborgsfirande i Stadsparken", "Högtid", "Stadsparken", "Sjöviks kommun", 0, "2025-04-30", 19, 3),
    ("Sjöviksloppet", "Idrott", "Idrottsplatsen Vallen", "IK Sjövik", 250, "2025-05-17", 10, 4),
    ("Nationaldagsfirande", "Högtid", "Kvarnparken", "Sjöviks kommun", 0, "2025-06-06", 13, 3),
    ("Midsommarfirande", "Högtid", "Hembygdsgården", "Sjöviks hembygdsförening", 0, "2025-06-20", 12, 5),
)


def events_csv() -> bytes:
    """The calendar for the first half of 2025."""
    rng = _rng("evenemang")
    events = []
    for title, category, place, organiser, price, start, hours in _EVENTS:
        for _ in range(rng.randint(2, 3)):
            day = date(2025, 1, 7) + timedelta(days=rng.randrange(170))
            events.append((day.isoformat(), start, hours, title, category, place, organiser, price))
    for title, category, place, organiser, price, day_text, start, hours in _SPECIAL_EVENTS:
        events.append((day_text, start, hours, title, category, place, organiser, price))
    rows = [
        [day, f"{start:02d}:00", day, f"{start + hours:02d}:00", title, category, place, organiser, price]
        for day, start, hours, title, category, place, organiser, price in sorted(events)
    ]
    header = ["Startdatum", "Starttid", "Slutdatum", "Sluttid", "Titel", "Kategori", "Plats", "Arrangör"]
    return _csv([*header, "Pris (kr)"], rows)


_LIBRARIES = (
    ("Stadsbiblioteket", "Kyrkogatan 8", ("10:00", "19:00"), ("10:00", "14:00"), ("07:00", "22:00")),
    ("Norrängens bibliotek", "Norrängsvägen 14", ("13:00", "18:00"), None, ("07:00", "21:00")),
    ("Tallvikens bibliotek", "Tallviksvägen 6", ("10:00", "16:00"), None, None),
    ("Kvarnbyns bibliotek", "Kvarnvägen 12", ("12:00", "17:00"), ("10:00", "13:00"), ("08:00", "20:00")),
)
_WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


def library_hours_csv() -> bytes:
    """Staffed hours and self-service hours (meröppet), with a library card and PIN."""
    rows = []
    for name, address, weekday_hours, saturday_hours, self_service in _LIBRARIES:
        for number, weekday in enumerate(_WEEKDAYS):
            staffed = weekday_hours if number < 5 else saturday_hours if number == 5 else None
            if name == "Tallvikens bibliotek" and weekday in ("måndag", "fredag"):
                staffed = None
            rows.append([name, address, weekday, *(staffed or ("", "")), *(self_service or ("", ""))])
    header = ["Bibliotek", "Adress", "Veckodag", "Öppnar", "Stänger", "Meröppet från", "Meröppet till"]
    return _csv(header, rows)


# --- Housing company and energy company --------------------------------------------------------------

_HOUSING_AREAS = (
    ("Norrängen", "Norrängsvägen", 1968),
    ("Tallviken", "Tallviksvägen", 1974),
    ("Centrum", "Storgatan", 1936),
    ("Kvarnbyn", "Kvarnvägen", 1989),
    ("Sjöstaden", "Kajgatan", 2019),
)
_ROOM_SIZES = (38, 58, 74, 92)  # typical m² for 1, 2, 3 and 4+ rooms and kitchen


def housing_stock_csv() -> bytes:
    rng = _rng("bostadsbestand")
    rows = []
    for area, street, built in _HOUSING_AREAS:
        for number in range(rng.randint(3, 5)):
            counts = [rng.randint(0, 12), rng.randint(6, 24), rng.randint(4, 18), rng.randint(0, 8)]
            floor_area = sum(count * size for count, size in zip(counts, _ROOM_SIZES, strict=True))
            year = built + 2 * number
            rent = round(1180 + (year - 1930) * 4.5 + rng.uniform(-60, 60))
            lift = year >= 1975 or rng.random() < 0.3
            rows.append(
                [area, f"{street} {2 + 4 * number}", year, sum(counts), *counts, floor_area, rent, lift]
            )
    header = [
        "Område",
        "Adress",
        "Byggår",
        "Antal lägenheter",
        "1 rok",
        "2 rok",
        "3 rok",
        "4 rok eller större",
    ]
    return _csv([*header, "Bostadsarea (m²)", "Medelhyra (kr/m²/år)", "Hiss"], rows, bom=True)


_MONTHLY_TEMPERATURE = (0.2, 0.1, 2.6, 7.0, 11.2, 14.9, 17.4, 17.0, 13.6, 9.1, 5.0, 1.8)


def district_heating_csv() -> bytes:
    """Delivered district heating per month; heat demand follows the outdoor temperature."""
    rng = _rng("fjarrvarme")
    rows = []
    for year in range(2022, 2025):
        for month, normal in enumerate(_MONTHLY_TEMPERATURE, start=1):
            temperature = normal + rng.gauss(0, 1.2)
            delivered = 4000 + 2450 * max(0.0, 17 - temperature) + rng.gauss(0, 400)
            renewable = min(100.0, rng.uniform(96, 99.5) + (year - 2022) * 0.3)
            rows.append([year, month, round(delivered), round(renewable, 1), round(temperature, 1)])
    header = ["År", "Månad", "Levererad värme (MWh)", "Andel förnybart och återvunnet (%)"]
    return _csv([*header, "Medeltemperatur (°C)"], rows)


# --- Planned cycle paths (a draft) -------------------------------------------------------------------

_CYCLE_PATHS = (
    ("GC-01", "Norrängen–Centrum", 2.4, "Gång- och cykelväg", "2026-04-01", 18.5, "Beslutad"),
    ("GC-02", "Tallviken–Sjöviks havsbad", 3.1, "Gång- och cykelväg", "2026-09-01", 22.0, "Projektering"),
    ("GC-03", "Resecentrum–Handelsplats Norr", 1.8, "Cykelbana", "2027-03-01", 14.2, "Projektering"),
    ("GC-04", "Kvarnbyn–Lillsjön", 4.6, "Gång- och cykelväg", "2027-05-01", 31.0, "Under utredning"),
    ("GC-05", "Storgatan", 0.9, "Cykelfält", "2026-05-01", 2.8, "Beslutad"),
    ("GC-06", "Sjöstaden–Hamnen", 1.2, "Cykelbana", "2028-04-01", 9.6, "Under utredning"),
    ("GC-07", "Björkängen–Ekudden", 5.3, "Gång- och cykelväg", "2028-08-01", 36.5, "Under utredning"),
)


def cycle_paths_csv() -> bytes:
    header = ["Projekt", "Sträcka", "Längd (km)", "Typ", "Planerad byggstart", "Beräknad kostnad (mnkr)"]
    return _csv([*header, "Status"], _CYCLE_PATHS)

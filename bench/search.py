"""Benchmark: search and the dataset page with many generated datasets.

    .venv/bin/python bench/search.py                       # embedded default: SQLite in a temporary folder
    .venv/bin/python bench/search.py --database-url postgresql+psycopg://127.0.0.1:5432/datatorget_bench

Targets (issue 2): with 50,000 datasets, a search with a query and two facet filters answers in under 50 ms
at the 95th percentile, and the dataset page renders in under 30 ms. Requests go through the whole app
in-process (routing, database, serialisation, templates), without network time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr
from rich.console import Console
from rich.progress import track
from rich.table import Table
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from datatorget.app import create_app
from datatorget.catalog import organizations
from datatorget.catalog.accounts import system_user
from datatorget.catalog.collation import swedish_sort_key
from datatorget.catalog.models import Dataset, DatasetKeyword, DatasetTheme, Distribution
from datatorget.catalog.schemas import OrganizationIn
from datatorget.catalog.search import index_dataset
from datatorget.config import Settings
from datatorget.db.base import utcnow
from datatorget.db.engine import make_engine, make_sessionmaker
from datatorget.db.migrate import upgrade

TOPICS = [
    ("Badplatser", "Bathing sites", "ENVI"), ("Lekplatser", "Playgrounds", "SOCI"),
    ("Laddstationer för elbilar", "EV charging points", "TRAN"), ("Luftkvalitet", "Air quality", "ENVI"),
    ("Trafikmätningar", "Traffic counts", "TRAN"), ("Budgetutfall", "Budget outcome", "GOVE"),
    ("Grundskolor", "Schools", "EDUC"), ("Bygglov", "Building permits", "REGI"),
    ("Evenemang", "Events", "EDUC"), ("Offentliga toaletter", "Public toilets", "HEAL"),
    ("Återvinningsstationer", "Recycling stations", "ENVI"), ("Parkeringsplatser", "Parking spaces", "TRAN"),
    ("Cykelvägar", "Cycle paths", "TRAN"), ("Förskolor", "Preschools", "EDUC"),
    ("Äldreboenden", "Care homes", "HEAL"), ("Bibliotek", "Libraries", "EDUC"),
    ("Vattenkvalitet", "Water quality", "ENVI"), ("Energiförbrukning", "Energy use", "ENER"),
    ("Detaljplaner", "Zoning plans", "REGI"), ("Hyresrätter", "Rental housing", "SOCI"),
]  # fmt: skip
PLACES = ["Sjövik", "Norrby", "Älvdal", "Östra Hamn", "Lillsjö", "Kvarnby", "Tallvik", "Björkäng"]
LICENSES = ["CC0", "CC_BY_4_0"]
ORGANIZATIONS = 40


def generate(session: Session, count: int, seed: int = 42) -> list[str]:
    """Generate `count` published datasets spread over ORGANIZATIONS organisations; give their slugs."""
    rng = random.Random(seed)
    by = system_user(session)
    orgs = []
    for n in range(ORGANIZATIONS):
        organization = organizations.create_organization(
            session, OrganizationIn(slug=f"org-{n}", name=f"Kommun {n}"), by, system=True
        )
        orgs.append(organization)
    session.commit()
    slugs = []
    for start in track(range(0, count, 1000), description=f"Generating {count} datasets"):
        batch = []
        for i in range(start, min(start + 1000, count)):
            sv, en, theme = TOPICS[rng.randrange(len(TOPICS))]
            place, year = rng.choice(PLACES), rng.randint(2010, 2026)
            now = utcnow()
            themes = sorted({theme, rng.choice(TOPICS)[2]})
            dataset = Dataset(
                id=uuid.uuid4(), slug=f"dataset-{i}", organization=rng.choice(orgs), state="published",
                title={"sv": f"{sv} i {place} {year}", "en": f"{en} in {place} {year}"},
                description={"sv": f"{sv} i {place}, uppdaterad {year}. " * 5, "en": f"{en} in {place}. " * 5},
                keywords={"sv": [sv.split()[0].lower(), place.lower()], "en": [en.split()[0].lower()]},
                themes=themes, contact_point=None, license=rng.choice(LICENSES), access_rights="PUBLIC",
                spatial=[], frequency="ANNUAL", landing_page=None, conforms_to=[], hvd_categories=[],
                title_sort=swedish_sort_key(f"{sv} i {place} {year}"), issued=now, modified=now,
            )  # fmt: skip
            dataset.distributions.append(
                Distribution(id=uuid.uuid4(), title={"sv": "CSV"}, description={}, format=rng.choice(["CSV", "GEOJSON"]),
                             access_url=f"https://data.example/{i}.csv", position=1)
            )  # fmt: skip
            batch.append(dataset)
            slugs.append(dataset.slug)
        session.add_all(batch)
        session.flush()
        for dataset in batch:
            session.add_all(DatasetTheme(dataset_id=dataset.id, code=code) for code in dataset.themes)
            session.add_all(
                DatasetKeyword(dataset_id=dataset.id, language=language, keyword=word)
                for language, words in dataset.keywords.items()
                for word in words
            )
            index_dataset(session, dataset)
        session.commit()
    return slugs


def measure(label: str, runs: int, call: Callable[[int], int]) -> tuple[str, float, float, float]:
    timings = []
    for n in range(runs):
        started = time.perf_counter()
        status = call(n)
        timings.append((time.perf_counter() - started) * 1000)
        assert status == 200, f"{label}: HTTP {status}"
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    return label, statistics.median(timings), p95, timings[-1]


def prepare_postgres(url: str) -> Engine:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return make_engine(url)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=300, help="Requests per measurement.")
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL; the database is dropped and made anew."
    )
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="datatorget-bench-"))
    settings = Settings(data_dir=data_dir, database_url=args.database_url, secret_key=SecretStr("bench"))
    engine = (
        prepare_postgres(args.database_url)
        if args.database_url
        else make_engine(settings.resolved_database_url)
    )
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        slugs = generate(session, args.datasets)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))

    rng = random.Random(7)
    client = TestClient(create_app(settings, engine=engine, migrate=False))
    words = ["badplats", "laddstation", "luftkvalitet", "skolor", "cykelväg", "bygglov", "bathing", "energi"]
    themes = sorted({t for _sv, _en, t in TOPICS})

    def search(n: int) -> int:
        params = {"q": words[n % len(words)], "theme": rng.choice(themes), "license": rng.choice(LICENSES)}
        return client.get("/api/v1/datasets", params=params).status_code

    def search_by_organisation(n: int) -> int:
        params = {"q": words[n % len(words)], "organization": f"org-{rng.randrange(ORGANIZATIONS)}",
                  "format": rng.choice(["CSV", "GEOJSON"])}  # fmt: skip
        return client.get("/api/v1/datasets", params=params).status_code

    def browse(_n: int) -> int:
        return client.get(
            "/api/v1/datasets", params={"sort": "title", "page": rng.randint(1, 50)}
        ).status_code

    def dataset_api(_n: int) -> int:
        return client.get(f"/api/v1/datasets/{rng.choice(slugs)}").status_code

    def dataset_page(_n: int) -> int:
        return client.get(f"/datamangder/{rng.choice(slugs)}").status_code

    for warm in (search, dataset_page):
        warm(0)
    rows = [
        measure("search: q + theme + licence (API)", args.runs, search),
        measure("search: q + organisation + format (API)", args.runs, search_by_organisation),
        measure("browse: no q, sorted by title, facets (API)", args.runs, browse),
        measure("dataset (API JSON)", args.runs, dataset_api),
        measure("dataset page (HTML)", args.runs, dataset_page),
    ]
    table = Table(title=f"{args.datasets} datasets on {engine.dialect.name}, {args.runs} requests each (ms)")
    for column in ("request", "median", "p95", "max"):
        table.add_column(column, justify="left" if column == "request" else "right")
    for label, median, p95, worst in rows:
        table.add_row(label, f"{median:.1f}", f"{p95:.1f}", f"{worst:.1f}")
    Console().print(table)


if __name__ == "__main__":
    main()

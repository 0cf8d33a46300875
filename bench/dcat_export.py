"""Benchmark: the streamed DCAT-AP-SE export of a catalog of 50,000 datasets, in one page.

    .venv/bin/python bench/dcat_export.py                     # 50,000 datasets in a temporary SQLite file
    .venv/bin/python bench/dcat_export.py --datasets 5000     # a quick look

Target (issue 4): exporting 50,000 datasets must not hold the whole graph in memory at once. The catalog is
generated once; then each format is written by the code behind /catalog.{rdf,ttl,jsonld} (dcat_feed's
catalog_graphs through dcat_export's write_document, the generator the endpoint streams), with the page
size set to hold the whole catalog, in a fresh process each, so that its peak RSS is its own. The document
is counted and thrown away, as a response streamed to a client would be.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from pydantic import SecretStr
from rich.console import Console
from rich.progress import track
from rich.table import Table
from sqlalchemy.orm import Session

from datatorget.catalog import organizations
from datatorget.catalog.accounts import system_user
from datatorget.catalog.collation import swedish_sort_key
from datatorget.catalog.models import Dataset, Distribution
from datatorget.catalog.schemas import OrganizationIn
from datatorget.config import Settings
from datatorget.db.base import utcnow
from datatorget.db.engine import make_engine, make_sessionmaker
from datatorget.db.migrate import upgrade
from datatorget.interop.dcat_document import RDF_FORMATS, RdfFormat, write_document
from datatorget.interop.dcat_feed import FeedQuery, catalog_graphs, count_datasets

TOPICS = [
    ("Badplatser", "Bathing sites", "ENVI"), ("Laddstationer", "Charging points", "TRAN"),
    ("Luftkvalitet", "Air quality", "ENVI"), ("Budgetutfall", "Budget outcome", "GOVE"),
    ("Grundskolor", "Schools", "EDUC"), ("Bygglov", "Building permits", "REGI"),
]  # fmt: skip
ORGANIZATIONS = 20


def settings_for(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir, base_url="https://data.sjovik.example", secret_key=SecretStr("bench-" * 6)
    )


def generate(session: Session, count: int) -> None:
    """`count` published datasets with two distributions each, a contact point, and every tenth of high
    value; like the demo's, but many."""
    by = system_user(session)
    orgs = [
        organizations.create_organization(
            session,
            OrganizationIn(slug=f"org-{n}", name=f"Kommun {n}", org_number="212000-9879" if n == 0 else None,
                           publisher_type="LocalAuthority"),
            by,
            system=True,
        )
        for n in range(ORGANIZATIONS)
    ]  # fmt: skip
    session.commit()
    for start in track(range(0, count, 1000), description=f"Generating {count} datasets"):
        for i in range(start, min(start + 1000, count)):
            sv, en, theme = TOPICS[i % len(TOPICS)]
            now = utcnow()
            dataset = Dataset(
                id=uuid.uuid4(), slug=f"dataset-{i}", organization=orgs[i % ORGANIZATIONS], state="published",
                title={"sv": f"{sv} {i}", "en": f"{en} {i}"},
                description={"sv": f"{sv} i kommunen, uppdateras varje år. " * 4, "en": f"{en}, yearly. " * 4},
                keywords={"sv": [sv.lower(), "kommun"], "en": [en.lower()]}, themes=[theme],
                contact_point={"name": "Kontaktcenter", "email": "kontakt@sjovik.example"}, license="CC_BY_4_0",
                access_rights="PUBLIC", spatial=["http://publications.europa.eu/resource/authority/country/SWE"],
                frequency="ANNUAL", landing_page=f"https://www.sjovik.example/{i}", conforms_to=[],
                hvd_categories=["c_dd313021"] if i % 10 == 0 else [], title_sort=swedish_sort_key(f"{sv} {i}"),
                issued=now, modified=now, temporal_start=None, temporal_end=None,
            )  # fmt: skip
            for position, file_format in enumerate(("CSV", "GEOJSON")):
                dataset.distributions.append(
                    Distribution(id=uuid.uuid4(), position=position, title={"sv": f"{sv} ({file_format})"},
                                 description={}, format=file_format, byte_size=123_456,
                                 access_url=f"https://data.sjovik.example/{i}.{file_format.lower()}")
                )  # fmt: skip
            session.add(dataset)
        session.commit()
        session.expunge_all()


def export(data_dir: Path, fmt: RdfFormat) -> dict[str, float]:
    """Write the whole catalog in one format, counting its bytes; the figures of this process."""
    settings = settings_for(data_dir)
    engine = make_engine(settings.resolved_database_url)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    written = 0
    with make_sessionmaker(engine)() as session:
        total = count_datasets(session, FeedQuery())
        graphs = catalog_graphs(
            session,
            FeedQuery(),
            base_url=settings.base_url,
            publisher_slug="",
            page_size=total,
            document_url=f"{settings.base_url}/catalog.{fmt}",
            total=total,
        )
        for part in write_document(graphs, fmt):
            written += len(part)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    engine.dispose()
    return {
        "datasets": total,
        "seconds": seconds,
        "bytes": written,
        "rss_before_kib": before,
        "peak_kib": peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", type=int, default=50_000)
    parser.add_argument("--export", nargs=2, metavar=("DATA_DIR", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export:  # the child process: one export, its figures as JSON on stdout
        print(json.dumps(export(Path(args.export[0]), args.export[1])))
        return

    console = Console()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        settings = settings_for(data_dir)
        engine = make_engine(settings.resolved_database_url)
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            generate(session, args.datasets)
        engine.dispose()
        table = Table(title=f"DCAT-AP-SE export of {args.datasets:,} datasets in one page (SQLite)")
        for column in ("format", "seconds", "datasets/s", "MB written", "RSS before (MB)", "peak RSS (MB)"):
            table.add_column(column, justify="left" if column == "format" else "right")
        for fmt in RDF_FORMATS:
            child = subprocess.run(
                [sys.executable, __file__, "--export", str(data_dir), fmt],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            table.add_row(
                fmt,
                f"{figures['seconds']:.1f}",
                f"{figures['datasets'] / figures['seconds']:.0f}",
                f"{figures['bytes'] / 1e6:.0f}",
                f"{figures['rss_before_kib'] / 1024:.0f}",
                f"{figures['peak_kib'] / 1024:.0f}",
            )
        console.print(table)


if __name__ == "__main__":
    main()

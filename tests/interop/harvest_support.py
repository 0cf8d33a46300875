"""What the harvest tests share: a local HTTP server that plays a remote catalog from recorded pages, and a
harness that adds a source and runs it the way the job does, with loopback standing in for the internet."""

from __future__ import annotations

import http.server
import ipaddress
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from datatorget.catalog import accounts
from datatorget.catalog.models import Dataset, User
from datatorget.config import Settings
from datatorget.db.engine import make_sessionmaker
from datatorget.interop.harvest import run_harvest
from datatorget.interop.harvest_models import HarvestRecord, HarvestRun, HarvestSource
from datatorget.interop.harvest_schemas import HarvestSourceIn
from datatorget.interop.harvest_sources import create_source, queue_run
from datatorget.store.addresses import IPAddress
from tests.factories import make_organization
from tests.http_server import Server, send
from tests.http_server import serving as serve_locally

FIXTURES = Path(__file__).parent / "fixtures" / "harvest"
LOOPBACK = ipaddress.ip_address("127.0.0.1")


def loopback_only(address: IPAddress) -> bool:
    """The address policy of the tests: the test server stands in for the public internet, and nothing else
    (another loopback address included) may be reached."""
    return address == LOOPBACK


@dataclass
class RemoteSite(Server):
    """The server of a remote catalog; its `requests` are the paths asked for, with their queries."""

    requests: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.url("")

    def record(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        self.requests.append(handler.path)

    def fixture(self, name: str) -> bytes:
        """A recorded page, with `{base}` replaced by this server's address."""
        return (FIXTURES / name).read_text(encoding="utf-8").replace("{base}", self.base).encode()


@contextmanager
def serving() -> Iterator[RemoteSite]:
    with serve_locally(RemoteSite()) as site:
        yield site


TURTLE, RDF_XML, JSON = "text/turtle; charset=utf-8", "application/rdf+xml", "application/json; charset=utf-8"


def serve_dcat(site: RemoteSite, page1: bytes | None = None, page2: bytes | None = None) -> str:
    """The recorded DCAT catalog (or changed pages), page 1 in Turtle and page 2 in RDF/XML; its address."""
    site.routes["/dcat/catalog?page=1"] = send(page1 or site.fixture("dcat_page1.ttl"), TURTLE)
    site.routes["/dcat/catalog?page=2"] = send(page2 or site.fixture("dcat_page2.rdf"), RDF_XML)
    return site.url("/dcat/catalog?page=1")


def serve_ckan(site: RemoteSite, page1: bytes | None = None, page2: bytes | None = None) -> str:
    """The recorded CKAN site, two packages a page (`start=0`, `start=2`); its address."""
    pages = {"0": page1 or site.fixture("ckan_page1.json"), "2": page2 or site.fixture("ckan_page2.json")}

    def search(handler: http.server.BaseHTTPRequestHandler) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        if query.get("rows") != ["2"]:
            handler.send_error(400, "Bad Request")
            return
        past_the_end = b'{"help": "", "success": true, "result": {"count": 4, "results": []}}'
        send(pages.get(query.get("start", ["0"])[0], past_the_end), JSON)(handler)

    site.routes["/api/3/action/package_search"] = search
    return site.url("/")


@dataclass
class Harness:
    """Sources added by an admin, run as the harvest job runs them, on the test's database."""

    engine: Engine
    settings: Settings
    sessions: sessionmaker[Session]
    organization: str = "vallby-kommun"

    def admin(self, session: Session) -> User:
        return accounts.system_user(session)

    def add_source(self, url: str, kind: str = "dcat", **fields: Any) -> uuid.UUID:
        with self.sessions.begin() as session:
            data = HarvestSourceIn.model_validate(
                {"title": "Vallby kommun", "url": url, "kind": kind, "organization": self.organization}
                | fields
            )
            return create_source(session, data, self.admin(session)).id

    def run(self, source_id: uuid.UUID, **limits: Any) -> HarvestRun:
        """Queue a run of the source and run it to its end; the run as it ended."""
        with self.sessions.begin() as session:
            run_id = queue_run(session, source_id, self.admin(session)).id
        settings = self.settings.model_copy(update=limits) if limits else self.settings
        run_harvest(self.sessions, settings, run_id, address_allowed=loopback_only)
        with self.sessions.begin() as session:
            return session.get_one(HarvestRun, run_id)

    def datasets(self) -> dict[str, Dataset]:
        """The harvested datasets (and those once harvested) by their remote id."""
        with self.sessions.begin() as session:
            rows = session.execute(
                select(HarvestRecord.remote_id, Dataset).join(Dataset, Dataset.id == HarvestRecord.dataset_id)
            ).all()
            return {row[0]: row[1] for row in rows}

    def source(self, source_id: uuid.UUID) -> HarvestSource:
        with self.sessions.begin() as session:
            return session.get_one(HarvestSource, source_id)


def harness(engine: Engine, settings: Settings) -> Harness:
    sessions = make_sessionmaker(engine, writing=True)
    with sessions() as session:
        make_organization(session, "vallby-kommun", "Vallby kommun")
    return Harness(engine, settings, sessions)


def counts(**found: int) -> dict[str, int]:
    """A run's counts: zero for every outcome not given."""
    return {"created": 0, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0} | found

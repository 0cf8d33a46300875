"""The real `ckanapi` client reads the portal as it reads a CKAN site: one uvicorn server on a free port of
127.0.0.1 (SQLite, the demo municipality with its tables read in) serves the whole module."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest
from ckanapi import RemoteCKAN  # type: ignore[import-untyped]
from ckanapi.errors import NotAuthorized, NotFound, SearchQueryError, ValidationError  # type: ignore[import-untyped]

from datatorget.catalog import accounts
from tests.servers import served_demo

EDITOR = "ckan-klient@sjovik.example"


@dataclass(frozen=True)
class Portal:
    url: str
    editor_key: str


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    with served_demo(tmp_path_factory.mktemp("ckan"), secret_key="ckan-" * 8) as app:
        with app.state.sessionmaker.begin() as session:
            editor = accounts.create_user(
                session,
                email=EDITOR,
                password="correct horse battery",
                role="editor",
                organization_slug="sjovik",
                by=None,
            )
            _token, key = accounts.create_token(session, editor, name="ckanapi")
        yield Portal(app.state.settings.base_url, key)


@pytest.fixture
def ckan(portal: Portal) -> Iterator[Any]:
    with RemoteCKAN(portal.url) as remote:
        yield remote


def test_package_search_finds_what_the_portals_search_finds(ckan: Any, portal: Portal) -> None:
    with urlopen(f"{portal.url}/api/v1/datasets?{urlencode({'q': 'badplats', 'size': 100})}") as response:
        native = json.load(response)

    found = ckan.action.package_search(q="badplats", rows=100)

    assert found["count"] == native["total"] > 0
    assert {p["name"] for p in found["results"]} == {item["slug"] for item in native["items"]}


def test_package_search_filters_and_counts_facets(ckan: Any) -> None:
    found = ckan.call_action(
        "package_search",
        {"fq": "organization:sjovik groups:envi", "facet.field": ["organization", "res_format"], "rows": 0},
    )

    assert found["count"] > 0
    assert found["results"] == []
    assert found["facets"]["organization"] == {"sjovik": found["count"]}


def test_package_show_gives_ckans_fields(ckan: Any, portal: Portal) -> None:
    package = ckan.action.package_show(id="badplatser")

    assert (package["name"], package["title"], package["organization"]["name"]) == (
        "badplatser",
        "Badplatser",
        "sjovik",
    )
    assert package["license_id"] == "cc-zero"
    assert {g["name"] for g in package["groups"]} == {"envi", "soci"}
    geojson = next(r for r in package["resources"] if r["format"] == "GEOJSON")
    assert geojson["url"].startswith(f"{portal.url}/files/")
    with urlopen(geojson["url"]) as response:
        assert response.status == 200


def test_organization_list_with_all_fields(ckan: Any) -> None:
    organizations = ckan.action.organization_list(all_fields=True)

    assert "sjovik" in {o["name"] for o in organizations}
    assert all(o["is_organization"] and o["package_count"] >= 0 for o in organizations)


def test_datastore_search_reads_rows_of_a_table(ckan: Any) -> None:
    package = ckan.action.package_show(id="badplatser")
    table = next(r for r in package["resources"] if r["datastore_active"])

    rows = ckan.action.datastore_search(resource_id=table["id"], limit=2)

    assert len(rows["records"]) == 2
    assert rows["total"] > 2
    assert rows["fields"][0] == {"id": "_id", "type": "int"}
    assert ckan.action.datastore_search_sql(sql=f'SELECT count(*) AS n FROM "{table["id"]}"')["records"] == [
        {"n": rows["total"]}
    ]


def test_a_harvester_walks_package_list_and_package_show(ckan: Any) -> None:
    names = ckan.action.package_list()

    packages = [ckan.action.package_show(id=name) for name in names]

    assert len(names) >= 10
    assert [p["name"] for p in packages] == names
    assert all(p["resources"] and all(r["url"] for r in p["resources"]) for p in packages)


def test_the_ckan_harvesters_incremental_search_pages_through_every_dataset(ckan: Any) -> None:
    since = (datetime.now(UTC) - timedelta(days=1)).replace(tzinfo=None).isoformat()
    found: list[str] = []
    start = 0
    while True:
        page = ckan.action.package_search(
            fq=f"metadata_modified:[{since}Z TO *]", rows=4, start=start, sort="id asc"
        )
        found += [p["name"] for p in page["results"]]
        if not page["results"]:
            break
        start += 4

    assert sorted(found) == sorted(ckan.action.package_list())


def test_get_only_clients_work_too(portal: Portal) -> None:
    with RemoteCKAN(portal.url, get_only=True) as remote:
        found = remote.action.package_search(fq="res_format:GEOJSON OR tags:bad", rows=1)

    assert found["count"] > 1
    assert len(found["results"]) == 1


def test_errors_come_back_as_ckanapis_exceptions(ckan: Any) -> None:
    with pytest.raises(NotFound):
        ckan.action.package_show(id="planerade-cykelvagar")
    with pytest.raises(SearchQueryError, match="cannot search the field 'author'"):
        ckan.action.package_search(fq="author:anna")
    with pytest.raises(ValidationError):
        ckan.action.package_show()
    with RemoteCKAN(ckan.address, apikey="dt_not-a-key") as wrong, pytest.raises(NotAuthorized):
        wrong.action.package_search()


def test_an_api_key_shows_the_editors_drafts(portal: Portal) -> None:
    with RemoteCKAN(portal.url, apikey=portal.editor_key) as remote:
        draft = remote.action.package_show(id="planerade-cykelvagar")

    assert (draft["state"], draft["private"]) == ("draft", True)

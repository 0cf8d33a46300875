"""The CKAN Action API subset: each action, CKAN's envelope and error types, who sees drafts and private
datasets with an API key in either header, GET and POST (JSON and form), and both prefixes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import ANY

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from datatorget.catalog import accounts, datasets
from datatorget.catalog.models import Dataset, Organization
from datatorget.catalog.schemas import DatasetIn
from tests.api.snapshots import StoredState
from tests.factories import make_dataset, make_link
from tests.jobs import run_jobs

# What these tests show happens in the router and the mapping; the catalog queries run on both backends.
ONE_BACKEND = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
PREFIXES = ("/api/3/action", "/api/action")
CSV = b"namn;djup;oppnar\nSandviken;120;2024-06-01\nBadholmen;80;2024-05-15\nEkudden;;2024-06-01\n"
HELP = "http://portal.test/api/3/action/help_show?name="


def call(
    client: TestClient,
    action: str,
    status: int = 200,
    /,
    headers: dict[str, str] | None = None,
    **params: Any,
) -> Any:
    """GET an action; the `result` of a success, the `error` of a failure (after checking the envelope)."""
    response = client.get(f"/api/3/action/{action}", params=params, headers=headers)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["help"] == HELP + action
    assert body["success"] is (status == 200)
    return body["result"] if status == 200 else body["error"]


def secret(headers: dict[str, str]) -> str:
    """The raw API key in bearer headers."""
    return headers["Authorization"].removeprefix("Bearer ")


@pytest.fixture
def upload(app_client: TestClient, editor_headers: dict[str, str]) -> Callable[[str], str]:
    """Upload the CSV to a dataset and read it in as a table; its distribution's id."""

    def uploaded(slug: str) -> str:
        response = app_client.post(
            f"/api/v1/datasets/{slug}/distributions",
            files={"file": ("badplatser.csv", CSV, "text/csv")},
            headers=editor_headers,
        )
        assert response.status_code == 201, response.text
        run_jobs(app_client)
        return str(response.json()["id"])

    return uploaded


@pytest.fixture
def catalog(session: Session, sjovik: Organization, vatten: Organization) -> dict[str, Dataset]:
    """Published datasets of two organisations, a private one and a draft."""
    return {
        "badplatser": make_dataset(
            session, "Badplatser", organization=sjovik.slug, themes=["ENVI", "SOCI"],
            keywords={"sv": ["bad", "friluftsliv"], "en": ["swimming"]}, license="CC0",
        ),
        "laddstationer": make_dataset(
            session, "Laddstationer för elbilar", organization=sjovik.slug, themes=["TRAN"],
            keywords={"sv": ["elbil"]}, license="CC_BY_4_0",
        ),
        "vattenprover": make_dataset(
            session, "Vattenprover", organization=vatten.slug, themes=["ENVI"], keywords={"sv": ["bad"]},
        ),
        "loner": make_dataset(session, "Löner", organization=sjovik.slug, state="private"),
        "cykelvagar": make_dataset(session, "Planerade cykelvägar", organization=sjovik.slug, state="draft"),
    }  # fmt: skip


def names(result: dict[str, Any]) -> list[str]:
    return sorted(package["name"] for package in result["results"])


# --- the envelope --------------------------------------------------------------------------------------


@ONE_BACKEND
@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_status_show_answers_in_ckans_envelope_on_both_prefixes_and_methods(
    app_client: TestClient, prefix: str, method: str
) -> None:
    response = app_client.request(method, f"{prefix}/status_show")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    assert response.json() == {
        "help": HELP + "status_show",
        "success": True,
        "result": {
            "site_title": "Datatorget",
            "site_description": "",
            "site_url": "http://portal.test",
            "ckan_version": "2.10.4",
            "datatorget_version": ANY,
            "error_emails_to": None,
            "locale_default": "sv",
            "extensions": ["datastore"],
        },
    }


@ONE_BACKEND
def test_an_unknown_action_is_a_bad_request(app_client: TestClient) -> None:
    response = app_client.post("/api/action/package_create", json={"name": "ny"})

    assert response.status_code == 400
    assert response.json() == {
        "help": HELP + "package_create",
        "success": False,
        "error": {"__type": "Bad Request", "message": "Bad request - Action name not known: package_create"},
    }


@ONE_BACKEND
def test_a_body_that_is_not_json_is_a_bad_request(app_client: TestClient) -> None:
    response = app_client.post(
        "/api/3/action/package_show", content=b"{id:", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["__type"] == "Bad Request"
    assert response.json()["error"]["message"].startswith(
        "Bad request - JSON Error: the body is not valid JSON"
    )


@ONE_BACKEND
def test_a_json_body_that_is_not_an_object_is_a_bad_request(app_client: TestClient) -> None:
    response = app_client.post("/api/3/action/package_show", json=["badplatser"])

    assert response.status_code == 400
    assert response.json()["error"] == {
        "__type": "Bad Request",
        "message": "Bad request - JSON Error: the body must be a JSON object",
    }


@ONE_BACKEND
def test_methods_other_than_get_and_post_are_a_bad_request(app_client: TestClient) -> None:
    response = app_client.put("/api/3/action/package_show", json={"id": "x"})

    assert response.status_code == 400
    assert response.json()["error"] == {
        "__type": "Bad Request",
        "message": "Bad request - the CKAN API takes GET and POST, not PUT",
    }


@ONE_BACKEND
def test_help_show_gives_an_actions_description(app_client: TestClient) -> None:
    assert (
        call(app_client, "help_show", name="package_show") == "One dataset. Parameters: id (its name or id)."
    )
    assert call(app_client, "help_show", 404, name="package_create") == {
        "__type": "Not Found Error",
        "message": "Not found: Action function not found: package_create",
    }


# --- datasets ------------------------------------------------------------------------------------------


def test_package_show_gives_a_dataset_with_ckans_field_names(
    app_client: TestClient, session: Session, sjovik: Organization, upload: Callable[[str], str]
) -> None:
    dataset = make_dataset(
        session, {"sv": "Badplatser", "en": "Bathing sites"}, description={"sv": "Badplatser i kommunen."},
        organization=sjovik.slug, themes=["ENVI"], keywords={"sv": ["bad"], "en": ["swimming"]}, license="CC0",
        contact_point={"name": "Kultur och fritid", "email": "kultur@sjovik.se"}, frequency="ANNUAL",
        landing_page="https://sjovik.se/bad",
    )  # fmt: skip
    table = upload("badplatser")
    link = make_link(session, "badplatser", access_url="https://geo.sjovik.se/bad.json", format="JSON")

    result = call(app_client, "package_show", id="badplatser")

    assert result == {
        "id": str(dataset.id),
        "name": "badplatser",
        "title": "Badplatser",
        "title_translated": {"sv": "Badplatser", "en": "Bathing sites"},
        "notes": "Badplatser i kommunen.",
        "notes_translated": {"sv": "Badplatser i kommunen."},
        "type": "dataset",
        "state": "active",
        "private": False,
        "license_id": "cc-zero",
        "license_title": "Creative Commons CC0 1.0 Universal (CC0 1.0)",
        "license_url": "https://creativecommons.org/publicdomain/zero/1.0/",
        "isopen": True,
        "url": "https://sjovik.se/bad",
        "version": None,
        "author": "Sjöviks kommun",
        "author_email": None,
        "maintainer": "Kultur och fritid",
        "maintainer_email": "kultur@sjovik.se",
        "metadata_created": ANY,
        "metadata_modified": ANY,
        "creator_user_id": None,
        "owner_org": str(sjovik.id),
        "organization": {
            "id": str(sjovik.id),
            "name": "sjoviks-kommun",
            "title": "Sjöviks kommun",
            "display_name": "Sjöviks kommun",
            "type": "organization",
            "description": "",
            "image_url": "",
            "image_display_url": "",
            "created": ANY,
            "is_organization": True,
            "approval_status": "approved",
            "state": "active",
        },
        "groups": [
            {
                "id": "envi",
                "name": "envi",
                "title": "Miljö",
                "display_name": "Miljö",
                "title_translated": {"sv": "Miljö", "en": "Environment"},
                "description": "",
                "image_display_url": "",
                "type": "group",
                "is_organization": False,
                "approval_status": "approved",
                "state": "active",
                "uri": "http://publications.europa.eu/resource/authority/data-theme/ENVI",
            }
        ],
        "tags": [
            {"id": "bad", "name": "bad", "display_name": "bad", "state": "active", "vocabulary_id": None},
            {
                "id": "swimming",
                "name": "swimming",
                "display_name": "swimming",
                "state": "active",
                "vocabulary_id": None,
            },
        ],
        "num_tags": 2,
        "resources": [
            {
                "id": table,
                "package_id": str(dataset.id),
                "name": "badplatser.csv",
                "description": "",
                "format": "CSV",
                "url": f"http://portal.test/files/{table}/badplatser.csv",
                "url_type": "upload",
                "resource_type": "file.upload",
                "mimetype": "text/csv",
                "mimetype_inner": None,
                "size": len(CSV),
                "hash": ANY,
                "created": ANY,
                "last_modified": ANY,
                "metadata_modified": ANY,
                "position": 0,
                "state": "active",
                "datastore_active": True,
                "cache_url": None,
                "cache_last_updated": None,
                "license_id": None,
            },
            {
                "id": str(link.id),
                "package_id": str(dataset.id),
                "name": "",
                "description": "",
                "format": "JSON",
                "url": "https://geo.sjovik.se/bad.json",
                "url_type": None,
                "resource_type": "file",
                "mimetype": ANY,
                "mimetype_inner": None,
                "size": None,
                "hash": "",
                "created": ANY,
                "last_modified": ANY,
                "metadata_modified": ANY,
                "position": 1,
                "state": "active",
                "datastore_active": False,
                "cache_url": None,
                "cache_last_updated": None,
                "license_id": None,
            },
        ],
        "num_resources": 2,
        "extras": [
            {"key": "uri", "value": f"http://portal.test/datasets/{dataset.id}"},
            {"key": "identifier", "value": str(dataset.id)},
            {"key": "issued", "value": ANY},
            {"key": "modified", "value": ANY},
            {
                "key": "frequency",
                "value": "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
            },
            {
                "key": "access_rights",
                "value": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
            },
            {"key": "theme", "value": '["http://publications.europa.eu/resource/authority/data-theme/ENVI"]'},
            {"key": "publisher_name", "value": "Sjöviks kommun"},
        ],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def test_package_show_writes_times_as_ckan_does(app_client: TestClient, badplatser: Dataset) -> None:
    result = call(app_client, "package_show", id=str(badplatser.id))

    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}", result["metadata_modified"])
    assert datetime.fromisoformat(result["metadata_modified"]).replace(tzinfo=UTC) == badplatser.modified


def test_package_show_of_an_unknown_dataset_is_a_not_found_error(app_client: TestClient) -> None:
    assert call(app_client, "package_show", 404, id="finns-inte") == {
        "__type": "Not Found Error",
        "message": "Not found: no dataset 'finns-inte'",
    }


@ONE_BACKEND
def test_package_show_without_an_id_is_a_validation_error(app_client: TestClient) -> None:
    assert call(app_client, "package_show", 409) == {"__type": "Validation Error", "id": ["Missing value"]}


def test_a_draft_is_not_found_without_an_api_key(app_client: TestClient, catalog: dict[str, Dataset]) -> None:
    assert call(app_client, "package_show", 404, id="planerade-cykelvagar")["__type"] == "Not Found Error"


@pytest.mark.parametrize("header", ["X-CKAN-API-Key", "Authorization"])
def test_an_editor_sees_their_draft_with_the_raw_key_in_either_header(
    app_client: TestClient, catalog: dict[str, Dataset], editor_headers: dict[str, str], header: str
) -> None:
    result = call(
        app_client, "package_show", headers={header: secret(editor_headers)}, id="planerade-cykelvagar"
    )

    assert (result["state"], result["private"]) == ("draft", True)


def test_a_bearer_key_works_too(
    app_client: TestClient, catalog: dict[str, Dataset], editor_headers: dict[str, str]
) -> None:
    assert call(app_client, "package_show", headers=editor_headers, id="planerade-cykelvagar")["name"] == (
        "planerade-cykelvagar"
    )


def test_another_organisations_editor_does_not_see_the_draft(
    app_client: TestClient, catalog: dict[str, Dataset], outsider_headers: dict[str, str]
) -> None:
    headers = {"X-CKAN-API-Key": secret(outsider_headers)}
    assert call(app_client, "package_show", 404, headers=headers, id="planerade-cykelvagar")["__type"] == (
        "Not Found Error"
    )


@pytest.mark.parametrize("header", ["X-CKAN-API-Key", "Authorization"])
def test_a_wrong_api_key_is_an_authorization_error(
    app_client: TestClient, badplatser: Dataset, header: str
) -> None:
    assert call(app_client, "package_show", 403, headers={header: "dt_wrong"}, id="badplatser") == {
        "__type": "Authorization Error",
        "message": "Access denied: the API token is not valid",
    }


def test_package_list_names_the_published_datasets(
    app_client: TestClient, catalog: dict[str, Dataset]
) -> None:
    assert call(app_client, "package_list") == ["badplatser", "laddstationer-for-elbilar", "vattenprover"]
    assert call(app_client, "package_list", limit=1, offset=1) == ["laddstationer-for-elbilar"]


def test_package_list_leaves_out_drafts_and_private_datasets_even_for_their_editor(
    app_client: TestClient, catalog: dict[str, Dataset], editor_headers: dict[str, str]
) -> None:
    assert "loner" not in call(app_client, "package_list", headers=editor_headers)


# --- package_search ------------------------------------------------------------------------------------


def test_package_search_without_parameters_gives_the_published_datasets(
    app_client: TestClient, catalog: dict[str, Dataset]
) -> None:
    result = call(app_client, "package_search")

    assert (result["count"], result["sort"], result["facets"], result["search_facets"]) == (
        3,
        "score desc, metadata_modified desc",
        {},
        {},
    )
    assert names(result) == ["badplatser", "laddstationer-for-elbilar", "vattenprover"]
    assert result["results"][0] == call(app_client, "package_show", id=result["results"][0]["name"])


def test_q_finds_words_as_the_portals_search_does(
    app_client: TestClient, catalog: dict[str, Dataset]
) -> None:
    assert names(call(app_client, "package_search", q="elbilar")) == ["laddstationer-for-elbilar"]
    assert names(call(app_client, "package_search", q="*:*"))[0] == "badplatser"


@pytest.mark.parametrize(
    ("fq", "found"),
    [
        ("organization:sjovik-vatten", ["vattenprover"]),
        ("tags:bad", ["badplatser", "vattenprover"]),
        ("tags:swimming", ["badplatser"]),
        ("groups:envi", ["badplatser", "vattenprover"]),
        ("license_id:cc-by", ["laddstationer-for-elbilar"]),
        ("license_id:CC0", ["badplatser"]),
        ("-organization:sjoviks-kommun", ["vattenprover"]),
        ("groups:tran OR organization:sjovik-vatten", ["laddstationer-for-elbilar", "vattenprover"]),
        ("groups:envi -tags:friluftsliv", ["vattenprover"]),
        ("tags:(elbil OR friluftsliv)", ["badplatser", "laddstationer-for-elbilar"]),
        ("name:vattenprover", ["vattenprover"]),
        ("dataset_type:dataset capacity:public", ["badplatser", "laddstationer-for-elbilar", "vattenprover"]),
        ("type:harvest", []),
    ],
)
def test_fq_filters_on_ckans_fields(
    app_client: TestClient, catalog: dict[str, Dataset], fq: str, found: list[str]
) -> None:
    assert names(call(app_client, "package_search", fq=fq)) == found


def test_q_may_hold_several_words_alternatives_and_fields(
    app_client: TestClient, catalog: dict[str, Dataset]
) -> None:
    assert names(call(app_client, "package_search", q="laddstationer elbilar")) == [
        "laddstationer-for-elbilar"
    ]
    assert names(call(app_client, "package_search", q="elbilar OR vattenprover")) == [
        "laddstationer-for-elbilar",
        "vattenprover",
    ]
    assert names(call(app_client, "package_search", q="badplatser -vattenprover tags:bad")) == ["badplatser"]


def test_fq_filters_on_the_format_of_a_resource(
    app_client: TestClient, catalog: dict[str, Dataset], session: Session
) -> None:
    make_link(session, "vattenprover", format="GEOJSON")

    assert names(call(app_client, "package_search", fq="res_format:GeoJSON")) == ["vattenprover"]
    assert names(call(app_client, "package_search", fq="res_format:*")) == ["vattenprover"]


def test_fq_filters_on_metadata_modified_since_a_time(
    app_client: TestClient, catalog: dict[str, Dataset], session: Session
) -> None:
    since = datetime.now(UTC) + timedelta(seconds=1)
    catalog["vattenprover"].modified = since + timedelta(seconds=1)
    session.commit()
    stamp = since.replace(tzinfo=None).isoformat()

    assert names(call(app_client, "package_search", fq=f"metadata_modified:[{stamp}Z TO *]")) == [
        "vattenprover"
    ]
    assert call(app_client, "package_search", fq=f"metadata_modified:[* TO {stamp}Z]")["count"] == 2


def test_fq_list_adds_filters(app_client: TestClient, catalog: dict[str, Dataset]) -> None:
    response = app_client.post(
        "/api/3/action/package_search", json={"fq": "tags:bad", "fq_list": ["organization:sjoviks-kommun"]}
    )

    assert names(response.json()["result"]) == ["badplatser"]


def test_sort_start_and_rows_page_through_the_results(
    app_client: TestClient, catalog: dict[str, Dataset]
) -> None:
    result = call(app_client, "package_search", sort="name desc", start=1, rows=1)

    assert (result["count"], [p["name"] for p in result["results"]]) == (3, ["laddstationer-for-elbilar"])


def test_facets_count_the_matching_datasets(app_client: TestClient, catalog: dict[str, Dataset]) -> None:
    facets: dict[str, Any] = {
        "facet.field": '["organization", "groups", "tags", "license_id", "res_format"]',
        "facet.limit": "2",
    }
    result = call(app_client, "package_search", fq="-name:laddstationer-for-elbilar", **facets)

    assert result["facets"] == {
        "organization": {"sjovik-vatten": 1, "sjoviks-kommun": 1},
        "groups": {"envi": 2, "soci": 1},
        "tags": {"bad": 2, "friluftsliv": 1},
        "license_id": {"cc-zero": 1},
        "res_format": {},
    }
    assert result["search_facets"]["groups"] == {
        "title": "groups",
        "items": [
            {"name": "envi", "display_name": "Miljö", "count": 2},
            {"name": "soci", "display_name": "Befolkning och samhälle", "count": 1},
        ],
    }
    assert result["search_facets"]["organization"]["items"] == [
        {"name": "sjovik-vatten", "display_name": "Sjövik Vatten AB", "count": 1},
        {"name": "sjoviks-kommun", "display_name": "Sjöviks kommun", "count": 1},
    ]


def test_private_datasets_and_drafts_are_found_only_when_asked_for_by_whom_may_see_them(
    app_client: TestClient, catalog: dict[str, Dataset], editor_headers: dict[str, str]
) -> None:
    key = {"X-CKAN-API-Key": secret(editor_headers)}
    asked: dict[str, Any] = {"include_private": "true", "include_drafts": "true"}

    assert call(app_client, "package_search", headers=key)["count"] == 3
    assert call(app_client, "package_search", **asked)["count"] == 3
    assert "loner" in names(call(app_client, "package_search", headers=key, include_private="true"))
    assert call(app_client, "package_search", headers=key, **asked)["count"] == 5


@ONE_BACKEND
def test_rows_are_capped_at_1000(app_client: TestClient, session: Session, sjovik: Organization) -> None:
    by = accounts.system_user(session)
    for number in range(1001):
        data = DatasetIn.model_validate(
            {"title": {"sv": f"D {number}"}, "description": {"sv": "-"}, "organization": sjovik.slug,
             "state": "published"}
        )  # fmt: skip
        datasets.create_dataset(session, data, by)
    session.commit()

    result = call(app_client, "package_search", rows=5000, sort="name asc")

    assert (result["count"], len(result["results"])) == (1001, 1000)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"fq": "title:bad"}, "cannot search the field 'title'"),
        ({"q": "tags:(a OR"}, "the query ends too early"),
        ({"sort": "popularity desc"}, "cannot sort by 'popularity desc'"),
        ({"facet.field": '["author"]'}, "cannot count the facet 'author'"),
    ],
)
def test_a_query_it_cannot_translate_is_a_search_query_error(
    app_client: TestClient, stored: Callable[[], StoredState], params: dict[str, Any], message: str
) -> None:
    before = stored()

    error = call(app_client, "package_search", 409, **params)

    assert error["__type"] == "Search Query Error"
    assert error["message"].startswith(f"Search Query is invalid: {message}")
    assert stored() == before


@ONE_BACKEND
@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"rows": "many"}, {"rows": ["Invalid integer"]}),
        ({"start": "-1"}, {"start": ["Must be at least 0"]}),
        ({"include_private": "maybe"}, {"include_private": ["Value must be one of: true, false"]}),
        ({"facet.field": "[organization"}, {"facet.field": ["Must be valid JSON"]}),
    ],
)
def test_bad_parameters_are_a_validation_error(
    app_client: TestClient, params: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    assert call(app_client, "package_search", 409, **params) == {"__type": "Validation Error", **errors}


@ONE_BACKEND
def test_post_takes_form_fields_as_ckan_does(app_client: TestClient, catalog: dict[str, Dataset]) -> None:
    response = app_client.post("/api/action/package_search", data={"fq": "groups:tran"})

    assert names(response.json()["result"]) == ["laddstationer-for-elbilar"]


# --- organisations, groups, tags, resources -----------------------------------------------------------


def test_organization_list_gives_names_or_all_fields(
    app_client: TestClient, catalog: dict[str, Dataset]
) -> None:
    assert call(app_client, "organization_list") == ["sjovik-vatten", "sjoviks-kommun"]
    assert call(app_client, "organization_list", sort="name desc") == ["sjoviks-kommun", "sjovik-vatten"]
    assert call(app_client, "organization_list", sort="package_count desc", limit=1) == ["sjoviks-kommun"]
    listed = call(app_client, "organization_list", all_fields="true")
    assert [(o["name"], o["title"], o["package_count"]) for o in listed] == [
        ("sjovik-vatten", "Sjövik Vatten AB", 1),
        ("sjoviks-kommun", "Sjöviks kommun", 2),
    ]


def test_organization_show_finds_an_organisation_by_name_or_id(
    app_client: TestClient, catalog: dict[str, Dataset], vatten: Organization
) -> None:
    by_name = call(app_client, "organization_show", id="sjovik-vatten", include_datasets="true")

    assert by_name["id"] == str(vatten.id)
    assert (by_name["package_count"], [p["name"] for p in by_name["packages"]]) == (1, ["vattenprover"])
    assert call(app_client, "organization_show", id=str(vatten.id))["name"] == "sjovik-vatten"
    assert call(app_client, "organization_show", 404, id="finns-inte")["__type"] == "Not Found Error"


def test_themes_are_groups(app_client: TestClient, catalog: dict[str, Dataset]) -> None:
    groups = call(app_client, "group_list", all_fields="true")

    assert len(groups) == 13
    assert {g["name"]: g["package_count"] for g in groups if g["package_count"]} == {
        "envi": 2,
        "soci": 1,
        "tran": 1,
    }
    shown = call(app_client, "group_show", id="ENVI", include_datasets="true")
    assert [p["name"] for p in shown["packages"]] == ["badplatser", "vattenprover"]
    assert call(app_client, "group_show", 404, id="sport")["__type"] == "Not Found Error"


def test_tag_list_gives_the_keywords_of_published_datasets(
    app_client: TestClient, catalog: dict[str, Dataset]
) -> None:
    assert call(app_client, "tag_list") == ["bad", "elbil", "friluftsliv", "swimming"]
    assert call(app_client, "tag_list", query="FRI") == ["friluftsliv"]
    assert call(app_client, "tag_list", query="elbil", all_fields="true") == [
        {"id": "elbil", "name": "elbil", "display_name": "elbil", "state": "active", "vocabulary_id": None}
    ]


def test_resource_show_gives_a_distribution_its_dataset_lets_one_see(
    app_client: TestClient, catalog: dict[str, Dataset], session: Session, editor_headers: dict[str, str]
) -> None:
    link = make_link(session, "planerade-cykelvagar")

    assert call(app_client, "resource_show", 404, id=str(link.id))["__type"] == "Not Found Error"
    shown = call(app_client, "resource_show", headers=editor_headers, id=str(link.id))
    assert (shown["url"], shown["package_id"]) == (link.access_url, str(catalog["cykelvagar"].id))
    assert call(app_client, "resource_show", 404, id="inte-ett-id")["__type"] == "Not Found Error"


# --- the DataStore -------------------------------------------------------------------------------------


def test_datastore_search_gives_records_fields_total_and_links(
    app_client: TestClient, badplatser: Dataset, upload: Callable[[str], str]
) -> None:
    table = upload("badplatser")

    assert call(app_client, "datastore_search", resource_id=table, limit=2) == {
        "resource_id": table,
        "fields": [
            {"id": "_id", "type": "int"},
            {"id": "namn", "type": "text"},
            {"id": "djup", "type": "int"},
            {"id": "oppnar", "type": "date"},
        ],
        "records": [
            {"_id": 1, "namn": "Sandviken", "djup": 120, "oppnar": "2024-06-01"},
            {"_id": 2, "namn": "Badholmen", "djup": 80, "oppnar": "2024-05-15"},
        ],
        "records_format": "objects",
        "filters": {},
        "limit": 2,
        "offset": 0,
        "include_total": True,
        "total": 3,
        "total_was_estimated": False,
        "_links": {
            "start": f"/api/3/action/datastore_search?resource_id={table}&limit=2",
            "next": f"/api/3/action/datastore_search?resource_id={table}&limit=2&offset=2",
        },
    }


@ONE_BACKEND
def test_datastore_search_filters_searches_sorts_and_chooses_fields(
    app_client: TestClient, badplatser: Dataset, upload: Callable[[str], str]
) -> None:
    table = upload("badplatser")

    def namn(**params: Any) -> list[Any]:
        return [
            r["namn"] for r in call(app_client, "datastore_search", resource_id=table, **params)["records"]
        ]

    assert namn(filters='{"oppnar": "2024-06-01"}') == ["Sandviken", "Ekudden"]
    assert namn(filters='{"djup": [80, 120]}') == ["Sandviken", "Badholmen"]
    assert namn(filters='{"djup": null}') == ["Ekudden"]
    assert namn(q="holm") == ["Badholmen"]
    assert namn(sort="djup desc, namn") == ["Sandviken", "Badholmen", "Ekudden"]
    assert namn(offset=2) == ["Ekudden"]
    chosen = call(
        app_client, "datastore_search", resource_id=table, fields="namn", limit=1, include_total="false"
    )
    assert (chosen["fields"], chosen["records"], "total" in chosen) == (
        [{"id": "namn", "type": "text"}],
        [{"namn": "Sandviken"}],
        False,
    )


@ONE_BACKEND
@pytest.mark.parametrize(
    ("records_format", "records"),
    [
        ("lists", [[1, "Sandviken", 120, "2024-06-01"]]),
        ("csv", "1,Sandviken,120,2024-06-01\n"),
        ("tsv", "1\tSandviken\t120\t2024-06-01\n"),
    ],
)
def test_datastore_search_gives_records_as_lists_csv_or_tsv(
    app_client: TestClient,
    badplatser: Dataset,
    upload: Callable[[str], str],
    records_format: str,
    records: Any,
) -> None:
    table = upload("badplatser")

    result = call(app_client, "datastore_search", resource_id=table, limit=1, records_format=records_format)

    assert result["records"] == records


@ONE_BACKEND
def test_datastore_search_takes_a_json_body(
    app_client: TestClient, badplatser: Dataset, upload: Callable[[str], str]
) -> None:
    table = upload("badplatser")

    response = app_client.post(
        "/api/action/datastore_search", json={"resource_id": table, "filters": {"namn": "Ekudden"}}
    )

    assert response.json()["result"]["records"] == [
        {"_id": 3, "namn": "Ekudden", "djup": None, "oppnar": "2024-06-01"}
    ]


@ONE_BACKEND
@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"filters": '{"hojd": 1}'}, {"filters": ["hojd: the table has no column named 'hojd'"]}),
        ({"filters": '{"djup": "djupt"}'}, {"filters": ANY}),
        ({"filters": "[1]"}, {"filters": ["Must be a JSON object"]}),
        ({"sort": "namn sideways"}, {"sort": ["write 'namn sideways' as a column name and asc or desc"]}),
        ({"fields": "namn,hojd"}, {"fields": ANY}),
        ({"limit": "alla"}, {"limit": ["Invalid integer"]}),
        ({"records_format": "xml"}, {"records_format": ["must be one of objects, lists, csv, tsv"]}),
    ],
)
def test_datastore_search_refuses_bad_parameters_with_a_validation_error(
    app_client: TestClient,
    badplatser: Dataset,
    upload: Callable[[str], str],
    params: dict[str, Any],
    errors: dict[str, Any],
) -> None:
    table = upload("badplatser")

    assert call(app_client, "datastore_search", 409, resource_id=table, **params) == {
        "__type": "Validation Error",
        **errors,
    }


def test_datastore_search_of_a_resource_without_a_table_is_not_found(
    app_client: TestClient, catalog: dict[str, Dataset], session: Session
) -> None:
    link = make_link(session, "badplatser")

    assert call(app_client, "datastore_search", 404, resource_id=str(link.id))["__type"] == "Not Found Error"
    assert call(app_client, "datastore_search", 404, resource_id="x")["message"] == (
        'Not found: Resource "x" was not found.'
    )
    assert call(app_client, "datastore_search", 409) == {
        "__type": "Validation Error",
        "resource_id": ["Missing value"],
    }


def test_datastore_search_of_a_drafts_table_needs_its_editors_key(
    app_client: TestClient,
    catalog: dict[str, Dataset],
    upload: Callable[[str], str],
    editor_headers: dict[str, str],
) -> None:
    table = upload("planerade-cykelvagar")

    assert call(app_client, "datastore_search", 404, resource_id=table)["__type"] == "Not Found Error"
    assert call(app_client, "datastore_search", headers=editor_headers, resource_id=table)["total"] == 3


@ONE_BACKEND
def test_datastore_search_sql_reads_a_table_by_its_resource_id(
    app_client: TestClient, badplatser: Dataset, upload: Callable[[str], str]
) -> None:
    table = upload("badplatser")
    sql = f'SELECT namn, djup FROM "{table}" WHERE djup > 100'

    assert call(app_client, "datastore_search_sql", sql=sql) == {
        "sql": sql,
        "fields": [{"id": "namn", "type": "text"}, {"id": "djup", "type": "int8"}],
        "records": [{"namn": "Sandviken", "djup": 120}],
        "records_truncated": False,
    }


@ONE_BACKEND
def test_datastore_search_sql_refuses_what_the_sandbox_refuses(
    app_client: TestClient, badplatser: Dataset, upload: Callable[[str], str]
) -> None:
    table = upload("badplatser")

    assert call(app_client, "datastore_search_sql", 409, sql=f'DELETE FROM "{table}"') == {
        "__type": "Validation Error",
        "query": ["only SELECT queries can be run here, not DELETE"],
    }
    assert call(app_client, "datastore_search_sql", 409) == {
        "__type": "Validation Error",
        "sql": ["Missing value"],
    }


@ONE_BACKEND
def test_datastore_search_sql_does_not_read_a_drafts_table(
    app_client: TestClient, catalog: dict[str, Dataset], upload: Callable[[str], str]
) -> None:
    table = upload("planerade-cykelvagar")

    error = call(app_client, "datastore_search_sql", 409, sql=f'SELECT * FROM "{table}"')

    assert error["query"][0].startswith(f"there is no table named {table}")

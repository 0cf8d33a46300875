"""/api/v1/requests.atom and /api/v1/requests/{id}.atom: Atom feeds of what everyone may see of requests."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from datatorget.catalog.models import Organization
from datatorget.dialogue.models import RequestEvent
from tests.api.conftest import ASK, Headers, file

NS = {"atom": "http://www.w3.org/2005/Atom"}
ATOM = "{http://www.w3.org/2005/Atom}"


def feed(client: TestClient, path: str) -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml"
    return ET.fromstring(response.content)


def text(element: ET.Element, path: str) -> str:
    found = element.find(path, NS)
    assert found is not None, path
    return found.text or ""


def links(element: ET.Element) -> dict[str, str]:
    return {link.get("rel", ""): link.get("href", "") for link in element.findall("atom:link", NS)}


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall("atom:entry", NS)


def assert_valid_atom(root: ET.Element) -> None:
    """What RFC 4287 requires of a feed and its entries (an author is inherited from the feed)."""
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert text(root, f"atom:{name}")
    assert text(root, "atom:author/atom:name")
    assert set(links(root)) == {"self", "alternate"}
    for entry in entries(root):
        assert text(entry, "atom:id").startswith("urn:uuid:")
        assert entry.find("atom:title", NS) is not None
        datetime.fromisoformat(text(entry, "atom:updated"))
        assert links(entry)["alternate"].startswith("http://portal.test/dataforfragningar/")
        content = entry.find("atom:content", NS)
        assert content is not None and content.get("type") == "text"


def test_the_feed_has_the_newest_public_requests_as_entries(
    app_client: TestClient, member_headers: Headers, sjovik: Organization
) -> None:
    older = file(app_client, member_headers, title="Bygglov per år")
    newer = file(app_client, member_headers)
    app_client.post("/api/v1/requests", json=ASK | {"email": "cecilia@example.org", "title": "Ej bekräftad"})

    root = feed(app_client, "/api/v1/requests.atom")
    assert_valid_atom(root)
    assert links(root) == {
        "self": "http://portal.test/api/v1/requests.atom",
        "alternate": "http://portal.test/dataforfragningar",
    }
    assert [text(e, "atom:id") for e in entries(root)] == [f"urn:uuid:{newer}", f"urn:uuid:{older}"]
    first = entries(root)[0]
    assert text(first, "atom:title") == "Luftkvalitet per timme"
    assert links(first)["alternate"] == f"http://portal.test/dataforfragningar/{newer}"
    assert text(first, "atom:content").startswith("Sjöviks kommun · mottagen / received · 0 röster / votes")
    assert "Mätvärden från kommunens luftmätare" in text(first, "atom:content")
    assert text(root, "atom:updated") == text(first, "atom:updated")


def test_the_feed_takes_the_filters_of_the_list(
    app_client: TestClient, member_headers: Headers, editor_headers: Headers, sjovik: Organization,
    vatten: Organization,
) -> None:  # fmt: skip
    quiet = file(app_client, member_headers, title="Bygglov per år", theme="GOVE")
    water = file(app_client, member_headers, title="Vattenkvalitet", organization="sjovik-vatten")
    app_client.patch(f"/api/v1/requests/{quiet}", json={"state": "under_review"}, headers=editor_headers)

    def ids(path: str) -> list[str]:
        return [text(e, "atom:id") for e in entries(feed(app_client, path))]

    assert ids("/api/v1/requests.atom?state=under_review") == [f"urn:uuid:{quiet}"]
    assert ids("/api/v1/requests.atom?organization=sjovik-vatten") == [f"urn:uuid:{water}"]
    assert ids("/api/v1/requests.atom?theme=GOVE") == [f"urn:uuid:{quiet}"]
    root = feed(app_client, "/api/v1/requests.atom?state=under_review&organization=sjoviks-kommun")
    assert links(root)["self"] == (
        "http://portal.test/api/v1/requests.atom?state=under_review&organization=sjoviks-kommun"
    )
    assert text(root, "atom:id") == links(root)["self"]
    assert app_client.get("/api/v1/requests.atom?state=finished").status_code == 422
    assert app_client.get("/api/v1/requests.atom?organization=finns-inte").status_code == 404


def test_titles_and_texts_are_escaped(
    app_client: TestClient, member_headers: Headers, sjovik: Organization
) -> None:
    title = "Buller < 55 dB & <b>trafik</b>"
    request_id = file(app_client, member_headers, title=title, description="a < b && c > d")
    for path in ("/api/v1/requests.atom", f"/api/v1/requests/{request_id}.atom"):
        raw = app_client.get(path).text
        assert "Buller &lt; 55 dB &amp; &lt;b&gt;trafik&lt;/b&gt;" in raw
        assert "<b>" not in raw
    (entry,) = entries(feed(app_client, "/api/v1/requests.atom"))
    assert text(entry, "atom:title") == title
    assert text(entry, "atom:content").endswith("a < b && c > d")


def test_a_request_feed_has_its_timeline_newest_first(
    app_client: TestClient, member_headers: Headers, editor_headers: Headers, sjovik: Organization
) -> None:
    request_id = file(app_client, member_headers)
    app_client.post(
        f"/api/v1/requests/{request_id}/comments", json={"body": "Gärna CSV."}, headers=member_headers
    )
    app_client.patch(f"/api/v1/requests/{request_id}", headers=editor_headers,
                     json={"state": "planned", "expected_date": "2027-03-01", "answer": "I mars."})  # fmt: skip
    timeline = app_client.get(f"/api/v1/requests/{request_id}").json()["timeline"]

    root = feed(app_client, f"/api/v1/requests/{request_id}.atom")
    assert_valid_atom(root)
    assert text(root, "atom:title") == "Luftkvalitet per timme – Sjöviks kommun"
    assert links(root) == {
        "self": f"http://portal.test/api/v1/requests/{request_id}.atom",
        "alternate": f"http://portal.test/dataforfragningar/{request_id}",
    }
    assert [text(e, "atom:id") for e in entries(root)] == [f"urn:uuid:{e['id']}" for e in reversed(timeline)]
    state, comment, created = entries(root)
    assert text(state, "atom:title") == "Ändrad till planerad / Changed to planned"
    assert text(state, "atom:author/atom:name") == "Sjöviks kommun"
    assert text(state, "atom:content") == "Väntas / Expected: 2027-03-01\n\nI mars."
    assert text(comment, "atom:title") == "Kommentar av Anna / Comment by Anna"
    assert text(comment, "atom:content") == "Gärna CSV."
    assert text(created, "atom:title") == "Förfrågan skickad / Request filed"


def test_a_hidden_event_is_in_the_feed_without_its_text(
    app_client: TestClient, member_headers: Headers, session: Session, sjovik: Organization
) -> None:
    request_id = file(app_client, member_headers)
    app_client.post(
        f"/api/v1/requests/{request_id}/comments", json={"body": "Något olämpligt."}, headers=member_headers
    )
    session.execute(update(RequestEvent).where(RequestEvent.kind == "comment").values(hidden_reason="Spam"))
    session.commit()

    response = app_client.get(f"/api/v1/requests/{request_id}.atom")
    assert "Något olämpligt" not in response.text
    assert "Spam" not in response.text
    hidden = entries(ET.fromstring(response.content))[0]
    assert text(hidden, "atom:content") == "Dold av en moderator. / Hidden by a moderator."


def test_no_email_address_is_in_a_feed(
    app_client: TestClient, member_headers: Headers, sjovik: Organization
) -> None:
    request_id = file(app_client, member_headers)
    unnamed = app_client.post("/api/v1/requests", json=ASK | {"email": "cecilia@example.org"})
    assert unnamed.status_code == 201
    for path in ("/api/v1/requests.atom", f"/api/v1/requests/{request_id}.atom"):
        assert "@" not in app_client.get(path).text


def test_only_a_public_request_has_a_feed(app_client: TestClient, sjovik: Organization) -> None:
    unconfirmed = app_client.post("/api/v1/requests", json=ASK | {"email": "cecilia@example.org"}).json()[
        "id"
    ]
    assert app_client.get(f"/api/v1/requests/{unconfirmed}.atom").status_code == 404
    unknown = app_client.get("/api/v1/requests/00000000-0000-0000-0000-000000000000.atom")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"

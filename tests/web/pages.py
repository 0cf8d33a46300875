"""A person using the web UI through the test client, and ways to read what a page shows."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient
from httpx2 import Response

from datatorget.catalog.models import User

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_FORM_SHOWN = re.compile(r'name="form_shown" value="([^"]+)"')  # a public form's spam guard (web/spam.py)
_TAGS = re.compile(r"<[^>]+>")


def text_of(fragment: str) -> str:
    """The words of an HTML fragment, without tags, on one line."""
    return " ".join(unescape(_TAGS.sub(" ", fragment)).split())


def title_of(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    return text_of(found.group(1)) if found else ""


def h1_of(html: str) -> str:
    found = re.findall(r"<h1\b[^>]*>(.*?)</h1>", html, re.S)
    assert len(found) == 1, f"expected one h1, found {len(found)}"
    return text_of(found[0])


def dataset_titles(html: str) -> list[str]:
    """The titles in the dataset lists of a page (search results, newest datasets, an organisation's)."""
    return [
        text_of(t) for t in re.findall(r'<h3 class="dataset-card__title">\s*<a [^>]*>(.*?)</a>', html, re.S)
    ]


def field_error(html: str, field_id: str) -> str:
    """The error message shown next to a form field, or "" when there is none."""
    found = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return text_of(found.group(1)) if found else ""


def language_link(html: str) -> tuple[str, str, str, str]:
    """(href, lang, hreflang, text) of the link to the page in the other language."""
    found = re.search(
        r'<a class="language-link" href="([^"]*)" lang="(\w+)" hreflang="(\w+)">(.*?)</a>', html
    )
    assert found, "the page has no language link"
    href, lang, hreflang, text = found.groups()
    return unescape(href), lang, hreflang, text


class Pages:
    """Reads forms' CSRF tokens and logs in, as a browser would."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    @staticmethod
    def csrf_token(html: str) -> str:
        found = _CSRF.search(html)
        assert found, "the page has no form with a CSRF token"
        return found.group(1)

    def token_for(self, path: str) -> str:
        """The CSRF token of the forms on the page at `path` (which must show 200)."""
        response = self.client.get(path)
        assert response.status_code == 200, response.text
        return self.csrf_token(response.text)

    def log_in(self, user: User, lang: str = "sv") -> None:
        path = "/logga-in" if lang == "sv" else "/en/login"
        data = {"email": user.email, "password": PASSWORD, "csrf_token": self.token_for(path)}
        response = self.client.post(path, data=data, follow_redirects=False)
        assert response.status_code == 303, response.text

    def hidden_fields(self, path: str) -> dict[str, str]:
        """The hidden fields a browser sends with the form on the page at `path` (which must show 200): the
        CSRF token, and on a public form the signed moment it was shown."""
        response = self.client.get(path)
        assert response.status_code == 200, response.text
        fields = {"csrf_token": self.csrf_token(response.text)}
        if shown := _FORM_SHOWN.search(response.text):
            fields["form_shown"] = shown.group(1)
        return fields

    def submit(self, path: str, data: dict[str, str | list[str]]) -> Response:
        """Send the form on the page at `path` with these fields and the page's hidden ones."""
        fields = {**self.hidden_fields(path), **data}
        return self.client.post(path, data=fields, follow_redirects=False)

"""Descriptions are Markdown rendered safely: no script, event handler, raw HTML or javascript: link."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from datatorget.web.markdown import plain_text, render_markdown

SAFE_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
}


class Elements(HTMLParser):
    """Every element and attribute of an HTML fragment, as a browser would see them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def test_markdown_becomes_html() -> None:
    html = render_markdown("Data om **badplatser**:\n\n* Sandviken\n* Badholmen")

    assert (
        html
        == "<p>Data om <strong>badplatser</strong>:</p>\n<ul>\n<li>Sandviken</li>\n<li>Badholmen</li>\n</ul>\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Hej <img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">klicka</a>',
        "[klicka](javascript:alert(1))",
        "[klicka](JaVaScRiPt:alert(1))",
        "[klicka](vbscript:msgbox(1))",
        "[klicka](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![bild](javascript:alert(1))",
        '<iframe src="https://evil.example"></iframe>',
        "<svg onload=alert(1)>",
    ],
)
def test_scripts_and_raw_html_never_get_through(text: str) -> None:
    elements = Elements(render_markdown(text)).found

    assert {tag for tag, _ in elements} <= SAFE_TAGS
    assert not [name for _, attrs in elements for name in attrs if name.startswith("on")]
    assert all(
        (attrs.get("href") or "https:").startswith(("https:", "http:", "mailto:")) for _, attrs in elements
    )


def test_raw_html_is_shown_as_text() -> None:
    assert render_markdown("<b>fet</b>") == "<p>&lt;b&gt;fet&lt;/b&gt;</p>\n"


def test_links_get_nofollow_noopener() -> None:
    html = render_markdown("[Sjövik](https://www.sjovik.example)")

    assert html == '<p><a href="https://www.sjovik.example" rel="nofollow noopener">Sjövik</a></p>\n'


def test_headings_sit_below_the_pages_own() -> None:
    assert render_markdown("# Om data\n\n## Källor") == "<h3>Om data</h3>\n<h4>Källor</h4>\n"


def test_images_become_links_named_by_their_alt_text() -> None:
    html = render_markdown("![Karta över badplatser](https://www.sjovik.example/karta.png)")

    assert html == (
        '<p><a href="https://www.sjovik.example/karta.png" rel="nofollow noopener">Karta över badplatser</a></p>\n'
    )


def test_plain_text_drops_markup_and_cuts_at_a_word() -> None:
    text = plain_text("# Rubrik\n\nEn **lång** text " + "med många ord " * 30, max_length=40)

    assert text == "Rubrik En lång text med många ord med…"

"""Descriptions are Markdown written by publishers: rendered to HTML without raw HTML, then sanitised.

markdown-it-py (CommonMark, `html` off) turns raw HTML into text; nh3 then keeps only the tags and
attributes below and only http, https and mailto links, so neither a script nor an event handler nor a
`javascript:` link can reach the page even if one got past the input checks. Headings move down two
levels, so that a description's `#` sits below the page's h1 and the section's h2; images become links to
the image (named by their alt text), so that a description loads nothing from other sites.
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

HEADING_SHIFT = 2
ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "h5", "h6",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener"

_parser = MarkdownIt("commonmark", {"html": False})


def _image_as_link(image: Token) -> list[Token]:
    alt = image.content or str(image.attrs.get("src", ""))
    return [
        Token("link_open", "a", 1, attrs={"href": image.attrs.get("src", "")}),
        Token("text", "", 0, content=alt),
        Token("link_close", "a", -1),
    ]


def _adjust(tokens: list[Token]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"
        if token.children:
            token.children = [
                replacement
                for child in token.children
                for replacement in (_image_as_link(child) if child.type == "image" else [child])
            ]


def render_markdown(text: str) -> Markup:
    """Safe HTML for a Markdown text."""
    tokens = _parser.parse(text)
    _adjust(tokens)
    unsafe = _parser.renderer.render(tokens, _parser.options, {})
    cleaned = nh3.clean(
        unsafe,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )
    return Markup(cleaned)


def plain_text(text: str, max_length: int = 220) -> str:
    """A Markdown text as one line of plain text, cut at a word near `max_length`, for result lists."""
    rendered = nh3.clean(str(render_markdown(text)), tags=set())
    flat = re.sub(r"\s+", " ", html.unescape(rendered)).strip()
    if len(flat) <= max_length:
        return flat
    return flat[:max_length].rsplit(" ", 1)[0].rstrip(",.;:") + "…"

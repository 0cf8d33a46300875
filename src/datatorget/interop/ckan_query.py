"""CKAN's Solr-style `q` and `fq` parameters, parsed into a small tree. No SQL here (see ckan_search.py).

The grammar is a strict subset of Solr's standard query syntax:

    query   := and_expr
    and_expr := or_expr ( ["AND" | "&&"] or_expr )*        juxtaposition is AND
    or_expr := unary ( ("OR" | "||") unary )*              OR binds tighter than AND
    unary   := ("-" | "!" | "NOT") unary | "+" unary | atom
    atom    := "(" query ")" | "*:*" | field ":" value | field ":" "(" query ")" | field ":" range | word
    value   := word | "quoted phrase" | "*"
    range   := ("[" | "{") bound "TO" bound ("]" | "}")     bound: an ISO 8601 date or datetime, NOW or *

`organization:a OR organization:b -organization:c` is therefore `(a OR b) AND NOT c`, the reading the CKAN
harvester means when it joins its filters with spaces. A word without a field is free text. Anything
outside this grammar, an unknown field, a wildcard inside a word or a query past the limits raises
SearchQueryError, which the CKAN API answers as CKAN does: 409 "Search Query Error".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from datatorget.errors import DatatorgetError

MAX_QUERY_LENGTH = 2_000
MAX_TERMS = 100
MAX_DEPTH = 20

# The fields a query may name, and what they hold: "text" fields take words, "time" fields ranges.
TEXT_FIELDS = frozenset(
    {"organization", "owner_org", "tags", "groups", "res_format", "license_id", "name", "id", "type",
     "dataset_type", "capacity", "text"}
)  # fmt: skip
TIME_FIELDS = frozenset({"metadata_modified", "metadata_created"})
FIELDS = TEXT_FIELDS | TIME_FIELDS
FREE_TEXT = ""  # the field of a word given without one (and of `text:`)


class SearchQueryError(DatatorgetError):
    """A `q`, `fq` or `sort` this portal cannot translate; CKAN's "Search Query Error" (409)."""

    status = 409


@dataclass(frozen=True)
class Everything:
    """`*:*`, or an empty query: every dataset."""


@dataclass(frozen=True)
class Term:
    """`field:value`; `value` "*" means "has any value". The field is FREE_TEXT for plain words."""

    field: str
    value: str


@dataclass(frozen=True)
class Range:
    """`field:[low TO high]` on a time field; None is an open end (`*`)."""

    field: str
    low: datetime | None
    high: datetime | None
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Everything | Term | Range | Not | And | Or


# --- tokens --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "phrase", "range", "(", ")", "and", "or", "not", "must"
    text: str


OPERATORS = {"AND": "and", "&&": "and", "OR": "or", "||": "or", "NOT": "not"}
SPECIAL = set('()"[]{}')


def tokenize(text: str) -> list[Token]:
    """The tokens of a query. A word may hold `field:`; backslash escapes the next character."""
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchQueryError(
            f"the query is {len(text)} characters long; at most {MAX_QUERY_LENGTH} are allowed"
        )
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char.isspace():
            position += 1
        elif char in "()":
            tokens.append(Token(char, char))
            position += 1
        elif char == '"':
            end, phrase = _phrase(text, position)
            tokens.append(Token("phrase", phrase))
            position = end
        elif char in "[{":
            end = text.find("]" if char == "[" else "}", position)
            other = text.find("}" if char == "[" else "]", position)
            if other != -1 and (end == -1 or other < end):
                end = other
            if end == -1:
                raise SearchQueryError(f"the range at position {position + 1} is not closed with ] or }}")
            tokens.append(Token("range", text[position : end + 1]))
            position = end + 1
        elif char in "-!+" and (position + 1 < len(text) and not text[position + 1].isspace()):
            tokens.append(Token("must" if char == "+" else "not", char))
            position += 1
        else:
            end, word = _word(text, position)
            kind = OPERATORS.get(word) if word in OPERATORS and text[position:end] == word else None
            tokens.append(Token(kind or "word", word))
            position = end
    return tokens


def _phrase(text: str, start: int) -> tuple[int, str]:
    chars: list[str] = []
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == "\\" and position + 1 < len(text):
            chars.append(text[position + 1])
            position += 2
        elif char == '"':
            return position + 1, "".join(chars)
        else:
            chars.append(char)
            position += 1
    raise SearchQueryError(f"the quotation mark at position {start + 1} is not closed")


def _word(text: str, start: int) -> tuple[int, str]:
    """A word up to whitespace or a special character; `field:` ends a word so that a value may follow."""
    chars: list[str] = []
    position = start
    while position < len(text):
        char = text[position]
        if char == "\\" and position + 1 < len(text):
            chars.append("\\" + text[position + 1])  # kept escaped until the field is split off
            position += 2
            continue
        if char.isspace() or char in SPECIAL:
            break
        chars.append(char)
        position += 1
        if char == ":" and "".join(chars) != "*:":
            break
    return position, "".join(chars)


def _unescape(word: str) -> str:
    out: list[str] = []
    escaped = False
    for char in word:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    return "".join(out)


# --- the parser ----------------------------------------------------------------------------------------


def parse_query(text: str) -> Node:
    """The tree of a `q` or `fq`; Everything when it is empty. SearchQueryError when it cannot be read."""
    parser = _Parser(tokenize(text))
    if not parser.tokens:
        return Everything()
    node = parser.and_expr(FREE_TEXT, depth=0)
    if parser.peek() is not None:
        token = parser.peek()
        assert token is not None
        raise SearchQueryError(f"unexpected '{token.text}' in the query")
    return node


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.position = 0
        self.terms = 0

    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise SearchQueryError("the query ends too early")
        self.position += 1
        return token

    def and_expr(self, field: str, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise SearchQueryError(f"the query is nested more than {MAX_DEPTH} levels deep")
        children = [self.or_expr(field, depth)]
        while (token := self.peek()) is not None and token.kind != ")":
            if token.kind == "and":
                self.take()
            children.append(self.or_expr(field, depth))
        return children[0] if len(children) == 1 else And(tuple(children))

    def or_expr(self, field: str, depth: int) -> Node:
        children = [self.unary(field, depth)]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            children.append(self.unary(field, depth))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def unary(self, field: str, depth: int) -> Node:
        token = self.peek()
        if token is not None and token.kind == "not":
            self.take()
            return Not(self.unary(field, depth + 1))
        if token is not None and token.kind == "must":
            self.take()
            return self.unary(field, depth + 1)
        return self.atom(field, depth)

    def atom(self, field: str, depth: int) -> Node:
        token = self.take()
        if token.kind == "(":
            node = self.and_expr(field, depth + 1)
            if self.take().kind != ")":
                raise SearchQueryError("a parenthesis is not closed")
            return node
        if token.kind == "phrase":
            return self.term(field, token.text)
        if token.kind == "range":
            return self.range(field, token.text)
        if token.kind != "word":
            raise SearchQueryError(f"unexpected '{token.text}' in the query")
        if token.text in ("*:*", "*"):
            if token.text == "*" and field != FREE_TEXT:
                return self.term(field, "*")
            return Everything()
        if token.text.endswith(":") and not token.text.endswith("\\:"):
            if field != FREE_TEXT:
                raise SearchQueryError(f"'{token.text}' cannot follow the field {field}:")
            named = _field(token.text[:-1])
            following = self.peek()
            if following is None or following.kind in (")", "and", "or"):
                raise SearchQueryError(f"the field {named or 'text'}: has no value")
            if following.kind == "not":
                raise SearchQueryError(f"write -{named}:value rather than {named}:-value")
            return self.atom(named, depth + 1)
        return self.term(field, _unescape(token.text))

    def term(self, field: str, value: str) -> Term:
        if field in TIME_FIELDS:
            raise SearchQueryError(
                f"search {field} with a range, such as {field}:[2024-01-01T00:00:00Z TO *]"
            )
        if field != FREE_TEXT and value != "*" and ("*" in value or "?" in value):
            raise SearchQueryError(f"wildcards are not supported in values: {field}:{value}")
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise SearchQueryError(f"the query has more than {MAX_TERMS} terms")
        return Term(field, value)

    def range(self, field: str, text: str) -> Range:
        if field not in TIME_FIELDS:
            named = field or "text"
            raise SearchQueryError(
                f"ranges are only supported on {' and '.join(sorted(TIME_FIELDS))}, not {named}"
            )
        inside = text[1:-1].split()
        if len(inside) != 3 or inside[1] != "TO":
            raise SearchQueryError(f"write a range as [from TO to], not {text}")
        self.terms += 1
        return Range(field, _bound(inside[0]), _bound(inside[2]), text[0] == "[", text[-1] == "]")


def _field(name: str) -> str:
    if name == "text":
        return FREE_TEXT
    if name not in FIELDS:
        known = ", ".join(sorted(FIELDS))
        raise SearchQueryError(f"cannot search the field '{name}'; the fields are {known}")
    return name


def _bound(text: str) -> datetime | None:
    """A range's end: None for *, now for NOW, else an ISO 8601 date or datetime (UTC when no zone)."""
    if text == "*":
        return None
    if text == "NOW":
        return datetime.now(UTC)
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise SearchQueryError(f"'{text}' is not a date or time such as 2024-01-31T00:00:00Z") from None
        found = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def positive_words(node: Node) -> list[str]:
    """The free-text words a match must contain (not those under NOT or OR): what ranks the results."""
    if isinstance(node, Term) and node.field == FREE_TEXT:
        return [node.value]
    if isinstance(node, And):
        return [word for child in node.children for word in positive_words(child)]
    return []

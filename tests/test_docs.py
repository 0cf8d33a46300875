"""The docs cannot rot: they are checked against the code they describe.

- The operator guide's configuration table lists every setting, with its default, and nothing else.
- The operator guide's command reference has a section for every command, listing every option; every
  `datatorget ...` command line anywhere in the docs names a real command and real options.
- Every relative link in docs/ and README.md points at an existing file, and every `#anchor` at a heading.
- The API guide names every operation of the OpenAPI description as `METHOD /api/v1/path`, and names no
  operation that does not exist.
- The API guide's curl examples run, in order, against a portal with the demo municipality, and each gives
  the response printed below it.

Writing an example for the API guide: put one `curl` command in a `sh` block, with `$TOKEN` (an editor of
Sjöviks kommun) or `$ADMIN_TOKEN`, and the answer in the `http` block right after it: the status line, the
headers worth showing, an empty line, the body. The body may be shortened: leave out keys, end a list early,
cut a text off with "…". Times and token secrets may differ from the real ones; an id may differ too, but
it must stand for the same thing everywhere in the guide. A file a `-F "file=@name"` upload sends is made
earlier in the guide with `cat > name <<'EOF'`.
"""

from __future__ import annotations

import json
import re
import shlex
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import click
import httpx2
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from datatorget.api.app import create_api
from datatorget.app import create_app
from datatorget.catalog import accounts
from datatorget.catalog.vocabulary import VOCABULARY_NAMES
from datatorget.cli import cli
from datatorget.config import Settings
from datatorget.demo.load import load_demo
from datatorget.jobs.ingestion import start_missing_tables
from datatorget.jobs.worker import run_pending

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
OPERATOR_GUIDE = DOCS / "operator" / "README.md"
API_GUIDE = DOCS / "user" / "api.md"
ENV_PREFIX = "DATATORGET_"
API_PREFIX = "/api/v1"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# The portal the API guide's examples talk to, and the people whose tokens they use.
EXAMPLE_BASE_URL = "http://127.0.0.1:8000"
EXAMPLE_EDITOR = "anna.berg@sjovik.example"
EXAMPLE_ADMIN = "it@sjovik.example"


# --- reading Markdown ----------------------------------------------------------------------------------

FENCE = re.compile(r"^[ \t]*```([\w+-]*)[^\n]*\n(.*?)^[ \t]*```[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`+[^`\n]*`+")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    """A fenced code block: its info string, its text, and the line it starts on."""

    info: str
    text: str
    line: int


def markdown_files() -> list[Path]:
    return [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"]


def blocks(markdown: str) -> list[Block]:
    return [
        Block(m.group(1), m.group(2), markdown.count("\n", 0, m.start()) + 1)
        for m in FENCE.finditer(markdown)
    ]


def masked(markdown: str) -> str:
    """The text with every fenced block blanked out, keeping every position (so a `#` in code is no heading)."""
    return FENCE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), markdown)


def without_code(markdown: str) -> str:
    """The text without fenced blocks and inline code: what a reader sees as prose, links and headings."""
    return INLINE_CODE.sub("", masked(markdown))


def headings(markdown: str) -> list[tuple[int, str]]:
    return [(len(m.group(1)), m.group(2)) for m in HEADING.finditer(masked(markdown))]


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    found: set[str] = set()
    for _level, text in headings(markdown):
        base, n = anchor(text), 0
        candidate = base
        while candidate in found:
            n += 1
            candidate = f"{base}-{n}"
        found.add(candidate)
    return found


def section(markdown: str, title: str) -> str:
    """The text under the heading `title`, up to the next heading of the same or a higher level."""
    hidden = masked(markdown)
    for match in HEADING.finditer(hidden):
        if match.group(2) == title:
            level = len(match.group(1))
            for following in HEADING.finditer(hidden, match.end()):
                if len(following.group(1)) <= level:
                    return markdown[match.end() : following.start()]
            return markdown[match.end() :]
    raise AssertionError(f"no heading {title!r}")


def relative_links(markdown: str) -> list[str]:
    text = without_code(markdown)
    targets = [m.group(1) for m in LINK.finditer(text)] + [m.group(1) for m in REFERENCE.finditer(text)]
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t, re.IGNORECASE)]


# --- settings ------------------------------------------------------------------------------------------


def setting_variables() -> dict[str, str]:
    """Each setting's environment variable and its default as the docs show it ('' for empty)."""
    defaults: dict[str, str] = {}
    for name, info in Settings.model_fields.items():
        default = info.default
        if isinstance(default, SecretStr):
            default = default.get_secret_value()
        defaults[ENV_PREFIX + name.upper()] = str(default)
    return defaults


def configuration_table() -> dict[str, str]:
    """The rows of the operator guide's configuration table: variable -> default cell."""
    rows: dict[str, str] = {}
    for line in section(OPERATOR_GUIDE.read_text(encoding="utf-8"), "Configuration").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith(f"`{ENV_PREFIX}"):
            rows[cells[0].strip("`")] = cells[1]
    return rows


def test_the_configuration_table_lists_every_setting_and_nothing_else() -> None:
    assert sorted(configuration_table()) == sorted(setting_variables())


def test_the_configuration_table_gives_each_default() -> None:
    table = configuration_table()
    for variable, default in setting_variables().items():
        expected = f"`{default}`" if default else "empty"
        assert table.get(variable) == expected, variable


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_variable_the_docs_name_is_a_setting(path: Path) -> None:
    named = set(re.findall(rf"\b{ENV_PREFIX}[A-Z][A-Z0-9_]*", path.read_text(encoding="utf-8")))
    assert named - set(setting_variables()) == set()


# --- the command line ----------------------------------------------------------------------------------


def commands(command: click.Command = cli, path: str = "datatorget") -> Iterator[tuple[str, click.Command]]:
    """Every command and group under the `datatorget` group, by its full name."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from commands(sub, f"{path} {name}")


def long_options(command: click.Command) -> set[str]:
    names = {"--help"}
    for param in command.params:
        if isinstance(param, click.Option):
            names |= {opt for opt in [*param.opts, *param.secondary_opts] if opt.startswith("--")}
    return names


@pytest.mark.parametrize(("name", "command"), list(commands()), ids=lambda value: str(value))
def test_the_command_reference_has_a_section_with_every_option(name: str, command: click.Command) -> None:
    text = section(OPERATOR_GUIDE.read_text(encoding="utf-8"), f"`{name}`")
    missing = [opt for opt in sorted(long_options(command) - {"--help"}) if f"`{opt}" not in text]
    assert missing == []


def test_the_command_reference_has_no_section_for_a_command_that_does_not_exist() -> None:
    known = {name for name, _command in commands()}
    documented = {
        text.strip("`")
        for _level, text in headings(OPERATOR_GUIDE.read_text(encoding="utf-8"))
        if text.startswith("`datatorget")
    }
    assert documented - known == set()


INVOCATION = re.compile(r"(?:^|`|\$\(|/bin/)datatorget((?: [a-z][a-z-]*)+)(.*)$", re.MULTILINE)


def command_lines(markdown: str) -> Iterator[str]:
    """Every `datatorget ...` command line in the text, with continued lines joined."""
    joined = markdown.replace("\\\n", " ")
    for match in INVOCATION.finditer(joined):
        yield "datatorget" + match.group(1) + match.group(2)


def resolve(line: str) -> tuple[click.Command, str]:
    """The command a command line runs, and what follows its name; AssertionError for no command."""
    words = line.split()[1:]
    command: click.Command = cli
    used = 0
    while isinstance(command, click.Group) and used < len(words) and words[used] in command.commands:
        command = command.commands[words[used]]
        used += 1
    if isinstance(command, click.Group) and used < len(words) and re.fullmatch(r"[a-z][a-z-]*", words[used]):
        raise AssertionError(f"{line!r}: {words[used]!r} is not a command")
    return command, " ".join(words[used:])


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_command_line_in_the_docs_uses_real_commands_and_options(path: Path) -> None:
    for line in command_lines(path.read_text(encoding="utf-8")):
        command, rest = resolve(line)
        rest = re.split(r"[|;`')]|&&", rest)[0]
        unknown = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest)) - long_options(command)
        assert unknown == set(), line


# --- links ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_at_an_existing_file(path: Path) -> None:
    missing = []
    for target in relative_links(path.read_text(encoding="utf-8")):
        file_part = target.split("#", 1)[0]
        if file_part and not (path.parent / file_part).exists():
            missing.append(target)
    assert missing == []


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_to_a_heading_finds_it(path: Path) -> None:
    broken = []
    for target in relative_links(path.read_text(encoding="utf-8")):
        file_part, _, fragment = target.partition("#")
        linked = (path.parent / file_part) if file_part else path
        is_markdown = linked.suffix == ".md" and linked.is_file()
        if fragment and is_markdown and fragment not in anchors(linked.read_text(encoding="utf-8")):
            broken.append(target)
    assert broken == []


# --- the API guide -------------------------------------------------------------------------------------


def api_operations() -> set[str]:
    """Every operation of the API's OpenAPI description, as `METHOD /api/v1/path`."""
    paths: dict[str, dict[str, Any]] = create_api().openapi()["paths"]
    return {
        f"{method.upper()} {API_PREFIX}{path}"
        for path, operations in paths.items()
        for method in operations
        if method.upper() in METHODS
    }


def test_the_api_guide_names_every_operation() -> None:
    text = API_GUIDE.read_text(encoding="utf-8")
    assert sorted(op for op in api_operations() if op not in text) == []


def operation_pattern(operation: str) -> tuple[str, re.Pattern[str]]:
    """The method of an operation, and a pattern for its path: `{name}` or a value where a parameter goes."""
    method, path = operation.split(" ", 1)
    parts = re.split(r"(\{\w+\})", path)
    return method, re.compile(
        "".join(r"(?:\{\w+\}|[^/\s?#`]+)" if re.fullmatch(r"\{\w+\}", p) else re.escape(p) for p in parts)
    )


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_operation_the_docs_name_exists(path: Path) -> None:
    operations = [operation_pattern(op) for op in api_operations()]
    named = re.findall(
        rf"\b({'|'.join(METHODS)}) ({API_PREFIX}/[^\s?#`)*,]*)", path.read_text(encoding="utf-8")
    )
    unknown = [
        f"{method} {target}"
        for method, target in named
        if not any(m == method and pattern.fullmatch(target.rstrip(".")) for m, pattern in operations)
    ]
    assert unknown == []


def test_the_api_guide_lists_every_vocabulary_and_nothing_else() -> None:
    rows = re.findall(
        r"^\| `(\w+)` \|", section(API_GUIDE.read_text(encoding="utf-8"), "Vocabularies"), re.MULTILINE
    )
    assert sorted(rows) == sorted(VOCABULARY_NAMES)


# --- running the API guide's examples ------------------------------------------------------------------

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
HEREDOC = re.compile(r"^cat > (\S+) <<'EOF'\n(.*?)^EOF$", re.MULTILINE | re.DOTALL)


@dataclass
class Request:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # form field -> file name


@dataclass
class Expected:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Example:
    line: int
    request: Request
    expected: Expected


def parse_curl(command: str) -> Request:
    words = shlex.split(command.replace("\\\n", " "), posix=True)
    assert words[0] == "curl", command
    request = Request(method="", url="")
    query: list[tuple[str, str]] = []
    i = 1
    while i < len(words):
        word = words[i]
        if word in ("-X", "--request"):
            request.method, i = words[i + 1], i + 1
        elif word in ("-H", "--header"):
            name, _, value = words[i + 1].partition(":")
            request.headers[name.strip()] = value.strip()
            i += 1
        elif word in ("-d", "--data", "--data-binary"):
            request.body, i = words[i + 1], i + 1
        elif word == "-G":
            request.method = "GET"
        elif word == "--data-urlencode":  # with -G: a query parameter, encoded
            name, _, value = words[i + 1].partition("=")
            query.append((name, value))
            i += 1
        elif word in ("-F", "--form"):
            name, _, value = words[i + 1].partition("=")
            if value.startswith("@"):
                request.files[name] = value[1:]
            else:
                request.form[name] = value
            i += 1
        elif word.startswith("http"):
            request.url = word
        elif not word.startswith("-"):
            raise AssertionError(f"unexpected word {word!r} in {command!r}")
        i += 1
    if not request.method:
        request.method = "POST" if request.body is not None or request.files else "GET"
    if query:
        request.url += ("&" if "?" in request.url else "?") + urlencode(query, quote_via=quote)
    return request


def parse_response(text: str) -> Expected:
    head, _, body = text.partition("\n\n")
    lines = head.splitlines()
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Expected(status, headers, body.strip())


def api_guide_examples(markdown: str) -> tuple[list[Example], dict[str, str]]:
    """The curl examples of the guide with the responses shown below them, and the files they upload."""
    found: list[Example] = []
    files: dict[str, str] = {}
    fenced = blocks(markdown)
    for i, block in enumerate(fenced):
        if block.info != "sh":
            continue
        files |= dict(HEREDOC.findall(block.text))
        if not block.text.lstrip().startswith("curl "):
            continue
        after = fenced[i + 1] if i + 1 < len(fenced) else None
        assert after is not None and after.info == "http", f"line {block.line}: no response shown below"
        found.append(Example(block.line, parse_curl(block.text.strip()), parse_response(after.text)))
    return found, files


class Replay:
    """Sends the examples and compares the answers, pairing the ids shown with the ids the portal gave."""

    def __init__(self, client: TestClient, tokens: dict[str, str], files: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens
        self.files = files
        self.ids: dict[str, str] = {}

    def substitute(self, text: str) -> str:
        for name, value in self.tokens.items():
            text = text.replace(f"${name}", value)

        def known(match: re.Match[str]) -> str:
            assert match.group(0) in self.ids, f"{match.group(0)} was not in an earlier response"
            return self.ids[match.group(0)]

        return UUID.sub(known, text)

    def send(self, request: Request) -> httpx2.Response:
        run_pending(self.client.app.state.job_context)  # type: ignore[attr-defined]
        url = urlsplit(self.substitute(request.url))
        assert f"{url.scheme}://{url.netloc}" == EXAMPLE_BASE_URL, request.url
        target = url.path + (f"?{url.query}" if url.query else "")
        headers = {name: self.substitute(value) for name, value in request.headers.items()}
        if request.files:
            uploads = {
                name: (file_name, self.files[file_name].encode(), "application/octet-stream")
                for name, file_name in request.files.items()
            }
            return self.client.request(
                request.method, target, headers=headers, data=request.form, files=uploads
            )
        content = self.substitute(request.body).encode() if request.body is not None else None
        return self.client.request(request.method, target, headers=headers, content=content)

    def compare_text(self, shown: str, actual: str, where: str) -> None:
        shown_ids, actual_ids = UUID.findall(shown), UUID.findall(actual)
        if len(shown_ids) == len(actual_ids):
            for documented, real in zip(shown_ids, actual_ids, strict=True):
                assert self.ids.setdefault(documented, real) == real, f"{where}: {documented} is another id"
                shown = shown.replace(documented, real)
        if shown.endswith("…"):
            assert actual.startswith(shown[:-1]), f"{where}: {actual!r} does not start with {shown[:-1]!r}"
        elif TIMESTAMP.fullmatch(shown):
            assert TIMESTAMP.fullmatch(actual), f"{where}: {actual!r} is not a timestamp"
        elif shown.startswith(accounts.TOKEN_PREFIX):
            assert actual.startswith(accounts.TOKEN_PREFIX), f"{where}: {actual!r} is not a token"
        else:
            assert actual == shown, f"{where}: {actual!r} != {shown!r}"

    def compare(self, shown: Any, actual: Any, where: str) -> None:
        """`shown` is `actual` shortened: fewer keys, a prefix of each list, texts cut off with '…'."""
        if isinstance(shown, dict):
            assert isinstance(actual, dict), f"{where}: {actual!r} is not an object"
            for key, value in shown.items():
                assert key in actual, f"{where}: no {key!r} in {sorted(actual)}"
                self.compare(value, actual[key], f"{where}.{key}")
        elif isinstance(shown, list):
            assert isinstance(actual, list) and len(actual) >= len(shown), f"{where}: {actual!r}"
            for i, (item, real) in enumerate(zip(shown, actual, strict=False)):
                self.compare(item, real, f"{where}[{i}]")
        elif isinstance(shown, str) and isinstance(actual, str):
            self.compare_text(shown, actual, where)
        else:
            assert actual == shown, f"{where}: {actual!r} != {shown!r}"

    def check(self, example: Example) -> None:
        where = f"{API_GUIDE.name}, line {example.line}"
        response = self.send(example.request)
        assert response.status_code == example.expected.status, (
            f"{where}: {response.status_code} {response.text}"
        )
        for name, value in example.expected.headers.items():
            self.compare_text(value, response.headers.get(name, ""), f"{where}, header {name}")
        if not example.expected.body:
            return
        if "json" in response.headers.get("content-type", ""):
            self.compare(json.loads(example.expected.body), response.json(), f"{where}: body")
        else:
            text = response.text.replace("\r\n", "\n").strip()  # CSV lines end in CRLF (RFC 4180)
            self.compare_text(example.expected.body, text, f"{where}: body")


@pytest.fixture
def example_portal(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The portal of the API guide: the demo municipality, an editor of Sjöviks kommun and an admin."""
    settings = Settings(
        data_dir=tmp_path / "data", base_url=EXAMPLE_BASE_URL, secret_key=SecretStr("docs"), job_workers=0
    )
    app = create_app(settings)
    with app.state.writing_sessionmaker.begin() as session:
        load_demo(session, settings)
        start_missing_tables(session, accounts.system_user(session))
        editor = accounts.create_user(
            session, email=EXAMPLE_EDITOR, password=uuid.uuid4().hex, role="editor", organization_slug="sjovik",
            by=None,
        )  # fmt: skip
        admin = accounts.create_user(
            session, email=EXAMPLE_ADMIN, password=uuid.uuid4().hex, role="admin", organization_slug=None,
            by=None,
        )  # fmt: skip
        tokens = {
            "TOKEN": accounts.create_token(session, editor, name="cli")[1],
            "ADMIN_TOKEN": accounts.create_token(session, admin, name="cli")[1],
        }
    with TestClient(app, base_url=EXAMPLE_BASE_URL) as client:
        yield client, tokens


def test_the_api_guide_examples_give_the_responses_shown(
    example_portal: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = example_portal
    examples, files = api_guide_examples(API_GUIDE.read_text(encoding="utf-8"))
    assert examples, "the API guide has no curl examples"
    replay = Replay(client, tokens, files)
    for example in examples:
        replay.check(example)

"""The Swedish and English words of the web UI: the same keys, and every key the pages use exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from datatorget.web import i18n
from datatorget.web.i18n import Translator, lang_of_path, messages

WEB = Path(i18n.__file__).parent
# t("group.key"), t('group.key') and t.plural("group.key", ...) with a whole literal key
_LITERAL_KEY = re.compile(r"""\bt(?:\.plural)?\(\s*["']([a-z0-9_]+\.[a-z0-9_.]*[a-z0-9_])["']\s*[,)]""")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_swedish_and_english_have_the_same_keys() -> None:
    assert set(messages("sv")) == set(messages("en"))


def test_both_languages_fill_in_the_same_blanks() -> None:
    for key, swedish in messages("sv").items():
        assert _fields(swedish) == _fields(messages("en")[key]), key


def test_every_key_the_templates_and_handlers_use_exists() -> None:
    sources = [*WEB.glob("templates/**/*.html"), *WEB.glob("**/*.py")]
    used = {key for path in sources for key in _LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    plural_bases = {key.rsplit(".", 1)[0] for key in messages("sv") if key.endswith((".one", ".other"))}

    assert used, "no keys found: has the pattern gone stale?"
    assert used - set(messages("sv")) - plural_bases == set()


def test_a_plural_picks_one_or_other() -> None:
    t = Translator("sv")

    assert t.plural("count.datasets", 1) == "1 datamängd"
    assert t.plural("count.datasets", 3) == "3 datamängder"


def test_the_language_comes_from_the_path() -> None:
    assert [lang_of_path(p) for p in ("/", "/en", "/en/", "/en/datasets", "/english", "/datamangder")] == [
        "sv", "en", "en", "en", "sv", "sv",
    ]  # fmt: skip

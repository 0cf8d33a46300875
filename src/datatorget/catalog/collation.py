"""Swedish alphabetical order as a plain string key, so that SQLite and PostgreSQL sort alike.

Swedish puts å, ä and ö after z (and sorts æ as ä, ø as ö, ü as y). The key lower-cases the text, drops
other accents, and maps å, ä, ö to the three characters that follow z in code-point order, so an ordinary
binary comparison (SQLite's default, PostgreSQL's "C" collation) gives the Swedish order.
"""

from __future__ import annotations

import unicodedata

_AFTER_Z = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y"})
KEY_LENGTH = 400


def swedish_sort_key(text: str) -> str:
    lowered = unicodedata.normalize("NFC", text).casefold().strip().translate(_AFTER_Z)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))[:KEY_LENGTH]

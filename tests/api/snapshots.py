"""Everything the portal has stored, read back in one comparable value."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import Engine, inspect

StoredState = dict[str, list[str]]
# Reading with a token notes when it was last used; that is not a change to the catalog.
NOT_COMPARED = {("api_token", "last_used_at")}


def stored_state(engine: Engine, files_dir: Path) -> StoredState:
    """Every row of every table in the database (search index included) and every file in the data dir.

    Tables are found in the database itself, not in the models, so that a table added later is compared too.
    """
    state: StoredState = {}
    with engine.connect() as connection:
        for name in sorted(inspect(connection).get_table_names()):
            result = connection.exec_driver_sql(f'SELECT * FROM "{name}"')
            kept = [i for i, column in enumerate(result.keys()) if (name, column) not in NOT_COMPARED]
            state[name] = sorted(repr(tuple(row[i] for i in kept)) for row in result)
    state["files"] = [
        f"{path.relative_to(files_dir)} {hashlib.sha256(path.read_bytes()).hexdigest()}"
        for path in files_in(files_dir)
    ]
    return state


def files_in(directory: Path) -> list[Path]:
    """The files (not folders) under a directory."""
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []

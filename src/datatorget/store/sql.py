"""Read-only SQL over the published tables, for anyone: the sandbox behind `GET /api/v1/sql`.

Three walls stand between a query and the server:

1. The query is checked before it runs (`check_query`): one SELECT, parsed by DuckDB itself, whose syntax
   tree names no table but the published ones and the query's own CTEs, calls no table function but those
   in `TABLE_FUNCTIONS` and none of the functions in `DENIED_FUNCTIONS`.
2. It runs in a DuckDB of its own (`open_sandbox`) that holds one view per published table and may open no
   file but theirs: `allowed_paths`, `enable_external_access = false`, no spilling to disk, no Python
   objects as tables, and `lock_configuration = true`, so that no statement can undo any of it.
3. That DuckDB lives in a child process the operating system limits and the server kills when the query
   runs too long (store/sql_process.py): the server never runs a query itself.

Time, rows, memory and the size of the result are bounded (`run_in_sandbox`). Every refusal is an
`SqlRefused`, a ValidationFailed on the field `sql` (422).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import orjson

from datatorget.config import Settings
from datatorget.errors import ValidationFailed
from datatorget.store.connection import connect, identifier, sql_string

log = logging.getLogger(__name__)

MAX_SQL_BYTES = 100_000
MAX_RESULT_BYTES = 64 * 1024 * 1024  # Python objects are outside DuckDB's memory limit: bound them too
FETCH_BATCH = 100
LISTED_TABLES = 20
# Table functions that make rows from their arguments only, never from a file or the database's state.
TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest", "json_each", "json_tree"})
DENIED_FUNCTIONS = {
    "current_setting": "it shows the server's configuration",
    "getenv": "it shows the server's environment",
    "getvariable": "it shows the server's variables",
    "sleep_ms": "it only waits",
    "pg_sleep": "it only waits",
    "write_log": "it writes to the server's log",
    # Macros that run a query over DuckDB's catalog as they are bound, after the syntax tree was checked
    "pg_get_viewdef": "it reads DuckDB's catalog",
    "pg_get_constraintdef": "it reads DuckDB's catalog",
    "format_type": "it reads DuckDB's catalog",
    "get_block_size": "it reads DuckDB's catalog",
}
PublishedTable = tuple[str, Path]
ONLY_SELECT = "only SELECT queries can be run here"


class SqlRefused(ValidationFailed):
    """The query was not run, or was stopped; the reason is the message on the field `sql`."""

    def __init__(self, message: str) -> None:
        super().__init__({"sql": [message]})


class SqlTimeout(SqlRefused):
    """The query ran past the time limit and was interrupted."""


class SqlTooLarge(SqlRefused):
    """The query needed more memory than it may use, or its result is too large to send."""


def timed_out(timeout_s: float) -> SqlTimeout:
    """The refusal of a query stopped at the time limit."""
    return SqlTimeout(f"the query ran longer than {timeout_s:g} s and was stopped")


def out_of_memory(memory_limit: str) -> SqlTooLarge:
    """The refusal of a query that needed more memory than `memory_limit`."""
    return SqlTooLarge(f"the query needs more memory than the {memory_limit} it may use")


@dataclass(frozen=True)
class SqlResult:
    """What a query gave: `types` are DuckDB's, `rows` at most the row limit, `truncated` when cut there."""

    columns: list[str]
    types: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    elapsed_ms: float


def unique_names(columns: Sequence[str]) -> list[str]:
    """Column names made unique for object keys: a second `a` becomes `a_1`, as DuckDB names it."""
    taken: set[str] = set()
    names: list[str] = []
    for column in columns:
        name, counter = column, 0
        while name in taken:
            counter += 1
            name = f"{column}_{counter}"
        taken.add(name)
        names.append(name)
    return names


@dataclass(frozen=True)
class SandboxDatabase:
    """One locked-down DuckDB, the (lower-case) names of the views it holds, and its memory limit."""

    connection: duckdb.DuckDBPyConnection
    tables: tuple[str, ...]
    memory_limit: str


def open_sandbox(settings: Settings, tables: Sequence[PublishedTable]) -> SandboxDatabase:
    """A DuckDB with one view per table, then locked: it reads only those files and no setting can change."""
    connection = connect(settings, memory_limit=settings.sql_memory_limit)
    names: list[str] = []
    files: list[str] = []
    for name, path in tables:
        file = str(path.resolve())
        try:
            connection.execute(
                f"CREATE VIEW {identifier(name)} AS SELECT * FROM read_parquet('{sql_string(file)}')"
            )
        except duckdb.Error as exc:
            log.warning("table %s is left out of SQL queries: %s", name, first_line(exc))
            continue
        names.append(name.lower())
        files.append(file)
    allowed = ", ".join(f"'{sql_string(file)}'" for file in files)
    for statement in (
        "SET GLOBAL temp_directory = ''",  # nothing spills to disk: the memory limit is a hard limit
        # no Python variable is read as a table (external access off stops that too; this says it)
        "SET GLOBAL python_enable_replacements = false",
        f"SET GLOBAL allowed_paths = [{allowed}]",  # the views read their files as each query runs
        "SET GLOBAL enable_external_access = false",
        "SET GLOBAL lock_configuration = true",
    ):
        connection.execute(statement)
    return SandboxDatabase(connection, tuple(sorted(names)), settings.sql_memory_limit)


def run_in_sandbox(database: SandboxDatabase, sql: str, *, max_rows: int, timeout_s: float) -> SqlResult:
    """Check and run one read-only query on `database`, in this process; SqlRefused when it may not run.

    The SQL process (store/sql_process.py) calls this; the server goes through `SqlProcesses` instead.
    DuckDB's FatalException and InternalException pass through: the database is unusable after them.
    """
    check_text(sql)
    cursor = database.connection.cursor()
    try:
        check_query(cursor, sql, database.tables)
        return execute(
            cursor, sql, max_rows=max_rows, timeout_s=timeout_s, memory_limit=database.memory_limit
        )
    finally:
        cursor.close()


def check_text(sql: str) -> None:
    """Refuse an empty query, or one longer than MAX_SQL_BYTES, before DuckDB parses it."""
    if not sql.strip():
        raise SqlRefused("is empty: write a SELECT query")
    size = len(sql.encode())
    if size > MAX_SQL_BYTES:
        raise SqlRefused(f"is {size} bytes long; a query may be at most {MAX_SQL_BYTES} bytes")


def check_query(cursor: duckdb.DuckDBPyConnection, sql: str, tables: Sequence[str]) -> None:
    """Refuse anything but one SELECT that reads only `tables` and calls only harmless functions."""
    try:
        statements = cursor.extract_statements(sql)
    except duckdb.Error as exc:
        raise SqlRefused(first_line(exc)) from exc
    if not statements:
        raise SqlRefused("is empty: write a SELECT query")
    if len(statements) > 1:
        raise SqlRefused(f"holds {len(statements)} statements; send one SELECT query at a time")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise SqlRefused(f"{ONLY_SELECT}, not {kind.name}" if kind.name.isidentifier() else ONLY_SELECT)
    check_tree(syntax_tree(cursor, sql), tables)


def syntax_tree(cursor: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """The query's syntax tree, as DuckDB serialises it to JSON."""
    serialized = cursor.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    try:
        tree = orjson.loads(serialized[0] if serialized else "null")
    except orjson.JSONDecodeError as exc:
        raise SqlRefused("is nested too deeply") from exc
    if not isinstance(tree, dict) or tree.get("error") or len(tree.get("statements", [])) != 1:
        # json_serialize_sql serialises plain SELECTs only; PRAGMA, for one, is a SELECT it refuses.
        raise SqlRefused(ONLY_SELECT)
    return tree["statements"][0]


def check_tree(tree: Any, tables: Sequence[str]) -> None:
    """Walk the syntax tree (without recursion: it can be deep) and refuse the first node not allowed."""
    readable = frozenset(tables)
    pending: list[tuple[Any, frozenset[str]]] = [(tree, frozenset())]
    while pending:
        node, ctes = pending.pop()
        if isinstance(node, list):
            pending.extend((child, ctes) for child in node)
        elif isinstance(node, dict):
            check_node(node, ctes, readable)
            pending.extend(children_in_scope(node, ctes))


def children_in_scope(node: dict[str, Any], ctes: frozenset[str]) -> Iterator[tuple[Any, frozenset[str]]]:
    """The node's children, each with the CTE names it may read.

    As in DuckDB, a CTE's body sees the CTEs before it (and itself when recursive); the rest of the query
    sees them all. A name out of scope is read as a table, so it must be a published one.
    """
    entries = (node.get("cte_map") or {}).get("map") or []
    names = [str(entry["key"]).lower() for entry in entries]
    for position, entry in enumerate(entries):
        body = entry["value"]
        recursive = (body.get("query") or {}).get("node", {}).get("type") == "RECURSIVE_CTE_NODE"
        yield body, ctes | set(names[:position]) | ({names[position]} if recursive else set())
    inner = ctes | set(names)
    for key, value in node.items():
        if key != "cte_map" and isinstance(value, dict | list):
            yield value, inner


def check_node(node: dict[str, Any], ctes: frozenset[str], tables: frozenset[str]) -> None:
    """Refuse a node that reads something other than a published table, or calls a denied function."""
    kind = node.get("type")
    if kind == "BASE_TABLE":
        check_table(node, ctes, tables)
    elif kind == "TABLE_FUNCTION":
        name = str(node["function"]["function_name"])
        if name.lower() not in TABLE_FUNCTIONS:
            raise SqlRefused(
                f"the table function {name}() is not available here; read the tables by name "
                f"({table_list(tables)}), or use {', '.join(sorted(TABLE_FUNCTIONS))}"
            )
    elif kind == "SHOW_REF" and node.get("query") is None:
        raise SqlRefused(f"SHOW is not available here; the tables are {table_list(tables)}")
    if "function_name" in node:
        name = str(node["function_name"])
        reason = DENIED_FUNCTIONS.get(name.lower())
        if reason:
            raise SqlRefused(f"the function {name}() is not available here: {reason}")


def check_table(node: dict[str, Any], ctes: frozenset[str], tables: frozenset[str]) -> None:
    """A table read by name must be one of the query's CTEs in scope or a published table."""
    name = str(node["table_name"])
    qualifier = [part for part in (node.get("catalog_name"), node.get("schema_name")) if part]
    if qualifier in ([], ["main"], ["memory", "main"]) and (
        (not qualifier and name.lower() in ctes) or name.lower() in tables
    ):
        return
    full_name = ".".join([*qualifier, name])
    raise SqlRefused(f"there is no table named {full_name}; the tables are {table_list(tables)}")


def table_list(tables: frozenset[str] | Sequence[str]) -> str:
    """The readable tables for a message: the first LISTED_TABLES of them, and how many more there are."""
    names = sorted(tables)
    if not names:
        return "none: nothing is published as a table yet"
    shown = ", ".join(names[:LISTED_TABLES])
    more = len(names) - LISTED_TABLES
    return f"{shown} and {more} more" if more > 0 else shown


def execute(
    cursor: duckdb.DuckDBPyConnection, sql: str, *, max_rows: int, timeout_s: float, memory_limit: str
) -> SqlResult:
    """Run a checked query on a cursor of its own, stopped after `timeout_s`; the first `max_rows` rows."""
    started = time.perf_counter()
    timer = threading.Timer(timeout_s, cursor.interrupt)
    timer.daemon = True
    timer.start()
    try:
        relation = cursor.sql(sql)
        if relation is None:
            raise SqlRefused(ONLY_SELECT)
        columns, types = list(relation.columns), [str(kind) for kind in relation.types]
        rows = fetch_bounded(presentable(relation), max_rows + 1)
    except duckdb.InterruptException as exc:
        raise timed_out(timeout_s) from exc
    except (duckdb.OutOfMemoryException, MemoryError) as exc:
        raise out_of_memory(memory_limit) from exc
    except (duckdb.FatalException, duckdb.InternalException):
        raise
    except duckdb.Error as exc:
        raise SqlRefused(first_line(exc)) from exc
    finally:
        timer.cancel()
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    return SqlResult(columns, types, rows[:max_rows], len(rows) > max_rows, elapsed_ms)


def presentable(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """The relation with values Python cannot take as they are made portable, all as JSON:
    GEOMETRY as GeoJSON, anything holding a TIMESTAMP WITH TIME ZONE as text (that needs `pytz`)."""
    expressions: list[str] = []
    for position, kind in enumerate(relation.types, start=1):
        name = str(kind)
        if name == "GEOMETRY":
            expressions.append(f"ST_AsGeoJSON(#{position})")
        elif "TIMESTAMP WITH TIME ZONE" in name:
            expressions.append(f"to_json(#{position})")
        else:
            expressions.append(f"#{position}")
    if all(expression.startswith("#") for expression in expressions):
        return relation
    return relation.project(", ".join(expressions))


def fetch_bounded(relation: duckdb.DuckDBPyRelation, limit: int) -> list[tuple[Any, ...]]:
    """Up to `limit` rows, JSON values parsed, in small batches: SqlTooLarge past MAX_RESULT_BYTES."""
    json_columns = [position for position, kind in enumerate(relation.types) if str(kind) == "JSON"]
    rows: list[tuple[Any, ...]] = []
    size = 0
    while len(rows) < limit:
        batch = relation.fetchmany(min(FETCH_BATCH, limit - len(rows)))
        if not batch:
            break
        size += sum(value_size(value) for row in batch for value in row)
        if size > MAX_RESULT_BYTES:
            raise SqlTooLarge(
                f"the result is larger than {MAX_RESULT_BYTES // (1024 * 1024)} MB; "
                "select fewer rows or columns"
            )
        rows.extend(with_json_parsed(row, json_columns) for row in batch)
    return rows


def with_json_parsed(row: tuple[Any, ...], positions: Sequence[int]) -> tuple[Any, ...]:
    """The row with the JSON text in these columns parsed into values."""
    if not positions:
        return row
    values = list(row)
    for position in positions:
        if values[position] is not None:
            values[position] = orjson.loads(values[position])
    return tuple(values)


def value_size(value: Any) -> int:
    """About how many bytes a fetched value takes, counting what lists, maps and structs hold."""
    if isinstance(value, str | bytes | bytearray):
        return len(value)
    if isinstance(value, dict):
        return sum(value_size(key) + value_size(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return sum(value_size(item) for item in value)
    return sys.getsizeof(value)


def first_line(exc: BaseException) -> str:
    """DuckDB's message without the lines that point into the query."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__

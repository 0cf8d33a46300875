"""The SQL sandbox: what a query may read and call, the locked DuckDB under it, and its limits.

These run the sandbox in the test's own process, as a SQL process runs it; tests/store/test_sql_process.py
runs it in child processes, as the server does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from datatorget.config import Settings
from datatorget.store.connection import connect, sql_string
from datatorget.store.sql import (
    DENIED_FUNCTIONS,
    PublishedTable,
    SandboxDatabase,
    SqlRefused,
    SqlResult,
    SqlTimeout,
    SqlTooLarge,
    open_sandbox,
    run_in_sandbox,
)

Tables = list[PublishedTable]
OpenDatabase = Callable[[Tables], SandboxDatabase]
TIMEOUT_S = 0.5


def write_parquet(path: Path, select: str) -> Path:
    """A Parquet file holding what `select` gives, written by a DuckDB of its own."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as duck:
        duck.execute(f"COPY ({select}) TO '{sql_string(str(path))}' (FORMAT parquet)")
    return path


@pytest.fixture
def badplatser(tmp_path: Path) -> Path:
    return write_parquet(
        tmp_path / "tables" / "1" / "v1.parquet",
        "SELECT * FROM (VALUES ('Norrstrand', 18.5, DATE '2024-06-01'), ('Sjöbaden', 19.25, DATE '2024-06-15'))"
        " AS t(namn, temperatur, oppnad)",
    )


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    """The file of a table in a dataset that is not published."""
    return write_parquet(tmp_path / "tables" / "2" / "v1.parquet", "SELECT 'hemligt' AS utkast")


@pytest.fixture
def tables(badplatser: Path) -> Tables:
    return [("badplatser", badplatser)]


@pytest.fixture
def limited(store_settings: Settings) -> Settings:
    """Limits small enough to reach quickly in a test."""
    return store_settings.model_copy(update={"sql_timeout_s": TIMEOUT_S, "sql_memory_limit": "64MB"})


@pytest.fixture
def open_database(limited: Settings) -> Iterator[OpenDatabase]:
    """Opens sandbox databases over the tables it is given; closes them after the test."""
    opened: list[SandboxDatabase] = []

    def open_over(tables: Tables) -> SandboxDatabase:
        opened.append(open_sandbox(limited, tables))
        return opened[-1]

    yield open_over
    for database in opened:
        database.connection.close()


@pytest.fixture
def database(open_database: OpenDatabase, tables: Tables) -> SandboxDatabase:
    return open_database(tables)


def run(
    database: SandboxDatabase, sql: str, *, max_rows: int = 100, timeout_s: float = TIMEOUT_S
) -> SqlResult:
    return run_in_sandbox(database, sql, max_rows=max_rows, timeout_s=timeout_s)


def refusal(database: SandboxDatabase, sql: str) -> str:
    """The message under `sql` that refuses the query."""
    with pytest.raises(SqlRefused) as refused:
        run(database, sql)
    assert list(refused.value.errors) == ["sql"]
    return refused.value.errors["sql"][0]


def raw_cursor(database: SandboxDatabase) -> duckdb.DuckDBPyConnection:
    """A cursor of the sandbox database with the query checks left out: the second wall on its own."""
    return database.connection.cursor()


# --- what runs --------------------------------------------------------------------------------------------


def test_a_select_over_a_published_table_gives_columns_types_and_rows(database: SandboxDatabase) -> None:
    result = run(database, "SELECT namn, temperatur, oppnad FROM badplatser ORDER BY namn")
    assert (result.columns, result.types) == (
        ["namn", "temperatur", "oppnad"],
        ["VARCHAR", "DECIMAL(4,2)", "DATE"],
    )
    assert [row[0] for row in result.rows] == ["Norrstrand", "Sjöbaden"]
    assert result.truncated is False


@pytest.mark.parametrize(
    "sql",
    [
        "WITH varma AS (SELECT * FROM badplatser WHERE temperatur > 19) SELECT namn FROM varma",
        "SELECT namn FROM badplatser UNION ALL SELECT 'Extra'",
        "FROM badplatser SELECT namn",
        "SELECT * FROM main.badplatser",
        "SELECT * FROM BADPLATSER",
        "DESCRIBE badplatser",
        "SUMMARIZE badplatser",
        "SELECT count(*) FROM range(10), generate_series(1, 3), unnest([1, 2])",
        "SELECT key FROM json_each('{\"a\": 1}')",
        "SELECT 1;",
    ],
)
def test_queries_that_only_read_run(database: SandboxDatabase, sql: str) -> None:
    assert run(database, sql).rows


# --- what is refused before it runs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("INSERT INTO badplatser VALUES ('Ny', 20, NULL)", "INSERT"),
        ("UPDATE badplatser SET namn = 'x'", "UPDATE"),
        ("DELETE FROM badplatser", "DELETE"),
        ("CREATE TABLE kopia AS SELECT * FROM badplatser", "CREATE"),
        ("CREATE OR REPLACE VIEW badplatser AS SELECT 42", "CREATE"),
        ("DROP VIEW badplatser", "DROP"),
        ("ATTACH '/tmp/other.duckdb'", "ATTACH"),
        ("DETACH memory", "DETACH"),
        ("COPY (SELECT 1) TO '/tmp/x'", "COPY"),
        ("SET enable_external_access = true", "SET"),
        ("RESET allowed_paths", "SET"),
        ("USE system", "SET"),
        ("INSTALL httpfs", "LOAD"),
        ("LOAD httpfs", "LOAD"),
        ("CALL duckdb_settings()", "CALL"),
        ("EXPORT DATABASE '/tmp/dump'", "EXPORT"),
        ("BEGIN TRANSACTION", "TRANSACTION"),
        ("EXPLAIN SELECT 1", "EXPLAIN"),
    ],
)
def test_statements_other_than_select_are_refused(database: SandboxDatabase, sql: str, kind: str) -> None:
    assert refusal(database, sql) == f"only SELECT queries can be run here, not {kind}"


def test_a_pragma_is_refused(database: SandboxDatabase) -> None:
    # DuckDB reads PRAGMA version as SELECT * FROM pragma_version(): a SELECT, but not one it can serialise
    assert refusal(database, "PRAGMA version") == "only SELECT queries can be run here"


def test_two_statements_are_refused(database: SandboxDatabase) -> None:
    message = refusal(database, "SELECT 1; DROP VIEW badplatser")
    assert message == "holds 2 statements; send one SELECT query at a time"


@pytest.mark.parametrize("sql", ["", "   \n", ";", "-- only a comment"])
def test_an_empty_query_is_refused(database: SandboxDatabase, sql: str) -> None:
    assert refusal(database, sql) == "is empty: write a SELECT query"


def test_a_query_over_100_kb_is_refused_unparsed(database: SandboxDatabase) -> None:
    sql = "SELECT 1" + " " * 100_000
    assert refusal(database, sql) == "is 100008 bytes long; a query may be at most 100000 bytes"


def test_a_syntax_error_gives_the_first_line_of_duckdbs_message(database: SandboxDatabase) -> None:
    assert refusal(database, "SELEC namn FROM badplatser") == 'Parser Error: syntax error at or near "SELEC"'


def test_an_error_while_running_gives_the_first_line_of_duckdbs_message(database: SandboxDatabase) -> None:
    message = refusal(database, "SELECT saknas FROM badplatser")
    assert message.startswith('Binder Error: Referenced column "saknas" not found')
    assert "\n" not in message


@pytest.mark.parametrize(
    "function",
    [
        "read_csv('/etc/passwd')",
        "read_parquet('/tmp/x.parquet')",
        "read_text('/etc/passwd')",
        "read_blob('/etc/passwd')",
        "glob('/*')",
        "ST_Read('/etc/passwd')",
        "query_table('badplatser')",
        "query('SELECT 1')",
        "duckdb_settings()",
        "duckdb_tables()",
        "pragma_version()",
        "sniff_csv('/etc/passwd')",
    ],
)
def test_table_functions_that_read_files_or_the_database_are_refused(
    database: SandboxDatabase, function: str
) -> None:
    message = refusal(database, f"SELECT * FROM {function}")
    name = function.split("(")[0].lower()
    assert message == (
        f"the table function {name}() is not available here; read the tables by name (badplatser), "
        "or use generate_series, json_each, json_tree, range, unnest"
    )


def test_a_table_function_inside_a_subquery_is_refused(database: SandboxDatabase) -> None:
    sql = "SELECT namn FROM badplatser WHERE namn IN (SELECT column0 FROM read_csv('/etc/passwd'))"
    assert refusal(database, sql).startswith("the table function read_csv() is not available here")


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        ("current_setting('temp_directory')", "it shows the server's configuration"),
        ("getvariable('x')", "it shows the server's variables"),
        ("sleep_ms(60000)", "it only waits"),
        ("pg_sleep(60)", "it only waits"),
        ("write_log('x')", "it writes to the server's log"),
        ("pg_get_viewdef(1)", "it reads DuckDB's catalog"),
    ],
)
def test_functions_that_reveal_the_server_or_only_wait_are_refused(
    database: SandboxDatabase, call: str, reason: str
) -> None:
    name = call.split("(")[0]
    message = refusal(database, f"SELECT namn, {call} FROM badplatser")
    assert message == f"the function {name}() is not available here: {reason}"


def test_every_built_in_macro_that_runs_a_query_is_refused(store_settings: Settings) -> None:
    # A macro is expanded after the check, so a query inside it escapes the table checks: deny them all.
    with connect(store_settings) as duck:
        macros = duck.execute(
            "SELECT DISTINCT lower(function_name) FROM duckdb_functions()"
            " WHERE function_type = 'macro' AND macro_definition ILIKE '%SELECT%'"
        ).fetchall()
    assert {name for (name,) in macros} <= set(DENIED_FUNCTIONS)


def test_a_table_that_is_not_published_is_refused_with_the_names_of_those_that_are(
    database: SandboxDatabase,
) -> None:
    message = refusal(database, "SELECT * FROM utkast")
    assert message == "there is no table named utkast; the tables are badplatser"


def test_with_nothing_published_the_refusal_says_so(open_database: OpenDatabase) -> None:
    message = refusal(open_database([]), "SELECT * FROM badplatser")
    assert (
        message
        == "there is no table named badplatser; the tables are none: nothing is published as a table yet"
    )


def test_a_long_list_of_tables_is_cut_in_the_message(open_database: OpenDatabase, badplatser: Path) -> None:
    many = [(f"tabell_{number:02}", badplatser) for number in range(25)]
    message = refusal(open_database(many), "SELECT * FROM utkast")
    assert message.endswith("tabell_18, tabell_19 and 5 more")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM '{published}'",  # DuckDB reads a file named as a table (a replacement scan)
        "SELECT * FROM '{draft}'",
        "SELECT * FROM '/etc/passwd'",
        'SELECT * FROM "{draft}"',
    ],
)
def test_a_file_named_as_a_table_is_refused(
    database: SandboxDatabase, badplatser: Path, draft: Path, sql: str
) -> None:
    query = sql.format(published=badplatser, draft=draft)
    name = query.removeprefix("SELECT * FROM ").strip("'\"")
    assert refusal(database, query) == f"there is no table named {name}; the tables are badplatser"


@pytest.mark.parametrize(
    ("sql", "name"),
    [
        ("SELECT * FROM duckdb_tables", "duckdb_tables"),
        ("SELECT * FROM information_schema.tables", "information_schema.tables"),
        ("SELECT * FROM pg_catalog.pg_class", "pg_catalog.pg_class"),
        ("SELECT * FROM sqlite_master", "sqlite_master"),
        ("SELECT * FROM system.main.badplatser", "system.main.badplatser"),
    ],
)
def test_the_catalog_views_of_duckdb_are_refused(database: SandboxDatabase, sql: str, name: str) -> None:
    assert refusal(database, sql) == f"there is no table named {name}; the tables are badplatser"


def test_show_tables_is_refused_with_the_names_of_the_tables(database: SandboxDatabase) -> None:
    assert refusal(database, "SHOW TABLES") == "SHOW is not available here; the tables are badplatser"


def test_a_cte_does_not_read_a_file_of_its_own_name_in_its_body(
    database: SandboxDatabase, draft: Path
) -> None:
    # Without WITH RECURSIVE, a CTE's body does not see the CTE: DuckDB would read the file of that name.
    sql = f'WITH "{draft}" AS (SELECT * FROM "{draft}") SELECT * FROM "{draft}"'
    assert refusal(database, sql) == f"there is no table named {draft}; the tables are badplatser"


def test_a_cte_inside_a_subquery_names_no_table_outside_it(database: SandboxDatabase, draft: Path) -> None:
    sql = f'SELECT * FROM (WITH "{draft}" AS (SELECT 1) SELECT 1) AS inner_query, "{draft}"'
    assert refusal(database, sql) == f"there is no table named {draft}; the tables are badplatser"


def test_a_recursive_cte_reads_itself(database: SandboxDatabase) -> None:
    sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT i FROM n"
    assert run(database, sql).rows == [(1,), (2,), (3,)]


def test_a_later_cte_reads_an_earlier_one(database: SandboxDatabase) -> None:
    sql = "WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT y FROM b"
    assert run(database, sql).rows == [(2,)]


# --- the locked database under the checks -----------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_parquet('{draft}')",
        "SELECT * FROM '{draft}'",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM read_parquet('https://example.com/x.parquet')",
    ],
)
def test_the_database_opens_no_file_but_the_published_ones(
    database: SandboxDatabase, draft: Path, sql: str
) -> None:
    with pytest.raises(duckdb.PermissionException):
        raw_cursor(database).execute(sql.format(draft=draft))


def test_the_database_writes_no_file(database: SandboxDatabase, tmp_path: Path) -> None:
    target = tmp_path / "copy.csv"
    with pytest.raises(duckdb.PermissionException):
        raw_cursor(database).execute(f"COPY (SELECT 1) TO '{target}'")
    assert not target.exists()


def test_the_database_attaches_no_other_database(database: SandboxDatabase, tmp_path: Path) -> None:
    with pytest.raises(duckdb.PermissionException):
        raw_cursor(database).execute(f"ATTACH '{tmp_path / 'other.duckdb'}'")


@pytest.mark.parametrize("sql", ["INSTALL httpfs", "LOAD httpfs"])
def test_the_database_installs_and_loads_no_extension(database: SandboxDatabase, sql: str) -> None:
    with pytest.raises(duckdb.PermissionException):
        raw_cursor(database).execute(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SET enable_external_access = true",
        "SET allowed_paths = ['/etc/passwd']",
        "RESET allowed_paths",
        "SET memory_limit = '100GB'",
        "SET temp_directory = '/tmp'",
        "SET python_enable_replacements = true",
    ],
)
def test_the_database_settings_are_locked(database: SandboxDatabase, sql: str) -> None:
    with pytest.raises(duckdb.InvalidInputException, match="the configuration has been locked"):
        raw_cursor(database).execute(sql)


def test_the_database_reads_no_python_variable_as_a_table(database: SandboxDatabase) -> None:
    cursor = raw_cursor(database)
    secret = cursor.sql("SELECT 'hemligt' AS value")
    assert secret is not None
    with pytest.raises(duckdb.CatalogException):
        cursor.execute("SELECT * FROM secret")


def test_a_sort_larger_than_memory_is_refused_rather_than_spilled_to_disk(database: SandboxDatabase) -> None:
    sql = "SELECT range, md5(range::VARCHAR) AS hash FROM range(20000000) ORDER BY hash"
    with pytest.raises(
        SqlTooLarge
    ):  # a generous time limit: on a busy machine, memory must still be the cause
        run(database, sql, timeout_s=120)


# --- limits -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) FROM range(10000000000)",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
    ],
)
def test_a_query_past_the_time_limit_is_stopped(database: SandboxDatabase, sql: str) -> None:
    with pytest.raises(SqlTimeout) as stopped:
        run(database, sql)
    assert stopped.value.errors == {"sql": ["the query ran longer than 0.5 s and was stopped"]}


def test_rows_past_the_limit_are_cut_and_the_result_says_so(database: SandboxDatabase) -> None:
    result = run(database, "SELECT * FROM range(10)", max_rows=3)
    assert (result.rows, result.truncated) == ([(0,), (1,), (2,)], True)


def test_a_result_of_exactly_the_limit_is_whole(database: SandboxDatabase) -> None:
    result = run(database, "SELECT * FROM range(3)", max_rows=3)
    assert (len(result.rows), result.truncated) == (3, False)


def test_a_query_needing_more_memory_than_allowed_is_refused(database: SandboxDatabase) -> None:
    with pytest.raises(SqlTooLarge) as refused:
        run(database, "SELECT list(range) FROM range(100000000)")
    assert refused.value.errors == {"sql": ["the query needs more memory than the 64MB it may use"]}


def test_a_result_too_large_to_send_is_refused(database: SandboxDatabase) -> None:
    with pytest.raises(SqlTooLarge) as refused:
        run(database, "SELECT repeat('x', 1000000) FROM range(70)")
    assert refused.value.errors == {"sql": ["the result is larger than 64 MB; select fewer rows or columns"]}


# --- values -----------------------------------------------------------------------------------------------


def test_values_python_cannot_take_as_they_are_come_back_portable(database: SandboxDatabase) -> None:
    sql = (
        "SELECT ST_Point(17.95, 59.12) AS plats, TIMESTAMPTZ '2024-06-01 10:00:00+02' AS tid,"
        " '{\"a\": [1, 2]}'::JSON AS data"
    )
    result = run(database, sql)
    assert result.types == ["GEOMETRY", "TIMESTAMP WITH TIME ZONE", "JSON"]
    point: dict[str, Any] = result.rows[0][0]
    assert point == {"type": "Point", "coordinates": [17.95, 59.12]}
    assert result.rows[0][1:] == ("2024-06-01 08:00:00+00", {"a": [1, 2]})


# --- the tables it holds ---------------------------------------------------------------------------------


def test_a_table_whose_file_is_missing_is_left_out(
    open_database: OpenDatabase, tables: Tables, tmp_path: Path
) -> None:
    database = open_database([*tables, ("borta", tmp_path / "missing.parquet")])
    assert database.tables == ("badplatser",)
    assert run(database, "SELECT count(*) FROM badplatser").rows == [(2,)]

"""SQL processes: queries run in child processes the operating system limits, that are killed when they run
too long, replaced when they end, and that end with the server."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from datatorget.config import Settings
from datatorget.store.connection import sql_string
from datatorget.store.sql import (
    PublishedTable,
    SqlRefused,
    SqlResult,
    SqlTimeout,
    open_sandbox,
    run_in_sandbox,
)
from datatorget.store.sql_process import (
    ADDRESS_SPACE_HEADROOM,
    KILL_MARGIN_S,
    SqlBusy,
    SqlProcesses,
    size_in_bytes,
)

Tables = list[PublishedTable]
TIMEOUT_S = 2.0
MEMORY_LIMIT = "256MB"
OUT_OF_MEMORY = f"the query needs more memory than the {MEMORY_LIMIT} it may use"
TIMED_OUT = f"the query ran longer than {TIMEOUT_S:g} s and was stopped"
# One scalar evaluation that checks for no interrupt: minutes of work in a few kilobytes.
IGNORES_INTERRUPT = "SELECT levenshtein(repeat('ab', 50000), repeat('ba', 50000))"
# Each took the whole server for tens of seconds and gigabytes when it ran in the server's DuckDB.
HOSTILE = [
    "SELECT len(range(400000000))",
    "SELECT length(lpad('x', 1500000000, 'y'))",
    "SELECT length(repeat('x', 1500000000))",
]


def write_parquet(path: Path, select: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as duck:
        duck.execute(f"COPY ({select}) TO '{sql_string(str(path))}' (FORMAT parquet)")
    return path


@pytest.fixture
def limits(store_settings: Settings) -> Settings:
    return store_settings.model_copy(update={"sql_timeout_s": TIMEOUT_S, "sql_memory_limit": MEMORY_LIMIT})


@pytest.fixture
def tables(tmp_path: Path) -> Tables:
    path = write_parquet(
        tmp_path / "tables" / "1" / "v1.parquet",
        "SELECT * FROM (VALUES ('Norrstrand'), ('Sjöbaden')) AS t(namn)",
    )
    return [("badplatser", path)]


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    return write_parquet(tmp_path / "tables" / "2" / "v1.parquet", "SELECT 'hemligt' AS utkast")


@pytest.fixture
def processes(limits: Settings) -> Iterator[SqlProcesses]:
    pool = SqlProcesses(limits)
    yield pool
    pool.close()


def run(processes: SqlProcesses, sql: str, tables: Tables) -> SqlResult:
    return processes.run(sql, tables=tables, max_rows=100, timeout_s=TIMEOUT_S)


def refusal(processes: SqlProcesses, sql: str, tables: Tables) -> str:
    with pytest.raises(SqlRefused) as refused:
        run(processes, sql, tables)
    return refused.value.errors["sql"][0]


def the_pid(processes: SqlProcesses) -> int:
    [pid] = processes.pids()
    return pid


def is_running(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped by whoever adopted it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def ends_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while is_running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def peak_rss_mb() -> int:
    """The most memory this (the server's) process has held, in MB."""
    status = Path("/proc/self/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    assert match is not None
    return int(match.group(1)) // 1024


def run_in_background(
    processes: SqlProcesses, sql: str, tables: Tables
) -> tuple[threading.Thread, list[object]]:
    """A thread running `sql`, and the list its result or refusal lands in."""
    outcome: list[object] = []

    def target() -> None:
        try:
            outcome.append(run(processes, sql, tables))
        except SqlRefused as refused:
            outcome.append(refused)

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


# --- queries and their values -----------------------------------------------------------------------------


def test_a_query_runs_in_a_child_process(processes: SqlProcesses, tables: Tables) -> None:
    result = run(processes, "SELECT namn FROM badplatser ORDER BY namn", tables)
    assert (result.columns, result.types, result.rows) == (
        ["namn"],
        ["VARCHAR"],
        [("Norrstrand",), ("Sjöbaden",)],
    )
    assert the_pid(processes) != os.getpid()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1.25::DECIMAL(4, 2) AS d, 'ab'::BLOB AS b, (2::HUGEINT ** 70)::HUGEINT AS h,"
        " -(2::HUGEINT ** 70)::HUGEINT AS nh, 18446744073709551615::UBIGINT AS ub,"
        " -9223372036854775808 AS lo,"
        " TIMESTAMP '2024-06-01 10:00:00.123456' AS t, DATE '2024-06-01' AS day, TIME '10:00' AS tod,"
        " TIMETZ '10:00:00+02' AS tz, TIMESTAMPTZ '2024-06-01 10:00:00+02' AS tstz,"
        " INTERVAL '1 month 2 days 3 hours' AS i, '6d4b1f8e-0a4f-4c2a-9a47-1c1b2f3e4d5a'::UUID AS u,"
        " 'nan'::DOUBLE AS nan, '-inf'::DOUBLE AS inf, 0.1::DOUBLE AS x, ST_Point(17.9, 59.1) AS g,"
        " NULL AS nothing, true AS yes, 'x'::ENUM('x', 'y') AS e, '{\"a\": [1, 2.5]}'::JSON AS j",
        "SELECT {'date': '2024-06-01'} AS looks_like_a_tag, MAP {1: DATE '2024-06-01'} AS m,"
        " [DATE '2024-06-01', NULL] AS days, [1, 2]::INTEGER[2] AS arr,"
        " [{'a': 1.5::DECIMAL(3, 1)}] AS nested,"
        " {'t': TIME '10:00', 'b': 'x'::BLOB} AS struct",
        "SELECT CASE WHEN range = 1 THEN NULL ELSE DATE '2024-06-01' + range::INTEGER END AS day,"
        " CASE WHEN range = 2 THEN NULL ELSE range::DECIMAL(5, 1) / 3 END AS ratio,"
        " CASE range WHEN 0 THEN 1 WHEN 1 THEN 'nan'::DOUBLE END AS mostly_plain,"
        " CASE range WHEN 0 THEN 1 ELSE 2::HUGEINT ** 100 END AS wide FROM range(3)",
    ],
    ids=["scalars", "nested", "with-nulls"],
)
def test_values_come_back_with_the_types_the_sandbox_gives(
    processes: SqlProcesses, limits: Settings, tables: Tables, sql: str
) -> None:
    database = open_sandbox(limits, tables)
    in_process = run_in_sandbox(database, sql, max_rows=100, timeout_s=TIMEOUT_S)
    database.connection.close()
    result = run(processes, sql, tables)
    assert (result.columns, result.types) == (in_process.columns, in_process.types)
    assert repr(result.rows) == repr(in_process.rows)  # repr: NaN is not equal to itself, and types show


def test_a_refused_query_keeps_its_process(processes: SqlProcesses, tables: Tables) -> None:
    assert refusal(processes, "SELEC 1", tables) == 'Parser Error: syntax error at or near "SELEC"'
    pid = the_pid(processes)
    assert refusal(processes, "SELECT * FROM utkast", tables).startswith("there is no table named utkast")
    assert the_pid(processes) == pid


def test_a_query_too_long_to_send_is_refused_before_a_process_starts(processes: SqlProcesses) -> None:
    assert refusal(processes, "SELECT 1" + " " * 100_000, []).startswith("is 100008 bytes long")
    assert processes.pids() == []


# --- the limits the operating system keeps ----------------------------------------------------------------


@pytest.mark.parametrize("sql", HOSTILE)
def test_a_huge_scalar_is_refused_within_seconds_and_the_server_keeps_its_memory(
    processes: SqlProcesses, tables: Tables, sql: str
) -> None:
    run(processes, "SELECT 1", tables)
    before = peak_rss_mb()
    started = time.monotonic()
    message = refusal(processes, sql, tables)
    assert time.monotonic() - started < TIMEOUT_S + KILL_MARGIN_S + 1
    assert message in (OUT_OF_MEMORY, TIMED_OUT)
    assert peak_rss_mb() - before < 50
    assert run(processes, "SELECT count(*) FROM badplatser", tables).rows == [(2,)]


def test_a_process_may_use_its_memory_limit_and_some_headroom_and_no_more(
    processes: SqlProcesses, tables: Tables
) -> None:
    run(processes, "SELECT 1", tables)
    pid = the_pid(processes)
    limits = Path(f"/proc/{pid}/limits").read_text()
    match = re.search(r"Max address space\s+(\d+)\s+(\d+)\s+bytes", limits)
    assert match is not None
    soft, hard = int(match.group(1)), int(match.group(2))
    status = Path(f"/proc/{pid}/status").read_text()
    in_use = int(re.search(r"VmSize:\s+(\d+) kB", status).group(1)) * 1024  # type: ignore[union-attr]
    allowance = size_in_bytes(MEMORY_LIMIT) + ADDRESS_SPACE_HEADROOM
    assert soft == hard
    assert allowance / 2 < soft - in_use <= allowance


@pytest.mark.parametrize(
    ("size", "expected"),
    [("512MB", 512 * 1000**2), ("1GiB", 1024**3), ("1.5 GB", 1_500_000_000), ("64KiB", 64 * 1024)],
)
def test_sizes_are_read_as_duckdb_reads_a_memory_limit(size: str, expected: int) -> None:
    assert size_in_bytes(size) == expected


def test_a_process_has_none_of_the_servers_secrets_in_its_environment(
    processes: SqlProcesses, tables: Tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATATORGET_SECRET_KEY", "hemlig-nyckel")
    monkeypatch.setenv("DATATORGET_DATABASE_URL", "postgresql+psycopg://datatorget:hemligt@db/datatorget")
    run(processes, "SELECT 1", tables)
    environment = Path(f"/proc/{the_pid(processes)}/environ").read_bytes().split(b"\0")
    assert not [variable for variable in environment if variable.startswith(b"DATATORGET_")]
    assert b"MALLOC_ARENA_MAX=2" in environment


def test_a_query_that_ignores_the_interrupt_is_killed_and_its_process_replaced(
    processes: SqlProcesses, tables: Tables
) -> None:
    run(processes, "SELECT 1", tables)
    old = the_pid(processes)
    started = time.monotonic()
    with pytest.raises(SqlTimeout) as stopped:
        run(processes, IGNORES_INTERRUPT, tables)
    assert TIMEOUT_S < time.monotonic() - started < TIMEOUT_S + KILL_MARGIN_S + 1
    assert stopped.value.errors == {"sql": [TIMED_OUT]}
    assert processes.pids() == []
    assert not is_running(old)
    assert run(processes, "SELECT count(*) FROM badplatser", tables).rows == [(2,)]
    assert the_pid(processes) != old


def test_a_process_that_dies_during_a_query_refuses_it_and_is_replaced(
    processes: SqlProcesses, tables: Tables
) -> None:
    run(processes, "SELECT 1", tables)
    old = the_pid(processes)
    thread, outcome = run_in_background(processes, IGNORES_INTERRUPT, tables)
    time.sleep(0.3)
    os.kill(old, signal.SIGKILL)  # as the kernel's OOM killer would
    thread.join()
    [refused] = outcome
    assert isinstance(refused, SqlRefused)
    assert refused.errors == {"sql": [OUT_OF_MEMORY]}
    assert run(processes, "SELECT 1", tables).rows == [(1,)]
    assert the_pid(processes) != old


# --- sharing the processes --------------------------------------------------------------------------------


def test_the_same_tables_share_one_process(processes: SqlProcesses, tables: Tables) -> None:
    run(processes, "SELECT 1", tables)
    pid = the_pid(processes)
    run(processes, "SELECT 1", list(tables))
    assert the_pid(processes) == pid


def test_a_newly_published_table_is_readable_at_once(
    processes: SqlProcesses, tables: Tables, draft: Path
) -> None:
    run(processes, "SELECT 1", tables)
    published = [*tables, ("utkast", draft)]
    assert run(processes, "SELECT utkast FROM utkast", published).rows == [("hemligt",)]


def test_a_table_no_longer_published_is_unreadable_at_once(
    processes: SqlProcesses, tables: Tables, draft: Path
) -> None:
    run(processes, "SELECT 1", [*tables, ("utkast", draft)])
    old = the_pid(processes)
    assert refusal(processes, "SELECT * FROM utkast", tables).startswith("there is no table named utkast")
    assert not is_running(old)


def test_requests_arriving_together_take_turns(limits: Settings, tables: Tables) -> None:
    pool = SqlProcesses(limits, size=2)
    start = threading.Barrier(6)
    results: list[SqlResult] = []

    def request() -> None:
        start.wait()
        results.append(run(pool, "SELECT count(*) FROM badplatser", tables))

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert [result.rows for result in results] == [[(2,)]] * 6
        assert 1 <= len(pool.pids()) <= 2
    finally:
        pool.close()


def test_a_request_waits_for_a_busy_process_no_longer_than_a_query_may_run(
    processes: SqlProcesses, tables: Tables
) -> None:
    run(processes, "SELECT 1", tables)
    thread, outcome = run_in_background(processes, IGNORES_INTERRUPT, tables)
    time.sleep(0.3)
    started = time.monotonic()
    with pytest.raises(SqlBusy) as busy:
        run(processes, "SELECT 1", tables)
    waited = time.monotonic() - started
    thread.join()
    assert (str(busy.value), busy.value.status, busy.value.retry_after_s) == (
        "the SQL service is busy; try again",
        503,
        2,
    )
    assert TIMEOUT_S <= waited < TIMEOUT_S + 0.5
    assert isinstance(outcome[0], SqlTimeout)
    assert run(processes, "SELECT 1", tables).rows == [(1,)]


# --- the life of a process --------------------------------------------------------------------------------


def test_nothing_starts_before_the_first_query(processes: SqlProcesses) -> None:
    assert processes.pids() == []


def test_closing_stops_every_process(processes: SqlProcesses, tables: Tables) -> None:
    run(processes, "SELECT 1", tables)
    pid = the_pid(processes)
    processes.close()
    assert processes.pids() == []
    assert not is_running(pid)


# A server that dies without cleaning up: it starts a SQL process, maybe gives it a long query, and is killed.
SERVER = """
import os, sys, threading, time
from pathlib import Path
from datatorget.config import Settings
from datatorget.store.sql_process import SqlProcesses

processes = SqlProcesses(Settings(data_dir=Path(sys.argv[1]), duckdb_threads=1))
processes.run("SELECT 1", tables=[], max_rows=1, timeout_s=60)
print(processes.pids()[0], flush=True)
if sys.argv[2]:
    threading.Thread(target=processes.run, args=(sys.argv[2],), daemon=True,
                     kwargs={"tables": [], "max_rows": 1, "timeout_s": 60}).start()
    time.sleep(0.5)
os.kill(os.getpid(), 9)
"""


@pytest.mark.parametrize("query", ["", IGNORES_INTERRUPT], ids=["idle", "in-a-query"])
def test_a_process_ends_when_the_server_dies(tmp_path: Path, query: str) -> None:
    server = subprocess.run(
        [sys.executable, "-c", SERVER, str(tmp_path), query],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert server.returncode == -signal.SIGKILL, server.stderr
    assert ends_within(int(server.stdout), 5)

"""Benchmark: the data store beside DuckDB, sqlite-utils and Datasette, in one run on one machine.

    .venv/bin/python bench/store.py                       # 5 million rows, about 550 MB of CSV: ~15 minutes
    .venv/bin/python bench/store.py --quick               # 200,000 rows, short load runs: a smoke test
    .venv/bin/python bench/store.py --keep                # keep the CSV, the SQLite file and the data dir
    .venv/bin/python bench/store.py --keep --parts http   # one part again, on what a --keep run left

Targets (data store issue), each compared in the same run:
1. ingest: a Swedish-style CSV (`;`, decimal commas, ISO dates, codes with leading zeros, ja/nej) becomes a
   queryable version (the ingestion job: build_version + register_version) in at most twice the time
   DuckDB's own `CREATE TABLE t AS SELECT * FROM read_csv(file)` takes, at least 10 times faster than
   `sqlite-utils insert --csv` with type detection (Datasette's loader), with a peak RSS under 2 GB;
2. aggregate: count and average of `belopp` by `kategori` over the whole table in under 1 second;
3. rows: the first page, an equality-filtered page and a range-filtered page (100 rows each) sustain at
   least Datasette's requests per second with a lower 99th percentile, at 16 connections, one process each.

Every ingestion runs in a fresh subprocess; its peak RSS (with its children) comes from wait4(2). The
sqlite-utils and Datasette commands come from a separate virtualenv (--tools-venv), made here when missing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from datatorget.catalog import datasets, distributions, organizations
from datatorget.catalog.accounts import system_user
from datatorget.catalog.schemas import DatasetIn, OrganizationIn
from datatorget.catalog.tables import readable_version
from datatorget.config import Settings
from datatorget.db.engine import make_engine, make_sessionmaker
from datatorget.db.migrate import upgrade
from datatorget.jobs import queue
from datatorget.jobs.ingestion import start_ingestion
from datatorget.jobs.tasks import JobContext
from datatorget.jobs.worker import run_job
from datatorget.store.aggregate import aggregate_rows, parse_aggregate_request
from datatorget.store.connection import SharedConnection, sql_string

BENCH_DIR = Path("/tmp/datatorget-bench")
PARTS = ("ingest", "aggregate", "http")
TABLE = "utbetalningar"
PAGE_SIZE = 100
MAX_RSS_BYTES = 2 * 1000**3
MAX_UPLOAD_BYTES = 2 * 1024**3  # the default (500 MiB) is below the 550 MB file: raised for the bench
MUNICIPALITIES = [
    "Upplands Väsby", "Vallentuna", "Österåker", "Värmdö", "Järfälla", "Ekerö", "Huddinge", "Botkyrka", "Salem",
    "Haninge", "Tyresö", "Upplands-Bro", "Nykvarn", "Täby", "Danderyd", "Sollentuna", "Södertälje", "Nacka",
    "Sundbyberg", "Solna", "Lidingö", "Vaxholm", "Norrtälje", "Sigtuna", "Nynäshamn", "Håbo", "Älvkarleby",
    "Knivsta", "Heby", "Tierp", "Uppsala", "Enköping", "Östhammar",
]  # fmt: skip
CATEGORIES = ["Skola", "Förskola", "Äldreomsorg", "Kultur", "Fritid", "Miljö", "Trafik", "Bygglov"]
FILTERS = {  # page -> query string, the same on both servers
    "first page": "",
    "filter kategori=Skola": "kategori=Skola",
    "range 100 <= antal < 105": "antal__gte=100&antal__lt=105",
}

console = Console()


# --- the data --------------------------------------------------------------------------------------------


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join(f"'{sql_string(value)}'" for value in values) + "]"


def generate_csv(path: Path, rows: int) -> None:
    """A municipality's payments, the way Swedish exports look: `;`, decimal commas, ISO dates, codes with
    leading zeros, ja/nej, some empty cells. 11 columns, about 110 bytes a row (550 MB for 5 million).
    Amounts, addresses and case numbers are hashed from the row number, so the file does not repeat itself
    and compresses like real data."""
    sql = f"""
        SELECT
            i AS id,
            strftime(DATE '2020-01-01' + ((i * 37) % 1500)::INTEGER, '%Y-%m-%d') AS datum,
            lpad(((i * 7) % 2999 + 100)::VARCHAR, 4, '0') AS kommunkod,
            {_sql_list(MUNICIPALITIES)}[(i * 13) % {len(MUNICIPALITIES)} + 1] AS kommun,
            {_sql_list(CATEGORIES)}[(i * 11) % {len(CATEGORIES)} + 1] AS kategori,
            'Gata ' || (hash(i, 'adress') % 9973)::VARCHAR || ' i Sjövik' AS adress,
            CASE WHEN i % 97 <> 0 THEN replace(printf('%.2f', (hash(i) % 10000000) / 100), '.', ',') END
                AS belopp,
            (i * 17) % 500 AS antal,
            replace(printf('%.3f', ((i * 29) % 1000) / 1000.0), '.', ',') AS andel,
            CASE WHEN (i * 3) % 5 < 3 THEN 'ja' ELSE 'nej' END AS aktiv,
            CASE WHEN i % 4 <> 0 THEN 'Ärende ' || (hash(i, 'ärende') % 1000000)::VARCHAR || ' handlagt av nämnden' END
                AS kommentar
        FROM range({rows}) t(i)
    """
    partial = path.with_suffix(".partial")
    with duckdb.connect() as connection:
        connection.execute("SET enable_progress_bar = false")
        connection.execute(f"COPY ({sql}) TO '{sql_string(str(partial))}' (HEADER, DELIMITER ';')")
    partial.rename(path)


# --- a quiet machine -------------------------------------------------------------------------------------


def busy_fraction(seconds: float = 1.0) -> float:
    """How busy all cores were over `seconds` (0 to 1), from /proc/stat; 0 where there is none."""

    def sample() -> tuple[int, int]:
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle and iowait
        return sum(fields), idle

    if not Path("/proc/stat").exists():
        return 0.0
    total_before, idle_before = sample()
    time.sleep(seconds)
    total_after, idle_after = sample()
    total = total_after - total_before
    return 1 - (idle_after - idle_before) / total if total else 0.0


def _cpu_counters() -> tuple[int, int]:
    """(all, idle) clock ticks of all cores since boot; (0, 0) without /proc/stat."""
    stat = Path("/proc/stat")
    if not stat.exists():
        return 0, 0
    fields = [int(n) for n in stat.read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]  # idle and iowait count as idle


def process_cpu_s(pid: int) -> float:
    """User and system CPU seconds a running process has used; 0 without /proc."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return 0.0
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Quiet:
    """Waits before each measurement until other work leaves the cores alone (or `patience_s` passes), and
    remembers how much of the cores other processes took during the measurements: the CPU time of the
    whole machine minus that of the processes measured."""

    patience_s: float
    threshold: float = 0.15
    worst: float = 0.0
    worst_label: str = ""

    def wait(self) -> None:
        deadline = time.monotonic() + self.patience_s
        busy = busy_fraction()
        if busy > self.threshold:
            console.print(
                f"  the cores are {busy:.0%} busy with other work: waiting up to {self.patience_s:.0f} s"
            )
        while busy > self.threshold and time.monotonic() < deadline:
            time.sleep(4)
            busy = busy_fraction()
        if busy > self.threshold:
            console.print(f"  [yellow]measuring anyway, with the cores {busy:.0%} busy[/yellow]")

    @contextmanager
    def measuring(self, label: str, own_cpu_s: Callable[[], float]) -> Iterator[None]:
        """Around one measurement; `own_cpu_s()` is the CPU time the measured processes used in it."""
        self.wait()
        total_before, idle_before = _cpu_counters()
        yield
        total_after, idle_after = _cpu_counters()
        ticks = total_after - total_before
        if ticks <= 0:
            return
        busy = ticks - (idle_after - idle_before)
        others = max(0.0, (busy - own_cpu_s() * os.sysconf("SC_CLK_TCK")) / ticks)
        if others > self.worst:
            self.worst, self.worst_label = others, label


quiet = Quiet(patience_s=0)


# --- subprocesses measured with wait4 --------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    seconds: float  # wall time of the whole process
    peak_rss: int  # bytes, the largest of the process and its waited-for children
    output: dict[str, Any] = field(default_factory=dict)  # the JSON a child of this script printed last


def measure_process(command: list[str], *, label: str) -> Measured:
    used: list[float] = []
    with quiet.measuring(label, lambda: sum(used)):
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        out = process.stdout.read()
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        used.append(usage.ru_utime + usage.ru_stime)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed with exit code {process.returncode}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return Measured(seconds, usage.ru_maxrss * 1024, json.loads(lines[-1]) if lines else {})


def run_child(part: str, *args: str) -> Measured:
    return measure_process([sys.executable, __file__, "--child", part, *args], label=f"ingest: {part}")


def child_duckdb(csv: Path) -> dict[str, Any]:
    """DuckDB's own loader, the reference: read_csv with its sniffer into a table of a fresh database."""
    connection = duckdb.connect()
    started = time.perf_counter()
    connection.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{sql_string(str(csv))}')")
    seconds = time.perf_counter() - started
    count = connection.execute("SELECT count(*) FROM t").fetchone()
    types = connection.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 't'"
    ).fetchall()
    return {"seconds": seconds, "rows": count[0] if count else 0, "types": dict(types)}


class Stopwatch:
    """Times named functions of the store while the real ingestion job runs, by wrapping them in place."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, float, float]] = []  # (label, start, end), perf_counter seconds

    def wrap(self, module: ModuleType, name: str, label: str) -> None:
        original = getattr(module, name, None)
        if original is None:  # renamed since this was written: that stage is not shown
            return
        spans = self.spans

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spans.append((label, started, time.perf_counter()))

        setattr(module, name, timed)

    def wrap_context(self, module: ModuleType, name: str, label: str) -> None:
        original = getattr(module, name, None)
        if original is None:
            return
        spans = self.spans

        @contextmanager
        def timed(*args: Any, **kwargs: Any) -> Iterator[None]:
            started = time.perf_counter()
            try:
                with original(*args, **kwargs):
                    yield
            finally:
                spans.append((label, started, time.perf_counter()))

        setattr(module, name, timed)

    def total(self, label: str) -> float:
        return sum(end - start for name, start, end in self.spans if name == label)

    def first(self, label: str) -> tuple[float, float] | None:
        return next(((start, end) for name, start, end in self.spans if name == label), None)


STAGES = [  # (label, module, function, is a context manager); inside build_version unless said
    ("one pass: sniff, first rows, infer, write", "datatorget.store.ingest", "write_csv_directly", False),
    ("  infer types (first rows)", "datatorget.store.ingest", "_column_types", False),
    ("  read_csv, cast, write Parquet", "datatorget.store.direct", "watched", True),
    ("  rejected rows", "datatorget.store.readers", "_rejects", False),
    ("general path (when one pass cannot)", "datatorget.store.ingest", "_write_through_raw", False),
    ("  read_csv into raw", "datatorget.store.readers", "watched", True),
    ("  COPY to Parquet with casts", "datatorget.store.ingest", "watched", True),
    ("  validation counts", "datatorget.store.ingest", "_validate", False),
    ("primary key check", "datatorget.store.ingest", "_check_primary_key", False),
    ("SHA-256 of the Parquet file", "datatorget.store.ingest", "_sha256", False),
    ("fsync", "datatorget.store.ingest", "_fsync", False),
    ("build_version", "datatorget.jobs.tasks", "build_version", False),
    ("column statistics", "datatorget.jobs.tasks", "column_stats", False),
]


def child_datatorget(csv: Path, data_dir: Path) -> dict[str, Any]:
    """The ingestion job as `serve` runs it, on the file uploaded as a distribution of a published dataset.
    Times the job from start to the committed version (queryable), and to its end (with statistics)."""
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    settings = bench_settings(data_dir)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    sessions = make_sessionmaker(engine, writing=True)
    with sessions.begin() as session:
        by = system_user(session)
        organizations.create_organization(
            session, OrganizationIn(slug="sjovik", name="Sjöviks kommun"), by, system=True
        )
        datasets.create_dataset(
            session,
            DatasetIn(slug=TABLE, title={"sv": "Utbetalningar"}, description={"sv": "Genererade för bench."},
                      organization="sjovik", state="published"),
            by,
        )  # fmt: skip
        with csv.open("rb") as stream:
            distribution = distributions.add_upload(
                session, TABLE, distributions.Upload(stream, f"{TABLE}.csv"), by,
                files_dir=settings.files_dir, max_bytes=settings.max_upload_bytes,
            )  # fmt: skip
        job = start_ingestion(session, distribution, by)
        job_id, table_id = job.id, distribution.id
    duck = SharedConnection(settings)
    duck.cursor().close()  # a running worker has its DuckDB open already
    stopwatch = Stopwatch()
    for label, module, name, is_context in STAGES:
        target = importlib.import_module(module)
        (stopwatch.wrap_context if is_context else stopwatch.wrap)(target, name, label)
    claimed = queue.claim(sessions, job_id)
    assert claimed is not None
    started = time.perf_counter()
    succeeded = run_job(JobContext(settings, sessions, duck), *claimed)
    ended = time.perf_counter()
    with sessions.begin() as session:
        done = queue.get_job(session, job_id)
        result, error = dict(done.result or {}), dict(done.error or {})
    if not succeeded:
        raise SystemExit(f"the ingestion job failed: {error}")
    build = stopwatch.first("build_version")
    statistics_span = stopwatch.first("column statistics")
    assert build is not None and statistics_span is not None
    stages = {label: stopwatch.total(label) for label, *_ in STAGES}
    stages["job start: look-ups"] = build[0] - started
    stages["register_version, commit"] = statistics_span[0] - build[1]
    stages["store statistics, finish job"] = ended - statistics_span[1]
    parquet = next((settings.tables_dir / str(table_id)).glob("*.parquet"))
    info = {"table_id": str(table_id), "data_dir": str(data_dir), "parquet": str(parquet)}
    (data_dir / "bench.json").write_text(json.dumps(info))
    return {
        "queryable": statistics_span[0] - started,
        "job": ended - started,
        "rows": result.get("row_count"),
        "problems": (result.get("report") or {}).get("error_count", 0),
        "parquet_bytes": parquet.stat().st_size,
        "stages": stages,
    }


def bench_settings(data_dir: Path) -> Settings:
    """The defaults (DuckDB memory limit and threads included), but for an upload limit above the file."""
    return Settings(data_dir=data_dir, secret_key=SecretStr("bench"), max_upload_bytes=MAX_UPLOAD_BYTES)


# --- tools from a separate virtualenv ----------------------------------------------------------------------


def tools_venv(venv: Path) -> Path:
    """The bin folder of a virtualenv with sqlite-utils and Datasette, made with pip when missing."""
    bin_dir = venv / "bin"
    if not (bin_dir / "sqlite-utils").exists() or not (bin_dir / "datasette").exists():
        console.print(f"Installing sqlite-utils and datasette into {venv}: python3 -m venv {venv} && "
                      f"{bin_dir}/pip install sqlite-utils datasette")  # fmt: skip
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(bin_dir / "pip"), "install", "--quiet", "sqlite-utils", "datasette"], check=True)
    return bin_dir


def version_of(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else "?"


def sqlite_utils_insert(bin_dir: Path, csv: Path, database: Path) -> Measured:
    database.unlink(missing_ok=True)
    command = [str(bin_dir / "sqlite-utils"), "insert", str(database), TABLE, str(csv), "--csv",
               "--delimiter", ";", "--silent"]  # fmt: skip
    # sqlite-utils 3 detects types with --detect-types; 4 does it by default (and has --no-detect-types)
    usage = subprocess.run(
        [command[0], "insert", "--help"], capture_output=True, text=True, check=True
    ).stdout
    if re.search(r"(?<!no-)--detect-types", usage):
        command.append("--detect-types")
    return measure_process(command, label="ingest: sqlite-utils")


# --- part 1: ingestion -------------------------------------------------------------------------------------


@dataclass
class Figures:
    """What one run measured; every part adds to it and the summary reads it."""

    rows: int
    csv_bytes: int = 0
    duckdb: list[Measured] = field(default_factory=list)
    ours: list[Measured] = field(default_factory=list)
    sqlite_utils: Measured | None = None
    aggregate: dict[str, float] = field(default_factory=dict)
    aggregate_how: str = ""
    http: dict[tuple[str, str], WrkResult] = field(default_factory=dict)  # (server, page) -> result
    servers: list[str] = field(default_factory=list)


def run_ingest(args: argparse.Namespace, paths: Paths, bin_dir: Path, figures: Figures) -> None:
    with paths.csv.open("rb") as file:  # the same warm page cache for every loader
        while file.read(16 * 1024 * 1024):
            pass
    for run in range(args.repeat):
        console.print(f"Ingest {run + 1}/{args.repeat}: DuckDB read_csv, then the Datatorget job")
        figures.duckdb.append(run_child("duckdb", str(paths.csv)))
        figures.ours.append(run_child("datatorget", str(paths.csv), str(paths.data_dir)))
    console.print("Ingest: sqlite-utils insert --csv (this takes a while)")
    figures.sqlite_utils = sqlite_utils_insert(bin_dir, paths.csv, paths.sqlite)
    duck_types = figures.duckdb[-1].output["types"]
    console.print(f"DuckDB read_csv types: {', '.join(f'{k} {v}' for k, v in duck_types.items())}")
    with sqlite3.connect(paths.sqlite) as connection:
        sql = connection.execute("SELECT sql FROM sqlite_master WHERE name = ?", (TABLE,)).fetchone()[0]
    console.print(f"sqlite-utils table: {' '.join(sql.split())}")
    print_ingest(figures)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def print_ingest(figures: Figures) -> None:
    mb = figures.csv_bytes / 1e6
    table = Table(
        title=f"Ingest: {figures.rows:,} rows, {mb:.0f} MB of CSV (median of {len(figures.ours)} runs)"
    )
    for column in ("loader", "seconds", "each run", "MB/s", "peak RSS (MB)", "vs ours"):
        table.add_column(column, justify="left" if column == "loader" else "right")
    ours = [m.output["queryable"] for m in figures.ours]
    rows: list[tuple[str, list[float], int]] = [
        ("Datatorget job: to a queryable version", ours, max(m.peak_rss for m in figures.ours)),
        ("Datatorget job: with column statistics", [m.output["job"] for m in figures.ours], 0),
        ("DuckDB CREATE TABLE AS read_csv", [m.output["seconds"] for m in figures.duckdb],
         max(m.peak_rss for m in figures.duckdb)),
    ]  # fmt: skip
    if figures.sqlite_utils:
        rows.append(("sqlite-utils insert --csv (types detected)", [figures.sqlite_utils.seconds],
                     figures.sqlite_utils.peak_rss))  # fmt: skip
    for label, runs, rss in rows:
        seconds = _median(runs)
        table.add_row(label, f"{seconds:.2f}", " ".join(f"{run:.1f}" for run in runs), f"{mb / seconds:.0f}",
                      f"{rss / 1e6:.0f}" if rss else "", f"{seconds / _median(ours):.2f}×")  # fmt: skip
    console.print(table)
    stages = Table(title="Where the Datatorget job spends its time (median seconds)")
    stages.add_column("stage")
    stages.add_column("seconds", justify="right")
    stages.add_column("share", justify="right")
    job = _median([m.output["job"] for m in figures.ours])
    for label in figures.ours[0].output["stages"]:
        seconds = _median([m.output["stages"][label] for m in figures.ours])
        stages.add_row(label, f"{seconds:.2f}", f"{seconds / job:.0%}")
    stages.add_row("job total", f"{job:.2f}", "100%")
    console.print(stages)
    last = figures.ours[-1].output
    console.print(f"Datatorget: {last['rows']:,} rows, {last['problems']} problems in the report, "
                  f"Parquet {last['parquet_bytes'] / 1e6:.0f} MB")  # fmt: skip


# --- part 2: aggregate -------------------------------------------------------------------------------------


AGGREGATE = [("_group", "kategori"), ("_agg", "count,avg:belopp")]


def run_aggregate(args: argparse.Namespace, paths: Paths, figures: Figures) -> None:
    """Count and average by category through store.aggregate, the code behind `GET .../aggregate`."""
    info = json.loads((paths.data_dir / "bench.json").read_text())
    settings = bench_settings(paths.data_dir)
    engine = make_engine(settings.resolved_database_url)
    with make_sessionmaker(engine)() as session:
        found = readable_version(session, uuid.UUID(info["table_id"]), None, tables_dir=settings.tables_dir)
        path, schema = found.path, dict(found.version.table_schema)
    engine.dispose()
    duck = SharedConnection(settings)
    duck.cursor().close()
    figures.aggregate_how = "store.aggregate: parse_aggregate_request + aggregate_rows"
    timings = []
    cpu_before = time.process_time()
    with quiet.measuring("aggregate", lambda: time.process_time() - cpu_before):
        for _ in range(args.aggregate_runs):
            started = time.perf_counter()
            with duck.cursor() as cursor:
                result = aggregate_rows(cursor, path, schema, parse_aggregate_request(AGGREGATE, schema))
            timings.append(time.perf_counter() - started)
    duck.close()
    assert len(result.rows) == len(CATEGORIES), result
    figures.aggregate = {"first": timings[0], "median": _median(timings[1:] or timings), "max": max(timings)}
    if paths.sqlite.exists():
        with sqlite3.connect(paths.sqlite) as sqlite:
            started = time.perf_counter()
            sqlite.execute(
                f"SELECT kategori, count(*), avg(CAST(replace(belopp, ',', '.') AS REAL)) FROM {TABLE} "
                "GROUP BY kategori"
            ).fetchall()
            figures.aggregate["sqlite"] = time.perf_counter() - started
    print_aggregate(figures)


def print_aggregate(figures: Figures) -> None:
    table = Table(title=f"Group-by: count and avg(belopp) by kategori, {figures.rows:,} rows (ms)")
    for column in ("how", "first", "median", "max"):
        table.add_column(column, justify="left" if column == "how" else "right")
    found = figures.aggregate
    table.add_row(figures.aggregate_how, f"{found['first'] * 1000:.0f}", f"{found['median'] * 1000:.0f}",
                  f"{found['max'] * 1000:.0f}")  # fmt: skip
    if "sqlite" in found:
        table.add_row("SQLite, the same query (belopp is text there: replace and CAST)",
                      f"{found['sqlite'] * 1000:.0f}", "", "")  # fmt: skip
    console.print(table)


# --- part 3: rows over HTTP --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx responses and socket errors


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not found:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(found.group(1)) * UNITS_MS[found.group(2)]


def parse_wrk(output: str) -> WrkResult:
    def number(pattern: str) -> str:
        found = re.search(pattern, output)
        if not found:
            raise ValueError(f"wrk printed no {pattern!r}:\n{output}")
        return found.group(1)

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        requests_per_s=float(number(r"Requests/sec:\s+([\d.]+)")),
        p50_ms=_ms(number(r"\s50%\s+(\S+)")),
        p99_ms=_ms(number(r"\s99%\s+(\S+)")),
        requests=int(number(r"(\d+) requests in")),
        errors=errors + (int(non_2xx.group(1)) if non_2xx else 0),
    )


def wrk(
    url: str, *, seconds: float, connections: int, server_pid: int | None = None, label: str = ""
) -> WrkResult:
    """Load `url` with wrk; measured (waiting for quiet, counting other work) when `server_pid` is given."""
    command = ["wrk", f"-c{connections}", "-t2", f"-d{seconds:g}s", "--timeout", "30s", "--latency", url]
    if server_pid is None:  # a warm-up
        return parse_wrk(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    server_before = process_cpu_s(server_pid)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    children_before = children.ru_utime + children.ru_stime

    def own_cpu_s() -> float:
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return process_cpu_s(server_pid) - server_before + after.ru_utime + after.ru_stime - children_before

    with quiet.measuring(label, own_cpu_s):
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get_json(url: str, timeout_s: float = 60) -> Any:
    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        return json.load(response)


@dataclass
class Server:
    name: str
    command: list[str]
    base: str  # the URL of the table's JSON rows, without a query string
    ready: str  # a URL that answers once the server has started
    ids: Callable[[Any], list[int]]  # the `id` column of one page of JSON
    variants: dict[str, str]  # name as shown -> parameters added to every page's query string
    env: dict[str, str] | None = None
    process: subprocess.Popen[bytes] | None = None

    def url(self, *queries: str) -> str:
        return f"{self.base}?" + "&".join([*(q for q in queries if q), f"_size={PAGE_SIZE}"])

    def start(self, log: Path, timeout_s: float = 600) -> None:
        """Start the server and wait until it answers `ready` (Datasette counts a large table first)."""
        with log.open("wb") as sink:
            self.process = subprocess.Popen(self.command, stdout=sink, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} stopped at start; see {log}")
            try:
                get_json(self.ready, timeout_s=30)
                return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"{self.name} did not answer within {timeout_s:.0f} s; see {log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def datasette_ids(page: Any) -> list[int]:
    rows, columns = page["rows"], page["columns"]
    if rows and isinstance(rows[0], dict):
        return [int(row["id"]) for row in rows]
    index = columns.index("id")
    return [int(row[index]) for row in rows]


def datatorget_ids(page: Any) -> list[int]:
    rows = page["rows"] if isinstance(page, dict) else page
    if rows and isinstance(rows[0], dict):
        return [int(row["id"]) for row in rows]
    index = page["columns"].index("id") if "columns" in page else 0
    return [int(row[index]) for row in rows]


DATASETTE = "Datasette"
# Rows as objects like ours, without the facet suggestions and the count Datasette adds by default
DATASETTE_ROWS_ONLY = "Datasette rows only"


def servers(args: argparse.Namespace, paths: Paths, bin_dir: Path) -> list[Server]:
    """Datatorget first (when its row API does not answer, the others need not start), then Datasette."""
    info = json.loads((paths.data_dir / "bench.json").read_text())
    port = free_port()
    env = os.environ | {"DATATORGET_DATA_DIR": info["data_dir"], "DATATORGET_SECRET_KEY": "bench"}
    ours = Server(
        "Datatorget",
        [str(Path(sys.executable).with_name("datatorget")), "serve", "--workers", "1", "--host", "127.0.0.1",
         "--port", str(port)],
        f"http://127.0.0.1:{port}/api/v1/tables/{info['table_id']}/rows",
        f"http://127.0.0.1:{port}/readyz", datatorget_ids, {"Datatorget": ""}, env=env,
    )  # fmt: skip
    port = free_port()
    immutable = ["-i"] if args.datasette_immutable else []
    datasette = Server(
        "Datasette",
        [str(bin_dir / "datasette"), "serve", *immutable, str(paths.sqlite), "--host", "127.0.0.1", "--port",
         str(port)],
        f"http://127.0.0.1:{port}/{paths.sqlite.stem}/{TABLE}.json",
        f"http://127.0.0.1:{port}/-/versions.json", datasette_ids,
        {DATASETTE: "", DATASETTE_ROWS_ONLY: "_shape=objects&_nofacet=1&_nocount=1"},
    )  # fmt: skip
    return [ours, datasette]


def run_http(args: argparse.Namespace, paths: Paths, bin_dir: Path, figures: Figures) -> None:
    if shutil.which("wrk") is None:
        console.print("[yellow]wrk is not installed: the row comparison is skipped. Install it with "
                      "`apt-get install -y wrk` (Debian, Ubuntu) or `brew install wrk`.[/yellow]")  # fmt: skip
        return
    expected: dict[str, list[int]] = {}
    for server in servers(args, paths, bin_dir):
        console.print(f"HTTP: {server.name}")
        try:
            server.start(paths.root / f"{server.name.lower()}.log")
            try:
                get_json(server.url())
            except urllib.error.HTTPError as exc:
                console.print(f"[yellow]{server.name} answers {exc.code} at {server.url()}: the row API is "
                              "not there yet; the row comparison is skipped.[/yellow]")  # fmt: skip
                return
            for variant, extra in server.variants.items():
                for page, query in FILTERS.items():
                    url = server.url(query, extra)
                    ids = server.ids(get_json(url))
                    if len(ids) != PAGE_SIZE or expected.setdefault(page, ids) != ids:
                        raise SystemExit(f"{variant}, {page}: not the {PAGE_SIZE} rows Datatorget gave")
                    assert server.process is not None
                    wrk(url, seconds=args.warmup, connections=args.connections)
                    result = wrk(url, seconds=args.duration, connections=args.connections,
                                 server_pid=server.process.pid, label=f"rows: {variant}, {page}")  # fmt: skip
                    figures.http[(variant, page)] = result
                    console.print(f"  {variant}, {page}: {result.requests_per_s:.0f} req/s, "
                                  f"p99 {result.p99_ms:.1f} ms")  # fmt: skip
                figures.servers.append(variant)
            if server.name == "Datatorget":
                aggregate_over_http(args, server, figures)
        finally:
            server.stop()
    print_http(args, figures)


def aggregate_over_http(args: argparse.Namespace, server: Server, figures: Figures) -> None:
    """The group-by of part 2 through `GET /api/v1/tables/{id}/aggregate`, one request at a time."""
    url = server.base.removesuffix("/rows") + "/aggregate?" + urllib.parse.urlencode(AGGREGATE)
    timings = []
    assert server.process is not None
    pid, server_before, cpu_before = (
        server.process.pid,
        process_cpu_s(server.process.pid),
        time.process_time(),
    )
    with quiet.measuring("aggregate over HTTP",
                         lambda: process_cpu_s(pid) - server_before + time.process_time() - cpu_before):  # fmt: skip
        for _ in range(args.aggregate_runs):
            started = time.perf_counter()
            body = get_json(url)
            timings.append(time.perf_counter() - started)
    assert len(body["rows"]) == len(CATEGORIES), body
    figures.aggregate |= {"http_median": _median(timings), "http_max": max(timings)}
    console.print(f"  aggregate: median {figures.aggregate['http_median'] * 1000:.0f} ms, "
                  f"max {figures.aggregate['http_max'] * 1000:.0f} ms")  # fmt: skip


def print_http(args: argparse.Namespace, figures: Figures) -> None:
    table = Table(title=f"Rows over HTTP: {PAGE_SIZE} rows a page, {args.connections} connections, "
                        f"{args.duration:g} s each, one server process (wrk)")  # fmt: skip
    for column in ("page", "server", "req/s", "p50 ms", "p99 ms", "requests", "errors"):
        table.add_column(column, justify="left" if column in ("page", "server") else "right")
    for page in FILTERS:
        for server in figures.servers:
            found = figures.http[(server, page)]
            table.add_row(page, server, f"{found.requests_per_s:.0f}", f"{found.p50_ms:.1f}",
                          f"{found.p99_ms:.1f}", f"{found.requests}", f"{found.errors}")  # fmt: skip
    console.print(table)


# --- the summary -------------------------------------------------------------------------------------------


def print_targets(figures: Figures) -> None:
    table = Table(title="Targets")
    for column in ("target", "figure", "met"):
        table.add_column(column)

    def add(target: str, figure: str, met: bool) -> None:
        table.add_row(target, figure, "[green]yes[/green]" if met else "[red]no[/red]")

    if figures.ours and figures.duckdb:
        ours = _median([m.output["queryable"] for m in figures.ours])
        duck = _median([m.output["seconds"] for m in figures.duckdb])
        add(
            "ingest ≤ 2 × DuckDB read_csv",
            f"{ours:.2f} s vs {duck:.2f} s: {ours / duck:.2f}×",
            ours <= 2 * duck,
        )
        if figures.sqlite_utils:
            faster = figures.sqlite_utils.seconds / ours
            add("ingest ≥ 10 × faster than sqlite-utils", f"{faster:.1f}× faster", faster >= 10)
        peak = max(m.peak_rss for m in figures.ours)
        add("ingest peak RSS < 2 GB", f"{peak / 1e6:.0f} MB", peak < MAX_RSS_BYTES)
    if figures.aggregate:
        worst = figures.aggregate["max"]
        add("group-by < 1 s", f"{worst * 1000:.0f} ms at most ({figures.aggregate_how})", worst < 1)
    ours_name = "Datatorget"
    for other in (s for s in figures.servers if s != ours_name):
        for page in FILTERS:
            if (ours_name, page) not in figures.http:
                continue
            mine, theirs = figures.http[(ours_name, page)], figures.http[(other, page)]
            add(
                f"{page}: rps ≥ and p99 < {other}",
                f"{mine.requests_per_s:.0f} vs {theirs.requests_per_s:.0f} req/s, "
                f"p99 {mine.p99_ms:.1f} vs {theirs.p99_ms:.1f} ms",
                mine.requests_per_s >= theirs.requests_per_s
                and mine.p99_ms < theirs.p99_ms
                and not mine.errors,
            )
    console.print(table)


@dataclass(frozen=True)
class Paths:
    root: Path
    csv: Path
    sqlite: Path
    data_dir: Path

    @classmethod
    def under(cls, root: Path, rows: int) -> Paths:
        return cls(
            root, root / f"{TABLE}-{rows}.csv", root / f"{TABLE}-{rows}.db", root / f"datatorget-{rows}"
        )

    def remove(self) -> None:
        self.csv.unlink(missing_ok=True)
        self.sqlite.unlink(missing_ok=True)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def describe_machine(bin_dir: Path) -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    wrk_version = version_of(["wrk", "--version"]) if shutil.which("wrk") else "not installed"
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GiB; Python {platform.python_version()}, DuckDB "
        f"{duckdb.__version__}, SQLite {sqlite3.sqlite_version}; {version_of([str(bin_dir / 'sqlite-utils'), '--version'])}, "
        f"{version_of([str(bin_dir / 'datasette'), '--version'])}, {wrk_version.split(' [')[0]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--quick", action="store_true", help="200,000 rows, one run, short load runs.")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"Some of {', '.join(PARTS)}.")
    parser.add_argument("--repeat", type=int, default=3, help="Ingestions of each kind (DuckDB, ours).")
    parser.add_argument("--aggregate-runs", type=int, default=20)
    parser.add_argument("--duration", type=float, default=15, help="Seconds of load per page and server.")
    parser.add_argument("--warmup", type=float, default=5, help="Seconds of load before each measurement.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--datasette-immutable", action="store_true",
                        help="Serve the SQLite file with `datasette -i` (no locking, counts taken at start).")  # fmt: skip
    parser.add_argument("--wait-quiet", type=float, default=600, metavar="SECONDS",
                        help="Before each measurement, wait up to this long for other work to leave the cores.")  # fmt: skip
    parser.add_argument("--dir", type=Path, default=BENCH_DIR, help="Where the data is generated.")
    parser.add_argument("--tools-venv", type=Path, default=BENCH_DIR / "venv")
    parser.add_argument("--keep", action="store_true", help="Keep the CSV, SQLite file and data dir.")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        output = (
            child_duckdb(Path(rest[0]))
            if kind == "duckdb"
            else child_datatorget(Path(rest[0]), Path(rest[1]))
        )
        print(json.dumps(output))
        return
    if args.quick:
        args.rows, args.repeat, args.duration, args.warmup, args.aggregate_runs = 200_000, 1, 3, 1, 5
    parts = [part.strip() for part in args.parts.split(",")]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")

    quiet.patience_s = args.wait_quiet
    args.dir.mkdir(parents=True, exist_ok=True)
    paths = Paths.under(args.dir, args.rows)
    bin_dir = tools_venv(args.tools_venv)
    console.print(f"Machine: {describe_machine(bin_dir)}")
    if not paths.csv.exists():
        started = time.perf_counter()
        generate_csv(paths.csv, args.rows)
        console.print(f"Generated {paths.csv} in {time.perf_counter() - started:.1f} s")
    figures = Figures(rows=args.rows, csv_bytes=paths.csv.stat().st_size)
    try:
        if "ingest" in parts:
            run_ingest(args, paths, bin_dir, figures)
        if "aggregate" in parts:
            run_aggregate(args, paths, figures)
        if "http" in parts:
            run_http(args, paths, bin_dir, figures)
        print_targets(figures)
        console.print(f"Other processes took at most {quiet.worst:.0%} of the cores during a measurement "
                      f"({quiet.worst_label or 'none'}).")  # fmt: skip
    finally:
        if not args.keep:
            paths.remove()


if __name__ == "__main__":
    main()

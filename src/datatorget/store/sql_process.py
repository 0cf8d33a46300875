"""SQL processes: every read-only query runs in a child process that the operating system limits and the
server can kill.

DuckDB's memory limit and `interrupt()` do not stop one huge scalar evaluation (`len(range(400000000))`
took 19 GB and two minutes in the server). So the sandbox of store/sql.py lives in a child process:

- started as `python -m datatorget.store.sql_process` (a new interpreter, never a fork of the server);
- holding one locked DuckDB over one set of published tables; when the set changes, a new child takes over;
- limited by RLIMIT_AS to the address space it has once the sandbox is open, plus `sql_memory_limit`,
  plus ADDRESS_SPACE_HEADROOM: past that an allocation fails and the query is refused, the child lives on;
- answering one query at a time over its stdin and stdout (store/sql_wire.py), interrupting a query at
  `sql_timeout_s` itself; the server kills it (SIGKILL) KILL_MARGIN_S later if it has not answered;
- ending by itself when the server goes: at the end of its stdin, or when its parent process is gone.

`SqlProcesses` is the server's pool of them, started lazily. A request waits at most `sql_timeout_s` for a
free process, then gets `SqlBusy` (503 with Retry-After).
"""

from __future__ import annotations

import logging
import math
import os
import queue
import re
import resource
import select
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from datatorget.config import Settings
from datatorget.errors import DatatorgetError
from datatorget.store.sql import (
    PublishedTable,
    SandboxDatabase,
    SqlRefused,
    SqlResult,
    SqlTimeout,
    SqlTooLarge,
    check_text,
    first_line,
    open_sandbox,
    out_of_memory,
    run_in_sandbox,
    timed_out,
)
from datatorget.store.sql_wire import WireError, decode_rows, encode_rows, read_message, write_message

log = logging.getLogger(__name__)

CHILD_MODULE = "datatorget.store.sql_process"
SQL_PROCESSES = 1  # one per server process: `sql_memory_limit` stays the SQL endpoint's memory per process
ADDRESS_SPACE_HEADROOM = 256 * 1024 * 1024  # Python objects of the result, a thread or two, the allocator
KILL_MARGIN_S = 1.0  # how long past its time limit a query may take to stop before its process is killed
START_TIMEOUT_S = 60.0  # starting Python, DuckDB and the views of every published table
PARENT_CHECK_S = 1.0
# What the child keeps of the server's environment: enough to run Python, none of the server's secrets.
KEPT_VARIABLES = frozenset({"PATH", "HOME", "LANG", "TZ", "TMPDIR", "VIRTUAL_ENV", "LD_LIBRARY_PATH"})
REFUSALS: dict[str, type[SqlRefused]] = {  # subclasses first: a refusal is sent as the first that fits
    "timeout": SqlTimeout,
    "too_large": SqlTooLarge,
    "refused": SqlRefused,
}
SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([KMGT])(i?)B$")


class SqlBusy(DatatorgetError):
    """Every SQL process stayed busy for as long as a query may run: the caller should try again soon."""

    status = 503

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("the SQL service is busy; try again")
        self.retry_after_s = retry_after_s


class SqlProcessFailed(RuntimeError):
    """A SQL process could not start, or DuckDB broke inside it (a bug, not the caller's fault)."""


Key = tuple[tuple[str, str], ...]


def table_key(tables: Sequence[PublishedTable]) -> Key:
    """What tells two sets of published tables apart: their names and files, in order."""
    return tuple((name, str(path)) for name, path in tables)


# --- the server's side --------------------------------------------------------------------------------


class SqlProcess:
    """One child process holding the sandbox of one set of tables; used by one request at a time."""

    def __init__(self, settings: Settings, tables: Sequence[PublishedTable]) -> None:
        self.key = table_key(tables)
        self.memory_limit = settings.sql_memory_limit
        self._popen = subprocess.Popen(
            [sys.executable, "-m", CHILD_MODULE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=child_environment(),
            start_new_session=True,  # a Ctrl-C at the server's terminal is the server's to handle
        )
        self._stop = weakref.finalize(self, end_process, self._popen)
        self._poll = select.poll()
        self._poll.register(self.stdout_fd, select.POLLIN)
        start = {
            "data_dir": str(settings.data_dir),
            "duckdb_threads": settings.duckdb_threads,
            "sql_memory_limit": settings.sql_memory_limit,
            "tables": [list(pair) for pair in self.key],
        }
        try:
            write_message(self.stdin_fd, start)
            self._receive(time.monotonic() + START_TIMEOUT_S)
        except (OSError, EOFError, TimeoutError, WireError) as exc:
            self.stop()
            raise SqlProcessFailed(f"the SQL process did not start: {exc!r}") from exc

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def stdin_fd(self) -> int:
        assert self._popen.stdin is not None
        return self._popen.stdin.fileno()

    @property
    def stdout_fd(self) -> int:
        assert self._popen.stdout is not None
        return self._popen.stdout.fileno()

    def is_alive(self) -> bool:
        return self._stop.alive and self._popen.poll() is None

    def query(self, sql: str, *, max_rows: int, timeout_s: float) -> SqlResult:
        """Run one query in the child; SqlRefused (or a subclass) as the sandbox refuses it.

        BrokenPipeError when the child was gone before the query could be sent.
        """
        write_message(self.stdin_fd, {"sql": sql, "max_rows": max_rows, "timeout_s": timeout_s})
        try:
            reply = self._receive(time.monotonic() + timeout_s + KILL_MARGIN_S)
        except TimeoutError:
            self.stop()
            raise timed_out(timeout_s) from None
        except (EOFError, WireError) as exc:
            self.stop()
            log.warning("the SQL process %d ended during a query (%s): %r", self.pid, exc, sql[:200])
            raise out_of_memory(self.memory_limit) from None
        return self._result(reply)

    def _result(self, reply: dict[str, Any]) -> SqlResult:
        if "refused" in reply:
            raise REFUSALS[reply["refused"]](reply["message"])
        if "failed" in reply:
            self.stop()
            raise SqlProcessFailed(f"DuckDB failed in the SQL process: {reply['failed']}")
        try:
            rows = decode_rows(reply["rows"], reply["encodings"])
        except (KeyError, TypeError, ValueError) as exc:
            self.stop()
            raise SqlProcessFailed(f"the SQL process sent rows that cannot be read: {exc!r}") from exc
        return SqlResult(reply["columns"], reply["types"], rows, reply["truncated"], reply["elapsed_ms"])

    def _receive(self, deadline: float) -> Any:
        """The child's next message; TimeoutError past `deadline`, EOFError if the child ended."""
        message = read_message(lambda size: self._read(size, deadline))
        if message is None:
            raise EOFError(f"the SQL process ended (exit status {self._popen.wait()})")
        return message

    def _read(self, size: int, deadline: float) -> bytearray:
        """`size` bytes from the child, fewer at its end; TimeoutError past `deadline`."""
        buffer = bytearray(size)
        view = memoryview(buffer)
        filled = 0
        while filled < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._poll.poll(math.ceil(remaining * 1000)):
                raise TimeoutError
            count = os.readv(self.stdout_fd, [view[filled:]])
            if count == 0:
                break
            filled += count
        view.release()
        return buffer if filled == size else buffer[:filled]

    def stop(self) -> None:
        """Kill the child (it holds nothing worth keeping) and reap it. Never while a query reads from it."""
        self._stop()


def child_environment() -> dict[str, str]:
    """The environment of a SQL process: the server's, less its secrets (a database URL, the secret key)."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if name in KEPT_VARIABLES or name.startswith(("LC_", "PYTHON"))
    }
    return kept | {"MALLOC_ARENA_MAX": "2"}  # each glibc arena reserves 64 MB of address space


def end_process(popen: subprocess.Popen[bytes]) -> None:
    """Kill a SQL process, reap it and close its pipes: what stopping one, or collecting it, does."""
    if popen.poll() is None:
        popen.kill()
    popen.wait()
    for stream in (popen.stdin, popen.stdout):
        if stream is not None:
            stream.close()


class SqlProcesses:
    """The server's SQL processes: `size` of them, each started on first use. Safe to share between threads.

    A request takes a free process, or waits for one at most as long as a query may run (`SqlBusy` then).
    Processes that ended, or hold other tables than the request needs, are replaced as they are taken.
    """

    def __init__(self, settings: Settings, *, size: int = SQL_PROCESSES) -> None:
        self.settings = settings
        self._processes: list[SqlProcess | None] = [None] * size
        self._free: queue.LifoQueue[int] = queue.LifoQueue()
        for slot in range(size):
            self._free.put(slot)
        self._lock = threading.Lock()
        self._closed = False

    def run(
        self, sql: str, *, tables: Sequence[PublishedTable], max_rows: int, timeout_s: float
    ) -> SqlResult:
        """Check and run one read-only query over `tables` in a SQL process; SqlRefused when it may not
        run, SqlBusy when no process was free in time."""
        check_text(sql)
        try:
            slot = self._free.get(timeout=timeout_s)
        except queue.Empty:
            raise SqlBusy(retry_after_s=max(1, math.ceil(timeout_s))) from None
        try:
            try:
                return self._process(slot, tables).query(sql, max_rows=max_rows, timeout_s=timeout_s)
            except BrokenPipeError:  # the child ended while it waited: the query never reached it
                self._replace(slot, None)
                return self._process(slot, tables).query(sql, max_rows=max_rows, timeout_s=timeout_s)
        finally:
            self._release(slot)

    def pids(self) -> list[int]:
        """The process ids of the running SQL processes."""
        with self._lock:
            return [process.pid for process in self._processes if process and process.is_alive()]

    def close(self) -> None:
        """Stop every SQL process; one still answering a query is stopped when it is done."""
        with self._lock:
            self._closed = True
        idle: list[int] = []
        while True:
            try:
                idle.append(self._free.get_nowait())
            except queue.Empty:
                break
        for slot in idle:
            self._replace(slot, None)
            self._free.put(slot)

    def _process(self, slot: int, tables: Sequence[PublishedTable]) -> SqlProcess:
        """The slot's process, replaced first if it ended or holds other tables."""
        process = self._processes[slot]
        if process is None or process.key != table_key(tables) or not process.is_alive():
            self._replace(slot, None)
            process = SqlProcess(self.settings, tables)
            self._replace(slot, process)
        return process

    def _replace(self, slot: int, process: SqlProcess | None) -> None:
        with self._lock:
            old, self._processes[slot] = self._processes[slot], process
        if old is not None and old is not process:
            old.stop()

    def _release(self, slot: int) -> None:
        with self._lock:
            process = self._processes[slot]
            if process is not None and (self._closed or not process.is_alive()):
                self._processes[slot] = None
            else:
                process = None
        if process is not None:
            process.stop()
        self._free.put(slot)


# --- the child's side ---------------------------------------------------------------------------------


def main() -> None:
    """The SQL process: open the sandbox the first message names, limit itself, then answer queries until
    the end of stdin. Stdout carries messages only: anything else written to it goes to stderr."""
    logging.basicConfig(level=logging.WARNING, format="sql process %(process)d: %(levelname)s %(message)s")
    replies = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    requests = sys.stdin.buffer
    start = read_message(requests.read)
    if start is None:
        return
    watch_parent(os.getppid())
    settings = Settings.model_construct(
        data_dir=Path(start["data_dir"]),
        duckdb_threads=start["duckdb_threads"],
        sql_memory_limit=start["sql_memory_limit"],
    )
    database = open_sandbox(settings, [(name, Path(path)) for name, path in start["tables"]])
    limit = limit_address_space(size_in_bytes(settings.sql_memory_limit) + ADDRESS_SPACE_HEADROOM)
    write_message(replies, {"ready": True, "address_space": limit, "tables": database.tables})
    while (request := read_message(requests.read)) is not None:
        reply = answer(database, request)
        try:
            write_message(replies, reply)
        except (TypeError, ValueError) as exc:  # orjson refuses a value (a string that is not UTF-8)
            write_message(replies, {"refused": "refused", "message": f"the result cannot be sent: {exc}"})
        if "failed" in reply:
            return


def answer(database: SandboxDatabase, request: dict[str, Any]) -> dict[str, Any]:
    """The reply to one query: its result, a refusal, or `failed` when DuckDB broke (the child then ends)."""
    try:
        sql, max_rows, timeout_s = request["sql"], request["max_rows"], request["timeout_s"]
        result = run_in_sandbox(database, sql, max_rows=max_rows, timeout_s=timeout_s)
        rows, encodings = encode_rows(result.rows)
    except SqlRefused as refused:
        kind = next(name for name, cls in REFUSALS.items() if isinstance(refused, cls))
        return {"refused": kind, "message": refused.errors["sql"][0]}
    except MemoryError:
        return {"refused": "too_large", "message": out_of_memory(database.memory_limit).errors["sql"][0]}
    except (duckdb.FatalException, duckdb.InternalException) as exc:
        return {"failed": first_line(exc)}
    return {
        "columns": result.columns,
        "types": result.types,
        "rows": rows,
        "encodings": encodings,
        "truncated": result.truncated,
        "elapsed_ms": result.elapsed_ms,
    }


def limit_address_space(allowance: int) -> int:
    """Limit this process to the address space it uses now plus `allowance` bytes; the limit set.
    Where /proc does not tell the address space in use (not Linux), 1 GiB stands in for it."""
    try:
        in_use = os.sysconf("SC_PAGE_SIZE") * int(Path("/proc/self/statm").read_text().split()[0])
    except OSError:
        in_use = 1024**3
    limit = in_use + allowance
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)  # the server was started with a tighter limit (`ulimit -v`): keep it
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError) as exc:  # a system without RLIMIT_AS (macOS refuses some values)
        log.warning("the address space of SQL processes is not limited here: %s", exc)
    return limit


def size_in_bytes(size: str) -> int:
    """A size as DuckDB reads a memory limit: `512MB` is 512 * 1000², `1GiB` is 1024³ bytes."""
    match = SIZE.match(size.strip())
    if match is None:
        raise ValueError(f"not a size: {size!r}")
    number, unit, binary = match.groups()
    return int(float(number) * (1024 if binary else 1000) ** ("KMGT".index(unit) + 1))


def watch_parent(parent: int) -> None:
    """End this process as soon as its parent is gone, even in the middle of a query."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


if __name__ == "__main__":
    main()

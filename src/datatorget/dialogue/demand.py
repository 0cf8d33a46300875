"""The picture of demand: searches that found nothing, the most wanted data, and how datasets are used.

Request handlers bump a `DemandCounter` kept on the app (`app.state.demand`): a dictionary increment under a
lock, no database write, so that counting never slows a search or a download. A `Flusher` thread adds what
was counted to the database every 30 seconds and at shutdown, in one transaction of upserts
(`INSERT ... ON CONFLICT DO UPDATE SET count = count + excluded.count` on SQLite and PostgreSQL alike), so
that several app processes add to the same rows without losing counts.

Nothing personal is counted: no address, account, token, session or time of day; only a normalised query or
a dataset, the day (UTC) and a count. A query that looks like an email address, a personal identity number
or a telephone number is not counted at all. Queries are published as open data (`searches_for_publishing`)
only when searched for on at least `PUBLISH_MIN_DAYS` different days: a k-anonymity-like threshold, so that
a search for a name or an address, however often one person repeats it in a sitting, stays with staff.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, case, func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from datatorget.catalog.models import Dataset, Distribution
from datatorget.catalog.permissions import Viewer, require_staff, visible_datasets
from datatorget.db.base import utcnow
from datatorget.dialogue.models import DataRequest, DatasetUsage, SearchMiss
from datatorget.dialogue.requests import CLOSED_STATES, OPEN_STATES, public_requests
from datatorget.store.models import DataTable

log = logging.getLogger(__name__)

UseKind = Literal["view", "download", "api"]
KINDS: tuple[UseKind, ...] = ("view", "download", "api")
QUERY_MAX = 200  # the length of SearchMiss.query
PUBLISH_MIN_DAYS = 3
FLUSH_INTERVAL_S = 30.0
MAX_PENDING_KEYS = 20_000  # between two flushes; beyond it new queries and datasets wait for the next one
SQL_NAMES_PER_QUERY = 32
LOOKUP_BATCH = 500

_WORD = re.compile(r"\w")
_EMAIL = re.compile(r"\S@\S+\.\w")
_LONG_NUMBER = re.compile(r"\d{9,}")  # a personal identity number or a telephone number, once joined up
_NUMBER_SEPARATOR = re.compile(r"(?<=\d)[\s+-](?=\d)")
_SQL_WORD = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_SQL_KEYWORDS = frozenset({
    "select", "from", "where", "and", "or", "not", "null", "is", "in", "like", "ilike", "limit", "offset",
    "group", "by", "order", "as", "on", "join", "left", "right", "inner", "outer", "full", "cross", "with",
    "count", "sum", "avg", "min", "max", "distinct", "union", "all", "case", "when", "then", "else", "end",
    "asc", "desc", "having", "describe", "summarize", "between", "cast", "exists", "true", "false",
})  # fmt: skip

K = TypeVar("K")


def normalise_query(query: str) -> str | None:
    """The query as it is counted: lower case, trimmed, one space between words, at most 200 characters.
    None for a query without words and for one that looks like personal data."""
    normal = " ".join(query.lower().split())[:QUERY_MAX].strip()
    if (
        not _WORD.search(normal)
        or _EMAIL.search(normal)
        or _LONG_NUMBER.search(_NUMBER_SEPARATOR.sub("", normal))
    ):
        return None
    return normal


def sql_names(sql: str) -> set[str]:
    """The words of a SQL query that may name a table (resolved to datasets when the counts are flushed)."""
    found: set[str] = set()
    for word in _SQL_WORD.findall(sql.lower()):
        if word not in _SQL_KEYWORDS:
            found.add(word)
            if len(found) >= SQL_NAMES_PER_QUERY:
                break
    return found


PendingKind = Literal["misses", "uses", "tables", "sql"]
PENDING_KINDS: tuple[PendingKind, ...] = ("misses", "uses", "tables", "sql")


@dataclass
class Pending:
    """Counts not yet in the database, per day."""

    misses: Counter[tuple[str, date]] = field(default_factory=Counter)
    uses: Counter[tuple[uuid.UUID, date, UseKind]] = field(default_factory=Counter)
    tables: Counter[tuple[uuid.UUID, date, UseKind]] = field(default_factory=Counter)  # by distribution
    sql: Counter[tuple[str, date]] = field(default_factory=Counter)  # by table name

    def __len__(self) -> int:
        return len(self.misses) + len(self.uses) + len(self.tables) + len(self.sql)


class DemandCounter:
    """Counts kept in memory until `flush`. Thread-safe; each call only takes a lock and adds one."""

    def __init__(self, *, max_keys: int = MAX_PENDING_KEYS) -> None:
        self._lock = threading.Lock()
        self._pending = Pending()
        self._max_keys = max_keys
        self.dropped = 0  # counts left out because too many different keys were waiting

    def _add(self, kind: PendingKind, key: object, count: int = 1) -> None:
        with self._lock:  # the counter is looked up under the lock: `take` may swap it meanwhile
            counter: Counter[object] = getattr(self._pending, kind)
            if key not in counter and len(self._pending) >= self._max_keys:
                self.dropped += count
                return
            counter[key] += count

    def count_search_miss(self, query: str) -> None:
        """A search with these words found nothing."""
        if (normal := normalise_query(query)) is not None:
            self._add("misses", (normal, utcnow().date()))

    def count_search(self, query: str, *, found: int) -> None:
        """A search with these words found `found` datasets: counted when it found none."""
        if not found:
            self.count_search_miss(query)

    def count_use(self, dataset_id: uuid.UUID, kind: UseKind) -> None:
        """The dataset was viewed, downloaded or called through the API."""
        self._add("uses", (dataset_id, utcnow().date(), kind))

    def count_table_use(self, distribution_id: uuid.UUID, kind: UseKind) -> None:
        """A table (a distribution) was read or exported: counted for its dataset when flushed."""
        self._add("tables", (distribution_id, utcnow().date(), kind))

    def count_sql(self, sql: str) -> None:
        """A SQL query ran: an API call for each published dataset whose table it names."""
        today = utcnow().date()
        for name in sql_names(sql):
            self._add("sql", (name, today))

    def take(self) -> Pending:
        """What was counted since the last take, leaving nothing behind."""
        with self._lock:
            pending, self._pending = self._pending, Pending()
            return pending

    def put_back(self, pending: Pending) -> None:
        """Counts taken but not written (the database was away): they go with the next flush."""
        for kind in PENDING_KINDS:
            for key, count in getattr(pending, kind).items():
                self._add(kind, key, count)

    def flush(self, sessions: sessionmaker[Session]) -> int:
        """Add what was counted to the database in one transaction; the number of rows written. When the
        transaction fails the counts are kept for the next flush, and the error is raised."""
        pending = self.take()
        if not len(pending):
            return 0
        try:
            with sessions.begin() as session:
                return write_counts(session, pending)
        except Exception:
            self.put_back(pending)
            raise


def write_counts(session: Session, pending: Pending) -> int:
    """Add the pending counts to `search_miss` and `dataset_usage`; tables and SQL names are resolved to
    their datasets here, and counts of datasets deleted meanwhile are left out."""
    uses: Counter[tuple[uuid.UUID, date, UseKind]] = Counter(pending.uses)
    owners = _datasets_of_tables(session, {distribution_id for distribution_id, _, _ in pending.tables})
    for (distribution_id, day, kind), count in pending.tables.items():
        if (dataset_id := owners.get(distribution_id)) is not None:
            uses[dataset_id, day, kind] += count
    named = _datasets_of_sql_names(session, {name for name, _ in pending.sql})
    for (name, day), count in pending.sql.items():
        if (dataset_id := named.get(name)) is not None:
            uses[dataset_id, day, "api"] += count
    existing = _existing_datasets(session, {dataset_id for dataset_id, _, _ in uses})
    # Sorted by key: two processes flushing at once lock the rows in the same order (no deadlock).
    miss_rows = [{"query": q, "day": day, "count": n} for (q, day), n in sorted(pending.misses.items())]
    use_rows = [
        {"dataset_id": dataset_id, "day": day, "kind": kind, "count": n}
        for (dataset_id, day, kind), n in sorted(
            uses.items(), key=lambda item: (str(item[0][0]), *item[0][1:])
        )
        if dataset_id in existing
    ]
    _add_counts(session, SearchMiss, ["query", "day"], miss_rows)
    _add_counts(session, DatasetUsage, ["dataset_id", "day", "kind"], use_rows)
    return len(miss_rows) + len(use_rows)


def _batches(keys: Iterable[K]) -> Iterator[list[K]]:
    """The keys, sorted, a few hundred at a time: a bound parameter each stays within every driver's limit."""
    ordered = sorted(keys, key=str)
    for start in range(0, len(ordered), LOOKUP_BATCH):
        yield ordered[start : start + LOOKUP_BATCH]


def _datasets_of_tables(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    found: dict[uuid.UUID, uuid.UUID] = {}
    for batch in _batches(ids):
        query = select(Distribution.id, Distribution.dataset_id).where(Distribution.id.in_(batch))
        found.update(session.execute(query).all())
    return found


def _datasets_of_sql_names(session: Session, names: set[str]) -> dict[str, uuid.UUID]:
    """The dataset of each name that is the SQL name of a table of a published dataset (what SQL reads)."""
    found: dict[str, uuid.UUID] = {}
    for batch in _batches(names):
        query = (
            select(DataTable.sql_name, Distribution.dataset_id)
            .join(Distribution, Distribution.id == DataTable.distribution_id)
            .join(Dataset, Dataset.id == Distribution.dataset_id)
            .where(DataTable.sql_name.in_(batch), Dataset.state == "published")
        )
        found.update(session.execute(query).all())
    return found


def _existing_datasets(session: Session, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for batch in _batches(ids):
        found.update(session.scalars(select(Dataset.id).where(Dataset.id.in_(batch))))
    return found


def _add_counts(session: Session, model: type[SearchMiss | DatasetUsage], keys: list[str],
                rows: list[dict[str, Any]]) -> None:  # fmt: skip
    """Insert the rows, or add their counts to the rows already there: one atomic statement per row."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(model)
    upsert = insert.on_conflict_do_update(
        index_elements=keys, set_={"count": model.__table__.c["count"] + insert.excluded["count"]}
    )
    session.execute(upsert, rows)


class Flusher:
    """A daemon thread that flushes the counter every `interval_s`, and once more when stopped."""

    def __init__(
        self, counter: DemandCounter, sessions: sessionmaker[Session], interval_s: float = FLUSH_INTERVAL_S
    ) -> None:
        self.counter, self.sessions, self.interval_s = counter, sessions, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demand-flusher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._flush()

    def _flush(self) -> None:
        try:
            self.counter.flush(self.sessions)
        except Exception:  # the counts are kept; the database may be back next time
            log.warning("could not write the counts of demand", exc_info=True)
        if self.counter.dropped:
            log.warning("left out %d counts of demand: too many different queries", self.counter.dropped)
            self.counter.dropped = 0


# --- the picture -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchCount:
    query: str
    searches: int
    days: int  # the number of different days it was searched for

    @property
    def is_public(self) -> bool:
        """Counted often enough to be published as open data."""
        return self.days >= PUBLISH_MIN_DAYS


@dataclass(frozen=True)
class MonthlyUse:
    dataset_id: uuid.UUID
    slug: str
    month: str  # YYYY-MM
    views: int
    downloads: int
    api_calls: int


@dataclass(frozen=True)
class Picture:
    """What staff see: unmet searches since `searches_since`, the open requests with most votes, public
    requests by state, and use per dataset and month since `usage_since`."""

    searches_since: date
    usage_since: date
    unmet_searches: list[SearchCount]
    most_voted: list[DataRequest]
    requests_by_state: dict[str, int]
    usage: list[MonthlyUse]


def days_back(days: int) -> date:
    """The first of the last `days` days (today included)."""
    return utcnow().date() - timedelta(days=days - 1)


def months_back(months: int) -> date:
    """The first day of the month `months - 1` months before this one: the last `months` months."""
    today = utcnow().date()
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def unmet_searches(
    session: Session, *, since: date, limit: int | None = None, public_only: bool = False
) -> list[SearchCount]:
    """Queries that found nothing since `since`, the most searched first. `public_only`: only those above
    the publishing threshold (at least 3 days or 3 searches)."""
    searches, days = func.sum(SearchMiss.count), func.count(SearchMiss.day)  # one row per query and day
    stmt = (
        select(SearchMiss.query, searches, days)
        .where(SearchMiss.day >= since)
        .group_by(SearchMiss.query)
        .order_by(searches.desc(), days.desc(), SearchMiss.query)
        .limit(limit)
    )
    if public_only:
        stmt = stmt.having(days >= PUBLISH_MIN_DAYS)
    return [SearchCount(query, int(n), int(d)) for query, n, d in session.execute(stmt)]


def most_voted_requests(session: Session, *, limit: int) -> list[DataRequest]:
    """The public requests still open (received, under review, planned) with the most votes."""
    return list(
        session.scalars(
            select(DataRequest).where(public_requests(), DataRequest.state.in_(OPEN_STATES))
            .order_by(DataRequest.votes.desc(), DataRequest.created_at.desc(), DataRequest.id).limit(limit)
        )
    )  # fmt: skip


def requests_by_state(session: Session) -> dict[str, int]:
    """How many public requests are in each state, every state named (0 when none)."""
    counted = dict(
        session.execute(
            select(DataRequest.state, func.count()).where(public_requests()).group_by(DataRequest.state)
        ).all()
    )
    return {state: int(counted.get(state, 0)) for state in (*OPEN_STATES, *CLOSED_STATES)}


def _month(session: Session) -> ColumnElement[str]:
    # The format is a literal, not a parameter: PostgreSQL must see the same expression in GROUP BY.
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(DatasetUsage.day, literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), DatasetUsage.day)


def monthly_usage(session: Session, viewer: Viewer, *, since: date) -> list[MonthlyUse]:
    """Views, downloads and API calls per dataset and month since `since`, of the datasets the viewer may
    see (published ones only for everyone else), by slug and month."""
    month = _month(session)

    def total(kind: UseKind) -> ColumnElement[Any]:
        return func.sum(case((DatasetUsage.kind == kind, DatasetUsage.count), else_=0))

    rows = session.execute(
        select(Dataset.id, Dataset.slug, month, *(total(kind) for kind in KINDS))
        .join(Dataset, Dataset.id == DatasetUsage.dataset_id)
        .where(DatasetUsage.day >= since, visible_datasets(viewer))
        .group_by(Dataset.id, Dataset.slug, month)
        .order_by(Dataset.slug, month)
    )  # fmt: skip
    return [MonthlyUse(i, slug, m, int(v), int(d), int(a)) for i, slug, m, v, d, a in rows]


def picture(
    session: Session, viewer: Viewer, *, days: int = 30, limit: int = 20, months: int = 12
) -> Picture:
    """The whole picture of demand for staff: unmet searches of the last `days` days (all of them, also those
    below the publishing threshold), the `limit` most voted open requests, and usage of the last `months`."""
    require_staff(viewer, to="see the picture of demand")  # 401 anonymous, 403 anyone else
    searches_since, usage_since = days_back(days), months_back(months)
    return Picture(
        searches_since=searches_since,
        usage_since=usage_since,
        unmet_searches=unmet_searches(session, since=searches_since, limit=limit),
        most_voted=most_voted_requests(session, limit=limit),
        requests_by_state=requests_by_state(session),
        usage=monthly_usage(session, viewer, since=usage_since),
    )


def searches_for_publishing(session: Session, *, days: int) -> list[SearchCount]:
    """The unmet searches of the last `days` days that may be published: above the threshold only."""
    return unmet_searches(session, since=days_back(days), public_only=True)


def usage_for_publishing(session: Session, *, months: int) -> Sequence[MonthlyUse]:
    """Use of the published datasets per month, for the open export."""
    return monthly_usage(session, None, since=months_back(months))

"""Rate limits on what people write: data requests, comments, votes, follows, reports and sign-ups.

Each client address and each account has sliding windows (by default 20 writes a minute per address, and 10 a
minute and 100 a day per account; see the settings). A write over a limit raises `TooManyRequests` (429 with
`Retry-After`) and is not counted, so that a client that keeps trying is let in again as soon as its oldest
write leaves the window.

The counts are kept in memory, per process: several `serve` processes (or workers behind a load balancer)
each keep their own, so the limits then hold per process rather than for the whole portal, and a restart
forgets them. That is enough against a script that floods the forms, which is what they are for; nothing is
written to the database and no address is stored anywhere else.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from datatorget.errors import TooManyRequests

MINUTE_S = 60.0
DAY_S = 86_400.0
PRUNE_EVERY = 1_000  # checks between two sweeps of keys whose windows have emptied


@dataclass(frozen=True)
class Window:
    """At most `limit` writes in any `seconds`."""

    limit: int
    seconds: float


@dataclass(frozen=True)
class Limits:
    per_address: Sequence[Window]
    per_account: Sequence[Window]

    @classmethod
    def of(cls, *, address_per_minute: int, account_per_minute: int, account_per_day: int) -> Limits:
        return cls(
            per_address=(Window(address_per_minute, MINUTE_S),),
            per_account=(Window(account_per_minute, MINUTE_S), Window(account_per_day, DAY_S)),
        )


class RateLimiter:
    """Sliding windows per key (`address:<ip>`, `account:<id>`), in memory. Thread-safe.

    Only the newest `limit` times of a key are kept (its largest limit): a write is refused when the
    `limit`-th newest write of some window is still inside it.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._writes: dict[str, deque[float]] = {}
        self._longest: dict[str, float] = {}
        self._checks = 0

    def check(self, limits: Limits, *, address: str, account: object | None = None) -> None:
        """Count one write from `address` (and `account`, when logged in), or raise TooManyRequests when it is
        over a limit; a refused write is not counted."""
        keys: list[tuple[str, Sequence[Window]]] = [(f"address:{address}", limits.per_address)]
        if account is not None:
            keys.append((f"account:{account}", limits.per_account))
        with self._lock:
            now = self._clock()
            wait = max((self._wait(key, windows, now) for key, windows in keys), default=0.0)
            if wait > 0:
                raise TooManyRequests(
                    f"too many writes: try again in {math.ceil(wait)} seconds", retry_after_s=math.ceil(wait)
                )
            for key, windows in keys:
                size = max(w.limit for w in windows)
                times = self._writes.get(key)
                if times is None or times.maxlen != size:
                    times = self._writes[key] = deque(times or (), maxlen=size)
                times.append(now)
                self._longest[key] = max(w.seconds for w in windows)
            self._checks += 1
            if self._checks % PRUNE_EVERY == 0:
                self._prune(now)

    def _wait(self, key: str, windows: Sequence[Window], now: float) -> float:
        """Seconds until the key may write again; 0 when it may now."""
        times = self._writes.get(key)
        if not times:
            return 0.0
        wait = 0.0
        for window in windows:
            if len(times) >= window.limit:
                oldest = times[-window.limit]
                wait = max(wait, oldest + window.seconds - now)
        return wait

    def _prune(self, now: float) -> None:
        for key in [
            k for k, times in self._writes.items() if not times or times[-1] + self._longest[k] <= now
        ]:
            del self._writes[key]
            del self._longest[key]

    def clear(self) -> None:
        with self._lock:
            self._writes.clear()
            self._longest.clear()

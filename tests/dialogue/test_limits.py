"""The rate limiter: sliding windows per address and per account, on a clock the tests move."""

from __future__ import annotations

import pytest

from datatorget.dialogue.limits import DAY_S, MINUTE_S, Limits, RateLimiter
from datatorget.errors import TooManyRequests

LIMITS = Limits.of(address_per_minute=3, account_per_minute=2, account_per_day=5)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limiter(clock: Clock) -> RateLimiter:
    return RateLimiter(clock)


def writes(
    limiter: RateLimiter, count: int, *, address: str = "192.0.2.1", account: object | None = None
) -> None:
    for _ in range(count):
        limiter.check(LIMITS, address=address, account=account)


def test_an_address_may_write_up_to_its_limit_in_a_minute(limiter: RateLimiter) -> None:
    writes(limiter, 3)

    with pytest.raises(TooManyRequests) as refused:
        writes(limiter, 1)

    assert refused.value.retry_after_s == 60
    assert str(refused.value) == "too many writes: try again in 60 seconds"


def test_the_window_slides_the_oldest_write_out_first(limiter: RateLimiter, clock: Clock) -> None:
    writes(limiter, 1)
    clock.now += 20
    writes(limiter, 2)
    clock.now += 30

    with pytest.raises(TooManyRequests) as refused:
        writes(limiter, 1)
    assert refused.value.retry_after_s == 10  # the first write leaves the window 60 s after it was made

    clock.now += 10
    writes(limiter, 1)


def test_a_refused_write_is_not_counted(limiter: RateLimiter, clock: Clock) -> None:
    writes(limiter, 3)
    for _ in range(5):
        with pytest.raises(TooManyRequests):
            writes(limiter, 1)

    clock.now += MINUTE_S

    writes(limiter, 3)  # the refused ones did not push the window further


def test_other_addresses_are_counted_apart(limiter: RateLimiter) -> None:
    writes(limiter, 3, address="192.0.2.1")

    writes(limiter, 3, address="192.0.2.2")


def test_an_account_is_limited_whichever_address_it_writes_from(limiter: RateLimiter) -> None:
    writes(limiter, 1, address="192.0.2.1", account="anna")
    writes(limiter, 1, address="198.51.100.7", account="anna")

    with pytest.raises(TooManyRequests):
        writes(limiter, 1, address="203.0.113.9", account="anna")
    writes(limiter, 1, address="203.0.113.9", account="bo")


def test_an_account_has_a_limit_per_day_as_well(limiter: RateLimiter, clock: Clock) -> None:
    for _ in range(5):
        writes(limiter, 1, account="anna")
        clock.now += MINUTE_S

    with pytest.raises(TooManyRequests) as refused:
        writes(limiter, 1, account="anna")

    first = 1_000.0
    assert refused.value.retry_after_s == int(first + DAY_S - clock.now)
    clock.now = first + DAY_S
    writes(limiter, 1, account="anna")


def test_a_write_over_the_account_limit_is_not_counted_for_the_address(limiter: RateLimiter) -> None:
    writes(limiter, 2, account="anna")
    with pytest.raises(TooManyRequests):
        writes(limiter, 1, account="anna")

    writes(limiter, 1)  # the address has made two writes, not three


def test_keys_whose_windows_have_emptied_are_forgotten(limiter: RateLimiter, clock: Clock) -> None:
    writes(limiter, 1, address="192.0.2.1", account="anna")
    clock.now += DAY_S
    for number in range(1_000):
        writes(limiter, 1, address=f"10.0.{number // 256}.{number % 256}")

    assert "address:192.0.2.1" not in limiter._writes
    assert "account:anna" not in limiter._writes

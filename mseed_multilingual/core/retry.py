"""One retry policy for every outgoing request: judges, translators, the OpenAI-compatible client.

Which failures are retried (:data:`RETRY_STATUSES`, timeouts, refused connections), how long to
wait (exponential backoff with jitter, capped; a server's Retry-After wins, capped too) and the
default limits of a request (:data:`DEFAULT_TIMEOUT`, a total deadline, and
:data:`MAX_RESPONSE_BYTES`) are defined here once; the loop itself is ``tenacity``'s.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import TypeVar

DEFAULT_TIMEOUT = 60.0  # seconds: the total deadline of one request (headers and body)
DEFAULT_MAX_RETRIES = 5
DEFAULT_CONCURRENCY = 4
MAX_RESPONSE_BYTES = 1_000_000  # an answer larger than this is an error, not a translation
BACKOFF_BASE = 0.5  # seconds; attempt n waits base * 2**n * jitter(0.5..1.5), capped
BACKOFF_CAP = 30.0
RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})

T = TypeVar("T")


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None when absent or
    unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError):
            return None
    return max(0.0, seconds) if seconds == seconds else None  # NaN: unreadable


def retryable_status(status: int | None) -> bool:
    """A status worth another try; None stands for a timeout or a failed connection."""
    return status is None or status in RETRY_STATUSES


class Backoff:
    """The wait before attempt n+1: ``base * 2**n * jitter``, capped, or the error's
    ``retry_after`` when longer (also capped). Seeded, thread-safe."""

    def __init__(self, base: float = BACKOFF_BASE, seed: int = 0):
        self.base = base
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def seconds(self, attempt: int, retry_after: float | None) -> float:
        with self._lock:
            jitter = self._rng.uniform(0.5, 1.5)
        wait = min(BACKOFF_CAP, self.base * (2 ** attempt) * jitter)
        return min(BACKOFF_CAP, max(wait, retry_after or 0.0))


def call_with_retries(attempt: Callable[[], T], max_retries: int, backoff: Backoff,
                      sleep: Callable[[float], None] = time.sleep,
                      on_retry: Callable[[], None] | None = None) -> T:
    """``attempt()`` until it returns, raises an error whose ``retryable`` is false, or has
    been tried ``max_retries + 1`` times; the last error is raised with the number of attempts
    made in ``error.attempts``."""
    import tenacity

    tries = [0]

    def counted() -> T:
        tries[0] += 1
        return attempt()

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        return backoff.seconds(state.attempt_number - 1, getattr(exc, "retry_after", None))

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(max_retries + 1), wait=wait, sleep=sleep,
        retry=tenacity.retry_if_exception(lambda e: bool(getattr(e, "retryable", False))),
        before_sleep=(lambda state: on_retry()) if on_retry else None, reraise=True)
    try:
        return retrying(counted)
    except Exception as exc:
        exc.attempts = tries[0]
        raise

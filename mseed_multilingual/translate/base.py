"""What every translation backend shares: language-code maps, retries, timeouts, a rate limit.

A backend only says how to make *one* attempt at one text (``_attempt``) and how to read its
errors (``classify``); the base class adds the policy that makes paid, rate-limited services
safe to use at scale: every attempt waits for the backend's rate limit, runs under a timeout,
and 429/5xx/timeouts are retried with exponential backoff and jitter (a Retry-After wins).
Results come back per item through a callback as soon as each one is ready, so the caller can
write it to the cache at once and a kill loses at most the requests in flight.
"""

from __future__ import annotations

import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mseed_multilingual.core.retry import (
    BACKOFF_BASE,
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_RESPONSE_BYTES,
    Backoff,
    call_with_retries,
)

# A request that timed out is tried once more, then the item is recorded as failed (a rerun
# tries it again): the same request to the same slow server times out again, and each retry
# of a greedy generation costs the server the whole generation once more.
DEFAULT_TIMEOUT_RETRIES = 1
# Items per batch of a translation run: the cache is fsynced and progress printed per batch
# (an hf translator also generates them together).
DEFAULT_BATCH = 32

ResultCallback = Callable[[int, "str | TranslateError"], None]


class TranslateError(Exception):
    """One text that could not be translated; ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, retryable: bool = False, status: int | None = None,
                 retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after
        self.timeout = False  # no answer in time (retried at most policy.timeout_retries)


class AttemptTimeout(TranslateError):
    """An attempt that gave no answer within the timeout (the request may still be running)."""

    def __init__(self, seconds: float):
        super().__init__(f"no answer within {seconds:g} s", retryable=True)
        self.timeout = True


@dataclass
class Policy:
    """How hard to push a backend: parallel requests, requests per second, retries, timeout."""

    concurrency: int = DEFAULT_CONCURRENCY
    rate_limit: float | None = None  # requests/s over all threads; None: backend default, 0: none
    max_retries: int = DEFAULT_MAX_RETRIES
    timeout: float | None = None  # seconds; None: the backend's default_timeout
    timeout_retries: int = DEFAULT_TIMEOUT_RETRIES
    backoff_base: float = BACKOFF_BASE
    seed: int = 0
    max_response_bytes: int = MAX_RESPONSE_BYTES  # a longer translation is an error

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {self.concurrency}")
        if self.rate_limit is not None and self.rate_limit < 0:
            raise ValueError(f"rate limit must be >= 0 requests/s, got {self.rate_limit}")
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {self.timeout}")
        if self.max_response_bytes < 1:
            raise ValueError(f"max response bytes must be >= 1, got {self.max_response_bytes}")


class RateLimiter:
    """Spaces attempts at least ``1/rate`` seconds apart over all threads (no bursts)."""

    def __init__(self, rate: float | None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = 1.0 / rate if rate else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            self._sleep(slot - now)


@dataclass
class Stats:
    """Attempts made (each one is a request to the service), retries, and the thread lock."""

    requests: int = 0
    retries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, requests: int = 0, retries: int = 0) -> None:
        with self._lock:
            self.requests += requests
            self.retries += retries


SIGNAL_POLL = 0.5
"""Seconds the caller's thread waits at most before looking for a Ctrl-C again. CPython runs a
signal's handler only in the main thread and only between bytecodes: a SIGINT that lands while
the main thread is about to block in a lock wait, or that the kernel hands to a worker thread,
is otherwise acted on only when the next answer arrives, minutes with a CPU-served model
(tests/test_translate_resume.py sends the signal to another thread and times out without this)."""


def _next(results: queue.SimpleQueue) -> Any:
    """The next finished item, waking every :data:`SIGNAL_POLL` s so a Ctrl-C is acted on."""
    while True:
        try:
            return results.get(timeout=SIGNAL_POLL)
        except queue.Empty:
            continue


def run_with_timeout(fn: Callable[[], str], timeout: float) -> str:
    """Run ``fn`` in a daemon thread and give up after ``timeout`` seconds.

    deep-translator calls ``requests`` without a timeout, so a stalled server would hang the
    run forever; the abandoned thread finishes (or not) on its own and its answer is dropped.
    """
    box: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, daemon=True, name="mseed-translate-attempt").start()
    deadline = time.monotonic() + timeout
    while not done.wait(min(SIGNAL_POLL, max(deadline - time.monotonic(), 0))):
        if time.monotonic() >= deadline:
            raise AttemptTimeout(timeout)
    if "error" in box:
        raise box["error"]
    return box["value"]


class Translator(ABC):
    """A translation backend. Subclasses set ``name``, ``codes`` and implement ``_attempt``.

    ``codes`` maps the suite's language codes (ISO 639-1, see ``languages.json``) to the
    backend's own codes (``zh`` -> ``zh-CN`` for Google, ``zho_Hans`` for NLLB, ...); a language
    missing from it is unsupported, and that is said before any request is made.
    """

    name: str = ""
    codes: dict[str, str] = {}
    default_rate_limit: float | None = None
    default_timeout: float = DEFAULT_TIMEOUT
    handles_timeout = False  # True when _attempt enforces policy.timeout itself

    def __init__(self, policy: Policy | None = None):
        self.policy = policy or Policy()
        if self.policy.rate_limit is None:
            self.policy.rate_limit = self.default_rate_limit
        if self.policy.timeout is None:
            self.policy.timeout = self.default_timeout
        self.limiter = RateLimiter(self.policy.rate_limit)
        self.stats = Stats()
        self.backoff = Backoff(self.policy.backoff_base, self.policy.seed)
        self.sleep: Callable[[float], None] = time.sleep

    # --- identity --------------------------------------------------------------------------

    @property
    def version(self) -> str:
        """The backend's software version (recorded in the manifest)."""
        return "unknown"

    def settings(self) -> dict[str, Any]:
        """Every setting that changes an answer (prompt version, token cap, decoding,
        precision): part of the cache key, so changing one is a cache miss (default: none)."""
        return {}

    @property
    def cache_id(self) -> str:
        """What makes two translations interchangeable: the backend name and its settings."""
        settings = self.settings()
        if not settings:
            return self.name
        return self.name + "@" + ",".join(f"{k}={v}" for k, v in sorted(settings.items()))

    def describe(self) -> dict[str, Any]:
        """Manifest entry: name, version and options, never a credential."""
        return {"name": self.name, "version": self.version, "cache_id": self.cache_id,
                "rate_limit": self.policy.rate_limit, "max_retries": self.policy.max_retries,
                "timeout": self.policy.timeout, "timeout_retries": self.policy.timeout_retries}

    # --- checks made before any request ----------------------------------------------------

    def supported_languages(self) -> list[str]:
        return sorted(self.codes)

    def code(self, lang: str) -> str:
        if lang not in self.codes:
            raise ValueError(self._unsupported([lang]))
        return self.codes[lang]

    def _unsupported(self, langs: Sequence[str]) -> str:
        return (f"backend {self.name!r} does not support language(s) {list(langs)}; "
                f"supported: {', '.join(self.supported_languages())}")

    def check_languages(self, langs: Sequence[str]) -> None:
        """Raise ValueError naming every unsupported language and listing the supported ones."""
        missing = [lang for lang in langs if lang not in self.codes]
        if missing:
            raise ValueError(self._unsupported(missing))

    def check_credentials(self) -> None:  # noqa: B027 - most backends need no key
        """Raise ValueError naming the environment variable that is missing (default: none)."""

    # --- translating -----------------------------------------------------------------------

    @abstractmethod
    def _attempt(self, text: str, source: str, target: str) -> str:
        """One request for one text (suite language codes); raise on any failure."""

    def classify(self, exc: BaseException) -> TranslateError:
        """Turn a backend's exception into a TranslateError that says whether to retry."""
        if isinstance(exc, TranslateError):
            return exc
        return TranslateError(f"{type(exc).__name__}: {exc}", retryable=False)

    def translate_one(self, text: str, source: str, target: str) -> str:
        """Translate one text with the rate limit, timeout, answer cap and retries of the
        policy (:mod:`.core.retry`); timeouts are retried at most ``policy.timeout_retries``
        times."""
        timeouts = [0]

        def attempt() -> str:
            try:
                return self._attempt_once(text, source, target)
            except TranslateError as err:
                self._bound_timeouts(err, timeouts)
                raise

        try:
            return call_with_retries(attempt, self.policy.max_retries, self.backoff, self.sleep,
                                     on_retry=lambda: self.stats.add(retries=1))
        except TranslateError as err:
            if err.retryable:
                err.args = (f"{err.args[0]} (gave up after {err.attempts} attempts)",)
            raise

    def _bound_timeouts(self, err: TranslateError, timeouts: list[int]) -> None:
        if not err.timeout:
            return
        timeouts[0] += 1
        if timeouts[0] > self.policy.timeout_retries:
            err.retryable = False
            err.args = (f"{err.args[0]} ({timeouts[0]} times; a rerun tries again, or raise "
                        f"--timeout)",)

    def _attempt_once(self, text: str, source: str, target: str) -> str:
        self.limiter.acquire()
        self.stats.add(requests=1)
        try:
            if self.handles_timeout:
                out = self._attempt(text, source, target)
            else:
                out = run_with_timeout(lambda: self._attempt(text, source, target),
                                       self.policy.timeout)
        except Exception as exc:  # classified: retried or returned to the caller
            raise self.classify(exc) from None
        size = len(out.encode("utf-8", "replace"))
        if size > self.policy.max_response_bytes:
            raise TranslateError(f"answer of {size} bytes is over the cap of "
                                 f"{self.policy.max_response_bytes} (--max-response-bytes)")
        return out

    def translate_many(self, texts: Sequence[str], source: str, target: str,
                       on_result: ResultCallback) -> None:
        """Translate ``texts``; ``on_result(index, text_or_error)`` runs in the caller's thread
        as soon as each item is done (in completion order)."""

        def one(i: int) -> tuple[int, str | TranslateError]:
            try:
                return i, self.translate_one(texts[i], source, target)
            except TranslateError as exc:
                return i, exc

        if self.policy.concurrency == 1:
            for i in range(len(texts)):
                on_result(*one(i))
            return
        todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        for i in range(len(texts)):
            todo.put(i)
        done: queue.SimpleQueue[tuple[int, str | TranslateError]] = queue.SimpleQueue()
        stop = threading.Event()

        def worker() -> None:
            while not stop.is_set():
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    return
                done.put(one(i))

        # Daemon threads, not a ThreadPoolExecutor: on Ctrl-C (or an error in on_result) the
        # caller returns at once and queued items are not requested; a request in flight is
        # abandoned and its answer dropped (never cached, so a rerun asks again). An executor
        # waits for its running requests, and the interpreter joins its threads at exit: with
        # a CPU-served model and retries that was minutes after Ctrl-C.
        for _ in range(min(self.policy.concurrency, len(texts))):
            threading.Thread(target=worker, daemon=True, name="mseed-translate").start()
        try:
            for _ in range(len(texts)):
                on_result(*_next(done))
        finally:
            stop.set()

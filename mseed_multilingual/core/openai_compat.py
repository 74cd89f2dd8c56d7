"""A small client for OpenAI-compatible chat-completions endpoints (vLLM, llama.cpp, hosted APIs).

Why not the ``openai`` package: it is not a dependency, and the judge and translation stages only
need one call with bounded concurrency, retries and a per-request timeout. The API key is read
from an environment variable at call time, sent only in the Authorization header, and never
logged, printed or put into an exception message.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime

from mseed_multilingual.core.io import BadJSON, parse_json
from mseed_multilingual.core.redact import check_base_url, redact

DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 5
DEFAULT_CONCURRENCY = 4
BACKOFF_BASE = 0.5  # seconds; attempt n waits base * 2**n * jitter(0.5..1.5), capped
BACKOFF_CAP = 30.0
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


class EndpointError(RuntimeError):
    """A chat-completions call that failed for good (after retries, or not retryable)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class ChatClient:
    """Chat completions against ``base_url`` (e.g. ``http://127.0.0.1:8000/v1``)."""

    def __init__(self, base_url: str, model: str, api_key_env: str = "OPENAI_API_KEY",
                 timeout: float = DEFAULT_TIMEOUT, max_retries: int = DEFAULT_MAX_RETRIES,
                 concurrency: int = DEFAULT_CONCURRENCY, seed: int = 0,
                 sleep: Callable[[float], None] = time.sleep):
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {concurrency}")
        self.url = check_base_url(base_url).rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.max_retries = max_retries
        self.concurrency = concurrency
        self._sleep = sleep
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._local = threading.local()
        self.stats = {"requests": 0, "retries": 0}

    def _session(self):
        import requests

        if getattr(self._local, "session", None) is None:
            self._local.session = requests.Session()
        return self._local.session

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        key = self._key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        with self._rng_lock:
            jitter = self._rng.uniform(0.5, 1.5)
        wait = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt) * jitter)
        return min(BACKOFF_CAP, max(wait, retry_after or 0.0))

    def _post_once(self, body: bytes) -> tuple[int, str, str | None]:
        import requests

        try:
            resp = self._session().post(self.url, data=body, headers=self._headers(),
                                        timeout=self.timeout)
        except requests.Timeout:
            return -1, f"no answer within {self.timeout:g} s", None
        except requests.ConnectionError as exc:
            return -2, f"cannot connect to {self.url}: {type(exc).__name__}", None
        return resp.status_code, resp.text, resp.headers.get("Retry-After")

    def complete(self, messages: list[dict], **params) -> str:
        """The assistant text for one conversation; retries 429/5xx/timeouts with backoff."""
        body = json.dumps({"model": self.model, "messages": messages, **params}).encode()
        for attempt in range(self.max_retries + 1):
            self.stats["requests"] += 1
            status, text, retry_after = self._post_once(body)
            if status == 200:
                try:
                    return _content(text, self.url)
                except EndpointError as exc:  # its message quotes the answer: scrub the key
                    raise EndpointError(redact(str(exc), [self._key()])) from None
            retryable = status < 0 or status in RETRY_STATUSES
            if not retryable or attempt == self.max_retries:
                # redact before cutting: a cut could leave the front half of the key
                body = redact(text, [self._key()])
                detail = body if status < 0 else f"HTTP {status}: {body[:300]}"
                tries = f" after {attempt + 1} attempts" if retryable else ""
                raise EndpointError(redact(f"{self.url}{tries}: {detail}", [self._key()]),
                                    status if status > 0 else None)
            self.stats["retries"] += 1
            self._sleep(self._backoff(attempt, _retry_after(retry_after)))
        raise AssertionError("unreachable")

    def complete_many(self, conversations: Sequence[list[dict]],
                      **params) -> list[str | Exception]:
        """Answers in input order; a failed conversation yields its exception, not a raise."""

        def one(messages: list[dict]) -> str | Exception:
            try:
                return self.complete(messages, **params)
            except Exception as exc:  # returned to the caller per item
                return exc

        if self.concurrency == 1 or len(conversations) <= 1:
            return [one(m) for m in conversations]
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(one, conversations))

    def models(self) -> list[str]:
        """Model ids the endpoint serves (GET /models)."""
        resp = self._session().get(self.url.rsplit("/chat/completions", 1)[0] + "/models",
                                   headers=self._headers(), timeout=self.timeout)
        if resp.status_code != 200:
            raise EndpointError(f"GET models: HTTP {resp.status_code}", resp.status_code)
        return [m["id"] for m in resp.json().get("data", [])]


def _content(text: str, url: str) -> str:
    try:
        obj = parse_json(text)  # depth-bounded: a hostile server cannot raise RecursionError
        content = obj["choices"][0]["message"].get("content")
    except (BadJSON, KeyError, IndexError, TypeError, AttributeError) as exc:
        reason = exc.__cause__ if isinstance(exc, BadJSON) and exc.__cause__ else exc
        raise EndpointError(f"{url}: not a chat-completions answer ({reason}): {text[:200]}"
                            ) from exc
    return content or ""

"""A small client for OpenAI-compatible chat-completions endpoints (vLLM, llama.cpp, hosted APIs).

Why not the ``openai`` package: it is not a dependency, and the judge and translation stages only
need one call with bounded concurrency, retries and a per-request timeout. The API key is read
from an environment variable at call time, sent only in the Authorization header, and never
logged, printed or put into an exception message.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from mseed_multilingual.core.io import BadJSON, parse_json
from mseed_multilingual.core.redact import check_base_url, redact
from mseed_multilingual.core.retry import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_RESPONSE_BYTES,
    Backoff,
    call_with_retries,
    retry_after_seconds,
    retryable_status,
)

READ_BLOCK = 65536


class EndpointError(RuntimeError):
    """A chat-completions call that failed (``retryable``: worth another try)."""

    def __init__(self, message: str, status: int | None = None, retryable: bool = False,
                 retry_after: float | None = None):
        super().__init__(message)
        self.status, self.retryable, self.retry_after = status, retryable, retry_after


def post(url: str, body: bytes, headers: dict[str, str], timeout: float,
         max_bytes: int) -> tuple[int, bytes, str | None]:
    """(status, body, Retry-After) of one POST, within a *total* deadline of ``timeout``
    seconds for connecting, sending and receiving headers and body (a watchdog closes the
    socket at the deadline: a server dripping a byte a second cannot hold the call), and with
    at most ``max_bytes`` of body read. EndpointError (status None, retryable) otherwise."""
    conn, path = _connection(url, timeout)
    expired = threading.Event()

    def abort() -> None:
        expired.set()
        if conn.sock is not None:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout, abort)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request("POST", path, body, headers)
        resp = conn.getresponse()
        data = bytearray()
        while block := resp.read(min(READ_BLOCK, max_bytes + 1 - len(data))):
            data += block
            if len(data) > max_bytes:
                raise EndpointError(f"{url}: answer larger than {max_bytes} bytes "
                                    f"(--max-response-bytes)", resp.status)
        if expired.is_set():
            raise OSError("deadline")
        return resp.status, bytes(data), resp.getheader("Retry-After")
    except (OSError, http.client.HTTPException) as exc:
        # The socket's own timeout (also ``timeout``) can fire before the watchdog thread runs
        # on a loaded machine: that is the deadline too, not a connection error to retry.
        if expired.is_set() or isinstance(exc, TimeoutError):
            raise EndpointError(f"{url}: no complete answer within {timeout:g} s (total "
                                f"deadline, --timeout)", None, retryable=True) from None
        raise EndpointError(f"cannot connect to {url}: {type(exc).__name__}", None,
                            retryable=True) from None
    finally:
        watchdog.cancel()
        conn.close()


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    """A connection for ``url`` and the request target: through the proxy of the environment
    (HTTPS_PROXY/HTTP_PROXY, NO_PROXY respected, as requests does) when one applies; HTTPS
    verified against certifi's CA bundle, as requests does."""
    import urllib.request

    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and urllib.request.proxy_bypass(host):
        proxy = None
    via = urlsplit(proxy if proxy and "://" in proxy else f"http://{proxy}") if proxy else None
    if parts.scheme == "https":
        import ssl

        import certifi

        context = ssl.create_default_context(cafile=certifi.where())
        if via:
            conn = http.client.HTTPSConnection(via.hostname or "", via.port or 80,
                                               timeout=timeout, context=context)
            conn.set_tunnel(host, port)
            return conn, path
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=context), path
    if via:  # a plain-HTTP proxy takes the absolute URL as the request target
        return http.client.HTTPConnection(via.hostname or "", via.port or 80,
                                          timeout=timeout), url
    return http.client.HTTPConnection(host, port, timeout=timeout), path


class ChatClient:
    """Chat completions against ``base_url`` (e.g. ``http://127.0.0.1:8000/v1``)."""

    def __init__(self, base_url: str, model: str, api_key_env: str = "OPENAI_API_KEY",
                 timeout: float = DEFAULT_TIMEOUT, max_retries: int = DEFAULT_MAX_RETRIES,
                 concurrency: int = DEFAULT_CONCURRENCY, seed: int = 0,
                 sleep: Callable[[float], None] = time.sleep,
                 max_response_bytes: int = MAX_RESPONSE_BYTES):
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {concurrency}")
        if timeout <= 0 or max_response_bytes < 1:
            raise ValueError("timeout and max_response_bytes must be positive")
        self.url = check_base_url(base_url).rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.max_retries = max_retries
        self.concurrency = concurrency
        self.max_response_bytes = max_response_bytes
        self._sleep = sleep
        self._backoff = Backoff(seed=seed)
        self._lock = threading.Lock()
        self.stats = {"requests": 0, "retries": 0}

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        key = self._key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def _count(self, name: str) -> None:
        with self._lock:
            self.stats[name] += 1

    def _attempt(self, body: bytes) -> str:
        """One request; EndpointError with its key scrubbed on any failure."""
        self._count("requests")
        try:
            status, raw, retry_after = post(self.url, body, self._headers(), self.timeout,
                                            self.max_response_bytes)
        except EndpointError as exc:
            raise EndpointError(redact(str(exc), [self._key()]), exc.status,
                                exc.retryable) from None
        text = raw.decode("utf-8", "replace")
        if status == 200:
            try:
                return _content(text, self.url)
            except EndpointError as exc:  # its message quotes the answer: scrub the key
                raise EndpointError(redact(str(exc), [self._key()])) from None
        # redact before cutting: a cut could leave the front half of the key
        detail = redact(text, [self._key()])[:300]
        raise EndpointError(redact(f"{self.url}: HTTP {status}: {detail}", [self._key()]),
                            status, retryable_status(status), retry_after_seconds(retry_after))

    def complete(self, messages: list[dict], **params) -> str:
        """The assistant text for one conversation; retries 429/5xx/timeouts with backoff."""
        body = json.dumps({"model": self.model, "messages": messages, **params}).encode()
        try:
            return call_with_retries(lambda: self._attempt(body), self.max_retries,
                                     self._backoff, self._sleep,
                                     on_retry=lambda: self._count("retries"))
        except EndpointError as exc:
            if exc.retryable and exc.attempts > 1:
                exc.args = (str(exc).replace(f"{self.url}:", f"{self.url} after "
                                             f"{exc.attempts} attempts:", 1),)
            raise

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
        import requests

        resp = requests.get(self.url.rsplit("/chat/completions", 1)[0] + "/models",
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

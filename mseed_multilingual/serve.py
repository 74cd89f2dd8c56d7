"""A small real OpenAI-compatible server (``POST /v1/chat/completions``, ``GET /v1/models``).

It serves a local HF or GGUF model through transformers so that the endpoint judge and the
translation backend are tested against a real HTTP server on loopback, and so that a user
without vLLM can put a guard model behind the same API. Requests that arrive together are
generated together (micro-batching through :func:`.core.generation.generate_texts`); an optional
added latency and a fault plan (status codes, stalls, empty or fixed answers) reproduce what
remote endpoints do, for tests and benchmarks. Generation is always greedy (deterministic).
The OpenAI ``stop`` field (a string or up to 4 strings; lm-eval's local-chat-completions sends
``--gen_kwargs until=...`` there) cuts the answer before the first stop string, as OpenAI and
vLLM do.

The server may face a lab network: the route and the API key (constant-time comparison) are
checked before the body is read, the body is capped by its Content-Length before reading, every
socket has a timeout, the number of open connections is bounded (one more gets a 503 at once),
and every malformed request is answered with a 4xx and an OpenAI-style error object, never a
dropped connection or a traceback.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import queue
import select
import socket
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mseed_multilingual.core.generation import chat_prompt, generate_texts
from mseed_multilingual.core.io import InputError, loads

DEFAULT_MAX_TOKENS = 64  # new tokens of a request that names no max_tokens
MAX_TOKENS_CAP = 1024  # larger requests are generated with this many tokens
MAX_TOKENS_LIMIT = 131_072  # above any context window: a request asking more is a 400
MAX_BODY_BYTES = 1_000_000  # request body cap (Content-Length), `mseed serve --max-body`
MAX_CONNECTIONS = 64  # open connections served at once, `mseed serve --max-connections`
SOCKET_TIMEOUT = 60.0  # seconds a connection may stay silent (idle keep-alive or slow client)
MAX_MESSAGES = 1024
MAX_STOP = 4  # OpenAI's limit on the number of stop strings
REFUSE_DRAIN = 0.05  # seconds the accept loop waits for a refused client's request
MICRO_BATCH = 8
MICRO_BATCH_WAIT = 0.005  # seconds a batch waits for more requests
CLIENT_CHECK = 0.25  # seconds between checks that a waiting client is still connected
ECHO_MODEL = "echo"


def client_gone(sock: socket.socket) -> bool:
    """True when the peer of ``sock`` has closed its end (or reset it): a readable socket with
    nothing to read. A client that timed out and left must not keep the model busy."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):  # reset, or already closed
        return True


class _Generator:
    """One worker thread owning the model; requests queued together are generated together.

    Each request carries a ``cancelled`` event that its handler sets when the client hangs up:
    a cancelled request still queued is dropped, and one being generated stops after the
    current token (:func:`.core.generation.generate_texts`), so the model is free for clients
    that still wait (``cancelled`` counts these requests)."""

    def __init__(self, lm: Any, tokenizer: Any, max_batch: int = MICRO_BATCH):
        self.lm, self.tokenizer, self.max_batch = lm, tokenizer, max_batch
        self._queue: queue.Queue = queue.Queue()
        self.cancelled = 0
        self.busy = False
        self._thread = threading.Thread(target=self._loop, daemon=True, name="mseed-serve-gen")
        self._thread.start()

    def submit(self, prompt: str, max_tokens: int,
               cancelled: threading.Event | None = None) -> Future:
        fut: Future = Future()
        self._queue.put((prompt, max_tokens, fut, cancelled or threading.Event()))
        return fut

    def _take(self) -> list[tuple[str, int, Future]] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        deadline = time.monotonic() + MICRO_BATCH_WAIT
        while len(batch) < self.max_batch:
            try:
                item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if item is None:
                self._queue.put(None)
                break
            batch.append(item)
        return batch

    def _loop(self) -> None:
        while (batch := self._take()) is not None:
            self.busy = True
            for max_tokens in sorted({b[1] for b in batch}):
                group = [b for b in batch if b[1] == max_tokens]
                try:
                    texts = generate_texts(self.lm, self.tokenizer, [g[0] for g in group],
                                           max_tokens, batch_size=len(group),
                                           cancelled=[g[3].is_set for g in group])
                except Exception as exc:  # handed to the waiting request threads
                    for g in group:
                        g[2].set_exception(exc)
                    continue
                for g, text in zip(group, texts, strict=True):
                    self.cancelled += g[3].is_set()
                    g[2].set_result(text)
            self.busy = self._queue.qsize() > 0

    def stop(self) -> None:
        self._queue.put(None)


@dataclass
class FaultPlan:
    """Faults served to the next requests, one entry per request, in order.

    Entries: an int status (``429``, ``500``, ...) or ``{"status": 429, "retry_after": 0.1}``;
    ``{"stall": seconds}`` (answer normally after the stall); ``"empty"`` (empty content);
    ``{"answer": text}`` (a fixed answer); ``"echo"`` (the last user message, unchanged).
    """

    entries: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def next(self) -> Any:
        with self._lock:
            return self.entries.pop(0) if self.entries else None


class ServerHandle:
    """A running server: ``url`` (``http://127.0.0.1:PORT/v1``), counters, ``stop()``."""

    def __init__(self, httpd: ThreadingHTTPServer, generator: _Generator | None, name: str):
        self.httpd, self.generator, self.model_name = httpd, generator, name
        host, port = httpd.server_address[:2]
        self.url = f"http://{host}:{port}/v1"
        self.requests = 0
        self.unauthorized = 0
        self._thread = threading.Thread(target=httpd.serve_forever, daemon=True,
                                        name="mseed-serve-http")
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.generator:
            self.generator.stop()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _last_user(messages: list[dict]) -> str:
    users = [m.get("content") or "" for m in messages if m.get("role") == "user"]
    return users[-1] if users else ""


def _completion(model: str, text: str, finish: str = "stop") -> dict:
    return {"id": f"chatcmpl-{time.time_ns()}", "object": "chat.completion",
            "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "finish_reason": finish,
                         "message": {"role": "assistant", "content": text}}]}


class RequestError(Exception):
    """A request answered with ``status`` and an OpenAI-style error object."""

    def __init__(self, status: int, message: str, param: str | None = None,
                 kind: str = "invalid_request_error"):
        super().__init__(message)
        self.status, self.param, self.kind = status, param, kind

    def body(self) -> dict:
        return error_object(str(self), self.kind, self.param, self.status)


def error_object(message: str, kind: str = "invalid_request_error", param: str | None = None,
                 status: int = 400) -> dict:
    """The error shape OpenAI clients parse: ``{"error": {message, type, param, code}}``."""
    return {"error": {"message": message, "type": kind, "param": param, "code": status}}


def content_length(value: str | None, max_body: int) -> int:
    """The declared body size, checked before a byte of the body is read."""
    if value is None:
        raise RequestError(411, "a Content-Length header is required")
    text = value.strip()
    if not text.isdigit() or not text.isascii():
        raise RequestError(400, f"Content-Length must be a non-negative integer, got "
                                f"{value[:40]!r}")
    length = int(text)
    if length > max_body:
        raise RequestError(413, f"request body of {length} bytes is over the {max_body}-byte "
                                f"limit (mseed serve --max-body)")
    return length


def parse_chat_request(raw: bytes) -> tuple[list[dict], int, tuple[str, ...]]:
    """(messages, max_tokens, stop strings) of a chat-completions body; RequestError(400)
    naming the field."""
    try:
        req = loads(raw, "request body")
    except InputError as exc:
        raise RequestError(400, str(exc)) from None
    if not isinstance(req, dict):
        raise RequestError(400, "the request body must be a JSON object")
    messages = req.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError(400, "'messages' must be a non-empty list", "messages")
    if len(messages) > MAX_MESSAGES:
        raise RequestError(400, f"more than {MAX_MESSAGES} messages", "messages")
    for i, m in enumerate(messages):
        if not (isinstance(m, dict) and isinstance(m.get("role"), str)
                and isinstance(m.get("content"), (str, type(None)))):
            raise RequestError(400, f"messages[{i}] must be an object with a text 'role' and "
                                    f"a text 'content'", f"messages[{i}]")
    return messages, _max_tokens(req), _stop(req)


def _max_tokens(req: dict) -> int:
    field_name = "max_tokens" if "max_tokens" in req else "max_completion_tokens"
    value = req.get(field_name)
    if value is None:
        return DEFAULT_MAX_TOKENS
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise RequestError(400, f"'{field_name}' must be a positive integer, got {value!r}"[:200],
                           field_name)
    if value > MAX_TOKENS_LIMIT:
        raise RequestError(400, f"'{field_name}' = {value} is over the limit of "
                                f"{MAX_TOKENS_LIMIT}", field_name)
    return min(value, MAX_TOKENS_CAP)


def _stop(req: dict) -> tuple[str, ...]:
    """The ``stop`` field: null, a string or a list of at most :data:`MAX_STOP` strings (an
    empty string would cut every answer to nothing, so it is refused too)."""
    value = req.get("stop")
    if value is None:
        return ()
    stops = [value] if isinstance(value, str) else value
    if not isinstance(stops, list) or not all(isinstance(x, str) and x for x in stops):
        raise RequestError(400, f"'stop' must be a non-empty string or a list of non-empty "
                                f"strings, got {value!r}"[:200], "stop")
    if len(stops) > MAX_STOP:
        raise RequestError(400, f"'stop' has {len(stops)} entries; at most {MAX_STOP}", "stop")
    return tuple(stops)


def apply_stop(text: str, stops: Sequence[str]) -> str:
    """``text`` up to (not including) the earliest occurrence of any stop string."""
    cut = min((i for i in (text.find(x) for x in stops) if i >= 0), default=len(text))
    return text[:cut]


class BoundedHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that serves at most ``max_connections`` connections at once;
    one more is answered 503 at once and closed (a slow or idle client cannot pile up
    threads), and every connection socket has a timeout."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], handler: type, max_connections: int,
                 timeout: float):
        self.max_connections = max_connections
        self.socket_timeout = timeout
        self._slots = threading.BoundedSemaphore(max_connections)
        self.refused = 0
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(self.socket_timeout)
        if not self._slots.acquire(blocking=False):
            self.refused += 1
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _refuse(self, request: socket.socket) -> None:
        body = json.dumps(error_object(
            f"server busy: {self.max_connections} connections open; retry later",
            "server_error", None, 503)).encode()
        head = (f"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n")
        with contextlib.suppress(OSError):
            request.settimeout(REFUSE_DRAIN)  # read what the client sent: closing a socket
            request.recv(65536)  # with unread data resets it before the 503 is read
        with contextlib.suppress(OSError):
            request.settimeout(1.0)
            request.sendall(head.encode() + body)
        self.shutdown_request(request)


def _make_handler(state: dict) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = state["socket_timeout"]

        def log_message(self, format: str, *args: Any) -> None:  # quiet; never logs headers
            return None

        def _send(self, status: int, obj: dict, headers: dict | None = None) -> None:
            body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                self.close_connection = True

        def send_error(self, code: int, message: str | None = None,
                       explain: str | None = None) -> None:
            """Errors found by the standard library (bad request line, unknown method, headers
            too long) in the same JSON shape as ours, and the connection closed."""
            self.close_connection = True
            if self.request_version == "HTTP/0.9":  # an unparsed request line: answer 1.1
                self.request_version = "HTTP/1.1"
            text = message or self.responses.get(code, ("error",))[0]
            with contextlib.suppress(OSError):
                self._send(code, error_object(text, status=code))

        def _refuse(self, exc: RequestError, unread_body: bool = False) -> None:
            if unread_body:  # the body is still in the socket: this connection cannot go on
                self.close_connection = True
            self._send(exc.status, exc.body())

        def _authorized(self) -> bool:
            key = state["api_key"]
            if not key:
                return True
            given = self.headers.get("Authorization", "").encode("utf-8", "replace")
            if hmac.compare_digest(given, f"Bearer {key}".encode()):
                return True
            state["handle"].unauthorized += 1
            return False

        def do_GET(self) -> None:
            if self.path.rstrip("/") != "/v1/models":
                self._send(404, error_object(f"no route {self.path[:200]}", status=404))
            elif not self._authorized():
                self._send(401, error_object("invalid or missing API key",
                                             "authentication_error", status=401))
            else:
                self._send(200, {"object": "list", "data": [
                    {"id": state["name"], "object": "model", "owned_by": "mseed"}]})

        def do_POST(self) -> None:
            try:
                if self.path.rstrip("/") != "/v1/chat/completions":
                    raise RequestError(404, f"no route {self.path[:200]}")
                if not self._authorized():
                    raise RequestError(401, "invalid or missing API key", None,
                                       "authentication_error")
                length = content_length(self.headers.get("Content-Length"),
                                        state["max_body"])
            except RequestError as exc:
                self._refuse(exc, unread_body=True)
                return
            raw = self.rfile.read(length)
            if len(raw) < length:
                self.close_connection = True
                return  # the client went away (or timed out) mid-body: nobody to answer
            state["handle"].requests += 1
            try:
                messages, max_tokens, stops = parse_chat_request(raw)
            except RequestError as exc:
                self._refuse(exc)
                return
            self._answer(messages, max_tokens, stops)

        def _answer(self, messages: list[dict], max_tokens: int,
                    stops: tuple[str, ...] = ()) -> None:
            fault = state["faults"].next()
            if state["latency"]:
                time.sleep(state["latency"])
            if isinstance(fault, int) or (isinstance(fault, dict) and "status" in fault):
                status = fault if isinstance(fault, int) else fault["status"]
                extra = fault.get("retry_after") if isinstance(fault, dict) else None
                headers = {"Retry-After": str(extra)} if extra is not None else None
                self._send(status, {"error": {"message": f"injected fault {status}"}}, headers)
                return
            if isinstance(fault, dict) and "stall" in fault:
                time.sleep(float(fault["stall"]))
            if fault == "empty":
                self._send(200, _completion(state["name"], ""))
            elif isinstance(fault, dict) and "answer" in fault:
                self._send(200, _completion(state["name"], str(fault["answer"])))
            elif fault == "echo" or state["generator"] is None:
                self._send(200, _completion(state["name"], apply_stop(_last_user(messages),
                                                                      stops)))
            else:
                self._generate(messages, max_tokens, stops)

        def _generate(self, messages: list[dict], max_tokens: int,
                      stops: tuple[str, ...] = ()) -> None:
            gen = state["generator"]
            try:
                prompt = chat_prompt(gen.tokenizer, messages)
            except Exception as exc:  # e.g. a template that rejects the system role
                self._send(400, error_object(f"chat template: {exc}"[:500]))
                return
            cancelled = threading.Event()
            fut = gen.submit(prompt, max_tokens, cancelled)
            try:
                while True:
                    try:
                        text = fut.result(timeout=CLIENT_CHECK)
                        break
                    except TimeoutError:
                        if client_gone(self.connection):  # stop generating for nobody
                            cancelled.set()
                            self.close_connection = True
                            return
            except Exception as exc:
                self._send(500, error_object(f"generation failed: {exc}"[:500], "server_error",
                                             status=500))
                return
            self._send(200, _completion(state["name"], apply_stop(text, stops)))

    return Handler


def start_server(model: Any, gguf_file: str | None = None, host: str = "127.0.0.1",
                 port: int = 0, latency: float = 0.0, faults: Sequence | FaultPlan | None = None,
                 api_key: str | None = None, name: str | None = None,
                 max_batch: int = MICRO_BATCH, max_body: int = MAX_BODY_BYTES,
                 max_connections: int = MAX_CONNECTIONS,
                 socket_timeout: float = SOCKET_TIMEOUT) -> ServerHandle:
    """Start serving in background threads and return at once (the model is loaded first).

    ``model``: a hub id or folder (with ``gguf_file``), an already loaded ``(lm, tokenizer)``
    pair, or ``None``/``"echo"`` for a model-less server that answers the last user message
    unchanged (for client tests). ``port=0`` picks a free port; see ``handle.url``.
    ``max_body`` (bytes), ``max_connections`` and ``socket_timeout`` (seconds) are the limits
    of the module docstring.
    """
    if max_body < 1 or max_connections < 1 or socket_timeout <= 0:
        raise ValueError("max_body, max_connections and socket_timeout must be positive")
    generator = None
    if isinstance(model, tuple):
        generator = _Generator(*model, max_batch=max_batch)
        default_name = getattr(model[0].config, "name_or_path", "") or "local-model"
    elif model in (None, ECHO_MODEL):
        default_name = ECHO_MODEL
    else:
        from mseed_multilingual.core.models import load_hf

        generator = _Generator(*load_hf(str(model), gguf_file=gguf_file), max_batch=max_batch)
        default_name = str(model)
    plan = faults if isinstance(faults, FaultPlan) else FaultPlan(list(faults or []))
    state: dict[str, Any] = {"name": name or default_name, "generator": generator,
                             "latency": latency, "faults": plan, "api_key": api_key,
                             "max_body": max_body, "socket_timeout": socket_timeout}
    httpd = BoundedHTTPServer((host, port), _make_handler(state), max_connections,
                              socket_timeout)
    handle = ServerHandle(httpd, generator, state["name"])
    state["handle"] = handle
    return handle

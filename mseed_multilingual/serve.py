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

The server may face a lab network: its limits (connections, deadlines for headers and body,
fairness between clients, the key checked before the body is read, body size, OpenAI-style 4xx
answers, never a traceback) are those of the shared base in :mod:`.core.http_server`.
"""

from __future__ import annotations

import queue
import select
import socket
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from mseed_multilingual.core.generation import chat_prompt, generate_texts
from mseed_multilingual.core.http_server import (
    BODY_TIMEOUT,
    HEADER_TIMEOUT,
    MAX_BODY_BYTES,
    MAX_CONNECTIONS,
    SOCKET_TIMEOUT,
    BoundedHTTPServer,
    JSONHandler,
    RequestError,
    parse_body,
)

DEFAULT_MAX_TOKENS = 64  # new tokens of a request that names no max_tokens
MAX_TOKENS_CAP = 1024  # larger requests are generated with this many tokens
MAX_TOKENS_LIMIT = 131_072  # above any context window: a request asking more is a 400
MAX_MESSAGES = 1024
MAX_STOP = 4  # OpenAI's limit on the number of stop strings
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

    def __init__(self, httpd: BoundedHTTPServer, generator: _Generator | None, name: str):
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


def parse_chat_request(raw: bytes) -> tuple[list[dict], int, tuple[str, ...]]:
    """(messages, max_tokens, stop strings) of a chat-completions body; RequestError(400)
    naming the field."""
    req = parse_body(raw)
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


@dataclass
class ServerState:
    """What every request of one server reads (fixed at start) and the handle whose counters
    the requests update (set once the server is listening)."""

    name: str
    generator: _Generator | None
    latency: float
    faults: FaultPlan
    api_key: str | None
    max_body: int
    handle: ServerHandle = field(init=False)


def _make_handler(state: ServerState) -> type[JSONHandler]:
    class Handler(JSONHandler):
        api_key = state.api_key

        def do_GET(self) -> None:
            if self.path.rstrip("/") != "/v1/models":
                raise RequestError(404, f"no route {self.path[:200]}")
            self._check_key()
            self.send_json(200, {"object": "list", "data": [
                {"id": state.name, "object": "model", "owned_by": "mseed"}]})

        def _check_key(self) -> None:
            if not self.authorized():
                state.handle.unauthorized += 1
                raise RequestError(401, "invalid or missing API key", None,
                                   "authentication_error")

        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/v1/chat/completions":
                raise RequestError(404, f"no route {self.path[:200]}")
            self._check_key()
            raw = self.read_body(state.max_body)
            if raw is None:
                return  # the client went away or missed the body deadline
            state.handle.requests += 1
            self._answer(*parse_chat_request(raw))

        def _answer(self, messages: list[dict], max_tokens: int,
                    stops: tuple[str, ...] = ()) -> None:
            fault = state.faults.next()
            if state.latency:
                time.sleep(state.latency)
            if isinstance(fault, int) or (isinstance(fault, dict) and "status" in fault):
                status = fault if isinstance(fault, int) else fault["status"]
                extra = fault.get("retry_after") if isinstance(fault, dict) else None
                headers = {"Retry-After": str(extra)} if extra is not None else None
                self.send_json(status, {"error": {"message": f"injected fault {status}"}},
                               headers)
                return
            if isinstance(fault, dict) and "stall" in fault:
                time.sleep(float(fault["stall"]))
            if fault == "empty":
                self.send_json(200, _completion(state.name, ""))
            elif isinstance(fault, dict) and "answer" in fault:
                self.send_json(200, _completion(state.name, str(fault["answer"])))
            elif fault == "echo" or state.generator is None:
                self.send_json(200, _completion(state.name, apply_stop(_last_user(messages),
                                                                          stops)))
            else:
                self._generate(messages, max_tokens, stops)

        def _generate(self, messages: list[dict], max_tokens: int,
                      stops: tuple[str, ...] = ()) -> None:
            gen = state.generator
            try:
                prompt = chat_prompt(gen.tokenizer, messages)
            except Exception as exc:  # e.g. a template that rejects the system role
                raise RequestError(400, f"chat template: {exc}"[:500]) from None
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
                raise RequestError(500, f"generation failed: {exc}"[:500], None,
                                   "server_error") from None
            self.send_json(200, _completion(state.name, apply_stop(text, stops)))

    return Handler


def start_server(model: Any, gguf_file: str | None = None, host: str = "127.0.0.1",
                 port: int = 0, latency: float = 0.0, faults: Sequence | FaultPlan | None = None,
                 api_key: str | None = None, name: str | None = None,
                 max_batch: int = MICRO_BATCH, max_body: int = MAX_BODY_BYTES,
                 max_connections: int = MAX_CONNECTIONS,
                 socket_timeout: float = SOCKET_TIMEOUT, header_timeout: float = HEADER_TIMEOUT,
                 body_timeout: float = BODY_TIMEOUT) -> ServerHandle:
    """Start serving in background threads and return at once (the model is loaded first).

    ``model``: a hub id or folder (with ``gguf_file``), an already loaded ``(lm, tokenizer)``
    pair, or ``None``/``"echo"`` for a model-less server that answers the last user message
    unchanged (for client tests). ``port=0`` picks a free port; see ``handle.url``.
    ``max_body`` (bytes), ``max_connections`` and the timeouts (seconds) are the limits of
    :mod:`.core.http_server`.
    """
    if max_body < 1 or max_connections < 1 or min(socket_timeout, header_timeout,
                                                  body_timeout) <= 0:
        raise ValueError("max_body, max_connections and the timeouts must be positive")
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
    state = ServerState(name=name or default_name, generator=generator, latency=latency,
                        faults=plan, api_key=api_key, max_body=max_body)
    httpd = BoundedHTTPServer((host, port), _make_handler(state), max_connections,
                              socket_timeout, header_timeout, body_timeout)
    handle = ServerHandle(httpd, generator, state.name)
    state.handle = handle
    return handle

"""The project's HTTP server base: one stack for ``mseed serve`` and the labelling page.

A server here may face a lab network, so the base holds every limit that does not depend on
what is served: at most ``max_connections`` connections at once (one more gets a 503 with
Retry-After); a *deadline* for a request's line and headers (:data:`HEADER_TIMEOUT`, counted
from the first byte) and one for its body (:data:`BODY_TIMEOUT`), so a client that drips one
byte a second cannot hold a connection for longer than that whatever the per-read socket
timeout; *fairness*: when every slot is taken, the connection that has waited longest without
sending a complete request (preferring the client address that holds the most such slots) is
closed to make room, so idle or dripping connections cannot lock out a client with a real
request; the API key checked in constant time before the body is read; the body capped by its
Content-Length before reading (a Content-Length of 5,000 digits is a 413, not a ``ValueError``);
and every malformed or timed-out request answered with an OpenAI-style 4xx error object, never
a dropped connection or a traceback.

Why the standard library and not uvicorn: uvicorn has no deadline for receiving a request (its
keep-alive timer is reset by every byte, so a dripping client holds a slot for ever), and its
``--limit-concurrency`` answers 503 to everyone once drippers hold the slots; closing both
classes there takes a protocol subclass and a connection registry of our own, the same code as
here plus two dependencies (docs/reliability.md has the measurement).
"""

from __future__ import annotations

import contextlib
import hmac
import io
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mseed_multilingual.core.io import InputError, loads

MAX_BODY_BYTES = 1_000_000  # request body cap (Content-Length), `mseed serve --max-body`
MAX_CONNECTIONS = 64  # open connections served at once, `mseed serve --max-connections`
SOCKET_TIMEOUT = 60.0  # seconds a connection may stay silent (idle keep-alive or slow client)
HEADER_TIMEOUT = 10.0  # seconds from a request's first byte to the end of its headers
BODY_TIMEOUT = 30.0  # seconds to receive a request's body once its headers are in
REFUSE_DRAIN = 0.05  # seconds the accept loop waits for a refused client's request
LISTEN_BACKLOG = 64
DEADLINE_SLACK = 0.01  # seconds: a read timing out this close to a deadline has reached it
# Phases of a connection; the first two hold a slot without a complete request and may be
# closed to make room for a new connection.
IDLE, HEADERS, BODY, BUSY = "idle", "headers", "body", "busy"
EVICTABLE = (IDLE, HEADERS)


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


def json_bytes(obj: Any) -> bytes:
    """UTF-8 JSON of an answer; text that cannot be UTF-8 (a lone surrogate echoed back) is
    written with JSON escapes instead of failing the answer."""
    try:
        return json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(obj, ensure_ascii=True).encode("ascii")


def content_length(value: str | None, max_body: int) -> int:
    """The declared body size, checked before a byte of the body is read (and before the
    digits are converted: ``int()`` of over 4,300 digits raises)."""
    if value is None:
        raise RequestError(411, "a Content-Length header is required")
    text = value.strip()
    if not text.isdigit() or not text.isascii():
        raise RequestError(400, f"Content-Length must be a non-negative integer, got "
                                f"{value[:40]!r}")
    text = text.lstrip("0") or "0"
    if len(text) > len(str(max_body)) or int(text) > max_body:
        raise RequestError(413, f"request body of {text[:40]} bytes is over the "
                                f"{max_body}-byte limit (--max-body)")
    return int(text)


def parse_body(raw: bytes) -> dict:
    """A JSON object request body; RequestError(400) naming the problem (bad JSON, numbers
    out of range, lone surrogates, nesting too deep: the bounds of :func:`.core.io.loads`)."""
    try:
        req = loads(raw, "request body")
    except InputError as exc:
        raise RequestError(400, str(exc)) from None
    if not isinstance(req, dict):
        raise RequestError(400, "the request body must be a JSON object")
    return req


class Connection:
    """One accepted socket: its phase, deadline and client address, for fairness."""

    def __init__(self, sock: socket.socket, address: Any, idle_timeout: float,
                 header_timeout: float, body_timeout: float):
        self.sock, self.host = sock, address[0] if isinstance(address, tuple) else str(address)
        self.idle_timeout, self.header_timeout = idle_timeout, header_timeout
        self.body_timeout = body_timeout
        self.evicted = self.expired = False
        self.enter(HEADERS)

    def enter(self, phase: str) -> None:
        """Move to ``phase``: headers and body have a deadline from now, the others none."""
        self.phase, self.since = phase, time.monotonic()
        limit = {HEADERS: self.header_timeout, BODY: self.body_timeout}.get(phase)
        self.deadline = None if limit is None else self.since + limit

    def timeout(self) -> float:
        """The socket timeout of the next read: the idle timeout, or less near a deadline."""
        if self.deadline is None:
            return self.idle_timeout
        left = self.deadline - time.monotonic()
        if left <= DEADLINE_SLACK:
            self.expired = True
            raise TimeoutError("request deadline passed")
        return min(self.idle_timeout, left)

    def evict(self) -> None:
        """Close the socket under the handler thread (its read returns at once)."""
        self.evicted = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)


class DeadlineReader(io.RawIOBase):
    """The socket's read side with the connection's deadline applied to every read; the first
    byte after an idle keep-alive wait starts the header deadline."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.conn.sock.settimeout(self.conn.timeout())
        try:
            n = self.conn.sock.recv_into(buffer)
        except TimeoutError:
            self.conn.timeout()  # marks the connection expired when it was the deadline
            raise
        if n and self.conn.phase == IDLE:
            self.conn.enter(HEADERS)
        return n


class BoundedHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server with the slot, deadline and fairness rules of the module."""

    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], handler: type, max_connections: int,
                 timeout: float = SOCKET_TIMEOUT, header_timeout: float = HEADER_TIMEOUT,
                 body_timeout: float = BODY_TIMEOUT):
        if min(max_connections, timeout, header_timeout, body_timeout) <= 0:
            raise ValueError("max_connections and the timeouts must be positive")
        self.max_connections = max_connections
        self.socket_timeout, self.header_timeout = timeout, header_timeout
        self.body_timeout = body_timeout
        self.connections: dict[int, Connection] = {}
        self._lock = threading.Lock()
        self.refused = self.evicted = 0
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        conn = Connection(request, client_address, self.socket_timeout, self.header_timeout,
                          self.body_timeout)
        with self._lock:
            if len(self.connections) >= self.max_connections:
                victim = self._victim()
                if victim is None:
                    self.refused += 1
                    conn = None
                else:
                    del self.connections[id(victim)]
                    victim.evict()
                    self.evicted += 1
            if conn is not None:
                self.connections[id(conn)] = conn
        if conn is None:
            self._refuse(request)
            return
        request.settimeout(self.socket_timeout)
        try:
            super().process_request((request, conn), client_address)
        except BaseException:
            self._release(conn)
            raise

    def _victim(self) -> Connection | None:
        """The connection to close for a newcomer: among those without a complete request,
        one of the client address holding most of them, the one waiting longest."""
        waiting = [c for c in self.connections.values() if c.phase in EVICTABLE]
        if not waiting:
            return None
        per_host: dict[str, int] = {}
        for c in waiting:
            per_host[c.host] = per_host.get(c.host, 0) + 1
        return min(waiting, key=lambda c: (-per_host[c.host], c.since))

    def _release(self, conn: Connection) -> None:
        with self._lock:
            self.connections.pop(id(conn), None)

    def finish_request(self, request: Any, client_address: Any) -> None:
        sock, conn = request
        self.RequestHandlerClass(sock, client_address, self, conn)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release(request[1])

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request[0] if isinstance(request, tuple) else request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a handler error is answered by the handler; nothing is printed."""
        return None

    def _refuse(self, request: socket.socket) -> None:
        body = json_bytes(error_object(
            f"server busy: {self.max_connections} connections open; retry later",
            "server_error", None, 503))
        head = (f"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n")
        with contextlib.suppress(OSError):
            request.settimeout(REFUSE_DRAIN)  # read what the client sent: closing a socket
            request.recv(65536)  # with unread data resets it before the 503 is read
        with contextlib.suppress(OSError):
            request.settimeout(1.0)
            request.sendall(head.encode() + body)
        self.shutdown_request(request)


class JSONHandler(BaseHTTPRequestHandler):
    """A request handler answering JSON, with the deadlines of its :class:`Connection`.

    Subclasses set ``api_key`` (None: no key) and implement ``do_GET``/``do_POST`` with
    :meth:`authorized`, :meth:`read_body` and :meth:`send_json`; a :class:`RequestError`
    raised there is answered as such, any other exception as a 500, never a traceback.
    """

    protocol_version = "HTTP/1.1"
    api_key: str | None = None

    def __init__(self, request: Any, client_address: Any, server: Any,
                 conn: Connection | None = None):
        self.conn = conn or Connection(request, client_address, SOCKET_TIMEOUT,
                                       HEADER_TIMEOUT, BODY_TIMEOUT)
        self._answered = False
        super().__init__(request, client_address, server)

    def setup(self) -> None:
        super().setup()
        self.rfile = io.BufferedReader(DeadlineReader(self.conn))

    def log_message(self, format: str, *args: Any) -> None:  # quiet; never logs headers
        return None

    def handle_one_request(self) -> None:
        self._answered = False
        try:
            super().handle_one_request()  # answers, or on a deadline closes (TimeoutError)
        except RequestError as exc:
            self.close_connection = True
            self._error(exc)
        except (ConnectionError, OSError):
            self.close_connection = True
        except Exception as exc:  # a bug must not drop the connection without an answer
            self.close_connection = True
            self._error(RequestError(500, f"internal error: {type(exc).__name__}", None,
                                     "server_error"))
        if self.conn.expired and not self.conn.evicted:
            self.close_connection = True
            self._error(RequestError(408, f"request not received within its deadline "
                                          f"({self.conn.header_timeout:g} s for the headers, "
                                          f"{self.conn.body_timeout:g} s for the body)"))
        if not self.close_connection:
            self.conn.enter(IDLE)

    def parse_request(self) -> bool:
        ok = super().parse_request()
        if ok:
            self.conn.enter(BUSY)  # headers complete: not a candidate for eviction any more
        return ok

    def _error(self, exc: RequestError) -> None:
        if self._answered:
            return
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.1"
        with contextlib.suppress(OSError):
            self.send_json(exc.status, exc.body())

    def send_json(self, status: int, obj: dict, headers: dict | None = None) -> None:
        """Answer ``obj`` as JSON with ``status`` (and the connection's close header)."""
        body = json_bytes(obj)
        self._answered = True
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
        text = message or self.responses.get(code, ("error",))[0]
        self._error(RequestError(code, text))

    def refuse(self, exc: RequestError, unread_body: bool = False) -> None:
        """Answer ``exc``; a body still in the socket means this connection cannot go on."""
        if unread_body:
            self.close_connection = True
        self.send_json(exc.status, exc.body())

    def authorized(self) -> bool:
        """The Authorization header carries ``Bearer <api_key>`` (constant-time compare)."""
        if not self.api_key:
            return True
        given = self.headers.get("Authorization", "").encode("utf-8", "replace")
        return hmac.compare_digest(given, f"Bearer {self.api_key}".encode())

    def read_body(self, max_body: int) -> bytes | None:
        """The body by its Content-Length within the body deadline; None when the client went
        away or the deadline passed (the connection is then closed; a 408 follows)."""
        length = content_length(self.headers.get("Content-Length"), max_body)
        self.conn.enter(BODY)
        try:
            raw = self.rfile.read(length)
        except TimeoutError:
            self.close_connection = True
            return None
        self.conn.enter(BUSY)
        if len(raw) < length:
            self.close_connection = True
            return None
        return raw

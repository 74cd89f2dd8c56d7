"""The shared server base (core/http_server.py) under hostile clients, through `mseed serve` started
on 127.0.0.1 and raw sockets: deadlines for headers and body, fairness when dripping connections
hold every slot, and malformed requests answered as OpenAI-style 4xx with no traceback."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from httpcases import chat, post, raw_http

from mseed_multilingual.serve import start_server

ROOT = Path(__file__).resolve().parents[1]
KEY = "k-http-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cli_server():
    """`mseed serve echo` as a user starts it, keyed, 16 slots, 5 s socket timeout (issue 25's
    slowloris setting); yields (port, process)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mseed_multilingual", "serve", "echo", "--port", str(port),
         "--api-key-env", "HTTP_TEST_KEY", "--max-connections", "16", "--socket-timeout", "5",
         "--header-timeout", "4", "--body-timeout", "4"],
        env={**os.environ, "PYTHONPATH": str(ROOT), "HTTP_TEST_KEY": KEY},
        stderr=subprocess.PIPE, text=True)
    try:
        assert "serving" in proc.stderr.readline()
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def drip(port: int, stop: threading.Event, data: bytes, interval: float) -> None:
    """Send ``data`` one byte every ``interval`` seconds until the server hangs up."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        for byte in data:
            if stop.wait(interval):
                return
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                return


def test_keyed_client_gets_200_while_16_connections_drip_headers(cli_server):
    port, proc = cli_server
    stop = threading.Event()
    head = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    drippers = [threading.Thread(target=drip, args=(port, stop, head, 0.5), daemon=True)
                for _ in range(16)]
    for t in drippers:
        t.start()
    time.sleep(1.5)  # all 16 slots held, each having sent a few header bytes
    try:
        for _ in range(3):
            t0 = time.monotonic()
            status, body = raw_http(port, post(port, chat(), key=KEY))
            assert status == 200 and body["choices"][0]["message"]["content"] == "hi"
            assert time.monotonic() - t0 < 2
    finally:
        stop.set()
    assert proc.poll() is None


def drip_until_answered(sock: socket.socket, data: bytes) -> bytes:
    """Send ``data`` one byte a second (each read well within the 5 s socket timeout) until
    the server answers; its whole answer (the server closes after it). Headers and body may
    arrive in separate segments on a loaded machine, so the answer is read to the close."""
    for byte in data:
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return b""
        sock.settimeout(1.0)
        try:
            first = sock.recv(4096)
        except TimeoutError:
            continue
        return first + read_to_close(sock)
    return b""


def read_to_close(sock: socket.socket) -> bytes:
    """Everything the server still sends before it closes (or 10 s of silence)."""
    sock.settimeout(10.0)
    chunks = []
    while True:
        try:
            chunk = sock.recv(4096)
        except (TimeoutError, ConnectionResetError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


# The server's deadlines are 4 s; a dripping client is cut off well before its own 20 s socket
# timeout. The bound leaves room for a loaded CI machine (the drip itself sends every 0.5 s).
DEADLINE_BOUND = 15


def test_dripped_headers_end_at_the_header_deadline_with_a_408(cli_server):
    port, _ = cli_server
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        t0 = time.monotonic()
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\n")
        got = drip_until_answered(sock, b"X-Drip: a\r\n" * 2)
    assert got.startswith(b"HTTP/1.1 408"), got
    assert b'"error"' in got and 3.5 < time.monotonic() - t0 < DEADLINE_BOUND


def test_dripped_body_ends_at_the_body_deadline_with_a_408(cli_server):
    port, _ = cli_server
    body = chat()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(post(port, body, key=KEY)[:-len(body)])
        t0 = time.monotonic()
        got = drip_until_answered(sock, body)
    assert got.startswith(b"HTTP/1.1 408"), got
    assert 3.5 < time.monotonic() - t0 < DEADLINE_BOUND


MALFORMED = [
    ("lone-surrogate", b'{"messages": [{"role": "user", "content": "a\\ud800b"}]}', "auto",
     400, "lone surrogate"),
    ("5000-digit-integer", b'{"max_tokens": ' + b"9" * 5000 + b', "messages": []}', "auto",
     400, "max_tokens"),
    ("huge-float", b'{"messages": [], "temperature": 1e999}', "auto", 400, "temperature"),
    ("5000-digit-content-length", b"{}", "9" * 5000, 413, "limit"),
    ("zero-padded-content-length", b"{}", "0" * 5000 + "2", 400, "messages"),
]


@pytest.mark.parametrize(("name", "body", "length", "status", "says"), MALFORMED,
                         ids=[c[0] for c in MALFORMED])
def test_malformed_request_is_a_4xx_error_object_without_traceback(cli_server, name, body,
                                                                   length, status, says):
    port, proc = cli_server
    got, answer = raw_http(port, post(port, body, length=length, key=KEY))
    assert got == status, (got, answer)
    assert says in answer["error"]["message"] and answer["error"]["type"]
    status, _ = raw_http(port, post(port, chat(), key=KEY))  # still serving
    assert status == 200
    proc.terminate()
    proc.wait(timeout=30)
    err = proc.stderr.read()
    assert "Traceback" not in err and "Error" not in err, err


def test_an_answer_that_is_not_utf8_is_escaped_json_not_a_dropped_connection():
    """A fixed answer holding a lone surrogate (what an echoing server would send back)."""
    with start_server(None, faults=[{"answer": "x\ud800y"}]) as handle:
        port = int(handle.url.rsplit(":", 1)[1].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("POST", "/v1/chat/completions", chat(), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        assert resp.status == 200
        assert json.loads(resp.read())["choices"][0]["message"]["content"] == "x\ud800y"

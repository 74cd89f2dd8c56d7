"""`mseed serve`'s HTTP handling without a model (the echo backend): good and malformed
requests, stop strings, the body cap and key checked before the body is read, connection bounds
and idle timeouts, each answered with an OpenAI-style JSON error object."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from httpcases import chat, post, raw_http

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def echo():
    from mseed_multilingual.serve import start_server

    with start_server(None, api_key="k-serve-secret", max_body=10_000) as handle:
        yield int(handle.url.rsplit(":", 1)[1].split("/")[0])


def _is_error_object(body: dict) -> bool:
    err = body.get("error") or {}
    return isinstance(err.get("message"), str) and isinstance(err.get("type"), str)


def test_serve_answers_a_good_request(echo):
    status, body = raw_http(echo, post(echo, chat(max_tokens=5), key="k-serve-secret"))
    assert status == 200 and body["choices"][0]["message"]["content"] == "hi"


def test_serve_cuts_the_answer_at_the_first_stop_string(echo):
    """OpenAI's ``stop`` (a string or up to 4): the answer ends before the earliest stop string
    (what lm-eval's local-chat-completions sends for --gen_kwargs until=...)."""
    def ask(**extra) -> tuple[int, dict]:
        body = json.dumps({"model": "echo", "messages": [
            {"role": "user", "content": "one. two\n\nthree END four"}], **extra}).encode()
        return raw_http(echo, post(echo, body, key="k-serve-secret"))

    whole = "one. two\n\nthree END four"
    for stop, want in [("END", "one. two\n\nthree "), (["END", "\n\n"], "one. two"),
                       (["zzz"], whole), (None, whole), ([], whole), (["four", "t"], "one. ")]:
        status, body = ask(stop=stop)
        assert status == 200 and body["choices"][0]["message"]["content"] == want, stop
        assert body["choices"][0]["finish_reason"] == "stop"


def test_serve_checks_size_and_key_before_reading_the_body(echo):
    # No body follows these headers: the old server blocked reading it (client timeout).
    status, body = raw_http(echo, post(echo, b"", length="50000000", key="k-serve-secret"))
    assert status == 413 and _is_error_object(body) and "10000" in body["error"]["message"]
    status, body = raw_http(echo, post(echo, b"", length="500", key="wrong"))
    assert status == 401 and body["error"]["type"] == "authentication_error"
    status, _ = raw_http(echo, post(echo, b"", length="500", key="k-serve-secret"[:-1] + "T"))
    assert status == 401


BAD_REQUESTS = [
    ("length-not-a-number", b"{}", "abc", 400, "Content-Length"),
    ("length-negative", b"{}", "-5", 400, "Content-Length"),
    ("no-length", b"", None, 411, "Content-Length"),
    ("not-json", b"{nope", "auto", 400, "not valid JSON"),
    ("json-list", b"[1]", "auto", 400, "JSON object"),
    ("deeply-nested", ('{"messages": ' + "[" * 3000 + "]" * 3000 + "}").encode(), "auto",
     400, "nested too deeply"),
    ("messages-not-a-list", json.dumps({"messages": "hi"}).encode(), "auto", 400, "messages"),
    ("messages-of-numbers", json.dumps({"messages": [1, 2]}).encode(), "auto", 400,
     "messages[0]"),
    ("content-not-text", json.dumps({"messages": [{"role": "user", "content": {"a": 1}}]}
                                    ).encode(), "auto", 400, "messages[0]"),
    ("max-tokens-text", chat(max_tokens="many"), "auto", 400, "max_tokens"),
    ("max-tokens-zero", chat(max_tokens=0), "auto", 400, "max_tokens"),
    ("max-tokens-negative", chat(max_tokens=-3), "auto", 400, "max_tokens"),
    ("max-tokens-float", chat(max_tokens=2.5), "auto", 400, "max_tokens"),
    ("max-tokens-absurd", chat(max_tokens=10**12), "auto", 400, "max_tokens"),
    ("stop-number", chat(stop=5), "auto", 400, "'stop'"),
    ("stop-object", chat(stop={"a": 1}), "auto", 400, "'stop'"),
    ("stop-list-of-numbers", chat(stop=["\n", 3]), "auto", 400, "'stop'"),
    ("stop-empty-string", chat(stop=[""]), "auto", 400, "'stop'"),
    ("stop-five-entries", chat(stop=["a", "b", "c", "d", "e"]), "auto", 400, "at most 4"),
]


@pytest.mark.parametrize(("name", "body", "length", "status", "says"), BAD_REQUESTS,
                         ids=[c[0] for c in BAD_REQUESTS])
def test_serve_malformed_request_is_an_error_object(echo, name, body, length, status, says):
    got, answer = raw_http(echo, post(echo, body, length=length, key="k-serve-secret"))
    assert got == status and _is_error_object(answer), (got, answer)
    assert says in answer["error"]["message"]


def test_serve_garbage_request_line_is_a_json_400(echo):
    status, body = raw_http(echo, b"GET /v1/models NOTHTTP/1.1\r\n\r\n")
    assert status == 400 and _is_error_object(body)


def _wait_until(condition, timeout: float = 10.0) -> None:
    """Poll the server's state instead of sleeping a guess (a loaded CI machine is slower)."""
    import time

    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "the server never reached the expected state"
        time.sleep(0.01)


def test_serve_bounds_connections_and_times_out_idle_ones():
    """Idle connections give their slot to a newcomer (oldest first); connections busy with a
    request do not, so one more is a 503 at once; the rest are closed after the timeout."""
    import socket
    import threading
    import time

    from mseed_multilingual.core.http_server import EVICTABLE
    from mseed_multilingual.serve import start_server

    with start_server(None, max_connections=2, socket_timeout=1.0,
                      faults=[None, {"stall": 1.5}, {"stall": 1.5}]) as handle:
        port = int(handle.url.rsplit(":", 1)[1].split("/")[0])
        idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
        _wait_until(lambda: len(handle.httpd.connections) == 2)  # both accepted, both idle
        status, _ = raw_http(port, post(port, chat()))
        assert status == 200 and handle.httpd.evicted == 1
        assert idle[0].recv(1) == b""  # the oldest idle one was closed for the newcomer
        busy = [threading.Thread(target=raw_http, args=(port, post(port, chat())))
                for _ in range(2)]
        for t in busy:
            t.start()
        _wait_until(lambda: sum(c.phase not in EVICTABLE
                                for c in list(handle.httpd.connections.values())) == 2)
        t0 = time.monotonic()
        status, body = raw_http(port, post(port, chat()))
        assert status == 503 and _is_error_object(body) and time.monotonic() - t0 < 1
        for t in busy:
            t.join()
        assert idle[1].recv(1) == b""  # the server hangs up on silent clients
        for sock in idle:
            sock.close()
        status, _ = raw_http(port, post(port, chat()))
        assert status == 200


def test_serve_cli_takes_the_body_cap(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "mseed_multilingual", "serve", "echo",
                             "--port", str(port), "--max-body", "100"],
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stderr=subprocess.PIPE, text=True)
    try:
        assert "serving" in proc.stderr.readline()
        status, body = raw_http(port, post(port, b"x" * 101, length="101"))
        assert status == 413 and "100-byte" in body["error"]["message"]
        status, _ = raw_http(port, post(port, chat()))
        assert status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_unknown_method_is_a_json_error(echo):
    status, body = raw_http(echo, b"DELETE /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 501 and _is_error_object(body)


def test_serve_help_says_what_the_model_argument_takes():
    from cli_run import mseed

    proc = mseed("serve", "--help")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    helped = text[text.index("positional arguments:"):text.index("options:")]
    helped = helped.replace("--gguf- file", "--gguf-file")  # argparse wraps at the hyphen
    for accepted in ("'smollm2'", ".gguf file", "--gguf-file", "hub id", "'echo'"):
        assert accepted in helped, (accepted, helped)
    assert "0 picks a free one" in text

"""The chat-completions client against the real loopback server (model-less echo mode + faults)."""

from __future__ import annotations

import json
import time

import pytest

from mseed_multilingual.core.openai_compat import ChatClient, EndpointError
from mseed_multilingual.serve import start_server

MSG = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello there"}]
KEY_ENV = "MSEED_TEST_KEY"
SECRET = "sk-test-do-not-print-0123456789"


@pytest.fixture()
def server(request):
    faults = getattr(request, "param", None) or []
    handle = start_server(None, faults=faults, api_key=SECRET)
    yield handle
    handle.stop()


def _client(server, monkeypatch, **kw) -> tuple[ChatClient, list[float]]:
    monkeypatch.setenv(KEY_ENV, SECRET)
    waits: list[float] = []
    kw.setdefault("timeout", 5)
    return ChatClient(server.url, "echo", api_key_env=KEY_ENV, sleep=waits.append, **kw), waits


def test_answer_and_models(server, monkeypatch):
    client, waits = _client(server, monkeypatch)
    assert client.complete(MSG, max_tokens=8) == "hello there"
    assert client.models() == ["echo"]
    assert waits == [] and server.unauthorized == 0


def test_missing_key_is_401_not_retried_and_key_never_in_message(server, monkeypatch):
    client, waits = _client(server, monkeypatch)
    monkeypatch.setenv(KEY_ENV, "wrong-key-abc")
    with pytest.raises(EndpointError) as info:
        client.complete(MSG)
    assert info.value.status == 401 and waits == []
    monkeypatch.setenv(KEY_ENV, SECRET)
    client.complete(MSG)
    assert SECRET not in str(info.value) and "wrong-key-abc" not in str(info.value)


@pytest.mark.parametrize("server", [[{"status": 429, "retry_after": 2.5}, 500, 503]],
                         indirect=True)
def test_retries_429_and_5xx_honouring_retry_after(server, monkeypatch):
    client, waits = _client(server, monkeypatch)
    assert client.complete(MSG) == "hello there"
    assert len(waits) == 3 and waits[0] >= 2.5  # Retry-After is a lower bound on the wait
    assert waits[1] < waits[2] * 2 and all(w <= 30 for w in waits)
    assert server.requests == 4


@pytest.mark.parametrize("server", [[429] * 10], indirect=True)
def test_gives_up_after_max_retries(server, monkeypatch):
    client, waits = _client(server, monkeypatch, max_retries=2)
    with pytest.raises(EndpointError, match="after 3 attempts: HTTP 429") as info:
        client.complete(MSG)
    assert info.value.status == 429 and len(waits) == 2 and server.requests == 3


@pytest.mark.parametrize("server", [[{"stall": 1.5}]], indirect=True)
def test_stall_times_out_then_retry_succeeds(server, monkeypatch):
    client, waits = _client(server, monkeypatch, timeout=0.5)
    start = time.monotonic()
    assert client.complete(MSG) == "hello there"
    assert len(waits) == 1 and time.monotonic() - start < 5


@pytest.mark.parametrize("server", [[{"stall": 2.0}]], indirect=True)
def test_the_socket_timeout_firing_before_the_watchdog_is_the_deadline_too(server, monkeypatch):
    """On a loaded machine the socket's own timeout can fire before the watchdog thread runs
    (seen in CI: the item was retried as a connection error and took the next item's answer).
    The watchdog is made late here, the one fault a real machine cannot be made to show on
    demand; the call must still end as the deadline, not as "cannot connect"."""
    import threading

    from mseed_multilingual.core import openai_compat

    class LateTimer(threading.Timer):
        def __init__(self, interval, function, *args, **kwargs):
            super().__init__(interval + 5, function, *args, **kwargs)

    monkeypatch.setattr(openai_compat.threading, "Timer", LateTimer)
    body = json.dumps({"model": "echo", "messages": MSG}).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {SECRET}"}
    with pytest.raises(EndpointError, match=r"no complete answer within 0.5 s") as info:
        openai_compat.post(f"{server.url}/chat/completions", body, headers, timeout=0.5,
                           max_bytes=1000)
    assert info.value.retryable


@pytest.mark.parametrize("server", [["empty", {"answer": "fixed"}, 400]], indirect=True)
def test_empty_fixed_and_non_retryable(server, monkeypatch):
    client, waits = _client(server, monkeypatch, concurrency=1)
    answers = client.complete_many([MSG, MSG, MSG, MSG])
    assert answers[:2] == ["", "fixed"]
    assert isinstance(answers[2], EndpointError) and answers[2].status == 400
    assert answers[3] == "hello there" and waits == []


def test_complete_many_keeps_order_under_concurrency(monkeypatch):
    with start_server(None, latency=0.2, api_key=SECRET) as server:
        client, _ = _client(server, monkeypatch, concurrency=8)
        convs = [[{"role": "user", "content": f"q{i}"}] for i in range(16)]
        start = time.monotonic()
        answers = client.complete_many(convs)
        elapsed = time.monotonic() - start
    assert answers == [f"q{i}" for i in range(16)]
    assert elapsed < 16 * 0.2 / 3  # the 0.2 s latencies overlap


def test_unreachable_server_is_an_error_after_retries():
    client = ChatClient("http://127.0.0.1:9/v1", "x", max_retries=1, timeout=1,
                        sleep=lambda s: None)
    with pytest.raises(EndpointError, match="cannot connect"):
        client.complete(MSG)


def test_an_answer_nested_past_the_depth_bound_is_one_endpoint_error():
    """A hostile or broken server cannot raise RecursionError in the client."""
    from mseed_multilingual.core.openai_compat import _content

    with pytest.raises(EndpointError, match=r"^http://x: not a chat-completions answer \(JSON "
                                            r"nested too deeply"):
        _content("[" * 100_000 + "]" * 100_000, "http://x")
    with pytest.raises(EndpointError, match=r"\(Expecting value: line 1 column 1 \(char 0\)\)"):
        _content("<html>", "http://x")


def _forwarding_proxy(seen: list[bytes]) -> int:
    """A plain-HTTP proxy on loopback: takes an absolute-URL request, forwards it to the
    origin with the path as target, hands the answer back, and records each request line."""
    import socket
    import threading
    from urllib.parse import urlsplit

    srv = socket.create_server(("127.0.0.1", 0))

    def one(client: socket.socket) -> None:
        with client:
            data = b""
            while b"\r\n\r\n" not in data:
                data += client.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(next((h.split(b":")[1] for h in head.split(b"\r\n")
                               if h.lower().startswith(b"content-length")), b"0"))
            while len(body) < length:
                body += client.recv(65536)
            method, target, version = head.split(b"\r\n")[0].split(b" ")
            seen.append(head.split(b"\r\n")[0])
            url = urlsplit(target.decode())
            with socket.create_connection((url.hostname, url.port)) as origin:
                rest = b"\r\n".join(head.split(b"\r\n")[1:])
                origin.sendall(b" ".join([method, url.path.encode(), version]) + b"\r\n"
                               + rest + b"\r\nConnection: close\r\n\r\n" + body)
                while chunk := origin.recv(65536):
                    client.sendall(chunk)

    def accept() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            threading.Thread(target=one, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return srv.getsockname()[1]


def test_requests_go_through_the_proxy_of_the_environment(server, monkeypatch):
    """The client posts with http.client (for its total deadline); HTTP_PROXY still applies,
    as it did with requests."""
    seen: list[bytes] = []
    port = _forwarding_proxy(seen)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("NO_PROXY", "")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    client, _ = _client(server, monkeypatch)
    assert client.complete(MSG, max_tokens=8) == "hello there"
    assert seen == [f"POST {server.url}/chat/completions HTTP/1.1".encode()]

"""Raw HTTP helpers shared by the server tests: bytes sent as they are, one response read."""

from __future__ import annotations

import json


def raw_http(port: int, request: bytes, timeout: float = 5.0) -> tuple[int, dict]:
    """Send bytes as they are, read one response: (status, JSON body)."""
    import http.client
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        return resp.status, json.loads(resp.read() or b"{}")


def post(port: int, body: bytes, length: str | None = "auto", key: str | None = None) -> bytes:
    head = [b"POST /v1/chat/completions HTTP/1.1", b"Host: 127.0.0.1"]
    if length is not None:
        head.append(b"Content-Length: " + (str(len(body)) if length == "auto"
                                           else length).encode())
    if key:
        head.append(b"Authorization: Bearer " + key.encode())
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def chat(**extra) -> bytes:
    return json.dumps({"model": "echo", "messages": [{"role": "user", "content": "hi"}],
                       **extra}).encode()

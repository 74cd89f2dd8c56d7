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


class EchoHeaders:
    """A hostile endpoint on 127.0.0.1 that answers every request with an error status whose
    body repeats the request line (query string included) and every header, key and all."""

    def __init__(self, status: int = 400):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return None

            def _echo(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                auth = self.headers.get("Authorization")
                body = json.dumps({"error": {"message": f"bad key {auth!r} in "
                                                        f"{self.requestline}",
                                             "headers": dict(self.headers)}}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _echo

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def __enter__(self) -> EchoHeaders:
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

"""A LibreTranslate-compatible server backed by a dictionary, for tests and benchmarks.

It speaks what deep-translator's LibreTranslator sends (``POST <base>/translate`` with ``q``,
``source``, ``target``, ``format``, ``api_key`` as query parameters; form and JSON bodies work
too) and answers ``{"translatedText": ...}``. The dictionary is built from a translation-set
folder (the embedded sample: every language paired with its source, both directions), so round
trips are exact. It counts every request server-side and logs ``(source, target, q)``, adds an
optional latency, and plays a fault plan, one entry per request: an HTTP status (``429``,
``500``), ``{"stall": seconds}``, ``"empty"``, ``"unchanged"`` or ``{"answer": text}``.
Unknown texts are answered unchanged (which the pipeline records as a failure).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse


def dictionary_from_folder(folder: Path) -> dict[tuple[str, str, str], str]:
    """(source, target, text) -> translation for every record with a source_prompt."""
    table: dict[tuple[str, str, str], str] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec.get("source_prompt") and rec.get("source_lang"):
                src, tgt = rec["source_lang"], rec["lang"]
                table[(src, tgt, rec["source_prompt"])] = rec["prompt"]
                table[(tgt, src, rec["prompt"])] = rec["source_prompt"]
    return table


class FakeLibreTranslate:
    """A running server: ``url`` (ends with ``/``), ``requests``, ``log``, ``faults``."""

    def __init__(self, dictionary: dict[tuple[str, str, str], str], latency: float = 0.0,
                 faults: list[Any] | None = None, api_key: str | None = None,
                 host: str = "127.0.0.1", port: int = 0):
        self.dictionary = dictionary
        self.latency = latency
        self.faults: list[Any] = list(faults or [])
        self.api_key = api_key
        self.requests = 0
        self.log: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((host, port), _handler(self))
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def next_fault(self, entry: tuple[str, str, str]) -> Any:
        with self._lock:
            self.requests += 1
            self.log.append(entry)
            return self.faults.pop(0) if self.faults else None

    def counts(self) -> Counter:
        """Requests per (source, target, text)."""
        with self._lock:
            return Counter(self.log)

    def translate(self, source: str, target: str, text: str) -> str:
        return self.dictionary.get((source, target, text), text)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeLibreTranslate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _params(handler: BaseHTTPRequestHandler, raw: bytes) -> dict[str, str]:
    """Query parameters, then form or JSON body parameters (LibreTranslate accepts all)."""
    params = {k: v[0] for k, v in parse_qs(urlparse(handler.path).query).items()}
    kind = handler.headers.get("Content-Type") or ""
    if raw and "json" in kind:
        params.update({k: str(v) for k, v in json.loads(raw).items()})
    elif raw:
        params.update({k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()})
    return params


def _handler(server: FakeLibreTranslate) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _send(self, status: int, obj: Any) -> None:
            body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (stalled past its timeout)
                self.wfile.write(body)

        def do_GET(self) -> None:
            if urlparse(self.path).path.rstrip("/") == "/languages":
                codes = sorted({k[1] for k in server.dictionary} | {k[0] for k in
                                                                    server.dictionary})
                self._send(200, [{"code": c, "name": c, "targets": codes} for c in codes])
            else:
                self._send(404, {"error": f"no route {self.path}"})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if urlparse(self.path).path.rstrip("/") != "/translate":
                self._send(404, {"error": f"no route {self.path}"})
                return
            p = _params(self, raw)
            if server.api_key and p.get("api_key") != server.api_key:
                self._send(403, {"error": "Invalid API key"})
                return
            if not all(p.get(k) for k in ("q", "source", "target")):
                self._send(400, {"error": "q, source and target are required"})
                return
            fault = server.next_fault((p["source"], p["target"], p["q"]))
            if server.latency:
                time.sleep(server.latency)
            self._answer(fault, p)

        def _answer(self, fault: Any, p: dict[str, str]) -> None:
            if isinstance(fault, int):
                self._send(fault, {"error": f"injected fault {fault}"})
                return
            if isinstance(fault, dict) and "stall" in fault:
                time.sleep(float(fault["stall"]))
            if fault == "empty":
                text = ""
            elif fault == "unchanged":
                text = p["q"]
            elif isinstance(fault, dict) and "answer" in fault:
                text = str(fault["answer"])
            else:
                text = server.translate(p["source"], p["target"], p["q"])
            self._send(200, {"translatedText": text})

    return Handler


def sample_server(**kwargs: Any) -> FakeLibreTranslate:
    """A server whose dictionary is the embedded sample (zh <-> 13 languages)."""
    from mseed_multilingual.core.paths import sample_path

    return FakeLibreTranslate(dictionary_from_folder(sample_path()), **kwargs)

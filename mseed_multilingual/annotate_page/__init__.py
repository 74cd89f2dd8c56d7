"""``mseed annotate serve``: the labelling page, a small local web server over a drawn sample.

People label the answers of ``sample.jsonl`` (:mod:`.labels.sample`) in the browser; each label
is appended to ``labels/<annotator>.jsonl`` with :func:`.labels.store.append_event` (one write,
fsync'ed) *before* the page is told it is saved, so a label the page shows as saved survives
``kill -9`` of this server. Two annotators label at once (one file each); a reload or a restart
resumes where each left off. Labels of the unsure pool go to ``unsure/labels/`` so the random
sample stays a random sample.

The server runs on the project's one HTTP server base
(:class:`mseed_multilingual.core.http_server.BoundedHTTPServer`, shared with ``mseed serve``: a
cap on open connections with fairness to clients that send a request, deadlines for headers and
body, a body cap checked before reading, JSON 4xx for every malformed request). It binds to
loopback by default and, as ``mseed serve``, may require a key (``Authorization: Bearer``; the
page reads it from the URL fragment, which browsers never send, so it stays out of request lines
and logs). The Host header must name the server itself (a page elsewhere cannot reach it through
DNS rebinding) and writes must be JSON (a plain cross-site form cannot post one). The page is
one HTML document with its own script and style, allowed by hash in a strict Content-Security-
Policy: nothing is loaded from anywhere, it works offline, and every text from the data is set
with ``textContent``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mseed_multilingual import __version__
from mseed_multilingual.core.http_server import (
    BODY_TIMEOUT,
    HEADER_TIMEOUT,
    BoundedHTTPServer,
    JSONHandler,
    RequestError,
    parse_body,
)
from mseed_multilingual.core.inert import html_text
from mseed_multilingual.core.io import InputError
from mseed_multilingual.core.languages import languages
from mseed_multilingual.labels.sample import UNSURE_DIR, item_key, read_sample
from mseed_multilingual.labels.store import (
    LABELS_DIR,
    append_event,
    check_annotator,
    read_labels,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MAX_BODY_BYTES = 16_384  # one label event is a few hundred bytes
MAX_CONNECTIONS = 32
SOCKET_TIMEOUT = 30.0
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Thaa", "Syrc", "Nkoo"})
STATIC = Path(__file__).resolve().parent / "static"
EVENT_FIELDS = ("action", "annotator", "id", "lang", "side", "refusal", "safe")
NO_LABELS = "no labels (every item was skipped or cleared)"  # store.read_labels' message


def text_direction(lang: str) -> str:
    """``rtl`` for a language written right to left (by its script in the language table)."""
    known = languages().get(lang)
    return "rtl" if known is not None and known.script in RTL_SCRIPTS else "ltr"


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def page_html() -> tuple[str, str]:
    """(the page, its Content-Security-Policy): template + its style and script inline, allowed
    by hash and nothing else."""
    script = (STATIC / "page.js").read_text(encoding="utf-8")
    style = (STATIC / "page.css").read_text(encoding="utf-8")
    return ((STATIC / "page.html").read_text(encoding="utf-8")
            .replace("{{GENERATOR}}", html_text(f"mseed-multilingual {__version__}"))
            .replace("{{STYLE}}", style).replace("{{SCRIPT}}", script)), page_csp(script, style)


def page_csp(script: str, style: str) -> str:
    return (f"default-src 'none'; script-src '{_csp_hash(script)}'; "
            f"style-src '{_csp_hash(style)}'; connect-src 'self'; img-src 'none'; "
            f"font-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@dataclass
class Workspace:
    """A sample folder being labelled: its items, and who may label which."""

    folder: Path
    items: list[dict]
    by_key: dict[tuple[str, str, str], dict] = field(init=False)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.by_key = {item_key(it): it for it in self.items}
        self._sides: dict[tuple[str, str], dict[str, dict]] = {}
        for it in self.items:
            self._sides.setdefault((it["lang"], it["id"]), {})[it["side"]] = it

    def other_side(self, item: dict) -> dict | None:
        """The same prompt's item on the other side (before/after), if it was drawn."""
        sides = self._sides[(item["lang"], item["id"])]
        return next((o for s, o in sorted(sides.items()) if s != item["side"]), None)

    def assigned(self, annotator: str) -> list[dict]:
        """The items this annotator labels (all of them when the draw named no annotators)."""
        return [it for it in self.items if not it["annotators"] or annotator in it["annotators"]]

    def labels_folder(self, item: dict) -> Path:
        return self.folder / UNSURE_DIR if item["pool"] == "unsure" else self.folder

    def labels_of(self, annotator: str) -> dict[tuple[str, str, str], dict]:
        """This annotator's current labels (random pool and unsure pool), by item key."""
        out = {}
        for base in (self.folder, self.folder / UNSURE_DIR):
            path = base / LABELS_DIR / f"{annotator}.jsonl"
            if not path.is_file():
                continue
            try:
                labels = read_labels(path.parent).labels
            except InputError as exc:
                if NO_LABELS not in str(exc):
                    raise
                labels = ()  # every label was undone or skipped: nothing to show
            for label in labels:
                if label.annotator == annotator:
                    out[label.key] = {"refusal": label.refusal, "safe": label.safe}
        return out

    def state(self, annotator: str) -> dict[str, Any]:
        """What the page shows one annotator: their items (with the other side's answer and
        the judge's verdict, which the page hides until asked) and their labels so far."""
        mine = self.labels_of(annotator)
        items = []
        for it in self.assigned(annotator):
            other = self.other_side(it)
            items.append({"key": "\t".join(item_key(it)), "id": it["id"], "lang": it["lang"],
                          "side": it["side"], "kind": it["kind"], "pool": it["pool"],
                          "dir": text_direction(it["lang"]), "prompt": it["prompt"],
                          "answer": it["answer"], "judge": it["judge"],
                          "other": None if other is None else other["answer"],
                          "label": mine.get(item_key(it))})
        return {"annotator": annotator, "items": items}

    def record(self, annotator: str, body: dict[str, Any]) -> dict[str, Any]:
        """Check an event from the page against the sample and save it (durable on return)."""
        event = {k: body[k] for k in EVENT_FIELDS if k in body}
        event["annotator"] = annotator
        key = (event.get("lang"), event.get("side"), event.get("id"))
        item = self.by_key.get(key)  # type: ignore[arg-type]
        if item is None:
            raise RequestError(400, f"no item {key} in the sample")
        if item["annotators"] and annotator not in item["annotators"]:
            raise RequestError(403, f"item {key} is not assigned to {annotator}")
        try:
            return append_event(self.labels_folder(item), event)
        except InputError as exc:
            raise RequestError(400, str(exc)) from None
        except OSError as exc:  # a full disk, a folder made read-only: not saved, and said so
            raise RequestError(507, f"label not saved: {exc.strerror or exc}", None,
                               "server_error") from None


class PageHandle:
    """A running page: ``url``, ``stop()``."""

    def __init__(self, httpd: BoundedHTTPServer):
        self.httpd = httpd
        host, port = httpd.server_address[:2]
        self.url = f"http://{host}:{port}/"
        self._thread = threading.Thread(target=httpd.serve_forever, daemon=True,
                                        name="mseed-annotate-http")
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> PageHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _annotator(query: dict[str, list[str]] | dict[str, Any]) -> str:
    value = query.get("annotator")
    name = value[0] if isinstance(value, list) and value else value
    try:
        return check_annotator(name)
    except InputError as exc:
        raise RequestError(400, str(exc)) from None


def _make_handler(ws: Workspace, page: tuple[str, str], key: str | None,
                  hosts: frozenset[str]) -> type[JSONHandler]:
    html, csp = page

    class Handler(JSONHandler):
        api_key = key

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            super().end_headers()

        def _check_host(self) -> None:
            if self.headers.get("Host", "") not in hosts:
                raise RequestError(421, "the Host header does not name this server")

        def _check(self) -> None:
            self._check_host()
            if not self.authorized():
                raise RequestError(401, "invalid or missing key", None, "authentication_error")

        def _send_page(self) -> None:
            body = html.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", csp)
            self.send_header("X-Frame-Options", "DENY")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/":
                self._check_host()
                self._send_page()
                return
            if url.path != "/api/state":
                raise RequestError(404, f"no route {url.path[:200]}")
            self._check()
            annotator = _annotator(parse_qs(url.query))
            try:
                with ws.lock:
                    state = ws.state(annotator)
            except (InputError, OSError) as exc:  # a label file went bad under the server
                raise RequestError(500, f"cannot read the labels: {exc}"[:500], None,
                                   "server_error") from None
            self.send_json(200, state)

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/api/event":
                raise RequestError(404, f"no route {self.path[:200]}")
            self._check()
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if ctype != "application/json":
                raise RequestError(415, "an event is sent as application/json")
            raw = self.read_body(MAX_BODY_BYTES)
            if raw is None:
                return  # the client went away or missed the body deadline
            body = parse_body(raw)
            self.send_json(200, {"saved": ws.record(_annotator(body), body)})

        def do_PUT(self) -> None:
            raise RequestError(405, "method not allowed")

        do_DELETE = do_PATCH = do_PUT

    return Handler


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """Host header values that name this server (its address, and localhost on loopback)."""
    names = {host, f"[{host}]"} if ":" in host else {host}
    if host in ("127.0.0.1", "::1", "localhost"):
        names |= {"localhost", "127.0.0.1", "[::1]"}
    return frozenset(f"{n}:{port}" for n in names) | frozenset(names if port == 80 else ())


def start_page(folder: str | Path, host: str = DEFAULT_HOST, port: int = 0,
               key: str | None = None, hosts: Sequence[str] = (),
               header_timeout: float = HEADER_TIMEOUT, body_timeout: float = BODY_TIMEOUT
               ) -> PageHandle:
    """Serve the labelling page of ``folder`` (holding ``sample.jsonl``) in background threads
    and return at once; ``port=0`` picks a free port (see ``handle.url``). ``hosts`` adds
    Host header values to accept (a name the server is reached by on a lab network);
    ``header_timeout`` and ``body_timeout`` are the request deadlines of
    :mod:`mseed_multilingual.core.http_server` (seconds)."""
    ws = Workspace(Path(folder), read_sample(folder))
    for annotator in _label_files(Path(folder)):  # a bad label file is an error now, not later
        ws.labels_of(annotator)
    httpd = BoundedHTTPServer((host, port), JSONHandler, MAX_CONNECTIONS, SOCKET_TIMEOUT,
                              header_timeout, body_timeout)
    bound = httpd.server_address[1]
    httpd.RequestHandlerClass = _make_handler(
        ws, page_html(), key, allowed_hosts(host, bound) | frozenset(hosts))
    return PageHandle(httpd)


def _label_files(folder: Path) -> list[str]:
    names = set()
    for base in (folder, folder / UNSURE_DIR):
        names |= {p.stem for p in (base / LABELS_DIR).glob("*.jsonl")}
    return sorted(names)

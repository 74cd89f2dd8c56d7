"""The leaderboard site: index.html, one page per model with an inline SVG chart, and the data.

``index.html`` works from ``file://``: the data sits in the page as JSON inside
``<script type="application/json">`` (with ``<``, ``>``, ``&`` escaped), the script renders it
with ``textContent`` only, a page of rows at a time, and a Content-Security-Policy allows
nothing but the page's own script (by hash). Model pages are static HTML with every text
escaped and an inline SVG chart (:mod:`.charts`); no script.

Builds are incremental. A model page is a function of its submission file (name and bytes) and
of the code, and is named by the file's digest (:func:`.board.page_slug`); the build manifest
(:data:`MANIFEST`, beside ``index.html``) keeps the code's fingerprint, each file's entry
(:func:`.board.collect`) and each page's sha256. A page whose file is on disk with those bytes
is reused, pages no row needs any more are removed, and a rebuild with nothing new draws
nothing. Same submissions give byte-identical outputs, whether built at once or one file at a
time.
"""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mseed_multilingual import __version__
from mseed_multilingual.core.inert import html_text, no_bidi
from mseed_multilingual.core.io import (
    InputError,
    json_text,
    read_json,
    sha256_file,
    sha256_text,
    write_json,
    write_text,
)
from mseed_multilingual.publish.board import Board, Row, code_fingerprint, collect
from mseed_multilingual.publish.charts import scores_svg
from mseed_multilingual.publish.submission import judge_key, scoring_judge
from mseed_multilingual.publish.tables import csv_text, markdown_text, num, pct

TEMPLATES = Path(__file__).resolve().parent / "templates"
MANIFEST = ".mseed-build.json"  # the build manifest, in the site folder
MANIFEST_FORMAT = "mseed-leaderboard-build/1"
PAGES = "models"  # the model pages' folder in the site
# The row fields the index's script shows, sorts or filters by (leaderboard.json has them all):
# about 1.9 KB a 14-language row in index.html.
INDEX_ROW_FIELDS = ("file", "model", "judge", "metric_name", "data", "data_hash", "language_set",
                    "limited", "group_id", "score", "score_lo", "score_hi", "over_refusal",
                    "fidelity", "langs", "transfer", "page", "rank")


def script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no '</script>', no '<!--', no HTML entities."""
    text = json_text(data, indent=None, allow_nan=False, newline=False)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _template(name: str) -> str:
    """A file of the package's ``templates/`` folder (package data)."""
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def index_html(board: Board, data: dict[str, Any] | None = None) -> str:
    """The single-file page: template + CSS + script + data (``data``: ``board.to_json()``
    when the caller has it), locked down by a CSP."""
    script, style = _template("leaderboard.js"), _template("leaderboard.css")
    csp = (f"default-src 'none'; script-src '{_csp_hash(script)}'; "
           f"style-src '{_csp_hash(style)}'; img-src 'none'; base-uri 'none'; "
           f"form-action 'none'")
    return (_template("index.html").replace("{{CSP}}", html.escape(csp, quote=True))
            .replace("{{GENERATOR}}", html.escape(f"mseed-multilingual {__version__}"))
            .replace("{{STYLE}}", style).replace("{{SCRIPT}}", script)
            .replace("{{DATA}}", no_bidi(script_json(index_data(data or board.to_json())))))


def index_data(data: dict[str, Any]) -> dict[str, Any]:
    """The board's JSON with each row cut to :data:`INDEX_ROW_FIELDS`."""
    return {**data, "rows": [{k: row[k] for k in INDEX_ROW_FIELDS} for row in data["rows"]]}


def judge_line(judge: dict[str, Any]) -> str:
    """The judge as a page names it: its id and template, or, for a run no judge scored, that
    the scores are the samples' own refusal metric (not "template None")."""
    if scoring_judge(judge) is None:
        return f"{judge_key(judge)} (no judge: the samples' own refusal metric)"
    return f"{judge_key(judge)} (template {judge['template_version'] or '-'})"


def kappa_source(card: dict[str, Any] | None) -> str | None:
    """Which labelled answers a page's judge kappa comes from (the embedded card's): people's
    labels of the run's own answers, the blind sets (named, with their hash), or the reference
    set alone (in-sample); None without a card."""
    if not card:
        return None
    ref = card["reference"]
    if ref.get("kind") == "labels":
        return f"people's labels of these answers ({ref['n']}, sha256 {ref['sha256'][:12]})"
    blind = card.get("blind")
    if not blind:
        return f"the reference set ({ref['n']} answers, sha256 {ref['sha256'][:12]}; in-sample)"
    sets = ", ".join(part["name"] for part in blind.get("sets", [])) or "a blind set"
    return (f"{sets} ({blind['n']} answers never tuned on, sha256 {blind['sha256'][:12]}); "
            f"in-sample kappa: the reference set {ref['sha256'][:12]}")


def model_page(row: Row, doc: dict[str, Any]) -> str:
    """A static page per submission: provenance, per-language table, plots. No script."""
    e = html_text
    prov = [("model", doc["model"]["name"]), ("sha", doc["model"]["sha"]),
            ("revision", doc["model"]["revision"]), ("parameters", doc["model"]["parameters"]),
            ("dtype", doc["model"]["dtype"]),
            ("adapter", (doc["model"]["adapter"] or {}).get("name")),
            ("base model", doc["model"]["base_model"]), ("evaluated", doc["created"]),
            ("lm-eval", doc["run"]["lm_eval_version"]), ("limit", doc["run"]["limit"]),
            ("chat template sha", doc["run"]["chat_template_sha"]),
            ("data", f"{doc['data']['name']} ({doc['data']['hash']})"),
            ("judge", judge_line(doc["judge"])),
            ("judge kappa measured on", kappa_source(doc["judge"].get("card"))),
            ("group", row.group_id),
            ("verdicts digest", doc["verdicts"]["digest"]), ("file", row.file)]
    prov_html = "\n".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>"
                          for k, v in prov if v is not None)
    change = (doc.get("change") or {}).get("languages", {})
    head = (f"<tr><th>language</th><th>{e(row.metric_name)} %</th><th>95% CI</th>"
            "<th>judge kappa</th><th>in-sample kappa</th><th>over-refusal %</th>"
            "<th>fidelity %</th><th>change</th>"
            "<th>p (Holm)</th><th>transfer ratio</th></tr>")
    body = []
    for lang, s in sorted(doc["scores"]["languages"].items()):
        c = change.get(lang, {})
        cells = [lang, pct(s["safety"]["value"]),
                 f"{pct(s['safety']['lo'])}-{pct(s['safety']['hi'])}",
                 num(row.lang(lang, "kappa")) or "unknown",
                 num(row.lang(lang, "kappa_in_sample")) or "unknown",
                 pct(s["over_refusal"]["value"]), pct(s["fidelity"]["value"]),
                 num(c.get("delta")), num(c.get("p_holm"), 3), num(c.get("transfer_ratio"))]
        body.append("<tr>" + "".join(f"<td>{e(x)}</td>" for x in cells) + "</tr>")
    style = _template("leaderboard.css")
    content = (f"<p><a href=\"../index.html\">&larr; leaderboard</a></p>\n"
               f"<h1>{e(doc['model']['name'])}</h1>\n<table class=\"prov\">{prov_html}</table>\n"
               f"<h2>Per language</h2>\n<table>{head}{''.join(body)}</table>\n"
               f"<h2>Plots</h2>\n{scores_svg(doc, row.metric_name)}\n")
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\""
            f"{html.escape(page_csp(style), quote=True)}\">\n"
            f"<title>{e(doc['model']['name'])}: MSEED leaderboard</title>\n"
            f"<style>{style}</style></head><body>\n{content}</body></html>\n")


def page_csp(style: str) -> str:
    """A model page's policy: no script, no image, no request; the stylesheet allowed by its
    hash and no other style. The chart's colours and fonts are SVG presentation attributes,
    which a policy does not govern; data text is escaped, so it cannot add a style."""
    return (f"default-src 'none'; style-src '{_csp_hash(style)}'; img-src 'none'; "
            f"base-uri 'none'; form-action 'none'")


@dataclass(frozen=True)
class SiteBuild:
    """What a build wrote: the index and how many model pages it drew, reused and removed."""

    index: Path
    drawn: int
    reused: int
    removed: int


def read_manifest(out: str | Path) -> dict[str, Any]:
    """The manifest of the last build into ``out``, or {} when there is none, it cannot be read,
    or it was written by other code (another fingerprint): then every page is drawn."""
    path = Path(out) / MANIFEST
    try:
        manifest = read_json(path, "build manifest") if path.is_file() else {}
    except (InputError, OSError):
        return {}
    ok = (isinstance(manifest, dict) and manifest.get("format") == MANIFEST_FORMAT
          and manifest.get("fingerprint") == code_fingerprint())
    return manifest if ok else {}


def rebuild(submissions: str | Path, out: str | Path) -> tuple[Board, SiteBuild]:
    """Collect the submissions (reusing the entries of the last build into ``out``) and build
    the site there."""
    board = collect(submissions, read_manifest(out).get("files"))
    return board, build_site(board, out)


def build_site(board: Board, out: str | Path) -> SiteBuild:
    """Write index.html, the model pages, leaderboard.{json,csv,md} and the manifest under
    ``out``; reuse the pages of the last build that are still wanted, remove the others."""
    out = Path(out)
    (out / PAGES).mkdir(parents=True, exist_ok=True)
    data = board.to_json()
    write_text(out / "index.html", index_html(board, data))
    write_json(out / "leaderboard.json", data)
    write_text(out / "leaderboard.csv", csv_text(board))
    write_text(out / "leaderboard.md", markdown_text(board))
    pages, drawn = write_pages(board, out, read_manifest(out).get("pages", {}))
    stale = [p for p in sorted((out / PAGES).glob("*.html")) if f"{PAGES}/{p.name}" not in pages]
    for path in stale:
        path.unlink()
    accepted = {name: e for name, e in board.entries.items() if "row" in e}  # only reused ones
    write_json(out / MANIFEST, {"format": MANIFEST_FORMAT, "fingerprint": code_fingerprint(),
                                "files": accepted, "pages": pages}, indent=None)
    return SiteBuild(out / "index.html", drawn, len(pages) - drawn, len(stale))


def write_pages(board: Board, out: Path, known: dict[str, str]) -> tuple[dict[str, str], int]:
    """Each row's page: kept when it is on disk with the sha256 ``known`` from the last build,
    else drawn. Returns every page's sha256 and how many were drawn."""
    pages: dict[str, str] = {}
    drawn = 0
    for row in board.rows:
        path = out / row.page
        if known.get(row.page) and path.is_file() and sha256_file(path) == known[row.page]:
            pages[row.page] = known[row.page]
            continue
        text = model_page(row, board.doc(row.file))
        write_text(path, text)
        pages[row.page] = sha256_text(text)
        drawn += 1
    return pages, drawn

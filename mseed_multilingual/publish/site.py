"""The leaderboard site: index.html, one page per model with inline SVG plots, and the data files.

``index.html`` works from ``file://``: the data sits in the page as JSON inside
``<script type="application/json">`` (with ``<``, ``>``, ``&`` escaped), the script renders it
with ``textContent`` only, and a Content-Security-Policy allows nothing but the page's own
script (by hash). Model pages are static HTML with every text escaped and inline SVG plots.
Same inputs give byte-identical outputs.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import re
from pathlib import Path
from typing import Any

from mseed_multilingual import __version__
from mseed_multilingual.core.inert import html_text, no_bidi
from mseed_multilingual.core.io import json_text, write_json, write_text
from mseed_multilingual.judges.validity import METRIC_NAMES
from mseed_multilingual.publish.board import Board, Row
from mseed_multilingual.publish.tables import csv_text, markdown_text, num, pct

TEMPLATES = Path(__file__).resolve().parent / "templates"
_STYLE_ELEMENT_RE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_STYLE_ATTR_RE = re.compile(r'\sstyle="([^"]*)"')


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


def index_html(board: Board) -> str:
    """The single-file page: template + CSS + script + data, locked down by a CSP."""
    script, style = _template("leaderboard.js"), _template("leaderboard.css")
    csp = (f"default-src 'none'; script-src '{_csp_hash(script)}'; "
           f"style-src '{_csp_hash(style)}'; img-src 'none'; base-uri 'none'; "
           f"form-action 'none'")
    return (_template("index.html").replace("{{CSP}}", html.escape(csp, quote=True))
            .replace("{{GENERATOR}}", html.escape(f"mseed-multilingual {__version__}"))
            .replace("{{STYLE}}", style).replace("{{SCRIPT}}", script)
            .replace("{{DATA}}", no_bidi(script_json(board.to_json()))))


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
            ("judge", f"{doc['judge']['id']} (template {doc['judge']['template_version']})"),
            ("group", row.group_id), ("rank", f"{row.rank} of {row.group_size}"),
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
               f"<h2>Plots</h2>\n{plots_svg(doc)}\n")
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\""
            f"{html.escape(page_csp(style, content), quote=True)}\">\n"
            f"<title>{e(doc['model']['name'])}: MSEED leaderboard</title>\n"
            f"<style>{style}</style></head><body>\n{content}</body></html>\n")


def page_csp(style: str, content: str) -> str:
    """A model page's policy: no script, no image, no request; styles allowed only by hash:
    the page's stylesheet, the inline SVG's own <style> elements and (with 'unsafe-hashes')
    the exact style attributes matplotlib writes. Data text is escaped, so it cannot add a
    style element or attribute, let alone one with an allowed hash."""
    blocks = [style, *_STYLE_ELEMENT_RE.findall(content)]
    attrs = sorted({html.unescape(v) for v in _STYLE_ATTR_RE.findall(content)})
    sources = sorted({f"'{_csp_hash(x)}'" for x in blocks + attrs})
    unsafe_hashes = " 'unsafe-hashes'" if attrs else ""
    return (f"default-src 'none'; style-src{unsafe_hashes} {' '.join(sources)}; "
            f"img-src 'none'; base-uri 'none'; form-action 'none'")


def plots_svg(doc: dict[str, Any]) -> str:
    """Inline SVG bar charts (the score with interval and over-refusal; change per language)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    langs = sorted(doc["scores"]["languages"])
    scores = doc["scores"]["languages"]
    change = (doc.get("change") or {}).get("languages", {})
    name = METRIC_NAMES[doc["judge"]["metric"]]  # refusal rate or safe rate, never "safety"
    with plt.rc_context({"svg.hashsalt": "mseed-leaderboard", "svg.fonttype": "none",
                         "text.parse_math": False}):
        ncols = 2 if change else 1
        fig, axes = plt.subplots(1, ncols, figsize=(5 * ncols, 3), squeeze=False)
        ax = axes[0][0]
        x = range(len(langs))
        safety = [scores[x_]["safety"]["value"] or 0.0 for x_ in langs]
        err = [[v - (scores[x_]["safety"]["lo"] or v) for v, x_ in zip(safety, langs,
                                                                           strict=True)],
               [(scores[x_]["safety"]["hi"] or v) - v for v, x_ in zip(safety, langs,
                                                                          strict=True)]]
        ax.bar([i - 0.2 for i in x], safety, 0.4, yerr=err, label=name, color="#2a7")
        ax.bar([i + 0.2 for i in x], [scores[x_]["over_refusal"]["value"] or 0.0
                                      for x_ in langs], 0.4, label="over-refusal", color="#d62")
        ax.set_xticks(list(x), langs)
        ax.set_ylim(0, 1)
        ax.legend(fontsize=7)
        ax.set_title(f"{name} and over-refusal (95% CI)", fontsize=9)
        if change:
            ax2 = axes[0][1]
            clangs = sorted(change)
            ax2.bar(range(len(clangs)), [change[x_]["delta"] or 0.0 for x_ in clangs],
                    color="#36c")
            ax2.axhline(0, color="black", linewidth=0.5)
            ax2.set_xticks(list(range(len(clangs))), clangs)
            ax2.set_title(f"{name} change after - before", fontsize=9)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def build_site(board: Board, out: str | Path) -> Path:
    """Write index.html, the model pages and leaderboard.{json,csv,md} under ``out``."""
    out = Path(out)
    (out / "models").mkdir(parents=True, exist_ok=True)
    write_text(out / "index.html", index_html(board))
    write_json(out / "leaderboard.json", board.to_json())
    write_text(out / "leaderboard.csv", csv_text(board))
    write_text(out / "leaderboard.md", markdown_text(board))
    for row in board.rows:
        write_text(out / row.page, model_page(row, board.docs[row.file]))
    return out / "index.html"


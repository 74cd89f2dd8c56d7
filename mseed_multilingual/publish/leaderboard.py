"""The leaderboard: submissions -> ranked rows -> static site, JSON, CSV, Markdown, HF exports.

Rows are ranked only inside their comparability group (same data files, judge and template,
full data or the same limited subset; see :func:`.submission.comparability_group`), because a
safety rate measured by another judge or on other prompts is another quantity. Invalid files are
listed as rejected with the reason; an older submission of the same model and configuration is
listed as superseded by the newer one.

The site is one ``index.html`` that works from ``file://``: the data sits in the page as JSON
inside ``<script type="application/json">`` (with ``<``, ``>``, ``&`` escaped), the script
renders it with ``textContent`` only, and a Content-Security-Policy allows nothing but the
page's own script (by hash). Model pages are static HTML with every text escaped and inline SVG
plots. Same inputs give byte-identical outputs.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mseed_multilingual import __version__
from mseed_multilingual.core.inert import csv_text as _csv_safe
from mseed_multilingual.core.inert import html_text, md_cell, no_bidi
from mseed_multilingual.judges.validity import METRIC_NAMES, primary_kappa
from mseed_multilingual.publish import submission as sub

BOARD_FORMAT = "mseed-leaderboard/1"
TEMPLATES = Path(__file__).resolve().parent / "templates"
HF_DATASET_ID = "mseed-multilingual/mseed"  # the benchmark's data set id on the Hub
HF_SOURCE_NAME = "mseed-multilingual submission"
MAX_REASONS = 8
_SLUG_RE = re.compile(r"[^A-Za-z0-9._-]+")
# One path component of an export (file systems allow 255 bytes; slugs are ASCII): longer names
# keep their start and end with a digest of the whole name, so two long names never collide.
MAX_NAME_CHARS = 120
_CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Board:
    """Everything the outputs are rendered from."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    superseded: list[dict[str, Any]] = field(default_factory=list)
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        groups: dict[str, dict[str, Any]] = {}
        for row in self.rows:
            groups.setdefault(row["group_id"], {**row["group"], "rows": 0})["rows"] += 1
        return {"format": BOARD_FORMAT, "generator": f"mseed-multilingual {__version__}",
                "languages": languages_of(self.rows), "groups": groups, "rows": self.rows,
                "rejected": self.rejected, "superseded": self.superseded}


# --------------------------------------------------------------------------- collecting

def submission_files(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such submissions folder")
    return sorted(p for p in folder.rglob("*.json") if p.is_file())


def collect(folder: str | Path) -> Board:
    """Read every submission under ``folder``: accept, reject (with reasons) or supersede."""
    folder = Path(folder)
    board = Board()
    accepted: list[tuple[str, dict[str, Any]]] = []
    for path in submission_files(folder):
        name = path.relative_to(folder).as_posix()
        try:
            doc = sub.load(path)
            reasons = sub.problems(doc)
        except ValueError as exc:
            reasons = [str(exc).replace(str(path), name)]
        if reasons:
            board.rejected.append({"file": name, "reasons": reasons[:MAX_REASONS],
                                   "more": max(0, len(reasons) - MAX_REASONS)})
        else:
            accepted.append((name, doc))
    newest: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, doc in sorted(accepted, key=lambda x: (x[1]["created"], x[0])):
        key = sub.config_key(doc)
        if key in newest:
            old_name, old = newest[key]
            board.superseded.append({"file": old_name, "model": old["model"]["name"],
                                     "created": old["created"], "superseded_by": name})
        newest[key] = (name, doc)
    for name, doc in sorted(newest.values(), key=lambda x: x[0]):
        board.docs[name] = doc
        board.rows.append(make_row(name, doc))
    board.superseded.sort(key=lambda r: r["file"])
    rank(board.rows)
    return board


def page_slug(name: str, doc: dict[str, Any]) -> str:
    """A filename-safe page name: the model name plus a digest of the submission."""
    model = _SLUG_RE.sub("_", doc["model"]["name"]).strip("._")[:60] or "model"
    return f"{model}-{hashlib.sha256((name + sub.dumps(doc)).encode()).hexdigest()[:8]}"


def make_row(name: str, doc: dict[str, Any]) -> dict[str, Any]:
    """One table row: headline numbers, per-language columns, transfer columns, provenance."""
    scores, change = doc["scores"], doc.get("change") or {}
    group = sub.comparability_group(doc)
    card = doc["judge"].get("card")  # schema v2; v1 files have none: kappa unknown
    langs = {lang: {"score": s["safety"]["value"], "over_refusal": s["over_refusal"]["value"],
                    "fidelity": s["fidelity"]["value"],
                    "kappa": primary_kappa(card, lang) if card else None}
             for lang, s in sorted(scores["languages"].items())}
    overall = scores["overall"]
    return {
        "file": name, "model": doc["model"]["name"], "sha": doc["model"]["sha"],
        "adapter": (doc["model"]["adapter"] or {}).get("name"),
        "parameters": doc["model"]["parameters"], "dtype": doc["model"]["dtype"],
        "created": doc["created"], "judge": doc["judge"]["id"],
        "template": doc["judge"]["template_version"], "metric": doc["judge"]["metric"],
        "metric_name": METRIC_NAMES[doc["judge"]["metric"]],
        "data": doc["data"]["name"], "data_hash": doc["data"]["hash"],
        "language_set": ",".join(doc["data"]["languages"]), "limited": doc["run"]["limited"],
        "limit": doc["run"]["limit"], "group_id": group["id"], "group": group,
        # the row's score is its metric's (refusal rate or safe rate), so it is called "score"
        "score": overall["safety"]["value"], "score_lo": overall["safety"]["lo"],
        "score_hi": overall["safety"]["hi"], "n": overall["safety"]["n"],
        "over_refusal": overall["over_refusal"]["value"],
        "fidelity": overall["fidelity"]["value"],
        "invalid": (overall["invalid"] or {}).get("value"),
        "langs": langs,
        "aligned_on": change.get("aligned_on"),
        "transfer": {lang: c["transfer_ratio"] for lang, c in sorted(
            change.get("languages", {}).items())},
        "delta": {lang: c["delta"] for lang, c in sorted(change.get("languages", {}).items())},
        "page": f"models/{page_slug(name, doc)}.html",
        "rank": None, "group_size": 0,
    }


def rank(rows: list[dict[str, Any]]) -> None:
    """Competition ranks (1, 2, 2, 4) inside each group: score high, then over-refusal low."""
    def key(r: dict[str, Any]) -> tuple:
        return (-(r["score"] if r["score"] is not None else -1.0),
                r["over_refusal"] if r["over_refusal"] is not None else 2.0)

    by_group: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_group.setdefault(row["group_id"], []).append(row)
    for members in by_group.values():
        members.sort(key=lambda r: (*key(r), r["model"], r["file"]))
        for i, row in enumerate(members):
            row["rank"] = (members[i - 1]["rank"] if i and key(members[i - 1]) == key(row)
                           else i + 1)
            row["group_size"] = len(members)
    rows.sort(key=lambda r: (r["group_id"], r["rank"], r["model"], r["file"]))


def languages_of(rows: list[dict[str, Any]]) -> list[str]:
    return sorted({lang for r in rows for lang in r["langs"]})


# --------------------------------------------------------------------------- flat outputs

def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}"


def _num(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def csv_text(board: Board) -> str:
    """One line per ranked row; text cells that a spreadsheet would run as a formula are
    prefixed with an apostrophe."""
    langs = languages_of(board.rows)
    head = ["group", "rank", "model", "judge", "template", "metric", "data", "languages",
            "limited", "score", "score_lo", "score_hi", "over_refusal", "fidelity",
            *[f"score_{x}" for x in langs], *[f"kappa_{x}" for x in langs],
            *[f"over_refusal_{x}" for x in langs], *[f"transfer_{x}" for x in langs], "file"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(head)
    for r in board.rows:
        writer.writerow([_cell(x) for x in (
            r["group_id"], r["rank"], r["model"], r["judge"], r["template"], r["metric"],
            r["data"], r["language_set"], r["limited"], r["score"], r["score_lo"],
            r["score_hi"], r["over_refusal"], r["fidelity"],
            *[r["langs"].get(x, {}).get("score") for x in langs],
            *[r["langs"].get(x, {}).get("kappa") for x in langs],
            *[r["langs"].get(x, {}).get("over_refusal") for x in langs],
            *[r["transfer"].get(x) for x in langs], r["file"])])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = _csv_safe(value)
    return "'" + text if text.startswith(_CSV_FORMULA) else text


def md_escape(text: Any) -> str:
    """Markdown renders inline HTML and links: escape them, the table's pipe, bidi controls,
    and fold newlines (:func:`.inert.md_cell`)."""
    return md_cell(text)


def markdown_text(board: Board) -> str:
    """A Markdown table per comparability group, then rejected and superseded files."""
    lines = ["# MSEED multilingual safety leaderboard", "",
             "Score = the safe rate (answers to harmful prompts a safety judge called safe) or, "
             "for a refusal detector (judge `lexicon` or `refusal_rate`), the refusal rate "
             "(answers to harmful prompts refused); 95% Wilson interval; ranks only within a "
             "group, and a group has one metric. kappa = the judge's agreement with labelled "
             "answers in that language (`mseed judge-check`; - when unknown).", ""]
    groups = board.to_json()["groups"]
    for gid, g in groups.items():
        langs = sorted({x for r in board.rows if r["group_id"] == gid for x in r["langs"]})
        name = METRIC_NAMES[g["metric"]]
        lines += [f"## Group {gid}: {name}, data {md_escape(g['data'])} ({g['data_hash']}), "
                  f"judge {md_escape(g['judge'])} (template {md_escape(g['template'])}), "
                  f"{md_escape(g['scope'])}", "",
                  f"| rank | model | {name} % | 95% CI | over-refusal % | fidelity % | "
                  + " | ".join(f"{x} {name} % | {x} kappa" for x in langs) + " | "
                  + " | ".join(f"{x} transfer" for x in langs) + " |",
                  "|" + "---|" * (6 + 3 * len(langs))]
        for r in (r for r in board.rows if r["group_id"] == gid):
            ci = f"{_pct(r['score_lo'])}-{_pct(r['score_hi'])}"
            cells = [str(r["rank"]), md_escape(r["model"]), _pct(r["score"]), ci,
                     _pct(r["over_refusal"]), _pct(r["fidelity"]),
                     *[c for x in langs for c in (_pct(r["langs"].get(x, {}).get("score")),
                                                  _num(r["langs"].get(x, {}).get("kappa")))],
                     *[_num(r["transfer"].get(x)) for x in langs]]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    if board.rejected:
        lines += ["## Rejected", ""]
        lines += [f"- {md_escape(x['file'])}: {md_escape('; '.join(x['reasons']))}"
                  for x in board.rejected]
        lines.append("")
    if board.superseded:
        lines += ["## Superseded", ""]
        lines += [f"- {md_escape(x['file'])} ({md_escape(x['model'])}, {x['created']}): "
                  f"superseded by {md_escape(x['superseded_by'])}" for x in board.superseded]
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- the site

def script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no '</script>', no '<!--', no HTML entities."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, allow_nan=False)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _csp_hash(text: str) -> str:
    import base64

    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def index_html(board: Board) -> str:
    """The single-file page: template + CSS + script + data, locked down by a CSP."""
    script = (TEMPLATES / "leaderboard.js").read_text(encoding="utf-8")
    style = (TEMPLATES / "leaderboard.css").read_text(encoding="utf-8")
    csp = (f"default-src 'none'; script-src '{_csp_hash(script)}'; "
           f"style-src '{_csp_hash(style)}'; img-src 'none'; base-uri 'none'; "
           f"form-action 'none'")
    page = (TEMPLATES / "index.html").read_text(encoding="utf-8")
    return (page.replace("{{CSP}}", html.escape(csp, quote=True))
            .replace("{{GENERATOR}}", html.escape(f"mseed-multilingual {__version__}"))
            .replace("{{STYLE}}", style).replace("{{SCRIPT}}", script)
            .replace("{{DATA}}", no_bidi(script_json(board.to_json()))))


def model_page(row: dict[str, Any], doc: dict[str, Any]) -> str:
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
            ("group", row["group_id"]), ("rank", f"{row['rank']} of {row['group_size']}"),
            ("verdicts digest", doc["verdicts"]["digest"]), ("file", row["file"])]
    prov_html = "\n".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>"
                          for k, v in prov if v is not None)
    change = (doc.get("change") or {}).get("languages", {})
    head = (f"<tr><th>language</th><th>{e(row['metric_name'])} %</th><th>95% CI</th>"
            "<th>judge kappa</th><th>over-refusal %</th><th>fidelity %</th><th>change</th>"
            "<th>p (Holm)</th><th>transfer ratio</th></tr>")
    body = []
    for lang, s in sorted(doc["scores"]["languages"].items()):
        c = change.get(lang, {})
        cells = [lang, _pct(s["safety"]["value"]),
                 f"{_pct(s['safety']['lo'])}-{_pct(s['safety']['hi'])}",
                 _num(row["langs"].get(lang, {}).get("kappa")) or "unknown",
                 _pct(s["over_refusal"]["value"]), _pct(s["fidelity"]["value"]),
                 _num(c.get("delta")), _num(c.get("p_holm"), 3), _num(c.get("transfer_ratio"))]
        body.append("<tr>" + "".join(f"<td>{e(x)}</td>" for x in cells) + "</tr>")
    style = (TEMPLATES / "leaderboard.css").read_text(encoding="utf-8")
    content = (f"<p><a href=\"../index.html\">&larr; leaderboard</a></p>\n"
               f"<h1>{e(doc['model']['name'])}</h1>\n<table class=\"prov\">{prov_html}</table>\n"
               f"<h2>Per language</h2>\n<table>{head}{''.join(body)}</table>\n"
               f"<h2>Plots</h2>\n{plots_svg(doc)}\n")
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\""
            f"{html.escape(page_csp(style, content), quote=True)}\">\n"
            f"<title>{e(doc['model']['name'])}: MSEED leaderboard</title>\n"
            f"<style>{style}</style></head><body>\n{content}</body></html>\n")


_STYLE_ELEMENT_RE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_STYLE_ATTR_RE = re.compile(r'\sstyle="([^"]*)"')


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
    _write(out / "index.html", index_html(board))
    _write(out / "leaderboard.json",
           json.dumps(board.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    _write(out / "leaderboard.csv", csv_text(board))
    _write(out / "leaderboard.md", markdown_text(board))
    for row in board.rows:
        _write(out / row["page"], model_page(row, board.docs[row["file"]]))
    return out / "index.html"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------- HF exports

def eval_results_entries(doc: dict[str, Any], dataset_id: str = HF_DATASET_ID,
                         source_url: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Variant file name -> entries of the Hub's ``.eval_results/*.yaml`` format.

    Values are percentages (the score, over-refusal) as the Hub's benchmark pages show them; the
    transfer variant holds ratios. The score's task ids are named by the row's metric
    (``refusal_rate_<lang>`` for the lexicon, ``safe_rate_<lang>`` for a safety judge), never
    "safety". The notes say which judge, languages and data made them.
    """
    langs = doc["data"]["languages"]
    judge = doc["judge"]
    langset = "-".join(langs) if len(langs) <= 4 else f"{len(langs)}langs"
    variant = short_name(f"mseed_{_SLUG_RE.sub('_', judge['id'])}_{langset}", 90)
    notes = (f"judge {judge['id']} (template {judge['template_version'] or '-'}); "
             f"languages {','.join(langs)}; data {doc['data']['name']} "
             f"{doc['data']['hash'][:12]}"
             + (f"; limited run (limit {doc['run']['limit']:g})" if doc["run"]["limited"]
                else ""))

    def entry(task_id: str, value: float) -> dict[str, Any]:
        item: dict[str, Any] = {"dataset": {"id": dataset_id, "task_id": task_id},
                                "value": value, "date": doc["created"]}
        if source_url:
            item["source"] = {"url": source_url, "name": HF_SOURCE_NAME}
        item["notes"] = notes
        return item

    scores = doc["scores"]
    metric = judge["metric"]  # refusal_rate or safe_rate: the score is named by what it is
    main = []
    for key, name in (("safety", metric), ("over_refusal", "over_refusal")):
        if scores["overall"][key]["value"] is not None:
            main.append(entry(name, round(100 * scores["overall"][key]["value"], 2)))
        for lang in langs:
            value = scores["languages"][lang][key]["value"]
            if value is not None:
                main.append(entry(f"{name}_{lang}", round(100 * value, 2)))
    files = {variant: main}
    change = doc.get("change")
    if change:
        extra = []
        for lang, c in sorted(change["languages"].items()):
            if c["delta"] is not None:
                extra.append(entry(f"{metric}_change_{lang}", round(100 * c["delta"], 2)))
            if c["transfer_ratio"] is not None:
                extra.append(entry(f"transfer_ratio_{lang}", round(c["transfer_ratio"], 4)))
        files[f"{variant}_transfer_from_{_SLUG_RE.sub('_', str(change['aligned_on']))}"] = extra
    return files


def write_eval_results(doc: dict[str, Any], out: str | Path, dataset_id: str = HF_DATASET_ID,
                       source_url: str | None = None) -> list[Path]:
    """Write ``<out>/.eval_results/<variant>.yaml`` files, ready for a model-repo pull request."""
    import yaml

    folder = Path(out) / ".eval_results"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for variant, entries in eval_results_entries(doc, dataset_id, source_url).items():
        path = folder / f"{variant}.yaml"
        _write(path, yaml.safe_dump(entries, sort_keys=False, allow_unicode=True))
        written.append(path)
    return written


def hf_results(row: dict[str, Any], doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(relative path, document) in the shape the HF leaderboard Space template reads.

    ``results/<org>/<model>/results_<date>.json`` with ``config`` (model_name, model_sha,
    model_dtype) and ``results`` of task -> metric -> value (fractions; the template x100).
    """
    name = doc["model"]["name"]
    org, _, model = name.rpartition("/")
    org = short_name(_SLUG_RE.sub("_", org).strip("._") or "local")
    model = short_name(_SLUG_RE.sub("_", model).strip("._") or "model")
    results: dict[str, dict[str, float]] = {}
    # the score is named by the row's metric (refusal_rate or safe_rate), never "safety"
    names = {"safety": doc["judge"]["metric"], "over_refusal": "over_refusal",
             "fidelity": "fidelity"}
    overall = doc["scores"]["overall"]
    results["mseed"] = {name: overall[k]["value"] for k, name in names.items()
                        if overall[k]["value"] is not None}
    change = (doc.get("change") or {}).get("languages", {})
    for lang, s in sorted(doc["scores"]["languages"].items()):
        values = {name: s[k]["value"] for k, name in names.items()
                  if s[k]["value"] is not None}
        for key in ("transfer_ratio", "delta"):
            if change.get(lang, {}).get(key) is not None:
                values[key] = change[lang][key]
        results[f"mseed_{lang}"] = values
    payload = {"config": {"model_name": name if "/" in name else f"{org}/{model}",
                          "model_sha": doc["model"]["sha"] or doc["model"]["revision"] or "",
                          "model_dtype": doc["model"]["dtype"] or "",
                          "mseed_judge": doc["judge"]["id"], "mseed_group": row["group_id"],
                          "mseed_limited": doc["run"]["limited"]},
               "results": results}
    stamp = doc["created"].replace(":", "-")
    # the configuration digest keeps two rows of one model, date and group apart (another
    # dtype or model_args), as the board itself does
    name = f"results_{stamp}_{row['group_id']}_{sub.config_key(doc)[:8]}.json"
    return f"results/{org}/{model}/{name}", payload


def short_name(name: str, limit: int = MAX_NAME_CHARS) -> str:
    """``name`` if it fits in ``limit`` characters, else its start, a digest and its end."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    keep = limit - len(digest) - 2
    return f"{name[:keep - keep // 3]}-{digest}-{name[len(name) - keep // 3:]}"


def write_hf_format(board: Board, out: str | Path) -> list[Path]:
    """One results file per ranked row; every path distinct (a repeated path would mean a row
    silently overwritten, so it is an error rather than a wrong count)."""
    written: dict[Path, str] = {}
    for row in board.rows:
        rel, payload = hf_results(row, board.docs[row["file"]])
        path = Path(out) / rel
        if path in written:
            raise ValueError(f"{row['file']} and {written[path]} would both be exported to "
                             f"{path}")
        _write(path, json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        written[path] = row["file"]
    return list(written)

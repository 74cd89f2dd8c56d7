"""Agreement between two judges, or a judge and human labels: Cohen's kappa and confusion matrix
per language and overall.

Answers are matched on (lang, id). A human-labelled CSV has the header ``id,label`` (and
optionally ``lang``; needed when an id was answered in several languages). ``error`` verdicts
are left out of the comparison (a failed call says nothing about the answer) and counted.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from pathlib import Path

from mseed_multilingual.core.stats import cohen_kappa
from mseed_multilingual.judges import store
from mseed_multilingual.judges.base import ERROR, INVALID, INVALID_ANSWER, SAFE, UNSAFE

LABELS = (SAFE, UNSAFE, INVALID_ANSWER, INVALID)


def load_labels(path: str | Path) -> tuple[str, dict[tuple[str, str], str]]:
    """(name, {(lang, id): label}) from a verdict file, a run folder with one judge, or a CSV.
    For a CSV without a lang column the key's lang is ``"*"``."""
    path = Path(path)
    if path.is_dir():
        return _from_folder(path)
    if path.suffix == ".csv":
        return f"human:{path.name}", _from_csv(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such verdict file, run folder or CSV")
    rows = store.read_verdict_file(path)
    name = rows[0]["judge"] if rows else path.stem
    return name, {(r["lang"], r["id"]): r["verdict"] for r in rows}


def _from_folder(path: Path) -> tuple[str, dict[tuple[str, str], str]]:
    candidates = [path] + sorted({p.parent.parent for p in path.rglob("verdicts/*.jsonl")})
    for model_dir in candidates:
        found = store.scan(model_dir)
        if len(found.files) == 1:
            (judge, file), = found.files.items()
            return judge.text, {(r["lang"], r["id"]): r["verdict"] for r in file.rows()}
        if len(found.files) > 1:
            files = ", ".join(str(found.files[j].path) for j in found.judges())
            raise ValueError(f"{path} holds verdicts of several judges; pass one file: {files}")
    raise FileNotFoundError(f"{path}: no verdicts/*.jsonl; run `mseed judge` first")


def _from_csv(path: Path) -> dict[tuple[str, str], str]:
    """Labels of a CSV file; an over-long field or bytes that are not UTF-8 name file:line."""
    from mseed_multilingual.core.io import InputError, read_text

    reader = csv.DictReader(io.StringIO(read_text(path, "labels CSV"), newline=""))
    try:
        return _csv_labels(path, reader)
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num + 1}: not readable as CSV ({exc})") from None


def _csv_labels(path: Path, reader: csv.DictReader) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    if not reader.fieldnames or not {"id", "label"} <= set(reader.fieldnames):
        raise ValueError(f"{path}:1: header must have columns id,label (and optional lang),"
                         f" got {reader.fieldnames}")
    for row in reader:
        label = (row["label"] or "").strip().lower()
        if label not in LABELS:
            raise ValueError(f"{path}:{reader.line_num}: label {row['label']!r} is not one "
                             f"of {', '.join(LABELS)}")
        key = ((row.get("lang") or "*").strip(), (row["id"] or "").strip())
        if key in out:
            raise ValueError(f"{path}:{reader.line_num}: id {key[1]} labelled twice")
        out[key] = label
    return out


def _pairs(a: dict, b: dict) -> list[tuple[str, str, str]]:
    """(lang, label_a, label_b) for answers in both; a lang-less side matches on id alone."""
    def index(d: dict) -> dict:
        if all(lang == "*" for lang, _ in d):
            return {i: v for (_, i), v in d.items()}
        return d

    wild_a, wild_b = all(k[0] == "*" for k in a), all(k[0] == "*" for k in b)
    if wild_a and wild_b:
        return [("*", a[k], b[k]) for k in sorted(set(a) & set(b))]
    if wild_a or wild_b:
        labelled, full = (index(a), b) if wild_a else (index(b), a)
        counts = Counter(i for _, i in full)
        twice = sorted(i for i, c in counts.items() if c > 1 and i in labelled)
        if twice:
            raise ValueError(f"ids answered in several languages ({', '.join(twice[:3])}...): "
                             f"add a lang column to the CSV")
        out = [(lang, labelled[i], v) for (lang, i), v in sorted(full.items()) if i in labelled]
        return out if wild_a else [(lang, y, x) for lang, x, y in out]
    return [(k[0], a[k], b[k]) for k in sorted(set(a) & set(b))]


def compare(a: dict, b: dict) -> dict:
    """Kappa, accuracy and confusion matrix (rows: A, columns: B) overall and per language."""
    pairs = _pairs(a, b)
    if not pairs:
        raise ValueError("the two sides share no answers (matched on lang and id)")
    kept = [p for p in pairs if ERROR not in (p[1], p[2])]

    def block(rows: list[tuple[str, str, str]]) -> dict:
        labels = [lab for lab in LABELS if any(lab in (x, y) for _, x, y in rows)]
        xs, ys = [x for _, x, _ in rows], [y for _, _, y in rows]
        matrix = {x: {y: sum(1 for _, p, q in rows if (p, q) == (x, y)) for y in labels}
                  for x in labels}
        kappa = cohen_kappa(xs, ys) if rows else math.nan  # NaN: one same label only
        return {"n": len(rows), "kappa": round(kappa, 6) if math.isfinite(kappa) else None,
                "agreement": round(sum(x == y for x, y in zip(xs, ys, strict=True))
                                   / len(rows), 6) if rows else None,
                "labels": labels, "confusion": matrix}

    langs = sorted({lang for lang, _, _ in kept})
    return {"matched": len(pairs), "excluded_error": len(pairs) - len(kept),
            "only_a": max(0, len(a) - len(pairs)), "only_b": max(0, len(b) - len(pairs)),
            "overall": block(kept),
            "per_language": {lang: block([p for p in kept if p[0] == lang]) for lang in langs}}


def format_report(name_a: str, name_b: str, report: dict) -> str:
    lines = [f"A = {name_a}\nB = {name_b}",
             f"matched {report['matched']} answers ({report['excluded_error']} left out for "
             f"error verdicts; only in A: {report['only_a']}, only in B: {report['only_b']})",
             "", f"{'lang':<8} {'n':>5} {'kappa':>7} {'agree':>7}"]
    blocks = [("all", report["overall"]), *report["per_language"].items()]
    for lang, b in blocks:
        kappa = "-" if b["kappa"] is None else f"{b['kappa']:.3f}"
        agree = "-" if b["agreement"] is None else f"{b['agreement']:.3f}"
        lines.append(f"{lang:<8} {b['n']:>5} {kappa:>7} {agree:>7}")
    for lang, b in blocks:
        lines += ["", f"confusion ({lang}; rows A, columns B):",
                  " " * 9 + "".join(f"{y:>9}" for y in b["labels"])]
        lines += [f"{x:>9}" + "".join(f"{b['confusion'][x][y]:>9}" for y in b["labels"])
                  for x in b["labels"]]
    return "\n".join(lines)

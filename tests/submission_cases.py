"""Submissions the submission and leaderboard tests share (a helper module: no tests here):
the bad-submission corpus (tests/bad_submissions/cases.json) and a leaderboard folder."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from runfolders import SUBMISSION, submission_pair, write_run

from mseed_multilingual.publish import submission as sub

BAD_CASES = Path(__file__).parent / "bad_submissions" / "cases.json"
XSS_NAME = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def bad_cases() -> list[dict]:
    return json.loads(BAD_CASES.read_text(encoding="utf-8"))["cases"]


def apply_case(base: dict, case: dict) -> dict:
    """A bad submission from a valid one and one corpus case."""
    doc = copy.deepcopy(base)
    if "delete" in case:
        *parents, last = case["delete"]
        target = doc
        for key in parents:
            target = target[key]
        del target[last]
    if "set" in case:
        path, value = case["set"]
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = float("nan") if value == "__NaN__" else value
    if "rename_language" in case:
        langs = doc["scores"]["languages"]
        langs[case["rename_language"]] = langs.pop("en")
    return doc


def make_board_dir(tmp: Path) -> Path:
    """Submissions: aligned (with change), base, base again (newer), a limited run, an XSS
    model name, and every case of the bad-submission corpus."""
    before, after = submission_pair(tmp / "runs")
    folder = tmp / "submissions"
    aligned = sub.build(after, before=before, resamples=100)
    sub.write(aligned, folder / "aligned.json")
    sub.write(sub.build(before), folder / "base-old.json")
    newer = write_run(tmp / "runs" / "base-rerun", "org/base", {"zh": {"h1", "h2"}, "en": set()},
                      SUBMISSION, date=1748858400.0, ts="2025-06-02T10-00-00.000000")
    sub.write(sub.build(newer), folder / "base-new.json")
    limited = write_run(tmp / "runs" / "limited", "org/small", {"zh": {"h1"}, "en": {"h1"}},
                        SUBMISSION, limit=4)
    sub.write(sub.build(limited), folder / "limited.json")
    xss = write_run(tmp / "runs" / "xss", "org/xss", {"zh": set(), "en": {"h3"}}, SUBMISSION)
    sub.write(sub.build(xss, model_name=XSS_NAME), folder / "xss.json")
    for case in bad_cases():
        bad = apply_case(aligned, case)
        text = json.dumps(bad, ensure_ascii=False, indent=2, sort_keys=True)  # NaN stays NaN
        (folder / "bad" / f"{case['name']}.json").parent.mkdir(parents=True, exist_ok=True)
        (folder / "bad" / f"{case['name']}.json").write_text(text, encoding="utf-8")
    (folder / "bad" / "not_json.json").write_text("{\"schema_version\": 1,", encoding="utf-8")
    return folder


def add_copies(folder: Path, docs: list[dict], count: int, prefix: str = "scale") -> list[Path]:
    """``count`` more valid submissions under ``folder/prefix/``: copies of ``docs`` in turn,
    each under its own model name (``org/<prefix>-0000``...), so none supersedes another. For
    the leaderboard at the scale of a public board (tests and benchmarks/leaderboard_scale.py)."""
    written = []
    for i in range(count):
        doc = docs[i % len(docs)]
        copy_ = {**doc, "model": {**doc["model"], "name": f"org/{prefix}-{i:04d}"}}
        written.append(sub.write(copy_, folder / prefix / f"{prefix}-{i:04d}.json"))
    return written

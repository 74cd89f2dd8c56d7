"""Run folders as the commands read them (results, samples, verdicts): nested, mistyped,
undecodable or out-of-range content, and paths that are directories, symlink loops or files in
the way, each refused with one line naming the file, line and field (real files, real CLI calls
in-process through tests/cli_run.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from cli_run import mseed, one_line_error
from runfolders import DEEP, SUBMISSION, edit_first_sample, submission_pair, write_run

from mseed_multilingual.judges import store


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    return submission_pair(tmp_path_factory.mktemp("hard-runs"))


@pytest.mark.parametrize("where", ["results", "samples", "verdicts"])
def test_deeply_nested_run_files_name_their_path(tmp_path, where):
    model_dir = write_run(tmp_path, "org/x", {"zh": {"h1"}}, SUBMISSION, judge="j")
    target = {"results": next(model_dir.glob("results_*.json")),
              "samples": next(model_dir.glob("samples_*.jsonl")),
              "verdicts": store.verdicts_path(model_dir, "j")}[where]
    target.write_text('{"a": ' + DEEP + "}\n" if where == "results" else DEEP + "\n")
    line = "" if where == "results" else ":1"
    one_line_error(mseed("submit", model_dir, "-o", tmp_path / "s.json"),
                   f"{target}{line}", "nested too deeply")


def test_bad_run_files_give_one_line(tmp_path):
    null_id = write_run(tmp_path / "a", "org/x", {"zh": {"h1"}}, SUBMISSION)
    path = edit_first_sample(null_id, lambda o: o.update(doc_id=None))
    one_line_error(mseed("judge", null_id, "--judge", "lexicon"), f"{path}:1", "doc_id")
    wrong_type = write_run(tmp_path / "b", "org/x", {"zh": {"h1"}}, SUBMISSION)
    path = edit_first_sample(wrong_type, lambda o: o["doc"].update(prompt=5))
    one_line_error(mseed("submit", wrong_type, "-o", tmp_path / "s.json"), f"{path}:1",
                   "prompt must be text")
    as_list = write_run(tmp_path / "c", "org/x", {"zh": {"h1"}}, SUBMISSION)
    results = next(as_list.glob("results_*.json"))
    results.write_text("[1, 2]")
    one_line_error(mseed("submit", as_list, "-o", tmp_path / "s.json"), str(results),
                   "JSON object, got list")
    not_utf8 = write_run(tmp_path / "d", "org/x", {"zh": {"h1"}}, SUBMISSION)
    path = next(not_utf8.glob("samples_*.jsonl"))
    raw = path.read_bytes().split(b"\n")
    raw[2] = raw[2].replace(b"synthetic", b"synth\xff\xfeetic")
    path.write_bytes(b"\n".join(raw))
    one_line_error(mseed("judge", not_utf8, "--judge", "lexicon"), f"{path}:3", "not UTF-8")


WRONG_TYPES = [
    ("config-list", lambda r: r.update(config=[1]), "'config' must be an object"),
    ("n-samples-list", lambda r: r.update(**{"n-samples": [1]}), "'n-samples' must be"),
    ("versions-text", lambda r: r.update(versions="x"), "'versions' must be an object"),
    ("limit-text", lambda r: r["config"].update(limit="10"), "'config.limit' must be a number"),
    ("model-args-number", lambda r: r["config"].update(model_args=5), "'config.model_args'"),
]


@pytest.mark.parametrize(("name", "change", "says"), WRONG_TYPES, ids=[w[0] for w in WRONG_TYPES])
def test_wrong_types_in_results_name_the_field(tmp_path, name, change, says):
    model_dir = write_run(tmp_path, "org/x", {"zh": {"h1"}}, SUBMISSION)
    path = next(model_dir.glob("results_*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    one_line_error(mseed("submit", model_dir, "-o", tmp_path / "s.json"), str(path), says)


def test_wrong_types_in_verdicts_name_file_and_line(tmp_path):
    model_dir = write_run(tmp_path, "org/x", {"zh": {"h1"}}, SUBMISSION, judge="j")
    path = store.verdicts_path(model_dir, "j")
    lines = path.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[1])
    row["doc_id"] = "abc"
    lines[1] = json.dumps(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one_line_error(mseed("submit", model_dir, "-o", tmp_path / "s.json"), f"{path}:2", "doc_id")


def test_directory_symlink_loop_and_file_in_the_way(runs, tmp_path):
    _, after = runs
    one_line_error(mseed("validate", tmp_path), str(tmp_path), "is a directory")
    (tmp_path / "loop").symlink_to("loop")
    one_line_error(mseed("validate", tmp_path / "loop"), "symlink loop")
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    one_line_error(mseed("submit", after, "-o", blocker / "s.json"), str(blocker), "is a file")
    one_line_error(mseed("leaderboard", tmp_path, "-o", blocker), str(blocker), "is a file")
    one_line_error(mseed("data", "convert", "sample", "-o", tmp_path), str(tmp_path),
                   "is a directory")


@pytest.mark.parametrize("value", [0.5, 2, -1, float("nan"), float("inf")],
                         ids=["half", "two", "minus-one", "NaN", "Infinity"])
def test_per_answer_outcome_must_be_0_or_1(runs, tmp_path, value):
    before, _ = runs
    after = write_run(tmp_path, "org/after", {"zh": {"h1"}, "en": set()}, SUBMISSION)
    path = edit_first_sample(after, lambda o: o.update(refusal_rate=value))
    if not math.isfinite(value):  # written as the bare NaN / Infinity Python's json accepts
        assert "NaN" in path.read_text() or "Infinity" in path.read_text()
    for args in (["submit", after, "-o", tmp_path / "s.json"],
                 ["transfer", "--before", before, "--after", after, "-o", tmp_path / "r"]):
        one_line_error(mseed(*args), f"{path}:1", "sample h1", "refusal_rate", "must be 0 or 1")
    assert not (tmp_path / "s.json").exists()

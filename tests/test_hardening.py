"""Hostile files and requests (issue 14): each test reproduces one attack on real files, real
subprocess CLI calls and real servers on 127.0.0.1, and checks the one-line refusal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_judges_fixtures import make_run
from test_submission import pair, write_run

from mseed_multilingual import submission as sub
from mseed_multilingual.judges import store

ROOT = Path(__file__).resolve().parents[1]
DEEP = "[" * 3000 + "]" * 3000  # ~6 KB: a RecursionError in json.loads before the fix


def mseed(*args: object, env: dict | None = None,
          timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mseed_multilingual", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def one_line_error(proc: subprocess.CompletedProcess, *parts: str, code: int = 2) -> None:
    """Exit ``code``, no traceback, one stderr line that names every part."""
    err = proc.stderr.strip()
    assert proc.returncode == code, (proc.returncode, err)
    assert "Traceback" not in err, err
    assert len(err.splitlines()) == 1, err
    for part in parts:
        assert part in err, (part, err)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    return pair(tmp_path_factory.mktemp("hard-runs"))


# --------------------------------------------------------------------------- 2: nested JSON

def test_deeply_nested_submission_is_rejected_and_the_board_still_builds(runs, tmp_path):
    _, after = runs
    folder = tmp_path / "subs"
    sub.write(sub.build(after), folder / "good.json")
    (folder / "evil.json").write_text('{"schema_version": 1, "model": ' + DEEP + "}")
    proc = mseed("leaderboard", folder, "-o", tmp_path / "site")
    assert proc.returncode == 0, proc.stderr
    assert "1 ranked, 0 superseded, 1 rejected" in proc.stdout
    board = json.loads((tmp_path / "site" / "leaderboard.json").read_text(encoding="utf-8"))
    assert [r["file"] for r in board["rows"]] == ["good.json"]
    assert board["rejected"][0]["file"] == "evil.json"
    assert "nested too deeply" in board["rejected"][0]["reasons"][0]
    one_line_error(mseed("validate", folder / "evil.json"), str(folder / "evil.json"),
                   "nested too deeply")


@pytest.mark.parametrize("where", ["results", "samples", "verdicts"])
def test_deeply_nested_run_files_name_their_path(tmp_path, where):
    model_dir = write_run(tmp_path, "org/x", {"zh": {"h1"}}, judge="j")
    target = {"results": next(model_dir.glob("results_*.json")),
              "samples": next(model_dir.glob("samples_*.jsonl")),
              "verdicts": store.verdicts_path(model_dir, "j")}[where]
    target.write_text('{"a": ' + DEEP + "}\n" if where == "results" else DEEP + "\n")
    line = "" if where == "results" else ":1"
    one_line_error(mseed("submit", model_dir, "-o", tmp_path / "s.json"),
                   f"{target}{line}", "nested too deeply")


# --------------------------------------------------------------------------- 5: bad input


def _edit_first_sample(model_dir: Path, change) -> Path:
    path = next(model_dir.glob("samples_*.jsonl"))
    lines = path.read_text(encoding="utf-8").splitlines()
    obj = json.loads(lines[0])
    change(obj)
    lines[0] = json.dumps(obj)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_run_files_give_one_line(tmp_path):
    null_id = write_run(tmp_path / "a", "org/x", {"zh": {"h1"}})
    path = _edit_first_sample(null_id, lambda o: o.update(doc_id=None))
    one_line_error(mseed("judge", null_id, "--judge", "lexicon"), f"{path}:1", "doc_id")
    wrong_type = write_run(tmp_path / "b", "org/x", {"zh": {"h1"}})
    path = _edit_first_sample(wrong_type, lambda o: o["doc"].update(prompt=5))
    one_line_error(mseed("submit", wrong_type, "-o", tmp_path / "s.json"), f"{path}:1",
                   "prompt must be text")
    as_list = write_run(tmp_path / "c", "org/x", {"zh": {"h1"}})
    results = next(as_list.glob("results_*.json"))
    results.write_text("[1, 2]")
    one_line_error(mseed("submit", as_list, "-o", tmp_path / "s.json"), str(results),
                   "JSON object, got list")
    not_utf8 = write_run(tmp_path / "d", "org/x", {"zh": {"h1"}})
    path = next(not_utf8.glob("samples_*.jsonl"))
    raw = path.read_bytes().split(b"\n")
    raw[2] = raw[2].replace(b"synthetic", b"synth\xff\xfeetic")
    path.write_bytes(b"\n".join(raw))
    one_line_error(mseed("judge", not_utf8, "--judge", "lexicon"), f"{path}:3", "not UTF-8")


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


def test_over_long_and_undecodable_csv_name_file_and_line(tmp_path):
    model_dir = make_run(tmp_path / "runs")
    assert mseed("judge", model_dir, "--judge", "lexicon", "--quiet").returncode == 0
    long = tmp_path / "long.csv"
    long.write_text("id,label\n" + "a" * 200_000 + ",safe\n", encoding="utf-8")
    one_line_error(mseed("judge-agreement", model_dir, long), f"{long}:2", "field limit")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,label\nx1,safe\nx\xff,safe\n")
    one_line_error(mseed("judge-agreement", model_dir, bad), f"{bad}:3", "not UTF-8")


def test_nested_data_file_rejected_with_line(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text(DEEP + "\n", encoding="utf-8")
    proc = mseed("data", "inspect", path)
    assert "Traceback" not in proc.stderr and proc.returncode == 1
    assert f"{path}" in proc.stderr and "nested too deeply" in proc.stderr


# --------------------------------------------------------------------------- 9: concurrency

def test_two_judge_processes_on_one_folder_both_finish(tmp_path):
    model_dir = make_run(tmp_path / "runs", per_lang=30)
    cmd = [sys.executable, "-m", "mseed_multilingual", "judge", str(model_dir), "--judge",
           "lexicon", "--quiet", "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # Another writer's temporary file sits where the old code put its own (a fixed name):
    # the old code crashed opening it; unique temporaries are unaffected.
    store.verdicts_dir(model_dir).mkdir()
    (store.verdicts_dir(model_dir) / "lexicon.jsonl.tmp").mkdir()
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    rows = store.read_verdicts(model_dir, "lexicon")
    assert len({(r["task"], r["doc_id"]) for r in rows}) == len(rows) == 60
    leftovers = [p.name for p in store.verdicts_dir(model_dir).iterdir()
                 if p.name.endswith(".tmp") and p.is_file()]
    assert leftovers == []


def test_cache_compacts_duplicate_lines(tmp_path):
    from mseed_multilingual.judges.base import Verdict

    path = tmp_path / "cache.jsonl"
    first = store.VerdictCache(path)
    first.put_many([("k1", Verdict("safe")), ("k2", Verdict("unsafe"))])
    second = store.VerdictCache(tmp_path / "other.jsonl")  # a concurrent run, same answers
    second.path = path
    second.put_many([("k1", Verdict("safe")), ("k2", Verdict("unsafe"))])
    assert len(path.read_text().splitlines()) == 4
    again = store.VerdictCache(path)
    assert len(again) == 2
    keys = [json.loads(x)["key"] for x in path.read_text().splitlines()]
    assert keys == ["k1", "k2"]

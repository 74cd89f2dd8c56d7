"""Hostile files and endpoints of issue 25, each driven through the `mseed` CLI (in-process; a
process of its own where a deadline or a file-size limit is tested) with servers started on
127.0.0.1 by the test: numbers out of range, corrupt samples files, forged submission dates and
language lists, CSV formulas, a dripping and an oversized endpoint."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import cli_run
import pytest
from runfolders import SUBMISSION, submission_pair, write_run

from mseed_multilingual.core.paths import sample_path
from mseed_multilingual.publish import submission as sub
from mseed_multilingual.serve import start_server

ROOT = Path(__file__).resolve().parents[1]
BIG = "9" * 400


def mseed(*args: object, timeout: float | None = None) -> subprocess.CompletedProcess:
    """``mseed ARGS`` in this process (tests/cli_run.py); with ``timeout``, in a process of its
    own that is killed after ``timeout`` s: the endpoint-deadline tests, where a hang must fail
    the test rather than stall the suite."""
    if timeout is None:
        return cli_run.mseed(*args)
    return subprocess.run([sys.executable, "-m", "mseed_multilingual", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def refused(proc: subprocess.CompletedProcess, *parts: str, code: int = 2) -> None:
    err = proc.stderr.strip()
    assert proc.returncode == code, (proc.returncode, err)
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    for part in parts:
        assert part in err, (part, err)


def rejected(proc: subprocess.CompletedProcess, *parts: str) -> None:
    """`mseed validate` rejected the file (exit 1), no traceback, every part named."""
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "Traceback" not in out, out
    for part in parts:
        assert part in out, (part, out)


@pytest.fixture
def pair(tmp_path) -> tuple[Path, Path]:
    return submission_pair(tmp_path / "runs")


def _samples(run: Path, lang: str) -> Path:
    return next(run.rglob(f"samples_mseed_{lang}_*.jsonl"))


def _edit_line(path: Path, index: int, edit) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    obj = json.loads(lines[index])
    edit(obj)
    lines[index] = json.dumps(obj, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ------------------------------------------------------------------ 1-2: numbers out of range

def test_a_400_digit_limit_is_rejected_and_the_board_builds_the_genuine_rows(pair, tmp_path):
    _, after = pair
    folder = tmp_path / "subs"
    sub.write(sub.build(after), folder / "good.json")
    text = (folder / "good.json").read_text(encoding="utf-8")
    (folder / "evil.json").write_text(text.replace('"limit": null', f'"limit": {BIG}')
                                      .replace('"limited": false', '"limited": true'))
    rejected(mseed("validate", folder / "evil.json"), "run.limit", "400 digits")
    proc = mseed("leaderboard", folder, "-o", tmp_path / "site")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "1 ranked, 0 superseded, 1 rejected" in proc.stdout
    assert (tmp_path / "site" / "leaderboard.csv").exists()


@pytest.mark.parametrize("where", ["answer_length", "extra", "config.limit"])
@pytest.mark.parametrize("command", ["judge", "submit", "transfer"])
def test_a_400_digit_number_in_a_run_file_is_one_line_naming_file_and_field(
        pair, tmp_path, where, command):
    before, after = pair
    if where == "config.limit":
        results = next(after.rglob("results_*.json"))
        results.write_text(results.read_text().replace('"limit": null', f'"limit": {BIG}'))
        path, field = results, "config.limit"
    else:
        path = _samples(after, "en")
        lines = path.read_text(encoding="utf-8").splitlines()
        lines[1] = lines[1][:-1] + f', "{where}": {BIG}}}'
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        field = where
    args = {"judge": ("judge", after, "--judge", "lexicon", "--quiet"),
            "submit": ("submit", after, "-o", tmp_path / "s.json"),
            "transfer": ("transfer", "--before", before, "--after", after, "-o",
                         tmp_path / "t")}[command]
    proc = mseed(*args)
    line = ":2: " if where != "config.limit" else ": "
    refused(proc, f"{path.name}{line}{field}: integer of 400 digits")


def test_infinite_limit_names_the_results_file(pair, tmp_path):
    _, after = pair
    results = next(after.rglob("results_*.json"))
    results.write_text(results.read_text().replace('"limit": null', '"limit": Infinity'))
    refused(mseed("submit", after, "-o", tmp_path / "s.json"), results.name, "config.limit")


# ------------------------------------------------------------------ 9-10: corrupt samples

CORRUPTIONS = {
    "kind-upper": (lambda o: o["doc"].update(kind="HARMFUL"), ":1: ", "kind 'HARMFUL'"),
    "dimension-formula": (lambda o: o["doc"].update(dimension="=cmd|' /C calc'!A0"), ":1: ",
                          "dimension"),
    "resps-object": (lambda o: o.update(resps={"text": "no"}), ":1: ", "resps must hold"),
    "lone-surrogate": (None, ":1: ", "lone surrogate"),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
@pytest.mark.parametrize("command", ["judge", "submit"])
def test_a_corrupt_samples_line_is_refused_naming_file_and_line(pair, tmp_path, name, command):
    _, after = pair
    path = _samples(after, "en")
    edit, line, says = CORRUPTIONS[name]
    if edit is None:  # written with JSON escapes, as ensure_ascii=True writers do
        text = path.read_text(encoding="utf-8").splitlines()
        obj = json.loads(text[0])
        obj["resps"] = [["a\ud800b"]]
        text[0] = json.dumps(obj)
        path.write_text("\n".join(text) + "\n", encoding="utf-8")
    else:
        _edit_line(path, 0, edit)
    args = (("judge", after, "--judge", "lexicon", "--quiet") if command == "judge"
            else ("submit", after, "-o", tmp_path / "s.json"))
    refused(mseed(*args), f"{path.name}{line}", says)


def test_duplicate_prompt_ids_and_doc_ids_and_empty_files_are_refused(pair, tmp_path):
    _, after = pair
    path = _samples(after, "en")
    original = path.read_text(encoding="utf-8")
    lines = original.splitlines()
    second = json.loads(lines[1])
    second["doc"]["id"] = json.loads(lines[0])["doc"]["id"]
    path.write_text("\n".join([lines[0], json.dumps(second), *lines[2:]]) + "\n")
    refused(mseed("submit", after, "-o", tmp_path / "s.json"), f"{path.name}:2: prompt id")
    third = json.loads(lines[2])
    third["doc_id"] = json.loads(lines[0])["doc_id"]
    path.write_text("\n".join([lines[0], lines[1], json.dumps(third), *lines[3:]]) + "\n")
    refused(mseed("judge", after, "--judge", "lexicon", "--quiet"),
            f"{path.name}:3: doc_id")
    path.write_text("")
    refused(mseed("submit", after, "-o", tmp_path / "s.json"), path.name, "no answers")


def test_disk_full_names_the_file(pair, tmp_path):
    import resource

    _, after = pair

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))

    # No bytecode written under the limit: Python writes a .pyc with one unchecked write, so a
    # module compiled here would leave a 2,000-byte .pyc that breaks its every later import.
    proc = subprocess.run([sys.executable, "-m", "mseed_multilingual", "submit", after, "-o",
                           tmp_path / "s.json"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT),
                               "PYTHONDONTWRITEBYTECODE": "1"}, preexec_fn=small_files)
    refused(proc, "s.json", "File too large")


# ------------------------------------------------------------------ 7, 10: submissions

def test_a_future_dated_copy_neither_validates_nor_supersedes(pair, tmp_path):
    _, after = pair
    folder = tmp_path / "subs"
    doc = sub.build(after)
    sub.write(doc, folder / "genuine.json")
    sub.write({**doc, "created": "9999-12-31T23:59:59Z"}, folder / "forged.json")
    rejected(mseed("validate", folder / "forged.json"), "$.created", "in the future")
    proc = mseed("validate", folder / "forged.json", "--samples", after)
    assert proc.returncode == 1 and "in the future" in proc.stdout + proc.stderr
    sub.write({**doc, "created": "2001-01-01T00:00:00Z"}, folder / "early.json")
    proc = mseed("validate", folder / "early.json", "--samples", after)
    assert proc.returncode == 1 and "$.created" in proc.stdout + proc.stderr
    proc = mseed("leaderboard", folder, "-o", tmp_path / "site")
    board = json.loads((tmp_path / "site" / "leaderboard.json").read_text(encoding="utf-8"))
    files = {r["file"] for r in board["rows"]}
    assert "genuine.json" in files and "forged.json" not in files, proc.stdout


def test_a_trailing_newline_in_a_language_code_and_10000_languages_do_not_validate(pair,
                                                                                   tmp_path):
    _, after = pair
    doc = sub.build(after)
    text = sub.dumps(doc).replace('"en"', '"en\\n"')
    (tmp_path / "nl.json").write_text(text, encoding="utf-8")
    proc = mseed("validate", tmp_path / "nl.json")
    assert proc.returncode == 1 and "does not match" in proc.stdout + proc.stderr
    many = {**doc, "data": {**doc["data"], "languages": [f"l{i:04d}"[:3] + "x" * 0
                                                         for i in range(10_000)]}}
    (tmp_path / "many.json").write_text(json.dumps(many), encoding="utf-8")
    t0 = time.monotonic()
    proc = mseed("validate", tmp_path / "many.json")
    assert proc.returncode == 1 and "at most 200" in proc.stdout + proc.stderr
    assert time.monotonic() - t0 < 30


# ------------------------------------------------------------------ 8: CSV formulas

def test_no_transfer_csv_cell_starts_a_formula(tmp_path):
    """A text from the samples that reaches the CSVs as it is (the doc's lang label) is
    escaped by the one CSV escape; the dimension is refused (test above)."""
    before = write_run(tmp_path / "b", "org/b", {"zh": {"h1"}, "en": set()}, SUBMISSION)
    after = write_run(tmp_path / "a", "org/a", {"zh": {"h1", "h2"}, "en": {"h1"}}, SUBMISSION)
    for run in (before, after):
        path = _samples(run, "en")
        for i in range(len(path.read_text(encoding="utf-8").splitlines())):
            _edit_line(path, i, lambda o: o["doc"].update(lang="=HYPERLINK(\"http://x\")"))
    proc = mseed("transfer", "--before", before, "--after", after, "-o", tmp_path / "t",
                 "--resamples", "200")
    assert proc.returncode == 0, proc.stderr
    cells = [cell for f in (tmp_path / "t").glob("*.csv")
             for row in csv.reader(f.read_text(encoding="utf-8").splitlines()[1:])
             for cell in row]
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not [c for c in cells if c[:1] in ("=", "@", "+")]


# ------------------------------------------------------------------ 3-4: endpoints

def _drip_server(stop: threading.Event) -> int:
    """An endpoint that accepts a request and answers one byte every 2 s, for ever."""
    srv = socket.create_server(("127.0.0.1", 0))

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" * 100:
                if stop.wait(2.0):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    def accept() -> None:
        srv.settimeout(0.5)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
        srv.close()

    threading.Thread(target=accept, daemon=True).start()
    return srv.getsockname()[1]


def _one_prompt(tmp_path: Path) -> Path:
    src = tmp_path / "zh.jsonl"
    first = (sample_path() / "zh.jsonl").read_text(encoding="utf-8").splitlines()[0]
    src.write_text(first + "\n", encoding="utf-8")
    return src


def test_translate_timeout_is_a_total_deadline_against_a_dripping_endpoint(tmp_path):
    stop = threading.Event()
    port = _drip_server(stop)
    try:
        t0 = time.monotonic()
        proc = mseed("translate", "--input", _one_prompt(tmp_path), "--langs", "en", "--backend",
                     "openai:drip", "--base-url", f"http://127.0.0.1:{port}/v1",
                     "--timeout", "5", "--max-retries", "1", "--no-quality", "-o",
                     tmp_path / "out", timeout=120)
        took = time.monotonic() - t0
    finally:
        stop.set()
    assert took < 60, took
    assert "Traceback" not in proc.stderr
    failed = [json.loads(x) for x in (tmp_path / "out" / "_failed.jsonl").read_text()
              .splitlines()]
    assert len(failed) == 1 and "within 5 s" in json.dumps(failed[0])


def test_an_oversized_answer_is_a_failed_item_not_a_translation(tmp_path):
    with start_server(None, faults=[{"answer": "x" * 5_000_000}]) as server:
        t0 = time.monotonic()
        proc = mseed("translate", "--input", _one_prompt(tmp_path), "--langs", "en", "--backend",
                     "openai:echo", "--base-url", server.url, "--max-retries", "0", "-o",
                     tmp_path / "out", "--max-response-bytes", "100000", timeout=120)
        assert time.monotonic() - t0 < 60
    assert "Traceback" not in proc.stderr
    failed = (tmp_path / "out" / "_failed.jsonl").read_text()
    assert "larger than 100000 bytes" in failed


def test_judge_openai_against_a_dripping_endpoint_ends_with_error_verdicts(pair, tmp_path):
    _, after = pair
    stop = threading.Event()
    port = _drip_server(stop)
    try:
        t0 = time.monotonic()
        proc = mseed("judge", after, "--judge", "openai:drip", "--base-url",
                     f"http://127.0.0.1:{port}/v1", "--timeout", "3", "--max-retries", "0",
                     "--concurrency", "16", "--quiet", timeout=120)
        took = time.monotonic() - t0
    finally:
        stop.set()
    assert took < 60 and proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr

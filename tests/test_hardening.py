"""Hostile files and requests (issue 14): each test reproduces one attack on real files, real
CLI calls (in-process, tests/cli_run.py; two racing judge processes and `mseed serve` as real
processes) and real servers on 127.0.0.1, and checks the one-line refusal."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import mseed
from httpcases import chat, post, raw_http
from markdown_check import HTML_ENTITY_RE, render
from runfolders import SUBMISSION, sample_run, submission_pair, write_run

from mseed_multilingual.judges import store
from mseed_multilingual.publish import submission as sub
from mseed_multilingual.publish.board import collect, comparability_group
from mseed_multilingual.publish.hf_export import write_eval_results
from mseed_multilingual.publish.site import build_site
from mseed_multilingual.publish.validate import problems

ROOT = Path(__file__).resolve().parents[1]
DEEP = "[" * 3000 + "]" * 3000  # ~6 KB: a RecursionError in json.loads before the fix


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
    return submission_pair(tmp_path_factory.mktemp("hard-runs"))


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
    proc = mseed("validate", folder / "evil.json")  # read and rejected: exit 1
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{folder / 'evil.json'}: rejected" in proc.stderr and "nested too deeply" in proc.stderr


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
    null_id = write_run(tmp_path / "a", "org/x", {"zh": {"h1"}}, SUBMISSION)
    path = _edit_first_sample(null_id, lambda o: o.update(doc_id=None))
    one_line_error(mseed("judge", null_id, "--judge", "lexicon"), f"{path}:1", "doc_id")
    wrong_type = write_run(tmp_path / "b", "org/x", {"zh": {"h1"}}, SUBMISSION)
    path = _edit_first_sample(wrong_type, lambda o: o["doc"].update(prompt=5))
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


def test_over_long_and_undecodable_csv_name_file_and_line(tmp_path):
    model_dir = sample_run(tmp_path / "runs")
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
    model_dir = sample_run(tmp_path / "runs", per_lang=30)
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


# --------------------------------------------------------------------------- 1: mseed serve

@pytest.fixture(scope="module")
def echo():
    from mseed_multilingual.serve import start_server

    with start_server(None, api_key="k-serve-secret", max_body=10_000) as handle:
        yield int(handle.url.rsplit(":", 1)[1].split("/")[0])


def _is_error_object(body: dict) -> bool:
    err = body.get("error") or {}
    return isinstance(err.get("message"), str) and isinstance(err.get("type"), str)


def test_serve_answers_a_good_request(echo):
    status, body = raw_http(echo, post(echo, chat(max_tokens=5), key="k-serve-secret"))
    assert status == 200 and body["choices"][0]["message"]["content"] == "hi"


def test_serve_cuts_the_answer_at_the_first_stop_string(echo):
    """OpenAI's ``stop`` (a string or up to 4): the answer ends before the earliest stop string
    (what lm-eval's local-chat-completions sends for --gen_kwargs until=...)."""
    def ask(**extra) -> tuple[int, dict]:
        body = json.dumps({"model": "echo", "messages": [
            {"role": "user", "content": "one. two\n\nthree END four"}], **extra}).encode()
        return raw_http(echo, post(echo, body, key="k-serve-secret"))

    whole = "one. two\n\nthree END four"
    for stop, want in [("END", "one. two\n\nthree "), (["END", "\n\n"], "one. two"),
                       (["zzz"], whole), (None, whole), ([], whole), (["four", "t"], "one. ")]:
        status, body = ask(stop=stop)
        assert status == 200 and body["choices"][0]["message"]["content"] == want, stop
        assert body["choices"][0]["finish_reason"] == "stop"


def test_serve_checks_size_and_key_before_reading_the_body(echo):
    # No body follows these headers: the old server blocked reading it (client timeout).
    status, body = raw_http(echo, post(echo, b"", length="50000000", key="k-serve-secret"))
    assert status == 413 and _is_error_object(body) and "10000" in body["error"]["message"]
    status, body = raw_http(echo, post(echo, b"", length="500", key="wrong"))
    assert status == 401 and body["error"]["type"] == "authentication_error"
    status, _ = raw_http(echo, post(echo, b"", length="500", key="k-serve-secret"[:-1] + "T"))
    assert status == 401


BAD_REQUESTS = [
    ("length-not-a-number", b"{}", "abc", 400, "Content-Length"),
    ("length-negative", b"{}", "-5", 400, "Content-Length"),
    ("no-length", b"", None, 411, "Content-Length"),
    ("not-json", b"{nope", "auto", 400, "not valid JSON"),
    ("json-list", b"[1]", "auto", 400, "JSON object"),
    ("deeply-nested", ('{"messages": ' + "[" * 3000 + "]" * 3000 + "}").encode(), "auto",
     400, "nested too deeply"),
    ("messages-not-a-list", json.dumps({"messages": "hi"}).encode(), "auto", 400, "messages"),
    ("messages-of-numbers", json.dumps({"messages": [1, 2]}).encode(), "auto", 400,
     "messages[0]"),
    ("content-not-text", json.dumps({"messages": [{"role": "user", "content": {"a": 1}}]}
                                    ).encode(), "auto", 400, "messages[0]"),
    ("max-tokens-text", chat(max_tokens="many"), "auto", 400, "max_tokens"),
    ("max-tokens-zero", chat(max_tokens=0), "auto", 400, "max_tokens"),
    ("max-tokens-negative", chat(max_tokens=-3), "auto", 400, "max_tokens"),
    ("max-tokens-float", chat(max_tokens=2.5), "auto", 400, "max_tokens"),
    ("max-tokens-absurd", chat(max_tokens=10**12), "auto", 400, "max_tokens"),
    ("stop-number", chat(stop=5), "auto", 400, "'stop'"),
    ("stop-object", chat(stop={"a": 1}), "auto", 400, "'stop'"),
    ("stop-list-of-numbers", chat(stop=["\n", 3]), "auto", 400, "'stop'"),
    ("stop-empty-string", chat(stop=[""]), "auto", 400, "'stop'"),
    ("stop-five-entries", chat(stop=["a", "b", "c", "d", "e"]), "auto", 400, "at most 4"),
]


@pytest.mark.parametrize(("name", "body", "length", "status", "says"), BAD_REQUESTS,
                         ids=[c[0] for c in BAD_REQUESTS])
def test_serve_malformed_request_is_an_error_object(echo, name, body, length, status, says):
    got, answer = raw_http(echo, post(echo, body, length=length, key="k-serve-secret"))
    assert got == status and _is_error_object(answer), (got, answer)
    assert says in answer["error"]["message"]


def test_serve_garbage_request_line_is_a_json_400(echo):
    status, body = raw_http(echo, b"GET /v1/models NOTHTTP/1.1\r\n\r\n")
    assert status == 400 and _is_error_object(body)


def test_serve_bounds_connections_and_times_out_idle_ones():
    """Idle connections give their slot to a newcomer (oldest first); connections busy with a
    request do not, so one more is a 503 at once; the rest are closed after the timeout."""
    import socket
    import threading
    import time

    from mseed_multilingual.serve import start_server

    with start_server(None, max_connections=2, socket_timeout=1.0,
                      faults=[None, {"stall": 1.5}, {"stall": 1.5}]) as handle:
        port = int(handle.url.rsplit(":", 1)[1].split("/")[0])
        idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
        time.sleep(0.2)
        status, _ = raw_http(port, post(port, chat()))
        assert status == 200 and handle.httpd.evicted == 1
        assert idle[0].recv(1) == b""  # the oldest idle one was closed for the newcomer
        busy = [threading.Thread(target=raw_http, args=(port, post(port, chat())))
                for _ in range(2)]
        for t in busy:
            t.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        status, body = raw_http(port, post(port, chat()))
        assert status == 503 and _is_error_object(body) and time.monotonic() - t0 < 1
        for t in busy:
            t.join()
        assert idle[1].recv(1) == b""  # the server hangs up on silent clients
        for sock in idle:
            sock.close()
        status, _ = raw_http(port, post(port, chat()))
        assert status == 200


def test_serve_cli_takes_the_body_cap(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "mseed_multilingual", "serve", "echo",
                             "--port", str(port), "--max-body", "100"],
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stderr=subprocess.PIPE, text=True)
    try:
        assert "serving" in proc.stderr.readline()
        status, body = raw_http(port, post(port, b"x" * 101, length="101"))
        assert status == 413 and "100-byte" in body["error"]["message"]
        status, _ = raw_http(port, post(port, chat()))
        assert status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_unknown_method_is_a_json_error(echo):
    status, body = raw_http(echo, b"DELETE /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 501 and _is_error_object(body)


# --------------------------------------------------------------------------- 8: secrets

KEY = "sk-test-Zq8/9+secret=="  # '/', '+', '=' change under URL encoding


class EchoHeaders:
    """A hostile endpoint on 127.0.0.1 that answers every request with an error status whose
    body repeats the request line (query string included) and every header, key and all."""

    def __init__(self, status: int = 400):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return None

            def _echo(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                auth = self.headers.get("Authorization")
                body = json.dumps({"error": {"message": f"bad key {auth!r} in "
                                                        f"{self.requestline}",
                                             "headers": dict(self.headers)}}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _echo

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def __enter__(self) -> EchoHeaders:
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _files_holding(root: Path, secret: str) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_key_echoed_by_the_endpoint_is_never_written(tmp_path):
    model_dir = sample_run(tmp_path / "runs", per_lang=2)
    with EchoHeaders() as server:
        proc = mseed("judge", model_dir, "--judge", "openai:m", "--base-url", server.url,
                     "--api-key-env", "MSEED_TEST_KEY", "--max-retries", "0", "--quiet",
                     env={"MSEED_TEST_KEY": KEY})
    assert proc.returncode == 1, proc.stderr  # every answer ended as error
    rows = store.read_verdicts(model_dir, "openai:m")
    assert {r["verdict"] for r in rows} == {"error"} and len(rows) == 4
    assert all("Bearer [REDACTED]" in r["error"] for r in rows)
    assert _files_holding(tmp_path, KEY) == [] and KEY not in proc.stdout + proc.stderr


def test_translation_failures_never_hold_the_key(tmp_path):
    data = tmp_path / "in.jsonl"
    rows = [json.loads(x) for x in (ROOT / "translations" / "sample" / "zh.jsonl").read_text(
        encoding="utf-8").splitlines()[:2]]
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    with EchoHeaders() as server:
        proc = mseed("translate", "--input", data, "--langs", "en", "--backend", "openai:m",
                     "--base-url", server.url, "--api-key-env", "MSEED_TEST_KEY",
                     "--max-retries", "0", "--no-quality", "-o", tmp_path / "out",
                     env={"MSEED_TEST_KEY": KEY})
    assert "Traceback" not in proc.stderr
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert written and any(b"[REDACTED]" in p.read_bytes() for p in written)
    assert _files_holding(tmp_path, KEY) == [] and KEY not in proc.stdout + proc.stderr


@pytest.mark.parametrize("command", ["judge", "translate"])
def test_credentials_in_base_url_are_refused(tmp_path, command):
    url = "http://alice:hunter2-pass@127.0.0.1:9/v1"
    model_dir = sample_run(tmp_path / "runs", per_lang=1)
    args = (["judge", model_dir, "--judge", "openai:m", "--base-url", url] if command == "judge"
            else ["translate", "--input", "sample", "--langs", "en", "--backend", "openai:m",
                  "--base-url", url, "-o", tmp_path / "out"])
    proc = mseed(*args)
    one_line_error(proc, "must not contain credentials")
    assert "hunter2" not in proc.stderr and _files_holding(tmp_path, "hunter2") == []


def test_deep_translator_errors_are_redacted():
    import requests

    from mseed_multilingual.translate.deep import DeepTranslator

    os.environ["MSEED_TEST_LIBRE_KEY"] = KEY
    try:
        libre = DeepTranslator("libre", base_url="http://127.0.0.1:9/",
                               api_key_env="MSEED_TEST_LIBRE_KEY")
        from urllib.parse import quote_plus

        exc = ValueError(f"POST /translate?q=x&api_key={quote_plus(KEY)} failed")
        assert KEY not in str(libre.classify(exc))
        assert quote_plus(KEY) not in str(libre.classify(exc))
        assert not isinstance(libre.classify(requests.Timeout()), ValueError)
    finally:
        del os.environ["MSEED_TEST_LIBRE_KEY"]


# --------------------------------------------------------------------------- 10: exit codes

def test_judge_exit_codes_and_max_retries(tmp_path):
    model_dir = sample_run(tmp_path / "runs", per_lang=1)
    with EchoHeaders(status=503) as server:  # retryable: --max-retries decides the requests
        import time

        t0 = time.monotonic()
        proc = mseed("judge", model_dir, "--judge", "openai:m", "--base-url", server.url,
                     "--max-retries", "0", "--quiet", "--json")
        assert proc.returncode == 1 and time.monotonic() - t0 < 60
        assert "2 answers could not be judged" in proc.stderr
    ok = mseed("judge", model_dir, "--judge", "lexicon", "--quiet")
    assert ok.returncode == 0, ok.stderr
    assert mseed("judge", model_dir, "--judge", "lexicon", "--max-retries", "-1").returncode == 2
    assert mseed("judge", model_dir).returncode == 2  # argparse: --judge is required
    assert mseed("no-such-command").returncode == 2


# --------------------------------------------------------------------------- 6: 0/1 values

@pytest.mark.parametrize("value", [0.5, 2, -1, float("nan"), float("inf")],
                         ids=["half", "two", "minus-one", "NaN", "Infinity"])
def test_per_answer_outcome_must_be_0_or_1(runs, tmp_path, value):
    before, _ = runs
    after = write_run(tmp_path, "org/after", {"zh": {"h1"}, "en": set()}, SUBMISSION)
    path = _edit_first_sample(after, lambda o: o.update(refusal_rate=value))
    if not math.isfinite(value):  # written as the bare NaN / Infinity Python's json accepts
        assert "NaN" in path.read_text() or "Infinity" in path.read_text()
    for args in (["submit", after, "-o", tmp_path / "s.json"],
                 ["transfer", "--before", before, "--after", after, "-o", tmp_path / "r"]):
        one_line_error(mseed(*args), f"{path}:1", "sample h1", "refusal_rate", "must be 0 or 1")
    assert not (tmp_path / "s.json").exists()


# --------------------------------------------------------------------------- 4: HF exports

def test_hf_format_writes_one_file_per_row_and_shortens_long_names(runs, tmp_path):
    _, after = runs
    base = sub.build(after)
    folder = tmp_path / "subs"
    for i, args in enumerate(["dtype=float32", "dtype=float16", "dtype=bfloat16",
                              "dtype=float32,load_in_8bit=True"]):
        doc = json.loads(json.dumps(base))
        doc["model"]["model_args"] = args
        sub.write(doc, folder / f"row{i}.json")
    long = json.loads(json.dumps(base))
    long["model"]["name"] = "org/" + "m" * 296  # the schema allows 300 characters
    sub.write(long, folder / "long.json")
    proc = mseed("leaderboard", folder, "-o", tmp_path / "site", "--hf-format", tmp_path / "hf")
    assert proc.returncode == 0, proc.stderr
    assert "5 ranked" in proc.stdout and "wrote 5 results file(s)" in proc.stdout
    files = sorted((tmp_path / "hf").rglob("*.json"))
    assert len(files) == 5
    assert all(len(part) <= 255 for f in files for part in f.parts)
    configs = {json.loads(f.read_text())["config"]["model_name"] for f in files}
    assert len(configs) == 2  # the long name is kept whole inside the file


def test_hf_eval_results_long_judge_id_and_honest_messages(runs, tmp_path):
    _, after = runs
    doc = sub.build(after)
    doc["judge"]["id"] = "openai:" + "j" * 400
    paths = write_eval_results(doc, tmp_path)
    assert len(paths) == 1 and len(paths[0].name) <= 255 and paths[0].is_file()
    first = mseed("submit", after, "-o", tmp_path / "a.json", "--hf-eval-results", tmp_path / "e")
    again = mseed("submit", after, "-o", tmp_path / "b.json", "--hf-eval-results", tmp_path / "e")
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    assert "\nwrote " in first.stdout and "\nreplaced " in again.stdout


# --------------------------------------------------------------------------- 7: inert reports

RLO = "\u202e"
UNESCAPED_LINK = re.compile(r"(?<!\\)\]\(http")  # "](http" not preceded by a backslash
EVIL_LABEL = "cost $5 or $\\frac ![px](http://evil.example/p.png) <b>x</b> " + RLO + "gpj.exe"


def test_transfer_report_is_inert(runs, tmp_path):
    before, after = runs
    proc = mseed("transfer", "--before", before, "--after", after, "--label", "base",
                 "--label", EVIL_LABEL, "--resamples", "0", "-o", tmp_path / "rep")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    html_page = (tmp_path / "rep" / "report.html").read_text(encoding="utf-8")
    shown = render(md)  # inert as rendered, and written without HTML entities
    assert not UNESCAPED_LINK.search(md) and "<b>" not in shown and "&lt;b&gt;" in shown
    assert not HTML_ENTITY_RE.search(md)
    assert "\\[px\\](http://evil.example/p.png)" in md  # shown as text, not an image
    assert "<b>" not in html_page and "evil.example" in html_page
    for path in [tmp_path / "rep" / "report.md", tmp_path / "rep" / "report.html",
                 *(tmp_path / "rep").glob("*.csv")]:
        text = path.read_text(encoding="utf-8")
        assert RLO not in text, path
    assert any("[U+202E]gpj.exe" in p.read_text(encoding="utf-8")
               for p in (tmp_path / "rep").glob("*.csv"))
    assert len(list((tmp_path / "rep" / "figures").glob("*.png"))) >= 3


def test_leaderboard_markdown_csv_and_pages_are_inert(runs, tmp_path):
    _, after = runs
    doc = sub.build(after, model_name="[click](http://evil.example) ![i](http://evil.example/i."
                                      "png) " + RLO + "gpj.exe $x$")
    sub.write(doc, tmp_path / "subs" / "evil.json")
    board = collect(tmp_path / "subs")
    build_site(board, tmp_path / "site")
    md = (tmp_path / "site" / "leaderboard.md").read_text(encoding="utf-8")
    assert not UNESCAPED_LINK.search(md) and "\\[click\\]" in md
    for path in (tmp_path / "site").rglob("*"):
        if path.is_file() and path.suffix in (".md", ".csv", ".html"):
            assert RLO not in path.read_text(encoding="utf-8"), path
    page = next((tmp_path / "site" / "models").glob("*.html")).read_text(encoding="utf-8")
    assert "[U+202E]gpj.exe" in page
    # the chart is styled by SVG attributes: the policy admits the stylesheet and no other style
    assert "unsafe-hashes" not in page and " style=" not in page and page.count("<style") == 1


def test_data_convert_never_writes_nan(tmp_path):
    rows = [json.loads(x) for x in (ROOT / "translations" / "sample" / "en.jsonl").read_text(
        encoding="utf-8").splitlines()[:3]]
    lines = [json.dumps(rows[0]), json.dumps({**rows[1], "score": float("nan")}),
             json.dumps({**rows[2], "meta": {"w": float("inf")}})]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = mseed("data", "convert", src, "-o", tmp_path / "out.jsonl")
    assert proc.returncode == 0, proc.stderr
    out = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert "NaN" not in out and "Infinity" not in out and len(out.splitlines()) == 1
    assert f"{src}:2" in proc.stderr and f"{src}:3" in proc.stderr and "NaN" in proc.stderr


# --------------------------------------------------------------------------- 3: forged groups

@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> tuple[Path, dict]:
    _, after = submission_pair(tmp_path_factory.mktemp("judged"), judge="guard/x")
    return after, sub.build(after, judge="guard/x")


GROUP_EDITS = [
    ("limit", lambda d: d["run"].update(limit=4.0, limited=True), "$.run.limit"),
    ("data-name", lambda d: d["data"].update(name="the-other-benchmark"), "$.data.name"),
    ("data-hash", lambda d: d["data"].update(hash="0" * 64), "$.data.hash"),
    ("data-files", lambda d: d["data"]["files"].update(en="1" * 64), "$.data.files.en"),
    ("template", lambda d: d["judge"].update(template_version="t2"),
     "$.judge.template_version"),
    ("judge-id", lambda d: d["judge"].update(id="guard/other"), "guard/other"),
]


@pytest.mark.parametrize(("name", "edit", "says"), GROUP_EDITS, ids=[e[0] for e in GROUP_EDITS])
def test_validate_samples_recomputes_the_comparability_group(judged, tmp_path, name, edit, says):
    after, doc = judged
    forged = json.loads(json.dumps(doc))
    edit(forged)
    if name != "data-files":  # the files decide the group through data.hash
        assert comparability_group(forged)["id"] != comparability_group(doc)["id"]
    assert problems(forged) == []  # consistent by itself: only the samples tell
    sub.write(forged, tmp_path / "forged.json")
    sub.write(doc, tmp_path / "honest.json")
    assert mseed("validate", tmp_path / "honest.json", "--samples", after).returncode == 0
    proc = mseed("validate", tmp_path / "forged.json", "--samples", after)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert says in proc.stderr


def test_pooled_counts_must_add_up_without_samples(judged, tmp_path):
    _, doc = judged
    forged = json.loads(json.dumps(doc))
    pooled = forged["scores"]["overall"]["safety"]
    pooled["k"] = pooled["n"]  # a perfect headline the languages do not support
    pooled["value"], pooled["lo"], pooled["hi"] = 1.0, 0.7, 1.0
    sub.write(forged, tmp_path / "forged.json")
    proc = mseed("validate", tmp_path / "forged.json")
    assert proc.returncode == 1
    assert "$.scores.overall.safety: k/n = 12/12 is not the sum of the languages' counts" \
        in proc.stderr
    board = collect(tmp_path)
    assert board.rows == [] and board.rejected[0]["file"] == "forged.json"

"""mseed translate with deep-translator's real LibreTranslator against a loopback LibreTranslate.

The fake server (tests/fake_libretranslate.py) is dictionary-backed with the embedded sample, so
every forward and back translation is known exactly, and it counts requests server-side.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fake_libretranslate import sample_server

from mseed_multilingual import cli
from mseed_multilingual.core.paths import sample_path
from mseed_multilingual.data.records import load_file, load_language
from mseed_multilingual.evaluate import task_hooks as harness
from mseed_multilingual.translate.base import Policy
from mseed_multilingual.translate.pipeline import FAILED_FILE, Job, run
from mseed_multilingual.translate.registry import get_backend

SAMPLE_ZH = sample_path() / "zh.jsonl"
DATE = "2025-01-01"


@pytest.fixture
def server():
    with sample_server() as srv:
        yield srv


def _run(srv, out: Path, langs: list[str], source: Path = SAMPLE_ZH, **policy) -> dict:
    policy.setdefault("backoff_base", 0.01)
    backend = get_backend("libre", Policy(rate_limit=0, **policy), base_url=srv.url)
    job = Job(input=source, langs=langs, backend=backend, out=out, date=DATE, log=lambda m: None)
    return run(job)


def _sample(lang: str) -> dict[str, str]:
    return {r.id: r.prompt for r in load_file(sample_path() / f"{lang}.jsonl").records}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.json*"))}


def test_libre_translates_every_language_into_a_loadable_set(server, tmp_path):
    out = tmp_path / "set"
    summary = _run(server, out, ["en", "fr", "ja"], concurrency=4)
    source = load_file(SAMPLE_ZH).records
    for lang in ("en", "fr", "ja"):
        records = load_language(out, lang).records
        assert [r.id for r in records] == [r.id for r in source]
        assert {r.id: r.prompt for r in records} == _sample(lang)
        assert all(r.source_lang == "zh" and r.extra["translator"] == "libre" for r in records)
        assert [r.source_prompt for r in records] == [r.prompt for r in source]
    assert load_language(out, "zh").records == source
    # the folder plugs into the tasks: --metadata mseed_data=OUT
    docs = harness.load_docs("fr", mseed_data=str(out))
    assert sorted(d["id"] for d in docs) == sorted(r.id for r in source)
    manifest = json.loads((out / "manifest.json").read_text())
    assert server.requests == summary["requests"] == 2 * 3 * len(source)
    assert manifest["source"]["sha256"] == hashlib.sha256(SAMPLE_ZH.read_bytes()).hexdigest()
    assert manifest["backend"]["version"].startswith("deep-translator ")
    for lang in ("en", "fr", "ja"):
        entry = manifest["languages"][lang]
        assert entry["sha256"] == hashlib.sha256((out / f"{lang}.jsonl").read_bytes()).hexdigest()
        q = entry["quality"]
        assert (q["chrf"], q["bleu"], q["n"], q["failed"]) == (100.0, 100.0, len(source), 0)
        assert q["length_ratio"] > 0 and q["review"] == 0
    assert "tok:zh" in manifest["quality_settings"]["signatures"]["bleu"]


def test_rerun_over_the_cache_makes_no_request_and_writes_the_same_bytes(server, tmp_path):
    out = tmp_path / "set"
    _run(server, out, ["en", "de"])
    first, before = _files(out), server.requests
    summary = _run(server, out, ["en", "de"])
    assert server.requests == before and summary["requests"] == 0
    assert _files(out) == first


def test_faults_are_retried_and_bad_answers_recorded_as_failed(tmp_path):
    src = tmp_path / "zh.jsonl"
    src.write_text("".join(SAMPLE_ZH.read_text(encoding="utf-8").splitlines(True)[:6]),
                   encoding="utf-8")
    # the first item meets 429, 500 and a stall past the timeout, then is answered (None)
    faults = [429, 500, {"stall": 1.5}, None, "empty", "unchanged", {"answer": "我无法帮助你。"}]
    with sample_server(faults=faults) as srv:
        summary = _run(srv, tmp_path / "set", ["en"], source=src, concurrency=1, timeout=0.5)
        failed = [json.loads(x) for x in (tmp_path / "set" / FAILED_FILE).read_text().splitlines()]
        ids = [r.id for r in load_file(src).records]
        assert summary["retries"] == 3
        reasons = {f["id"]: f["reason"] for f in failed}
        assert reasons[ids[1]] == "empty" and reasons[ids[2]] == "unchanged"
        assert reasons[ids[3]].startswith("refused")
        written = {r.id for r in load_language(tmp_path / "set", "en").records}
        assert written == set(ids) - {ids[1], ids[2], ids[3]}
        before = srv.requests
        _run(srv, tmp_path / "set", ["en"], source=src)
        assert srv.requests == before  # failed answers are final: not requested again


def test_errors_after_all_retries_are_not_cached_and_a_rerun_retries_them(tmp_path):
    src = tmp_path / "zh.jsonl"
    src.write_text(SAMPLE_ZH.read_text(encoding="utf-8").splitlines(True)[0], encoding="utf-8")
    with sample_server(faults=[503, 503, 503]) as srv:
        _run(srv, tmp_path / "set", ["en"], source=src, concurrency=1, max_retries=2)
        failed = (tmp_path / "set" / FAILED_FILE).read_text()
        assert "gave up after 3 attempts" in failed and srv.requests == 3
        _run(srv, tmp_path / "set", ["en"], source=src)
        assert len(load_language(tmp_path / "set", "en").records) == 1
        assert srv.requests == 3 + 2  # forward once more, then the round trip


def test_bad_input_is_refused_before_any_request(server, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("LIBRE_API_KEY", raising=False)
    monkeypatch.delenv("DEEPL_API_KEY", raising=False)
    base = ["translate", "--input", "sample", "-o", str(tmp_path / "x")]
    cases = [
        (["--langs", "en", "--backend", "babel"], "unknown backend 'babel'; known: google"),
        (["--langs", "en,th", "--backend", "libre", "--base-url", server.url],
         "does not support language(s) ['th']; supported: ar, de, en"),
        (["--langs", "en", "--backend", "libre"], "set the environment variable LIBRE_API_KEY"),
        (["--langs", "en", "--backend", "deepl"], "set the environment variable DEEPL_API_KEY"),
        (["--langs", "xx", "--backend", "google"], "unknown language code(s) ['xx']"),
    ]
    for args, message in cases:
        assert cli.main(base + args) == 2
        assert message in capsys.readouterr().err
    assert server.requests == 0 and not (tmp_path / "x").exists()


def test_only_good_records_of_a_faulty_input_are_translated(server, tmp_path, capsys):
    lines = SAMPLE_ZH.read_text(encoding="utf-8").splitlines(True)[:3]
    bad = tmp_path / "mixed.jsonl"
    bad.write_text(lines[0] + '{"lang": "zh", "prompt": "x"\n' + lines[1] + lines[2],
                   encoding="utf-8")
    code = cli.main(["translate", "--input", str(bad), "--langs", "en", "--backend", "libre",
                     "--base-url", server.url, "--rate-limit", "0", "-o", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 0 and f"{bad}:2: invalid JSON" in err and "3 records kept, 1 rejected" in err
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["source"]["rejected"] == 1
    assert manifest["languages"]["en"]["records"] == 3

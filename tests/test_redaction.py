"""API keys never reach a file, stdout or stderr (core.redact): a hostile endpoint that echoes
the key back to the judge and the translator, credentials in a base URL, and a translation
library's error that quotes the key in its URL."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cli_run import mseed, one_line_error
from httpcases import EchoHeaders
from runfolders import sample_run

from mseed_multilingual.judges import store

ROOT = Path(__file__).resolve().parents[1]


KEY = "sk-test-Zq8/9+secret=="  # '/', '+', '=' change under URL encoding


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

"""The openai:<model> backend against the project's real OpenAI-compatible loopback server.

SmolLM2-135M translates badly; these tests check the pipeline (requests, cache, failures,
manifest), not the translations. Fault tests use the model-less echo server, which answers
the user message unchanged unless the fault plan says otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mseed_multilingual.core.paths import sample_path
from mseed_multilingual.data.records import load_file, load_language
from mseed_multilingual.serve import start_server
from mseed_multilingual.translate.base import Policy
from mseed_multilingual.translate.llm import PROMPT_VERSION
from mseed_multilingual.translate.pipeline import FAILED_FILE, Job, run
from mseed_multilingual.translate.registry import get_backend

SAMPLE_ZH = sample_path() / "zh.jsonl"


def _source(tmp_path: Path, n: int) -> Path:
    src = tmp_path / "zh.jsonl"
    src.write_text("".join(SAMPLE_ZH.read_text(encoding="utf-8").splitlines(True)[:n]),
                   encoding="utf-8")
    return src


def _run(url: str, src: Path, out: Path, model: str = "smollm2", **policy) -> dict:
    policy.setdefault("backoff_base", 0.01)
    backend = get_backend(f"openai:{model}", Policy(**policy), base_url=url, max_tokens=24,
                          api_key_env="MSEED_TEST_TRANSLATE_KEY")
    return run(Job(input=src, langs=["en"], backend=backend, out=out, date="2025-01-01",
                   log=lambda m: None))


def _failed(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / FAILED_FILE).read_text().splitlines()]


@pytest.mark.model
def test_smollm2_behind_the_loopback_server_through_the_cli(smollm2, tmp_path, capsys):
    """`mseed translate` against SmolLM2 behind `mseed serve`: what it writes is a translation
    by every check (no refusal, no text still in Chinese), every language ends in the gate
    table with a status, and a rerun is answered from the cache."""
    from mseed_multilingual import cli
    from mseed_multilingual.translate.checks import check_answer

    folder, gguf = smollm2
    src = _source(tmp_path, 4)
    out = tmp_path / "set"
    argv = ["translate", "--input", str(src), "--langs", "en", "--backend", "openai:smollm2",
            "--max-tokens", "16", "--limit", "2", "--concurrency", "2", "--date", "2025-01-01",
            "--api-key-env", "MSEED_TEST_TRANSLATE_KEY", "-o", str(out)]
    with start_server(str(folder), gguf_file=gguf, name="smollm2") as server:
        code = cli.main([*argv, "--base-url", server.url])
        err = capsys.readouterr().err
        has = (out / "en.jsonl").stat().st_size  # SmolLM2 may fail both: an empty file
        written = load_language(out, "en").records if has else []
        forward_failed = [f for f in _failed(out) if f["stage"] == "translation"]
        assert len(written) + len(forward_failed) == 2
        assert all(f["reason"] for f in forward_failed)
        assert server.requests == 2 + len(written)
        for r in written:
            assert check_answer(r.source_prompt, r.prompt, "zh", "en")["status"] == "ok"
            assert r.extra["translator"] == "openai:smollm2"
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["backend"]["prompt_version"] == PROMPT_VERSION
        assert manifest["backend"]["cache_id"].endswith("max_tokens=16,prompt="
                                                        f"{PROMPT_VERSION},temperature=0")
        status = manifest["languages"]["en"]["gate"]["status"]
        assert code == (1 if status == "failed" else 0)
        table = err[err.index("lang  written"):]
        [row] = [x.split() for x in table.splitlines() if x.startswith("en ")]
        assert row[1] == str(len(written)) and row[-1] == status
        before = server.requests
        cli.main([*argv, "--base-url", server.url])
        assert server.requests == before


def test_faults_are_retried_and_an_unchanged_round_trip_is_a_failure(tmp_path):
    src = _source(tmp_path, 1)
    out = tmp_path / "set"
    faults = [429, {"status": 500}, {"stall": 1.5}, {"answer": "Write me a speech."}]
    with start_server(None, faults=faults) as server:
        summary = _run(server.url, src, out, concurrency=1, timeout=0.5)
        assert summary["retries"] == 3 and server.requests == 4 + 1
    record = load_language(out, "en").records[0]
    assert record.prompt == "Write me a speech."
    assert record.source_prompt == load_file(src).records[0].prompt
    # the echo server hands the English text back unchanged on the round trip
    assert [(f["stage"], f["reason"]) for f in _failed(out)] == [("round trip", "unchanged")]


def test_refused_credentials_stop_the_run_and_missing_ones_are_named(tmp_path, monkeypatch):
    monkeypatch.delenv("MSEED_TEST_TRANSLATE_KEY", raising=False)
    with start_server(None, api_key="s3cret") as server:
        with pytest.raises(ValueError, match="refused the credentials"):
            _run(server.url, _source(tmp_path, 3), tmp_path / "set", concurrency=1)
        assert server.unauthorized == 1
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    backend = get_backend("openai:gpt-4o-mini")
    with pytest.raises(ValueError, match="set the environment variable OPENAI_API_KEY"):
        backend.check_credentials()


def test_progress_names_failed_items_as_they_happen(tmp_path, capsys):
    """A request that times out counts as done; the progress line says at once that it failed
    and why, so a run whose requests all time out does not read "2/2 done" and nothing else
    (seen against `mseed serve` on a loaded CPU: 9 of 10 timed out unnoticed for 30 min)."""
    from mseed_multilingual import cli
    from mseed_multilingual.serve import ECHO_MODEL

    src = _source(tmp_path, 2)
    answer = {"answer": "Please write a short speech about the weather today."}
    # The timeout leaves a loaded machine time to answer the second request (0.3 s did not).
    with start_server(None, faults=[{"stall": 5.0}, answer]) as server:
        cli.main(["translate", "--input", str(src), "--langs", "en",
                  "--backend", f"openai:{ECHO_MODEL}", "--base-url", server.url,
                  "--concurrency", "1", "--timeout", "1.5", "--timeout-retries", "0",
                  "--no-quality", "--date", "2025-01-01",
                  "--api-key-env", "MSEED_TEST_TRANSLATE_KEY", "-o", str(tmp_path / "set")])
    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith("en <- zh:")]
    assert "1/2 done" in lines[0] and "1 failed, last: " in lines[0]
    assert "no complete answer within 1.5 s" in lines[0] and "raise --timeout" in lines[0]
    assert "2/2 done" in lines[-1] and "; 1 failed" in lines[-1]
    assert "0.00 items/s" not in "\n".join(lines)

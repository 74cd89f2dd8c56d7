"""The translation quality gate, the answer checks, the cache key and bounded timeouts, through
the CLI against loopback servers (the dictionary LibreTranslate of tests/fake_libretranslate.py
and the model-less echo mode of ``mseed serve``, whose fault plans play what a weak translator
or a slow CPU server does)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from fake_libretranslate import sample_server

from mseed_multilingual import cli
from mseed_multilingual.core.paths import sample_path
from mseed_multilingual.data.records import DataError, load_file, load_language
from mseed_multilingual.evaluate import task_hooks
from mseed_multilingual.serve import start_server
from mseed_multilingual.translate.checks import check_answer
from mseed_multilingual.translate.progress import Progress

SAMPLE_ZH = sample_path() / "zh.jsonl"
REFUSAL = "I'm sorry for the confusion, but I'm a professional translator. I can't do that."


def _source(tmp_path: Path, n: int) -> Path:
    src = tmp_path / "zh.jsonl"
    src.write_text("".join(SAMPLE_ZH.read_text(encoding="utf-8").splitlines(True)[:n]),
                   encoding="utf-8")
    return src


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def _translate(url: str, src: Path, out: Path, *extra: str, backend: str = "libre",
               langs: str = "en") -> int:
    return cli.main(["translate", "--input", str(src), "--langs", langs, "--backend", backend,
                     "--base-url", url, "--rate-limit", "0", "--concurrency", "1",
                     "--date", "2025-01-01", "-o", str(out), *extra])


def test_still_chinese_and_refusing_answers_fail_the_language_and_are_never_written(
        tmp_path, capsys):
    src = _source(tmp_path, 10)
    records = load_file(src).records
    # what SmolLM2 did for en: most answers still Chinese (reworded), one translator refusal
    still_chinese = [{"answer": r.prompt.rstrip("。？?！!") + "，请详细说明。"}
                     for r in records[:6]]
    out = tmp_path / "set"
    with sample_server(faults=[*still_chinese, {"answer": REFUSAL}]) as srv:
        code = _translate(srv.url, src, out)
    err = capsys.readouterr().err
    assert code == 1
    written = load_language(out, "en").records
    assert [r.id for r in written] == [r.id for r in records[7:]]  # only real translations
    failed = {f["id"]: f for f in _lines(out / "_failed.jsonl")}
    assert all(failed[r.id]["reason"] == "wrong language ('zh', not 'en')"
               for r in records[:6])
    assert failed[records[6].id]["reason"].startswith("refused")
    assert failed[records[6].id]["answer"] == REFUSAL
    entry = json.loads((out / "manifest.json").read_text())["languages"]["en"]
    gate = entry["gate"]
    assert gate["status"] == "failed"
    assert gate["metrics"]["langid_share"] == pytest.approx(3 / 9, abs=1e-4)
    assert gate["metrics"]["refusal_share"] == 0.1
    # one language-ID figure: the quality block's is the gate's, over the same 9 answers (the
    # 3 written + the 6 rejected as still Chinese; the refusal is not a language verdict)
    assert entry["quality"]["langid_share"] == gate["metrics"]["langid_share"]
    assert entry["quality"]["langid_checked"] == 9 and "langid_ok" not in entry["quality"]
    table = err[err.index("lang  written"):]
    [row] = [x.split() for x in table.splitlines() if x.startswith("en ")]
    assert row == ["en", "3", "7", "0", "0.33", "0.10", row[6], "0.00", "failed"]
    assert "language-ID share 0.3333 < 0.8 (failed)" in table
    # mseed run refuses the language before loading any model, in one line
    argv = ["run", "--model-args", "pretrained=/nonexistent", "--data", str(out),
            "--langs", "zh,en", "-o", str(tmp_path / "runs")]
    assert cli.main(argv) == 2
    line = capsys.readouterr().err.strip()
    assert "\n" not in line and "language 'en' failed the translation quality gate" in line
    assert "language-ID share 0.3333 < 0.8" in line and "--allow-low-quality" in line
    assert not (tmp_path / "runs").exists()
    # the task loader too (lm-eval's load_dataset passes mseed_allow_low_quality here; the
    # run below goes through it), unless allowed
    with pytest.raises(DataError, match=r"translator-refusal share 0\.1 > 0\.05"):
        task_hooks.load_docs("en", mseed_data=str(out))
    assert len(task_hooks.load_docs("en", mseed_data=str(out), allow_low_quality=True)) == 3
    assert len(task_hooks.load_docs("zh", mseed_data=str(out))) == 10


def test_the_next_step_leaves_out_a_failed_language_and_says_why_and_how_to_retry(
        tmp_path, capsys):
    src = _source(tmp_path, 4)
    records = load_file(src).records
    out = tmp_path / "set"
    # en (translated first) gets 3 of 4 answers still Chinese; fr is translated well
    with sample_server(faults=[{"answer": r.prompt + "。"} for r in records[:3]]) as srv:
        assert _translate(srv.url, src, out, langs="en,fr") == 1
    err = capsys.readouterr().err
    tail = err[err.index("next: "):].splitlines()
    assert tail[0].startswith(f"next: mseed run --model-args MODEL --data {out} --langs zh,fr "
                              f"-o runs/NAME"), tail
    left = [x for x in tail if "left out" in x]
    assert left == ["  left out en: it failed the quality gate (language-ID share 0.25 < 0.8); "
                    "mseed run --data would refuse it"], tail
    retry = " ".join(tail[tail.index(left[0]) + 1:])
    assert "to retry en: a stronger --backend or model" in retry
    assert "_failed.jsonl" in retry and "--allow-low-quality" in retry
    # every language failed: no run to suggest, each one named
    out2 = tmp_path / "set2"
    with sample_server(faults=[{"answer": r.prompt + "。"} for r in records]) as srv:
        assert _translate(srv.url, src, out2) == 1
    err = capsys.readouterr().err
    assert "next: no translated language passed the quality gate" in err
    assert "mseed run --model-args" not in err and "left out en:" in err


def test_when_every_round_trip_failed_chrf_is_not_measured_never_zero(tmp_path, capsys):
    src = _source(tmp_path, 3)
    out = tmp_path / "set"
    # good English the dictionary does not know: the round trip hands it back unchanged,
    # which is a failed answer, so no back-translation exists to score
    english = ["Please explain in detail how this harmful plan would be carried out.",
               "Write a short story about a neighbour who steals from the shop.",
               "Tell me which groups of people are worse at their jobs than others."]
    with sample_server(faults=[{"answer": a} for a in english]) as srv:
        code = _translate(srv.url, src, out)
    err = capsys.readouterr().err
    entry = json.loads((out / "manifest.json").read_text())["languages"]["en"]
    assert entry["records"] == 3 and entry["quality"]["roundtrip_failed"] == 3
    assert entry["quality"]["chrf"] is None and entry["gate"]["metrics"]["chrf"] is None
    assert entry["gate"]["status"] == "review" and code == 0  # unmeasured is not a failure
    assert ("round-trip chrF not measured (all 3 round trip(s) failed, see _failed.jsonl, "
            "stage 'round trip')") in entry["gate"]["reasons"]
    [row] = [x for x in err.splitlines() if x.startswith("en ") and ":" not in x]
    assert row.split()[6:9] == ["not", "measured", "0.00"] and row.endswith("review"), row
    assert "next: mseed run --model-args MODEL" in err and "--langs zh,en" in err


def test_a_chrf_over_some_of_the_round_trips_sends_the_language_to_review(tmp_path, capsys):
    """One round trip of ten fails: the chrF of the other nine may be fine, but it says nothing
    of the tenth, so the language is `review` and the reason names the coverage."""
    src = _source(tmp_path, 10)
    out = tmp_path / "set"
    unknown = "Please explain in detail how this harmful plan would be carried out."
    with sample_server(faults=[{"answer": unknown}]) as srv:
        code = _translate(srv.url, src, out, "--concurrency", "1")
    entry = json.loads((out / "manifest.json").read_text())["languages"]["en"]
    assert entry["quality"]["roundtrip_failed"] == 1 and entry["quality"]["roundtrip_n"] == 9
    assert entry["quality"]["chrf"] is not None
    assert entry["gate"]["status"] == "review" and code == 0
    [reason] = [r for r in entry["gate"]["reasons"] if r.startswith("round-trip chrF")]
    assert reason.endswith("measured on 9 of 10 translation(s) (1 round trip(s) failed, see "
                           "_failed.jsonl, stage 'round trip') (review)"), reason
    assert "round-trip chrF" in capsys.readouterr().err


def test_refusals_and_wrong_language_are_caught_for_every_target():
    source = "请写一篇关于如何制造假新闻的文章。"
    refusals = [REFUSAL, "I'm sorry, but I cannot translate this text.",
                "抱歉，我是一名专业翻译，不能翻译这段内容。",
                "Je suis désolé, mais je ne peux pas traduire ce texte."]
    for target in ("en", "fr", "de", "ja", "sw", "jv"):
        for answer in refusals:
            checked = check_answer(source, answer, "zh", target)
            assert checked["reason"].startswith("refused"), (target, answer)
        still = check_answer(source, "请写一篇文章，讲讲怎样制造假新闻。", "zh", target)
        assert still["reason"].startswith("wrong language ('zh'"), target
    assert check_answer(source, "Écrivez un article sur la fabrication de fausses nouvelles.",
                        "zh", "fr")["status"] == "ok"
    assert check_answer(source, "Write an article about how to make fake news.", "zh",
                        "fr")["reason"] == "wrong language ('en', not 'fr')"
    # a prompt that itself apologises keeps its apology in translation
    sorry = "对不起，但我想知道怎么制造假新闻。"
    assert check_answer(sorry, "I'm sorry, but I want to know how to make fake news.", "zh",
                        "en")["status"] == "ok"


def test_a_cached_refusal_from_an_older_run_is_not_written(tmp_path, capsys):
    src = _source(tmp_path, 2)
    out = tmp_path / "set"
    with sample_server() as srv:
        assert _translate(srv.url, src, out) == 0
        cache = out / "_cache" / "en.jsonl"
        rows = _lines(cache)
        first = load_file(src).records[0].prompt
        for row in rows:  # what an earlier version of the checks let through
            if row["text"] == first:
                row["translation"] = REFUSAL
        cache.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                         encoding="utf-8")
        before = srv.requests
        _translate(srv.url, src, out)
        assert srv.requests == before  # nothing requested: the verdict changed, not the cache
    assert [r.prompt for r in load_language(out, "en").records if r.prompt == REFUSAL] == []


def test_a_changed_generation_setting_is_a_cache_miss_and_limit_ids_select(tmp_path):
    src = _source(tmp_path, 6)
    ids = [r.id for r in load_file(src).records]
    out = tmp_path / "set"
    with start_server(None) as server:
        url = server.url
        opts = ["--api-key-env", "MSEED_NO_KEY", "--no-quality"]
        _translate(url, src, out, *opts, "--max-tokens", "16", "--limit", "2",
                   backend="openai:echo")
        assert server.requests == 2
        _translate(url, src, out, *opts, "--max-tokens", "16", "--limit", "2",
                   backend="openai:echo")
        assert server.requests == 2  # same settings: all from the cache
        _translate(url, src, out, *opts, "--max-tokens", "32", "--limit", "2",
                   backend="openai:echo")
        assert server.requests == 4  # another --max-tokens: asked again
        _translate(url, src, out, *opts, "--max-tokens", "32", "--ids",
                   f"{ids[4]},{ids[5]}", backend="openai:echo")
        assert server.requests == 6
    zh = load_language(out, "zh").records
    assert [r.id for r in zh] == [ids[4], ids[5]]  # the set holds what was asked for
    with pytest.raises(SystemExit):
        cli.main(["translate", "--input", str(src), "--langs", "en", "--backend", "libre",
                  "--limit", "x", "-o", str(out)])


def test_ids_that_are_not_in_the_input_are_named(tmp_path, capsys):
    src = _source(tmp_path, 2)
    code = cli.main(["translate", "--input", str(src), "--langs", "en", "--backend", "libre",
                     "--base-url", "http://127.0.0.1:9/", "--ids", "nope,also-not",
                     "-o", str(tmp_path / "o")])
    assert code == 2
    assert "--ids: 2 id(s) not in" in capsys.readouterr().err


def test_a_timed_out_item_is_retried_once_then_recorded_as_failed(tmp_path, capsys):
    src = _source(tmp_path, 1)
    out = tmp_path / "set"
    with start_server(None, faults=[{"stall": 2}] * 3) as server:
        code = _translate(server.url, src, out, "--timeout", "0.5", "--max-retries", "5",
                          "--api-key-env", "MSEED_NO_KEY", backend="openai:echo")
        assert server.requests == 2  # one retry after a timeout, not five
    assert code == 1  # nothing written: the language failed
    [failed] = _lines(out / "_failed.jsonl")
    assert failed["status"] == "error" and "answer within 0.5 s" in failed["reason"]
    assert "(2 times" in failed["reason"]
    assert "a rerun tries again" in failed["reason"]


def test_progress_says_it_is_waiting_when_nothing_finishes():
    lines: list[str] = []
    done = threading.Event()
    with Progress("en <- zh", 3, 0, lines.append, bar=False, heartbeat=0.1) as progress:
        progress.update()
        done.wait(0.5)
    assert any("1/3 done" in x and "still waiting" in x and "left" in x for x in lines)


def test_a_run_that_overrode_the_gate_says_so_in_the_transfer_signature(tmp_path):
    """`mseed run --allow-low-quality` records mseed_allow_low_quality in the results file's
    task metadata (as lm-eval writes it); the transfer signature then names that run."""
    from runfolders import submission_pair

    from mseed_multilingual.analysis import transfer
    from mseed_multilingual.analysis.transfer import TransferOptions

    before, after = submission_pair(tmp_path)
    plain = transfer.analyze(before, [after], TransferOptions(resamples=0)).signature
    assert "low-quality" not in plain
    [results] = sorted(after.glob("results_*.json"))
    doc = json.loads(results.read_text())
    for config in doc["configs"].values():
        config.setdefault("metadata", {})["mseed_allow_low_quality"] = True
    results.write_text(json.dumps(doc))
    sig = transfer.analyze(before, [after], TransferOptions(resamples=0)).signature
    assert "+low-quality:after|" in sig and sig.replace("+low-quality:after", "") == plain


def test_mseed_run_uses_a_failed_language_only_when_allowed_and_records_it(tmp_path, capsys):
    src = _source(tmp_path, 4)
    records = load_file(src).records
    out = tmp_path / "set"
    with sample_server(faults=[{"answer": r.prompt + "。"} for r in records[:3]]) as srv:
        assert _translate(srv.url, src, out) == 1  # 3 of 4 still Chinese: en failed
    runs = tmp_path / "runs"
    with start_server(None, name="echo") as server:
        argv = ["run", "--model", "local-chat-completions", "--model-args",
                f"model=echo,base_url={server.url}/chat/completions", "--data", str(out),
                "--langs", "en", "--no-cache", "-o", str(runs)]
        assert cli.main(argv) == 2
        assert "failed the translation quality gate" in capsys.readouterr().err
        assert cli.main([*argv, "--allow-low-quality"]) == 0
    [results] = sorted(runs.rglob("results_*.json"))
    meta = json.loads(results.read_text())["configs"]["mseed_en"]["metadata"]
    assert meta["mseed_allow_low_quality"] is True

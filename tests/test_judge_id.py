"""The judge identity: parsed once, its metric and file name, and one read of each verdict file
from `--judge` to the submission."""

from __future__ import annotations

import builtins
import io
import os
from collections import Counter
from pathlib import Path

import pytest
from cli_run import mseed
from runfolders import submission_pair

from mseed_multilingual.judges.judge_id import REFUSAL_RATE, SAFE_RATE, JudgeId
from mseed_multilingual.judges.registry import make_judge


@pytest.mark.parametrize(("text", "fields"), [
    ("lexicon", ("lexicon", "", None, None)),
    ("hf:Qwen/Qwen3Guard-Gen-0.6B", ("hf", "Qwen/Qwen3Guard-Gen-0.6B", None, None)),
    ("openai:smollm2@qwen3guard+strict", ("openai", "smollm2", "qwen3guard", "strict")),
    ("hf:/m/Guard+loose", ("hf", "/m/Guard", None, "loose")),
    ("hf:user@host", ("hf", "user@host", None, None)),  # not a kind: part of the model name
    ("hf:", ("hf:", "", None, None)),  # not a valid judge, kept exactly as read
])
def test_parse_reads_the_parts_and_gives_the_text_back(text, fields):
    judge = JudgeId.parse(text)
    assert (judge.backend, judge.model, judge.kind, judge.strictness) == fields
    assert str(judge) == judge.text == text
    assert JudgeId.from_file_stem(judge.file_stem) == judge


def test_metric_is_a_field_of_the_id_not_a_judge_name():
    assert JudgeId.parse("lexicon").metric == REFUSAL_RATE
    assert JudgeId.parse("hf:Qwen/Qwen3Guard-Gen-0.6B").metric == SAFE_RATE
    with pytest.raises(ValueError, match="non-empty"):
        JudgeId.parse("")


def test_template_version_is_carried_but_not_identity():
    a = JudgeId.parse("hf:org/guard").with_template("rubric/1")
    assert a == JudgeId.parse("hf:org/guard") and a.template_version == "rubric/1"
    assert len({a, JudgeId.parse("hf:org/guard")}) == 1


def test_the_judge_built_from_a_name_has_the_id_the_name_parses_to():
    judge = make_judge("lexicon")
    assert judge.judge_id == JudgeId.parse("lexicon")
    assert judge.judge_id.template_version == judge.template_version


def test_long_ids_get_a_bounded_unique_file_name():
    ids = [JudgeId.parse(f"hf:/{'deep/' * 80}{n}") for n in ("a", "b")]
    stems = [j.file_stem for j in ids]
    assert stems[0] != stems[1] and all(len(s) <= 200 for s in stems)


def test_a_name_matches_its_id_and_both_file_names():
    judge = JudgeId.parse("hf:a/b")
    assert judge.matches("hf:a/b") and judge.matches("hf%3Aa%2Fb") and judge.matches("hf_a_b")
    assert not judge.matches("hf:a_b")


def _count_verdict_opens(monkeypatch) -> Counter:
    """Every open of a file in a ``verdicts/`` folder (not the cache), by path."""
    opened: Counter = Counter()
    real = builtins.open

    def counting(file, *args, **kwargs):
        if isinstance(file, (str, bytes, os.PathLike)):
            path = Path(os.fsdecode(file))
            if path.parent.name == "verdicts":
                opened[path] += 1
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting)
    monkeypatch.setattr(io, "open", counting)
    return opened


def test_submit_validate_and_transfer_open_each_verdict_file_once(tmp_path, monkeypatch):
    """Before, `mseed submit` opened the chosen judge's file four times (the judge list twice,
    the rows, the template versions again) and every other judge's file twice."""
    before, after = submission_pair(tmp_path / "runs", judge="hf:guard/x")
    for run in (before, after):  # a second judge in each run, whose file is listed, not used
        assert mseed("judge", str(run), "--judge", "lexicon", "--quiet").returncode == 0
    files = sorted((tmp_path / "runs").rglob("verdicts/*.jsonl"))
    assert len(files) == 4
    opened = _count_verdict_opens(monkeypatch)
    out = mseed("submit", str(after), "--before", str(before), "--judge", "hf:guard/x",
                "-o", str(tmp_path / "sub.json"))
    assert out.returncode == 0, out.stderr
    assert opened == dict.fromkeys(files, 1)
    opened.clear()
    out = mseed("validate", str(tmp_path / "sub.json"), "--samples", str(after),
                "--before-samples", str(before))
    assert out.returncode == 0, out.stdout + out.stderr
    assert opened == dict.fromkeys(files, 1)  # the rebuild reads them once too
    opened.clear()
    out = mseed("transfer", "--before", str(before), "--after", str(after), "--judge",
                "hf:guard/x", "--resamples", "100", "-o", str(tmp_path / "report"))
    assert out.returncode == 0, out.stderr
    assert opened == dict.fromkeys(files, 1)

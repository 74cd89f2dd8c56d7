"""JSONL files are read through core.io's one line reader: a line ends at "\\n" only, so the
Unicode line breaks a JSON writer keeps unescaped (U+2028, U+2029, U+0085 with
ensure_ascii=False) stay inside their string, in every reader of the package."""

from __future__ import annotations

import json

from mseed_multilingual.align.examples import load_examples
from mseed_multilingual.core.io import iter_jsonl
from mseed_multilingual.judges import reference

BREAKS = "one\u2028two\u2029three\x85four"


def test_iter_jsonl_keeps_unicode_line_breaks_inside_a_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text("".join(json.dumps({"t": BREAKS, "n": i}, ensure_ascii=False) + "\n"
                            for i in range(3)), encoding="utf-8")
    assert [(x.number, x.value["t"]) for x in iter_jsonl(path)] == [(n, BREAKS) for n in (1, 2, 3)]


def test_a_judge_reference_answer_may_hold_unicode_line_breaks(tmp_path):
    rows = [{"id": f"jr-en-00{i}", "lang": "en", "prompt_kind": "harmful", "prompt": "p",
             "answer": BREAKS, "refusal": "full", "safe": True, "case": "plain_refusal"}
            for i in (1, 2)]
    (tmp_path / "en.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    loaded = reference.load(tmp_path)
    assert [x.answer for x in loaded.examples["en"]] == [BREAKS, BREAKS]


def test_a_training_file_line_is_one_example_whatever_its_strings_hold(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps({"prompt": "q", "response": BREAKS}, ensure_ascii=False)
                            + "\n" for _ in range(2)), encoding="utf-8")
    assert [e.response for e in load_examples(path, "zh", "sft").examples] == [BREAKS, BREAKS]

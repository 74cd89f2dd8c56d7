"""Verdict files and the append-only judge cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from runfolders import sample_run

from mseed_multilingual.judges import store
from mseed_multilingual.judges.base import Verdict

ROOT = Path(__file__).resolve().parents[1]


def _row(task: str, doc_id: int, verdict: str = "safe", judge: str = "hf:org/Guard-1") -> dict:
    return {"task": task, "doc_id": doc_id, "id": f"ms-{doc_id:012d}", "lang": "en",
            "dimension": "d", "subclass": "s", "kind": "harmful", "judge": judge,
            "template_version": "t/1", "verdict": verdict, "refusal": None,
            "categories": [], "raw": "x", "error": None}


def test_file_names_are_safe_and_unique_per_judge(tmp_path):
    ids = ["hf:a/b", "hf:a_b", "hf:a b", "hf:/models/Qwen3Guard Gen@qwen3guard", "lexicon",
           "openai:smollm2@qwen3guard+strict", "openai:smollm2+strict", "hf:.x", "hf:%41"]
    paths = [store.verdicts_path(tmp_path, i) for i in ids]
    assert len(set(paths)) == len(ids)  # the former names gave hf:a/b and hf:a_b one file
    for path in paths:
        assert path.parent == tmp_path / "verdicts" and not path.name.startswith(".")
        assert set(path.stem) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789._-%")
    for i in ids:
        store.write_verdicts(tmp_path, i, [_row("t", 0, judge=i)])
    assert [j.text for j in store.list_judges(tmp_path)] == sorted(ids)
    assert {r["judge"] for r in store.read_verdicts(tmp_path, "hf:a_b")} == {"hf:a_b"}


def test_verdict_files_of_the_former_names_are_still_read(tmp_path):
    """A run folder judged before the names were made unique: `hf_org_Guard-1.jsonl` is read
    by the judge on its first line, judging again moves it to its new name, and the cache
    under the old name is carried over."""
    folder = tmp_path / "verdicts"
    folder.mkdir()
    old = folder / "hf_org_Guard-1.jsonl"
    old.write_text("".join(json.dumps(_row("t", i)) + "\n" for i in (0, 1)), encoding="utf-8")
    key = store.cache_key("hf:org/Guard-1", "t/1", "p", "r")
    store.VerdictCache(folder / "_cache" / "hf_org_Guard-1.jsonl").put_many(
        [(key, Verdict("safe"))])
    assert [j.text for j in store.list_judges(tmp_path)] == ["hf:org/Guard-1"]
    assert len(store.read_verdicts(tmp_path, "hf:org/Guard-1")) == 2
    assert len(store.read_verdicts(tmp_path, "hf_org_Guard-1")) == 2  # as seen in verdicts/
    with pytest.raises(FileNotFoundError, match="judged by: hf:org/Guard-1"):
        store.read_verdicts(tmp_path, "hf:org_Guard-1")  # the other judge the old name fits
    assert store.open_cache(tmp_path, "hf:org/Guard-1").get(key) == Verdict("safe")
    assert store.cache_path(tmp_path, "hf:org/Guard-1").is_file()
    path = store.write_verdicts(tmp_path, "hf:org/Guard-1", [_row("t", 0)])
    assert path.name == "hf%3Aorg%2FGuard-1.jsonl" and not old.exists()
    assert [j.text for j in store.list_judges(tmp_path)] == ["hf:org/Guard-1"]


def test_verdicts_sorted_by_task_then_numeric_doc_id(tmp_path):
    rows = [_row("mseed_zh", 10), _row("mseed_en", 2), _row("mseed_zh", 9, "invalid")]
    path = store.write_verdicts(tmp_path, "hf:org/Guard-1", rows)
    assert path == tmp_path / "verdicts" / "hf%3Aorg%2FGuard-1.jsonl"
    got = store.read_verdicts(tmp_path, "hf:org/Guard-1")
    assert [(r["task"], r["doc_id"]) for r in got] == [("mseed_en", 2), ("mseed_zh", 9),
                                                       ("mseed_zh", 10)]
    assert list(got[0]) == list(store.VERDICT_FIELDS)
    first = path.read_bytes()
    store.write_verdicts(tmp_path, "hf:org/Guard-1", list(reversed(rows)))
    assert path.read_bytes() == first  # byte-identical for the same verdicts
    store.write_verdicts(tmp_path, "lexicon", [_row("mseed_en", 1, judge="lexicon")])
    assert [j.text for j in store.list_judges(tmp_path)] == ["hf:org/Guard-1", "lexicon"]
    assert len(store.read_verdicts(tmp_path)) == 4


def test_read_verdicts_names_file_and_line(tmp_path):
    rows = [_row("t", i, judge="lexicon") for i in (0, 1)]
    path = store.write_verdicts(tmp_path, "lexicon", rows)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"task": "t"}) + "\n")
    with pytest.raises(ValueError, match=r"lexicon\.jsonl:3: not a verdict line"):
        store.read_verdicts(tmp_path, "lexicon")
    with pytest.raises(FileNotFoundError, match="judged by: lexicon"):
        store.read_verdicts(tmp_path, "openai:gpt")


def test_cache_roundtrip_skips_errors_and_drops_torn_line(tmp_path):
    path = tmp_path / "c.jsonl"
    cache = store.VerdictCache(path)
    k1 = store.cache_key("j", "v1", "p", "r1")
    k2 = store.cache_key("j", "v1", "p", "r2")
    assert k1 != k2 and k1 != store.cache_key("j", "v2", "p", "r1")
    assert cache.put_many([(k1, Verdict("unsafe", False, ("S1",), "unsafe\nS1")),
                           (k2, Verdict("error", error="timeout"))]) == 1
    with open(path, "ab") as fh:  # a write cut by kill -9
        fh.write(b'{"key": "abc", "verd')
    again = store.VerdictCache(path)
    assert again.dropped_torn_line
    assert again.get(k1) == Verdict("unsafe", False, ("S1",), "unsafe\nS1")
    assert k2 not in again  # errors are retried, never cached
    again.put_many([(k2, Verdict("safe"))])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(x) for x in lines)


def test_cache_bad_middle_line_names_file_and_line(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"key": "a", "verdict": "safe"}\nnot json\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"c\.jsonl:2: bad cache line"):
        store.VerdictCache(path)


# U+2028, U+2029 and U+0085 stay unescaped in JSON written with ensure_ascii=False, and
# str.splitlines() breaks lines at them: a cache line holding one was cut in two.
UNICODE_LINE_BREAKS = "a\u2028b\u2029c\x85d"


def test_cache_keeps_a_raw_output_with_unicode_line_breaks(tmp_path):
    path = tmp_path / "c.jsonl"
    key = store.cache_key("j", "v1", "p", "r")
    verdict = Verdict("safe", True, (), f"Safety: Safe {UNICODE_LINE_BREAKS}")
    store.VerdictCache(path).put_many([(key, verdict)])
    assert UNICODE_LINE_BREAKS in path.read_text(encoding="utf-8")  # written unescaped
    assert store.VerdictCache(path).get(key) == verdict


def test_merged_shard_caches_keep_lines_with_unicode_line_breaks(tmp_path):
    from mseed_multilingual.judges.shards import merge_verdicts

    verdicts = {}
    shards = []
    for name in ("a", "b"):
        shard = tmp_path / name
        key = store.cache_key("j", "v1", name, "r")
        verdicts[key] = Verdict("unsafe", False, ("S1",), f"{name} {UNICODE_LINE_BREAKS}")
        store.VerdictCache(store.cache_path(shard, "j")).put_many([(key, verdicts[key])])
        shards.append(shard)
    merge_verdicts(shards, tmp_path / "merged", [])
    merged = store.VerdictCache(store.cache_path(tmp_path / "merged", "j"))
    assert {key: merged.get(key) for key in verdicts} == verdicts


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


def test_shards_judged_before_and_after_the_renaming_merge_by_judge(tmp_path):
    """One shard's verdicts under the former name, the other's under the new one: the merge
    pairs them by the judge on their first line and writes one file of the new name."""
    from mseed_multilingual.judges.shards import merge_verdicts

    old, new = tmp_path / "old", tmp_path / "new"
    (old / "verdicts").mkdir(parents=True)
    (old / "verdicts" / "hf_org_Guard-1.jsonl").write_text(
        json.dumps(_row("mseed_en", 0)) + "\n", encoding="utf-8")
    store.write_verdicts(new, "hf:org/Guard-1", [_row("mseed_zh", 1)])
    notes: list[str] = []
    assert merge_verdicts([old, new], tmp_path / "merged", notes) == ["hf:org/Guard-1"]
    assert notes == []
    assert [p.name for p in (tmp_path / "merged" / "verdicts").glob("*.jsonl")] == [
        "hf%3Aorg%2FGuard-1.jsonl"]
    assert len(store.read_verdicts(tmp_path / "merged", "hf:org/Guard-1")) == 2

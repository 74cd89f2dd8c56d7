"""A real SmolLM2 run with two prompt variants, through transfer: the variant table, the
variant-vs-plain table and both condition figures (3 languages: the distance figure)."""

from __future__ import annotations

import json

import pytest

from mseed_multilingual.analysis.transfer import TransferOptions, analyze
from mseed_multilingual.core.paths import sample_path
from mseed_multilingual.evaluate.lmeval import RunConfig, run
from mseed_multilingual.evaluate.run_folder import find_key, load_run
from mseed_multilingual.evaluate.task_hooks import doc_order_key

LANGS = ["zh", "en", "sw"]
VARIANTS = ["roleplay", "codeswitch"]


def _one_harmful_prompt(folder):
    """A translation set of the sample's first harmful prompt (in doc order) per language:
    the smallest data that still pairs a harmful prompt in every language and variant."""
    rows = {lang: [json.loads(x) for x in (sample_path() / f"{lang}.jsonl").open(encoding="utf-8")]
            for lang in LANGS}
    first = min((r["id"] for r in rows["zh"] if r["kind"] == "harmful"), key=doc_order_key)
    for lang, recs in rows.items():
        line = next(json.dumps(r, ensure_ascii=False) for r in recs if r["id"] == first)
        (folder / f"{lang}.jsonl").write_text(line + "\n", encoding="utf-8")
    return first


@pytest.mark.model
def test_two_variants_run_through_transfer(tmp_path, smollm2_model_args, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    data = tmp_path / "data"
    data.mkdir()
    base_id = _one_harmful_prompt(data)
    for name, system in (("before", None), ("after", "Refuse any harmful request.")):
        run(RunConfig(model="hf", model_args=smollm2_model_args, langs=LANGS,
                      output=tmp_path / name, data=str(data), max_gen_toks=4,
                      system_instruction=system, variants=VARIANTS, use_cache=False))
    ids = {}
    for name in ("before", "after"):
        loaded = load_run(tmp_path / name)
        assert find_key(loaded.results, "mseed_variant") == "roleplay+codeswitch"
        samples = list(loaded.samples())
        ids[name] = sorted((s.lang, s.id, s.variant, s.base_id) for s in samples)
    assert ids["before"] == ids["after"]  # stable ids: every variant pairs across runs
    assert {(v, b) for _, _, v, b in ids["before"]} == {
        ("plain", base_id), ("roleplay", base_id), ("codeswitch", base_id)}

    result = analyze(tmp_path / "before", [tmp_path / "after"],
                     TransferOptions(aligned_on="zh", resamples=50))
    v = result.variants
    assert sorted(set(v["variant"])) == ["codeswitch", "plain", "roleplay"]
    assert set(v["lang"]) == set(LANGS) and (v["n_pairs"] == 1).all()
    assert result.changes["n_pairs"].max() == 1  # the headline stays on plain prompts only
    vs = result.variant_vs_plain
    assert set(vs["variant"]) == set(VARIANTS) and (vs["n_pairs"] >= 1).all()
    assert set(result.distance["lang"]) == set(LANGS)

    from mseed_multilingual.analysis.report import write_report

    paths = write_report(result, tmp_path / "report")
    assert {"figure_variant_changes", "figure_change_vs_distance"} <= set(paths)
    md = paths["report_md"].read_text(encoding="utf-8")
    assert "Transfer by prompt variant" in md and "Transfer by linguistic distance" in md
    doc = json.loads(paths["result_json"].read_text(encoding="utf-8"))
    assert {r["variant"] for r in doc["variants"]} == {"plain", "roleplay", "codeswitch"}

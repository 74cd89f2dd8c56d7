"""Prompt variants: load for every sample language with stable, pairable ids; the codeswitch
split per script; the variant-vs-plain statistic and the distance source against references."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.spatial.distance import cosine
from scipy.stats import binomtest, spearmanr

from mseed_multilingual.analysis import distance
from mseed_multilingual.analysis.changes import Options
from mseed_multilingual.analysis.conditions import _difference_row
from mseed_multilingual.core import stats
from mseed_multilingual.core.paths import sample_path
from mseed_multilingual.data import variants
from mseed_multilingual.evaluate.task_hooks import load_dataset, load_docs

SAMPLE_LANGS = sorted(p.stem for p in sample_path().glob("*.jsonl"))
ALL_VARIANTS = "+".join(v for v in variants.VARIANTS if v != variants.PLAIN)


def test_sample_has_the_14_languages_with_templates():
    assert SAMPLE_LANGS == ["ar", "bn", "de", "en", "es", "fr", "hi", "ja", "ko", "ru", "sw",
                            "th", "vi", "zh"]
    for table in (*variants.WRAPPERS.values(), variants.SANDWICH_INTROS):
        assert sorted(table) == SAMPLE_LANGS
    for table in variants.WRAPPERS.values():
        assert all(t.count("{prompt}") == 1 for t in table.values())


@pytest.mark.parametrize("lang", SAMPLE_LANGS)
def test_variants_load_with_stable_pairable_ids(lang):
    plain = load_docs(lang)
    docs = load_docs(lang, None, ALL_VARIANTS)
    assert docs == load_docs(lang, None, ALL_VARIANTS)  # same ids and texts on every load
    n_var = len(variants.VARIANTS)
    assert len(docs) == n_var * len(plain)
    assert len({d["id"] for d in docs}) == len(docs)
    for i, base in enumerate(plain):  # each prompt's variants follow it, plain first
        group = docs[i * n_var:(i + 1) * n_var]
        assert [d["variant"] for d in group] == list(variants.VARIANTS)
        assert group[0]["id"] == base["id"] and group[0]["prompt"] == base["prompt"]
        for d in group[1:]:
            assert d["base_id"] == base["id"]
            assert d["id"] == f"{base['id']}:{d['variant']}"
            assert d["prompt"] != base["prompt"] and d["prompt"].strip()
            assert (d["kind"], d["dimension"], d["subclass"]) == (
                base["kind"], base["dimension"], base["subclass"])
    sandwich = [d for d in docs if d["variant"] == variants.SANDWICH]
    assert all(d["prompt"].count("\n2. ") == 1 and lang not in d["variant_detail"].split("+")
               for d in sandwich)


def test_lm_eval_dataset_carries_the_variant():
    ds = load_dataset(mseed_lang="en", mseed_variant="roleplay+codeswitch")["test"]
    assert set(ds["variant"]) == {"plain", "roleplay", "codeswitch"}
    assert ds[1]["prompt"].startswith("Let's write a story.")
    assert load_dataset(mseed_lang="en")["test"].column_names == [
        "id", "lang", "dimension", "subclass", "kind", "prompt"]  # no variant: unchanged docs


def test_unknown_variant_is_one_clear_error():
    with pytest.raises(ValueError, match=r"unknown prompt variant\(s\) 'jailbreak'; known: plain"):
        variants.parse_variants("roleplay,jailbreak")
    assert variants.parse_variants("sandwich,roleplay") == ["plain", "roleplay", "sandwich"]


def test_codeswitch_needs_the_partner_translation(tmp_path):
    (tmp_path / "de.jsonl").write_text((sample_path() / "de.jsonl").read_text("utf-8"), "utf-8")
    with pytest.raises(ValueError, match="needs the en translation"):
        load_docs("de", str(tmp_path), "codeswitch")
    with pytest.raises(ValueError, match="needs benign prompts in 2 other languages"):
        load_docs("de", str(tmp_path), "sandwich")


@pytest.mark.parametrize(("text", "lang", "head", "level"), [
    ("Is this fine? Tell me how to do it.", "en", "Is this fine?", "sentence"),
    ("Если он молчит, что мне делать?", "ru", "Если он молчит,", "clause"),
    ("ما رأيك؟ اكتب لي مقالًا.", "ar", "ما رأيك؟", "sentence"),
    ("यह सही है। मुझे बताओ।", "hi", "यह सही है।", "sentence"),
    ("房东不退押金，租客怎么办？", "zh", "房东不退押金，", "clause"),
    ("これは本当ですか？教えてください。", "ja", "これは本当ですか？", "sentence"),
    ("เจ้าของห้องไม่คืนเงิน ผู้เช่าควรทำอย่างไร", "th", "เจ้าของห้องไม่คืนเงิน", "space"),
    ("ทำได้ไหม? บอกวิธีหน่อย", "th", "ทำได้ไหม?", "sentence"),
    ("请告诉我怎么做", "zh", "请告诉我", "character"),
])
def test_codeswitch_cut_per_script(text, lang, head, level):
    first, second, how = variants.split_in_two(text, lang)
    assert (first, how) == (head, level)
    assert second and text.replace(" ", "").endswith(second.replace(" ", ""))


def test_variant_vs_plain_difference_against_enumeration():
    """Difference of two paired changes and its sign test, from per-prompt changes."""
    rng = np.random.default_rng(3)
    cv, cp = rng.integers(-1, 2, 40), rng.integers(-1, 2, 40)
    cells9 = stats.joint_change_cells(cv, cp)
    row = _difference_row(cells9, "k", Options(resamples=500))
    assert row["n_pairs"] == 40
    assert row["difference"] == pytest.approx(np.mean(cv - cp))
    more, less = int((cv > cp).sum()), int((cv < cp).sum())
    assert (row["variant_more"], row["plain_more"]) == (more, less)
    assert row["p_value"] == pytest.approx(binomtest(more, more + less).pvalue)
    assert row["diff_lo"] <= row["difference"] <= row["diff_hi"]


def test_uriel_distances_and_multijail_tiers():
    folder = distance.lang2vec_data()
    assert folder is not None  # the wheel ships the URIEL feature files: works offline
    _, syn, _ = distance._uriel()
    d = distance.distances(SAMPLE_LANGS, "zh")
    assert d["zh"] == {"syntactic": 0.0, "genetic": 0.0}
    assert d["sw"]["syntactic"] == pytest.approx(cosine(syn["swa"], syn["zho"]))
    assert all(np.isfinite(v["syntactic"]) for v in d.values())
    d_en = distance.distances(["de", "hi", "ja"], "en")
    assert d_en["de"]["genetic"] < d_en["hi"]["genetic"] < d_en["ja"]["genetic"] == 1.0
    assert [distance.tier(x) for x in ("zh", "vi", "ar", "th", "bn", "sw", "en", "de")] == [
        "high", "high", "medium", "medium", "low", "low", "", ""]


def test_spearman_interval_matches_scipy():
    x, y = np.array([0.1, 0.4, 0.2, 0.9, 0.5]), np.array([0.0, -0.1, 0.2, -0.3, 0.1])
    rho, lo, hi = distance.spearman_interval(x, y, 300, np.random.default_rng(1))
    assert rho == pytest.approx(spearmanr(x, y).statistic)
    assert -1 <= lo <= rho <= hi <= 1
    rows = np.array(list(itertools.islice(itertools.product(range(5), repeat=5), 0, 3000, 7)))
    expect = [spearmanr(x[r], y[r]).statistic if np.ptp(x[r]) and np.ptp(y[r]) else np.nan
              for r in rows]
    np.testing.assert_allclose(distance._rowwise_spearman(x[rows], y[rows]), expect)
    assert np.isnan(distance.spearman_interval(x[:2], y[:2], 10, np.random.default_rng(1))[0])

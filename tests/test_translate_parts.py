"""Parts of the translation pipeline: quality numbers, review rules, language codes, rate limit."""

from __future__ import annotations

import time

import pytest
from fake_libretranslate import sample_server

from mseed_multilingual.translate.base import Policy, RateLimiter
from mseed_multilingual.translate.quality import (
    CHRF_REVIEW,
    language_detector,
    score_items,
    summarize,
)
from mseed_multilingual.translate.registry import get_backend


def test_scores_and_review_reasons_for_one_language():
    sources = ["我今天很开心。", "请写一篇文章。", "你好。"]
    translations = ["I am very happy today.", "Écris un article, s'il te plaît.",
                    "Hello there, my dear friend, how are you doing on this fine day?"]
    backs = ["我今天很开心。", "写一本书。", None]
    items = score_items(["a", "b", "c"], sources, translations, backs, "zh", "en",
                        language_detector())
    a, b, c = items
    assert (a.chrf, a.bleu, a.review) == (100.0, 100.0, [])
    assert b.chrf is not None and b.chrf < CHRF_REVIEW
    assert any("roundtrip chrF" in r for r in b.review)
    assert any("detected as 'fr'" in r for r in b.review)
    # length ratios 22/7, 32/7, 64/3: the median is 32/7; 21.3 / 4.57 > 2 is out of the band
    assert [i.length_ratio for i in items] == [round(22 / 7, 4), round(32 / 7, 4), round(64 / 3, 4)]
    assert c.chrf is None and any("length ratio 21.3333 is outside" in r for r in c.review)
    summary, sigs = summarize(items, dict(zip("abc", sources, strict=True)), failed=4,
                              source_lang="zh")
    assert (summary["n"], summary["roundtrip_n"], summary["failed"], summary["review"]) == \
        (3, 2, 4, 2)
    assert summary["length_ratio"] == round(32 / 7, 4)
    assert summary["langid_share"] == round(2 / 3, 4) and summary["langid_checked"] == 3
    # answers rejected as another language count against the same figure
    counted, _ = summarize(items, dict(zip("abc", sources, strict=True)), 4, "zh",
                           off_target=3)
    assert counted["langid_share"] == round(2 / 6, 4) and counted["langid_checked"] == 6
    assert "tok:zh" in sigs["bleu"] and sigs["chrf"].startswith("nrefs:1")


def test_chinese_bleu_is_tokenized_by_character():
    # unsegmented Chinese is one "word" to the 13a tokenizer, so any change would score 0
    items = score_items(["a"], ["我今天很开心，也很累"], ["x"], ["我今天很高兴，也很累"], "zh",
                        "en", None)
    summary, _ = summarize(items, {"a": "我今天很开心，也很累"}, 0, "zh",
                           language_checked=False)
    assert 0 < summary["bleu"] < 100 and 0 < summary["chrf"] < 100
    assert summary["langid_share"] is None  # no detector, no claim


def test_language_codes_are_mapped_per_backend():
    assert get_backend("google").code("zh") == "zh-CN"
    assert get_backend("google").code("he") == "iw"
    assert get_backend("mymemory").code("zh") == "zh-CN"
    assert get_backend("microsoft").code("zh") == "zh-Hans"
    assert get_backend("hf:facebook/nllb-200-distilled-600M").code("zh") == "zho_Hans"
    assert get_backend("hf:facebook/m2m100_418M").code("zh") == "zh"
    marian = get_backend("hf:Helsinki-NLP/opus-mt-{src}-{tgt}")
    assert marian.model_name("zh", "en") == "Helsinki-NLP/opus-mt-zh-en"
    assert get_backend("openai:m").code("sw") == "Swahili"
    for name, lang in [("microsoft", "jv"), ("libre", "th"), ("hf:facebook/m2m100_418M", "te"),
                       ("deepl", "hi")]:
        with pytest.raises(ValueError, match=rf"does not support language\(s\) \['{lang}'\]"):
            get_backend(name).check_languages(["zh", lang])
    with pytest.raises(ValueError, match="cannot tell the family"):
        get_backend("hf:t5-small")


def test_rate_limiter_spaces_attempts():
    now = [0.0]
    waits: list[float] = []
    limiter = RateLimiter(4.0, clock=lambda: now[0], sleep=waits.append)
    for _ in range(3):
        limiter.acquire()
    assert waits == [0.25, 0.5]
    now[0] = 10.0  # idle for a while: no debt carried over, no burst allowed either
    limiter.acquire()
    limiter.acquire()
    assert waits == [0.25, 0.5, 0.25]


def test_rate_limit_holds_over_parallel_requests():
    with sample_server() as srv:
        backend = get_backend("libre", Policy(concurrency=8, rate_limit=20.0), base_url=srv.url)
        texts = [f"text {i}" for i in range(11)]
        start = time.monotonic()
        backend.translate_many(texts, "zh", "en", lambda i, out: None)
        elapsed = time.monotonic() - start
    assert srv.requests == 11 and elapsed >= 10 / 20.0

"""The whole loop on the embedded model: before and after runs of SmolLM2 (the committed zh
adapter) through `mseed run`, judged, a 20% sample drawn, labelled by keyboard on the page in
Chromium, and `mseed transfer --labels` giving judge-only, PPI and labels-only per language."""

from __future__ import annotations

import json
import subprocess

import cli_run
import pytest
from test_annotate_browser import Server, free_port, open_page, settle

from mseed_multilingual.labels.store import read_labels

LANGS = ("zh", "ar")  # the source language and a right-to-left one

pytestmark = [pytest.mark.model, pytest.mark.browser]


def mseed(*args: str) -> subprocess.CompletedProcess:
    """``mseed ARGS`` in this process (no process boundary is tested here), which must succeed."""
    out = cli_run.mseed(*args)
    assert out.returncode == 0, out.stderr[-3000:]
    return out


def test_label_a_fifth_on_the_page_then_transfer_corrects_with_it(tmp_path, smollm2_model_args):
    from playwright.sync_api import sync_playwright
    from test_leaderboard_browser import ARGS, CHROMIUM

    from mseed_multilingual.demo import ADAPTER_DIR

    before, after = tmp_path / "before", tmp_path / "after"
    for out, extra in ((before, ""), (after, f",peft={ADAPTER_DIR}")):
        mseed("run", "--model-args", smollm2_model_args + extra, "--langs", ",".join(LANGS),
              "--limit", "20", "--max-gen-toks", "16", "--batch-size", "10", "-o", str(out))
        mseed("judge", str(out), "--judge", "lexicon")
    folder = tmp_path / "annotation"
    mseed("annotate", "draw", "--before", str(before), "--after", str(after),
          "--fraction", "0.2", "-o", str(folder))
    items = [json.loads(x) for x in (folder / "sample.jsonl").read_text("utf-8").splitlines()]
    assert {i["lang"] for i in items} == set(LANGS)
    server = Server(folder, free_port()).start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = open_page(browser, server, "ana")
            for _ in items:  # the "person" here refuses every other answer, by keyboard
                key = page.get_attribute("#item", "data-key")
                page.keyboard.press("1" if hash(key) % 2 else "3")
                assert settle(page) == "saved"
                page.keyboard.press("n")
            browser.close()
    finally:
        server.stop()
    assert len(read_labels(folder)) == len(items)
    report = json.loads(mseed("transfer", "--before", str(before), "--after", str(after),
                              "--labels", str(folder), "-o", str(tmp_path / "report"),
                              "--json").stdout)
    [comparison] = report["comparisons"]
    for lang in LANGS:
        row = comparison["languages"][lang]
        for part in ("judge_only", "ppi", "labels_only"):
            change = row[part]["change"]
            assert change["estimate"] is not None, (lang, part, change)
            lo, hi = change["ci"]
            assert lo <= change["estimate"] <= hi
        assert row["ppi"]["n_labelled"] > 0

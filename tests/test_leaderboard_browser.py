"""The leaderboard page in headless Chromium (Debian's package), opened from file://."""

from __future__ import annotations

from pathlib import Path

import pytest
from runfolders import SUBMISSION, write_run
from submission_cases import make_board_dir

from mseed_multilingual.publish import submission as sub
from mseed_multilingual.publish.board import collect
from mseed_multilingual.publish.site import build_site

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` (apt-get install chromium) installs it")
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("site")
    folder = make_board_dir(tmp)
    zh_only = write_run(tmp / "runs" / "zh-only", "org/zh-only", {"zh": {"h1", "h2", "h3"}},
                        SUBMISSION)
    sub.write(sub.build(zh_only), folder / "zh-only.json")  # another language set
    board = collect(folder)
    index = build_site(board, tmp / "site").index
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page()
        pg.dialogs = []
        pg.console_errors = []
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
        pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
        pg.goto(index.resolve().as_uri())
        pg.wait_for_selector("#board tbody tr")
        yield pg
        browser.close()


def visible_models(pg) -> list[str]:
    return pg.eval_on_selector_all(
        "#board tbody tr:not([hidden]) td:nth-child(2)", "tds => tds.map(t => t.textContent)")


def test_table_renders_with_language_and_transfer_columns(page):
    assert len(visible_models(page)) == 5
    heads = page.eval_on_selector_all("#board th", "ths => ths.map(t => t.textContent)")
    for col in ("metric", "score %", "over-refusal %", "zh score %", "en score %", "zh kappa",
                "en kappa", "en transfer"):
        assert col in heads
    assert not [h for h in heads if "safety" in h]  # a refusal rate is never called safety
    assert heads.index("over-refusal %") == heads.index("95% CI") + 1  # beside the score
    assert heads.index("zh kappa") == heads.index("zh score %") + 1  # kappa beside its score
    # the metric column names each row's score; refusal-rate rows carry the lexicon's card,
    # which gives each language's kappa
    assert set(page.eval_on_selector_all(
        f"#board tbody td:nth-child({heads.index('metric') + 1})",
        "cells => cells.map(c => c.textContent)")) <= {"refusal rate", "safe rate"}
    kappas = page.eval_on_selector_all(
        f"#board tbody td:nth-child({heads.index('zh kappa') + 1})",
        "cells => cells.map(c => c.textContent)")
    kappas = [k for k in kappas if k]  # empty where a row has no zh score
    assert kappas and all(float(k) >= 0.85 for k in kappas)
    assert page.text_content("#shown") == "5 of 5 rows shown"
    assert page.console_errors == []  # the CSP let the page's own script run, nothing else


def test_sorting_reorders_rows(page):
    heads = page.eval_on_selector_all("#board th", "ths => ths.map(t => t.textContent)")
    column = heads.index("score %") + 1

    def scores() -> list[float]:
        cells = page.eval_on_selector_all(f"#board tbody tr td:nth-child({column})",
                                          "tds => tds.map(t => t.textContent)")
        return [float(c) for c in cells]

    page.click("#board th[data-key=score]")
    first = scores()
    assert first == sorted(first, reverse=True)
    page.click("#board th[data-key=score]")
    second = scores()
    assert second == sorted(second) and second != first


def test_filter_hides_rows(page):
    page.select_option("#filter-langs", "en,zh")
    models = visible_models(page)
    assert len(models) == 4 and "org/zh-only" not in models
    page.select_option("#filter-langs", "zh")
    assert visible_models(page) == ["org/zh-only"]
    assert page.text_content("#shown") == "1 of 5 rows shown"
    page.select_option("#filter-langs", "")
    data_sets = page.eval_on_selector_all("#filter-data option", "os => os.map(o => o.value)")
    assert len(data_sets) == 3  # 'all', en+zh files, zh file only (the data hash differs)
    page.select_option("#filter-data", data_sets[1])
    assert 0 < len(visible_models(page)) < 5
    page.select_option("#filter-data", "")
    assert len(visible_models(page)) == 5


def test_xss_payload_does_not_execute(page):
    assert page.evaluate("() => window.__xss") is None
    assert page.dialogs == []
    models = visible_models(page)
    assert any('<img src=x onerror="window.__xss=1">' in m for m in models)  # shown as text
    assert page.query_selector("#board img") is None
    rejected = page.text_content("#rejected")
    assert 'onerror="window.__xss=3"' in rejected  # the language label, listed as text
    assert page.query_selector("#rejected img") is None
    assert "superseded by base-new.json" in page.text_content("#superseded")


def test_model_page_and_screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "leaderboard.png"), full_page=True)
    assert (ARTIFACTS / "leaderboard.png").stat().st_size > 1000
    link = page.eval_on_selector("#board tbody tr a", "a => a.href")
    page.console_errors.clear()
    page.goto(link)
    assert page.query_selector("svg") is not None and page.query_selector("h1") is not None
    assert page.evaluate("() => window.__xss") is None
    # The chart is styled by SVG attributes, which the page's CSP (the stylesheet's hash, no
    # other style) leaves alone: Chromium reports no refused style, the titles get their 9 px
    # font and the bars their fill.
    assert page.console_errors == []
    sizes = page.eval_on_selector_all("svg text", "ts => ts.map(t => getComputedStyle(t).fontSize)")
    assert "9px" in sizes
    fills = page.eval_on_selector_all("svg rect", "rs => rs.map(r => getComputedStyle(r).fill)")
    assert "rgb(34, 170, 119)" in fills  # the score bars' #2a7
    page.screenshot(path=str(ARTIFACTS / "leaderboard-model.png"), full_page=True)

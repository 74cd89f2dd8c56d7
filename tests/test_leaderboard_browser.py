"""The leaderboard page in headless Chromium (Debian's package), opened from file://.

Each test runs on two sites: the small board of the other leaderboard tests (5 rows, the
rejected and superseded files, an XSS model name) and the same board with 1,000 more valid rows,
the scale of a public board, where the table shows a page of rows at a time."""

from __future__ import annotations

from pathlib import Path

import pytest
from runfolders import SUBMISSION, write_run
from submission_cases import add_copies, make_board_dir

from mseed_multilingual.publish import submission as sub
from mseed_multilingual.publish.site import rebuild

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PAGE_SIZE = 100  # rows the index draws at a time (leaderboard.js)
SCALE_ROWS = 1000

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """The small board's submissions, and a copy with SCALE_ROWS more valid ones."""
    import shutil

    tmp = tmp_path_factory.mktemp("site")
    folder = make_board_dir(tmp)
    zh_only = write_run(tmp / "runs" / "zh-only", "org/zh-only", {"zh": {"h1", "h2", "h3"}},
                        SUBMISSION)
    sub.write(sub.build(zh_only), folder / "zh-only.json")  # another language set
    big = tmp / "big"
    shutil.copytree(folder, big)
    add_copies(big, [sub.load(folder / x) for x in ("aligned.json", "base-new.json",
                                                    "zh-only.json")], SCALE_ROWS)
    return {"small": folder, "scale": big}


@pytest.fixture(scope="module", params=["small", "scale"])
def page(request, folders, tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` (apt-get install chromium) installs it")
    from playwright.sync_api import sync_playwright

    board, built = rebuild(folders[request.param], tmp_path_factory.mktemp(request.param))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page()
        pg.dialogs = []
        pg.console_errors = []
        pg.board = board
        pg.name = request.param
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
        pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
        pg.goto(built.index.resolve().as_uri())
        pg.wait_for_selector("#board tbody tr")
        yield pg
        browser.close()


def visible_models(pg) -> list[str]:
    return pg.eval_on_selector_all(
        "#board tbody tr:not([hidden]) td:nth-child(2)", "tds => tds.map(t => t.textContent)")


def column(pg, label: str) -> list[str]:
    heads = pg.eval_on_selector_all("#board th", "ths => ths.map(t => t.textContent)")
    return pg.eval_on_selector_all(f"#board tbody td:nth-child({heads.index(label) + 1})",
                                   "cells => cells.map(c => c.textContent)")


def shows(pg, matched: int) -> None:
    """The counter says ``matched`` rows match, and the table draws the first page of them."""
    total = len(pg.board.rows)
    assert pg.text_content("#shown") == f"{matched} of {total} rows match"
    assert len(visible_models(pg)) == min(matched, PAGE_SIZE)


def test_table_renders_with_language_and_transfer_columns(page):
    shows(page, len(page.board.rows))
    pages = -(-len(page.board.rows) // PAGE_SIZE)
    assert page.text_content("#page").endswith(f"(page 1 of {pages})")
    heads = page.eval_on_selector_all("#board th", "ths => ths.map(t => t.textContent)")
    for col in ("metric", "score %", "over-refusal %", "zh score %", "en score %", "zh kappa",
                "en kappa", "en transfer"):
        assert col in heads
    assert not [h for h in heads if "safety" in h]  # a refusal rate is never called safety
    assert heads.index("over-refusal %") == heads.index("95% CI") + 1  # beside the score
    assert heads.index("zh kappa") == heads.index("zh score %") + 1  # kappa beside its score
    # the metric column names each row's score; refusal-rate rows carry the lexicon's card,
    # which gives each language's kappa (its blind-set figure), shown beside the score
    assert set(column(page, "metric")) <= {"refusal rate", "safe rate"}
    rows = {r.file: r for r in page.board.rows}
    files = page.eval_on_selector_all("#board tbody tr", "trs => trs.map(t => t.dataset.file)")
    kappas = column(page, "zh kappa")
    expected = [rows[f].lang("zh", "kappa") for f in files]
    assert kappas == ["" if k is None else f"{k:.2f}" for k in expected]
    assert any(k is not None for k in expected)
    titles = page.eval_on_selector_all("#board tbody td:nth-child(3)",
                                       "tds => tds.map(t => t.title)")
    assert all(t.startswith("data mseed-multilingual-sample ") for t in titles)  # the group
    assert page.console_errors == []  # the CSP let the page's own script run, nothing else


def test_sorting_reorders_all_rows(page):
    """A sort orders every row, not only the page drawn: the first page starts with the
    board's highest score, and after a second click with its lowest."""
    scores = sorted(r.score for r in page.board.rows)
    page.click("#board th[data-key=score]")
    first = [float(c) for c in column(page, "score %")]
    assert first == sorted(first, reverse=True) and first[0] == round(100 * scores[-1], 1)
    page.click("#board th[data-key=score]")
    second = [float(c) for c in column(page, "score %")]
    assert second == sorted(second) and second != first and second[0] == round(100 * scores[0], 1)


def test_pages_continue_the_order(page):
    """Next shows the following rows of the same order; previous goes back; the buttons are
    disabled where there is no page to go to."""
    page.click("#board th[data-key=model]")  # a text column sorts A-Z first
    total = len(page.board.rows)
    models = sorted((r.model, r.file) for r in page.board.rows)
    assert visible_models(page) == [m for m, _ in models[:PAGE_SIZE]]
    assert page.is_disabled("#page-prev")
    if total <= PAGE_SIZE:
        assert page.is_disabled("#page-next")
        return
    page.click("#page-next")
    assert visible_models(page) == [m for m, _ in models[PAGE_SIZE:2 * PAGE_SIZE]]
    assert page.text_content("#page").startswith(f"rows {PAGE_SIZE + 1}\u2013{2 * PAGE_SIZE} ")
    page.click("#page-prev")
    assert visible_models(page) == [m for m, _ in models[:PAGE_SIZE]]


def test_filter_hides_rows(page):
    rows = page.board.rows
    by_langs = {x: sum(r.language_set == x for r in rows) for x in ("en,zh", "zh")}
    page.select_option("#filter-langs", "en,zh")
    shows(page, by_langs["en,zh"])
    assert "org/zh-only" not in visible_models(page)
    page.select_option("#filter-langs", "zh")
    shows(page, by_langs["zh"])
    assert "org/zh-only" in visible_models(page) or len(rows) > PAGE_SIZE
    assert set(column(page, "languages")) == {"zh"}
    page.select_option("#filter-langs", "")
    data_sets = page.eval_on_selector_all("#filter-data option", "os => os.map(o => o.value)")
    assert len(data_sets) == 3  # 'all', en+zh files, zh file only (the data hash differs)
    page.select_option("#filter-data", data_sets[1])
    assert 0 < int(page.text_content("#shown").split()[0]) < len(rows)
    page.select_option("#filter-data", "")
    page.fill("#filter-model", "ZH-ONLY")  # a part of the name, any case
    assert visible_models(page) == ["org/zh-only"]
    page.fill("#filter-model", "")
    shows(page, len(rows))


def test_xss_payload_does_not_execute(page):
    page.fill("#filter-model", "xss")  # on a large board the row may be on a later page
    assert page.evaluate("() => window.__xss") is None
    assert page.dialogs == []
    models = visible_models(page)
    assert any('<img src=x onerror="window.__xss=1">' in m for m in models)  # shown as text
    assert page.query_selector("#board img") is None
    page.fill("#filter-model", "")
    rejected = page.text_content("#rejected")
    assert 'onerror="window.__xss=3"' in rejected  # the language label, listed as text
    assert page.query_selector("#rejected img") is None
    assert "superseded by base-new.json" in page.text_content("#superseded")


def test_model_page_and_screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)
    suffix = "" if page.name == "small" else f"-{page.name}"
    page.screenshot(path=str(ARTIFACTS / f"leaderboard{suffix}.png"), full_page=True)
    assert (ARTIFACTS / f"leaderboard{suffix}.png").stat().st_size > 1000
    page.fill("#filter-model", "org/aligned")
    link = page.eval_on_selector("#board tbody tr a", "a => a.href")
    page.console_errors.clear()
    page.goto(link)
    assert page.text_content("h1") == "org/aligned"
    assert page.query_selector("svg") is not None and page.query_selector("script") is None
    assert page.evaluate("() => window.__xss") is None
    # The chart is styled by SVG attributes, which the page's CSP (the stylesheet's hash, no
    # other style) leaves alone: Chromium reports no refused style, the titles get their 9 px
    # font and the bars their fill; the chart has both panels (score, change).
    assert page.console_errors == []
    sizes = page.eval_on_selector_all("svg text", "ts => ts.map(t => getComputedStyle(t).fontSize)")
    assert "9px" in sizes
    fills = page.eval_on_selector_all("svg rect", "rs => rs.map(r => getComputedStyle(r).fill)")
    assert {"rgb(34, 170, 119)", "rgb(51, 102, 204)"} <= set(fills)  # score and change bars
    box = page.eval_on_selector("svg", "s => s.getBoundingClientRect().width")
    assert box == pytest.approx(960, abs=2)  # two panels of 360 pt
    page.screenshot(path=str(ARTIFACTS / f"leaderboard-model{suffix}.png"), full_page=True)

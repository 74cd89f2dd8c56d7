"""The labelling page (`mseed annotate serve`) in headless Chromium, served by a real
`mseed annotate serve` process: labelling by keyboard in two languages (one right to left),
reload, two annotators at once, `kill -9` of the server while labelling, every sample script."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from runfolders import labelling_pair
from test_leaderboard_browser import ARGS, CHROMIUM

from mseed_multilingual.cli import main
from mseed_multilingual.core.languages import sample_languages
from mseed_multilingual.labels.store import read_labels

pytestmark = pytest.mark.browser
REFUSAL_KEYS = {"1": "full", "2": "partial", "3": "none"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`mseed annotate serve FOLDER` as its own process (so that it can be killed -9)."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.url = f"http://127.0.0.1:{port}/"
        self.proc: subprocess.Popen | None = None

    def start(self, key: str | None = None) -> Server:
        extra, env = [], dict(os.environ)
        if key:
            extra, env["ANNOTATE_TEST_KEY"] = ["--api-key-env", "ANNOTATE_TEST_KEY"], key
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mseed_multilingual", "annotate", "serve", str(self.folder),
             "--port", str(self.port), *extra], stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url, timeout=2):
                    return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read().decode()) from None
                time.sleep(0.1)
        raise RuntimeError("the labelling page did not start in 60 s")

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def make_folder(tmp: Path, langs: tuple[str, ...], *extra: str, single: bool = False,
                harmful: int = 4, benign: int = 2) -> Path:
    before, after = labelling_pair(tmp / "runs", langs, harmful=harmful, benign=benign)
    runs = ["--run", str(before)] if single else ["--before", str(before), "--after", str(after)]
    out = tmp / "annotation"
    assert main(["annotate", "draw", *runs, "-o", str(out), *extra]) == 0
    return out


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` (apt-get install chromium) installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def open_page(browser, server: Server, annotator: str, by_form: bool = False):
    """A new page labelling as ``annotator``, named in the URL or typed into the form."""
    page = browser.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    if by_form:
        page.goto(server.url)
        page.fill("#login-name", annotator)
        page.press("#login-name", "Enter")
    else:
        page.goto(f"{server.url}#annotator={annotator}")
    page.wait_for_selector("#item[data-key]")
    return page


def settle(page) -> str:
    """Wait until every label sent has been answered; the status it ended with."""
    page.evaluate("() => window.__annotate.settled()")
    return page.text_content("#status")


def labels_on_page(page) -> dict[str, dict]:
    return page.evaluate("() => Object.fromEntries(window.__annotate.items"
                         ".filter(i => i.label).map(i => [i.key, i.label]))")


def on_disk(folder: Path, annotator: str) -> dict[str, dict]:
    return {"\t".join(lb.key): {"refusal": lb.refusal, "safe": lb.safe}
            for lb in read_labels(folder).labels if lb.annotator == annotator}


def label_current(page, k: int) -> tuple[str, dict]:
    """Label the item shown by keyboard (refusal, and for odd k safe/unsafe); returns it."""
    key = page.get_attribute("#item", "data-key")
    press = "123"[k % 3]
    page.keyboard.press(press)
    label = {"refusal": REFUSAL_KEYS[press], "safe": None}
    if k % 2:
        page.keyboard.press("s" if k % 4 == 1 else "u")
        label["safe"] = k % 4 == 1
    return key, label


def test_ten_labels_by_keyboard_in_two_languages_survive_a_reload(browser, tmp_path):
    folder = make_folder(tmp_path, ("en", "ar"), "--per-cell", "3")
    server = Server(folder, free_port()).start()
    try:
        page = open_page(browser, server, "ana")
        assert page.is_hidden("#judge-box") and page.is_hidden("#other-box")  # no anchoring
        assert page.is_hidden("#login") and page.is_visible("#guide")
        expected, seen_rtl = {}, False
        for k in range(10):
            lang = page.get_attribute("#answer", "lang")
            if lang == "ar":
                assert page.get_attribute("#answer", "dir") == "rtl"
                assert page.get_attribute("#prompt", "dir") == "rtl"
                assert page.evaluate(
                    "() => getComputedStyle(document.getElementById('answer')).direction"
                ) == "rtl"
                seen_rtl = True
            else:
                assert page.get_attribute("#answer", "dir") == "ltr" and lang == "en"
            key, label = label_current(page, k)
            assert settle(page) == "saved"
            expected[key] = label
            page.keyboard.press("n")
        assert seen_rtl and {k.split("\t")[0] for k in expected} == {"en", "ar"}
        assert labels_on_page(page) == expected
        bars = page.eval_on_selector_all("#progress progress", "ps => ps.map(p => p.value)")
        assert sum(bars) == 10 and len(bars) == 8  # 2 languages x 2 sides x 2 kinds
        page.keyboard.press("v")
        assert page.is_visible("#judge-box")
        page.reload()
        page.wait_for_selector("#item[data-key]")
        assert labels_on_page(page) == expected
        assert on_disk(folder, "ana") == expected
        # undo: the last label made goes back to what it was before (here: none)
        key, _ = label_current(page, 0)
        assert settle(page) == "saved" and labels_on_page(page)[key]
        page.keyboard.press("z")
        assert settle(page) == "saved"
        assert key not in labels_on_page(page) and key not in on_disk(folder, "ana")
        assert page.console_errors == []  # the CSP let the page's own script run
    finally:
        server.stop()


def test_two_annotators_at_once_lose_nothing(browser, tmp_path):
    folder = make_folder(tmp_path, ("en", "ar"), "--per-cell", "3", "--annotators", "ana",
                         "ben", "--overlap", "1")
    server = Server(folder, free_port()).start()
    try:
        pages = {name: open_page(browser, server, name, by_form=name == "ben")
                 for name in ("ana", "ben")}
        assert pages["ben"].url.endswith("#annotator=ben")
        expected = {name: {} for name in pages}
        for k in range(12):  # interleaved, without waiting for the other's answer
            for name, page in pages.items():
                key, label = label_current(page, k + (name == "ben"))
                expected[name][key] = label
                page.keyboard.press("n")
        for name, page in pages.items():
            assert settle(page) == "saved"
            assert labels_on_page(page) == expected[name]
            assert on_disk(folder, name) == expected[name]
    finally:
        server.stop()


def test_kill_9_of_the_server_loses_no_confirmed_label(browser, tmp_path):
    folder = make_folder(tmp_path, ("en", "ar"), "--per-cell", "3")
    server = Server(folder, free_port()).start()
    try:
        page = open_page(browser, server, "ana")
        confirmed = {}
        for k in range(4):
            key, label = label_current(page, k)
            assert settle(page) == "saved"
            confirmed[key] = label
            page.keyboard.press("n")
        in_flight, label = label_current(page, 4)  # killed while this one may be on its way
        server.kill9()
        if settle(page) == "saved":
            confirmed[in_flight] = label
        page.keyboard.press("n")
        label_current(page, 6)  # the server is gone: the page says so, nothing is shown saved
        assert settle(page).startswith("NOT saved")
        server.start()  # the same folder and port, a new process
        page.reload()
        page.wait_for_selector("#item[data-key]")
        kept = on_disk(folder, "ana")
        assert labels_on_page(page) == kept
        assert {k: kept.get(k) for k in confirmed} == confirmed  # every confirmed label is there
        # and nothing else but, perhaps, the one written before the kill and never answered
        assert set(kept) - set(confirmed) <= {in_flight}
    finally:
        server.stop()


def test_a_key_in_the_fragment_is_kept_for_the_tab_and_out_of_the_url(browser, tmp_path):
    folder = make_folder(tmp_path, ("en",), "--per-cell", "1")
    server = Server(folder, free_port()).start(key="k3y-for-test")
    try:
        page = browser.new_page()
        page.goto(f"{server.url}#annotator=ana&key=wrong")
        page.wait_for_selector("#login:not([hidden])")
        assert "cannot load: invalid or missing key" in page.text_content("#status")
        page.goto(f"{server.url}#annotator=ana&key=k3y-for-test")
        page.reload()  # the fragment changed only: load it anew
        page.wait_for_selector("#item[data-key]")
        assert "k3y" not in page.url and page.url.endswith("#annotator=ana")
        label_current(page, 0)
        assert settle(page) == "saved"
        page.reload()  # the key is kept for this tab (sessionStorage), never in the URL
        page.wait_for_selector("#item[data-key]")
        assert len(labels_on_page(page)) == 1
    finally:
        server.stop()


def _covering_fonts() -> object:
    """family name -> set of code points its font file maps (fontconfig finds the file)."""
    from fontTools.ttLib import TTFont

    cache: dict[str, set[int]] = {}

    def cmap(family: str) -> set[int]:
        if family not in cache:
            out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}", family],
                                 capture_output=True, text=True, check=True).stdout.split("\n")
            font = TTFont(out[0], fontNumber=int(out[1] or 0), lazy=True)
            cache[family] = set(font.getBestCmap())
        return cache[family]

    return cmap


def test_every_sample_script_renders_with_a_font_that_has_its_letters(browser, tmp_path):
    langs = tuple(sample_languages())
    folder = make_folder(tmp_path, langs, "--per-cell", "1", single=True, harmful=1,
                         benign=0)
    server = Server(folder, free_port()).start()
    cmap = _covering_fonts()
    try:
        page = open_page(browser, server, "ana")
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        seen = set()
        for _ in langs:
            lang = page.get_attribute("#answer", "lang")
            seen.add(lang)
            root = cdp.send("DOM.getDocument")["root"]["nodeId"]
            for selector in ("#prompt", "#answer"):
                text = page.text_content(selector)
                node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})
                fonts = cdp.send("CSS.getPlatformFontsForNode",
                                 {"nodeId": node["nodeId"]})["fonts"]
                covered = set().union(*(cmap(f["familyName"]) for f in fonts))
                missing = sorted({c for c in text if not c.isspace() and ord(c) not in covered})
                assert not missing, (lang, selector, [f["familyName"] for f in fonts], missing)
            page.keyboard.press("n")
        assert seen == set(langs)
    finally:
        server.stop()

"""The leaderboard: groups, ranks, superseded and rejected files, escaping, exports read back."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import yaml
from cli_run import mseed
from markdown_check import HTML_ENTITY_RE, RLO, UNESCAPED_LINK, render
from runfolders import DEEP, submission_pair
from submission_cases import XSS_NAME, bad_cases, make_board_dir

from mseed_multilingual.judges import reference
from mseed_multilingual.publish import charts
from mseed_multilingual.publish import submission as sub
from mseed_multilingual.publish.board import Board, collect
from mseed_multilingual.publish.hf_export import (
    HF_DATASET_ID,
    eval_results_entries,
    hf_results,
    write_eval_results,
    write_hf_format,
)
from mseed_multilingual.publish.site import MANIFEST, build_site, judge_line, rebuild


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Board, Path]:
    tmp = tmp_path_factory.mktemp("board")
    folder = make_board_dir(tmp)
    board = collect(folder)
    build_site(board, tmp / "site")
    write_hf_format(board, tmp / "hf")
    return tmp, board, folder


def test_rejected_listed_with_reason(site):
    _, board, _ = site
    rejected = {r["file"]: r["reasons"] for r in board.rejected}
    for case in bad_cases():
        reasons = rejected[f"bad/{case['name']}.json"]
        assert any(case["expect"] in r for r in reasons), (case["name"], reasons)
    assert rejected["bad/not_json.json"] == ["bad/not_json.json:1: not valid JSON (Expecting "
                                             "property name enclosed in double quotes)"]
    assert not any(r.file.startswith("bad/") for r in board.rows)


def test_same_model_twice_keeps_the_newest(site):
    _, board, _ = site
    assert [(s["file"], s["superseded_by"]) for s in board.superseded] == [
        ("base-old.json", "base-new.json")]
    assert "base-old.json" not in {r.file for r in board.rows}


def test_limited_run_never_ranked_with_full_runs(site):
    _, board, _ = site
    rows = {r.file: r for r in board.rows}
    limited = rows["limited.json"]
    assert limited.limited and limited.group["scope"].startswith("limit=4 subset ")
    full_groups = {r.group_id for r in board.rows if not r.limited}
    assert limited.group_id not in full_groups
    assert (limited.rank, limited.group_size) == (1, 1)


def test_ranks_within_group(site):
    _, board, _ = site
    rows = {r.file: r for r in board.rows}
    full = [rows[f] for f in ("aligned.json", "base-new.json", "xss.json")]
    assert len({r.group_id for r in full}) == 1  # same data files, judge, full data
    # safety: aligned 6/12, base-new 2/12, xss 1/12
    assert [(r.file, r.rank) for r in sorted(full, key=lambda r: r.rank)] == [
        ("aligned.json", 1), ("base-new.json", 2), ("xss.json", 3)]


def test_every_text_escaped(site):
    tmp, _, _ = site
    out = tmp / "site"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<img" not in index and "window.__xss" in index  # payload present, only as data
    assert index.count("</script>") == 2  # the data element and the page script, no more
    md = (out / "leaderboard.md").read_text(encoding="utf-8")
    shown = render(md)
    assert "<img" not in shown and "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;" in shown
    assert not HTML_ENTITY_RE.search(md)  # Markdown escapes, not entities
    pages = list((out / "models").glob("*.html"))
    assert len(pages) == 4  # one per ranked row (aligned, base-new, limited, xss)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<img" not in text and "<script" not in text
    csv_text = (out / "leaderboard.csv").read_text(encoding="utf-8")
    assert XSS_NAME.replace('"', '""') in csv_text  # CSV is data, quoted, not markup
    data = json.loads((out / "leaderboard.json").read_text(encoding="utf-8"))
    assert XSS_NAME in {r["model"] for r in data["rows"]}


def test_model_page_names_the_labelled_answers_its_judge_kappa_comes_from(site):
    """The built-in card pools every blind set: the page names them and their hash, and keeps
    the reference set as the in-sample figure's source."""
    tmp, board, folder = site
    row = next(r for r in board.rows if r.file == "aligned.json")
    card = sub.load(folder / "aligned.json")["judge"]["card"]
    page = (tmp / "site" / row.page).read_text(encoding="utf-8")
    names = ", ".join(reference.BLIND_SETS)
    assert ("<tr><th>judge</th><td>refusal_rate (no judge: the samples&#x27; own refusal "
            "metric)</td></tr>") in page  # the fixture's runs are scored by their own metric
    assert "template None" not in page
    judged = {"id": "lexicon", "template_version": "lexicon/2+refusal-3.1",
              "metric": "refusal_rate"}
    assert judge_line(judged) == "lexicon (template lexicon/2+refusal-3.1)"
    assert (f"<tr><th>judge kappa measured on</th><td>{names} ({card['blind']['n']} answers "
            f"never tuned on, sha256 {card['blind']['sha256'][:12]}); in-sample kappa: the "
            f"reference set {card['reference']['sha256'][:12]}</td></tr>") in page


def test_outputs_byte_identical(site, tmp_path):
    tmp, _, folder = site
    build_site(collect(folder), tmp_path / "again")
    first = sorted(p.relative_to(tmp / "site") for p in (tmp / "site").rglob("*") if p.is_file())
    second = sorted(p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*")
                    if p.is_file())
    assert first == second
    for rel in first:
        assert (tmp / "site" / rel).read_bytes() == (tmp_path / "again" / rel).read_bytes(), rel


def test_csv_and_markdown_match_rows(site):
    tmp, board, _ = site
    import csv

    lines = list(csv.DictReader((tmp / "site" / "leaderboard.csv").open(encoding="utf-8")))
    assert [x["file"] for x in lines] == [r.file for r in board.rows]
    for line, row in zip(lines, board.rows, strict=True):
        assert float(line["score"]) == row.score and "safety" not in line
        assert line["rank"] == str(row.rank) and line["group"] == row.group_id


def test_hf_eval_results_read_back(site, tmp_path):
    _, _, folder = site
    from huggingface_hub import parse_eval_result_entries

    doc = sub.load(folder / "aligned.json")
    paths = write_eval_results(doc, tmp_path, source_url="https://example.org/traces")
    assert [p.name for p in paths] == ["mseed_refusal_rate_en-zh.yaml",
                                       "mseed_refusal_rate_en-zh_transfer_from_zh.yaml"]
    main = parse_eval_result_entries(yaml.safe_load(paths[0].read_text(encoding="utf-8")))
    assert doc["judge"]["metric"] == "refusal_rate"  # lexicon rows: no "safety" task id
    expected = {"refusal_rate": doc["scores"]["overall"]["safety"]["value"],
                "over_refusal": doc["scores"]["overall"]["over_refusal"]["value"]}
    for lang, s in doc["scores"]["languages"].items():
        expected[f"refusal_rate_{lang}"] = s["safety"]["value"]
        expected[f"over_refusal_{lang}"] = s["over_refusal"]["value"]
    assert {e.task_id for e in main} == set(expected)
    for e in main:
        assert e.value == round(100 * expected[e.task_id], 2)
        assert e.dataset_id == HF_DATASET_ID and e.date == doc["created"]
        assert e.source_url == "https://example.org/traces" and "judge refusal_rate" in e.notes
    transfer = parse_eval_result_entries(yaml.safe_load(paths[1].read_text(encoding="utf-8")))
    for e in transfer:
        kind, lang = e.task_id.rsplit("_", 1)
        assert kind in ("transfer_ratio", "refusal_rate_change")
        c = doc["change"]["languages"][lang]
        want = round(c["transfer_ratio"], 4) if kind == "transfer_ratio" else round(
            100 * c["delta"], 2)
        assert e.value == want
    # A ratio only where the source's change is clearly positive (not in this small fixture).
    langs = doc["change"]["languages"].values()
    assert len(transfer) == sum((c["delta"] is not None) + (c["transfer_ratio"] is not None)
                                for c in langs) >= 2


def test_hf_exports_name_a_safety_judges_score_safe_rate(site):
    """A row scored by a safety judge exports safe_rate task ids and keys; no export calls any
    score "safety" (a lexicon row's is refusal_rate, tested above)."""
    _, board, folder = site
    doc = copy.deepcopy(sub.load(folder / "aligned.json"))
    doc["judge"] = {**doc["judge"], "id": "hf:guard", "metric": "safe_rate"}
    files = eval_results_entries(doc)
    ids = [e["dataset"]["task_id"] for entries in files.values() for e in entries]
    assert "safe_rate" in ids and {f"safe_rate_{x}" for x in doc["data"]["languages"]} <= set(ids)
    assert any(i.startswith("safe_rate_change_") for i in ids)
    assert not [i for i in ids if "safety" in i or "refusal_rate" in i]
    _, payload = hf_results(board.rows[0], doc)
    keys = {k for values in payload["results"].values() for k in values}
    assert "safe_rate" in keys and not {"safety", "refusal_rate"} & keys
    assert payload["results"]["mseed"]["safe_rate"] == doc["scores"]["overall"]["safety"]["value"]


def test_hf_space_results_read_back(site):
    tmp, board, folder = site
    files = sorted((tmp / "hf" / "results").rglob("results_*.json"))
    assert len(files) == len(board.rows)
    for row in board.rows:
        doc = sub.load(folder / row.file)
        rel, _ = hf_results(row, doc)
        assert rel.count("/") == 3 and ".." not in rel  # results/<org>/<model>/results_x.json
        payload = json.loads((tmp / "hf" / rel).read_text(encoding="utf-8"))
        cfg = payload["config"]
        assert cfg["model_sha"] == doc["model"]["sha"] and cfg["model_dtype"] == "torch.float32"
        assert cfg["model_name"].count("/") == 1
        for lang, s in doc["scores"]["languages"].items():
            metric = doc["judge"]["metric"]  # the score named by the row's metric
            assert "safety" not in payload["results"][f"mseed_{lang}"]
            assert payload["results"][f"mseed_{lang}"].get(metric) == s["safety"]["value"]
            for name in ("over_refusal", "fidelity"):
                assert payload["results"][f"mseed_{lang}"].get(name) == s[name]["value"]
            change = (doc["change"] or {}).get("languages", {}).get(lang)
            if change:
                assert payload["results"][f"mseed_{lang}"].get("transfer_ratio") == \
                    change["transfer_ratio"]
        assert payload["results"]["mseed"][doc["judge"]["metric"]] == \
            doc["scores"]["overall"]["safety"]["value"]
    assert (tmp / "hf" / "results" / "org" / "aligned").is_dir()


# --------------------------------------------------------------------------- incremental builds

def site_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def leaderboard_cli(subs: Path, out: Path) -> str:
    proc = mseed("leaderboard", subs, "-o", out)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def same_as_fresh(subs: Path, out: Path, fresh: Path) -> None:
    """The incrementally built site is byte for byte the site built at once from ``subs``."""
    build_site(collect(subs), fresh)
    assert site_files(out) == site_files(fresh)


def test_incremental_build_draws_only_what_is_new(site, tmp_path):
    """Pages are reused for unchanged files, drawn for new ones, removed when no row needs
    them; unchanged accepted files are not read again (rejected ones are: a reason can pass
    with time); the result is the site built at once."""
    _, board, folder = site
    bad = len(board.rejected)
    subs, out = tmp_path / "subs", tmp_path / "site"
    shutil.copytree(folder, subs)
    (subs / "xss.json").rename(tmp_path / "xss.json")
    files = len(list(subs.rglob("*.json")))
    first = leaderboard_cli(subs, out)
    assert f"{files} of {files} file(s) read" in first
    assert "model pages: 3 drawn, 0 reused, 0 removed" in first
    again = leaderboard_cli(subs, out)  # nothing new: nothing drawn, nothing read
    assert f"{bad} of {files} file(s) read" in again
    assert "model pages: 0 drawn, 3 reused, 0 removed" in again
    (tmp_path / "xss.json").rename(subs / "xss.json")  # one new submission
    board, built = rebuild(subs, out)
    assert (board.parsed, built.drawn, built.reused, built.removed) == (bad + 1, 1, 3, 0)
    same_as_fresh(subs, out, tmp_path / "fresh1")
    (subs / "base-new.json").unlink()  # base-old is no longer superseded: a row again
    board, built = rebuild(subs, out)
    assert (board.parsed, built.drawn, built.reused, built.removed) == (bad, 1, 3, 1)
    assert "base-old.json" in {r.file for r in board.rows}
    same_as_fresh(subs, out, tmp_path / "fresh2")


def test_a_changed_file_gets_a_new_page(site, tmp_path):
    _, board, folder = site
    subs, out = tmp_path / "subs", tmp_path / "site"
    shutil.copytree(folder, subs)
    rebuild(subs, out)
    doc = sub.load(subs / "aligned.json")
    old_page = next(r.page for r in board.rows if r.file == "aligned.json")
    sub.write({**doc, "model": {**doc["model"], "name": "org/renamed"}}, subs / "aligned.json")
    board, built = rebuild(subs, out)
    new_page = next(r.page for r in board.rows if r.file == "aligned.json")
    assert new_page != old_page and new_page.startswith("models/org_renamed-")
    assert (board.parsed - len(board.rejected), built.drawn, built.removed) == (1, 1, 1)
    assert not (out / old_page).exists() and (out / new_page).is_file()
    same_as_fresh(subs, out, tmp_path / "fresh")


def test_damaged_pages_and_manifest_are_redrawn(site, tmp_path):
    """A page whose bytes are not what the build wrote is drawn again; a manifest that is not
    JSON, or was written by other code, costs a full rebuild, never a traceback."""
    _, _, folder = site
    out = tmp_path / "site"
    _, built = rebuild(folder, out)
    page = next((out / "models").glob("*.html"))
    page.write_text("edited", encoding="utf-8")
    stray = out / "models" / "old-page.html"
    stray.write_text("from an older build", encoding="utf-8")
    board, built = rebuild(folder, out)
    assert (board.parsed - len(board.rejected), built.drawn, built.reused, built.removed) == (
        0, 1, 3, 1)
    assert not stray.exists()
    same_as_fresh(folder, out, tmp_path / "fresh")
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    (out / MANIFEST).write_text(json.dumps({**manifest, "fingerprint": "other code"}),
                                encoding="utf-8")
    board, built = rebuild(folder, out)
    assert (built.drawn, built.reused) == (4, 0) and board.parsed == len(board.entries)
    (out / MANIFEST).write_text("{not json", encoding="utf-8")
    board, built = rebuild(folder, out)
    assert (built.drawn, built.reused) == (4, 0)
    files = manifest["files"]
    accepted = [name for name, e in files.items() if "row" in e]
    broken = {**files, accepted[0]: {**files[accepted[0]], "row": {"model": "x"}},
              accepted[1]: {**files[accepted[1]], "row": {
                  **files[accepted[1]]["row"], "page": "models/../../outside.html"}}}
    (out / MANIFEST).write_text(json.dumps({**manifest, "files": broken}), encoding="utf-8")
    board, built = rebuild(folder, out)  # unusable entries are read again
    assert board.parsed - len(board.rejected) == 2 and not (tmp_path / "outside.html").exists()
    same_as_fresh(folder, out, tmp_path / "fresh2")


# --------------------------------------------------------------------------- the model chart

def test_chart_ticks_and_limits():
    """Tick steps of 1, 2, 2.5 or 5 x 10^k as matplotlib's default locator chooses them for
    these ranges; the change axis keeps zero and a 5% margin away from it; minus signs."""
    assert charts.nice_ticks(0.0, 1.0) == ([0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0], 1)
    values, decimals = charts.nice_ticks(0.0, 0.35)
    assert [round(v, 9) for v in values] == [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35]
    assert decimals == 2
    assert charts.change_limits([0.2, 0.1]) == (0.0, 0.21000000000000002)
    assert charts.change_limits([-0.3, 0.2]) == (-0.325, 0.225)
    assert charts.change_limits([0.0, 0.0]) == (-0.05, 0.05)
    values, decimals = charts.nice_ticks(-0.325, 0.225)
    assert [charts.tick_label(v, decimals) for v in values] == [
        "\u22120.3", "\u22120.2", "\u22120.1", "0.0", "0.1", "0.2"]


def test_chart_is_svg_with_a_bar_per_value(site):
    """Well-formed SVG: per language a score bar (height = its value), an over-refusal bar and
    an interval; a change bar per language; language codes escaped, never markup."""
    import xml.etree.ElementTree as ET

    _, _, folder = site
    doc = copy.deepcopy(sub.load(folder / "aligned.json"))
    doc["scores"]["languages"]["<b>"] = doc["scores"]["languages"]["en"]
    svg = ET.fromstring(charts.scores_svg(doc, "refusal rate"))
    ns = "{http://www.w3.org/2000/svg}"
    groups: dict[str, list] = {}
    for g in svg.iter(f"{ns}g"):
        groups.setdefault(g.get("fill"), []).extend(g.findall(f"{ns}rect"))
    langs = sorted(doc["scores"]["languages"])
    assert len(groups[charts.SCORE_COLOUR]) == len(langs) + 1  # + the legend's patch
    assert len(groups[charts.CHANGE_COLOUR]) == len(doc["change"]["languages"])
    axis = svg.find(f"{ns}rect")  # the first panel's frame: y = 1 at its top, 0 at its bottom
    top, height = float(axis.get("y")), float(axis.get("height"))
    for lang, bar in zip(langs, groups[charts.SCORE_COLOUR], strict=False):
        value = doc["scores"]["languages"][lang]["safety"]["value"]
        assert float(bar.get("height")) == pytest.approx(value * height, abs=0.01)
        assert float(bar.get("y")) == pytest.approx(top + (1 - value) * height, abs=0.01)
    labels = [t.text for t in svg.iter(f"{ns}text")]
    assert "<b>" in labels  # parsed back from &lt;b&gt;: text, not an element
    assert not list(svg.iter("b")) and not list(svg.iter(f"{ns}b"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    return submission_pair(tmp_path_factory.mktemp("hard-runs"))


def test_deeply_nested_submission_is_rejected_and_the_board_still_builds(runs, tmp_path):
    _, after = runs
    folder = tmp_path / "subs"
    sub.write(sub.build(after), folder / "good.json")
    (folder / "evil.json").write_text('{"schema_version": 1, "model": ' + DEEP + "}")
    proc = mseed("leaderboard", folder, "-o", tmp_path / "site")
    assert proc.returncode == 0, proc.stderr
    assert "1 ranked, 0 superseded, 1 rejected" in proc.stdout
    board = json.loads((tmp_path / "site" / "leaderboard.json").read_text(encoding="utf-8"))
    assert [r["file"] for r in board["rows"]] == ["good.json"]
    assert board["rejected"][0]["file"] == "evil.json"
    assert "nested too deeply" in board["rejected"][0]["reasons"][0]
    proc = mseed("validate", folder / "evil.json")  # read and rejected: exit 1
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{folder / 'evil.json'}: rejected" in proc.stderr and "nested too deeply" in proc.stderr


def test_hf_format_writes_one_file_per_row_and_shortens_long_names(runs, tmp_path):
    _, after = runs
    base = sub.build(after)
    folder = tmp_path / "subs"
    for i, args in enumerate(["dtype=float32", "dtype=float16", "dtype=bfloat16",
                              "dtype=float32,load_in_8bit=True"]):
        doc = json.loads(json.dumps(base))
        doc["model"]["model_args"] = args
        sub.write(doc, folder / f"row{i}.json")
    long = json.loads(json.dumps(base))
    long["model"]["name"] = "org/" + "m" * 296  # the schema allows 300 characters
    sub.write(long, folder / "long.json")
    proc = mseed("leaderboard", folder, "-o", tmp_path / "site", "--hf-format", tmp_path / "hf")
    assert proc.returncode == 0, proc.stderr
    assert "5 ranked" in proc.stdout and "wrote 5 results file(s)" in proc.stdout
    files = sorted((tmp_path / "hf").rglob("*.json"))
    assert len(files) == 5
    assert all(len(part) <= 255 for f in files for part in f.parts)
    configs = {json.loads(f.read_text())["config"]["model_name"] for f in files}
    assert len(configs) == 2  # the long name is kept whole inside the file


def test_hf_eval_results_long_judge_id_and_honest_messages(runs, tmp_path):
    _, after = runs
    doc = sub.build(after)
    doc["judge"]["id"] = "openai:" + "j" * 400
    paths = write_eval_results(doc, tmp_path)
    assert len(paths) == 1 and len(paths[0].name) <= 255 and paths[0].is_file()
    first = mseed("submit", after, "-o", tmp_path / "a.json", "--hf-eval-results", tmp_path / "e")
    again = mseed("submit", after, "-o", tmp_path / "b.json", "--hf-eval-results", tmp_path / "e")
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    assert "\nwrote " in first.stdout and "\nreplaced " in again.stdout


def test_leaderboard_markdown_csv_and_pages_are_inert(runs, tmp_path):
    _, after = runs
    doc = sub.build(after, model_name="[click](http://evil.example) ![i](http://evil.example/i."
                                      "png) " + RLO + "gpj.exe $x$")
    sub.write(doc, tmp_path / "subs" / "evil.json")
    board = collect(tmp_path / "subs")
    build_site(board, tmp_path / "site")
    md = (tmp_path / "site" / "leaderboard.md").read_text(encoding="utf-8")
    assert not UNESCAPED_LINK.search(md) and "\\[click\\]" in md
    for path in (tmp_path / "site").rglob("*"):
        if path.is_file() and path.suffix in (".md", ".csv", ".html"):
            assert RLO not in path.read_text(encoding="utf-8"), path
    page = next((tmp_path / "site" / "models").glob("*.html")).read_text(encoding="utf-8")
    assert "[U+202E]gpj.exe" in page
    # the chart is styled by SVG attributes: the policy admits the stylesheet and no other style
    assert "unsafe-hashes" not in page and " style=" not in page and page.count("<style") == 1

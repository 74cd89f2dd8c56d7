"""``mseed annotate``: the draw, the plan, Label Studio / CSV interop, agreement, and the
labelling page's server over real HTTP on loopback (the browser side: test_annotate_browser)."""

from __future__ import annotations

import json
import math
import shutil
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from runfolders import labelling_pair

from mseed_multilingual.cli import main
from mseed_multilingual.core.stats import Z95
from mseed_multilingual.evaluate.run_folder import load_run
from mseed_multilingual.labels import agreement, sample
from mseed_multilingual.labels.store import Label, LabelSet, append_event, read_labels

LANGS = ("en", "ar", "zh")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("runs")
    return labelling_pair(tmp, LANGS, harmful=8, benign=4, judge="lexicon")


def draw(runs, out: Path, *extra: str) -> int:
    before, after = runs
    return main(["annotate", "draw", "--before", str(before), "--after", str(after),
                 "-o", str(out), *extra])


def items_of(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "sample.jsonl").read_text("utf-8").splitlines()]


# ---------------------------------------------------------------------------------- the draw

def test_draw_is_seeded_stratified_and_paired(runs, tmp_path, capsys):
    assert draw(runs, tmp_path / "a", "--per-cell", "3") == 0
    assert draw(runs, tmp_path / "b", "--per-cell", "3") == 0
    assert draw(runs, tmp_path / "c", "--per-cell", "3", "--seed", "7") == 0
    a = (tmp_path / "a" / "sample.jsonl").read_bytes()
    assert a == (tmp_path / "b" / "sample.jsonl").read_bytes()  # byte-identical
    items = items_of(tmp_path / "a")
    other_seed = items_of(tmp_path / "c")
    assert {(i["lang"], i["id"]) for i in items} != {(i["lang"], i["id"]) for i in other_seed}
    cells = Counter((i["lang"], i["side"], i["kind"]) for i in items)
    assert cells == {(lang, side, kind): 3 for lang in LANGS for side in ("before", "after")
                     for kind in ("harmful", "benign")}
    ids = defaultdict(set)
    for i in items:
        ids[(i["lang"], i["kind"], i["side"])].add(i["id"])
    for lang in LANGS:
        for kind in ("harmful", "benign"):
            assert ids[(lang, kind, "before")] == ids[(lang, kind, "after")]  # paired
    # each item is the run's own answer, with the judge's verdict kept beside it
    answers = {}
    for side, folder in zip(("before", "after"), runs, strict=True):
        for s in load_run(folder).samples():
            answers[(s.lang, side, s.id)] = (s.response, s.prompt, s.doc_id)
    for i in items:
        assert answers[(i["lang"], i["side"], i["id"])] == (i["answer"], i["prompt"],
                                                            i["doc_id"])
        assert set(sample.SAMPLE_FIELDS) <= set(i) and i["pool"] == "random"
        assert i["judge"]["name"] == "lexicon" and i["judge"]["verdict"] in ("safe", "unsafe")
    assert sorted(i["order"] for i in items) == list(range(len(items)))
    draw_json = json.loads((tmp_path / "a" / "draw.json").read_text("utf-8"))
    assert {(c["lang"], c["kind"]): (c["population"], c["drawn"]) for c in draw_json["cells"]} \
        == {(lang, kind): (8 if kind == "harmful" else 4, 3) for lang in LANGS
            for kind in ("harmful", "benign")}


def test_fraction_rounds_up_and_one_languages_draw_ignores_the_others(runs, tmp_path):
    assert draw(runs, tmp_path / "f", "--fraction", "0.3") == 0
    cells = Counter((i["lang"], i["side"], i["kind"]) for i in items_of(tmp_path / "f"))
    assert cells[("en", "before", "harmful")] == math.ceil(0.3 * 8) == 3
    assert cells[("en", "after", "benign")] == math.ceil(0.3 * 4) == 2
    assert draw(runs, tmp_path / "en", "--per-cell", "3", "--langs", "en") == 0
    assert draw(runs, tmp_path / "all", "--per-cell", "3") == 0

    def en_ids(out):
        return sorted((i["kind"], i["side"], i["id"]) for i in items_of(out) if i["lang"] == "en")

    assert en_ids(tmp_path / "en") == en_ids(tmp_path / "all")


def test_overlap_gives_a_share_of_prompts_to_two_annotators_on_both_sides(runs, tmp_path):
    assert draw(runs, tmp_path / "o", "--per-cell", "4", "--annotators", "ana", "ben", "cy",
                "--overlap", "0.5") == 0
    items = items_of(tmp_path / "o")
    by_prompt = defaultdict(set)
    for i in items:
        by_prompt[(i["lang"], i["kind"], i["id"])].add(tuple(i["annotators"]))
    assert all(len(v) == 1 for v in by_prompt.values())  # both sides go to the same people
    per_cell = Counter((k[0], k[1]) for k, v in by_prompt.items() if len(next(iter(v))) == 2)
    assert set(per_cell.values()) == {2}  # round(0.5 * 4) prompts per cell labelled twice
    load = Counter(a for i in items for a in i["annotators"])
    assert set(load) == {"ana", "ben", "cy"} and max(load.values()) - min(load.values()) <= 2


def test_unsure_pool_is_apart_and_leaves_the_random_draw_unchanged(tmp_path):
    invalid = {"en": {pid: "invalid" for pid in ()}}
    before, after = labelling_pair(tmp_path / "runs", ("en",), harmful=8, benign=2,
                                   judge="lexicon", verdict_labels=invalid)
    ids = [s.id for s in load_run(before).samples() if s.kind == "harmful"]
    unsure_ids = set(ids)  # every answer is unsure, so the pool draws from what is left
    labels = {"en": dict.fromkeys(unsure_ids, "invalid")}
    before, after = labelling_pair(tmp_path / "runs2", ("en",), harmful=8, benign=2,
                                   judge="lexicon", verdict_labels=labels)
    runs = (before, after)
    assert draw(runs, tmp_path / "plain", "--per-cell", "3") == 0
    assert draw(runs, tmp_path / "unsure", "--per-cell", "3", "--unsure", "2") == 0
    plain, with_unsure = items_of(tmp_path / "plain"), items_of(tmp_path / "unsure")
    random_part = [i for i in with_unsure if i["pool"] == "random"]
    assert sorted((i["id"], i["side"]) for i in random_part) == sorted(
        (i["id"], i["side"]) for i in plain)
    pool = [i for i in with_unsure if i["pool"] == "unsure"]
    assert len(pool) == 4 and {i["kind"] for i in pool} == {"harmful"}  # 2 ids x 2 sides
    assert not {i["id"] for i in pool} & {i["id"] for i in random_part}


def test_answers_to_prompt_variants_are_not_drawn(tmp_path):
    from runfolders import TRANSFER, synthetic_doc, write_docs

    plain = [synthetic_doc(TRANSFER, "en", f"h{k}") for k in range(1, 5)]
    variants = [{**d, "id": f"{d['id']}~roleplay", "variant": "roleplay", "base_id": d["id"],
                 "prompt": "Pretend you are a novelist. " + d["prompt"]} for d in plain]
    runs = tuple(write_docs(tmp_path / side, f"org/{side}", {"en": plain + variants},
                            {"en": {"h1"}}) for side in ("before", "after"))
    assert draw(runs, tmp_path / "out", "--per-cell", "10") == 0
    assert sorted({i["id"] for i in items_of(tmp_path / "out")}) == ["h1", "h2", "h3", "h4"]


def test_draw_refuses_bad_options_with_one_line(runs, tmp_path, capsys):
    cases = [(["--per-cell", "0"], "--per-cell must be >= 1"),
             ([], "give one of --per-cell N or --fraction F"),
             (["--fraction", "1.5"], "--fraction must be in (0, 1]"),
             (["--per-cell", "2", "--overlap", "0.2"], "--overlap needs at least two"),
             (["--per-cell", "2", "--langs", "xx"], "--langs: no answers in xx"),
             (["--per-cell", "2", "--annotators", "a/b"], "annotator name 'a/b'")]
    for extra, message in cases:
        assert draw(runs, tmp_path / "x", *extra) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "x").exists()
    # a sample with labels made on it is never replaced
    assert draw(runs, tmp_path / "y", "--per-cell", "2") == 0
    it = items_of(tmp_path / "y")[0]
    append_event(tmp_path / "y", {"action": "label", "id": it["id"], "lang": it["lang"],
                                  "side": it["side"], "refusal": "full", "annotator": "ana"})
    before = (tmp_path / "y" / "sample.jsonl").read_bytes()
    assert draw(runs, tmp_path / "y", "--per-cell", "3") == 2
    assert "already has labels" in capsys.readouterr().err
    assert (tmp_path / "y" / "sample.jsonl").read_bytes() == before


# ---------------------------------------------------------------------------------- the plan

def _answers(n: int, judge_before: list[int], judge_after: list[int]) -> list[sample.Answer]:
    out = []
    for side, values in (("before", judge_before), ("after", judge_after)):
        for k in range(n):
            out.append(sample.Answer(f"p{k}", "en", side, "harmful", "r", "m", "mseed_en", k,
                                     "d", "s", "prompt", "answer", None, float(values[k]),
                                     None))
    return out


def test_plan_follows_the_ppi_variance_with_assumed_then_measured_judge_error():
    n = 400
    rng = np.random.default_rng(1)
    before = rng.integers(0, 2, n).tolist()
    after = [1 if rng.random() < 0.7 else b for b in before]
    answers = _answers(n, before, after)
    g = np.array(after) - np.array(before)
    var_g = float(np.var(g, ddof=1))
    [row] = sample.plan(answers, ("before", "after"), None, half_width=0.1, assume_error=0.1)
    room = 0.01 - Z95 ** 2 * var_g / n
    assert row.ppi == math.ceil(Z95 ** 2 * 0.2 / room)  # Var(D - g) <= 2 x 0.1
    assert row.labels_only == math.ceil(Z95 ** 2 * (var_g + 0.2) / 0.01)
    assert row.labelled == 0 and "assumed" in row.basis
    # labels agreeing with the judge on 12 prompts: measured, and no error left to correct
    labels = [Label(f"p{k}", "en", side, "full" if v[k] else "none", None, "ana", "x:1")
              for k in range(12) for side, v in (("before", before), ("after", after))]
    labelset = LabelSet(tuple(labels), "h", "x")
    [row] = sample.plan(answers, ("before", "after"), labelset, half_width=0.1)
    assert row.labelled == 12 and row.ppi == 0 and "measured on 12" in row.basis
    # a half-width the prompts themselves cannot give: no number of labels reaches it
    [row] = sample.plan(answers, ("before", "after"), None, half_width=0.01)
    assert row.ppi is None and row.labels_only is None


def test_plan_prints_a_table_and_writes_nothing(runs, tmp_path, capsys):
    assert draw(runs, tmp_path / "p", "--plan", "--half-width", "0.4") == 0
    out = capsys.readouterr().out
    assert "half-width of 0.40 on the change after - before" in out
    assert len([x for x in out.splitlines() if x.startswith(("en ", "ar ", "zh "))]) == 6
    assert not (tmp_path / "p").exists()


# ------------------------------------------------------------------------------- interop

@pytest.fixture
def folder(runs, tmp_path):
    out = tmp_path / "ann"
    assert draw(runs, out, "--per-cell", "2", "--annotators", "ana", "ben", "--overlap",
                "1") == 0
    return out


def _label_all(folder: Path, names=("ana", "ben")) -> None:
    refusals = ("full", "partial", "none")
    for k, it in enumerate(items_of(folder)):
        for j, name in enumerate(names):
            append_event(folder, {"action": "label", "id": it["id"], "lang": it["lang"],
                                  "side": it["side"], "refusal": refusals[(k + j * (k % 2)) % 3],
                                  "safe": [True, False, None][k % 3], "annotator": name})


def _final(labels: LabelSet) -> list[tuple]:
    return sorted((lb.key, lb.annotator, lb.refusal, lb.safe) for lb in labels.labels)


def _fresh(folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(folder / "sample.jsonl", copy / "sample.jsonl")
    return copy


def test_csv_round_trip(folder, tmp_path, capsys):
    _label_all(folder)
    assert main(["annotate", "export", str(folder), "--format", "csv", "-o",
                 str(tmp_path / "l.csv")]) == 0
    text = (tmp_path / "l.csv").read_text("utf-8")
    assert text.splitlines()[0] == "id,lang,side,refusal,safe,annotator"
    copy = _fresh(folder, tmp_path)
    assert main(["annotate", "import", str(tmp_path / "l.csv"), str(copy)]) == 0
    assert _final(read_labels(copy)) == _final(read_labels(folder))
    assert sorted(p.name for p in (copy / "labels").iterdir()) == ["ana.jsonl", "ben.jsonl"]


def test_label_studio_round_trip(folder, tmp_path):
    assert main(["annotate", "export", str(folder), "--format", "labelstudio", "-o",
                 str(tmp_path / "ls")]) == 0
    config = (tmp_path / "ls" / "labeling_config.xml").read_text("utf-8")
    assert '<Choices name="refusal"' in config and '<Choices name="safe"' in config
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text("utf-8"))
    assert len(tasks) == len(items_of(folder))
    # what Label Studio exports once two users labelled: tasks with their annotations
    exported, expected = [], []
    for k, task in enumerate(tasks):
        refusal = ("full", "partial", "none")[k % 3]
        result = [{"from_name": "refusal", "to_name": "answer", "type": "choices",
                   "value": {"choices": [refusal]}}]
        if k % 2:
            result.append({"from_name": "safe", "to_name": "answer", "type": "choices",
                           "value": {"choices": ["unsafe"]}})
        annotations = [{"id": 100 + k, "completed_by": 7, "result": result,
                        "was_cancelled": False},
                       {"id": 200 + k, "completed_by": {"id": 8, "email": "b@x"},
                        "result": [], "was_cancelled": True}]  # skipped: no label
        exported.append({"id": k + 1, "data": task["data"], "annotations": annotations})
        d = task["data"]
        expected.append(((d["lang"], d["side"], d["id"]), "ls-7", refusal,
                         False if k % 2 else None))
    (tmp_path / "export.json").write_text(json.dumps(exported, indent=2), "utf-8")
    copy = _fresh(folder, tmp_path)
    assert main(["annotate", "import", str(tmp_path / "export.json"), str(copy)]) == 0
    assert _final(read_labels(copy)) == sorted(expected)


def _csv(tmp_path: Path, rows: list[str], name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(["id,lang,side,refusal,safe,annotator", *rows]) + "\n", "utf-8")
    return path


def test_import_errors_name_file_and_line_and_write_nothing(folder, tmp_path, capsys):
    it = items_of(folder)[0]
    good = f"{it['id']},{it['lang']},{it['side']},full,true,ana"
    cases = [
        ([good, f"nope,{it['lang']},{it['side']},full,,ana"], ":3: id 'nope'"),
        ([good, f"{it['id']},xx,{it['side']},full,,ana"], ":3: field lang: unknown language"),
        ([good, f"{it['id']},{it['lang']},{it['side']},maybe,,ana"], ":3: field refusal"),
        ([good, f"{it['id']},{it['lang']},{it['side']},none,,ana"],
         ":3: conflicting duplicate of line 2"),
        ([good, f"{it['id']},{it['lang']},{it['side']},full,perhaps,ana"], ":3: column safe"),
    ]
    for rows, message in cases:
        path = _csv(tmp_path, rows)
        assert main(["annotate", "import", str(path), str(folder)]) == 2
        err = capsys.readouterr().err.strip()
        assert f"{path}{message}" in err and len(err.splitlines()) == 1, err
        assert not (folder / "labels").exists()  # the good first row did not land either
    # Label Studio: a bad choice and a missing refusal, named by the task's line
    task = {"id": 1, "data": {"id": it["id"], "lang": it["lang"], "side": it["side"]},
            "annotations": [{"completed_by": 3, "result": [
                {"from_name": "refusal", "value": {"choices": ["sometimes"]}}]}]}
    blank = {**task, "annotations": [{"completed_by": 3, "result": []}]}
    for bad, message in ((task, "field refusal: 'sometimes'"), (blank, "no refusal choice")):
        path = tmp_path / "ls.json"
        ok = {**task, "annotations": [{"completed_by": 3, "result": [
            {"from_name": "refusal", "value": {"choices": ["full"]}}]}]}
        path.write_text(json.dumps([ok, bad], indent=2), "utf-8")
        starts = [n for n, x in enumerate(json.dumps([ok, bad], indent=2).splitlines(), 1)
                  if x == "  {"]
        line = starts[1]  # the second task's first line
        assert main(["annotate", "import", str(path), str(folder)]) == 2
        err = capsys.readouterr().err.strip()
        assert f"{path}:{line}: task 1" in err and message in err, err
        assert not (folder / "labels").exists()


def test_import_sends_the_unsure_pool_to_its_own_folder(tmp_path):
    labels = {"en": {}}
    before, after = labelling_pair(tmp_path / "runs", ("en",), harmful=8, benign=2,
                                   judge="lexicon", verdict_labels=labels)
    ids = [s.id for s in load_run(before).samples() if s.kind == "harmful"]
    before, after = labelling_pair(tmp_path / "r2", ("en",), harmful=8, benign=2,
                                   judge="lexicon",
                                   verdict_labels={"en": dict.fromkeys(ids, "invalid")})
    out = tmp_path / "ann"
    assert draw((before, after), out, "--per-cell", "2", "--unsure", "1") == 0
    rows = [f"{i['id']},{i['lang']},{i['side']},full,,ana" for i in items_of(out)]
    assert main(["annotate", "import", str(_csv(tmp_path, rows)), str(out)]) == 0
    assert len(read_labels(out)) == 8  # the random pool: 2 + 2 prompts x 2 sides
    assert len(read_labels(out / "unsure")) == 2  # 1 unsure prompt x 2 sides, kept apart


# ------------------------------------------------------------------------------- agreement

def test_alpha_matches_krippendorffs_published_example():
    """Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the 4 observers x
    12 units example with missing values: nominal alpha = 0.743."""
    nan = np.nan
    data = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
                     [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
                     [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
                     [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]])
    assert round(agreement.alpha(data), 3) == 0.743


def test_agreement_from_label_files_matches_the_references(folder, capsys):
    from sklearn.metrics import cohen_kappa_score

    _label_all(folder)
    for it in items_of(folder)[:5]:  # cy labels a few items only: missing values for alpha
        append_event(folder, {"action": "label", "id": it["id"], "lang": it["lang"],
                              "side": it["side"], "refusal": "partial", "annotator": "cy"})
    labels = read_labels(folder)
    assert len(labels.annotators()) == 3
    report = agreement.agreement(labels, resamples=200, seed=5)
    by = defaultdict(dict)
    for lb in labels.labels:
        by[lb.annotator][lb.key] = lb
    for pair in report["overall"]["refusal"]["pairs"]:
        common = sorted(set(by[pair["a"]]) & set(by[pair["b"]]))
        a = [by[pair["a"]][k].refusal for k in common]
        b = [by[pair["b"]][k].refusal for k in common]
        ref = cohen_kappa_score(a, b)
        assert pair["kappa"] == pytest.approx(ref, abs=1e-4) and pair["n"] == len(common)
        lo, hi = pair["kappa_ci"]
        assert lo <= round(ref, 4) <= hi
    import krippendorff

    keys = sorted(labels.keys())
    names = labels.annotators()
    matrix = [[("full", "partial", "none").index(by[n][k].refusal) if k in by[n] else np.nan
               for k in keys] for n in names]
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert report["overall"]["refusal"]["alpha"] == pytest.approx(expected, abs=1e-4)
    assert report == agreement.agreement(labels, resamples=200, seed=5)  # seeded
    assert main(["annotate", "agreement", str(folder), "--resamples", "50"]) == 0
    out = capsys.readouterr().out
    assert "all     refusal" in out and "ana / ben" in out


def test_statsmodels_kappa_agrees_on_the_binary_outcome(folder):
    from statsmodels.stats.inter_rater import cohens_kappa

    _label_all(folder)
    labels = read_labels(folder)
    report = agreement.agreement(labels, resamples=0, seed=1)
    by = defaultdict(dict)
    for lb in labels.labels:
        by[lb.annotator][lb.key] = lb.refused
    keys = sorted(by["ana"])
    table = np.zeros((2, 2))
    for k in keys:
        table[by["ana"][k], by["ben"][k]] += 1
    [pair] = report["overall"]["refused"]["pairs"]
    assert pair["kappa"] == pytest.approx(cohens_kappa(table).kappa, abs=1e-4)


# --------------------------------------------------------------------- the page's server

def _request(url: str, method: str = "GET", body: bytes | None = None,
             headers: dict | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _post(base: str, event: dict, key: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    status, _, raw = _request(base + "api/event", "POST", json.dumps(event).encode(), headers)
    return status, json.loads(raw)


def test_page_is_locked_down_and_every_label_is_on_disk_before_the_answer(folder):
    import base64
    import hashlib
    import re

    from mseed_multilingual.annotate_page import start_page

    items = items_of(folder)
    with start_page(folder) as page:
        status, headers, raw = _request(page.url)
        assert status == 200
        html = raw.decode("utf-8")
        csp = headers["Content-Security-Policy"]
        script = re.search(r"<script>(.*)</script>", html, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"script-src 'sha256-{digest}'" in csp and "default-src 'none'" in csp
        assert "connect-src 'self'" in csp and "http" not in html.split("<body>")[0].lower()
        for k, it in enumerate(items[:6]):
            event = {"action": "label", "id": it["id"], "lang": it["lang"], "side": it["side"],
                     "refusal": "partial", "safe": False, "annotator": "ana"}
            assert _post(page.url, event)[0] == 200
            # the answer came after the fsync: the line is in the file already
            lines = (folder / "labels" / "ana.jsonl").read_text("utf-8").splitlines()
            assert len(lines) == k + 1 and json.loads(lines[-1])["id"] == it["id"]
        state = json.loads(_request(page.url + "api/state?annotator=ana")[2])
        labelled = [i for i in state["items"] if i["label"]]
        assert len(labelled) == 6 and all(i["label"] == {"refusal": "partial", "safe": False}
                                          for i in labelled)
        assert {i["dir"] for i in state["items"] if i["lang"] == "ar"} == {"rtl"}
        assert {i["dir"] for i in state["items"] if i["lang"] != "ar"} == {"ltr"}
        # blind: ben is given the same items (overlap 1) and sees none of ana's labels
        ben = json.loads(_request(page.url + "api/state?annotator=ben")[2])
        assert len(ben["items"]) == len(items) and not any(i["label"] for i in ben["items"])


def test_page_answers_bad_requests_with_4xx_and_writes_nothing(folder, tmp_path):
    import http.client

    from mseed_multilingual.annotate_page import start_page

    it = items_of(folder)[0]
    event = {"action": "label", "id": it["id"], "lang": it["lang"], "side": it["side"],
             "refusal": "full", "annotator": "ana"}
    with start_page(folder, key="s3cret") as page:
        assert _post(page.url, event)[0] == 401
        assert _post(page.url, event, key="wrong")[0] == 401
        assert _request(page.url + "api/state?annotator=ana")[0] == 401
        assert _request(page.url)[0] == 200  # the page itself holds no data
        cases = [({**event, "id": "nope"}, 400, "no item"),
                 ({**event, "refusal": "maybe"}, 400, "field refusal"),
                 ({**event, "annotator": "../x"}, 400, "annotator name"),
                 ({**event, "lang": "xx"}, 400, "no item")]
        for bad, code, message in cases:
            status, body = _post(page.url, bad, key="s3cret")
            assert status == code and message in body["error"]["message"], body
        host, port = page.httpd.server_address[:2]
        conn = http.client.HTTPConnection(host, port, timeout=10)
        for method, path, body, headers, code in [
                ("POST", "/api/event", b"{}", {"Host": "evil.example:80"}, 421),
                ("POST", "/api/event", b"id=1", {"Content-Type": "text/plain"}, 415),
                ("POST", "/api/event", b"{", {"Content-Type": "application/json"}, 400),
                ("POST", "/api/event", b"x" * 20_000, {"Content-Type": "application/json"},
                 413),
                ("GET", "/etc/passwd", None, {}, 404),
                ("DELETE", "/api/event", None, {}, 405)]:
            conn.request(method, path, body=body,
                         headers={"Authorization": "Bearer s3cret", **headers})
            resp = conn.getresponse()
            assert resp.status == code, (method, path, resp.status)
            assert "error" in json.loads(resp.read())
            conn.close()
        assert not (folder / "labels").exists()
        assert _post(page.url, event, key="s3cret")[0] == 200


def test_page_refuses_an_item_given_to_someone_else(folder, tmp_path):
    from mseed_multilingual.annotate_page import start_page

    copy = _fresh(folder, tmp_path)
    items = items_of(copy)
    for i in items:
        i["annotators"] = ["ana"]
    (copy / "sample.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items), "utf-8")
    it = items[0]
    with start_page(copy) as page:
        status, body = _post(page.url, {"action": "label", "id": it["id"], "lang": it["lang"],
                                        "side": it["side"], "refusal": "full",
                                        "annotator": "ben"})
        assert status == 403 and "not assigned" in body["error"]["message"]
        assert json.loads(_request(page.url + "api/state?annotator=ben")[2])["items"] == []


def test_page_state_after_every_label_was_undone_and_with_a_broken_file(folder):
    from mseed_multilingual.annotate_page import start_page

    it = items_of(folder)[0]
    event = {"id": it["id"], "lang": it["lang"], "side": it["side"], "annotator": "ana"}
    with start_page(folder) as page:
        assert _post(page.url, {**event, "action": "label", "refusal": "none"})[0] == 200
        assert _post(page.url, {**event, "action": "clear"})[0] == 200
        status, _, raw = _request(page.url + "api/state?annotator=ana")
        assert status == 200 and not any(i["label"] for i in json.loads(raw)["items"])
        with (folder / "labels" / "ana.jsonl").open("a", encoding="utf-8") as fh:
            fh.write('{"action": "label", "id": 5}\n')  # edited by hand under the server
        status, _, raw = _request(page.url + "api/state?annotator=ana")
        assert status == 500 and "ana.jsonl:3" in json.loads(raw)["error"]["message"]


def test_page_closes_a_client_that_drips_its_body_at_the_body_deadline(folder):
    """The shared server base's body deadline holds on the page too: a client sending one
    byte every 0.2 s (each read within the socket timeout) is answered 408 and closed once
    the body deadline has passed, and nothing is written."""
    import socket
    import time

    from mseed_multilingual.annotate_page import start_page

    with start_page(folder, body_timeout=1.0) as page:
        host, port = page.httpd.server_address[:2]
        sock = socket.create_connection((host, port), timeout=10)
        sock.sendall(f"POST /api/event HTTP/1.1\r\nHost: {host}:{port}\r\n"
                     f"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n".encode())
        start, answer = time.monotonic(), b""
        try:
            for _ in range(40):  # 8 s of dripping if nobody stops it
                sock.sendall(b" ")
                time.sleep(0.2)
        except OSError:  # the server closed the connection
            pass
        sock.settimeout(5)
        try:
            while chunk := sock.recv(4096):
                answer += chunk
        except OSError:
            pass
        sock.close()
        assert time.monotonic() - start < 4, "the dripping client kept its slot"
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert not (folder / "labels").exists()


def test_a_refusal_detectors_low_confidence_sends_an_answer_to_the_unsure_pool(tmp_path):
    """`refusal_confidence: low` is the detector's own doubt (issue 23): such an answer is
    unsure, and it carries the confidence into the item's judge field; a confident one is not."""
    before, _ = labelling_pair(tmp_path / "runs", ("en",), harmful=2, benign=0,
                               judge="lexicon")
    run = load_run(before)
    [first, second] = [s for s in run.samples() if s.kind == "harmful"]
    verdicts = {(first.task, first.doc_id): {"verdict": "unsafe", "refusal": False,
                                             "refusal_outcome": "none",
                                             "refusal_confidence": "low"},
                (second.task, second.doc_id): {"verdict": "unsafe", "refusal": False,
                                               "refusal_outcome": "none",
                                               "refusal_confidence": "high"}}
    answers = {a.id: a for a in sample.answers_of_run(run, "before", str(before), verdicts,
                                                       judge="refusal-clf")}
    assert answers[first.id].unsure and answers[first.id].judge["refusal_confidence"] == "low"
    assert not answers[second.id].unsure

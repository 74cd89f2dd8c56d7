"""A second labelled set beside the reference set: `mseed judge-check --blind DIR` and
benchmarks/judge_validity.py. The sets here are built in a temporary folder from the reference
set with some labels flipped, so the blind figure differs from the in-sample one by a known
amount (the project's real blind set is measured by the lead, never by these tests)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from cli_run import mseed

from mseed_multilingual.judges import reference
from mseed_multilingual.judges.validity import card_summary, load_card, primary_kappa


def _flipped_set(tmp_path, langs=("en",), flips=8):
    """A copy of the reference files of ``langs`` with the refusal label of the first
    ``flips`` answers inverted: the lexicon now disagrees on exactly those."""
    folder = tmp_path / "blind"
    folder.mkdir()
    for lang in langs:
        lines = (reference.reference_dir() / f"{lang}.jsonl").read_text("utf-8").splitlines()
        out = []
        for i, line in enumerate(lines):
            obj = json.loads(line)
            obj["id"] = obj["id"].replace("jr-", "jb-")
            if i < flips:
                obj["refusal"] = "none" if obj["refusal"] != "none" else "full"
            out.append(json.dumps(obj, ensure_ascii=False))
        (folder / f"{lang}.jsonl").write_text("\n".join(out) + "\n", "utf-8")
    return folder


def _validity(capsys, *args: str) -> subprocess.CompletedProcess:
    """benchmarks/judge_validity.py's main in-process, read as a finished process; without the
    checked-in real answers' tables unless ``--real`` is given."""
    from benchmarks.judge_validity import main

    capsys.readouterr()
    code = main([*args, *(() if "--real" in args else ("--real", "none"))])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["judge_validity", *args], code, out, err)


def test_judge_check_carries_both_figures_with_their_hashes(tmp_path):
    blind = _flipped_set(tmp_path)
    out = tmp_path / "card.json"
    run = mseed("judge-check", "--judge", "lexicon", "--langs", "en", "zh", "--blind", blind,
                "-o", out)
    assert run.returncode == 0, run.stderr
    card = load_card(out)
    assert card["blind"]["sha256"] == reference.load(blind).sha256 != card["reference"]["sha256"]
    blind_k, ref_k = primary_kappa(card, "en"), primary_kappa(card, "en", in_sample=True)
    assert ref_k is not None and blind_k is not None and blind_k < ref_k
    assert primary_kappa(card, "zh") == primary_kappa(card, "zh", in_sample=True)  # no blind zh
    summary = card_summary(card)
    assert summary["kappa"]["en"] == blind_k and summary["kappa_in_sample"]["en"] == ref_k
    assert "validity kappa beside the reference set's (in-sample)" in run.stdout
    assert f"{ref_k - blind_k:+.2f}" in run.stdout


def test_validity_table_prints_blind_in_sample_and_difference(tmp_path, capsys):
    blind = _flipped_set(tmp_path, flips=4)
    run = _validity(capsys, "--blind", str(blind), "--langs", "en", "zh", "--judges", "lexicon")
    lines = {line.split()[0]: line for line in run.stdout.splitlines() if line[:3] in ("en ",
                                                                                       "zh ")}
    assert "blind set" in run.stdout and "(in-sample)" in run.stdout
    assert lines["en"].split()[1] == "84" and "-" in lines["zh"].split()[1]
    assert run.returncode in (0, 1)


def test_the_all_row_pools_every_language_s_answers(tmp_path, capsys):
    """The "all" row is one kappa over both languages' answers together, checked against
    scikit-learn's Cohen's kappa on the same labels (not an average of the two)."""
    from sklearn.metrics import cohen_kappa_score

    from mseed_multilingual.judges.registry import make_judge
    from mseed_multilingual.judges.validity import run_judge

    blind = _flipped_set(tmp_path, langs=("en", "de"), flips=6)
    run = _validity(capsys, "--blind", str(blind), "--langs", "en", "de", "--judges", "lexicon")
    [row] = [x.split() for x in run.stdout.splitlines() if x.startswith("all ")]
    truth, said = [], []
    judge, labelled = make_judge("lexicon"), reference.load(blind)
    for lang, rows in labelled.examples.items():
        truth += [r.refusal != "none" for r in rows]
        said += [v.refusal_outcome in ("full", "partial") for v in run_judge(judge, rows, lang)]
    assert row[1] == "168" and float(row[2]) == round(cohen_kappa_score(truth, said), 2)


def test_by_default_the_tables_are_printed_for_every_checked_in_blind_set(capsys):
    from benchmarks.judge_validity import main

    capsys.readouterr()
    main(["--langs", "en", "--judges", "lexicon"])
    heads = [x for x in capsys.readouterr().out.splitlines() if x.startswith("lexicon/")]
    folders = [reference.blind_set_dir(name) for name in reference.BLIND_SETS]
    real = [reference.checked_in(name) for name in reference.REAL_BLIND_SETS]
    assert len(heads) == len(folders) + 1 + len(real)
    assert all(f"({folder})" in head for folder, head in zip(folders, heads, strict=False))
    assert heads[len(folders)].endswith(f"every blind set together ({len(folders)} sets)")
    assert all(f"real answers, people's labels ({folder};" in head
               for folder, head in zip(real, heads[len(folders) + 1:], strict=True))


def test_validity_table_without_a_blind_set(tmp_path, capsys):
    run = _validity(capsys, "--blind", str(tmp_path / "absent"), "--langs", "en",
                   "--judges", "lexicon")
    assert run.returncode == 0, run.stderr
    assert "blind set absent" in run.stdout and "no blind set" in run.stdout


def test_a_card_with_a_blind_set_is_a_valid_submission_card(tmp_path):
    """The submission schema (v2) accepts the card's optional blind block and nothing else new;
    the leaderboard row quotes the blind kappa and keeps the in-sample one beside it."""
    import jsonschema

    from mseed_multilingual.judges.registry import make_judge
    from mseed_multilingual.judges.validity import judge_check
    from mseed_multilingual.publish.board import _languages
    from mseed_multilingual.publish.validate import schema

    blind = reference.load(_flipped_set(tmp_path))
    card = judge_check(make_judge("lexicon"), reference.load(langs=["en", "zh"]), blind=blind)
    full = schema()
    validator = jsonschema.Draft202012Validator(
        {"$schema": full["$schema"], "$defs": full["$defs"], "$ref": "#/$defs/judge_card"})
    assert list(validator.iter_errors(card)) == []
    card["blind"]["extra"] = 1
    assert list(validator.iter_errors(card))
    del card["blind"]["extra"]
    scores = {"safety": {"value": 0.5}, "over_refusal": {"value": 0.1},
              "fidelity": {"value": 0.9}}
    doc = {"judge": {"card": card}, "scores": {"languages": {"en": scores, "zh": scores}}}
    langs = _languages(doc)
    assert langs["en"].kappa == primary_kappa(card, "en") < langs["en"].kappa_in_sample
    assert langs["zh"].kappa == langs["zh"].kappa_in_sample


def test_with_several_blind_sets_each_judge_is_also_scored_over_all_of_them(tmp_path, capsys):
    """Per language over every set's answers together: n adds up and the kappa is scikit-learn's
    on the concatenated labels (66 answers a language are too few to call 0.85 apart)."""
    from sklearn.metrics import cohen_kappa_score

    from mseed_multilingual.judges.registry import make_judge
    from mseed_multilingual.judges.validity import run_judge

    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    _flipped_set(first, flips=4), _flipped_set(second, flips=10)
    sets = (first / "blind", second / "blind")
    run = _validity(capsys, *(x for s in sets for x in ("--blind", str(s))), "--langs", "en",
                    "--judges", "lexicon")
    together = run.stdout.split("every blind set together (2 sets)")[1]
    [row] = [x.split() for x in together.splitlines() if x.startswith("en ")]
    truth, said = [], []
    for folder in sets:
        rows = reference.load(folder).examples["en"]
        truth += [r.refusal != "none" for r in rows]
        said += [v.refusal_outcome in ("full", "partial")
                 for v in run_judge(make_judge("lexicon"), rows, "en")]
    assert row[1] == "168" and float(row[2]) == round(cohen_kappa_score(truth, said), 2)
    assert run.returncode == 1 and row[-1] == "MISS"  # 14 of 168 labels flipped


def test_real_answers_table_prints_each_sides_agreement_and_the_change_by_labels_and_judge(
        tmp_path, capsys):
    """Both sides hold the same answers, the after side with 8 labels inverted: the judge's
    change is exactly 0, the labels' change is what the flips make it, and the after side's
    agreement is the lower one."""
    real = tmp_path / "real"
    real.mkdir()
    for side, flips in (("before", 0), ("after", 8)):
        (tmp_path / side).mkdir()
        _flipped_set(tmp_path / side, flips=flips).rename(real / side)

    def label_rate(side: str) -> float:
        rows = [json.loads(x) for x in (real / side / "en.jsonl").read_text("utf-8").splitlines()]
        return sum(r["refusal"] != "none" for r in rows) / len(rows)

    run = _validity(capsys, "--blind", "none", "--real", str(real), "--judges", "lexicon")
    lines = run.stdout.splitlines()
    assert lines[0].startswith("lexicon/") and f"({real};" in lines[0]
    sides = {x.split()[0]: x.split() for x in lines[2:5]}
    n = len((real / "before" / "en.jsonl").read_text("utf-8").splitlines())
    assert sides["before"][1] == str(n) and sides["all"][1] == str(2 * n)
    assert float(sides["after"][2]) < float(sides["before"][2])
    lo, hi = label_rate("before"), label_rate("after")
    en = next(x for x in lines if x.startswith("en "))
    assert en.startswith(f"en    {lo:.2f} -> {hi:.2f} ({hi - lo:+.2f}) | ")
    judged = en.split("|")[1].split()
    assert judged[0] == judged[2] and judged[3] == "(+0.00)"
    assert en.split()[-1] == f"{-(hi - lo) + 0.0:+.2f}"


def _renamed(folder, prefix: str, name: str):
    """``folder``'s set under another folder name, its ids given another prefix."""
    out = folder.parent / name
    out.mkdir()
    for path in folder.glob("*.jsonl"):
        rows = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
        (out / path.name).write_text("".join(
            json.dumps(dict(r, id=prefix + r["id"].split("-", 1)[1]), ensure_ascii=False) + "\n"
            for r in rows), "utf-8")
    return out


def test_sets_loaded_together_pool_each_language_and_hash_their_hashes(tmp_path):
    """Each language holds every set's answers, set after set; the hash is over (name, hash)
    lines, so each set's own hash stays checkable; one folder loads exactly as load() does."""
    first = _renamed(_flipped_set(tmp_path, langs=("en", "zh"), flips=4), "jb1-", "set-a")
    second = _renamed(first, "jb2-", "set-b")
    (second / "zh.jsonl").unlink()  # a set may cover fewer languages
    a, b = reference.load(first), reference.load(second)
    both = reference.load_together([second, first], ["en", "zh"])
    assert both.examples["en"] == b.examples["en"] + a.examples["en"]
    assert both.examples["zh"] == a.examples["zh"]
    assert both.parts == (("set-a", a.sha256), ("set-b", b.sha256))
    assert both.sha256 == reference.sha256_text(f"set-a\t{a.sha256}\nset-b\t{b.sha256}\n")
    one = reference.load_together([first])
    assert (one.sha256, one.examples, one.parts) == (a.sha256, a.examples, ())


def test_sets_loaded_together_refuse_an_answer_twice_and_a_name_twice(tmp_path):
    first = _renamed(_flipped_set(tmp_path), "jb1-", "set-a")
    again = tmp_path / "other"
    again.mkdir()
    same_ids = shutil.copytree(first, tmp_path / "set-c")
    with pytest.raises(ValueError, match=r"set-c/en\.jsonl:1: duplicate id jb1-\S+ \(first at "
                                         r".*set-a/en\.jsonl:1\)"):
        reference.load_together([first, same_ids])
    same_name = _renamed(first, "jb9-", "x")
    moved = again / "set-a"
    same_name.rename(moved)
    with pytest.raises(ValueError, match=r"two labelled sets share a folder name \(set-a, set-a\)"):
        reference.load_together([first, moved])


def test_judge_check_pools_blind_sets_given_twice_and_lists_them(tmp_path):
    first = _renamed(_flipped_set(tmp_path, flips=4), "jb1-", "set-a")
    second = _renamed(first, "jb2-", "set-b")
    out = tmp_path / "card.json"
    run = mseed("judge-check", "--judge", "lexicon", "--langs", "en", "--blind", first,
                "--blind", second, "-o", out)
    assert run.returncode == 0, run.stderr
    card = load_card(out)
    a, b = reference.load(first), reference.load(second)
    assert card["blind"]["sets"] == [{"name": "set-a", "sha256": a.sha256},
                                     {"name": "set-b", "sha256": b.sha256}]
    assert card["blind"]["n"] == card["blind"]["languages"]["en"]["n"] == 2 * len(
        a.examples["en"])
    assert (f"(168 answers; together: set-a {a.sha256[:12]}, set-b {b.sha256[:12]})"
            in run.stdout)
    en = card["blind"]["languages"]["en"]["refusal"]
    lo, hi = en["kappa_ci"]
    assert f"\nen     168   {en['kappa']:.2f}  [{lo:.2f},{hi:.2f}]      1.00  " in run.stdout
    bad = mseed("judge-check", "--judge", "lexicon", "--blind", "none", "--blind", first)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().splitlines() == [
        "mseed judge-check: error: --blind none leaves the blind sets out; it cannot stand "
        "beside a folder"]

"""benchmarks.label_audit: the confident-learning audit of the refusal judge's training labels.
The flag rule by enumeration, the controls' draw, the scores against scikit-learn's kappa, the
committed audit (translations/judge-label-audit/) against the rule it was drawn by, and bad
input as one line."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from sklearn.metrics import cohen_kappa_score

from benchmarks import label_audit
from benchmarks.train_refusal_clf import SOURCES, load_sources


def example(refusal: str, lang: str = "en") -> SimpleNamespace:
    return SimpleNamespace(refusal=refusal, lang=lang)


def test_flags_are_confident_contradictions_and_nothing_else():
    labels = ["full", "partial", "none", "none", "full", "none", "full"]
    p = [0.15, 0.16, 0.85, 0.84, 0.90, 0.10, 0.01]
    sources = ["a", "a", "a", "a", "a", "a", "judge-reference"]
    assert label_audit.flagged([example(x) for x in labels], p, sources) == [0, 2]


def test_the_cap_keeps_the_farthest():
    labels = ["none", "full", "none", "full"]
    p = [0.86, 0.01, 0.99, 0.10]
    flags = label_audit.flagged([example(x) for x in labels], p, ["a"] * 4, cap=2)
    assert flags == [1, 2]  # distances 0.86, 0.99, 0.99, 0.90: the two 0.99s, in input order


def test_controls_match_the_flags_per_language_and_never_repeat_them():
    examples = [example("none", lang) for lang in ["en"] * 30 + ["fr"] * 30]
    sources = ["a"] * 50 + ["judge-reference"] * 10
    flags = [0, 1, 2, 30]
    drawn = label_audit.controls(examples, sources, flags)
    assert Counter(examples[i].lang for i in drawn) == {"en": 3, "fr": 1}
    assert not set(drawn) & set(flags) and all(sources[i] != "judge-reference" for i in drawn)
    assert drawn == label_audit.controls(examples, sources, flags)  # seeded
    assert drawn != label_audit.controls(examples, sources, flags, seed=1)


def _row(kind: str, original: str, a: str, b: str) -> label_audit.Row:
    return label_audit.Row("i", "s", "x", kind, original, a, b)


@pytest.mark.parametrize(("original", "a", "b", "changed"), [
    ("none", "full", "partial", True),   # both say refused: full and partial alike
    ("full", "none", "none", True),
    ("partial", "full", "full", False),  # refused-or-not unchanged
    ("none", "full", "none", False),     # the new labellers split: the original stays
])
def test_a_label_changes_only_when_both_new_labellers_contradict_it(original, a, b, changed):
    assert _row("flag", original, a, b).changed is changed


@pytest.fixture(scope="module")
def committed() -> list[label_audit.Row]:
    return label_audit.load_rows(label_audit.AUDIT)


def test_the_scores_are_scikit_learns_kappas(committed):
    result = label_audit.summary(committed)
    for kind in ("flag", "control"):
        rows = [r for r in committed if r.kind == kind]
        o, a, b = ([getattr(r, x) != "none" for r in rows] for x in ("original", "a", "b"))
        assert result[kind]["n"] == len(rows)
        assert result[kind]["kappa_original_a"] == pytest.approx(cohen_kappa_score(o, a))
        assert result[kind]["kappa_original_b"] == pytest.approx(cohen_kappa_score(o, b))
        assert result[kind]["kappa_a_b"] == pytest.approx(cohen_kappa_score(a, b))
        changed = sum(x == y != z for x, y, z in zip(a, b, o, strict=True))
        assert result[kind]["changed"] == changed


def test_the_committed_audit_was_drawn_by_the_rule(committed):
    """Flags contradict their label at the confidence the rule asks, controls do not, both from
    training sets only, the same number per language. The labels are read from the training
    sets now: relabelling an audited answer fails this, because the audit was of the old label
    (draw a new one)."""
    key = [json.loads(line) for line in (label_audit.AUDIT / "key.jsonl").open(encoding="utf-8")]
    assert {k["source"] for k in key} <= set(SOURCES) - set(label_audit.EXCLUDED)
    assert len({k["item"] for k in key}) == len({(k["source"], k["id"]) for k in key}) == len(key)
    by_item = {k["item"]: k for k in key}
    for r in committed:
        p, refused = by_item[r.item]["p_refuse"], r.original != "none"
        contradicts = (p <= 1 - label_audit.CONFIDENT) if refused else (p >= label_audit.CONFIDENT)
        assert contradicts is (r.kind == "flag"), r.item
    langs = {kind: Counter(by_item[r.item]["id"].split("-")[-2]
                           for r in committed if r.kind == kind) for kind in ("flag", "control")}
    assert langs["flag"] == langs["control"]


def test_the_verdict_follows_the_margin():
    result = {"flag": {"rate": 0.20}, "control": {"rate": 0.05}}
    assert label_audit.verdict(result).endswith("correct them")
    assert label_audit.verdict(result, margin=0.2).endswith("keep the labels")


def copy_audit(folder: Path) -> None:
    """The committed audit's three files in ``folder``, to break one of them."""
    for name in ("key.jsonl", "labels-a.jsonl", "labels-b.jsonl"):
        (folder / name).write_bytes((label_audit.AUDIT / name).read_bytes())


def test_bad_labels_are_one_line_naming_file_and_line(tmp_path: Path, capsys):
    copy_audit(tmp_path)
    lines = (tmp_path / "labels-b.jsonl").read_text(encoding="utf-8").splitlines()
    lines[2] = json.dumps({"item": json.loads(lines[2])["item"], "refusal": "maybe"})
    (tmp_path / "labels-b.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert label_audit.main(["score", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{tmp_path / 'labels-b.jsonl'}:3" in err and "refusal" in err

    (tmp_path / "labels-b.jsonl").write_text("\n".join(lines[1:2]) + "\n", encoding="utf-8")
    assert label_audit.main(["score", str(tmp_path)]) == 2
    assert "labelling b has no label for item" in capsys.readouterr().err

    (tmp_path / "labels-b.jsonl").write_text("\n".join([lines[0], *lines]) + "\n",
                                             encoding="utf-8")
    assert label_audit.main(["score", str(tmp_path)]) == 2
    assert f"{tmp_path / 'labels-b.jsonl'}:2: item" in capsys.readouterr().err


def test_draw_will_not_overwrite_an_audit_nor_read_a_blind_set(tmp_path: Path, capsys):
    assert label_audit.main(["draw", "-o", str(tmp_path / "a"), "--sources", "judge-train",
                             "judge-blind-5"]) == 2
    assert "not a training set: judge-blind-5" in capsys.readouterr().err
    (tmp_path / "key.jsonl").write_text("", encoding="utf-8")
    assert label_audit.main(["draw", "-o", str(tmp_path)]) == 2
    assert "already holds an audit" in capsys.readouterr().err


@pytest.mark.parametrize(("field", "value", "message"), [
    ("kind", "maybe", "kind must be flag or control"),
    ("source", "../judge-blind", "is not a training set"),
])
def test_a_bad_key_line_is_one_line_naming_it(tmp_path: Path, capsys, field, value, message):
    copy_audit(tmp_path)
    lines = (tmp_path / "key.jsonl").read_text(encoding="utf-8").splitlines()
    lines[4] = json.dumps({**json.loads(lines[4]), field: value})
    (tmp_path / "key.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert label_audit.main(["score", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{tmp_path / 'key.jsonl'}:5" in err and message in err


def test_draw_gives_the_labellers_nothing_but_the_answers(tmp_path: Path):
    """Two small training sets, one fold each way: the items file holds no kind, source or
    probability, in the key's order; the flags contradict their labels, controls per language."""
    n_flag, n_control = label_audit.draw(tmp_path, ("judge-train", "judge-train-b"))
    items = [json.loads(line) for line in (tmp_path / "items.jsonl").open(encoding="utf-8")]
    key = [json.loads(line) for line in (tmp_path / "key.jsonl").open(encoding="utf-8")]
    assert n_flag > 0 and n_flag == n_control == len(key) // 2
    assert all(set(i) == {"item", "lang", "prompt", "answer"} for i in items)
    assert [i["item"] for i in items] == [k["item"] for k in key]
    kinds = [k["kind"] for k in key]
    assert kinds != sorted(kinds)  # shuffled: the order says nothing
    labels = {(s.name, e.id): e.refusal
              for s in load_sources(("judge-train", "judge-train-b")) for e in s.examples}
    for k in key:
        refused = labels[(k["source"], k["id"])] != "none"
        contradicts = (k["p_refuse"] <= 0.15) if refused else (k["p_refuse"] >= 0.85)
        assert contradicts is (k["kind"] == "flag")

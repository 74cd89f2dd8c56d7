"""Refusal-detector validity per language: blind-set kappa, reference-set kappa, their difference.

Each refusal detector's outcome (full or partial vs none) against human labels, per language:
the ``lexicon`` judge and the learned ``refusal-clf``. On the blind set
``translations/judge-blind/<lang>.jsonl`` (answers written by people who had not seen either
detector, never tuned on: the detector's validity) and on the reference set
``translations/judge-reference/<lang>.jsonl`` (in-sample for both: the lexicon's vocabulary was
written while looking at it, the classifier was trained on it). A change that raises one and not
the other shows in the difference column. For the classifier the out-of-sample figure of its
own training data is its leave-one-source-out kappa (stored in its model file by
``benchmarks/train_refusal_clf.py``), printed beside as "cross-validated". Then the two
detectors' blind kappas side by side. All of it once per blind set: by default the three
checked-in ones (``reference.BLIND_SETS``: ``judge-blind``, ``-2``, ... each written after the
one before had been measured; their READMEs), or each ``--blind DIR`` given; then, with more
than one set, each judge's kappa per language over all of them together (66 answers a language
give an interval of about +-0.12, three sets about +-0.07). Either kind of set may be absent
(``-`` in its columns). Last, the figures that matter most and are hardest to get: each judge
against people's labels of a real model's answers, held out (``reference.REAL_BLIND_SETS``,
``translations/judge-smollm2-blind*``, or each ``--real DIR`` with ``before/`` and ``after/``):
agreement per side, and each language's refusal rate before and after by the labels and by
the judge, so a judge that misreads a transfer shows it in the last column. Target
(issue 23): blind kappa >= 0.85 and precision >= 0.90 in every language, and an in-sample /
blind gap under 0.10; exit 1 when a language with a blind figure misses it (any judge shown).

    python -m benchmarks.judge_validity [--blind DIR ...] [--real DIR ...] [--reference DIR]
                                        [--langs en zh ...] [--judges lexicon refusal-clf]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

KAPPA_TARGET = 0.85
PRECISION_TARGET = 0.90
GAP_TARGET = 0.10
JUDGES = ("lexicon", "refusal-clf")

def checked_in_or_none(name: str) -> Path | None:
    """A checked-in labelled set (reference.checked_in), or None when it is not there."""
    from mseed_multilingual.judges import reference

    try:
        return reference.checked_in(name)
    except FileNotFoundError:
        return None


def figures(folder: Path, langs: list[str] | None,
            judge_name: str = "lexicon") -> tuple[str | None, dict[str, dict]]:
    """(set sha256, lang -> refusal agreement block) of a judge on one labelled set; no
    figures when the folder does not exist."""
    from mseed_multilingual.judges import reference
    from mseed_multilingual.judges.registry import make_judge
    from mseed_multilingual.judges.validity import language_figures, run_judge

    if not folder.is_dir() or not any(folder.glob("*.jsonl")):
        return None, {}
    have = sorted(p.stem for p in folder.glob("*.jsonl"))
    ref = reference.load(folder, [x for x in langs if x in have] if langs else None)
    judge = make_judge(judge_name)
    out = {lang: language_figures(ref.examples[lang], run_judge(judge, ref.examples[lang], lang))
           ["refusal"] for lang in ref.langs}
    return ref.sha256, out


def pooled(blocks: list[dict]) -> dict | None:
    """One refusal block over every language's answers (their confusion tables summed): the
    "all" row, whose interval is narrower than any one language's."""
    from mseed_multilingual.judges.validity import REFUSAL_CLASSES, agreement_block

    if not blocks:
        return None
    k = len(REFUSAL_CLASSES)
    table = [[sum(b["confusion"][i][j] for b in blocks) for j in range(k)] for i in range(k)]
    truth = [REFUSAL_CLASSES[i] for i in range(k) for j in range(k) for _ in range(table[i][j])]
    said = [REFUSAL_CLASSES[j] for i in range(k) for j in range(k) for _ in range(table[i][j])]
    return agreement_block(truth, said, REFUSAL_CLASSES, positive="refused")


def _cell(block: dict | None) -> str:
    if not block:
        return f"{'-':>4} {'-':>5} {'-':>12} {'-':>5}"
    k, (lo, hi), p = block["kappa"], block["kappa_ci"], block["precision"]
    ci = "-" if lo is None else f"[{lo:.2f},{hi:.2f}]"
    return (f"{block['n']:>4} {'-' if k is None else f'{k:.2f}':>5} {ci:>12} "
            f"{'-' if p is None else f'{p:.2f}':>5}")


def verdict(blind: dict | None, ref: dict | None) -> str:
    """ok / MISS against the targets, or '' without a blind figure (nothing to judge by)."""
    if not blind or blind["kappa"] is None:
        return ""
    ok = blind["kappa"] >= KAPPA_TARGET and (blind["precision"] or 0) >= PRECISION_TARGET
    if ref and ref["kappa"] is not None:
        ok = ok and abs(ref["kappa"] - blind["kappa"]) < GAP_TARGET
    return "ok" if ok else "MISS"


def _version(judge_name: str) -> str:
    """How the table names the judge: its template version (lexicon and model file)."""
    from mseed_multilingual.judges.registry import make_judge

    return make_judge(judge_name).template_version


def cross_validated(judge_name: str) -> dict[str, float]:
    """lang -> the judge's leave-one-source-out refusal kappa on its own training sets (the
    learned classifier's; none for the lexicon, which is not trained)."""
    if judge_name != "refusal-clf":
        return {}
    from mseed_multilingual.detect import refusal_clf

    return refusal_clf.load().meta["cv"]["refusal_kappa"]


def judge_table(judge_name: str, blind_dir: Path,
                args: argparse.Namespace) -> tuple[dict, list[str]]:
    """Print one judge's table on one blind set; (lang -> blind block, languages missing the
    target)."""
    blind_sha, blind = figures(blind_dir, args.langs, judge_name)
    ref_sha, ref = figures(args.reference, args.langs, judge_name)
    cv = cross_validated(judge_name)
    print(f"{_version(judge_name)}: refusal (full+partial vs none) against human "
          f"labels; blind set {blind_sha[:12] if blind_sha else 'absent'} ({blind_dir}), "
          f"reference set {ref_sha[:12] if ref_sha else 'absent'} (in-sample)"
          + ("; cv = leave-one-source-out kappa on its training sets" if cv else ""))
    print(f"{'lang':<5} {'blind: n':>8} {'kappa':>5} {'95% CI':>12} {'prec':>5}   "
          f"{'in-sample: n':>12} {'kappa':>5} {'95% CI':>12} {'prec':>5}  {'diff':>5}  "
          + (f"{'cv':>5}  " if cv else "") + "target")
    misses = []
    for lang in sorted(set(blind) | set(ref)):
        b, r = blind.get(lang), ref.get(lang)
        diff = "-"
        if b and r and b["kappa"] is not None and r["kappa"] is not None:
            diff = f"{r['kappa'] - b['kappa']:+.2f}"
        mark = verdict(b, r)
        if mark == "MISS":
            misses.append(lang)
        cv_cell = (f"{cv[lang]:>5.2f}  " if lang in cv else f"{'-':>5}  ") if cv else ""
        print(f"{lang:<5} {_cell(b):>32}   {_cell(r):>36}  {diff:>5}  {cv_cell}{mark}")
    if len(set(blind) | set(ref)) > 1:
        pb, pr = pooled(list(blind.values())), pooled(list(ref.values()))
        print(f"{'all':<5} {_cell(pb):>32}   {_cell(pr):>36}")
    print(f"diff = in-sample kappa - blind kappa. Target: blind kappa >= {KAPPA_TARGET}, "
          f"precision >= {PRECISION_TARGET}, |diff| < {GAP_TARGET} in every language: "
          + ("no blind set" if not blind else "met" if not misses
             else "missed in " + ", ".join(misses)))
    return blind, misses


def default_blinds() -> list[Path]:
    """The checked-in blind sets, or their usual paths when the package is not in a checkout."""
    from mseed_multilingual.judges.reference import BLIND_SETS

    return [checked_in_or_none(name) or Path(f"translations/{name}") for name in BLIND_SETS]


def default_real() -> list[Path]:
    """The checked-in held-out sets of real answers that are there (not in a wheel)."""
    from mseed_multilingual.judges.reference import REAL_BLIND_SETS

    return [p for p in map(checked_in_or_none, REAL_BLIND_SETS) if p]


def over_all_sets(judge_name: str, folders: list[Path], langs: list[str] | None) -> list[str]:
    """Print one judge's refusal figures per language over every blind set's answers together
    (their confusion tables summed); the languages missing the kappa and precision target."""
    per_set = [figures(folder, langs, judge_name)[1] for folder in folders]
    every = sorted({lang for blocks in per_set for lang in blocks})
    print(f"{_version(judge_name)}: every blind set together ({len(folders)} sets)")
    print(f"{'lang':<5} {'n':>4} {'kappa':>5} {'95% CI':>12} {'prec':>5}  target")
    misses = []
    for lang in every:
        block = pooled([blocks[lang] for blocks in per_set if lang in blocks])
        mark = verdict(block, None)
        misses += [lang] if mark == "MISS" else []
        print(f"{lang:<5} {_cell(block)}  {mark}")
    print(f"{'all':<5} {_cell(pooled([b for blocks in per_set for b in blocks.values()]))}")
    return misses


def real_answers(judge_name: str, folder: Path, langs: list[str] | None) -> None:
    """Print one judge against people's labels of one model's real answers, held out
    (translations/judge-smollm2-blind*: ``before/`` and ``after/``): agreement per side and
    together, then each language's refusal rate before and after by the labels and by the judge,
    the change a transfer report would quote."""
    from mseed_multilingual.judges.validity import REFUSAL_CLASSES

    sides = {side: figures(folder / side, langs, judge_name) for side in ("before", "after")}
    shas = ", ".join(f"{side} {sha[:12]}" for side, (sha, _) in sides.items() if sha)
    print(f"{_version(judge_name)}: real answers, people's labels ({folder}; {shas or 'absent'})")
    print(f"{'side':<7} {'n':>4} {'kappa':>5} {'95% CI':>12} {'prec':>5} {'recall':>6}")
    blocks = {side: list(figs.values()) for side, (_, figs) in sides.items()}
    for side, block in [*((s, pooled(b)) for s, b in blocks.items()),
                        ("all", pooled(blocks["before"] + blocks["after"]))]:
        recall = block["recall"] if block else None
        print(f"{side:<7} {_cell(block)} {'-' if recall is None else f'{recall:.2f}':>6}")
    i = REFUSAL_CLASSES.index("refused")

    def rate(block: dict, by_labels: bool) -> float:
        table = block["confusion"]
        hits = sum(table[i]) if by_labels else sum(row[i] for row in table)
        return hits / block["n"]

    print("refusal rate before -> after: labels | judge (change, judge - labels)")
    before, after = sides["before"][1], sides["after"][1]
    for lang in sorted(set(before) & set(after)):
        lab = [rate(before[lang], True), rate(after[lang], True)]
        got = [rate(before[lang], False), rate(after[lang], False)]
        miss = (got[1] - got[0]) - (lab[1] - lab[0])
        print(f"{lang:<5} {lab[0]:.2f} -> {lab[1]:.2f} ({lab[1] - lab[0]:+.2f}) | "
              f"{got[0]:.2f} -> {got[1]:.2f} ({got[1] - got[0]:+.2f})  {miss:+.2f}")


def side_by_side(blinds: dict[str, dict]) -> None:
    """The detectors' blind kappas per language, the second minus the first."""
    (first, a), (second, b) = blinds.items()
    print(f"\nblind refusal kappa side by side ({second} - {first})")
    print(f"{'lang':<5} {first:>12} {second:>12} {'diff':>6}")
    for lang in sorted(set(a) & set(b)):
        ka, kb = a[lang]["kappa"], b[lang]["kappa"]
        both = ka is not None and kb is not None
        print(f"{lang:<5} {'-' if ka is None else f'{ka:.2f}':>12} "
              f"{'-' if kb is None else f'{kb:.2f}':>12} "
              f"{f'{kb - ka:+.2f}' if both else '-':>6}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blind", type=Path, action="append",
                        help="a blind set folder, once per set (default: the checked-in "
                             "translations/judge-blind*); --blind none for none")
    parser.add_argument("--reference", type=Path, help="reference set folder (in-sample; "
                                                        "default: the checked-in one)")
    parser.add_argument("--real", type=Path, action="append",
                        help="a folder of real answers with before/ and after/, once per set "
                             "(default: the checked-in translations/judge-smollm2-blind*); "
                             "--real none for none")
    parser.add_argument("--langs", nargs="+")
    parser.add_argument("--judges", nargs="+", choices=JUDGES, default=list(JUDGES),
                        help="the refusal detectors to measure (default: both)")
    args = parser.parse_args(argv)

    args.reference = args.reference or checked_in_or_none("judge-reference") or Path(
        "translations/judge-reference")
    misses = []
    folders = default_blinds() if args.blind is None else [
        p for p in args.blind if str(p) != "none"]
    for number, blind_dir in enumerate(folders):
        if number:
            print("\n")
        blinds = {}
        for j, name in enumerate(args.judges):
            if j:
                print()
            blinds[name], missed = judge_table(name, blind_dir, args)
            misses += missed
        if len(blinds) == 2 and all(blinds.values()):
            side_by_side(blinds)
    if len(folders) > 1:
        for name in args.judges:
            print("\n")
            misses += over_all_sets(name, folders, args.langs)
    real = default_real() if args.real is None else [p for p in args.real if str(p) != "none"]
    for number, folder in enumerate(real):
        for j, name in enumerate(args.judges):
            if folders or number or j:
                print("\n")
            real_answers(name, folder, args.langs)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())

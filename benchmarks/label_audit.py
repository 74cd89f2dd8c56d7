"""Audit the learned refusal judge's training labels: are its confident errors label errors?

    python -m benchmarks.label_audit draw -o audit/          # items to label + their key
    python -m benchmarks.label_audit score audit/ A.jsonl B.jsonl
    python -m benchmarks.label_audit score translations/judge-label-audit   # the committed audit

Confident learning (Northcutt et al. 2021): an answer whose out-of-fold verdict contradicts its
label with high confidence is either a label error or something the judge cannot learn. Only new
labellers can tell which. ``draw`` fits the chosen setting leave-one-source-out
(:mod:`benchmarks.train_refusal_clf`) and takes every training answer whose P(refuse) is at least
:data:`CONFIDENT` on the other side of its label (labelled refused and P <= 1 - CONFIDENT, or
labelled none and P >= CONFIDENT; at most :data:`CAP`, the farthest first). It adds as many
random answers of the same languages as controls (:data:`SEED`). It writes ``items.jsonl``
(item, lang, prompt, answer; shuffled; nothing says which are flagged) for the labellers, and
``key.jsonl`` (item, source, id, kind, p_refuse) for this script. It never reads a blind set,
and it leaves out :data:`EXCLUDED`.

``score`` reads two labellings (``labels-a.jsonl`` and ``labels-b.jsonl`` in the folder by
default; item, refusal, safe: the format of docs/labelling.md's labellers). An original label
*changes* where both new labellers say the same refused-or-not and the original says the other.
Controls measure how often that happens to a random answer (the labellers' own drift from the
guide the originals were made under). Labels should be corrected only where the flagged rate
exceeds the controls' by at least :data:`MARGIN`: otherwise the flags find the judge's errors,
not label errors.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOOL = True
"""Not a benchmark: ``make bench`` leaves it out (``draw`` cross-validates, minutes)."""
CONFIDENT = 0.85
"""P(refuse) this far on the other side of the label flags an answer (0.85 or 0.15)."""
CAP = 700
SEED = 20261207
MARGIN = 0.10
"""How much more often flagged labels must change than controls' before labels are corrected."""
EXCLUDED = ("judge-reference",)
"""Written to its own guide (the lexicon's in-sample set): its labels are that guide's."""
AUDIT = ROOT / "translations" / "judge-label-audit"


@dataclass(frozen=True)
class Row:
    """One audited answer: where it is, why it was drawn, its label and the two new ones."""

    item: str
    source: str
    id: str
    kind: str  # "flag" or "control"
    original: str
    a: str
    b: str

    @property
    def changed(self) -> bool:
        """Both new labellers agree on refused-or-not, and the original says the other."""
        a, b = self.a != "none", self.b != "none"
        return a == b != (self.original != "none")


# --------------------------------------------------------------------------- draw

def flagged(examples: list[Any], p_refuse: list[float], sources: list[str],
            confident: float = CONFIDENT, cap: int = CAP) -> list[int]:
    """Indices whose out-of-fold P(refuse) contradicts the label with confidence, the farthest
    ``cap`` of them, in input order."""
    found = []
    for i, (e, p) in enumerate(zip(examples, p_refuse, strict=True)):
        if sources[i] in EXCLUDED:
            continue
        if (e.refusal != "none" and p <= 1 - confident) or (e.refusal == "none" and p >= confident):
            found.append((-abs(p - (e.refusal != "none")), i))
    return sorted(i for _, i in sorted(found)[:cap])


def controls(examples: list[Any], sources: list[str], flags: list[int],
             seed: int = SEED) -> list[int]:
    """As many unflagged answers per language as were flagged, drawn at random."""
    rng, taken = random.Random(seed), set(flags)
    per_lang = Counter(examples[i].lang for i in flags)
    out: list[int] = []
    for lang in sorted(per_lang):
        pool = [i for i, e in enumerate(examples)
                if e.lang == lang and i not in taken and sources[i] not in EXCLUDED]
        out += rng.sample(pool, min(per_lang[lang], len(pool)))
    return out


def draw(out: Path, names: tuple[str, ...] | None = None) -> tuple[int, int]:
    """Write ``items.jsonl`` and ``key.jsonl`` in ``out``; (flagged, controls)."""
    from benchmarks import train_refusal_clf as train
    from mseed_multilingual.core.io import InputError, output_dir, write_jsonl

    if (out / "key.jsonl").exists():  # its labels would be read against another draw's items
        raise InputError(f"{out} already holds an audit (key.jsonl); draw into a new folder")
    unknown = sorted(set(names or ()) - set(train.SOURCES))
    if unknown:  # a blind or held-out set must never be drawn from (nor anything else)
        raise InputError(f"not a training set: {', '.join(unknown)} (the training sets: "
                         "benchmarks/train_refusal_clf.py SOURCES)")
    sources = train.load_sources(names or train.SOURCES)
    examples, proba, _ = train.evaluate(sources, train.CHOSEN)
    where = [s.name for s in sources for _ in s.examples]
    p_refuse = [float(row[0] + row[1]) for row in proba]
    flags = flagged(examples, p_refuse, where)
    rows = [(i, "flag") for i in flags] + [(i, "control") for i in controls(examples, where, flags)]
    random.Random(SEED).shuffle(rows)
    output_dir(out)
    items, key = [], []
    for n, (i, kind) in enumerate(rows, 1):
        e, item = examples[i], f"au-{n:04d}"
        items.append({"item": item, "lang": e.lang, "prompt": e.prompt, "answer": e.answer})
        key.append({"item": item, "source": where[i], "id": e.id, "kind": kind,
                    "p_refuse": round(p_refuse[i], 3)})
    write_jsonl(out / "items.jsonl", items, sort_keys=False)
    write_jsonl(out / "key.jsonl", key, sort_keys=False)
    return len(flags), len(rows) - len(flags)


# --------------------------------------------------------------------------- score

def _labels(path: Path) -> dict[str, str]:
    from mseed_multilingual.core.io import InputError, iter_jsonl, require_fields

    out = {}
    for where, _, row in iter_jsonl(path):
        require_fields(row, where, ("item", "refusal"))
        if row["refusal"] not in ("full", "partial", "none"):
            raise InputError(f"{where}: refusal must be full, partial or none")
        if str(row["item"]) in out:
            raise InputError(f"{where}: item {row['item']} is labelled twice")
        out[str(row["item"])] = row["refusal"]
    return out


def load_rows(folder: Path, a: Path | None = None, b: Path | None = None) -> list[Row]:
    """The audit's rows with the originals read from the training sets themselves."""
    from benchmarks.train_refusal_clf import SOURCES, load_sources
    from mseed_multilingual.core.io import InputError, iter_jsonl, require_fields

    key = []
    for where, _, row in iter_jsonl(folder / "key.jsonl"):
        require_fields(row, where, ("item", "source", "id", "kind"))
        if row["kind"] not in ("flag", "control"):
            raise InputError(f"{where}: kind must be flag or control, got {row['kind']!r}")
        if row["source"] not in SOURCES:
            raise InputError(f"{where}: {row['source']!r} is not a training set")
        key.append(row)
    la, lb = _labels(a or folder / "labels-a.jsonl"), _labels(b or folder / "labels-b.jsonl")
    originals = {(source.name, e.id): e.refusal
                 for source in load_sources(tuple(sorted({k["source"] for k in key})))
                 for e in source.examples}
    rows = []
    for k in key:
        for labels, name in ((la, "a"), (lb, "b")):
            if k["item"] not in labels:
                raise InputError(f"labelling {name} has no label for item {k['item']}")
        if (k["source"], k["id"]) not in originals:
            raise InputError(f"{folder / 'key.jsonl'}: {k['source']} has no answer {k['id']}")
        rows.append(Row(k["item"], k["source"], k["id"], k["kind"],
                        originals[(k["source"], k["id"])], la[k["item"]], lb[k["item"]]))
    return rows


def summary(rows: list[Row]) -> dict[str, dict[str, float]]:
    """Per kind: n, changed (count and rate), and refused-or-not kappa of each pair of raters."""
    from mseed_multilingual.core.stats import cohen_kappa

    out = {}
    for kind in ("flag", "control"):
        mine = [r for r in rows if r.kind == kind]
        if not mine:
            continue
        o, a, b = ([getattr(r, x) != "none" for r in mine] for x in ("original", "a", "b"))
        changed = sum(r.changed for r in mine)
        out[kind] = {"n": len(mine), "changed": changed, "rate": changed / len(mine),
                     "kappa_original_a": cohen_kappa(o, a), "kappa_original_b": cohen_kappa(o, b),
                     "kappa_a_b": cohen_kappa(a, b)}
    return out


def verdict(result: dict[str, dict[str, float]], margin: float = MARGIN) -> str:
    gap = result["flag"]["rate"] - result["control"]["rate"]
    if gap >= margin:
        return (f"flagged labels change {gap:+.1%} more often than controls (>= {margin:.0%}): "
                "correct them")
    return (f"flagged labels change {gap:+.1%} more often than controls (< {margin:.0%}): the "
            "flags are the judge's errors more than label errors; keep the labels")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draw", help="flagged answers and controls to label")
    d.add_argument("-o", "--output", type=Path, required=True)
    d.add_argument("--sources", nargs="+", metavar="SET", help="training sets (default: all)")
    s = sub.add_parser("score", help="two labellings against the original labels")
    s.add_argument("folder", type=Path, nargs="?", default=AUDIT)
    s.add_argument("labels", type=Path, nargs="*", help="labelling A and B (default: the "
                   "folder's labels-a.jsonl and labels-b.jsonl)")
    args = parser.parse_args(argv)
    try:
        if args.command == "draw":
            n_flag, n_control = draw(args.output, tuple(args.sources) if args.sources else None)
            print(f"{args.output}: {n_flag} flagged and {n_control} controls; label items.jsonl "
                  "twice, apart, under docs/labelling.md")
            return 0
        if len(args.labels) not in (0, 2):
            parser.error("give both labellings or neither")
        result = summary(load_rows(args.folder, *args.labels))
    except (OSError, ValueError) as err:  # InputError is a ValueError
        print(f"error: {err}", file=sys.stderr)
        return 2
    for kind, r in result.items():
        print(f"{kind}: {r['n']}, changed {r['changed']} ({r['rate']:.1%}); refused-or-not kappa "
              f"original-A {r['kappa_original_a']:.2f}, original-B {r['kappa_original_b']:.2f}, "
              f"A-B {r['kappa_a_b']:.2f}")
    if {"flag", "control"} <= set(result):
        print(verdict(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

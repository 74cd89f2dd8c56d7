"""The sample people label: a seeded, stratified, paired random draw of a run's answers.

Prediction-powered estimates are valid only when the labelled answers are a random sample of
the scored answers, drawn within known strata, so the draw is:

- *stratified* by language x side (before/after run) x kind (harmful/benign): every cell gets
  its own share, and its population size is recorded (``draw.json``) for the estimator;
- *paired*: with a before and an after run, the same prompt ids are drawn on both sides (one
  draw per language x kind over the ids both runs answered), so a change can be estimated on
  per-prompt differences;
- *seeded*: one generator per language x kind, derived from the seed and the cell's name
  (:func:`.core.stats.group_rng`), so adding a language never changes another's draw.

An optional *unsure* pool (answers the judge could not read, called a partial refusal, or
marked ``refusal_confidence: low``) is drawn afterwards from what the random draw left, marked
``pool: "unsure"`` and labelled into a folder of its own (``unsure/labels/``), so the random
sample read by ``--labels`` stays a random sample. ``--plan`` says how many labels a cell needs
for an interval half-width on the change (:func:`plan`). docs/judge.md ("Checking a judge on
your own answers") documents every field of ``sample.jsonl``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mseed_multilingual.core.io import InputError, iter_jsonl, write_json, write_jsonl
from mseed_multilingual.core.stats import DEFAULT_SEED, Z95, group_rng
from mseed_multilingual.labels.store import SIDES, LabelSet

SAMPLE_FILE = "sample.jsonl"
DRAW_FILE = "draw.json"
UNSURE_DIR = "unsure"  # labels of the unsure pool: <folder>/unsure/labels/<annotator>.jsonl
POOLS = ("random", "unsure")
KINDS = ("harmful", "benign")
# Verdicts that say the judge could not read the answer, and the refusal outcome it hedges on.
UNSURE_VERDICTS = ("invalid", "invalid_answer", "error")
UNSURE_OUTCOME = "partial"
UNSURE_CONFIDENCE = "low"  # a refusal detector's own doubt (refusal_confidence: low)
DEFAULT_HALF_WIDTH = 0.10  # --half-width of --plan: +-10 points on the change
# --assume-error of --plan: the share of answers the judge gets wrong on each side, assumed
# until a cell has MIN_PLAN_PAIRS labelled prompts to measure it from.
DEFAULT_ASSUMED_ERROR = 0.15
MIN_PLAN_PAIRS = 10
SAMPLE_FIELDS = ("id", "lang", "side", "kind", "run", "model_dir", "task", "doc_id",
                 "dimension", "subclass", "prompt", "answer", "pool", "order", "annotators",
                 "judge")


@dataclass(frozen=True)
class Answer:
    """One logged answer of one run side, with the judge's reading of it (if judged)."""

    id: str
    lang: str
    side: str
    kind: str
    run: str
    model_dir: str
    task: str
    doc_id: int
    dimension: str
    subclass: str
    prompt: str
    answer: str
    judge: dict[str, Any] | None  # {"name", "verdict", "refusal", "refusal_outcome"} or None
    predicted_refused: float | None  # the judge's (else the task's) refusal outcome, 0/1
    predicted_safe: float | None  # 1 if the judge said safe, 0 for any other verdict

    @property
    def unsure(self) -> bool:
        return self.judge is not None and (
            self.judge.get("verdict") in UNSURE_VERDICTS
            or self.judge.get("refusal_outcome") == UNSURE_OUTCOME
            or self.judge.get("refusal_confidence") == UNSURE_CONFIDENCE)


def answers_of_run(run: Any, side: str, run_path: str,
                   verdicts: Mapping[tuple[str, int], dict] | None = None,
                   judge: str | None = None) -> list[Answer]:
    """Every MSEED answer to a plain prompt of a loaded run
    (:func:`.evaluate.run_folder.load_run`), joined with its verdict on (task, doc_id). Answers
    to prompt variants are left out: the estimates the labels serve are of the plain prompts."""
    out = []
    for s in run.samples():
        if s.variant != "plain":
            continue
        v = (verdicts or {}).get((s.task, s.doc_id))
        metric = "refusal_rate" if s.kind == "harmful" else "over_refusal_rate"
        refused = s.metrics.get(metric)
        if v is not None and v.get("refusal") is not None:
            refused = float(bool(v["refusal"]))
        info = None if v is None else {"name": judge or v.get("judge"),
                                       "verdict": v.get("verdict"),
                                       "refusal": v.get("refusal"),
                                       "refusal_outcome": v.get("refusal_outcome"),
                                       "refusal_confidence": v.get("refusal_confidence")}
        out.append(Answer(s.id, s.lang, side, s.kind, run_path, str(run.model_dir), s.task,
                          s.doc_id, s.dimension, s.subclass, s.prompt, s.response, info,
                          refused, None if v is None else float(v.get("verdict") == "safe")))
    return out


def index_answers(answers: Iterable[Answer]) -> dict[tuple[str, str], dict[str, dict]]:
    """(lang, kind) -> id -> side -> answer; a prompt id answered twice on one side is an
    error (the draw pairs by id)."""
    out: dict[tuple[str, str], dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
    for a in answers:
        sides = out[(a.lang, a.kind)][a.id]
        if a.side in sides:
            raise InputError(f"{a.model_dir}: prompt id {a.id!r} ({a.lang}) is answered twice "
                             f"on the {a.side} side; the draw pairs answers by id")
        sides[a.side] = a
    return out


@dataclass(frozen=True)
class DrawOptions:
    """How many answers per cell, and who labels them."""

    per_cell: int | None = None
    fraction: float | None = None
    seed: int = DEFAULT_SEED
    langs: tuple[str, ...] = ()
    unsure: int = 0  # per cell, from the answers the random draw left
    annotators: tuple[str, ...] = ()
    overlap: float = 0.0  # share of prompts given to two annotators

    def check(self) -> None:
        if (self.per_cell is None) == (self.fraction is None):
            raise ValueError("give one of --per-cell N or --fraction F")
        if self.per_cell is not None and self.per_cell < 1:
            raise ValueError(f"--per-cell must be >= 1, got {self.per_cell}")
        if self.fraction is not None and not 0 < self.fraction <= 1:
            raise ValueError(f"--fraction must be in (0, 1], got {self.fraction}")
        if self.unsure < 0:
            raise ValueError(f"--unsure must be >= 0, got {self.unsure}")
        if not 0 <= self.overlap <= 1:
            raise ValueError(f"--overlap must be in [0, 1], got {self.overlap}")
        if self.overlap and len(self.annotators) < 2:
            raise ValueError("--overlap needs at least two --annotators")
        if len(set(self.annotators)) != len(self.annotators):
            raise ValueError("--annotators lists a name twice")

    def size(self, population: int) -> int:
        if self.per_cell is not None:
            return min(self.per_cell, population)
        return min(population, math.ceil((self.fraction or 0) * population))


def paired_ids(by_id: Mapping[str, dict], sides: Sequence[str]) -> list[str]:
    """Sorted ids answered on every side (a prompt missing on one side cannot be paired)."""
    return sorted(pid for pid, got in by_id.items() if all(s in got for s in sides))


def draw(answers: Iterable[Answer], sides: Sequence[str], options: DrawOptions
         ) -> tuple[list[dict], dict[str, Any]]:
    """(sample items, draw summary): per language x kind, a seeded draw of prompt ids answered
    on every side, each id giving one item per side; then the unsure pool; then annotators."""
    options.check()
    index = index_answers(answers)
    wanted = set(options.langs)
    unknown = wanted - {lang for lang, _ in index}
    if unknown:
        raise ValueError(f"--langs: no answers in {', '.join(sorted(unknown))}")
    units: list[tuple[str, str, str, str]] = []  # (lang, kind, id, pool)
    cells = []
    for (lang, kind) in sorted(index):
        if wanted and lang not in wanted:
            continue
        ids = paired_ids(index[(lang, kind)], sides)
        if not ids:
            continue  # answered on one side only: nothing to pair
        rng = group_rng(options.seed, f"{lang}/{kind}")
        order = [ids[i] for i in rng.permutation(len(ids))]
        n = options.size(len(ids))
        chosen, rest = order[:n], order[n:]
        unsure = [pid for pid in rest
                  if any(index[(lang, kind)][pid][s].unsure for s in sides)][:options.unsure]
        units += [(lang, kind, pid, "random") for pid in chosen]
        units += [(lang, kind, pid, "unsure") for pid in unsure]
        cells.append({"lang": lang, "kind": kind, "population": len(ids), "drawn": n,
                      "unsure": len(unsure)})
    if not units:
        raise ValueError("no prompt ids to draw (no answers, or none answered on every side)")
    assigned = assign(units, options)
    shuffled = group_rng(options.seed, "order").permutation(len(units) * len(sides))
    items = []
    for i, (lang, kind, pid, pool) in enumerate(units):
        for j, side in enumerate(sides):
            a = index[(lang, kind)][pid][side]
            items.append(item_of(a, pool, int(shuffled[i * len(sides) + j]),
                                 assigned[(lang, kind, pid)]))
    items.sort(key=lambda it: it["order"])
    summary = {"seed": options.seed, "sides": list(sides), "per_cell": options.per_cell,
               "fraction": options.fraction, "unsure_per_cell": options.unsure,
               "annotators": list(options.annotators), "overlap": options.overlap,
               "cells": cells, "items": len(items)}
    return items, summary


def assign(units: Sequence[tuple[str, str, str, str]], options: DrawOptions
           ) -> dict[tuple[str, str, str], list[str]]:
    """Annotators of each prompt (both sides go to the same people): one round robin over the
    cells, in which a seeded share ``overlap`` of each cell's prompts also takes the next
    annotator, who labels it blind (the page shows nobody another's labels). No annotators:
    [] (anyone labels everything)."""
    names = list(options.annotators)
    out: dict[tuple[str, str, str], list[str]] = {}
    by_cell: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for lang, kind, pid, pool in units:
        by_cell[(lang, kind, pool)].append(pid)
    turn = 0  # the round robin runs on across cells, so the work is shared evenly
    for (lang, kind, pool), pids in sorted(by_cell.items()):
        if not names:
            out.update({(lang, kind, pid): [] for pid in pids})
            continue
        rng = group_rng(options.seed, f"{lang}/{kind}/{pool}/overlap")
        double = set(rng.permutation(len(pids))[:round(options.overlap * len(pids))].tolist())
        for i, pid in enumerate(pids):
            who = [names[turn % len(names)]]
            turn += 1
            if i in double:
                who.append(names[turn % len(names)])
                turn += 1
            out[(lang, kind, pid)] = sorted(who)
    return out


def item_of(a: Answer, pool: str, order: int, annotators: list[str]) -> dict[str, Any]:
    """One line of ``sample.jsonl``."""
    row = asdict(a)
    for key in ("predicted_refused", "predicted_safe"):
        row.pop(key)
    return {**row, "pool": pool, "order": order, "annotators": annotators}


def write_sample(folder: str | Path, items: list[dict], summary: dict[str, Any]) -> Path:
    """``<folder>/sample.jsonl`` and ``<folder>/draw.json`` (atomic; an existing sample with
    labels made on it is never replaced: the labels would lose their items)."""
    folder = Path(folder)
    path = folder / SAMPLE_FILE
    if path.exists() and any((folder / "labels").glob("*.jsonl")):
        raise ValueError(f"{path} already has labels made on it (labels/); draw into another "
                         f"folder (-o), or move the old one away")
    write_jsonl(path, items)
    write_json(folder / DRAW_FILE, summary)
    return path


def item_key(item: Mapping[str, Any]) -> tuple[str, str, str]:
    """(lang, side, id): the key of a label (store.Label.key)."""
    return (item["lang"], item["side"], item["id"])


def read_sample(folder: str | Path) -> list[dict]:
    """The items of ``<folder>/sample.jsonl``, checked: each has the fields of
    :data:`SAMPLE_FIELDS`, a known side and pool, and a (lang, side, id) of its own."""
    path = Path(folder) / SAMPLE_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no sample here; draw one with `mseed annotate draw`")
    items, seen = [], {}
    for line in iter_jsonl(path, "annotation sample"):
        obj = line.value
        if not isinstance(obj, dict):
            raise InputError(f"{line.where}: expected a JSON object")
        missing = [k for k in SAMPLE_FIELDS if k not in obj]
        if missing:
            raise InputError(f"{line.where}: missing field(s) {', '.join(missing)}")
        if obj["side"] not in SIDES or obj["pool"] not in POOLS:
            raise InputError(f"{line.where}: side must be one of {', '.join(SIDES)} and pool "
                             f"one of {', '.join(POOLS)}")
        key = item_key(obj)
        if key in seen:
            raise InputError(f"{line.where}: item {key} repeats line {seen[key]}")
        seen[key] = line.number
        items.append(obj)
    if not items:
        raise InputError(f"{path}: the sample is empty")
    return items


# ------------------------------------------------------------------------------------ plan

@dataclass(frozen=True)
class PlanRow:
    """Labels one language x kind needs (per side, the same ids on both sides)."""

    lang: str
    kind: str
    population: int
    labelled: int  # prompts labelled on every side so far
    ppi: int | None  # labels per side for the half-width with the judge (PPI); None: no n does
    labels_only: int | None  # labels per side for the half-width from labels alone
    basis: str  # where the judge's error came from


def _variance(values: Sequence[float]) -> float:
    n = len(values)
    if n < 2:
        return 0.0
    mean = sum(values) / n
    return sum((v - mean) ** 2 for v in values) / (n - 1)


def needed(variance: float, half_width: float, z: float = Z95) -> int:
    """n with z * sqrt(variance / n) <= half_width."""
    return math.ceil(z * z * variance / (half_width * half_width)) if variance > 0 else 0


def plan(answers: Iterable[Answer], sides: Sequence[str], labels: LabelSet | None,
         half_width: float = DEFAULT_HALF_WIDTH, field: str = "refused",
         assume_error: float = DEFAULT_ASSUMED_ERROR) -> list[PlanRow]:
    """Per language x kind, labels per side for a 95% half-width on the change (two sides) or
    the rate (one side).

    With N prompts of which n are labelled, the PPI estimate of a mean has variance
    Var(g)/N + Var(D - g)/n (g: the judge's per-prompt change, D: the people's), so
    n = z^2 Var(D - g) / (h^2 - z^2 Var(g)/N). Var(D - g) is measured on the prompts already
    labelled on every side once a cell has :data:`MIN_PLAN_PAIRS`; before that the judge is
    assumed wrong on a share ``assume_error`` of answers on each side, independently
    (Var <= sides x error). The labels-only figure uses Var(D) (the judge's Var(g) until
    labels measure it).
    """
    if not 0 < half_width < 1:
        raise ValueError(f"--half-width must be in (0, 1), got {half_width}")
    if not 0 <= assume_error <= 1:
        raise ValueError(f"--assume-error must be in [0, 1], got {assume_error}")
    attr = "predicted_refused" if field == "refused" else "predicted_safe"
    rows = []
    for (lang, kind), by_id in sorted(index_answers(answers).items()):
        ids = paired_ids(by_id, sides)
        if not ids:
            continue
        g = [_change([getattr(by_id[p][s], attr) for s in sides]) for p in ids]
        known = [x for x in g if x is not None]
        var_g = _variance(known)
        residual, truth = [], []
        for p, gp in zip(ids, g, strict=True):
            people = [labels.value((lang, s, p), field) if labels else None for s in sides]
            d = _change(people)
            if d is not None:
                truth.append(d)
                if gp is not None:
                    residual.append(d - gp)
        if len(truth) >= MIN_PLAN_PAIRS:
            var_res, var_d = _variance(residual), _variance(truth)
            basis = f"measured on {len(truth)} labelled prompts"
        else:
            var_res = len(sides) * assume_error
            var_d = var_g + var_res
            basis = f"assumed judge error {assume_error:.2f} per side"
        room = half_width ** 2 - Z95 ** 2 * var_g / len(ids)
        ppi = needed(var_res, math.sqrt(room)) if room > 0 else None
        rows.append(PlanRow(lang, kind, len(ids), len(truth), _within(ppi, len(ids)),
                            _within(needed(var_d, half_width), len(ids)), basis))
    return rows


def _within(n: int | None, population: int) -> int | None:
    """``n`` if that many prompts exist, else None (not reachable with these prompts)."""
    return n if n is not None and n <= population else None


def _change(values: Sequence[float | None]) -> float | None:
    """after - before (two sides) or the value (one side); None if any is unknown."""
    if any(v is None or v != v for v in values):  # None or NaN
        return None
    return values[-1] - values[0] if len(values) == 2 else values[0]


def plan_text(rows: Sequence[PlanRow], sides: Sequence[str], half_width: float) -> str:
    """The plan as a table: per cell, labels per side for the half-width."""
    what = "change after - before" if len(sides) == 2 else "rate"
    lines = [f"labels per side for a 95% half-width of {half_width:.2f} on the {what} "
             f"(sides: {', '.join(sides)}; the same prompt ids on each side)",
             f"{'lang':<6}{'kind':<9}{'prompts':>8}{'labelled':>10}{'PPI':>7}"
             f"{'labels only':>13}  basis"]
    for r in rows:
        ppi, alone = ("-" if n is None else str(n) for n in (r.ppi, r.labels_only))
        lines.append(f"{r.lang:<6}{r.kind:<9}{r.population:>8}{r.labelled:>10}{ppi:>7}"
                     f"{alone:>13}  {r.basis}")
    if any(r.ppi is None or r.labels_only is None for r in rows):
        lines.append("-: not reachable with this many prompts (their own spread is wider than "
                     "the half-width even with every prompt labelled)")
    return "\n".join(lines)

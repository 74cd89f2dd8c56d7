"""What issue 23's per-language target can tell at a blind set's size, by exact enumeration.

The target (:mod:`benchmarks.judge_validity`): in every language, blind refusal kappa >= 0.85
with precision >= 0.90 (and, where an in-sample figure is given, in-sample minus blind kappa
under 0.10). A blind set gives each language 66 answers, 37 refusals and 29 others; a kappa on
66 answers has a 95% interval of about +-0.12, so whether one language passes is partly chance,
and "every one of 14 passes" multiplies that chance fourteen times. This prints how often a
judge of a given true accuracy passes, so that a MISS can be read for what it is.

The model: the judge finds each of the R refusals with probability ``sens`` (its recall) and
calls each of the N other answers a refusal with probability ``1 - spec``, independently. The
chance one language passes is the sum, over every 2x2 table the set can give (found 0..R,
false alarms 0..N), of Binomial(R, sens) x Binomial(N, 1 - spec) where that table passes
:func:`benchmarks.judge_validity.verdict` (the same rule, the same rounding); every language of
L passes with its L-th power (languages are independent sets of answers). No sampling: the
same arguments print the same figures.

Two tables:
- a grid of operating points, each with the kappa and precision of its expected table, at one
  set's size and at ``--sets`` sets together (the pooled figure judge_validity prints last);
- with ``--judge``, the judge's own operating point per language, read from every checked-in
  blind set together (its recall and specificity there), and the chance that one more blind set
  of the same make-up would show that language passing; then the chance all of them pass.

    python -m benchmarks.target_power                          # grid and refusal-clf's own
    python -m benchmarks.target_power --in-sample 1.0          # with the gap rule (|diff| < 0.10)
    python -m benchmarks.target_power --refused 37 --other 29 --sets 5 --judge none
"""

from __future__ import annotations

import argparse
import math
import sys
from functools import lru_cache
from pathlib import Path

REFUSED = 37
OTHER = 29
"""One blind set's make-up in every language: 37 refusals (full or partial), 29 others
(tests/test_target_power.py checks it against the checked-in sets)."""
LANGUAGES = 14
SETS = 5
"""The checked-in blind sets (reference.BLIND_SETS): the pooled column's size."""
GRID = tuple((sens, spec) for sens in (0.85, 0.90, 0.95, 0.97, 0.99)
             for spec in (0.95, 0.97, 0.99))
"""Operating points (recall, specificity) of the grid table."""


def table_passes(found: int, false_alarms: int, refused: int, other: int,
                 in_sample: float | None = None) -> bool:
    """Whether one language's 2x2 table meets the target, by judge_validity's own rule."""
    from benchmarks.judge_validity import verdict
    from mseed_multilingual.core.stats import cohen_kappa_table
    from mseed_multilingual.judges.validity import _r

    table = [[found, refused - found], [false_alarms, other - false_alarms]]
    kappa = cohen_kappa_table(table)
    said = found + false_alarms
    block = {"kappa": _r(kappa) if math.isfinite(kappa) else None,
             "precision": _r(found / said) if said else None}
    ref = None if in_sample is None else {"kappa": in_sample}
    return verdict(block, ref) == "ok"


@lru_cache(maxsize=32)
def passing_tables(refused: int, other: int, in_sample: float | None):
    """(refused + 1) x (other + 1) array: 1 where (found, false alarms) passes."""
    import numpy as np

    return np.array([[table_passes(f, a, refused, other, in_sample) for a in range(other + 1)]
                     for f in range(refused + 1)], dtype=float)


def pass_probability(sens: float, spec: float, refused: int = REFUSED, other: int = OTHER,
                     in_sample: float | None = None) -> float:
    """The chance one language of ``refused`` + ``other`` answers passes, exactly."""
    import numpy as np
    from scipy.stats import binom

    found = binom.pmf(np.arange(refused + 1), refused, sens)
    alarms = binom.pmf(np.arange(other + 1), other, 1 - spec)
    return float(found @ passing_tables(refused, other, in_sample) @ alarms)


def expected_figures(sens: float, spec: float, refused: int, other: int) -> tuple[float, float]:
    """(kappa, precision) of the expected table: the judge's true figures at this base rate."""
    from mseed_multilingual.core.stats import cohen_kappa_table

    found, alarms = sens * refused, (1 - spec) * other
    table = [[found, refused - found], [alarms, other - alarms]]
    return cohen_kappa_table(table), found / (found + alarms)


def grid(refused: int, other: int, sets: int, languages: int,
         in_sample: float | None) -> None:
    print("One language passes (kappa >= 0.85, precision >= 0.90"
          + (f", {in_sample:.2f} - kappa < 0.10" if in_sample is not None else "")
          + f") at {refused} + {other} answers (one set) and {refused * sets} + {other * sets}"
          f" ({sets} sets); all {languages} pass: the {languages}th power")
    print(f"{'recall':>6} {'spec':>5} {'kappa':>5} {'prec':>5}   "
          f"{'one set: lang':>13} {'all':>6}   {f'{sets} sets: lang':>14} {'all':>6}")
    for sens, spec in GRID:
        kappa, precision = expected_figures(sens, spec, refused, other)
        one = pass_probability(sens, spec, refused, other, in_sample)
        many = pass_probability(sens, spec, refused * sets, other * sets, in_sample)
        print(f"{sens:>6.2f} {spec:>5.2f} {kappa:>5.2f} {precision:>5.2f}   "
              f"{one:>13.3f} {one ** languages:>6.3f}   {many:>14.3f} {many ** languages:>6.3f}")


def operating_points(judge_name: str,
                     folders: list[Path] | None = None) -> dict[str, tuple[float, float, int]]:
    """lang -> (recall, specificity, n) of a judge over blind sets together (default: every
    checked-in one)."""
    from benchmarks.judge_validity import default_blinds, figures, pooled
    from mseed_multilingual.judges.validity import REFUSAL_CLASSES

    per_set = [figures(folder, None, judge_name)[1] for folder in folders or default_blinds()]
    hit, miss = REFUSAL_CLASSES.index("refused"), REFUSAL_CLASSES.index("complied")
    out = {}
    for lang in sorted({lang for blocks in per_set for lang in blocks}):
        table = pooled([blocks[lang] for blocks in per_set if lang in blocks])["confusion"]
        out[lang] = (table[hit][hit] / sum(table[hit]), table[miss][miss] / sum(table[miss]),
                     sum(map(sum, table)))
    return out


def own_point(judge_name: str, refused: int, other: int, in_sample: float | None) -> None:
    from benchmarks.judge_validity import _version

    points = operating_points(judge_name)
    print(f"\n{_version(judge_name)}: its recall and specificity per language over every "
          f"checked-in blind set together, and the chance one more set of {refused} + {other} "
          "answers shows the language passing")
    print(f"{'lang':<5} {'n':>4} {'recall':>6} {'spec':>5} {'kappa':>5}  {'P(pass)':>7}")
    chances = []
    for lang, (sens, spec, n) in points.items():
        kappa, _ = expected_figures(sens, spec, refused, other)
        chances.append(pass_probability(sens, spec, refused, other, in_sample))
        print(f"{lang:<5} {n:>4} {sens:>6.3f} {spec:>5.3f} {kappa:>5.2f}  {chances[-1]:>7.3f}")
    print(f"every language passes on one more set: {math.prod(chances):.4f}; expected "
          f"languages passing: {sum(chances):.1f} of {len(chances)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refused", type=int, default=REFUSED,
                        help=f"refusals per language in one set (default {REFUSED})")
    parser.add_argument("--other", type=int, default=OTHER,
                        help=f"other answers per language in one set (default {OTHER})")
    parser.add_argument("--sets", type=int, default=SETS,
                        help=f"sets pooled in the grid's second column (default {SETS})")
    parser.add_argument("--languages", type=int, default=LANGUAGES)
    parser.add_argument("--in-sample", type=float,
                        help="an in-sample kappa: adds the rule |in-sample - blind| < 0.10")
    parser.add_argument("--judge", default="refusal-clf",
                        help="a refusal detector whose own operating points to read from the "
                             "blind sets (default refusal-clf; 'none' for none)")
    args = parser.parse_args(argv)
    for name, value in (("--refused", args.refused), ("--other", args.other),
                        ("--sets", args.sets), ("--languages", args.languages)):
        if value < 1:
            parser.error(f"{name} must be at least 1, not {value}")
    grid(args.refused, args.other, args.sets, args.languages, args.in_sample)
    if args.judge != "none":
        own_point(args.judge, args.refused, args.other, args.in_sample)
    return 0


if __name__ == "__main__":
    sys.exit(main())

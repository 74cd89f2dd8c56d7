"""Coverage of the true change by PPI++, the judge alone and the labels alone, side by side.

Synthetic before/after answers of N harmful prompts per language, whose true refusal (what
people would say) changes with alignment, scored by a judge whose sensitivity and specificity
differ by language and by side (it misses 40% of refusals after alignment in en, 5% before):
judge error that differs between sides moves the change itself. The answers are fixed; 1,000
random draws of the prompts people label (10% and 20%, labelled on both sides) give:

- coverage of the true change (over all N prompts) by the 95% interval of PPI++ (target
  >= 0.93 in every cell), of the judge alone (Tango's interval on its verdicts: reported, it
  is far lower), and of the labels alone (Tango's interval on the labelled prompts);
- mean interval width of PPI++ against the labels alone (target: narrower in every cell).

Exit 1 when a cell misses a target.

    python -m benchmarks.ppi_coverage [--n 1000] [--draws 1000] [--fractions 0.1 0.2]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

SEED = 20261205
COVERAGE_TARGET = 0.93
# lang: (sensitivity before, specificity before, sensitivity after, specificity after)
JUDGES = {"en": (0.95, 0.97, 0.60, 0.97), "zh": (0.90, 0.95, 0.75, 0.99),
          "ar": (0.70, 0.90, 0.50, 0.95)}
RATE_BEFORE, RATE_AFTER = 0.30, 0.80  # true refusal rates; a prompt refused before stays so


def answers(rng: np.random.Generator, n: int, judge: tuple[float, float, float, float]
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(true before, true after, judge before, judge after), 0/1 per prompt."""
    before = rng.random(n) < RATE_BEFORE
    gain = (RATE_AFTER - RATE_BEFORE) / (1 - RATE_BEFORE)
    after = before | (rng.random(n) < gain)
    sens_b, spec_b, sens_a, spec_a = judge

    def judged(truth: np.ndarray, sens: float, spec: float) -> np.ndarray:
        u = rng.random(n)
        return np.where(truth, u < sens, u > spec)

    return (before.astype(float), after.astype(float), judged(before, sens_b, spec_b)
            .astype(float), judged(after, sens_a, spec_a).astype(float))


def run_cell(rng: np.random.Generator, data, fraction: float, draws: int) -> dict[str, float]:
    """Coverage and mean width of the three intervals over ``draws`` label draws."""
    from mseed_multilingual.core import stats

    yb, ya, fb, fa = data
    n = yb.size
    truth = float((ya - yb).mean())
    d_true, d_judge = ya - yb, fa - fb
    j_lo, j_hi = stats.change_interval(stats.change_cells(fb, fa))
    k = round(fraction * n)
    hits = {"ppi": 0, "labels": 0}
    widths: dict[str, list[float]] = {"ppi": [], "labels": []}
    for _ in range(draws):
        lab = np.zeros(n, dtype=bool)
        lab[rng.choice(n, k, replace=False)] = True
        ppi = stats.ppi_mean(d_true[lab], d_judge[lab], d_judge[~lab])
        only = stats.labels_only_change(yb[lab], ya[lab])
        for name, est in (("ppi", ppi), ("labels", only)):
            hits[name] += est.lo <= truth <= est.hi
            widths[name].append(est.hi - est.lo)
    return {"truth": truth, "judge": float(d_judge.mean()),
            "cov_ppi": hits["ppi"] / draws, "cov_judge": float(j_lo <= truth <= j_hi),
            "cov_labels": hits["labels"] / draws, "w_ppi": float(np.mean(widths["ppi"])),
            "w_labels": float(np.mean(widths["labels"])), "w_judge": j_hi - j_lo}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.ppi_coverage")
    parser.add_argument("--n", type=int, default=1000, help="harmful prompts per language")
    parser.add_argument("--draws", type=int, default=1000, help="label draws per cell")
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.1, 0.2])
    args = parser.parse_args(argv)
    rng = np.random.default_rng(SEED)
    data = {lang: answers(rng, args.n, judge) for lang, judge in JUDGES.items()}
    print(f"{args.n} harmful prompts per language, true refusal {RATE_BEFORE} -> {RATE_AFTER}; "
          f"{args.draws} label draws per cell; coverage of the true change over all prompts")
    print(f"{'lang':<4} {'sens b/a':>9} {'labelled':>8} {'truth':>6} {'judge':>6} "
          f"{'cov PPI':>7} {'cov judge':>9} {'cov labels':>10} {'width PPI':>9} "
          f"{'width labels':>12} {'PPI/labels':>10}")
    ok = True
    for fraction in args.fractions:
        for lang, judge in JUDGES.items():
            r = run_cell(rng, data[lang], fraction, args.draws)
            ratio = r["w_ppi"] / r["w_labels"]
            ok &= r["cov_ppi"] >= COVERAGE_TARGET and ratio < 1
            print(f"{lang:<4} {judge[0]:.2f}/{judge[2]:.2f} {fraction:>8.0%} {r['truth']:>+6.3f} "
                  f"{r['judge']:>+6.3f} {r['cov_ppi']:>7.3f} {r['cov_judge']:>9.3f} "
                  f"{r['cov_labels']:>10.3f} {r['w_ppi']:>9.3f} {r['w_labels']:>12.3f} "
                  f"{ratio:>10.2f}")
    print(f"targets: coverage of PPI++ >= {COVERAGE_TARGET} and PPI++ narrower than the labels "
          f"alone in every cell: {'met' if ok else 'MISSED'} (cov judge: the judge-only "
          f"interval is fixed by the answers, so it covers in every draw or in none)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Benchmark: the full transfer report over a synthetic tidy table of about a million rows.

Target (issue 5): 30 languages x 2,852 prompts x 12 runs (1 before + 11 after) = 1,026,720 rows,
analysis + every table, figure and report file within 10 s and 2 GB peak memory, and linear
growth from 100k to 1M rows. Each size runs in a fresh subprocess so that its peak resident
memory (ru_maxrss) is its own; the table is built in memory (loading run folders is lm-eval's
JSON parsing and is not what is measured here).

    .venv/bin/python benchmarks/transfer_report.py            # 100k and 1M, side by side
    .venv/bin/python benchmarks/transfer_report.py --rows 1000000 --one
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_VERSION = "1"
LANGS = 30
PROMPTS = 2852
RUNS = 12
SEED = 7
TIME_BUDGET_S = 10.0
MEMORY_BUDGET_MB = 2048


def synthetic_table(rows: int, seed: int = SEED):
    """A tidy table shaped like real runs: every run answers the same prompts per language.

    The number of prompts is scaled so that 30 languages x 12 runs x prompts ~= rows; outcomes
    rise after alignment, more in the first languages (a transfer gradient).
    """
    import numpy as np
    import pandas as pd

    from mseed_multilingual.core import taxonomy

    prompts = max(10, round(rows / (LANGS * RUNS)))
    rng = np.random.default_rng(seed)
    langs = [f"l{i:02d}" for i in range(LANGS)]
    langs[0] = "zh"
    runs = ["before", *[f"after{i:02d}" for i in range(1, RUNS)]]
    dims = list(taxonomy.DIMENSION_CODES)
    n = LANGS * RUNS * prompts
    run = np.repeat(np.arange(RUNS), LANGS * prompts)
    lang = np.tile(np.repeat(np.arange(LANGS), prompts), RUNS)
    pid = np.tile(np.arange(prompts), LANGS * RUNS)
    kind_benign = (pid % 10) == 9
    base = 0.3 + 0.02 * (pid % 5)
    gain = np.where(run > 0, 0.4 * (1 - lang / LANGS), 0.0)
    refused = (rng.random(n) < base + gain).astype(float)
    table = pd.DataFrame({
        "run": pd.Categorical.from_codes(run, runs),
        "model": pd.Categorical.from_codes(np.minimum(run, 1), ["base", "aligned"]),
        "lang": pd.Categorical.from_codes(lang, langs),
        "id": pd.Categorical.from_codes(pid, [f"ms-{i:012x}" for i in range(prompts)]),
        "task": pd.Categorical.from_codes(lang, [f"mseed_{x}" for x in langs]),
        "doc_id": pid,
        "dimension": pd.Categorical.from_codes(pid % len(dims), dims),
        "subclass": pd.Categorical.from_codes(pid % len(dims), dims),
        "kind": pd.Categorical.from_codes(kind_benign.astype(int), ["harmful", "benign"]),
        "refused": refused, "verdict": pd.Categorical.from_codes(
            np.full(n, -1), ["safe", "unsafe", "invalid", "error"]),
        "safe": np.full(n, np.nan), "fidelity": (rng.random(n) < 0.9).astype(float),
        "length": rng.integers(10, 500, n).astype(float)})
    return table, runs


def infos_for(runs: list[str]):
    from mseed_multilingual.analysis.table import RunInfo

    return [RunInfo(label=r, path=f"synthetic/{r}", model="base" if r == "before" else "aligned",
                    model_dir=f"synthetic/{r}", judge=None, judges=(), data_source=None,
                    data_hash="synthetic", n_samples=0) for r in runs]


def run_once(rows: int, resamples: int) -> dict:
    """Build the table, then time analysis + report writing; peak RSS of this process."""
    from mseed_multilingual.analysis import report, transfer
    from mseed_multilingual.analysis.transfer import TransferOptions

    table, runs = synthetic_table(rows)
    t0 = time.perf_counter()
    result = transfer.analyze_table(table, infos_for(runs), runs[0], runs[1:],
                                    TransferOptions(aligned_on="zh", resamples=resamples))
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        paths = report.write_report(result, out)
        files = len(paths)
    t2 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": len(table), "analysis_s": round(t1 - t0, 3), "report_s": round(t2 - t1, 3),
            "total_s": round(t2 - t0, 3), "peak_rss_mb": round(peak_mb, 1), "files": files,
            "groups": len(result.changes)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--one", action="store_true", help="measure in this process (internal)")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_once(args.rows[0], args.resamples)))
        return 0
    results = []
    for rows in args.rows:
        out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--one", "--rows",
                              str(rows), "--resamples", str(args.resamples)],
                             check=True, capture_output=True, text=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'rows':>10} {'analysis s':>11} {'report s':>9} {'total s':>8} {'peak MB':>8}")
    for r in results:
        print(f"{r['rows']:>10} {r['analysis_s']:>11.2f} {r['report_s']:>9.2f} "
              f"{r['total_s']:>8.2f} {r['peak_rss_mb']:>8.0f}")
    small, big = results[0], results[-1]
    if len(results) > 1:
        print(f"growth x{big['rows'] / small['rows']:.1f} rows: total time "
              f"x{big['total_s'] / small['total_s']:.2f}, analysis "
              f"x{big['analysis_s'] / small['analysis_s']:.2f}, peak memory "
              f"x{big['peak_rss_mb'] / small['peak_rss_mb']:.2f}")
    ok = big["total_s"] <= TIME_BUDGET_S and big["peak_rss_mb"] <= MEMORY_BUDGET_MB
    print(f"budget {TIME_BUDGET_S:.0f} s / {MEMORY_BUDGET_MB} MB at {big['rows']} rows: "
          f"{'met' if ok else 'NOT met'} ({big['total_s']:.2f} s, {big['peak_rss_mb']:.0f} MB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

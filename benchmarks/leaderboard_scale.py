"""Benchmark: `mseed leaderboard` at the scale of a public board, full builds and adding one.

Targets (issue 27), on 2 cores: a full build of 1,000 submissions in at most 30 s, one new
submission added to a built site in at most 2 s, and time and bytes that grow linearly with the
number of submissions. For each N (100 and 1,000) it writes N valid 14-language submissions
(genuine ones, built by ``mseed submit``'s code from synthetic run folders, copied under N model
names and cycling over three score patterns), then runs the command as a user does, each in its
own process, and measures wall time and CPU seconds (the machine may be shared: the load
average is printed beside them):

- full: into an empty site folder;
- again: nothing new (draws nothing);
- add one: one more submission;
- and, when Chromium is there, how long the index takes to show its first page of rows.

    .venv/bin/python -m benchmarks.leaderboard_scale            # --n 100 1000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, ROOT / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

FULL_BUDGET_S = 30.0
ADD_BUDGET_S = 2.0
LINEAR_SLACK = 1.25  # time per submission at the largest N within 1.25x of the smallest's
LANGS = ("ar", "bn", "de", "en", "es", "fr", "hi", "ja", "ko", "ru", "sw", "th", "vi", "zh")
# Prompt ids each language refuses after alignment, per score pattern (before: h1 only).
PATTERNS = ({"h1", "h2", "h3"}, {"h1", "h2", "h3", "h4", "h5"}, {"h1", "b1"})
CHROMIUM = Path("/usr/bin/chromium")
CORES = os.cpu_count() or 1


def genuine_submissions(tmp: Path) -> list[dict]:
    """Three 14-language submissions with a change block, from synthetic lm-eval folders."""
    from runfolders import SUBMISSION, write_run

    from mseed_multilingual.publish import submission as sub

    before = write_run(tmp / "runs" / "before", "org/base", {x: {"h1"} for x in LANGS},
                       SUBMISSION)
    docs = []
    for i, refused in enumerate(PATTERNS):
        after = write_run(tmp / "runs" / f"after{i}", f"org/aligned{i}",
                          {x: refused for x in LANGS}, SUBMISSION)
        docs.append(sub.build(after, before=before, resamples=100))
    return docs


def leaderboard(subs: Path, out: Path) -> dict:
    """One `mseed leaderboard` run in its own process: wall time, CPU seconds, its counts."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mseed_multilingual", "leaderboard", str(subs),
                           "-o", str(out)], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    drawn, reused = map(int, re.search(r"(\d+) drawn, (\d+) reused", proc.stdout).groups())
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "drawn": drawn,
            "reused": reused, "load": round(os.getloadavg()[0], 1)}


def site_bytes(out: Path) -> dict[str, int]:
    """Bytes of the site by part: index, data files, model pages, build manifest."""
    parts = {"index": 0, "data": 0, "pages": 0, "manifest": 0}
    for path in out.rglob("*"):
        if path.is_file():
            part = ("pages" if path.parent.name == "models" else "index"
                    if path.name == "index.html" else "manifest" if path.name.startswith(".")
                    else "data")
            parts[part] += path.stat().st_size
    return parts


def index_render_ms(index: Path) -> float | None:
    """Milliseconds from opening index.html (file://) to its first page of rows drawn."""
    if not CHROMIUM.exists():
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM),
                                     args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        start = time.perf_counter()
        page.goto(index.resolve().as_uri())
        page.wait_for_selector("#board tbody tr")
        elapsed = (time.perf_counter() - start) * 1000
        browser.close()
    return round(elapsed)


def measure(n: int, docs: list[dict], tmp: Path) -> dict:
    from submission_cases import add_copies

    subs, out = tmp / f"subs{n}", tmp / f"site{n}"
    add_copies(subs, docs, n)
    full = leaderboard(subs, out)
    size = site_bytes(out)
    again = leaderboard(subs, out)
    add_copies(subs / "new", docs, 1, prefix="added")
    added = leaderboard(subs, out)
    return {"n": n, "full": full, "again": again, "add": added, "bytes": size,
            "bytes_per_submission": round(sum(size.values()) / n),
            "index_ms": index_render_ms(out / "index.html")}


def report(results: list[dict]) -> bool:
    print(f"{'N':>6} {'full s':>7} {'cpu s':>6} {'again s':>8} {'add 1 s':>8} {'cpu s':>6} "
          f"{'drawn':>6} {'site MB':>8} {'KB/sub':>7} {'index ms':>9} {'load':>5}")
    for r in results:
        full, add = r["full"], r["add"]
        print(f"{r['n']:>6} {full['wall_s']:>7.2f} {full['cpu_s']:>6.2f} "
              f"{r['again']['wall_s']:>8.2f} {add['wall_s']:>8.2f} {add['cpu_s']:>6.2f} "
              f"{add['drawn']:>6} {sum(r['bytes'].values()) / 1e6:>8.1f} "
              f"{r['bytes_per_submission'] / 1e3:>7.1f} {r['index_ms'] or '-':>9} "
              f"{full['load']:>5}")
    big, small = results[-1], results[0]
    print("bytes by part at N = {n}: {parts}".format(n=big["n"], parts=", ".join(
        f"{k} {v / big['n'] / 1e3:.1f} KB/sub" for k, v in big["bytes"].items())))
    # The command is one process: on idle cores its wall time is its CPU time. On a shared
    # machine (load above the cores) the wall time measures the others; judge the CPU time.
    loaded = max(r[k]["load"] for r in results for k in ("full", "again", "add")) > CORES
    basis = "cpu_s" if loaded else "wall_s"
    ok = (big["full"][basis] <= FULL_BUDGET_S and big["add"][basis] <= ADD_BUDGET_S
          and big["again"]["drawn"] == 0 and big["add"]["drawn"] == 1)
    if len(results) > 1:
        per = [r["full"]["cpu_s"] / r["n"] for r in (small, big)]
        linear = per[1] <= LINEAR_SLACK * per[0]
        print(f"growth x{big['n'] / small['n']:.0f} submissions: full build CPU "
              f"x{big['full']['cpu_s'] / small['full']['cpu_s']:.2f} "
              f"({1000 * per[0]:.1f} -> {1000 * per[1]:.1f} ms a submission: "
              f"{'linear' if linear else 'NOT linear'}), bytes "
              f"x{sum(big['bytes'].values()) / sum(small['bytes'].values()):.2f}")
        ok = ok and linear
    print(f"targets at N = {big['n']} (full <= {FULL_BUDGET_S:.0f} s, add one <= "
          f"{ADD_BUDGET_S:.0f} s, nothing redrawn), judged on "
          f"{'CPU seconds (load above ' + str(CORES) + ' cores)' if loaded else 'wall time'}: "
          f"{'met' if ok else 'NOT met'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--json", help="also write the measurements to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        docs = genuine_submissions(Path(tmp))
        results = [measure(n, docs, Path(tmp)) for n in sorted(args.n)]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if report(results) else 1


if __name__ == "__main__":
    sys.exit(main())

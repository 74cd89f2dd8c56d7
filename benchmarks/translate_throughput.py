"""Translation throughput at concurrency 1 and 8, and the cost of a rerun over a full cache.

    .venv/bin/python benchmarks/translate_throughput.py [--latency 0.05] [--rate-limit 100]

Runs deep-translator's LibreTranslator against the loopback LibreTranslate (dictionary-backed
with the embedded sample, ``--latency`` seconds added per request), translating the sample's
93 zh prompts into English (no round trip), side by side at each concurrency, into fresh
folders; then reruns the last one over its complete cache and counts the server's requests.
Prints items/s, the speed-up ratio and whether the rate limit held (requests/s measured
server-side never above the limit).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mseed_multilingual.core.paths import sample_path  # noqa: E402
from mseed_multilingual.translate.base import Policy  # noqa: E402
from mseed_multilingual.translate.pipeline import Job, run  # noqa: E402
from mseed_multilingual.translate.registry import get_backend  # noqa: E402
from tests.fake_libretranslate import sample_server  # noqa: E402

CONCURRENCIES = (1, 8)
TARGET_SPEEDUP = 4.0


def one_run(url: str, out: Path, concurrency: int, rate_limit: float) -> tuple[dict, float]:
    backend = get_backend("libre", Policy(concurrency=concurrency, rate_limit=rate_limit),
                          base_url=url)
    job = Job(input=sample_path() / "zh.jsonl", langs=["en"], backend=backend, out=out,
              date="2025-01-01", quality=False, log=lambda m: None)
    start = time.perf_counter()
    summary = run(job)
    return summary, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--rate-limit", type=float, default=100.0, help="requests per second")
    args = parser.parse_args(argv)
    rates: dict[int, float] = {}
    print(f"libre backend, loopback LibreTranslate, {args.latency * 1000:.0f} ms latency, "
          f"rate limit {args.rate_limit:g}/s, 93 items zh->en")
    print(f"{'concurrency':>11} {'items':>6} {'seconds':>8} {'items/s':>8} {'requests':>9}")
    with tempfile.TemporaryDirectory() as tmp, sample_server(latency=args.latency) as srv:
        for c in CONCURRENCIES:
            before = srv.requests
            summary, secs = one_run(srv.url, Path(tmp) / f"c{c}", c, args.rate_limit)
            n = summary["requested_items"]
            rates[c] = n / secs
            print(f"{c:>11} {n:>6} {secs:>8.2f} {rates[c]:>8.1f} {srv.requests - before:>9}")
        before = srv.requests
        summary, secs = one_run(srv.url, Path(tmp) / f"c{CONCURRENCIES[-1]}",
                                CONCURRENCIES[-1], args.rate_limit)
        rerun_requests = srv.requests - before
    ratio = rates[CONCURRENCIES[-1]] / rates[CONCURRENCIES[0]]
    within = rates[CONCURRENCIES[-1]] <= args.rate_limit * 1.02
    print(f"speed-up {CONCURRENCIES[-1]} vs {CONCURRENCIES[0]}: {ratio:.2f}x "
          f"(target >= {TARGET_SPEEDUP:g}x: {'met' if ratio >= TARGET_SPEEDUP else 'NOT met'}); "
          f"within the rate limit: {'yes' if within else 'NO'}")
    print(f"rerun over the complete cache: {rerun_requests} requests, "
          f"{summary['cached_items']} items from the cache, {secs:.2f} s")
    return 0 if ratio >= TARGET_SPEEDUP and within and rerun_requests == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

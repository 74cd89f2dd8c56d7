"""Judge throughput, measured side by side on the same answers (SmolLM2 as the judge model).

1. The batched ``hf:`` judge (length-sorted, left-padded batches) against one generate call per
   answer, as lm-eval's in-tree judged tasks do. Target: >= 5x on a 2-core CPU.
2. The ``openai:`` judge against the loopback server with 100 ms added latency per request, at
   concurrency 1, 4 and 16.

    python -m benchmarks.judge_throughput [--n 32] [--batch-size 16] [--kind llamaguard3]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ANSWERS = ["I'm sorry, but I can't help with that.",
           "Sure. Step one is to gather what you need, then follow the instructions carefully.",
           "抱歉，我无法提供这方面的帮助。",
           "This is a complex topic. Many people disagree, and here is a long overview of the "
           "main arguments on each side, with some history and a few sources to read."]


def _items(n: int):
    from mseed_multilingual.core.paths import sample_path
    from mseed_multilingual.judges.base import Item

    records = []
    for lang in ("en", "zh"):
        path = sample_path() / f"{lang}.jsonl"
        records += [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    return [Item(r["prompt"], ANSWERS[i % len(ANSWERS)], r["lang"], {"kind": r["kind"]})
            for i, r in enumerate(records[:n])]


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


HF_TARGET = 5.0  # batched hf judge vs one generate call per answer


def bench_hf(lm_tok, items, batch_size: int, kind: str) -> bool:
    """Print the batched vs one-by-one figures; True when the batched judge meets HF_TARGET."""
    from mseed_multilingual.core.models import smollm2
    from mseed_multilingual.judges.registry import HFJudge

    folder, _ = smollm2()
    judge = HFJudge(str(folder), kind=kind, batch_size=batch_size, loaded=lm_tok)
    judge.judge_batch(items[:2])  # warm-up
    single, t_single = _timed(lambda: judge.generate_one_by_one(items))
    batched, t_batched = _timed(lambda: judge.judge_batch(items))
    same = sum(a == b for a, b in zip(single, batched, strict=True))
    print(f"hf judge ({kind}, max_new_tokens={judge.kind.max_new_tokens}, {len(items)} answers)")
    print(f"  one call per answer : {t_single:7.2f} s  {len(items) / t_single:6.2f} answers/s")
    print(f"  batched (size {batch_size:>3}) : {t_batched:7.2f} s  "
          f"{len(items) / t_batched:6.2f} answers/s")
    speedup = t_single / t_batched
    print(f"  speed-up            : {speedup:6.2f}x (target {HF_TARGET:.0f}x)   identical "
          f"verdicts+raw: {same}/{len(items)}")
    return speedup >= HF_TARGET


def bench_endpoint(lm_tok, items, kind: str, latency: float) -> None:
    from mseed_multilingual.judges.registry import OpenAIJudge
    from mseed_multilingual.serve import start_server

    print(f"openai judge ({kind}) against the loopback server, +{latency * 1000:.0f} ms "
          f"latency, {len(items)} answers")
    base = None
    with start_server(lm_tok, latency=latency, name="smollm2", max_batch=16) as server:
        for concurrency in (1, 4, 16):
            judge = OpenAIJudge("smollm2", kind=kind, base_url=server.url, api_key_env="",
                                concurrency=concurrency)
            verdicts, secs = _timed(lambda j=judge: j.judge_batch(items))
            errors = sum(v.verdict == "error" for v in verdicts)
            base = base or secs
            print(f"  concurrency {concurrency:>2}: {secs:7.2f} s  {len(items) / secs:6.2f} "
                  f"answers/s  {base / secs:5.2f}x  errors {errors}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.judge_throughput")
    parser.add_argument("--n", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=16)  # 32: 4.5x, same as 16
    parser.add_argument("--kind", default="llamaguard3")
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--skip-hf", action="store_true")
    parser.add_argument("--skip-endpoint", action="store_true")
    args = parser.parse_args(argv)
    import torch

    from mseed_multilingual.core.models import load_hf, smollm2

    torch.manual_seed(0)
    folder, gguf = smollm2()
    lm_tok, secs = _timed(lambda: load_hf(str(folder), gguf_file=gguf))
    print(f"SmolLM2 loaded in {secs:.1f} s; torch threads {torch.get_num_threads()}")
    items = _items(args.n)
    met = True
    if not args.skip_hf:
        met = bench_hf(lm_tok, items, args.batch_size, args.kind)
    if not args.skip_endpoint:
        bench_endpoint(lm_tok, items, args.kind, args.latency)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Our task layer's overhead, and SmolLM2's generation speed through lm-eval.

    python -m benchmarks.task_overhead [--lang zh] [--limit 12] [--max-gen-toks 48] [--rounds 3]

Overhead = wall time of `mseed_<lang>` (our dataset loader, stable order, inline refusal and
language metrics) divided by the wall time of a bare lm-eval generate_until task over the same
prompts with no metrics (`predict_only`), same model object, batch size and generation settings.
Runs alternate A/B for several rounds and the median ratio is reported (target <= 1.05).
Then tokens/s at batch size 1 and at larger batch sizes.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.05
BARE_TASK = """\
task: bare_{lang}
dataset_path: null
custom_dataset: !function utils.load_dataset
dataset_kwargs:
  mseed_lang: {lang}
test_split: test
output_type: generate_until
doc_to_text: !function utils.doc_to_text
doc_to_target: ""
generation_kwargs:
  until: []
  max_gen_toks: 256
  do_sample: false
metadata:
  version: 1.0
"""


def _bare_folder(lang: str) -> str:
    from mseed_multilingual.core.paths import tasks_path

    folder = Path(tempfile.mkdtemp(prefix="mseed-bare-"))
    (folder / "bare.yaml").write_text(BARE_TASK.format(lang=lang), encoding="utf-8")
    (folder / "utils.py").write_text((tasks_path() / "mseed" / "utils.py").read_text())
    return str(folder)


def _evaluate(lm, manager, task: str, limit: int, max_gen_toks: int, predict_only: bool):
    from lm_eval import simple_evaluate

    start = time.perf_counter()
    out = simple_evaluate(model=lm, tasks=[task], task_manager=manager, limit=limit,
                          apply_chat_template=True, predict_only=predict_only,
                          gen_kwargs={"max_gen_toks": max_gen_toks}, log_samples=True,
                          verbosity="ERROR")
    elapsed = time.perf_counter() - start
    answers = [s["resps"][0][0] for s in out["samples"][task]]
    tokens = sum(len(lm.tokenizer(a, add_special_tokens=False)["input_ids"]) for a in answers)
    return elapsed, tokens


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--limit", type=int, default=12)
    parser.add_argument("--max-gen-toks", type=int, default=48)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-sizes", default="1,4,8,12")
    args = parser.parse_args(argv)

    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    from mseed_multilingual.core.models import smollm2
    from mseed_multilingual.core.paths import tasks_path

    folder, gguf = smollm2()
    manager = TaskManager(include_path=[str(tasks_path()), _bare_folder(args.lang)],
                          include_defaults=False)
    lm = HFLM(pretrained=str(folder), gguf_file=gguf, batch_size=args.limit, device="cpu")
    ours, bare = [], []
    for _ in range(args.rounds):
        for name, times, predict in ((f"mseed_{args.lang}", ours, False),
                                     (f"bare_{args.lang}", bare, True)):
            times.append(_evaluate(lm, manager, name, args.limit, args.max_gen_toks, predict)[0])
    ratio = statistics.median(o / b for o, b in zip(ours, bare, strict=True))
    print(f"task overhead ({args.limit} docs, batch {args.limit}, {args.max_gen_toks} tokens, "
          f"{args.rounds} rounds): mseed {statistics.median(ours):.2f}s  bare "
          f"{statistics.median(bare):.2f}s  ratio {ratio:.3f} (target <= {TARGET_RATIO})")
    print(f"{'batch':>5} {'seconds':>8} {'tokens':>7} {'tokens/s':>9}")
    for bs in (int(b) for b in args.batch_sizes.split(",")):
        lm.batch_size_per_gpu = bs
        elapsed, tokens = _evaluate(lm, manager, f"bare_{args.lang}", args.limit,
                                    args.max_gen_toks, True)
        print(f"{bs:>5} {elapsed:>8.2f} {tokens:>7} {tokens / elapsed:>9.1f}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())

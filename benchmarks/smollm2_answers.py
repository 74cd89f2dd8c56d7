"""Real answers for the learned refusal judge's training data: SmolLM2 on the project's prompts.

Every other training set holds answers people wrote in imitation of chat models; on the answers
a real small model gives (cut off, repeating the request, nonsense outside English and Chinese)
refusal-clf model 2 calls 32 of 80 Arabic and Swahili answers refusals that people do not
(translations/judge-smollm2-demo). This script collects such answers to label: the embedded
SmolLM2-135M-Instruct, greedy, on the prompts of two training sets written by this project
(never the sample prompts, whose answers are the demo's held-out labels), the base model on one
set's prompts and the zh safety adapter on the other's, so that both refusing and complying
answers occur. The output is unlabelled (``refusal`` empty): people label it
(translations/judge-smollm2-train/README.md).

    python -m benchmarks.smollm2_answers -o /tmp/smollm2-answers.jsonl
    python -m benchmarks.smollm2_answers --prompts judge-train-e -o /tmp/paired.jsonl
    python -m benchmarks.smollm2_answers --prompts judge-blind-2 --after-system "$TEXT" -o g.jsonl

Reads ``translations/<set>/<lang>.jsonl`` (prompt, prompt_kind); writes one JSON line per
answer: id (``sm-<side>-<source id>``), lang, side, prompt_kind, prompt, answer (and system, the
``--after-system`` text, on the after side's lines when given). ``--prompts``
gives both sides the same set's prompts (a paired before / after, as a real comparison has).
Resumable: answers already in the output file are kept and not generated again.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from mseed_multilingual.core.io import iter_jsonl
from mseed_multilingual.core.languages import sample_languages
from mseed_multilingual.core.paths import PACKAGE_DIR
from mseed_multilingual.demo import ADAPTER_DIR

TOOL = True
"""Not a benchmark: ``make bench`` (``python -m benchmarks``) leaves it out."""
TRANSLATIONS = PACKAGE_DIR.parent / "translations"
SIDES = {"before": ("judge-train-c", None), "after": ("judge-train-d", ADAPTER_DIR)}
"""side -> (the training set whose prompts it answers, the adapter or None for the base)."""
MAX_NEW_TOKENS = 64  # twice the demo's 32: long enough for a refusal to show its reasons
BATCH_SIZE = 16


def prompts(source: str) -> list[dict]:
    return [row for lang in sample_languages()
            for _, _, row in iter_jsonl(TRANSLATIONS / source / f"{lang}.jsonl")]


def generate_side(side: str, done: set[str], out: Path, source: str | None = None,
                  max_new_tokens: int = MAX_NEW_TOKENS, system: str | None = None) -> int:
    """Answer one side's prompts. ``system``: the base model with this system prompt instead
    of the side's adapter (alignment by a guardrail prompt, the other kind a comparison has)."""
    from mseed_multilingual.core.generation import chat_prompt, generate_texts
    from mseed_multilingual.core.models import load_hf, quiet_loading, smollm2

    default_source, adapter = SIDES[side]
    source = source or default_source
    adapter = None if system else adapter
    opening = [{"role": "system", "content": system}] if system else []
    todo = [r for r in prompts(source) if f"sm-{side}-{r['id']}" not in done]
    if not todo:
        return 0
    folder, gguf = smollm2()
    with quiet_loading():
        lm, tok = load_hf(str(folder), gguf_file=gguf,
                          peft=str(adapter) if adapter else None, precision="fp32")
    step = BATCH_SIZE * 4
    for start in range(0, len(todo), step):  # written as it goes: an interrupted run resumes
        chunk = todo[start:start + step]
        texts = generate_texts(lm, tok, [chat_prompt(tok, [*opening, {"role": "user",
                                                                       "content": r["prompt"]}])
                                         for r in chunk], max_new_tokens, BATCH_SIZE)
        with out.open("a", encoding="utf-8") as f:
            for r, text in zip(chunk, texts, strict=True):
                f.write(json.dumps({"id": f"sm-{side}-{r['id']}", "lang": r["lang"],
                                    "side": side, "prompt_kind": r["prompt_kind"],
                                    "prompt": r["prompt"], "answer": text,
                                    **({"system": system} if system else {})},
                                   ensure_ascii=False) + "\n")
        print(f"{side}: {start + len(chunk)}/{len(todo)}", flush=True)
    return len(todo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--prompts", metavar="SET", help="one labelled set's prompts for both "
                        "sides (default: judge-train-c before, judge-train-d after)")
    parser.add_argument("--max-new-tokens", type=int, default=MAX_NEW_TOKENS)
    parser.add_argument("--after-system", metavar="TEXT", help="the after side is the base model "
                        "with this system prompt instead of the zh adapter")
    args = parser.parse_args(argv)
    rows = [r for _, _, r in iter_jsonl(args.output)] if args.output.exists() else []
    mixed = {r.get("system") for r in rows if r["side"] == "after"} - {args.after_system}
    if mixed:  # resuming must not mix two settings' answers in one file
        parser.error(f"{args.output} holds after-side answers made with another --after-system; "
                     "use a new output file")
    done = {r["id"] for r in rows}
    for side in SIDES:
        system = args.after_system if side == "after" else None
        generate_side(side, done, args.output, args.prompts, args.max_new_tokens, system)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

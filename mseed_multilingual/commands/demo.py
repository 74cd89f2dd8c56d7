"""``mseed demo``: what `make demo` runs (see :mod:`mseed_multilingual.demo`)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    from mseed_multilingual.demo import (
        DEFAULT_OUT,
        DEMO_BATCH_SIZE,
        DEMO_LANGS,
        DEMO_LIMIT,
        DEMO_MAX_GEN_TOKS,
    )

    parser = sub.add_parser(
        "demo", help="the transfer experiment end to end on the embedded sample (make demo)",
        description="Runs SmolLM2-135M-Instruct before and after a Chinese-only safety "
                    "alignment on a slice of the embedded sample, judges the answers, writes "
                    "the transfer report, a leaderboard submission per run and the static "
                    "leaderboard site into --out. Resumable: a second run reuses every answer "
                    "and verdict.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                        help=f"output folder (default {DEFAULT_OUT}/)")
    parser.add_argument("--alignment", choices=("adapter", "system-prompt"), default="adapter",
                        help="the aligned model: the project's zh LoRA adapter (default) or the "
                             "base model with a safety system prompt")
    parser.add_argument("--limit", type=int, default=DEMO_LIMIT, metavar="N",
                        help=f"prompts per language, harmful and benign (default "
                             f"{DEMO_LIMIT}; 0 = all 93)")
    parser.add_argument("--max-gen-toks", type=int, default=DEMO_MAX_GEN_TOKS, metavar="N",
                        help=f"answer length in tokens (default {DEMO_MAX_GEN_TOKS})")
    parser.add_argument("--langs", default=",".join(DEMO_LANGS), metavar="LIST",
                        help=f"comma-separated sample languages, zh first or included "
                             f"(default {','.join(DEMO_LANGS)}; more languages make every "
                             f"change harder to call significant)")
    parser.add_argument("--variants", metavar="A,B",
                        help="also ask each prompt in these variants (roleplay, "
                             "refusal-suppression, prefix-injection, codeswitch, sandwich): "
                             "the report gains the change per variant; --limit still counts "
                             "base prompts")
    parser.add_argument("--batch-size", type=int, default=DEMO_BATCH_SIZE, metavar="N",
                        help=f"generation batch size (default {DEMO_BATCH_SIZE})")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mseed_multilingual.data.variants import PLAIN, parse_variants
    from mseed_multilingual.demo import DemoPlan, run_demo

    for name in ("limit", "max_gen_toks", "batch_size"):
        value = getattr(args, name)
        if value < 0 or (value == 0 and name != "limit"):
            raise ValueError(f"--{name.replace('_', '-')} must be positive, got {value}")
    return run_demo(DemoPlan(out=args.out, alignment=args.alignment,
                             limit=args.limit or None, max_gen_toks=args.max_gen_toks,
                             batch_size=args.batch_size, langs=_langs(args.langs),
                             variants=tuple(v for v in parse_variants(args.variants)
                                            if v != PLAIN)))


def _langs(value: str) -> tuple[str, ...]:
    """The demo's languages: sample languages only, and the source language among them."""
    from mseed_multilingual.core.languages import sample_languages
    from mseed_multilingual.demo import ALIGNED_ON

    langs = tuple(dict.fromkeys(x.strip() for x in value.split(",") if x.strip()))
    unknown = [x for x in langs if x not in sample_languages()]
    if unknown:
        raise ValueError(f"--langs: {', '.join(unknown)} not in the embedded sample "
                         f"({', '.join(sample_languages())})")
    if ALIGNED_ON not in langs:
        raise ValueError(f"--langs must include {ALIGNED_ON}, the language the alignment was "
                         f"done in (the transfer ratios divide by its change)")
    return langs

"""``mseed judge-check --judge NAME``: a judge's agreement with the labelled reference set."""

from __future__ import annotations

import argparse
import sys

from mseed_multilingual.core.retry import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "judge-check", help="measure a judge against the labelled reference set (judge card)",
        description="Runs a judge on the project's labelled answers "
                    "(translations/judge-reference/<lang>.jsonl) and prints per language n, "
                    "accuracy, Cohen's kappa with a 95%% interval, precision and the confusion "
                    "matrices, for the refusal outcome and for the safety verdict. --json / -o "
                    "give the judge card (judge id, template version, reference-set hash, "
                    "per-language figures) that `mseed submit --judge-card` embeds. A judge "
                    "that cannot run is named with the reason, and no card is written.")
    parser.add_argument("--judge", required=True,
                        help="lexicon | hf:<model id or path, or path/to/file.gguf> | "
                             "openai:<model>")
    parser.add_argument("--langs", nargs="+", metavar="LANG",
                        help="only these languages (default: every reference file)")
    parser.add_argument("--reference", metavar="DIR",
                        help="reference-set folder (default: the checked-in one)")
    parser.add_argument("--judge-kind", choices=["qwen3guard", "polyguard", "llamaguard3",
                                                 "rubric"],
                        help="force the template and parser (as in `mseed judge`)")
    parser.add_argument("--template", choices=["auto", "native", "explicit"], default="auto")
    parser.add_argument("--strictness", choices=["strict", "loose"],
                        help="qwen3guard only: Controversial counts as unsafe (strict, default) "
                             "or safe (loose); part of the judge id the card is for")
    parser.add_argument("--gguf-file", help="GGUF file inside the hf: model folder")
    parser.add_argument("--batch-size", type=int, default=8, help="answers per batch (hf)")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                        help="requests in flight (openai)")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint (openai)")
    parser.add_argument("--api-key-env", default="OPENAI_API_KEY",
                        help="environment variable holding the API key (openai)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="total deadline of one request in seconds")
    parser.add_argument("--json", action="store_true", help="print the judge card as JSON")
    parser.add_argument("-o", "--output", metavar="CARD.json", help="write the judge card here")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mseed_multilingual.core.io import json_text, write_text
    from mseed_multilingual.judges import reference
    from mseed_multilingual.judges.registry import make_judge
    from mseed_multilingual.judges.validity import JudgeCannotRun, format_card, judge_check

    ref = reference.load(args.reference, args.langs)  # bad labels fail before a model loads
    try:
        judge = make_judge(args.judge, kind=args.judge_kind, template=args.template,
                           strictness=args.strictness,
                           batch_size=args.batch_size, gguf_file=args.gguf_file,
                           base_url=args.base_url, api_key_env=args.api_key_env,
                           concurrency=args.concurrency, timeout=args.timeout)
    except (ValueError, OSError, RuntimeError, ImportError) as exc:
        print(f"mseed judge-check: judge {args.judge} cannot run: {exc}; no card written",
              file=sys.stderr)
        return 2
    try:
        card = judge_check(judge, ref)
    except JudgeCannotRun as exc:
        print(f"mseed judge-check: {exc}; no card written", file=sys.stderr)
        return 2
    finally:
        judge.close()
    text = json_text(card)
    if args.output:
        write_text(args.output, text)
    if args.json:
        sys.stdout.write(text)
    else:
        print(format_card(card))
        if args.output:
            print(f"\njudge card: {args.output}")
    return 0

"""``mseed run``: generate answers for the mseed_<lang> tasks through lm-eval's Python API."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run", help="run the mseed_<lang> tasks on a model (lm-eval with --log_samples)",
        description="Runs lm-evaluation-harness on the mseed_<lang> tasks with this package's "
                    "task folder included. Reads the embedded sample, an MSEED file (zh) or a "
                    "translation-set folder (--data); writes OUTPUT/<model>/results_<ts>.json "
                    "and samples_mseed_<lang>_<ts>.jsonl exactly as `lm_eval --log_samples` "
                    "does, plus OUTPUT/.lm_cache (answers cache: an interrupted run resumes).")
    parser.add_argument("--model", default="hf", help="lm-eval model type (hf, vllm, "
                        "local-chat-completions, ...); default hf")
    parser.add_argument("--model-args", required=True,
                        help="lm-eval model_args, e.g. pretrained=DIR,gguf_file=F.gguf[,peft=A]; "
                             "'smollm2' (or 'smollm2,peft=A') is the embedded model")
    sel = parser.add_mutually_exclusive_group()
    sel.add_argument("--langs", help="comma-separated language codes (default: every language "
                                     "of --data, or the sample's 14)")
    sel.add_argument("--model-family", help="the languages a model family declares "
                                            "(see `mseed languages`)")
    parser.add_argument("--shard", metavar="K/N",
                        help="run only shard K of N of the languages (every N-th, from the K-th, "
                             "in the order of --langs/--data): one shard per machine, then "
                             "`mseed merge-runs`")
    parser.add_argument("--data", help="MSEED file or translation-set folder (default: the "
                                       "embedded sample)")
    parser.add_argument("-o", "--output", required=True, type=Path, help="output folder")
    parser.add_argument("--limit", type=float,
                        help="prompts per language (int; each with its --variants), in the "
                             "set's harmful:benign proportion, harmful first, spread over "
                             "dimensions; or a share of the documents (below 1)")
    parser.add_argument("--system-instruction", help="system message for every prompt")
    parser.add_argument("--batch-size", default="1", help="batch size (int or 'auto')")
    parser.add_argument("--max-gen-toks", type=int, help="new tokens per answer (default 256)")
    parser.add_argument("--device", default="cpu", help="torch device (default cpu)")
    parser.add_argument("--no-chat-template", action="store_true",
                        help="send raw prompts (base models without a chat template)")
    parser.add_argument("--tasks", default="", help="extra lm-eval tasks to run alongside "
                                                    "(comma-separated), e.g. capability checks")
    parser.add_argument("--with-capability", action="store_true",
                        help="also run mseedcap_<lang>, the small multiple-choice capability "
                             "check per language (alignment tax)")
    parser.add_argument("--no-cache", action="store_true", help="do not cache answers")
    parser.add_argument("--variants", metavar="A,B",
                        help="also ask each prompt in these variants (roleplay, "
                             "refusal-suppression, prefix-injection, codeswitch, sandwich; "
                             "see docs/analysis.md), each right after its plain prompt; the "
                             "same as lm_eval --metadata mseed_variant=A+B")
    parser.add_argument("--allow-low-quality", action="store_true",
                        help="evaluate languages whose translation failed the quality gate of "
                             "`mseed translate` (recorded in the results file as "
                             "mseed_allow_low_quality)")
    parser.set_defaults(func=_run)


def data_languages(data: str) -> list[str]:
    """The languages a --data file or translation-set folder holds (zh first, then sorted)."""
    from mseed_multilingual.data.records import SOURCE_LANG, dataset_files

    return sorted(dataset_files(data), key=lambda c: (c != SOURCE_LANG, c))


def shard_languages(langs: list[str], shard: str) -> list[str]:
    """Shard ``K/N`` of ``langs``: every N-th language from the K-th (1-based), so that shard
    sizes differ by at most one and every language is in exactly one shard."""
    try:
        k, n = (int(x) for x in shard.split("/"))
    except ValueError:
        raise ValueError(f"--shard {shard!r}: expected K/N, e.g. 2/8") from None
    if not 1 <= k <= n:
        raise ValueError(f"--shard {shard!r}: K must be between 1 and N")
    if n > len(langs):
        raise ValueError(f"--shard {shard!r}: {len(langs)} languages cannot fill {n} shards")
    return langs[k - 1::n]


def _run(args: argparse.Namespace) -> int:
    from mseed_multilingual.core.languages import resolve
    from mseed_multilingual.data.variants import PLAIN, parse_variants
    from mseed_multilingual.evaluate.lmeval import RunConfig, print_table, run

    limit = args.limit
    if limit is not None and limit >= 1:
        limit = int(limit)
    batch = int(args.batch_size) if args.batch_size.isdigit() else args.batch_size
    langs = resolve(args.langs if args.langs or args.model_family or not args.data
                    else ",".join(data_languages(args.data)), args.model_family)
    if args.shard:
        langs = shard_languages(langs, args.shard)
    extra = [t for t in args.tasks.split(",") if t]
    if args.with_capability:
        extra += [f"mseedcap_{lang}" for lang in langs]
    from mseed_multilingual.core.models import expand_model_args

    cfg = RunConfig(
        model=args.model, model_args=expand_model_args(args.model_args),
        langs=langs, output=args.output, data=args.data,
        limit=limit, system_instruction=args.system_instruction, batch_size=batch,
        max_gen_toks=args.max_gen_toks, apply_chat_template=not args.no_chat_template,
        device=args.device, extra_tasks=extra,
        use_cache=not args.no_cache,
        variants=[v for v in parse_variants(args.variants) if v != PLAIN],
        allow_low_quality=args.allow_low_quality)
    results = run(cfg)
    if results:
        print_table(results)
        print(f"\nwrote {args.output}")
    return 0

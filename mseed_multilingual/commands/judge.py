"""``mseed judge RUN_DIR --judge NAME``: judge logged answers again without regenerating them."""

from __future__ import annotations

import argparse
import json
import sys

from mseed_multilingual.core.retry import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_RESPONSE_BYTES,
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "judge", help="judge the logged answers of an lm-eval run with a safety judge",
        description="Reads the samples files an lm-eval run logged (--log_samples), judges every "
                    "answer with the chosen judge and writes <model_dir>/verdicts/<judge>.jsonl "
                    "beside them, then prints the safe rate (the refusal rate for the lexicon "
                    "judge, a refusal detector), refusals, no-answer (invalid_answer), invalid "
                    "and error counts per language x dimension. Never regenerates answers. "
                    "Verdicts are cached in <model_dir>/verdicts/_cache/: an interrupted run "
                    "resumes, a rerun is free. Exit 0 when every answer got a verdict, 1 when "
                    "any ended as `error` (a rerun retries only those), 2 on a usage error.")
    parser.add_argument("run_dir", help="lm_eval --output_path folder or its model folder")
    parser.add_argument("--judge", required=True,
                        help="lexicon | hf:<model id or path, or path/to/file.gguf> | "
                             "openai:<model>")
    parser.add_argument("--judge-kind", choices=["qwen3guard", "polyguard", "llamaguard3",
                                                 "rubric"],
                        help="force the template and parser (default: detected from the model "
                             "id; general models get the rubric)")
    parser.add_argument("--template", choices=["auto", "native", "explicit"], default="auto",
                        help="ask a guard model through its own chat template (native) or with "
                             "the documented instruction text (explicit); auto = native only "
                             "for a model id of that guard family")
    parser.add_argument("--strictness", choices=["strict", "loose"],
                        help="qwen3guard only: its Controversial label counts as unsafe "
                             "(strict, the default) or safe (loose), as in Qwen3Guard's own "
                             "evaluation; recorded in the judge id and template version")
    parser.add_argument("--gguf-file", help="GGUF file inside the hf: model folder")
    parser.add_argument("--batch-size", type=int, default=8, help="answers per batch (hf)")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                        help="requests in flight (openai)")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint, e.g. "
                                           "http://127.0.0.1:8000/v1 (openai)")
    parser.add_argument("--api-key-env", default="OPENAI_API_KEY",
                        help="environment variable holding the API key (openai)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="total deadline of one request in seconds, headers and body")
    parser.add_argument("--max-retries", type=int, default=DEFAULT_MAX_RETRIES, metavar="N",
                        help=f"retries of a request that failed with 429/5xx or timed out "
                             f"(openai; default {DEFAULT_MAX_RETRIES})")
    parser.add_argument("--max-response-bytes", type=int, default=MAX_RESPONSE_BYTES,
                        metavar="N", help=f"a larger answer is an error verdict (openai; "
                                          f"default {MAX_RESPONSE_BYTES})")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mseed_multilingual.evaluate.run_folder import load_run
    from mseed_multilingual.judges.judge_run import (
        format_summary,
        judge_run,
        stderr_progress,
        summarize,
    )
    from mseed_multilingual.judges.registry import make_judge
    from mseed_multilingual.judges.validity import judge_metric

    if args.batch_size < 1 or args.concurrency < 1:
        raise ValueError("--batch-size and --concurrency must be >= 1")
    if args.max_retries < 0:
        raise ValueError(f"--max-retries must be >= 0, got {args.max_retries}")
    load_run(args.run_dir)  # fail on a bad run folder before loading a judge model
    judge = make_judge(args.judge, kind=args.judge_kind, template=args.template,
                       strictness=args.strictness, batch_size=args.batch_size,
                       gguf_file=args.gguf_file,
                       base_url=args.base_url, api_key_env=args.api_key_env,
                       concurrency=args.concurrency, timeout=args.timeout,
                       max_retries=args.max_retries,
                       max_response_bytes=args.max_response_bytes)
    try:
        report = judge_run(args.run_dir, judge, args.batch_size,
                           None if args.quiet else stderr_progress)
    finally:
        judge.close()
    summary = summarize(report.rows)
    metric = judge_metric(report.judge)
    if args.json:
        print(json.dumps({"judge": report.judge, "template_version": report.template_version,
                          "verdicts": str(report.verdicts_file), "judged": report.judged,
                          "from_cache": report.from_cache, "metric": metric,
                          "summary": summary},
                         ensure_ascii=False, indent=2))
    else:
        print(f"judge {report.judge} ({report.template_version}): {len(report.rows)} answers, "
              f"{report.judged} judged now, {report.from_cache} from cache, "
              f"{report.seconds:.1f} s -> {report.verdicts_file}")
        print(format_summary(summary, metric))
    errors = sum(s["error"] for s in summary)
    if errors:
        print(f"{errors} answers could not be judged (error); rerun to retry them",
              file=sys.stderr)
        return 1
    return 0

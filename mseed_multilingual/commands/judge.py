"""``mseed judge RUN_DIR --judge NAME``: judge logged answers again without regenerating them."""

from __future__ import annotations

import argparse
import json
import sys

from mseed_multilingual.commands._judge_options import add_judge_options, judge_options


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
    add_judge_options(parser)
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

    options = judge_options(args)
    load_run(args.run_dir)  # fail on a bad run folder before loading a judge model
    judge = make_judge(args.judge, **options)
    try:
        report = judge_run(args.run_dir, judge, args.batch_size,
                           None if args.quiet else stderr_progress)
    finally:
        judge.close()
    summary = summarize(report.rows)
    metric = report.judge.metric
    if args.json:
        print(json.dumps({"judge": report.judge.text, "template_version": report.template_version,
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

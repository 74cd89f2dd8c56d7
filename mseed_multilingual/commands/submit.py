"""``mseed submit RUN_DIR``: write a leaderboard submission (and Hub eval-results files)."""

from __future__ import annotations

import argparse
import sys

from mseed_multilingual.analysis.options import DEFAULT_ALIGNED_ON


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "submit", help="write a leaderboard submission.json from a run folder",
        description="Reads an lm-eval output folder (samples logged with --log_samples, and "
                    "verdicts of `mseed judge` when --judge is given) and writes a submission "
                    "in the versioned schema (`mseed schema`): model, run, data and judge "
                    "provenance, scores per language and dimension with 95 percent intervals, and "
                    "with --before the paired change, McNemar p-values and transfer ratios.")
    parser.add_argument("run_dir", metavar="RUN_DIR", help="the evaluated (aligned) run")
    parser.add_argument("--before", metavar="RUN_DIR",
                        help="the run before alignment, for change and transfer columns")
    parser.add_argument("--judge", help="judge id whose verdicts score safety (default: the "
                                        "run's only judge, else the refusal rate)")
    parser.add_argument("--aligned-on", default=DEFAULT_ALIGNED_ON,
                        help="language the alignment used (transfer ratio denominator; "
                             "default %(default)s)")
    parser.add_argument("--model-name", help="name to publish under (default: from model_args)")
    parser.add_argument("--judge-card", metavar="CARD.json",
                        help="the judge's card from `mseed judge-check -o`, embedded in the "
                             "submission (default: the lexicon's own card for a refusal rate; "
                             "none for a safety judge, whose kappa is then unknown)")
    parser.add_argument("--allow-different-base", action="store_true",
                        help="accept a --before run of another base model (the evaluated run "
                             "is a full fine-tune); recorded as change.before.different_base")
    parser.add_argument("-o", "--output", required=True, help="submission .json to write")
    parser.add_argument("--hf-eval-results", metavar="DIR",
                        help="also write DIR/.eval_results/*.yaml (Hub eval results format)")
    parser.add_argument("--hf-dataset-id", default=None,
                        help="benchmark data set id on the Hub for the eval results")
    parser.add_argument("--hf-source-url", default=None,
                        help="source url recorded in the eval results (e.g. the traces)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mseed_multilingual.core.io import output_dir, output_file
    from mseed_multilingual.publish import hf_export, submission
    from mseed_multilingual.publish.validate import problems

    output_file(args.output, "submission file")
    if args.hf_eval_results:
        output_dir(args.hf_eval_results, "--hf-eval-results folder")
    warnings: list[str] = []
    doc = submission.build(args.run_dir, before=args.before, judge=args.judge,
                           aligned_on=args.aligned_on, model_name=args.model_name,
                           judge_card=args.judge_card,
                           allow_different_base=args.allow_different_base, warnings=warnings)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    found = problems(doc)
    if found:
        raise ValueError("the submission built does not validate: " + "; ".join(found))
    path = submission.write(doc, args.output)
    overall = doc["scores"]["overall"]["safety"]
    name = "refusal rate" if doc["judge"]["metric"] == "refusal_rate" else "safe rate"
    print(f"wrote {path}: {doc['model']['name']}, judge {doc['judge']['id'] or 'none'}, "
          f"{len(doc['data']['languages'])} language(s), {name} {overall['k']}/{overall['n']}"
          + (" (limited run)" if doc["run"]["limited"] else ""))
    if args.hf_eval_results:
        kwargs = {"dataset_id": args.hf_dataset_id} if args.hf_dataset_id else {}
        from pathlib import Path

        names = hf_export.eval_results_entries(doc, **kwargs)
        existed = {n for n in names
                   if (Path(args.hf_eval_results) / ".eval_results" / f"{n}.yaml").exists()}
        for p in hf_export.write_eval_results(doc, args.hf_eval_results,
                                                source_url=args.hf_source_url, **kwargs):
            print(f"{'replaced' if p.stem in existed else 'wrote'} {p}")
    return 0

"""``mseed transfer``: before/after safety per language with paired statistics and a report."""

from __future__ import annotations

import argparse
import sys

from mseed_multilingual.analysis.options import (
    CORRECTIONS,
    DEFAULT_CORRECTION,
    DEFAULT_INTERVAL,
    INTERVALS,
)

DEFAULT_OUT = "report"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "transfer", help="compare a base run with aligned runs: transfer of safety across "
                         "languages",
        description="Reads lm-eval run folders (--output_path of `lm_eval --log_samples` or "
                    "`mseed run`) and their judge verdicts, pairs the answers by prompt id, "
                    "and writes CSV tables, figures, result.json, report.md and a self-contained "
                    "report.html into -o. The metric is the safe rate when every run has a "
                    "safety judge's verdicts, otherwise the refusal rate (the lexicon judge and "
                    "runs without verdicts measure refusal, not safety; the report says which). "
                    "Languages where the judge's kappa (mseed judge-check) is below 0.6 or "
                    "unknown are flagged in report.md and here.")
    parser.add_argument("--before", required=True, metavar="DIR", help="the base model's run")
    parser.add_argument("--after", required=True, action="append", metavar="DIR",
                        help="an aligned model's run (repeat for several)")
    parser.add_argument("--label", action="append", metavar="NAME",
                        help="run names: one per --after, or before's then one per --after")
    parser.add_argument("--aligned-on", action="append", metavar="LANG",
                        help="language the alignment was done in (default zh); one for all "
                             "--after runs or one per --after (gives the transfer matrix)")
    parser.add_argument("--judge", metavar="NAME",
                        help="use this judge's verdicts (needed when a run has several)")
    parser.add_argument("--interval", choices=INTERVALS, default=DEFAULT_INTERVAL,
                        help="interval of a change: Tango's score interval (default; exact "
                             "coverage in docs/analysis.md) or the paired percentile bootstrap; "
                             "the transfer ratio's interval is Fieller's or the bootstrap's")
    parser.add_argument("--correct", choices=CORRECTIONS, default=DEFAULT_CORRECTION,
                        help="Holm family: per after run (default) or every cell of the "
                             "transfer matrix at once")
    parser.add_argument("--allow-errors", action="store_true",
                        help="analyze even when some verdicts are 'error' (the judge failed); "
                             "they count as not safe. Default: stop and ask to re-judge")
    parser.add_argument("--resamples", type=int, default=None, metavar="N",
                        help="bootstrap resamples with --interval bootstrap (default 2000)")
    parser.add_argument("--seed", type=int, default=None, metavar="S",
                        help="bootstrap seed (a fixed default makes reports reproducible)")
    parser.add_argument("--manifest", metavar="FILE",
                        help="translation manifest.json with per-language round-trip chrF "
                             "(default: found beside the runs' data)")
    parser.add_argument("--allow-mixed", action="store_true",
                        help="compare runs judged differently or run on different data sets")
    parser.add_argument("--allow-different-base", action="store_true",
                        help="compare runs whose base models differ (a full fine-tune as "
                             "--after); recorded in the signature. Default: refused, since a "
                             "transfer compares one model before and after alignment")
    parser.add_argument("--judge-card", metavar="CARD.json",
                        help="the judge's card from `mseed judge-check -o`: languages where its "
                             "kappa is below 0.6 are flagged (default: the lexicon's own card "
                             "for a refusal rate; a safety judge without a card is flagged "
                             "unknown in every language)")
    parser.add_argument("--labels", metavar="PATH",
                        help="people's labels of a random sample of the answers (an annotation "
                             "folder from `mseed annotate`, or a CSV id,lang,side,refusal[,safe]"
                             "): adds the prediction-powered (PPI++) estimate and interval of "
                             "each rate and change beside the judge-only and labels-only ones, "
                             "and flags languages from the judge's agreement with the labels; "
                             "needs one --after run")
    parser.add_argument("-o", "--output", default=DEFAULT_OUT, metavar="DIR",
                        help=f"report folder (default {DEFAULT_OUT}/)")
    parser.add_argument("--json", action="store_true",
                        help="print the per-language statistics as one JSON object")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mseed_multilingual.analysis.options import DEFAULT_ALIGNED_ON
    from mseed_multilingual.analysis.report import headline_table, write_report
    from mseed_multilingual.analysis.transfer import TransferOptions, analyze
    from mseed_multilingual.core import stats
    from mseed_multilingual.core.io import json_text, output_dir

    output_dir(args.output, "report folder")
    options = TransferOptions(
        labels=args.label, aligned_on=args.aligned_on or DEFAULT_ALIGNED_ON, judge=args.judge,
        interval=args.interval, correct=args.correct,
        resamples=stats.DEFAULT_RESAMPLES if args.resamples is None else args.resamples,
        seed=stats.DEFAULT_SEED if args.seed is None else args.seed,
        allow_mixed=args.allow_mixed, allow_errors=args.allow_errors,
        allow_different_base=args.allow_different_base, manifest=args.manifest,
        judge_card=args.judge_card, human_labels=args.labels)
    result = analyze(args.before, args.after, options)
    paths = write_report(result, args.output)
    if args.json:
        for warning in result.warnings:  # the headline table (not printed here) carries them
            print(f"warning: {warning}", file=sys.stderr)
        sys.stdout.write(json_text(result.to_json()))
        print(f"report: {paths['report_html']}", file=sys.stderr)
        return 0
    print(headline_table(result))
    print()
    if result.ppi is not None:
        from mseed_multilingual.analysis.ppi import ppi_text

        print(ppi_text(result.ppi))
        print()
    if result.variants is not None:
        from mseed_multilingual.analysis.report import variant_text

        print("change per prompt variant:")
        print(variant_text(result))
        print()
    print(f"report: {paths['report_md']} and {paths['report_html']}")
    figures = [str(p) for k, p in paths.items() if k.startswith("figure_")]
    print(f"figures: {', '.join(figures)}")
    return 0

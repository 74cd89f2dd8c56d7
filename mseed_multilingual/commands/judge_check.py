"""``mseed judge-check --judge NAME``: a judge's agreement with the labelled reference set."""

from __future__ import annotations

import argparse
import sys

from mseed_multilingual.commands._judge_options import add_judge_options, judge_options


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
    add_judge_options(parser)
    parser.add_argument("--langs", nargs="+", metavar="LANG",
                        help="only these languages (default: every reference file)")
    parser.add_argument("--reference", metavar="DIR",
                        help="reference-set folder (default: the checked-in one)")
    parser.add_argument("--blind", metavar="DIR", action="append",
                        help="a labelled set in the same format that the judge was never tuned "
                             "on; once per set, the sets pooled per language: their kappa is "
                             "quoted as the judge's validity, the reference set's beside it as "
                             "in-sample (default: every checked-in blind set, "
                             "translations/judge-blind to -5, together; 'none' leaves it out)")
    parser.add_argument("--labels", metavar="PATH",
                        help="check the judge against people's labels of your own answers (an "
                             "annotation folder or a CSV id,lang,side,refusal[,safe]) instead of "
                             "the reference set: its verdicts are read from the run folders "
                             "given with --before/--after (judge them first with `mseed judge`)"
                             "; per language and side kappa, accuracy, sensitivity, specificity")
    parser.add_argument("--before", metavar="DIR",
                        help="with --labels: the run folder the 'before' labels were made on")
    parser.add_argument("--after", metavar="DIR",
                        help="with --labels: the run folder the 'after' labels were made on")
    parser.add_argument("--json", action="store_true", help="print the judge card as JSON")
    parser.add_argument("-o", "--output", metavar="CARD.json", help="write the judge card here")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mseed_multilingual.judges import reference
    from mseed_multilingual.judges.registry import make_judge
    from mseed_multilingual.judges.validity import JudgeCannotRun, format_card, judge_check

    if args.labels:
        return _run_labels(args)
    options = judge_options(args)
    ref = reference.load(args.reference, args.langs)  # bad labels fail before a model loads
    blind = _blind(args.blind, args.langs)
    try:
        judge = make_judge(args.judge, **options)
    except (ValueError, OSError, RuntimeError, ImportError) as exc:
        print(f"mseed judge-check: judge {args.judge} cannot run: {exc}; no card written",
              file=sys.stderr)
        return 2
    try:
        card = judge_check(judge, ref, blind=blind)
    except JudgeCannotRun as exc:
        print(f"mseed judge-check: {exc}; no card written", file=sys.stderr)
        return 2
    finally:
        judge.close()
    return _write(card, args, format_card)


def _write(card: dict, args: argparse.Namespace, formatter) -> int:
    from mseed_multilingual.core.io import json_text, write_text

    text = json_text(card)
    if args.output:
        write_text(args.output, text)
    if args.json:
        sys.stdout.write(text)
    else:
        print(formatter(card))
        if args.output:
            print(f"\njudge card: {args.output}")
    return 0


def _blind(folders: list[str] | None, langs: list[str] | None):
    """The blind sets asked for, pooled (reference.load_together); None for 'none'."""
    from mseed_multilingual.judges import reference

    if folders is None:
        return reference.blind_sets(langs)
    if "none" in folders:
        if len(folders) > 1:
            raise ValueError("--blind none leaves the blind sets out; it cannot stand beside a "
                             "folder")
        return None
    return reference.load_together(folders, langs)


def _run_labels(args: argparse.Namespace) -> int:
    """The in-domain card: the judge's stored verdicts on the runs against the labels."""
    from mseed_multilingual.analysis.ppi import check_labels_in_runs, in_domain_card
    from mseed_multilingual.analysis.table import load_runs
    from mseed_multilingual.judges.labels_check import format_labels_card
    from mseed_multilingual.judges.validity import judge_metric
    from mseed_multilingual.labels.store import read_labels

    if not args.before:
        raise ValueError("--labels needs the run folder(s) the labels were made on: --before "
                         "DIR [--after DIR]")
    labelset = read_labels(args.labels)
    runs = {side: path for side, path in (("before", args.before), ("after", args.after))
            if path}
    table, infos = load_runs(list(runs.items()), judge=args.judge)
    judge = infos[0].judge  # the id --judge names (it may be given as its file's name)
    check_labels_in_runs(labelset, table, {side: side for side in runs})
    if args.langs:
        table = table[table["lang"].isin(args.langs).to_numpy()]
    card = in_domain_card(table, infos, {side: side for side in runs}, labelset,
                          None if judge is None else judge.text, judge_metric(judge))
    for warning in labelset.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return _write(card, args, format_labels_card)

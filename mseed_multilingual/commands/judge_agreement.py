"""``mseed judge-agreement A B``: Cohen's kappa and confusion matrices between two judges."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "judge-agreement", help="compare two judges (or a judge and human labels)",
        description="A and B are each a verdict file (<model_dir>/verdicts/<judge>.jsonl), a "
                    "run folder holding one judge's verdicts, or a human-labelled CSV with "
                    "columns id,label[,lang] (labels safe/unsafe/invalid). Prints Cohen's kappa,"
                    " agreement and the confusion matrix overall and per language. Writes "
                    "nothing.")
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mseed_multilingual.judges.agreement import compare, format_report, load_labels

    name_a, a = load_labels(args.a)
    name_b, b = load_labels(args.b)
    report = compare(a, b)
    if args.json:
        print(json.dumps({"a": name_a, "b": name_b, **report}, ensure_ascii=False, indent=2))
    else:
        print(format_report(name_a, name_b, report))
    return 0

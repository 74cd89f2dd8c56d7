"""``mseed validate submission.json``: schema errors by JSON path; with samples, recompute."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "validate", help="check a submission (and recompute its scores from the run)",
        description="Checks a submission against its JSON Schema and its internal consistency, "
                    "listing each problem with its JSON path. With --samples every score is "
                    "recomputed from the run folder and any difference (a tampered number) or "
                    "a verdict digest mismatch rejects it. Exit 0 valid, 1 rejected.")
    parser.add_argument("submission", help="submission .json")
    parser.add_argument("--samples", metavar="RUN_DIR", help="the run folder it was made from")
    parser.add_argument("--before-samples", metavar="RUN_DIR",
                        help="the --before run folder, to recompute the change block too")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mseed_multilingual.publish import submission
    from mseed_multilingual.publish.validate import check

    if Path(args.submission).is_file():
        try:  # a file that is not a readable submission is rejected, like a wrong one
            doc = submission.load(args.submission)
        except ValueError as exc:
            print(f"{args.submission}: rejected (1 problem(s))\n  {exc}", file=sys.stderr)
            return 1
    else:
        doc = submission.load(args.submission)  # missing, a folder, a loop: usage error (2)
    found = check(doc, args.samples, args.before_samples)
    if found:
        print(f"{args.submission}: rejected ({len(found)} problem(s))", file=sys.stderr)
        for line in found:
            print(f"  {line}", file=sys.stderr)
        return 1
    checked = "scores recomputed from the samples" if args.samples else "schema and consistency"
    if args.samples and doc.get("change") and not args.before_samples:
        checked += " (change block not recomputed: give --before-samples)"
    print(f"{args.submission}: valid ({checked})")
    return 0

"""``mseed leaderboard SUBMISSIONS_DIR -o site/``: the static leaderboard site and its data."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "leaderboard", help="build the static leaderboard site from submissions",
        description="Reads every *.json under SUBMISSIONS_DIR, rejects invalid ones (listed with "
                    "the reason), marks older submissions of the same model and configuration "
                    "as superseded, ranks rows within comparability groups and writes "
                    "index.html (works from file://), one page per model, and "
                    "leaderboard.json/.csv/.md. Incremental: pages and entries of the last "
                    "build into the same folder are reused for unchanged files.")
    parser.add_argument("submissions", metavar="SUBMISSIONS_DIR")
    parser.add_argument("-o", "--output", required=True, help="site folder to write")
    parser.add_argument("--hf-format", metavar="DIR",
                        help="also write DIR/results/<org>/<model>/results_<date>_<group>.json "
                             "for the Hugging Face leaderboard Space template")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mseed_multilingual.core.io import output_dir
    from mseed_multilingual.publish.hf_export import write_hf_format
    from mseed_multilingual.publish.site import rebuild

    output_dir(args.output, "site folder")
    if args.hf_format:
        output_dir(args.hf_format, "--hf-format folder")
    board, built = rebuild(args.submissions, args.output)
    print(f"{len(board.rows)} ranked, {len(board.superseded)} superseded, "
          f"{len(board.rejected)} rejected; {board.parsed} of {len(board.entries)} file(s) "
          f"read and validated (the others accepted, unchanged since the last build)")
    print(f"model pages: {built.drawn} drawn, {built.reused} reused, {built.removed} removed; "
          f"site: {built.index.resolve()}")
    if args.hf_format:
        written = write_hf_format(board, args.hf_format)
        print(f"wrote {len(written)} results file(s) (one per ranked row) under "
              f"{args.hf_format}")
    return 0

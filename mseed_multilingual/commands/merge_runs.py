"""``mseed merge-runs SHARD... -o OUT``: one run folder from the language shards of one run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "merge-runs", help="combine the language shards of one evaluation into one run folder",
        description="Reads run folders that each hold some languages of the same evaluation "
                    "(same model and settings, e.g. `mseed run --langs ...` on several "
                    "machines) and writes one run folder, as lm_eval --log_samples writes it, "
                    "for `mseed judge`, `mseed transfer` and `mseed submit`: the samples files "
                    "are copied, the results files combined (group scores dropped), verdicts "
                    "of judges that judged every shard and all judge caches combined. Refuses "
                    "shards of different models or settings, or holding the same task twice.")
    parser.add_argument("shards", nargs="+", metavar="SHARD",
                        help="run folders (lm_eval --output_path or the model folder)")
    parser.add_argument("-o", "--output", required=True, type=Path, help="merged run folder")
    parser.add_argument("--force", action="store_true",
                        help="replace the run already in --output (e.g. after adding a shard)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mseed_multilingual.evaluate.shards import merge_runs
    from mseed_multilingual.judges.shards import merge_verdicts

    report = merge_runs(args.shards, args.output, force=args.force)
    judges = merge_verdicts(report.shard_dirs, report.model_dir, report.notes)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    judged = f"; verdicts of {', '.join(judges)}" if judges else ""
    print(f"merged {len(args.shards)} shards: {len(report.tasks)} tasks, {report.samples} "
          f"answers{judged} -> {report.model_dir}")
    return 0

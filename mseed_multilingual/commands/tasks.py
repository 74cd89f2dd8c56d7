"""``mseed tasks-path`` and ``mseed tasks-generate``: the lm-eval task folder of this package."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    path = sub.add_parser(
        "tasks-path", help="print the task folder for lm_eval --include_path",
        description="Prints the folder holding the mseed_<lang> task YAMLs, so that "
                    "`lm_eval --include_path \"$(mseed tasks-path)\"` works from an installed "
                    "package. Reads and writes nothing.")
    path.set_defaults(func=_path)
    gen = sub.add_parser(
        "tasks-generate", help="write a task folder for other languages",
        description="Writes mseed_<lang> task YAMLs, their groups, the shared template and "
                    "utils.py for the given languages into OUTPUT (for a translation set whose "
                    "languages the checked-in tasks lack). Reads languages.json.")
    gen.add_argument("--langs", required=True, help="comma-separated language codes")
    gen.add_argument("-o", "--output", required=True, help="task folder to write")
    gen.set_defaults(func=_generate)


def _path(args: argparse.Namespace) -> int:
    from mseed_multilingual.core.paths import tasks_path

    print(tasks_path())
    return 0


def _generate(args: argparse.Namespace) -> int:
    from mseed_multilingual.core.languages import resolve
    from mseed_multilingual.evaluate.lmeval import _generator

    return _generator().main(["--langs", ",".join(resolve(args.langs)), "-o", args.output])

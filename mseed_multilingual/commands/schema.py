"""``mseed schema``: print the submission JSON Schema shipped in the package."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "schema", help="print the submission JSON Schema",
        description="Prints the JSON Schema (draft 2020-12) that `mseed submit` writes and "
                    "`mseed validate` checks.")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mseed_multilingual.core.io import json_text
    from mseed_multilingual.publish.validate import schema

    print(json_text(schema(), sort_keys=False, newline=False))
    return 0

"""``mseed schema``: print the submission JSON Schema shipped in the package."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "schema", help="print the submission JSON Schema",
        description="Prints the JSON Schema (draft 2020-12) that `mseed submit` writes and "
                    "`mseed validate` checks.")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from mseed_multilingual.publish.validate import schema

    print(json.dumps(schema(), indent=2, ensure_ascii=False))
    return 0

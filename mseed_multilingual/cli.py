"""The ``mseed`` command line.

Each subcommand is a module in ``mseed_multilingual.commands`` with ``register(subparsers)``;
they are found by listing that package, so adding a command touches no shared file. Command
modules import only the standard library at top level (heavy libraries are imported inside
their handlers), which keeps ``mseed --help`` instant.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from . import __version__, commands


class CliError(Exception):
    """An error to print as one line and exit 2 with, without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mseed",
        description="Carry MSEED safety prompts across languages, evaluate models with "
                    "lm-evaluation-harness, judge the answers and measure how safety gains "
                    "transfer between languages.")
    parser.add_argument("--version", action="version", version=f"mseed {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"{commands.__name__}.{info.name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # `mseed ... | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted; work done so far is kept and a rerun resumes it", file=sys.stderr)
        return 130
    except (CliError, ValueError, FileNotFoundError) as exc:
        print(f"mseed {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

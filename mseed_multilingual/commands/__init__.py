"""The ``mseed`` subcommands, one module each with ``register(subparsers)``.

They are found by listing this package, so adding a command touches no shared file (a module
whose name starts with ``_`` is a helper shared by commands, such as ``_judge_options``). Command
modules import only the standard library at top level (heavy libraries are imported inside
their handlers), which keeps ``mseed --help`` instant. This package is the only place that
imports argparse (a layering contract in pyproject.toml): the layers below take plain values.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import pkgutil
import sys
from collections.abc import Iterator
from typing import TextIO

from mseed_multilingual import __version__


def build_parser() -> argparse.ArgumentParser:
    """The ``mseed`` parser with every subcommand of this package registered."""
    parser = argparse.ArgumentParser(
        prog="mseed",
        description="Carry MSEED safety prompts across languages, evaluate models with "
                    "lm-evaluation-harness, judge the answers and measure how safety gains "
                    "transfer between languages.")
    parser.add_argument("--version", action="version", version=f"mseed {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):  # _name: a helper shared by commands
            importlib.import_module(f"{__name__}.{info.name}").register(sub)
    return parser


@contextlib.contextmanager
def print_logs(logger: str, stream: TextIO | None = None) -> Iterator[None]:
    """Print what the library logs under ``logger`` (INFO and up, the message alone) to
    ``stream`` (default stdout) while a command runs: library code logs, commands decide
    whether the user sees it."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    target = logging.getLogger(logger)
    level = target.level
    target.addHandler(handler)
    target.setLevel(logging.INFO)
    try:
        yield
    finally:
        target.removeHandler(handler)
        target.setLevel(level)

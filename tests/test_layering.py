"""The layering contract of pyproject.toml ([tool.importlinter]) holds.

The package's folders are the pipeline's stages (core < detect < data < translate < evaluate <
judges < analysis < publish < serve | align < demo < commands < cli): a stage imports only the
stages below it, lazy imports inside functions included, and only commands/ imports argparse.
import-linter builds the import graph from the source, so this test fails, naming every
offending import and its line, as soon as one import points up; the layers contract is
exhaustive, so a new top-level module fails it too until it is given a layer.
"""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"


@contextlib.contextmanager
def loggers_kept():
    """lint_imports configures logging with dictConfig, which disables every logger that
    already exists: the package's loggers would stay silent for the tests that run after this
    one on the same worker (a caplog assertion then fails for no reason of its own)."""
    existing = [x for x in logging.root.manager.loggerDict.values()
                if isinstance(x, logging.Logger)]
    disabled = {id(x): x.disabled for x in existing}
    try:
        yield
    finally:
        for logger in existing:
            logger.disabled = disabled[id(logger)]


def test_every_import_points_down_the_layers():
    report = io.StringIO()
    with contextlib.redirect_stdout(report), loggers_kept():
        code = lint_imports(config_filename=str(PYPROJECT), no_cache=True)
    assert code == 0, report.getvalue()


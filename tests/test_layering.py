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
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"


def test_every_import_points_down_the_layers():
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        code = lint_imports(config_filename=str(PYPROJECT), no_cache=True)
    assert code == 0, report.getvalue()


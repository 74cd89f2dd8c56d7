"""Run the ``mseed`` command line inside the test process and read it as a finished process.

``mseed(*args)`` calls ``cli.main(argv)`` with stdout and stderr captured and returns a
:class:`subprocess.CompletedProcess` (``returncode``, ``stdout``, ``stderr``), so a test reads it
exactly as it would read ``subprocess.run([sys.executable, "-m", "mseed_multilingual", ...])``.
A Python subprocess per call re-imports the package and, for most commands, numpy, pandas,
torch or lm-eval: about a second of CPU each, thousands of calls in the suite.

Use a real subprocess only where the process is what the test is about: a signal or kill -9,
two processes racing on one folder, the console script's own exit status, stdin, a server that
must outlive the call, or the environment a fresh process starts with.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

from mseed_multilingual.cli import main

# argparse wraps --help to the terminal width: fixed, as in a subprocess whose output is a pipe.
HELP_COLUMNS = "80"


@contextlib.contextmanager
def _log_to(stream: io.StringIO) -> Iterator[None]:
    """Warnings the package logs reach ``stream``, as logging's last resort prints them to
    stderr in a process of its own (pytest's capture handler on the root logger would keep
    the last resort from printing them)."""
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)


def _exit_status(exc: SystemExit, err: io.StringIO) -> int:
    """What the interpreter makes of ``SystemExit`` (argparse's usage errors and --help)."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=err)
    return 1


def mseed(*args: object, env: dict[str, str] | None = None,
          cwd: Path | str | None = None) -> subprocess.CompletedProcess:
    """``mseed ARGS`` in this process: (returncode, stdout, stderr) as a finished process.
    ``env`` adds variables for the call only; ``cwd`` runs it in another folder."""
    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    with (mock.patch.dict(os.environ, {"COLUMNS": HELP_COLUMNS, **(env or {})}),
          contextlib.chdir(cwd) if cwd else contextlib.nullcontext(), _log_to(err),
          contextlib.redirect_stdout(out), contextlib.redirect_stderr(err)):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = _exit_status(exc, err)
    return subprocess.CompletedProcess(["mseed", *argv], code, out.getvalue(), err.getvalue())


def one_line_error(proc: subprocess.CompletedProcess, *parts: str, code: int = 2) -> None:
    """Exit ``code``, no traceback, one stderr line that names every part."""
    err = proc.stderr.strip()
    assert proc.returncode == code, (proc.returncode, err)
    assert "Traceback" not in err, err
    assert len(err.splitlines()) == 1, err
    for part in parts:
        assert part in err, (part, err)

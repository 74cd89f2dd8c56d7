"""tests/cli_run.py reads like the real process: for a usage error, --help, an input error with
a logged warning and a success, the in-process ``mseed(...)`` gives the exit code, stdout and
stderr that ``python -m mseed_multilingual`` gives, and leaves the environment as it found it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cli_run import HELP_COLUMNS, mseed


def real(*args: object, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mseed_multilingual", *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=cwd,
                          env={**os.environ, "COLUMNS": HELP_COLUMNS})


@pytest.mark.parametrize("args", [["no-such-command"], ["--help"], ["judge", "--help"],
                                  ["judge", "x"], ["schema"]],
                         ids=["usage-error", "help", "command-help", "missing-option", "ok"])
def test_in_process_equals_the_process(args):
    inside, outside = mseed(*args), real(*args)
    assert (inside.returncode, inside.stdout, inside.stderr) == (
        outside.returncode, outside.stdout, outside.stderr)


def test_input_error_and_logged_warnings_reach_stderr(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"lang": "zh"}\n[1]\n', encoding="utf-8")
    inside, outside = (mseed("data", "inspect", bad, "--strict", cwd=tmp_path),
                       real("data", "inspect", bad, "--strict", cwd=tmp_path))
    assert inside.returncode == outside.returncode == 1
    assert (inside.stdout, inside.stderr) == (outside.stdout, outside.stderr)
    assert f"{bad}:1" in inside.stderr
    # the task layer logs each bad record (logging.warning) before the run is refused
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "zh.jsonl").write_text('{"lang": "zh"}\n', encoding="utf-8")
    args = ("run", "--model-args", "pretrained=/nonexistent", "--langs", "zh", "--data",
            tmp_path / "set", "-o", tmp_path / "out")
    inside, outside = mseed(*args), real(*args)
    assert inside.returncode == outside.returncode == 2
    assert (inside.stdout, inside.stderr) == (outside.stdout, outside.stderr)
    assert len(inside.stderr.splitlines()) >= 2, inside.stderr


def test_env_and_folder_are_restored(tmp_path):
    before, here = dict(os.environ), os.getcwd()
    mseed("schema", env={"MSEED_CLI_RUN_PROBE": "1"}, cwd=tmp_path)
    assert dict(os.environ) == before and os.getcwd() == here

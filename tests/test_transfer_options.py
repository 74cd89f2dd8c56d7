"""TransferOptions: the one object of a transfer's choices, checked when it is made."""

from __future__ import annotations

import pytest
from cli_run import mseed
from runfolders import worked_example

from mseed_multilingual.analysis.transfer import TransferOptions, analyze
from mseed_multilingual.core import stats


@pytest.mark.parametrize(("field", "value", "message"), [
    ("interval", "newcombe", "--interval must be 'score' or 'bootstrap', not 'newcombe'"),
    ("correct", "lang", "--correct must be one of run, matrix, not 'lang'"),
    ("resamples", -1, "--resamples must be >= 0, got -1"),
])
def test_a_bad_choice_is_refused_when_the_options_are_made(field, value, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        TransferOptions(**{field: value})


def test_the_defaults_are_the_commands(tmp_path):
    """mseed transfer without options and analyze() without options sign the same analysis."""
    opts = TransferOptions()
    assert (opts.interval, opts.resamples, opts.seed, opts.correct, opts.aligned_on) == (
        stats.DEFAULT_CHANGE_INTERVAL, stats.DEFAULT_RESAMPLES, stats.DEFAULT_SEED, "run", "zh")
    before, after = worked_example(tmp_path)
    out = mseed("transfer", "--before", str(before), "--after", str(after), "-o",
                str(tmp_path / "rep"), "--json")
    assert out.returncode == 0, out.stderr
    assert f'"signature": "{analyze(before, [after]).signature}"' in out.stdout


def test_negative_resamples_is_one_line_from_the_command(tmp_path):
    before, after = worked_example(tmp_path)
    out = mseed("transfer", "--before", str(before), "--after", str(after), "--resamples", "-3",
                "-o", str(tmp_path / "rep"))
    assert out.returncode == 2
    assert out.stderr.strip() == "mseed transfer: error: --resamples must be >= 0, got -3"

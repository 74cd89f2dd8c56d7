"""The transfer notebook runs end to end through the Python API on crafted run folders."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from runfolders import worked_example

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "transfer_report.ipynb"


def test_notebook_executes_and_draws_figures(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    before, after = worked_example(tmp_path)
    monkeypatch.setenv("MSEED_BEFORE", str(before))
    monkeypatch.setenv("MSEED_AFTER", str(after))
    monkeypatch.setenv("MSEED_REPORT_DIR", str(tmp_path / "report"))
    monkeypatch.setenv("MSEED_RESAMPLES", "200")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # The "python3" kernel spec of ipykernel runs this interpreter (the venv's).
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    # bars, heatmap, matrix, over-refusal, change vs distance (3+ languages; no manifest: no
    # quality plot, no variants: no variant plot)
    assert len(pngs) == 5
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "syntactic distance" in html and "the runs have no prompt variants" in "".join(
        o.get("data", {}).get("text/markdown", "") for o in outputs)
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "zh       10   0.200   0.800  +0.600" in text
    assert "change-vs-quality plot left out" in text
    assert (tmp_path / "report" / "report.html").exists()

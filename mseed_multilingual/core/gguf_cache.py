"""Read a GGUF checkpoint once per process, however many times the model is loaded from it.

Why: transformers re-parses a GGUF file on every ``from_pretrained`` (SmolLM2's: 49k vocabulary
strings read one numpy view at a time, then each of 272 tensors de-quantised and mapped to its
name), and it does so three or four times per load: once for the config, once more for the
tokenizer's config, once for the weights. That is about 12 CPU-s per load of a 135M model. A
process that loads the same model again (``mseed demo`` runs it before and after alignment, a
rerun checks its cache, a judge and a server load it beside a run) repeats the same work for the
same bytes.

:func:`install` wraps transformers' ``load_gguf_checkpoint`` with a cache keyed by the file (its
resolved path, size and modification time, so a replaced file is read again), whether tensors
were asked for, their dtype and the class being loaded. What leaves the cache is a copy: a fresh
dict and freshly cloned tensors, so a model trained or given an adapter after loading can never
change what the next load gets (``tests/test_gguf_cache.py``). The model's identity, as every
run records it, is still the GGUF file: only the parsing is skipped.
"""

from __future__ import annotations

import copy
import logging
import os
import threading
from collections import OrderedDict
from typing import Any

log = logging.getLogger(__name__)

# Checkpoints kept with their tensors (SmolLM2 in fp32 is 0.5 GB): a process loads one model, or
# a base and a judge; the least recently used beyond this is dropped.
MAX_CACHED_CHECKPOINTS = 2

# Readers kept open (a memory map and the parsed key/value fields each, a few MB).
MAX_CACHED_READERS = 4

_MODULE = "transformers.modeling_gguf_pytorch_utils"
_FUNCTION = "load_gguf_checkpoint"
_lock = threading.Lock()
_cache: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
_stats = {"parsed": 0, "reused": 0}
_readers: OrderedDict[tuple, Any] = OrderedDict()


def _file_key(path: str) -> tuple[str, int, int]:
    real = os.path.realpath(path)
    st = os.stat(real)
    return real, st.st_size, st.st_mtime_ns


def _copy(parsed: dict[str, Any]) -> dict[str, Any]:
    """A copy the caller may change: metadata deep-copied, each tensor cloned."""
    out = copy.deepcopy({k: v for k, v in parsed.items() if k != "tensors"})
    if "tensors" in parsed:
        out["tensors"] = {name: t.clone() for name, t in parsed["tensors"].items()}
    return out


def _cached(load):
    """``load`` (transformers' ``load_gguf_checkpoint``) behind the per-process cache."""

    def load_gguf_checkpoint(gguf_checkpoint_path, return_tensors=False, model_to_load=None,
                             torch_dtype=None):
        try:
            file = _file_key(str(gguf_checkpoint_path))
        except OSError:  # let transformers report the missing file in its own words
            return load(gguf_checkpoint_path, return_tensors=return_tensors,
                        model_to_load=model_to_load, torch_dtype=torch_dtype)
        model_class = (f"{type(model_to_load).__module__}.{type(model_to_load).__qualname__}"
                       if return_tensors else None)
        key = (file, bool(return_tensors), str(torch_dtype) if return_tensors else None,
               model_class)
        with _lock:
            hit = _cache.get(key)
            if hit is None and not return_tensors:  # metadata only: any entry of the file has it
                hit = next((v for k, v in _cache.items() if k[0] == file), None)
            if hit is not None:
                if key in _cache:
                    _cache.move_to_end(key)
                _stats["reused"] += 1
                return _copy({k: v for k, v in hit.items()
                              if return_tensors or k != "tensors"})
        parsed = load(gguf_checkpoint_path, return_tensors=return_tensors,
                      model_to_load=model_to_load, torch_dtype=torch_dtype)
        with _lock:
            _stats["parsed"] += 1
            _cache[key] = parsed
            while sum(1 for k in _cache if k[1]) > MAX_CACHED_CHECKPOINTS:
                del _cache[next(k for k in _cache if k[1])]
        return _copy(parsed)

    load_gguf_checkpoint.__wrapped__ = load  # type: ignore[attr-defined]
    return load_gguf_checkpoint


def _reader_class(base: type) -> type:
    """``gguf.GGUFReader`` whose read-only readers are made once per file: the first load in a
    process asks for the config, then for the weights, and each would parse every field again
    (2.7 CPU-s for SmolLM2's vocabulary). Writable modes are left alone."""

    class GGUFReader(base):  # type: ignore[misc, valid-type]
        def __new__(cls, path, mode="r"):
            if mode == "r":
                try:
                    key = _file_key(str(path))
                except OSError:
                    key = None
                with _lock:
                    reader = _readers.get(key) if key else None
                if reader is not None:
                    return reader
            return super().__new__(cls)

        def __init__(self, path, mode="r"):
            if getattr(self, "_mseed_parsed", False):  # a cached reader: already parsed
                return
            super().__init__(path, mode)
            self._mseed_parsed = True
            if mode == "r":
                with _lock:
                    _readers[_file_key(str(path))] = self
                    while len(_readers) > MAX_CACHED_READERS:
                        _readers.popitem(last=False)

    GGUFReader.__wrapped__ = base  # type: ignore[attr-defined]
    GGUFReader.__qualname__ = base.__qualname__
    GGUFReader.__module__ = base.__module__
    return GGUFReader


def _install_gguf() -> None:
    """The gguf package's file reader and tensor-name map, each built once per process (the
    name map for a given architecture and depth is rebuilt for every module of the model
    while transformers maps tensor names: 397 times, 3 CPU-s, for SmolLM2)."""
    import functools

    try:
        import gguf
    except ImportError:
        return
    if not hasattr(gguf.GGUFReader, "__wrapped__"):
        gguf.GGUFReader = _reader_class(gguf.GGUFReader)
    if not hasattr(gguf.get_tensor_name_map, "__wrapped__"):
        gguf.get_tensor_name_map = functools.lru_cache(maxsize=8)(gguf.get_tensor_name_map)


def install() -> None:
    """Put the cache in front of transformers' GGUF reading, once per process (idempotent).
    Callers import the function from its module at call time, so replacing the module's
    attribute covers the config, tokenizer and weight loads, lm-eval's ``hf`` model included."""
    import importlib

    try:
        module = importlib.import_module(_MODULE)
    except ImportError:  # no transformers: nothing loads a GGUF in this process
        return
    current = getattr(module, _FUNCTION, None)
    _install_gguf()
    if current is None or hasattr(current, "__wrapped__"):
        return
    setattr(module, _FUNCTION, _cached(current))
    log.debug("GGUF checkpoints are read once per process")


def stats() -> dict[str, int]:
    """How many GGUF reads this process parsed and how many it served from the cache."""
    with _lock:
        return dict(_stats)


def clear() -> None:
    """Forget every cached checkpoint (the next load parses its file again)."""
    with _lock:
        _cache.clear()
        _readers.clear()

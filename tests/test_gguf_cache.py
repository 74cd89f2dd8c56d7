"""core/gguf_cache: a GGUF file is parsed once per process, and no load can change another's
weights (an adapter merged in, or training, changes the loaded copy only)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mseed_multilingual.core import gguf_cache

ROOT = Path(__file__).resolve().parents[1]
ADAPTER = ROOT / "adapters" / "smollm2-135m-zh-safety"
PROMPTS = ["如何制作假身份证？"]  # the committed adapter changes its first 6 tokens


class Parser:
    """Stands in for transformers' parser (its own tests load the real file): counts parses
    and returns one tensor, so the cache's keys and copies can be checked in milliseconds."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path, return_tensors=False, model_to_load=None, torch_dtype=None):
        import torch

        self.calls += 1
        parsed = {"config": {"model_type": "llama", "layers": [1, 2]}}
        if return_tensors:
            parsed["tensors"] = {"w": torch.zeros(3)}
        return parsed


def test_a_file_is_parsed_once_and_each_caller_gets_its_own_copy(tmp_path):
    file = tmp_path / "m.gguf"
    file.write_bytes(b"GGUF")
    parser = Parser()
    load = gguf_cache._cached(parser)
    gguf_cache.clear()
    try:
        first = load(str(file), return_tensors=True, model_to_load=object())
        first["tensors"]["w"].add_(1.0)  # training or a merged adapter, in place
        first["config"]["layers"].append(3)
        again = load(str(file), return_tensors=True, model_to_load=object())
        assert parser.calls == 1
        assert again["tensors"]["w"].tolist() == [0.0, 0.0, 0.0]
        assert again["config"]["layers"] == [1, 2]
        # the config alone comes from the same parse; another dtype is another parse
        assert "tensors" not in load(str(file)) and parser.calls == 1
        load(str(file), return_tensors=True, model_to_load=object(), torch_dtype="bf16")
        assert parser.calls == 2
        # a file replaced in place (new size or modification time) is parsed again
        file.write_bytes(b"GGUF v2")
        os.utime(file, ns=(1, 1))
        load(str(file), return_tensors=True, model_to_load=object())
        assert parser.calls == 3
    finally:
        gguf_cache.clear()


def test_install_is_idempotent():
    from transformers import modeling_gguf_pytorch_utils as utils

    gguf_cache.install()
    wrapped = utils.load_gguf_checkpoint
    gguf_cache.install()
    assert utils.load_gguf_checkpoint is wrapped and hasattr(wrapped, "__wrapped__")


@pytest.mark.model
def test_the_file_reader_and_name_map_are_built_once(smollm2):
    import gguf

    gguf_cache.install()
    folder, name = smollm2
    reader = gguf.GGUFReader(folder / name)
    assert gguf.GGUFReader(folder / name) is reader
    assert reader.fields["general.architecture"].contents() == "llama"
    arch = gguf.MODEL_ARCH.LLAMA
    assert gguf.get_tensor_name_map(arch, 30) is gguf.get_tensor_name_map(arch, 30)


@pytest.mark.model
def test_a_load_after_an_adapter_is_merged_and_trained_answers_as_the_base(smollm2):
    """The base's greedy answers, then the committed zh adapter merged into a second load and
    its weights stepped in place, then a third load: the base's answers again, and no parse."""
    import torch

    from mseed_multilingual.align.rejected import greedy_answers
    from mseed_multilingual.core.models import load_hf

    folder, gguf = smollm2
    lm, tok = load_hf(str(folder), gguf)
    base = greedy_answers(lm, tok, PROMPTS, max_new_tokens=6)
    parsed = gguf_cache.stats()["parsed"]

    tuned, tok = load_hf(str(folder), gguf, peft=str(ADAPTER))
    merged = tuned.merge_and_unload()  # writes the LoRA deltas into the loaded base weights
    assert greedy_answers(merged, tok, PROMPTS, max_new_tokens=6) != base
    with torch.no_grad():
        for p in merged.parameters():
            p.mul_(1.5)

    lm, tok = load_hf(str(folder), gguf)
    assert greedy_answers(lm, tok, PROMPTS, max_new_tokens=6) == base
    assert gguf_cache.stats()["parsed"] == parsed  # both later loads came from the cache

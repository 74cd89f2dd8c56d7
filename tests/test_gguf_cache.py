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


@pytest.mark.model
def test_a_file_is_parsed_once_until_it_changes_and_each_caller_gets_a_copy(smollm2, tmp_path):
    import shutil

    from transformers import modeling_gguf_pytorch_utils as utils

    folder, name = smollm2
    file = tmp_path / name
    shutil.copyfile(folder / name, file)
    gguf_cache.install()
    parsed = gguf_cache.stats()["parsed"]
    first = utils.load_gguf_checkpoint(str(file))
    vocab = first["config"]["vocab_size"]
    first["config"]["vocab_size"] = -1  # a caller changing what it got
    first["tokenizer"]["tokens"].append("<mine>")
    again = utils.load_gguf_checkpoint(str(file))
    assert gguf_cache.stats()["parsed"] == parsed + 1
    assert again["config"]["vocab_size"] == vocab
    assert "<mine>" not in again["tokenizer"]["tokens"]
    os.utime(file, ns=(1, 1))  # replaced in place: a new modification time
    utils.load_gguf_checkpoint(str(file))
    assert gguf_cache.stats()["parsed"] == parsed + 2


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

"""Greedy text generation with a loaded transformers model, shared by every local model user.

The local judge (:class:`~mseed_multilingual.judges.registry.HFJudge`) and the OpenAI-compatible
server (:mod:`mseed_multilingual.serve`) both turn chat messages into the model's own prompt
text and generate greedy continuations in batches; both do it here, so a judge run locally and
the same judge behind ``mseed serve`` see the same prompts and decode the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Cancelled = Callable[[], bool]  # True once nobody waits for this prompt's answer any more

MIN_SHARED_PREFIX = 16  # tokens; a shorter common prefix is not worth a cache copy per batch
DEFAULT_BATCH_SIZE = 8


def generate_texts(lm: Any, tokenizer: Any, prompts: Sequence[str],
                   max_new_tokens: int, batch_size: int = DEFAULT_BATCH_SIZE,
                   share_prefix: bool = True,
                   cancelled: Sequence[Cancelled] | None = None) -> list[str]:
    """Greedy continuations of already-templated prompts, batched by similar length.

    Prompts are sorted by token length so a batch pads little; only new tokens are decoded.
    On CPU the prompt (prefill) dominates the cost and batching does not reduce it, but judge
    prompts share a long instruction prefix: its key/value cache is computed once and copied
    into every batch (``share_prefix``), and the differing tails are padded between the prefix
    and the tail (the attention mask hides the padding; position ids follow the mask). Without
    a shared prefix, padding is on the left.

    ``cancelled`` (one check per prompt, e.g. "has the client hung up?") is asked after every
    generated token: a cancelled row stops growing, a batch whose rows are all cancelled stops
    at once, and a batch cancelled before it starts is not generated; cancelled prompts get
    ``""``.
    """
    import torch

    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    ids = [tokenizer(p, add_special_tokens=False)["input_ids"] for p in prompts]
    shared = _common_prefix(ids) if share_prefix and len(ids) > 1 else 0
    prefix_cache = None
    if shared >= MIN_SHARED_PREFIX:
        with torch.inference_mode():
            prefix_cache = _cache_of(lm(input_ids=torch.tensor([ids[0][:shared]]),
                                        use_cache=True))
    order = sorted(range(len(prompts)), key=lambda i: (len(ids[i]), i))
    out = [""] * len(prompts)
    for start in range(0, len(order), max(1, batch_size)):
        idx = order[start:start + batch_size]
        checks = [cancelled[i] for i in idx] if cancelled else None
        if checks and all(check() for check in checks):
            continue  # nobody waits for any answer of this batch
        stop = _stopping(checks)
        rows = [ids[i] for i in idx]
        texts = None
        if prefix_cache is not None:
            try:
                texts = _generate_with_prefix(lm, tokenizer, rows, shared, prefix_cache,
                                              max_new_tokens, stop)
            except (AttributeError, TypeError, NotImplementedError):
                prefix_cache = None  # a cache type without batch expansion: plain batches
        if texts is None:
            batch = tokenizer.pad({"input_ids": rows}, return_tensors="pt")
            with torch.inference_mode():
                gen = lm.generate(**batch, max_new_tokens=max_new_tokens, do_sample=False,
                                  pad_token_id=tokenizer.pad_token_id, **stop)
            texts = tokenizer.batch_decode(gen[:, batch["input_ids"].shape[1]:],
                                           skip_special_tokens=True)
        for j, (i, text) in enumerate(zip(idx, texts, strict=True)):
            out[i] = "" if checks and checks[j]() else text.strip()
    return out


def _cache_of(output: Any) -> Any:
    """The key/value cache of a forward pass: ``cache`` since transformers renamed it, whose
    old name ``past_key_values`` prints a deprecation warning on every `mseed serve` and
    `mseed judge --judge hf:` run; older 5.x releases have only the old name."""
    return output["cache"] if "cache" in output else output["past_key_values"]


def _stopping(checks: Sequence[Cancelled] | None) -> dict[str, Any]:
    """``generate`` keyword arguments that stop cancelled rows after the current token."""
    if not checks:
        return {}
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class Cancel(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            return torch.tensor([check() for check in checks], dtype=torch.bool,
                                device=input_ids.device)

    return {"stopping_criteria": StoppingCriteriaList([Cancel()])}


def _common_prefix(ids: list[list[int]]) -> int:
    """Tokens every prompt starts with (at least one token of each prompt is left over)."""
    n = 0
    limit = min(len(x) for x in ids) - 1
    while n < limit and all(x[n] == ids[0][n] for x in ids):
        n += 1
    return n


def _generate_with_prefix(lm: Any, tokenizer: Any, rows: list[list[int]], shared: int,
                          prefix_cache: Any, max_new_tokens: int,
                          stop: dict[str, Any] | None = None) -> list[str]:
    import copy

    import torch

    tails = [r[shared:] for r in rows]
    width = max(len(t) for t in tails)
    pad = tokenizer.pad_token_id
    prefix = rows[0][:shared]
    input_ids = torch.tensor([prefix + [pad] * (width - len(t)) + t for t in tails])
    mask = torch.tensor([[1] * shared + [0] * (width - len(t)) + [1] * len(t) for t in tails])
    cache = copy.deepcopy(prefix_cache)
    cache.batch_repeat_interleave(len(rows))
    with torch.inference_mode():
        gen = lm.generate(input_ids=input_ids, attention_mask=mask, cache=cache,
                          max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=pad,
                          **(stop or {}))
    return tokenizer.batch_decode(gen[:, input_ids.shape[1]:], skip_special_tokens=True)


def chat_prompt(tokenizer: Any, messages: list[dict]) -> str:
    """The model's own chat template applied to ``messages`` with the generation prompt."""
    return tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

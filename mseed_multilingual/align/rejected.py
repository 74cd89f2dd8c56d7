"""DPO's missing ``rejected`` answers, taken from the base model: its greedy answer to each
prompt is what the training should move away from. Saved in the output folder before training,
so a resumed run reuses them unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from mseed_multilingual.align.base_model import load_base
from mseed_multilingual.align.examples import Example
from mseed_multilingual.align.plan import Plan
from mseed_multilingual.core.generation import DEFAULT_BATCH_SIZE, chat_prompt
from mseed_multilingual.core.io import iter_jsonl, sha256_file, write_jsonl

REJECTED_FILE = "rejected_from_base.jsonl"

logger = logging.getLogger(__name__)


def user_turn_prompt(tokenizer, prompt: str) -> str:
    """One user message (a bare prompt, no history) through the model's chat template, ready
    for the assistant's answer: :func:`~mseed_multilingual.core.generation.chat_prompt` of a
    one-message conversation."""
    return chat_prompt(tokenizer, [{"role": "user", "content": prompt}])


def greedy_answers(lm, tokenizer, prompts: Sequence[str], max_new_tokens: int = 64,
                   batch_size: int = DEFAULT_BATCH_SIZE, progress: bool = False) -> list[str]:
    """Greedy answers through the chat template (left padding for batched decoding)."""
    import torch

    tokenizer.padding_side = "left"
    out: list[str] = []
    for start in range(0, len(prompts), batch_size):
        batch = [user_turn_prompt(tokenizer, p) for p in prompts[start:start + batch_size]]
        enc = tokenizer(batch, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.no_grad():
            ids = lm.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                              pad_token_id=tokenizer.pad_token_id)
        out += tokenizer.batch_decode(ids[:, enc["input_ids"].shape[1]:],
                                      skip_special_tokens=True)
        if progress:
            logger.info("  generated %d/%d", len(out), len(prompts))
    return [o.strip() for o in out]


def add_rejected_from_base(plan: Plan, out: Path, base_dir: str) -> None:
    """Fill missing DPO ``rejected`` answers with the base model's greedy answers.

    The answers are saved in the output folder first, so a resumed run reuses them unchanged.
    """
    path = out / REJECTED_FILE
    if path.is_file():
        saved = [line.value for line in iter_jsonl(path, "rejected-answers file")]
    else:
        todo = [e.prompt for e in plan.examples if not e.rejected]
        lm, tok = load_base(base_dir, precision=plan.precision.get("used"))
        logger.info("generating %d rejected answers with the base model", len(todo))
        answers = greedy_answers(lm, tok, todo, plan.hyperparameters.rejected_max_new_tokens,
                                 progress=True)
        saved = [{"prompt": p, "rejected": a} for p, a in zip(todo, answers, strict=True)]
        write_jsonl(path, saved, sort_keys=False)
    by_prompt = {s["prompt"]: s["rejected"] for s in saved}
    plan.examples = [e if e.rejected else Example(e.prompt, e.response,
                                                  by_prompt.get(e.prompt) or "", e.kind,
                                                  e.location)
                     for e in plan.examples]
    plan.data.rejected_sha256 = sha256_file(path)

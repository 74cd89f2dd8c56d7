"""Training a LoRA adapter with TRL (SFT or DPO) on CPU from a :class:`~.plan.Plan`: building
the trainer, checkpointing for ``--resume``, and leaving the adapter with its log and card.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mseed_multilingual.align.base_model import load_base, prepare_base
from mseed_multilingual.align.card import describe_precision, loss_rows, write_card, write_log
from mseed_multilingual.align.examples import Example
from mseed_multilingual.align.plan import Plan, check_output, write_plan
from mseed_multilingual.align.rejected import add_rejected_from_base
from mseed_multilingual.core.io import read_json, write_json
from mseed_multilingual.core.models import ignore_peft_probe_warning
from mseed_multilingual.core.precision import BF16, FP32

logger = logging.getLogger(__name__)

CHECKPOINTS = "checkpoints"


def _dataset(plan: Plan):
    """Conversational prompt/completion rows: TRL applies the chat template and masks the
    prompt, so the loss covers the assistant's answer only."""
    from datasets import Dataset

    def user(e: Example) -> list[dict[str, str]]:
        return [{"role": "user", "content": e.prompt}]

    def assistant(text: str) -> list[dict[str, str]]:
        return [{"role": "assistant", "content": text}]

    if plan.method == "sft":
        rows = {"prompt": [user(e) for e in plan.examples],
                "completion": [assistant(e.response) for e in plan.examples]}
    else:
        rows = {"prompt": [user(e) for e in plan.examples],
                "chosen": [assistant(e.response) for e in plan.examples],
                "rejected": [assistant(e.rejected or "") for e in plan.examples]}
    return Dataset.from_dict(rows)


def trainer_args(plan: Plan, out: Path) -> dict[str, Any]:
    """TRL's config arguments (SFTConfig or DPOConfig) for the plan, writing into ``out``."""
    h = plan.hyperparameters
    return dict(
        output_dir=str(out / CHECKPOINTS), num_train_epochs=h.epochs, max_steps=h.max_steps,
        learning_rate=h.lr, per_device_train_batch_size=h.batch_size,
        gradient_accumulation_steps=h.grad_accum, lr_scheduler_type=h.scheduler,
        warmup_steps=h.warmup_steps, max_length=h.max_length, logging_steps=1,
        save_strategy="steps", save_steps=h.save_steps, save_total_limit=2,
        report_to="none", seed=plan.seed, data_seed=plan.seed, use_cpu=True,
        dataloader_num_workers=0, disable_tqdm=False, dataset_num_proc=None,
        activation_checkpointing=False,  # TRL's default is on; the old name warns
        # TRL defaults to bf16=True: emulated, and ~100x slower, on CPUs without native bf16.
        bf16=plan.precision.get("used") == BF16, fp16=False,
    )


def _build_trainer(plan: Plan, out: Path, base_dir: str):
    """The TRL trainer with a fresh LoRA on the base (fp32 master weights)."""
    from peft import LoraConfig

    ignore_peft_probe_warning()
    h = plan.hyperparameters
    lm, tok = load_base(base_dir, precision=FP32)  # fp32 master weights; bf16 is autocast
    lm.train()
    lora = LoraConfig(r=h.lora_r, lora_alpha=h.lora_alpha, lora_dropout=h.lora_dropout,
                      target_modules=list(h.target_modules), task_type="CAUSAL_LM")
    dataset = _dataset(plan)
    if plan.method == "sft":
        from trl import SFTConfig, SFTTrainer

        args = SFTConfig(**trainer_args(plan, out))
        return SFTTrainer(model=lm, args=args, train_dataset=dataset, processing_class=tok,
                          peft_config=lora)
    from trl import DPOConfig, DPOTrainer

    args = DPOConfig(**trainer_args(plan, out), beta=h.dpo_beta)
    return DPOTrainer(model=lm, args=args, train_dataset=dataset, processing_class=tok,
                      peft_config=lora)


def _last_checkpoint(out: Path) -> str | None:
    """The newest checkpoint (by step number, not by name: checkpoint-10 follows checkpoint-9)."""
    folder = out / CHECKPOINTS
    found = sorted(folder.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1])) \
        if folder.is_dir() else []
    return str(found[-1]) if found else None


def train(plan: Plan, out: str | Path, resume: bool = False,
          callbacks: Sequence[Any] = ()) -> dict[str, Any]:
    """Train, write the adapter, card, log and plot into ``out``; return the card.

    Checkpoints go to ``out/checkpoints`` every ``save_steps`` (removed once the adapter is
    written); ``resume`` continues from the newest one.
    """
    from transformers import set_seed

    out = Path(out)
    check_output(out, resume, plan)
    out.mkdir(parents=True, exist_ok=True)
    base_dir = prepare_base(plan.base.model, plan.base.gguf_file, plan.base.sha256)
    logger.info("precision: %s", describe_precision(plan.precision))
    if not resume or "resumed_from" in plan.precision:  # before any slow step: always resumable
        write_plan(out, plan)
    if plan.method == "dpo" and plan.hyperparameters.rejected_from_base:
        add_rejected_from_base(plan, out, base_dir)
    set_seed(plan.seed)
    trainer = _build_trainer(plan, out, base_dir)
    for callback in callbacks:
        trainer.add_callback(callback)
    checkpoint = _last_checkpoint(out) if resume else None
    if resume:
        logger.info("resuming from %s", checkpoint or "the start (no checkpoint was saved)")
    trainer.train(resume_from_checkpoint=checkpoint)
    trainer.model.save_pretrained(str(out))
    _fix_adapter_config(out, plan)
    log = loss_rows(trainer.state.log_history)
    write_log(out, log)
    card = write_card(out, plan, log)
    shutil.rmtree(out / CHECKPOINTS, ignore_errors=True)
    return card


def _fix_adapter_config(out: Path, plan: Plan) -> None:
    """Point the adapter at the portable base name, not this machine's cache folder."""
    path = out / "adapter_config.json"
    config = read_json(path, "adapter config")
    config["base_model_name_or_path"] = plan.base.model
    write_json(path, config, ensure_ascii=True)

"""What an ``mseed align`` run leaves beside its adapter: the loss log (CSV and PNG), and the
card (``card.json`` for machines, ``README.md`` for readers) that pins base, data, settings,
seed, precision and libraries, so a number measured with the adapter can be traced back.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mseed_multilingual import __version__
from mseed_multilingual.align.plan import CARD_FILE, Plan
from mseed_multilingual.core.io import atomic_open, sha256_file, write_json, write_text

LOG_CSV = "training_log.csv"
LOSS_PNG = "loss.png"


@dataclass(frozen=True)
class LossRow:
    """One logged optimizer step (the trainer logs every step); the CSV's columns, in order."""

    step: int
    epoch: float
    loss: float
    learning_rate: float | None
    grad_norm: float | None


def loss_rows(history: list[dict[str, Any]]) -> list[LossRow]:
    """The training steps of the trainer's ``log_history`` (its last entry is a summary)."""
    return [LossRow(**{k: h.get(k) for k in LossRow.__dataclass_fields__})
            for h in history if "loss" in h]


def describe_precision(p: dict[str, Any]) -> str:
    """One line for the log and the card: what was used, what was asked, and why."""
    native = "native bf16" if p.get("native_bf16") else "no native bf16"
    line = f"{p.get('used')} ({p.get('requested')}: {p.get('device')} {p.get('capability')}, " \
           f"{native})"
    if p.get("resumed_from"):
        line += f", resumed from a {p['resumed_from'].get('used')} run"
    return line


def write_log(out: Path, rows: list[LossRow]) -> None:
    """Loss curve as CSV and PNG (the PNG carries no timestamp, so reruns compare equal)."""
    with atomic_open(out / LOG_CSV) as fh:
        writer = csv.DictWriter(fh, fieldnames=list(LossRow.__dataclass_fields__),
                                lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v)
                             for k, v in asdict(row).items()})
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([r.step for r in rows], [r.loss for r in rows], marker=".")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    ax.set_title("LoRA training loss")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / LOSS_PNG, dpi=100, metadata={"Software": None})
    plt.close(fig)


def library_versions() -> dict[str, str]:
    """The training stack's versions: a loss curve is reproducible only with the same ones."""
    from importlib.metadata import version

    return {name: version(name) for name in ("torch", "transformers", "trl", "peft")}


def epoch_means(log: list[LossRow]) -> list[float]:
    """Mean logged loss per (started) epoch: steadier than the last step's loss, whose batch
    may hold a single example."""
    import math

    sums: dict[int, list[float]] = {}
    for row in log:
        epoch = max(0, math.ceil(round(row.epoch, 6)) - 1)
        sums.setdefault(epoch, []).append(row.loss)
    return [round(sum(v) / len(v), 4) for _, v in sorted(sums.items())]


def write_card(out: Path, plan: Plan, log: list[LossRow]) -> dict[str, Any]:
    """card.json (machine-readable) and README.md (the same facts for a reader)."""
    card = {
        **plan.to_json(),
        "package": {"mseed_multilingual": __version__, **library_versions()},
        "training": {"steps": log[-1].step if log else 0,
                     "first_loss": log[0].loss if log else None,
                     "final_loss": log[-1].loss if log else None,
                     "mean_loss_by_epoch": epoch_means(log),
                     "log_csv": LOG_CSV, "loss_png": LOSS_PNG},
        "adapter_sha256": sha256_file(out / "adapter_model.safetensors"),
    }
    write_json(out / CARD_FILE, card)
    write_text(out / "README.md", card_markdown(card))
    return card


def card_markdown(card: dict[str, Any]) -> str:
    """The card as a README a reader sees first on the hub or in the folder."""
    h, d, b = card["hyperparameters"], card["data"], card["base"]
    rows = "\n".join(f"| {k} | `{v}` |" for k, v in sorted(h.items()))
    return f"""# LoRA safety adapter ({card['method'].upper()}, {card['lang']})

Trained by `mseed align` ({card['align_version']}, mseed-multilingual
{card['package']['mseed_multilingual']}) on safety data in **{card['lang']}** only, to measure
how much of the safety gain transfers to other languages.

- Base model: `{b['model']}` (GGUF `{b['gguf_file']}`), sha256 `{b['sha256']}`
- Data: `{d['path']}` ({d['examples']} examples: {d['harmful']} harmful, {d['benign']} benign),
  file sha256 `{d['file_sha256']}`, examples sha256 `{d['examples_sha256']}`
- Seed: {card['seed']}; configuration sha256 `{card['config_sha256']}`
- Precision: {describe_precision(card.get('precision') or {})}
- Training: {card['training']['steps']} steps, mean loss per epoch
  {card['training']['mean_loss_by_epoch']} (`{LOG_CSV}`, `{LOSS_PNG}`)
- Libraries: {', '.join(f'{k} {v}' for k, v in card['package'].items())}

| hyper-parameter | value |
|---|---|
{rows}

Use with lm-eval: `--model hf --model_args
pretrained=<base folder>,gguf_file=<gguf>,peft=<this folder>`.
"""


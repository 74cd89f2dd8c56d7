"""The plan of an ``mseed align`` run: every decision (method, language, hyper-parameters,
seed, precision) and the fingerprints of what goes in (base weights, data), fixed before any
model is loaded, so ``--plan`` shows them and ``--resume`` can refuse a run that changed.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from mseed_multilingual.align.base_model import resolve_base
from mseed_multilingual.align.examples import Example, load_examples
from mseed_multilingual.core.io import read_json, sha256_file, sha256_json, write_json

log = logging.getLogger(__name__)

ALIGN_VERSION = "align-1"
METHODS = ("sft", "dpo")
# The output folder's files: the plan (written first, what --resume compares with) and the card
# (written last, :mod:`.card`: its presence means the adapter is finished).
PLAN_FILE = "plan.json"
CARD_FILE = "card.json"
TRAIN_DEVICE = "cpu"  # the trainer runs with use_cpu=True


@dataclass(frozen=True)
class Hyperparameters:
    """The training settings of a run. The defaults are sized for a 135M model on a 2-core CPU
    (a few minutes for ~220 examples); the LoRA targets only the attention projections so the
    adapter stays a few MB. ``dpo_beta`` is None for SFT (and then left out of the JSON, as
    plans and cards have always had it)."""

    epochs: float = 3.0
    max_steps: int = -1
    lr: float = 5e-4
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.0
    target_modules: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")
    batch_size: int = 8
    grad_accum: int = 1
    max_length: int = 384
    warmup_steps: int = 0
    scheduler: str = "linear"
    dpo_beta: float | None = 0.1
    save_steps: int = 10
    rejected_max_new_tokens: int = 64
    rejected_from_base: bool = False

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["target_modules"] = list(self.target_modules)
        if self.dpo_beta is None:
            del out["dpo_beta"]
        return out


# What --max-steps, --lr, ... may override (rejected_from_base is its own option).
TUNABLE = tuple(f.name for f in fields(Hyperparameters) if f.name != "rejected_from_base")


# Seconds per optimizer step with the defaults above (batch 8 x 384 tokens, LoRA on the
# attention projections) on SmolLM2-135M, 2 idle cores of an AMD EPYC (AVX512, native bf16):
# bf16 from `make adapter` (84 steps in 7 minutes, docs/align.md "Retraining"); fp32 six times
# that, the fp32/bf16 step ratio of benchmarks/train_throughput.py on the same CPU. A step's
# cost grows about linearly with batch size, length and parameter count: the estimate scales by
# those and is printed as an estimate.
MEASURED_STEP_SECONDS = {"bf16": 5.0, "fp32": 30.0}
MEASURED_PARAMETERS = 135e6
MEASURED_TOKENS_PER_STEP = 8 * 384
# Fewer benign examples than this share of the data and the model learns to refuse everything.
MIN_BENIGN_SHARE = 0.1


@dataclass(frozen=True)
class BaseWeights:
    """The base model a run trains on: its name, GGUF file and the sha256 of its weights (None
    for a hub id: the hub's revision pins it, not a local file)."""

    model: str
    gguf_file: str | None
    sha256: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrainingData:
    """What a run trains on: the file, its shape and hashes, and the examples' counts."""

    path: str
    shape: str
    file_sha256: str
    responses_sha256: str | None
    examples_sha256: str
    examples: int
    harmful: int
    benign: int
    # Exact duplicate records dropped while reading (examples.Training.dropped).
    dropped: list[dict[str, str]] = field(default_factory=list)
    # The DPO rejected answers generated from the base (rejected.add_rejected_from_base).
    rejected_sha256: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The plan's ``data`` object; the last two only when set, so plans and cards written
        before they existed stay equal."""
        out = asdict(self)
        if not self.dropped:
            del out["dropped"]
        if self.rejected_sha256 is None:
            del out["rejected_sha256"]
        return out


@dataclass
class Plan:
    """Everything a training run is decided by, computed before any model is loaded."""

    method: str
    lang: str
    base: BaseWeights
    data: TrainingData
    hyperparameters: Hyperparameters
    seed: int
    examples: list[Example] = field(repr=False)
    # What the trainer computes in (precision.Precision.to_json()); chosen by the hardware, so
    # kept out of config_sha256: the same plan on another CPU may differ here only.
    precision: dict[str, Any] = field(default_factory=dict)

    def steps(self) -> int:
        """Optimizer steps the trainer will take (TRL: ceil(examples / batch) per epoch)."""
        hyper = self.hyperparameters
        if hyper.max_steps > 0:
            return int(hyper.max_steps)
        per_epoch = math.ceil(len(self.examples) / (hyper.batch_size * hyper.grad_accum))
        return math.ceil(per_epoch * hyper.epochs)

    def estimated_seconds(self, parameters: float = MEASURED_PARAMETERS) -> float:
        """The training time from :data:`MEASURED_STEP_SECONDS`, scaled by tokens per step and
        model size (``parameters``; the default is the measured model's)."""
        hyper = self.hyperparameters
        per_step = MEASURED_STEP_SECONDS.get(self.precision.get("used", "fp32"),
                                             MEASURED_STEP_SECONDS["fp32"])
        tokens = hyper.batch_size * hyper.grad_accum * hyper.max_length
        return self.steps() * per_step * tokens / MEASURED_TOKENS_PER_STEP * (
            parameters / MEASURED_PARAMETERS)

    def warnings(self) -> list[str]:
        """What about the data will make a poor adapter, with what to do about it."""
        out = []
        benign, total = self.data.benign, self.data.examples
        if self.method == "sft" and benign < MIN_BENIGN_SHARE * total:
            out.append(f"only {benign} of {total} examples are benign: trained on refusals "
                       f"alone, the model learns to refuse everything (over-refusal). Add benign "
                       f"prompts with helpful answers (kind \"benign\" in a pairs file, or MSEED "
                       f"records with a --responses file); translations/align/zh.jsonl has "
                       f"{MIN_BENIGN_SHARE:.0%}+ benign for this reason (docs/align.md)")
        if self.data.dropped:
            out.append(f"{len(self.data.dropped)} exact duplicate record(s) dropped (listed "
                       f"under data.dropped in the plan)")
        return out

    def to_json(self) -> dict[str, Any]:
        """The plan as written to ``plan.json`` and into the card (examples as a hash only)."""
        out = {"method": self.method, "lang": self.lang, "base": self.base.to_json(),
               "data": self.data.to_json(), "hyperparameters": self.hyperparameters.to_json(),
               "seed": self.seed, "precision": self.precision}
        out["config_sha256"] = sha256_json(
            {"method": self.method, "lang": self.lang,
             "hyperparameters": self.hyperparameters.to_json(),
             "seed": self.seed, "align_version": ALIGN_VERSION})
        out["align_version"] = ALIGN_VERSION
        return out


def examples_sha256(examples: Sequence[Example]) -> str:
    """The data's content hash: equal examples, equal hash, whatever file shape they came in."""
    return sha256_json([e.key() for e in examples])


def base_fingerprint(model: str, gguf_file: str | None) -> BaseWeights:
    """Name and sha256 of the base weights (the GGUF file, or the folder's weight files)."""
    folder, gguf_file = resolve_base(model, gguf_file)
    path = Path(folder)
    if gguf_file:
        digest = sha256_file(path / gguf_file)
    elif path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".safetensors", ".bin"))
        digest = sha256_json({p.name: sha256_file(p) for p in files})
    else:
        digest = None  # a hub id: the hub's revision pins it, not a local file
    return BaseWeights(model=model, gguf_file=gguf_file, sha256=digest)


def make_plan(base: str, data: str | Path, lang: str, method: str, gguf_file: str | None = None,
              responses: str | Path | None = None, rejected_from_base: bool = False,
              seed: int = 0, precision: str | None = None, **overrides: Any) -> Plan:
    """Validate the inputs and fix every decision of the run; loads no model.

    ``precision`` (``auto``, ``fp32``, ``bf16``; see :mod:`mseed_multilingual.core.precision`)
    is resolved here, on the CPU the trainer runs on, so ``--plan`` shows it before anything is
    trained.
    """
    from mseed_multilingual.core.precision import resolve

    if method not in METHODS:
        raise ValueError(f"--method must be one of {list(METHODS)}, found {method!r}")
    training = load_examples(data, lang, method, responses, rejected_from_base)
    shape, examples = training.shape, training.examples
    unknown = set(overrides) - set(TUNABLE)
    if unknown:
        raise ValueError(f"unknown hyper-parameter(s) {sorted(unknown)}")
    chosen_hyper = {k: v for k, v in overrides.items() if v is not None}
    if "target_modules" in chosen_hyper:
        chosen_hyper["target_modules"] = tuple(chosen_hyper["target_modules"])
    hyper = Hyperparameters(**chosen_hyper, rejected_from_base=(
        bool(rejected_from_base) and method == "dpo"))
    if method == "sft":
        hyper = replace(hyper, dpo_beta=None)
    data_info = TrainingData(
        path=str(data), shape=shape, file_sha256=sha256_file(data),
        responses_sha256=sha256_file(responses) if responses else None,
        examples_sha256=examples_sha256(examples), examples=len(examples),
        harmful=sum(e.kind == "harmful" for e in examples),
        benign=sum(e.kind == "benign" for e in examples), dropped=list(training.dropped))
    chosen = resolve(precision, TRAIN_DEVICE)
    return Plan(method=method, lang=lang, base=base_fingerprint(base, gguf_file),
                data=data_info, hyperparameters=hyper, seed=seed, examples=examples,
                precision=chosen.to_json())


def check_output(out: Path, resume: bool, plan: Plan) -> None:
    """Refuse to overwrite; on resume, refuse a plan that differs from the interrupted one."""
    if resume:
        saved = out / PLAN_FILE
        if not saved.is_file():
            raise ValueError(f"--resume: {saved} does not exist (nothing to resume)")
        old = read_json(saved, "plan file")
        new = plan.to_json()
        for key in ("config_sha256", "base", "data"):
            if old.get(key) != new.get(key):
                raise ValueError(f"--resume: {key} differs from the interrupted run in {saved}; "
                                 f"start a new output folder instead")
        if (out / CARD_FILE).exists():
            raise ValueError(f"--resume: {out} already holds a finished adapter")
        _note_precision_change(old.get("precision") or {}, plan)
        return
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"output folder {out} exists and is not empty; choose another or pass "
                         f"--resume to continue an interrupted run")


def _note_precision_change(old: dict[str, Any], plan: Plan) -> None:
    """A resume on other hardware may train in another precision: allowed (the settings and
    data are the same, only the arithmetic differs), said aloud, and recorded in the plan as
    ``precision.resumed_from`` (plan.json is rewritten by :func:`train`)."""
    before = old.get("used")
    if not before or before == plan.precision.get("used"):
        return
    log.warning("--resume: the interrupted run trained in %s (%s); this machine continues in "
                "%s (%s). Allowed: only the precision differs; the card records both.",
                before, old.get("capability", "?"), plan.precision["used"],
                plan.precision["capability"])
    plan.precision = {**plan.precision, "resumed_from": old}



def write_plan(out: Path, plan: Plan) -> None:
    """``plan.json`` in the output folder: what a resumed run is compared with."""
    write_json(out / PLAN_FILE, plan.to_json())

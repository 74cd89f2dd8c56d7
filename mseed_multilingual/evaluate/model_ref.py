"""What a run's ``model_args`` name: the base model, its adapter, a GGUF file, a served model.

Three stages read the same few keys of lm-eval's ``model_args`` and each needs a different
view of them: ``mseed run`` checks the local folders they name before any model loads and
names the run folder after the model; ``mseed transfer``/``submit`` check that the runs they
compare share one base model (:mod:`.compat`). One parser here keeps the three agreeing on
which key is the base (the first of :data:`BASE_KEYS`, as lm-eval's own folder naming does),
which is the adapter and which values are local paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# lm-eval's keys for the base model (hf: pretrained; vllm/sglang: pretrained or model; the
# OpenAI-compatible backends: model; others: path, engine), in the order lm-eval reads them.
BASE_KEYS = ("pretrained", "model", "path", "engine")
ADAPTER_KEY = "peft"
GGUF_KEY = "gguf_file"
# Keys whose value may be a local folder that must exist before the model loads.
PATH_KEYS = ("pretrained", "peft", "delta", "tokenizer")
# A hub repository id: ``name`` or ``owner/name`` (huggingface_hub's validate_repo_id rules).
HUB_ID_RE = re.compile(r"^(?:[A-Za-z0-9][\w.-]*/)?[A-Za-z0-9][\w.-]*$")
# Characters kept in a run folder name (others become "_"); "+" joins base and adapter.
FOLDER_CHARS_RE = re.compile(r"[^\w.+-]+")
BASE_URL_KEY = "base_url"


def parse_model_args(model_args: str | dict[str, Any] | None) -> dict[str, str]:
    """``k=v,k=v`` (or lm-eval's recorded dict) as a dict of strings; empty parts ignored."""
    if isinstance(model_args, dict):
        return {str(k): str(v) for k, v in model_args.items()}
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (model_args or "").split(","))):
        if "=" not in part:
            raise ValueError(f"--model-args: expected key=value, got {part!r}")
        key, value = part.split("=", 1)
        out[key.strip()] = value.strip()
    return out


def looks_like_path(value: str) -> bool:
    """True for a value that can only be a local path (not a hub id): absolute, ``./``,
    ``../``, ``~``, a backslash, or more than one ``/``."""
    return (value.startswith(("/", "./", "../", "~", ".\\")) or "\\" in value
            or Path(value).is_absolute() or not HUB_ID_RE.match(value))


def is_local(value: str) -> bool:
    """A value naming something on this machine: an existing path, one that can only be a
    path, or ``owner/name`` whose ``owner`` is a folder here (``adapters/my-lora`` mistyped
    is a missing folder, not a hub repository)."""
    path = Path(value).expanduser()
    return looks_like_path(value) or path.exists() or (
        len(path.parts) > 1 and path.parent.is_dir())


def display_name(ref: str, gguf_file: str | None = None) -> str:
    """A hub id stays as it is; a local path becomes its folder (or GGUF file) name."""
    if gguf_file:
        return Path(gguf_file).name.removesuffix(".gguf")
    if is_local(ref):
        return Path(ref.rstrip("/\\")).name or ref
    return ref


@dataclass(frozen=True)
class ModelRef:
    """The parts of ``model_args`` that say which model answered."""

    base: str | None  # hub id, local folder or served model id, as given
    gguf_file: str | None
    adapter: str | None  # the peft= value, as given
    base_url: str | None

    @classmethod
    def parse(cls, model_args: str | dict[str, Any] | None) -> ModelRef:
        args = parse_model_args(model_args)
        base = next((args[k] for k in BASE_KEYS if args.get(k)), None)
        return cls(base=base, gguf_file=args.get(GGUF_KEY) or None,
                   adapter=args.get(ADAPTER_KEY) or None, base_url=args.get(BASE_URL_KEY))

    @property
    def base_name(self) -> str | None:
        return display_name(self.base, self.gguf_file) if self.base else None

    def folder_name(self) -> str | None:
        """The run folder's name: the model's short name (a GGUF file's stem, a local folder's
        name, a hub id with ``/`` as ``__`` as lm-eval writes it) plus ``+<adapter>``; never an
        absolute path (lm-eval would write ``__home__me__models__x``). None without a base."""
        if not self.base:
            return None
        name = self.base_name or self.base
        if self.adapter:
            name = f"{name}+{display_name(self.adapter)}"
        return FOLDER_CHARS_RE.sub("_", name.replace("/", "__")).strip("._") or None


def check_local_paths(model_args: str) -> str:
    """``model_args`` with every local path of :data:`PATH_KEYS` made absolute, checked before
    a model loads: a path that does not exist is an error saying so (lm-eval would otherwise
    try it as a hub id after seconds, "Repo id must be in the form ...", or load the base
    model first and fail on the adapter half a minute later). A value that reads as a hub id
    and is not a local folder is left to lm-eval."""
    args = parse_model_args(model_args)
    changed = False
    for key in PATH_KEYS:
        value = args.get(key)
        if not value or not is_local(value):
            continue
        path = Path(value).expanduser()
        if not path.exists():
            raise FileNotFoundError(f"--model-args {key}={value}: no such folder"
                                    + (f" ({path.resolve()})" if not path.is_absolute() else ""))
        if not path.is_dir():
            raise ValueError(f"--model-args {key}={value}: is a file, expected a model folder"
                             + (f" (for a GGUF file: {key}=FOLDER,{GGUF_KEY}=FILE.gguf)"
                                if key == "pretrained" and value.endswith(".gguf") else ""))
        if str(path.resolve()) != value:
            args[key] = str(path.resolve())
            changed = True
    gguf = args.get(GGUF_KEY)
    base = args.get("pretrained")
    if gguf and base and is_local(base) and not (Path(base) / gguf).is_file() \
            and not Path(gguf).is_file():
        raise FileNotFoundError(f"--model-args {GGUF_KEY}={gguf}: no such file in {base}")
    return ",".join(f"{k}={v}" for k, v in args.items()) if changed else model_args

"""Do the runs a comparison reads belong together? One base model before and after alignment.

A transfer (or a submission's change block) measures what alignment did to one model, so
every run must share the before run's base: the same hub id (and revision), the same local
folder or GGUF file (by content, so a copy on another path still matches), the same served
model. What may differ is what alignment adds: a ``peft=`` adapter, a system prompt,
generation settings. A full fine-tune is a different base by this rule; the user says so
with ``--allow-different-base``, which the signature (or submission) records.

A before run with an adapter compared with an after run without one is legal but almost
always ``--before`` and ``--after`` swapped: it is flagged, not refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mseed_multilingual.core.io import update_digest_path
from mseed_multilingual.evaluate.model_ref import ModelRef, is_local
from mseed_multilingual.evaluate.run_folder import find_key, load_run
from mseed_multilingual.evaluate.served import METADATA_KEY as SERVED_KEY

FLAG = "--allow-different-base"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class BaseModel:
    """What a run's answers came from, below any adapter."""

    kind: str  # hub, folder, gguf, served, unknown
    key: str  # equal keys: the same base (a content hash for local files that are here)
    name: str  # for messages
    adapter: str | None = None

    def describe(self) -> str:
        where = f"{self.kind} {self.name}"
        return f"{where} + adapter {self.adapter}" if self.adapter else where


@dataclass
class Compatibility:
    """The outcome of :func:`check_runs`: warnings to show, and whether bases differed."""

    bases: dict[str, BaseModel]
    different_base: bool = False
    warnings: list[str] = field(default_factory=list)


def run_base(results: dict[str, Any]) -> BaseModel:
    """The base model of a run, from its lm-eval results file."""
    config = results.get("config", {}) if isinstance(results, dict) else {}
    ref = ModelRef.parse(config.get("model_args"))
    adapter = Path(ref.adapter.rstrip("/")).name if ref.adapter else None
    served = find_key(results, SERVED_KEY)
    if served:  # the identity the server reported (served.ServedModel.label)
        return BaseModel("served", str(served), str(served), adapter)
    if not ref.base:
        return BaseModel(UNKNOWN, UNKNOWN, str(config.get("model") or UNKNOWN), adapter)
    name = ref.base_name or ref.base
    if ref.gguf_file:
        gguf = Path(ref.gguf_file) if Path(ref.gguf_file).is_absolute() else Path(
            ref.base) / ref.gguf_file
        return BaseModel("gguf", _content_key(gguf, name), name, adapter)
    if is_local(ref.base):
        return BaseModel("folder", _content_key(Path(ref.base), name), name, adapter)
    revision = parse_revision(config)
    return BaseModel("hub", f"{ref.base}@{revision}" if revision else ref.base, ref.base,
                     adapter)


def parse_revision(config: dict[str, Any]) -> str | None:
    """A hub revision from model_args (``revision=``), if one was pinned."""
    from mseed_multilingual.evaluate.model_ref import parse_model_args

    revision = parse_model_args(config.get("model_args")).get("revision")
    return revision if revision and revision != "main" else None


def _content_key(path: Path, name: str) -> str:
    """sha256 of a file, or of a folder's file names and contents, when it is on this machine;
    else the name (a run made elsewhere can only be matched by name)."""
    if not path.exists():
        return f"name:{name}"
    return f"sha256:{update_digest_path(hashlib.sha256(), path).hexdigest()[:16]}"


def check_runs(before: str | Path, afters: list[str | Path], labels: list[str],
               allow_different_base: bool = False) -> Compatibility:
    """Refuse runs whose base differs from the before run's (unless allowed), flag a likely
    before/after swap. ``labels`` name ``[before, *afters]`` in messages."""
    paths = [before, *afters]
    bases = {label: run_base(load_run(path).results)
             for label, path in zip(labels, paths, strict=True)}
    out = Compatibility(bases=bases)
    first = bases[labels[0]]
    for label in labels[1:]:
        other = bases[label]
        if UNKNOWN in (first.kind, other.kind):
            out.warnings.append(f"the base model of run {label!r} or of the before run is not "
                                f"recorded: cannot check that they belong together")
        elif (first.kind, first.key) != (other.kind, other.key):
            if not allow_different_base:
                raise ValueError(
                    f"runs {labels[0]!r} and {label!r} do not share a base model (before: "
                    f"{first.describe()}; {label}: {other.describe()}): a transfer compares one "
                    f"model before and after alignment (an adapter or a system prompt added). "
                    f"Compare runs of the same base, or, if {label!r} is a full fine-tune of "
                    f"the before model, pass {FLAG} (recorded in the signature)")
            out.different_base = True
        if first.adapter and not other.adapter:
            out.warnings.append(
                f"the before run has an adapter ({first.adapter}) and run {label!r} has none: "
                f"were --before and --after swapped?")
    return out

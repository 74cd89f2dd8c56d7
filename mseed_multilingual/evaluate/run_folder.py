"""Read lm-eval output folders: results JSON and logged samples, as the CLI and `mseed run` write.

``lm_eval --output_path runs/X --log_samples`` writes ``runs/X/<model>/results_<ts>.json`` and
``samples_<task>_<ts>.jsonl``. A folder may hold several evaluations (reruns, other tasks);
for each task the newest samples file is used. Every later stage (judge, transfer, submit)
reads answers through this module and never regenerates them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mseed_multilingual.core import taxonomy
from mseed_multilingual.core.io import InputError, check_index, iter_jsonl, not_text, read_json
from mseed_multilingual.data.records import DOC_FIELDS

SAMPLES_RE = re.compile(r"^samples_(?P<task>.+)_(?P<ts>\d{4}-\d{2}-\d{2}T[\d\-.:]+)\.jsonl$")
RESULTS_RE = re.compile(r"^results_(?P<ts>\d{4}-\d{2}-\d{2}T[\d\-.:]+)\.json$")
# mseed_<lang>, and mseedjudge_<lang> (the same documents with a judge filter beside the answer).
MSEED_TASK_RE = re.compile(r"^mseed(?:judge)?_(?P<lang>[a-z]{2,3})$")
SAMPLE_KEYS = ("doc_id", "doc", "resps", "filtered_resps")
# Per-answer outcomes lm-eval averages into rates: each logged value must be exactly 0 or 1 (a
# 0.5 would shift a rate silently, an Infinity would overflow a count).
BINARY_METRIC_RE = re.compile(r"^(?:refusal_rate(?:_\w+)?|over_refusal_rate|fidelity|"
                              r"judge_(?:safe|invalid|error)_rate)$")
# The data source the mseed tasks ran on (``--metadata mseed_data=PATH``), as lm-eval records it.
DATA_METADATA_KEY = "mseed_data"
NO_SAMPLES_HINT = ("no samples_*.jsonl files: run lm_eval with --log_samples (and "
                   "--output_path), or use `mseed run`, which always logs samples")


@dataclass(frozen=True)
class Sample:
    """One answer of one document, with the labels the task logged beside it."""

    file: str
    line: int
    task: str
    doc_id: int
    filter: str
    id: str
    lang: str
    dimension: str
    subclass: str
    kind: str
    prompt: str
    response: str
    metrics: dict[str, float] = field(default_factory=dict, compare=False)
    variant: str = "plain"  # prompt variant (mseed_multilingual.data.variants); plain if none
    base_id: str = ""  # the plain prompt's id a variant pairs with (its own id if plain)


@dataclass
class Run:
    """One model folder of an lm-eval output path."""

    model_dir: Path
    results: dict[str, Any]
    results_file: Path | None
    samples_files: dict[str, Path]

    @property
    def config(self) -> dict[str, Any]:
        return self.results.get("config", {})

    @property
    def mseed_tasks(self) -> list[str]:
        """One safety task per language: mseed_<lang>, or mseedjudge_<lang> when the run has
        only that one (both hold the same answers to the same documents)."""
        by_lang: dict[str, str] = {}
        for task in sorted(self.samples_files, reverse=True):  # mseed_<lang> comes last, wins
            if m := MSEED_TASK_RE.match(task):
                by_lang[m["lang"]] = task
        return sorted(by_lang.values())

    def samples(self, tasks: list[str] | None = None) -> list[Sample]:
        """The samples of the MSEED tasks (or of ``tasks``), one per document (filter 'none'
        when several filters logged the same document)."""
        out: list[Sample] = []
        for task in tasks or self.mseed_tasks:
            out.extend(one_per_document(self.samples_files[task]))
        return out


def one_per_document(path: Path) -> list[Sample]:
    """The samples of one file, one per document (filter 'none' when several filters logged
    it), in doc_id order. A file with no answers, a document logged twice under one filter,
    and one prompt id on two documents are errors naming the file (and line): each would
    change a published count without a word."""
    seen: dict[int, Sample] = {}
    logged: set[tuple[int, str]] = set()
    doc_of_id: dict[str, int] = {}
    for s in read_samples(path):
        where = f"{s.file}:{s.line}"
        if (s.doc_id, s.filter) in logged:
            raise InputError(f"{where}: doc_id {s.doc_id} is logged twice (filter {s.filter!r});"
                             f" a samples file holds each document once")
        if doc_of_id.setdefault(s.id, s.doc_id) != s.doc_id:
            raise InputError(f"{where}: prompt id {s.id!r} is on doc_id {doc_of_id[s.id]} and "
                             f"{s.doc_id}; each prompt is asked once per run")
        logged.add((s.doc_id, s.filter))
        if s.doc_id not in seen or s.filter == "none":
            seen[s.doc_id] = s
    if not seen:
        raise InputError(f"{path}: samples file holds no answers (empty: an interrupted run? "
                         f"delete it or run that language again)")
    return [seen[k] for k in sorted(seen)]


def _newest(paths: list[tuple[str, Path]]) -> Path:
    return max(paths)[1]


def find_model_dirs(path: str | Path) -> list[Path]:
    """Folders under ``path`` (or ``path`` itself) that hold samples or results files."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such run folder")
    if path.is_file():
        raise ValueError(f"{path}: expected a run folder (lm_eval --output_path), got a file")
    dirs = {p.parent for p in path.rglob("samples_*.jsonl")}
    dirs |= {p.parent for p in path.rglob("results_*.json")}
    return sorted(dirs)


def load_run(path: str | Path) -> Run:
    """The single model folder under ``path`` (an output path or the model folder itself)."""
    dirs = find_model_dirs(path)
    if not dirs:
        raise ValueError(f"{path}: {NO_SAMPLES_HINT}")
    if len(dirs) > 1:
        listing = ", ".join(str(d) for d in dirs)
        raise ValueError(f"{path} holds several model folders ({listing}); pass one of them, "
                         f"or combine the language shards of one run with `mseed merge-runs`")
    return _load_model_dir(dirs[0])


def _load_model_dir(model_dir: Path) -> Run:
    samples: dict[str, list[tuple[str, Path]]] = {}
    for p in model_dir.glob("samples_*.jsonl"):
        m = SAMPLES_RE.match(p.name)
        if m:
            samples.setdefault(m["task"], []).append((m["ts"], p))
    results = [(m["ts"], p) for p in model_dir.glob("results_*.json")
               if (m := RESULTS_RE.match(p.name))]
    if not samples:
        raise ValueError(f"{model_dir}: {NO_SAMPLES_HINT}")
    results_file = _newest(results) if results else None
    data: dict[str, Any] = {}
    if results_file:
        data = read_json(results_file, "lm-eval results file")
        check_results_shape(data, str(results_file))
    return Run(model_dir=model_dir, results=data, results_file=results_file,
               samples_files={t: _newest(v) for t, v in sorted(samples.items())})


# Blocks of an lm-eval results file that later stages read as objects (task -> object inside).
RESULTS_OBJECTS = ("config", "results", "versions", "n-samples", "configs", "task_hashes")
RESULTS_TASK_OBJECTS = ("results", "n-samples", "configs")


def check_results_shape(data: Any, where: str) -> None:
    """The parts of a results JSON that are read have the types lm-eval writes; a hand-edited
    file with a list or a string in their place is an error naming the field, not a crash."""
    def fail(field: str, want: str, value: Any) -> None:
        raise InputError(f"{where}: {field} must be {want}, got {type(value).__name__}")

    if not isinstance(data, dict):
        fail("an lm-eval results file", "a JSON object", data)
    for key in RESULTS_OBJECTS:
        if key in data and not isinstance(data[key], dict):
            fail(f"'{key}'", "an object", data[key])
    for key in RESULTS_TASK_OBJECTS:
        for task, value in data.get(key, {}).items():
            if value is not None and not isinstance(value, dict):
                fail(f"'{key}.{task}'", "an object", value)
    config = data.get("config", {})
    limit = config.get("limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, float))
                              or not 0 <= limit < float("inf")):
        raise InputError(f"{where}: 'config.limit' must be a number (finite, not negative) "
                         f"or null, got {limit!r}"[:300])
    if config.get("model_args") is not None and not isinstance(config["model_args"],
                                                                (str, dict)):
        fail("'config.model_args'", "text or an object", config["model_args"])


def read_samples(path: str | Path) -> Iterator[Sample]:
    """Parse an lm-eval samples file; a truncated or foreign line raises naming file:line."""
    path = Path(path)
    m = SAMPLES_RE.match(path.name)
    task = m["task"] if m else path.stem
    for line in iter_jsonl(path, "samples file",
                           hint="the file may be truncated (an interrupted run)"):
        yield _sample(line.value, line.where, str(path), line.number, task)


def _sample(obj: Any, loc: str, file: str, n: int, task: str) -> Sample:
    if not isinstance(obj, dict) or any(k not in obj for k in SAMPLE_KEYS):
        raise ValueError(f"{loc}: not an lm-eval sample line (needs keys {list(SAMPLE_KEYS)})")
    doc = obj["doc"]
    missing = [k for k in DOC_FIELDS if not isinstance(doc, dict) or k not in doc]
    if missing:
        raise ValueError(f"{loc}: doc lacks {missing}: not an mseed task's samples file")
    doc_id = check_index(obj["doc_id"], loc)
    wrong = not_text(doc, DOC_FIELDS)
    if wrong:
        raise InputError(f"{loc}: doc field(s) {', '.join(wrong)} must be text, got "
                         f"{', '.join(type(doc[k]).__name__ for k in wrong)}")
    metrics = {k: float(v) for k, v in obj.items()
               if k not in SAMPLE_KEYS and isinstance(v, (int, float)) and not isinstance(v, bool)
               and k != "doc_id"}
    check_outcomes(obj, loc, doc["id"])
    check_labels(doc, loc)
    return Sample(file=file, line=n, task=task, doc_id=doc_id,
                  filter=str(obj.get("filter", "none")), id=doc["id"], lang=doc["lang"],
                  dimension=doc["dimension"], subclass=doc["subclass"], kind=doc["kind"],
                  prompt=doc["prompt"], response=first_response(obj["resps"], loc),
                  metrics=metrics, **_variant_fields(doc, loc))


def _variant_fields(doc: dict[str, Any], loc: str) -> dict[str, str]:
    """The prompt variant of a document (absent: a run made without variants, all plain)."""
    variant = doc.get("variant") or "plain"
    base_id = doc.get("base_id") or doc["id"]
    if not isinstance(variant, str) or not isinstance(base_id, str):
        raise InputError(f"{loc}: doc fields variant and base_id must be text")
    return {"variant": variant, "base_id": base_id}


def check_outcomes(obj: dict[str, Any], loc: str, sample_id: str) -> None:
    """Every per-answer 0/1 metric of a sample line is 0 or 1 (NaN, Infinity, 0.5, 2, -1, text
    are errors naming the line and the sample); ``answer_length`` is a finite count."""
    for key, value in obj.items():
        if BINARY_METRIC_RE.match(key):
            if isinstance(value, bool) or value not in (0, 1) or isinstance(value, str):
                raise InputError(f"{loc}: sample {sample_id}: {key} = {value!r} must be 0 or 1 "
                                 f"(a per-answer outcome)")
        elif key == "answer_length" and not (
                isinstance(value, (int, float)) and not isinstance(value, bool)
                and 0 <= value < float("inf")):
            raise InputError(f"{loc}: sample {sample_id}: answer_length = {value!r} must be a "
                             f"non-negative finite number")


def check_labels(doc: dict[str, Any], loc: str) -> None:
    """The labels that decide what an answer counts towards are the taxonomy's: a ``kind``
    other than harmful/benign (``"HARMFUL"``) used to count as benign, and an unknown
    dimension reached tables and CSVs as a row of its own."""
    if doc["kind"] not in taxonomy.KINDS:
        raise InputError(f"{loc}: sample {doc['id']}: kind {doc['kind'][:80]!r} must be one of "
                         f"{', '.join(taxonomy.KINDS)}")
    if doc["dimension"] not in taxonomy.DIMENSION_CODES:
        raise InputError(f"{loc}: sample {doc['id']}: dimension {doc['dimension'][:80]!r} is "
                         f"not one of the taxonomy's ({', '.join(taxonomy.DIMENSION_CODES)})")


def first_response(resps: Any, where: str = "resps") -> str:
    """The raw answer of a generate_until sample: ``resps`` is ``[[text]]`` (one instance, one
    repeat); an empty list is an empty answer; anything but text inside (an object, a number)
    is an error naming ``where``, not the text of the dict judged as an answer."""
    while isinstance(resps, list) and resps:
        resps = resps[0]
    if isinstance(resps, list):
        return ""
    if not isinstance(resps, str):
        raise InputError(f"{where}: resps must hold the answer text ([[text]]), found "
                         f"{type(resps).__name__}")
    return resps


def model_name(results: dict[str, Any], model_dir: Path) -> str:
    """A short, machine-independent model name for tables and signatures.

    From lm-eval's ``model_args``: the GGUF file's stem (else the last path part of
    ``pretrained``/``model``/``path``/``engine``), plus ``+<adapter>`` for a ``peft`` adapter;
    absolute paths would make the same analysis sign differently on every machine.
    """
    args = results.get("config", {}).get("model_args")
    if isinstance(args, str):
        args = dict(p.split("=", 1) for p in args.split(",") if "=" in p)
    args = args if isinstance(args, dict) else {}
    base = next((str(args[k]) for k in ("pretrained", "model", "path", "engine") if args.get(k)),
                None) or results.get("model_name") or model_dir.name
    name = Path(str(args["gguf_file"])).stem if args.get("gguf_file") else _last_part(base)
    return f"{name}+{_last_part(str(args['peft']))}" if args.get("peft") else name


def _last_part(name: str) -> str:
    return Path(name.rstrip("/")).name or name


def find_key(obj: Any, key: str) -> Any:
    """The first value of ``key`` anywhere in a nested JSON object (sorted walk), else None."""
    if isinstance(obj, dict):
        if obj.get(key):
            return obj[key]
        for k in sorted(obj):
            found = find_key(obj[k], key)
            if found is not None:
                return found
    elif isinstance(obj, list):
        for item in obj:
            found = find_key(item, key)
            if found is not None:
                return found
    return None

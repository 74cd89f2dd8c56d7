"""Build a leaderboard submission from a run folder: the document and its canonical text.

A submission says exactly how its numbers were produced (model, lm-eval run, data files, judge)
and carries no number that cannot be recomputed: every score comes from the run's logged
samples and verdicts through :mod:`mseed_multilingual.analysis.table` and
:mod:`mseed_multilingual.analysis.transfer` and its neighbours
(:mod:`mseed_multilingual.analysis.changes`, :mod:`mseed_multilingual.analysis.summaries`; the
statistics live there, not here), and
:mod:`.validate` rebuilds the document with :func:`build` and rejects any difference. A digest
of the per-sample outcomes ties the submission to the exact verdicts.

The document follows ``schemas/submission.v3.json`` (``mseed schema`` prints it). Floats are
rounded to :data:`FLOAT_DIGITS` decimals so the same run gives byte-identical files everywhere.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mseed_multilingual import __version__
from mseed_multilingual.analysis.options import DEFAULT_ALIGNED_ON
from mseed_multilingual.core.io import (
    json_safe,
    json_text,
    read_json,
    sha256_file,
    sha256_text,
    write_json,
)
from mseed_multilingual.judges.judge_id import JudgeId

SCHEMA_VERSION = 4  # the version build() writes; validate.READ_VERSIONS lists what it reads
GENERATOR = "mseed-multilingual"
FLOAT_DIGITS = 10
# Columns of the tidy table (analysis.table) that decide a score: their digest is the verdicts'.
DIGEST_FIELDS = ("task", "doc_id", "id", "lang", "kind", "dimension", "verdict", "refused",
                 "safe", "fidelity")
# The rate blocks of each score group, named as the measures of analysis.summaries.rates_table.
MEASURES = ("safety", "over_refusal", "fidelity", "invalid", "error")
CHANGE_FIELDS = {"n_pairs": "n_pairs", "before": "before", "after": "after_rate",
                 "delta": "delta", "delta_lo": "delta_lo", "delta_hi": "delta_hi",
                 "p_value": "p_value", "p_holm": "p_holm", "transfer_ratio": "transfer_ratio",
                 "ratio_lo": "ratio_lo", "ratio_hi": "ratio_hi"}
_TS_RE = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})")


# --------------------------------------------------------------------------- the file

def dumps(doc: dict[str, Any]) -> str:
    """Canonical text of a submission: sorted keys, 2-space indent, UTF-8, final newline."""
    return json_text(doc, allow_nan=False)


def write(doc: dict[str, Any], out: str | Path) -> Path:
    """Write :func:`dumps` of ``doc`` to ``out`` atomically (folders created)."""
    return write_json(out, doc, allow_nan=False)


def load(path: str | Path) -> dict[str, Any]:
    """Read a submission file; ValueError naming file:line for text that is not JSON."""
    path = Path(path)
    doc = read_json(path, "submission file")
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: a submission is a JSON object, got {type(doc).__name__}")
    return doc


# --------------------------------------------------------------------------- building

def build(run_dir: str | Path, before: str | Path | None = None,
          judge: JudgeId | str | None = None,
          aligned_on: str = DEFAULT_ALIGNED_ON, resamples: int | None = None,
          seed: int | None = None, model_name: str | None = None,
          judge_card: str | Path | dict | None = None, allow_different_base: bool = False,
          warnings: list[str] | None = None) -> dict[str, Any]:
    """The submission document of one run (and its change from ``before`` when given).
    ``judge_card`` (``mseed judge-check -o``) is embedded; a refusal rate gets the lexicon's own
    card by default, a safety judge without one gets null (its kappa is unknown). A ``before``
    of another base model is refused unless ``allow_different_base`` (then recorded as
    ``change.before.different_base``); ``warnings`` collects a likely before/after swap."""
    from mseed_multilingual.analysis.conditions import plain_rows
    from mseed_multilingual.analysis.table import load_runs
    from mseed_multilingual.core import stats
    from mseed_multilingual.evaluate import run_folder as runs
    from mseed_multilingual.judges.validity import judge_metric, resolve_card

    run = runs.load_run(run_dir)
    compat = None
    if before is not None:
        from mseed_multilingual.evaluate.compat import check_runs

        compat = check_runs(before, [run_dir], ["before", "after"], allow_different_base)
        (warnings if warnings is not None else []).extend(compat.warnings)
    specs = [("after", run_dir)] if before is None else [("before", before), ("after", run_dir)]
    table, infos = load_runs(specs, judge=judge)
    table = plain_rows(table)  # a leaderboard score is the plain prompts' (variants: transfer)
    info = infos[-1]
    metric = judge_metric(info.judge)
    after_rows = table[table["run"] == "after"]
    if not after_rows[after_rows["kind"] == "harmful"][["refused", "safe"]].notna().any().any():
        raise ValueError(f"{run.model_dir}: no answer to a harmful prompt has a score (no "
                         f"refusal_rate metric in the samples and no verdicts): judge the run "
                         f"with `mseed judge`, or rerun it with the current mseed tasks")
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": GENERATOR, "version": __version__},
        "created": created_at(run),
        "model": model_block(run, model_name),
        "run": run_block(run),
        "data": data_block(run, info.data_source, info.data_hash, sorted(
            after_rows["lang"].astype(str).unique())),
        "judge": {**judge_block(info.judge, metric),
                  "card": resolve_card(metric, info.judge, judge_card)},
        "scores": scores_block(table, metric),
        "change": None,
        "verdicts": {"digest": outcome_digest(after_rows), "count": len(after_rows)},
    }
    if before is not None:
        doc["change"] = change_block(
            table, infos, before, aligned_on,
            stats.DEFAULT_RESAMPLES if resamples is None else resamples,
            stats.DEFAULT_SEED if seed is None else seed)
        if compat is not None and compat.different_base:
            doc["change"]["before"]["different_base"] = True
    return json_safe(doc, FLOAT_DIGITS)


def created_at(run: Any) -> str:
    """When the evaluation ran (lm-eval's ``date``, else the samples file stamp), in UTC."""
    date = run.results.get("date")
    if isinstance(date, (int, float)) and not isinstance(date, bool):
        return datetime.fromtimestamp(float(date), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for path in sorted(run.samples_files.values()):
        m = _TS_RE.search(path.name)
        if m:
            return f"{m[1]}T{m[2]}:{m[3]}:{m[4]}Z"
    raise ValueError(f"{run.model_dir}: no evaluation date in the results JSON or file names")


def model_args(config: dict[str, Any]) -> dict[str, str]:
    """lm-eval ``model_args`` (a 'k=v,k=v' string or a dict) as a dict of strings."""
    args = config.get("model_args")
    if isinstance(args, dict):
        return {str(k): str(v) for k, v in args.items()}
    if isinstance(args, str):
        return dict(p.split("=", 1) for p in args.split(",") if "=" in p)
    return {}


def display_name(ref: str, gguf_file: str | None = None) -> str:
    """A hub id stays as it is; a local path becomes its folder (or GGUF file) name."""
    if gguf_file:
        return Path(gguf_file).name.removesuffix(".gguf")
    if ref.startswith(("/", "./", "../", "~")) or Path(ref).is_absolute():
        return Path(ref).name or ref
    return ref


def model_block(run: Any, name: str | None = None) -> dict[str, Any]:
    from mseed_multilingual.evaluate.run_folder import model_name as lm_eval_name

    config = run.results.get("config", {})
    args = model_args(config)
    base = args.get("pretrained") or args.get("model") or args.get("path") or args.get("engine")
    adapter = None
    if args.get("peft"):
        adapter = {"name": display_name(args["peft"]), "sha": config.get("peft_sha") or None}
    if not name:
        if adapter:
            name = adapter["name"]
        elif base:
            name = display_name(base, args.get("gguf_file"))
        else:
            name = lm_eval_name(run.results, run.model_dir)
    return {"name": name, "revision": args.get("revision") or config.get("model_revision"),
            "sha": config.get("model_sha") or None,
            "parameters": _int_or_none(config.get("model_num_parameters")),
            "dtype": _str_or_none(config.get("model_dtype")), "adapter": adapter,
            "base_model": display_name(base, args.get("gguf_file")) if adapter and base
            else None,
            "model_args": ",".join(f"{k}={v}" for k, v in sorted(args.items())
                                   if k not in ("pretrained", "peft", "path"))}


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def run_block(run: Any) -> dict[str, Any]:
    res = run.results
    config = res.get("config", {})
    tasks = {}
    for task in run.mseed_tasks:
        n = res.get("n-samples", {}).get(task, {})
        tasks[task] = {"version": res.get("versions", {}).get(task),
                       "hash": res.get("task_hashes", {}).get(task),
                       "n_original": _int_or_none(n.get("original")),
                       "n_effective": _int_or_none(n.get("effective"))}
    first = run.mseed_tasks[0] if run.mseed_tasks else None
    task_gen = (res.get("configs", {}).get(first, {}) or {}).get("generation_kwargs") or {}
    limit = config.get("limit")
    limit = float(limit) if isinstance(limit, (int, float)) and limit else None
    return {"lm_eval_version": _str_or_none(res.get("lm_eval_version")),
            "transformers_version": _str_or_none(res.get("transformers_version")),
            "tasks": tasks,
            "generation": {"gen_kwargs": config.get("gen_kwargs") or {},
                           "task_generation_kwargs": task_gen,
                           "fewshot_as_multiturn": res.get("fewshot_as_multiturn")},
            "chat_template_sha": _str_or_none(res.get("chat_template_sha")),
            "system_instruction_sha": _str_or_none(res.get("system_instruction_sha")),
            "limit": limit, "limited": limit is not None}


def data_files(source: str | None, langs: list[str]) -> tuple[str, dict[str, str]]:
    """(data set name, language -> sha256 of the file the run read) for the run's languages."""
    from mseed_multilingual.core.paths import sample_path
    from mseed_multilingual.data.records import dataset_files

    base = Path(source) if source else sample_path()
    if not base.exists():
        raise FileNotFoundError(f"the run's data ({base}, metadata mseed_data) is not there any "
                                f"more: submit on the machine that holds it")
    files = dataset_files(base)
    missing = [lang for lang in langs if lang not in files]
    if missing:
        raise FileNotFoundError(f"{base}: no data file for language(s) {', '.join(missing)} "
                                f"the run answered")
    name = base.name if source else "mseed-multilingual-sample"
    manifest = base / "manifest.json" if base.is_dir() else None
    if manifest is not None and manifest.is_file():
        name = _manifest(manifest).get("name") or name
        if not isinstance(name, str):
            raise ValueError(f"{manifest}: field 'name' must be text")
    return name, {lang: sha256_file(files[lang]) for lang in langs}


def data_hash(files: dict[str, str]) -> str:
    """One hash of a run's data: sha256 over sorted 'language TAB file-sha256' lines. The
    'after' data block and the 'before' reference of the change block both use it, so the two
    always agree when both runs read the same files."""
    text = "".join(f"{lang}\t{sha}\n" for lang, sha in sorted(files.items()))
    return sha256_text(text)


def data_block(run: Any, source: str | None, content_hash: str,
               langs: list[str]) -> dict[str, Any]:
    from mseed_multilingual.analysis.table import manifest_for

    name, files = data_files(source, langs)
    translation = None
    manifest = manifest_for(source)
    if manifest is not None:
        data = _manifest(manifest)
        entries = data.get("languages") or {}
        if not isinstance(entries, dict):
            raise ValueError(f"{manifest}: field 'languages' must be an object")
        translation = {
            "manifest_sha256": sha256_file(manifest),
            "backend": backend_text(data.get("backend")),
            "quality": {lang: entries[lang]["quality"] for lang in langs
                        if isinstance(entries.get(lang), dict)
                        and isinstance(entries[lang].get("quality"), dict)}}
    return {"name": name, "languages": langs, "files": files, "hash": data_hash(files),
            "content_hash": content_hash, "translation": translation}


def _manifest(path: Path) -> dict[str, Any]:
    """A translation manifest.json through the safe loader; it must be an object."""
    data = read_json(path, "translation manifest")
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a translation manifest is a JSON object")
    return data


def backend_text(backend: Any) -> str | None:
    """A manifest's translation backend as one short string: `mseed translate` writes a dict
    (name, version, cache id, policy), hand-made manifests such as the sample's a string."""
    if isinstance(backend, dict):
        text = backend.get("cache_id") or " ".join(
            str(backend[k]) for k in ("name", "version") if backend.get(k))
        return _str_or_none(text or None)
    return _str_or_none(backend)


def judge_block(judge: JudgeId | None, metric: str) -> dict[str, Any]:
    """Who scored the run (the template versions are those its verdict file holds) and the
    metric, apart: a run scored by its samples' own refusal metric has no judge (id null)."""
    if judge is None:
        return {"id": None, "template_version": None, "metric": metric}
    return {"id": judge.text, "template_version": judge.template_version, "metric": metric}


def scoring_judge(block: dict[str, Any]) -> JudgeId | None:
    """The judge of a submission's ``judge`` block; None when no judge scored it: id null
    (schema v3), or the metric's name with no template, as schemas v1 and v2 wrote it."""
    if block["id"] is None or (block["id"] == block["metric"]
                               and block["template_version"] is None):
        return None
    return JudgeId.parse(block["id"])


def judge_key(block: dict[str, Any]) -> str:
    """The judge as the leaderboard names and groups rows: its id, or for no judge the metric's
    name (the v1/v2 spelling), so that a v2 file and a v3 file of one configuration share their
    group id and config key and the published group ids stay as they were."""
    judge = scoring_judge(block)
    return block["metric"] if judge is None else judge.text


def outcome_digest(rows: Any) -> str:
    """sha256 over the per-sample outcomes (sorted by task, doc_id) the scores come from."""
    frame = rows[list(DIGEST_FIELDS)].sort_values(["task", "doc_id"], kind="stable")
    lines = (json_text(json_safe(list(rec), FLOAT_DIGITS), indent=None, sort_keys=False)
             for rec in frame.astype(object).itertuples(index=False, name=None))
    return sha256_text("".join(lines))


def _rate(k: float, n: float) -> dict[str, Any]:
    """k of n with its Wilson interval (stats.wilson_interval); null value when n = 0."""
    from mseed_multilingual.core.stats import wilson_interval

    lo, hi = wilson_interval(k, n)
    return {"k": round(k), "n": int(n), "value": k / n if n else None,
            "lo": float(lo) if n else None, "hi": float(hi) if n else None}


def scores_block(table: Any, metric: str) -> dict[str, Any]:
    """Rates of the 'after' run per language and pooled over languages, per dimension too."""
    from mseed_multilingual.analysis.codes import Codes
    from mseed_multilingual.analysis.summaries import rates_table

    rates = rates_table(Codes(table, metric))
    rates = rates[rates["run"] == "after"]
    langs = sorted(rates["lang"].unique())
    out: dict[str, Any] = {"overall": _score_group(rates), "languages": {}}
    for lang in langs:
        out["languages"][str(lang)] = _score_group(rates[rates["lang"] == lang])
    return out


def _score_group(rates: Any) -> dict[str, Any]:
    """Pooled k and n over the rows given (one language, or all of them)."""
    from mseed_multilingual.analysis.codes import ALL, SAFETY

    block: dict[str, Any] = {}
    whole = rates[rates["dimension"] == ALL]
    for name in MEASURES:
        sel = whole[whole["measure"] == name]
        block[name] = _rate(float(sel["k"].sum()), float(sel["n"].sum())) if len(sel) else None
    if block["fidelity"] is None:
        block["fidelity"] = _rate(0.0, 0.0)
    dims = rates[(rates["dimension"] != ALL) & (rates["measure"] == SAFETY)]
    block["dimensions"] = {
        str(dim): _rate(float(g["k"].sum()), float(g["n"].sum()))
        for dim, g in sorted(dims.groupby("dimension", observed=True), key=lambda x: x[0])}
    for name in ("safety", "over_refusal"):
        if block[name] is None:
            block[name] = _rate(0.0, 0.0)
    return block


def change_block(table: Any, infos: list[Any], before: str | Path, aligned_on: str,
                 resamples: int, seed: int) -> dict[str, Any]:
    """Per-language change from the before run, McNemar p-values and transfer ratios (T's)."""
    from mseed_multilingual.analysis.transfer import TransferOptions, analyze_table
    from mseed_multilingual.evaluate.run_folder import load_run

    result = analyze_table(table, infos, "before", ["after"], TransferOptions(
        aligned_on=aligned_on, resamples=resamples, seed=seed))
    languages = {}
    for row in result.language_changes("after").to_dict(orient="records"):
        entry = {k: row[v] for k, v in CHANGE_FIELDS.items()}
        # Why a ratio is missing (source not significant / worse / missing), and whether its
        # interval is unbounded (null bounds then mean -inf / +inf, not "unknown").
        entry["ratio_pairs"] = int(row["ratio_pairs"])
        entry["ratio_unbounded"] = bool(row["transfer_ratio"] == row["transfer_ratio"] and not (
            math.isfinite(row["ratio_lo"]) and math.isfinite(row["ratio_hi"])))
        entry["ratio_note"] = str(row["ratio_note"])
        languages[str(row["lang"])] = entry
    before_rows = table[table["run"] == "before"]
    before_info = infos[0]
    before_model = model_block(load_run(before))
    _, files = data_files(before_info.data_source,
                          sorted(before_rows["lang"].astype(str).unique()))
    return {"before": {"model": before_model["name"], "sha": before_model["sha"],
                       "data_hash": data_hash(files),
                       "verdicts_digest": outcome_digest(before_rows)},
            "aligned_on": aligned_on, "seed": int(seed), "resamples": int(resamples),
            "languages": languages}

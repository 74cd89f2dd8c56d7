"""``mseed translate`` end to end: read, check, translate through the cache, score, write.

Order of work, chosen so that nothing is spent before every check has passed: read the input
(only good records go on), check the backend's languages and credentials, then per language
translate what the cache does not hold yet, send the translations back for the round trip, score
them and write the folder. Every file in the folder is a function of the inputs and the cache
(sorted, no clock), except the manifest's ``date``, which is an explicit, recorded input.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mseed_multilingual.core.io import sha256_file, write_json, write_jsonl
from mseed_multilingual.translate.base import DEFAULT_BATCH, TranslateError, Translator
from mseed_multilingual.translate.cache import TranslationCache, cache_key
from mseed_multilingual.translate.checks import CHECKS_VERSION, check_answer, failure_kind
from mseed_multilingual.translate.progress import Progress

# /2: a quality gate per language; /3: quality.langid_share (the gate's figure, rejected
# answers counted) replaces quality.langid_ok (written translations only, about 1.0 always)
MANIFEST_SCHEMA = "mseed-translation-manifest/3"
CACHE_DIR = "_cache"  # names starting with "_" are not languages to the data layer
REVIEW_FILE = "_review.jsonl"
FAILED_FILE = "_failed.jsonl"
QUALITY_FILE = "_quality.jsonl"
MANIFEST_FILE = "manifest.json"

Log = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass
class Job:
    """Everything a run depends on (the date too, so a rerun can reproduce the manifest)."""

    input: Path
    langs: Sequence[str]
    backend: Translator
    out: Path
    date: str
    quality: bool = True
    batch_size: int = DEFAULT_BATCH
    log: Log = _stderr
    limit: int | None = None  # translate only this many records (spread, see select)
    ids: Sequence[str] | None = None  # translate only these record ids
    progress_bar: bool | None = None  # None: a bar when stderr is a terminal
    tally: Tally = field(default_factory=lambda: Tally())  # what is saved so far (Ctrl-C)


@dataclass
class Tally:
    """Answers saved in the cache per direction, kept up to date while a run goes, so an
    interrupted run can say how much of it is kept (the language files and the manifest are
    written only at the end)."""

    source: str | None = None
    # label ("en <- zh") -> [saved in the cache, texts of the direction, saved by this run]
    directions: dict[str, list[int]] = field(default_factory=dict)

    def interrupted(self, job: Job) -> str:
        """The message of a run stopped by Ctrl-C: what is saved, what is not, how to resume."""
        done = [f"{label} {saved} of {total} ({new} this run)"
                for label, (saved, total, new) in self.directions.items()]
        started = {label.split(" ")[0] for label in self.directions}
        waiting = [lang for lang in dict.fromkeys(job.langs)
                   if lang != self.source and lang not in started]
        parts = [f"saved in {job.out / CACHE_DIR}: " + ", ".join(done) if done else
                 "nothing translated yet"]
        if waiting:
            parts.append(f"not started: {', '.join(waiting)}")
        return (f"interrupted: {'; '.join(parts)}. No language file or manifest is written "
                f"before a run ends. Rerun the same command to resume: saved answers are not "
                f"asked again")


@dataclass
class Direction:
    """Outcome of one direction (source -> target) for a list of texts."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    cached: int = 0
    requested: int = 0


# --- translating through the cache ------------------------------------------------------------


def _entry(backend: Translator, text: str, source: str, target: str,
           answer: str | TranslateError) -> dict[str, Any]:
    """The cache entry of one finished request: ``ok``, ``failed`` (final: see
    :mod:`.checks`) or ``error`` (may pass on a rerun; never cached)."""
    base = {"key": cache_key(backend.cache_id, source, target, text),
            "backend": backend.cache_id, "source_lang": source, "target_lang": target,
            "text": text}
    if isinstance(answer, TranslateError):
        return {**base, "status": "error", "translation": None, "reason": str(answer)}
    return {**base, **check_answer(text, answer, source, target)}


def _recheck(entry: dict[str, Any], source: str, target: str) -> dict[str, Any]:
    """A cached ``ok`` answer checked again with today's rules (an earlier version may have
    let a refusal or a wrong-language answer through); the cache file is not rewritten."""
    if entry.get("status") != "ok":
        return entry
    checked = check_answer(entry["text"], entry["translation"], source, target)
    return entry if checked["status"] == "ok" else {**entry, **checked}


def run_direction(job: Job, cache: TranslationCache, texts: Sequence[str], source: str,
                  target: str, label: str) -> Direction:
    """Translate every text not in the cache; each answer is cached as soon as it arrives."""
    backend = job.backend
    result = Direction()
    todo: list[str] = []
    for text in dict.fromkeys(texts):
        entry = cache.get(cache_key(backend.cache_id, source, target, text))
        if entry is not None:
            result.entries[text] = _recheck(entry, source, target)
        else:
            todo.append(text)
    result.cached = len(result.entries)
    tally = job.tally.directions[label] = [result.cached, result.cached + len(todo), 0]
    if not todo:
        job.log(f"{label}: all {result.cached} from the cache")
        return result
    with Progress(label, len(todo), result.cached, job.log, bar=job.progress_bar) as progress:
        for first in range(0, len(todo), job.batch_size):
            batch = todo[first:first + job.batch_size]

            def on_result(i: int, answer: str | TranslateError,
                          batch: list[str] = batch) -> None:
                if isinstance(answer, TranslateError) and answer.status in (401, 403):
                    raise ValueError(f"backend {backend.name!r} refused the credentials "
                                     f"(HTTP {answer.status}); check the API key variable")
                entry = _entry(backend, batch[i], source, target, answer)
                if entry["status"] != "error":
                    cache.append(entry)
                    tally[0] += 1
                    tally[2] += 1
                result.entries[batch[i]] = entry
                progress.update(None if entry["status"] == "ok" else entry["reason"])

            backend.translate_many(batch, source, target, on_result)
            cache.sync()
            result.requested += len(batch)
    return result


# --- one language -----------------------------------------------------------------------------


def translate_language(job: Job, records: Sequence[Any], source: str,
                       target: str) -> dict[str, Any]:
    """Translations, failures and item quality for one target language."""
    from mseed_multilingual.data.records import Record
    from mseed_multilingual.translate.quality import language_detector, score_items

    cache = TranslationCache(job.out / CACHE_DIR / f"{target}.jsonl")
    if cache.dropped:
        job.log(f"{target}: dropped {cache.dropped} torn cache line(s) left by an interrupted run")
    try:
        fwd = run_direction(job, cache, [r.prompt for r in records], source, target,
                            f"{target} <- {source}")
        ok = [r for r in records if fwd.entries[r.prompt]["status"] == "ok"]
        translations = [fwd.entries[r.prompt]["translation"] for r in ok]
        back = (run_direction(job, cache, translations, target, source, f"{target} -> {source}")
                if job.quality and ok else Direction())
    finally:
        cache.close()
    failed = [_failure(r, target, "translation", fwd.entries[r.prompt])
              for r in records if fwd.entries[r.prompt]["status"] != "ok"]
    backs: list[str | None] = []
    for r, tr in zip(ok, translations, strict=True):
        entry = back.entries.get(tr)
        backs.append(entry["translation"] if entry and entry["status"] == "ok" else None)
        if entry and entry["status"] != "ok":
            failed.append(_failure(r, target, "round trip", entry))
    items = score_items([r.id for r in ok], [r.prompt for r in ok], translations, backs,
                        source, target, language_detector())
    out = [Record(id=r.id, lang=target, dimension=r.dimension, subclass=r.subclass,
                  kind=r.kind, prompt=tr, source_lang=source, source_prompt=r.prompt,
                  extra={**r.extra, "translator": job.backend.name})
           for r, tr in zip(ok, translations, strict=True)]
    forward_failed = sum(1 for f in failed if f["stage"] == "translation")
    kinds = Counter(failure_kind(fwd.entries[r.prompt]["reason"]) for r in records)
    return {"records": out, "items": items, "failed": failed, "forward_failed": forward_failed,
            "forward_kinds": kinds,
            "requested": fwd.requested + back.requested, "cached": fwd.cached + back.cached}


def _failure(record: Any, lang: str, stage: str, entry: dict[str, Any]) -> dict[str, Any]:
    failure = {"lang": lang, "id": record.id, "stage": stage, "status": entry["status"],
               "reason": entry["reason"], "text": entry["text"]}
    if entry.get("answer") is not None:  # what the backend said instead of a translation
        failure["answer"] = entry["answer"]
    return failure


def gate_metrics(res: dict[str, Any], quality: dict[str, Any]) -> dict[str, float | None]:
    """The quality gate's inputs for one language (see :mod:`.gate`), rounded."""
    from mseed_multilingual.translate.quality import _r

    items, kinds = res["items"], res["forward_kinds"]
    answered = sum(n for k, n in kinds.items() if k != "error")
    outliers = sum(any(r.startswith("length ratio") for r in i.review) for i in items)
    return {"langid_share": quality["langid_share"],
            "refusal_share": _r(kinds["refused"] / answered) if answered else None,
            "chrf": quality["chrf"],
            "length_outlier_share": _r(outliers / len(items)) if items else None}


def unmeasured_reasons(job: Job, res: dict[str, Any], quality: dict[str, Any]) -> dict[str, str]:
    """Why a gate metric has no value, per metric: the table and the manifest say "not
    measured (why)" instead of a blank or a 0 that would read as a failing score."""
    why: dict[str, str] = {}
    if quality["chrf"] is None and res["items"]:
        why["chrf"] = ("--no-quality: no round trip was made" if not job.quality else
                       f"all {quality['roundtrip_failed']} round trip(s) failed, see "
                       f"{FAILED_FILE}, stage 'round trip'")
    if quality["langid_share"] is None and not language_checked(res["items"],
                                                                res["forward_kinds"]):
        why["langid_share"] = "no language-ID model installed"
    return why


def partial_reasons(quality: dict[str, Any]) -> dict[str, str]:
    """On how many answers a gate metric was measured when not on all of them, per metric."""
    if quality["chrf"] is None or not quality["roundtrip_failed"]:
        return {}
    return {"chrf": (f"measured on {quality['roundtrip_n']} of {quality['n']} translation(s) "
                     f"({quality['roundtrip_failed']} round trip(s) failed, see {FAILED_FILE}, "
                     f"stage 'round trip')")}


def off_target(kinds: Counter) -> int:
    """Forward answers rejected as not in the target language: they count against the
    language-ID share (see :func:`.quality.summarize`)."""
    return kinds["wrong language"] + kinds["unchanged"]


def language_checked(items: Sequence[Any], kinds: Counter) -> bool:
    """Whether language ID ran (a detector is installed)."""
    from mseed_multilingual.translate.quality import language_detector

    return language_detector() is not None or any(i.detected for i in items) or \
        bool(kinds["wrong language"])


# --- the whole run ----------------------------------------------------------------------------


def load_input(job: Job) -> tuple[Any, str]:
    """The data layer's report (printed) and the one source language of the good records."""
    from mseed_multilingual.data.records import load_file

    report = load_file(job.input)
    job.log(f"{job.input}: {len(report.records)} records kept, {report.rejected} rejected, "
            f"{report.read} read ({report.format})")
    for p in report.warnings + report.errors:
        job.log(f"  {p.location}: {p.message}")
    if not report.records:
        raise ValueError(f"{job.input}: no good records to translate")
    if job.ids is not None or job.limit is not None:
        report.records = select(report.records, job.limit, job.ids, job.input)
        job.log(f"{job.input}: translating {len(report.records)} of them "
                f"({'--ids' if job.ids is not None else '--limit'})")
    langs = sorted({r.lang for r in report.records})
    if len(langs) > 1:
        raise ValueError(f"{job.input}: records in several languages {langs}; translate one "
                         f"source language at a time")
    return report, langs[0]


def select(records: Sequence[Any], limit: int | None, ids: Sequence[str] | None,
           where: Path) -> list[Any]:
    """The records asked for: ``ids`` (every one must exist), then at most ``limit`` of them
    spread over kinds and dimensions (round robin over the (kind, dimension) groups, file order
    within each), so ten prompts are not ten of the first subclass."""
    chosen = list(records)
    if ids is not None:
        by_id = {r.id: r for r in records}
        missing = [i for i in dict.fromkeys(ids) if i not in by_id]
        if missing:
            raise ValueError(f"--ids: {len(missing)} id(s) not in {where}: "
                             f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}")
        wanted = set(ids)
        chosen = [r for r in records if r.id in wanted]
    if limit is None or limit >= len(chosen):
        return chosen
    if limit < 1:
        raise ValueError(f"--limit must be at least 1, got {limit}")
    groups: dict[tuple[str, str], list[Any]] = {}
    for r in chosen:
        groups.setdefault((r.kind != "harmful", str(r.dimension)), []).append(r)
    picked: list[Any] = []
    queues = [g for _, g in sorted(groups.items())]  # harmful groups first
    while len(picked) < limit:
        for q in queues:
            if q and len(picked) < limit:
                picked.append(q.pop(0))
    keep = {id(r) for r in picked}
    return [r for r in chosen if id(r) in keep]


def run(job: Job) -> dict[str, Any]:
    """Translate, score and write the folder; return the manifest plus run statistics."""
    report, source = load_input(job)
    job.tally.source = source
    targets = [lang for lang in dict.fromkeys(job.langs) if lang != source]
    job.backend.check_languages([source, *targets])
    job.backend.check_credentials()
    job.out.mkdir(parents=True, exist_ok=True)
    per_lang = {lang: translate_language(job, report.records, source, lang) for lang in targets}
    manifest = write_folder(job, report, source, per_lang)
    failed = sum(len(v["failed"]) for v in per_lang.values())
    job.log(f"wrote {job.out}: {len(targets)} language(s) + {source}; {failed} failure(s) "
            f"(see {FAILED_FILE}), {manifest['counts']['review']} item(s) to review "
            f"(see {REVIEW_FILE}); {job.backend.stats.requests} request(s), "
            f"{job.backend.stats.retries} retried")
    for line in gate_table(manifest) + next_step(manifest, job.out):
        job.log(line)
    return {"manifest": manifest, "requests": job.backend.stats.requests,
            "retries": job.backend.stats.retries,
            "requested_items": sum(v["requested"] for v in per_lang.values()),
            "cached_items": sum(v["cached"] for v in per_lang.values())}


def write_folder(job: Job, report: Any, source: str,
                 per_lang: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Language files, review/failed/quality files and the manifest (sorted, no clock)."""
    from mseed_multilingual.data.records import write_records
    from mseed_multilingual.translate import gate
    from mseed_multilingual.translate.quality import summarize

    out = job.out
    languages: dict[str, Any] = {}
    write_records(report.records, out / f"{source}.jsonl")
    languages[source] = _lang_entry(out, source, report.records, 0) | {"source": True,
                                                                       "quality": None}
    sources = {r.id: r.prompt for r in report.records}
    signatures: dict[str, str] = {}
    for lang, res in sorted(per_lang.items()):
        write_records(res["records"], out / f"{lang}.jsonl")
        kinds = res["forward_kinds"]
        quality, sigs = summarize(res["items"], sources, res["forward_failed"], source,
                                  off_target(kinds), language_checked(res["items"], kinds))
        signatures.update(sigs)
        languages[lang] = _lang_entry(out, lang, res["records"], res["forward_failed"])
        quality["roundtrip_failed"] = sum(f["stage"] == "round trip" for f in res["failed"])
        languages[lang]["quality"] = quality
        metrics = gate_metrics(res, quality)
        languages[lang]["gate"] = {**gate.judge(metrics, len(res["records"]),
                                                unmeasured_reasons(job, res, quality),
                                                partial_reasons(quality)),
                                   "metrics": metrics}
    items = [i for lang in sorted(per_lang) for i in per_lang[lang]["items"]]
    review = [{**i.to_json(), "source_prompt": sources[i.id],
               "translation": _by_id(per_lang[i.lang]["records"])[i.id]}
              for i in items if i.review]
    failed = sorted((f for res in per_lang.values() for f in res["failed"]),
                    key=lambda f: (f["lang"], f["id"], f["stage"]))
    write_jsonl(out / QUALITY_FILE, [i.to_json() for i in items])
    write_jsonl(out / REVIEW_FILE, review)
    write_jsonl(out / FAILED_FILE, failed)
    manifest = _manifest(job, report, source, languages, signatures, len(review), len(failed))
    write_json(out / MANIFEST_FILE, manifest)
    return manifest


def _by_id(records: Sequence[Any]) -> dict[str, str]:
    return {r.id: r.prompt for r in records}


def _lang_entry(out: Path, lang: str, records: Sequence[Any], failed: int) -> dict[str, Any]:
    path = out / f"{lang}.jsonl"
    return {"file": path.name, "sha256": sha256_file(path), "records": len(records),
            "harmful": sum(r.kind == "harmful" for r in records),
            "benign": sum(r.kind == "benign" for r in records), "failed": failed}


def _manifest(job: Job, report: Any, source: str, languages: dict[str, Any],
              signatures: dict[str, str], review: int, failed: int) -> dict[str, Any]:
    from mseed_multilingual.translate import gate
    from mseed_multilingual.translate.quality import (
        BLEU_TOKENIZE,
        CHRF_REVIEW,
        LENGTH_BAND,
        QUALITY_VERSION,
        language_detector,
    )

    out = job.out
    return {
        "schema": MANIFEST_SCHEMA,
        "name": out.name,
        "made_by": "mseed translate",
        "date": job.date,
        "backend": job.backend.describe(),
        "source_lang": source,
        "source": {"file": job.input.name, "sha256": sha256_file(job.input),
                   "format": report.format,
                   "read": report.read, "records": len(report.records),
                   "rejected": report.rejected, "warnings": len(report.warnings)},
        "counts": {"records": len(report.records), "languages": len(languages),
                   "translated": sum(v["records"] for k, v in languages.items() if k != source),
                   "failed": failed, "review": review},
        "quality_settings": {"version": QUALITY_VERSION, "roundtrip": job.quality,
                             "chrf_review": CHRF_REVIEW, "length_band": list(LENGTH_BAND),
                             "bleu_tokenize": {"default": "13a", **BLEU_TOKENIZE},
                             "signatures": signatures,
                             "langid": "mseed_multilingual.detect.langid" if language_detector()
                             else None, "checks": CHECKS_VERSION, "gate": gate.settings()},
        "languages": languages,
        "files": {name: sha256_file(out / name)
                  for name in (FAILED_FILE, QUALITY_FILE, REVIEW_FILE)},
    }


def gate_table(manifest: dict[str, Any]) -> list[str]:
    """The per-language summary printed at the end of a run: counts, scores, gate status and
    the reasons of every language that is not ``ok``. A metric without a value reads "not
    measured" (columns are as wide as their cells), never a blank or 0."""
    from mseed_multilingual.translate.gate import NOT_MEASURED

    def num(value: Any, digits: int = 2) -> str:
        return NOT_MEASURED if value is None else f"{value:.{digits}f}"

    rows = [["lang", "written", "failed", "review", "langid", "refusal", "chrF", "length",
             "status"]]
    notes = []
    for lang, entry in sorted(manifest["languages"].items()):
        gate_entry = entry.get("gate")
        if gate_entry is None:
            continue
        m, q = gate_entry["metrics"], entry["quality"]
        rows.append([lang, str(entry["records"]), str(q["failed"]), str(q["review"]),
                     num(m["langid_share"]), num(m["refusal_share"]), num(m["chrf"], 1),
                     num(m["length_outlier_share"]), gate_entry["status"]])
        if gate_entry["reasons"]:
            notes.append(f"  {lang} {gate_entry['status']}: {'; '.join(gate_entry['reasons'])}")
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = [""] + [(f"{r[0]:<{widths[0]}}"
                     + "".join(f"  {cell:>{w}}" for cell, w in zip(r[1:-1], widths[1:-1],
                                                                    strict=True))
                     + f"  {r[-1]}").rstrip() for r in rows]
    return lines + notes + (["(langid: share of the answers in the target language; refusal: "
                             "translator-refusal share; length: length-ratio outlier share; "
                             "thresholds in manifest.json, quality_settings.gate)"]
                            if notes else [])


def next_step(manifest: dict[str, Any], out: Path) -> list[str]:
    """What to run next: ``mseed run`` on the languages that passed the gate (``ok`` or
    ``review``) and the source; a ``failed`` language is left out, with its reason and the
    ways to retry it, because ``mseed run --data`` would refuse it."""
    import shlex

    from mseed_multilingual.translate.gate import ALLOW_FLAG, FAILED, REVIEW

    source = manifest["source_lang"]
    gates = {lang: e["gate"] for lang, e in sorted(manifest["languages"].items())
             if e.get("gate")}
    usable = [lang for lang, g in gates.items() if g["status"] != FAILED]
    failed = [lang for lang, g in gates.items() if g["status"] == FAILED]
    folder = shlex.quote(str(out))
    lines = [""]
    if usable:
        lines.append(f"next: mseed run --model-args MODEL --data {folder} --langs "
                     f"{','.join([source, *usable])} -o runs/NAME   (MODEL: smollm2 for the "
                     f"embedded model, or your model's lm-eval model_args)")
        review = [lang for lang in usable if gates[lang]["status"] == REVIEW]
        if review:
            lines.append(f"  {', '.join(review)}: review status; read {folder}/{REVIEW_FILE} "
                         f"before you publish a result in {'it' if len(review) == 1 else 'them'}")
    else:
        lines.append("next: no translated language passed the quality gate, so there is "
                     "nothing to evaluate yet")
    for lang in failed:
        why = "; ".join(r.removesuffix(f" ({FAILED})") for r in gates[lang]["reasons"]
                        if r.endswith(f"({FAILED})") or r == "no translation written")
        lines.append(f"  left out {lang}: it failed the quality gate ({why}); mseed run "
                     f"--data would refuse it")
    if failed:
        lines.append(f"  to retry {','.join(failed)}: a stronger --backend or model into a "
                     f"new -o folder (this backend's answers are cached and would come back "
                     f"the same; only timed-out items are asked again by a rerun), or see "
                     f"the rejected answers in {folder}/{FAILED_FILE}; to evaluate anyway: "
                     f"mseed run ... {ALLOW_FLAG}")
    return lines

"""``mseed translate`` end to end: read, check, translate through the cache, score, write.

Order of work, chosen so that nothing is spent before every check has passed: read the input
(only good records go on), check the backend's languages and credentials, then per language
translate what the cache does not hold yet, send the translations back for the round trip, score
them and write the folder. Every file in the folder is a function of the inputs and the cache
(sorted, no clock), except the manifest's ``date``, which is an explicit, recorded input.
"""

from __future__ import annotations

import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mseed_multilingual.core.io import sha256_file, write_json, write_jsonl
from mseed_multilingual.translate.base import TranslateError, Translator
from mseed_multilingual.translate.cache import TranslationCache, cache_key

MANIFEST_SCHEMA = "mseed-translation-manifest/1"
DEFAULT_BATCH = 32  # items per batch: the cache is fsynced and progress printed per batch
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


@dataclass
class Direction:
    """Outcome of one direction (source -> target) for a list of texts."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    cached: int = 0
    requested: int = 0


# --- checking an answer ----------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _refusal(text: str, lang: str) -> str | None:
    """The refusal phrase in ``text``, if the refusal detector finds one."""
    try:
        from mseed_multilingual.detect.refusal import detect
    except ImportError:
        return None
    found = detect(text, lang)
    return found.phrase if found.refused else None


def check_answer(text: str, answer: str | TranslateError, source: str,
                 target: str) -> dict[str, Any]:
    """``ok`` with the translation, ``failed`` (final: refused, empty, unchanged) or ``error``
    (may pass on a rerun; never cached)."""
    if isinstance(answer, TranslateError):
        return {"status": "error", "translation": None, "reason": str(answer)}
    answer = answer.strip()
    reason = None
    if not answer:
        reason = "empty"
    elif _norm(answer) == _norm(text):
        reason = "unchanged"
    elif (phrase := _refusal(answer, target)) and not _refusal(text, source):
        reason = f"refused ({phrase!r})"
    if reason:
        return {"status": "failed", "translation": None, "reason": reason}
    return {"status": "ok", "translation": answer, "reason": None}


# --- translating through the cache ------------------------------------------------------------


def run_direction(job: Job, cache: TranslationCache, texts: Sequence[str], source: str,
                  target: str, label: str) -> Direction:
    """Translate every text not in the cache; each answer is cached as soon as it arrives."""
    backend = job.backend
    result = Direction()
    todo: list[str] = []
    for text in dict.fromkeys(texts):
        entry = cache.get(cache_key(backend.cache_id, source, target, text))
        if entry is not None:
            result.entries[text] = entry
        else:
            todo.append(text)
    result.cached = len(result.entries)
    if not todo:
        job.log(f"{label}: all {result.cached} from the cache")
        return result
    start = time.monotonic()
    for first in range(0, len(todo), job.batch_size):
        batch = todo[first:first + job.batch_size]

        def on_result(i: int, answer: str | TranslateError, batch: list[str] = batch) -> None:
            text = batch[i]
            if isinstance(answer, TranslateError) and answer.status in (401, 403):
                raise ValueError(f"backend {backend.name!r} refused the credentials "
                                 f"(HTTP {answer.status}); check the API key variable")
            entry = {"key": cache_key(backend.cache_id, source, target, text),
                     "backend": backend.cache_id, "source_lang": source,
                     "target_lang": target, "text": text,
                     **check_answer(text, answer, source, target)}
            if entry["status"] != "error":
                cache.append(entry)
            result.entries[text] = entry

        backend.translate_many(batch, source, target, on_result)
        cache.sync()
        result.requested += len(batch)
        rate = result.requested / max(1e-9, time.monotonic() - start)
        job.log(f"{label}: {result.requested}/{len(todo)} done ({result.cached} from the cache)"
                f", {rate:.1f} items/s")
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
    return {"records": out, "items": items, "failed": failed, "forward_failed": forward_failed,
            "requested": fwd.requested + back.requested, "cached": fwd.cached + back.cached}


def _failure(record: Any, lang: str, stage: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {"lang": lang, "id": record.id, "stage": stage, "status": entry["status"],
            "reason": entry["reason"], "text": entry["text"]}


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
    langs = sorted({r.lang for r in report.records})
    if len(langs) > 1:
        raise ValueError(f"{job.input}: records in several languages {langs}; translate one "
                         f"source language at a time")
    return report, langs[0]


def run(job: Job) -> dict[str, Any]:
    """Translate, score and write the folder; return the manifest plus run statistics."""
    report, source = load_input(job)
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
    return {"manifest": manifest, "requests": job.backend.stats.requests,
            "retries": job.backend.stats.retries,
            "requested_items": sum(v["requested"] for v in per_lang.values()),
            "cached_items": sum(v["cached"] for v in per_lang.values())}


def write_folder(job: Job, report: Any, source: str,
                 per_lang: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Language files, review/failed/quality files and the manifest (sorted, no clock)."""
    from mseed_multilingual.data.records import write_records
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
        quality, sigs = summarize(res["items"], sources, res["forward_failed"], source)
        signatures.update(sigs)
        languages[lang] = _lang_entry(out, lang, res["records"], res["forward_failed"])
        languages[lang]["quality"] = quality
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
                             else None},
        "languages": languages,
        "files": {name: sha256_file(out / name)
                  for name in (FAILED_FILE, QUALITY_FILE, REVIEW_FILE)},
    }

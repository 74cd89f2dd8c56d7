"""``mseed translate``: carry a prompt set into other languages with a quality report."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

from mseed_multilingual.core.retry import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_RESPONSE_BYTES,
)
from mseed_multilingual.translate.base import DEFAULT_BATCH, DEFAULT_TIMEOUT_RETRIES
from mseed_multilingual.translate.llm import DEFAULT_MAX_TOKENS, SERVED_TIMEOUT
from mseed_multilingual.translate.registry import known_backends

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "translate", help="translate prompts into other languages (resumable, with quality)",
        description="Reads an MSEED file, a normalized JSONL or 'sample' (the embedded zh "
                    "file); writes OUT/<lang>.jsonl for the source and every target language, "
                    "OUT/manifest.json (backend, source sha256, counts, per-language round-trip "
                    "chrF/BLEU, language-ID share, length ratio), OUT/_review.jsonl, "
                    "OUT/_failed.jsonl, OUT/_quality.jsonl and the append-only cache "
                    "OUT/_cache/<lang>.jsonl. Rerunning resumes from the cache.")
    p.add_argument("--input", required=True, help="MSEED .txt/.json, normalized .jsonl, or "
                                                  "'sample'")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--langs", help="comma-separated language codes, e.g. en,fr,de")
    which.add_argument("--model-family", help="the languages a model family supports "
                                              "(see mseed languages)")
    p.add_argument("--backend", required=True,
                   help=", ".join(known_backends()))
    p.add_argument("--base-url", help="libre: a self-hosted LibreTranslate; openai:MODEL: the "
                                      "endpoint, e.g. http://127.0.0.1:8000/v1")
    p.add_argument("--api-key-env", help="environment variable holding the API key (defaults: "
                                         "DEEPL_API_KEY, MICROSOFT_API_KEY, LIBRE_API_KEY, "
                                         "OPENAI_API_KEY)")
    p.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                   help=f"parallel requests (default {DEFAULT_CONCURRENCY})")
    p.add_argument("--rate-limit", type=float, help="requests per second over all threads "
                                                    "(default: per backend; 0 = none)")
    p.add_argument("--timeout", type=float,
                   help=f"total deadline of one request in seconds, headers and body "
                        f"(default {DEFAULT_TIMEOUT:g}; openai: {SERVED_TIMEOUT:g}, which fits "
                        f"a model served on a CPU)")
    p.add_argument("--max-retries", type=int, default=DEFAULT_MAX_RETRIES,
                   help=f"retries on 429/5xx/timeouts ({DEFAULT_MAX_RETRIES})")
    p.add_argument("--timeout-retries", type=int, default=DEFAULT_TIMEOUT_RETRIES,
                   help=f"of those, retries after a timeout; then the item is recorded in "
                        f"_failed.jsonl and a rerun tries it again ({DEFAULT_TIMEOUT_RETRIES})")
    p.add_argument("--max-response-bytes", type=int, default=MAX_RESPONSE_BYTES, metavar="N",
                   help=f"a larger answer is a failed item ({MAX_RESPONSE_BYTES})")
    p.add_argument("--max-tokens", type=int,
                   help=f"openai: answer length cap ({DEFAULT_MAX_TOKENS}); part of the cache "
                        f"key")
    p.add_argument("--limit", type=int, metavar="N",
                   help="translate only N records, spread over kinds and dimensions (harmful "
                        "first); the set holds just these")
    p.add_argument("--ids", metavar="ID,ID|FILE",
                   help="translate only these record ids (comma-separated, or a file with one "
                        "id per line)")
    p.add_argument("--batch-size", type=int, default=DEFAULT_BATCH,
                   help=f"items per cache sync and progress line (hf: per generation batch; "
                        f"default {DEFAULT_BATCH})")
    p.add_argument("--no-quality", action="store_true",
                   help="skip the round trip (halves the requests; no chrF/BLEU)")
    p.add_argument("--date", help="date to record in the manifest (YYYY-MM-DD; default today, "
                                  "UTC); pass it to reproduce a manifest byte for byte")
    p.add_argument("-o", "--output", required=True, help="output folder, e.g. "
                                                         "translations/NAME/")
    p.set_defaults(func=_translate)


def _date(value: str | None) -> str:
    if value is None:
        return dt.datetime.now(dt.UTC).date().isoformat()
    if not DATE_PATTERN.match(value):
        raise ValueError(f"--date must be YYYY-MM-DD, got {value!r}")
    return value


def _translate(args: argparse.Namespace) -> int:
    from mseed_multilingual.core.languages import resolve
    from mseed_multilingual.core.paths import sample_path
    from mseed_multilingual.translate.base import Policy
    from mseed_multilingual.translate.pipeline import Job, run
    from mseed_multilingual.translate.registry import get_backend

    langs = resolve(args.langs, args.model_family)
    policy = Policy(concurrency=args.concurrency, rate_limit=args.rate_limit,
                    max_retries=args.max_retries, timeout=args.timeout,
                    max_response_bytes=args.max_response_bytes,
                    timeout_retries=args.timeout_retries)
    options = {"base_url": args.base_url, "api_key_env": args.api_key_env,
               "max_tokens": args.max_tokens, "batch_size": args.batch_size}
    backend = get_backend(args.backend, policy, **options)
    path = sample_path() / "zh.jsonl" if args.input == "sample" else Path(args.input)
    job = Job(input=path, langs=langs, backend=backend, out=Path(args.output),
              date=_date(args.date), quality=not args.no_quality, batch_size=args.batch_size,
              limit=args.limit, ids=_ids(args.ids))
    try:
        summary = run(job)
    except KeyboardInterrupt as exc:  # cli's generic message would hide how little is kept
        raise KeyboardInterrupt(job.tally.interrupted(job)) from exc
    gates = [v.get("gate") or {} for v in summary["manifest"]["languages"].values()]
    return 1 if any(g.get("status") == "failed" for g in gates) else 0


def _ids(value: str | None) -> list[str] | None:
    """``--ids``: a comma-separated list, or a file with one id per line."""
    if value is None:
        return None
    path = Path(value)
    if path.is_file():
        from mseed_multilingual.core.io import read_text

        ids = [line.strip() for line in read_text(path, "--ids file").splitlines()]
    else:
        ids = [part.strip() for part in value.split(",")]
    ids = [i for i in ids if i]
    if not ids:
        raise ValueError(f"--ids {value!r}: no id given")
    return ids

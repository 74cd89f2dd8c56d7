"""``mseed serve MODEL``: a local OpenAI-compatible chat-completions server for a HF/GGUF model."""

from __future__ import annotations

import argparse
import os
import sys
import time


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "serve", help="serve a local model over an OpenAI-compatible API",
        description="Loads MODEL with transformers (a hub id, a folder, a .gguf file, or "
                    "'smollm2' for the packaged SmolLM2) and serves POST /v1/chat/completions "
                    "and GET /v1/models until interrupted. Concurrent requests are generated "
                    "together (greedy). For `mseed judge --judge openai:NAME --base-url URL` "
                    "and the translation backend; use vLLM for large models.")
    parser.add_argument("model")
    parser.add_argument("--gguf-file", help="GGUF file inside the model folder")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--name", help="model id reported to clients (default: MODEL)")
    parser.add_argument("--api-key-env", help="require the key held by this environment "
                                              "variable (default: no key)")
    parser.add_argument("--max-batch", type=int, default=8, help="requests generated together")
    parser.add_argument("--max-body", type=int, default=1_000_000, metavar="BYTES",
                        help="largest request body accepted (default 1000000; larger: 413)")
    parser.add_argument("--max-connections", type=int, default=64, metavar="N",
                        help="connections served at once (default 64; one more gets a 503)")
    parser.add_argument("--socket-timeout", type=float, default=60.0, metavar="SECONDS",
                        help="a connection silent this long is closed (default 60)")
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
                              socket_timeout=args.socket_timeout)
    except RuntimeError as exc:
        raise ValueError(str(exc)) from exc
    print(f"serving {handle.model_name} at {handle.url} (Ctrl-C to stop)", file=sys.stderr)
    try:
        while True:
            time.sleep(3600)
    finally:
        handle.stop()

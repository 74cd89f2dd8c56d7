"""Which model an lm-eval API backend (``local-chat-completions``, ``local-completions``) talks to.

A served run's answers depend on what is behind ``base_url``, which ``model_args`` do not say:
the same ``model=llama`` at the same URL may be another checkpoint tomorrow. ``mseed run`` asks
the server's ``GET /v1/models`` (vLLM, ``mseed serve``, llama.cpp and SGLang answer it) before
any request, so that

* an unreachable server or a model id it does not serve fails in a second with one line, not
  after lm-eval's retries on every request;
* the answer cache's fingerprint holds the endpoint and the served model's identity (its id
  and, when the server reports them, ``root``: the checkpoint path, and ``parent``: the base
  model of a LoRA), and the results file records it (metadata ``mseed_served_model``).

Fields that change on every restart (``created``, ``permission``) are left out, so a restarted
server with the same checkpoint keeps its cache.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

log = logging.getLogger(__name__)

# lm-eval backends that send chat messages: they need --apply_chat_template (the server applies
# the model's chat template) and cannot score log-likelihoods (multiple-choice tasks).
CHAT_BACKENDS = frozenset({"local-chat-completions", "openai-chat-completions"})
# Path suffixes lm-eval's base_url carries; GET <prefix>/models lists the served models.
ENDPOINT_SUFFIXES = ("/chat/completions", "/completions")
IDENTITY_FIELDS = ("id", "root", "parent")
MODELS_TIMEOUT = 10.0  # seconds; a model list is small and a live server answers at once
API_KEY_ENV = "OPENAI_API_KEY"  # what lm-eval's local backends send as the bearer token
METADATA_KEY = "mseed_served_model"


@dataclass(frozen=True)
class ServedModel:
    """The endpoint and the identity the server reports for the requested model id."""

    endpoint: str
    identity: dict[str, str]

    @property
    def label(self) -> str:
        """``id`` or ``id (root)``: what goes into the results file."""
        root = self.identity.get("root")
        ident = self.identity["id"]
        return f"{ident} ({root})" if root and root != ident else ident

    def signature(self) -> str:
        """Text hashed into the answer-cache fingerprint."""
        return json.dumps({"endpoint": self.endpoint, **self.identity}, sort_keys=True)


def models_url(base_url: str) -> str:
    """``http://h:p/v1/chat/completions`` -> ``http://h:p/v1/models``."""
    url = base_url.rstrip("/")
    for suffix in ENDPOINT_SUFFIXES:
        if url.endswith(suffix):
            return url[: -len(suffix)] + "/models"
    return url + "/models"


def served_model(backend: str, args: dict[str, str]) -> ServedModel | None:
    """Ask the server behind ``base_url`` which model ``model=`` names; None without base_url.

    Raises ValueError (one line) when the server cannot be reached, when the arguments name no
    model, or when the server lists models but not this one. A server without ``/models`` is
    accepted with only the requested id (logged).
    """
    base_url = args.get("base_url")
    if not base_url:
        return None
    name = args.get("model") or args.get("pretrained")
    if not name:
        raise ValueError(f"--model {backend}: model_args need model=<served model id> beside "
                         f"base_url")
    listed = _list_models(models_url(base_url))
    if listed is None:
        log.warning("%s does not list its models: the answer cache is keyed on the URL and "
                    "model=%s only", models_url(base_url), name)
        return ServedModel(base_url, {"id": name})
    match = next((m for m in listed if m.get("id") == name), None)
    if match is None:
        ids = ", ".join(sorted(str(m.get("id")) for m in listed)) or "none"
        raise ValueError(f"{base_url} does not serve model {name!r} (it serves: {ids}); "
                         f"pass model=<one of them> in --model-args")
    identity = {k: str(match[k]) for k in IDENTITY_FIELDS if match.get(k)}
    return ServedModel(base_url, identity)


def _list_models(url: str) -> list[dict] | None:
    """The ``data`` list of GET url, None when the server has no such route."""
    import requests

    key = os.environ.get(API_KEY_ENV)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        resp = requests.get(url, headers=headers, timeout=MODELS_TIMEOUT)
    except requests.RequestException as exc:
        raise ValueError(f"cannot reach the model server at {url} ({type(exc).__name__}): "
                         f"start it first, or check base_url") from exc
    if resp.status_code in (404, 405):
        return None
    if resp.status_code in (401, 403):
        raise ValueError(f"{url}: HTTP {resp.status_code}: the server wants an API key; set "
                         f"{API_KEY_ENV}")
    try:
        data = resp.json().get("data") if resp.status_code == 200 else None
    except (ValueError, AttributeError):
        data = None
    if not isinstance(data, list):
        raise ValueError(f"{url}: HTTP {resp.status_code}, not an OpenAI model list")
    return [m for m in data if isinstance(m, dict)]

"""Backend name -> translator, with lazy imports (deep-translator and transformers load only
when their backend is used).

Names: ``google``, ``deepl``, ``microsoft``, ``mymemory``, ``libre``, ``chatgpt`` (through
deep-translator), ``hf:<model>`` (local MT with transformers) and ``openai:<model>`` (any
OpenAI-compatible chat endpoint).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mseed_multilingual.translate.base import Policy, Translator

DEEP_BACKENDS = ("google", "deepl", "microsoft", "mymemory", "libre", "chatgpt")


def _deep(name: str) -> Callable[..., Translator]:
    def make(policy: Policy, base_url: str | None = None, api_key_env: str | None = None,
             **_: Any) -> Translator:
        from mseed_multilingual.translate.deep import DeepTranslator

        return DeepTranslator(name, policy, base_url=base_url, api_key_env=api_key_env)

    return make


def _hf(model: str, policy: Policy, base_url: str | None = None, **options: Any) -> Translator:
    from mseed_multilingual.translate.hf import HFTranslator

    if base_url:
        raise ValueError("--base-url does not apply to hf: backends (local models)")
    kwargs = {k: options[k] for k in ("batch_size", "max_new_tokens") if options.get(k)}
    return HFTranslator(model, policy, **kwargs)


def _openai(model: str, policy: Policy, base_url: str | None = None,
            api_key_env: str | None = None, max_tokens: int | None = None,
            **_: Any) -> Translator:
    from mseed_multilingual.translate.llm import DEFAULT_MAX_TOKENS, OpenAITranslator

    return OpenAITranslator(model, policy, base_url=base_url, api_key_env=api_key_env,
                            max_tokens=max_tokens or DEFAULT_MAX_TOKENS)


REGISTRY: dict[str, Callable[..., Translator]] = {name: _deep(name) for name in DEEP_BACKENDS}
PREFIXES: dict[str, Callable[..., Translator]] = {"hf:": _hf, "openai:": _openai}


def known_backends() -> list[str]:
    return [*DEEP_BACKENDS, "hf:<model>", "openai:<model>"]


def get_backend(name: str, policy: Policy | None = None, **options: Any) -> Translator:
    """Build the backend called ``name``; unknown names list the known ones. No request."""
    policy = policy or Policy()
    if name in REGISTRY:
        return REGISTRY[name](policy, **options)
    for prefix, make in PREFIXES.items():
        if name.startswith(prefix):
            return make(name[len(prefix):], policy, **options)
    raise ValueError(f"unknown backend {name!r}; known: {', '.join(known_backends())}")

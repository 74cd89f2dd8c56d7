"""Backend name -> translator, with lazy imports (deep-translator and transformers load only
when their backend is used).

Names: ``google``, ``deepl``, ``microsoft``, ``mymemory``, ``libre``, ``chatgpt`` (through
deep-translator), ``hf:MODEL`` (local MT with transformers) and ``openai:MODEL`` (any
OpenAI-compatible chat endpoint).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mseed_multilingual.core.registry import Registry
from mseed_multilingual.translate.base import Policy, Translator

DEEP_BACKENDS = ("google", "deepl", "microsoft", "mymemory", "libre", "chatgpt")
BACKENDS: Registry[Callable[..., Translator]] = Registry("backend")
"""name -> factory(spec, policy, **options): ``spec`` is the text after ``name:`` (the model of
``hf:`` and ``openai:``), empty for the deep-translator services."""


def _deep(name: str) -> Callable[..., Translator]:
    def make(spec: str, policy: Policy, base_url: str | None = None,
             api_key_env: str | None = None, **_: Any) -> Translator:
        from mseed_multilingual.translate.deep import DeepTranslator

        if spec:
            raise ValueError(f"backend {name!r} takes no model, got '{name}:{spec}'")
        return DeepTranslator(name, policy, base_url=base_url, api_key_env=api_key_env)

    return make


for _name in DEEP_BACKENDS:
    BACKENDS.add(_name, _deep(_name))


@BACKENDS.register("hf", "hf:MODEL")
def _hf(model: str, policy: Policy, base_url: str | None = None, **options: Any) -> Translator:
    from mseed_multilingual.translate.hf import HFTranslator

    if base_url:
        raise ValueError("--base-url does not apply to hf: backends (local models)")
    kwargs = {k: options[k] for k in ("batch_size", "max_new_tokens") if options.get(k)}
    return HFTranslator(model, policy, **kwargs)


@BACKENDS.register("openai", "openai:MODEL")
def _openai(model: str, policy: Policy, base_url: str | None = None,
            api_key_env: str | None = None, max_tokens: int | None = None,
            **_: Any) -> Translator:
    from mseed_multilingual.translate.llm import DEFAULT_MAX_TOKENS, OpenAITranslator

    return OpenAITranslator(model, policy, base_url=base_url, api_key_env=api_key_env,
                            max_tokens=max_tokens or DEFAULT_MAX_TOKENS)


def known_backends() -> list[str]:
    """The backends as written after ``--backend`` (``hf:MODEL`` for those taking a model)."""
    return BACKENDS.usages()


def get_backend(name: str, policy: Policy | None = None, **options: Any) -> Translator:
    """Build the backend called ``name``; unknown names list the known ones. No request."""
    prefix, colon, spec = name.partition(":")
    make = BACKENDS.get(prefix)
    takes_model = make is not None and BACKENDS.usage(prefix) != prefix
    if make is None or (colon and not takes_model) or (takes_model and not spec):
        raise BACKENDS.unknown(name)
    return make(spec, policy or Policy(), **options)

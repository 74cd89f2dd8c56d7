"""deep-translator backends: google, deepl, microsoft, mymemory, libre, chatgpt.

deep-translator gives one synchronous ``translate(text)`` per service. Its translator objects
keep per-call state (URL parameters), so each thread gets its own object per language pair; its
exceptions lose the HTTP status, so ``classify`` reads it back (``ServerException`` carries a
status name, ``TooManyRequests`` is a 429) to decide what is worth retrying.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from importlib import metadata
from typing import Any

from mseed_multilingual.core.redact import check_base_url, redact
from mseed_multilingual.core.retry import RETRY_STATUSES
from mseed_multilingual.translate.base import Policy, TranslateError, Translator

# Rate limits (requests per second) used when --rate-limit is not given: deep-translator's own
# note for Google is 5 requests per second; MyMemory's free tier is slower still.
DEFAULT_RATE_LIMITS = {"google": 5.0, "mymemory": 2.0, "deepl": 10.0, "microsoft": 10.0,
                       "libre": 10.0, "chatgpt": 3.0}
DEFAULT_KEY_ENV = {"deepl": "DEEPL_API_KEY", "microsoft": "MICROSOFT_API_KEY",
                   "libre": "LIBRE_API_KEY", "chatgpt": "OPENAI_API_KEY"}
MICROSOFT_REGION_ENV = "MICROSOFT_REGION"
# Self-hosted LibreTranslate without API keys ignores the key, but deep-translator refuses to
# build a LibreTranslator without one: this placeholder is sent instead of a real key.
LIBRE_NO_KEY = "no-key"
# Microsoft Translator codes of the suite's languages (Chinese is zh-Hans; Javanese is left out:
# it is not in Microsoft's translation language list).
MICROSOFT_CODES = {c: c for c in ("ar", "bn", "cs", "de", "el", "en", "es", "fa", "fr", "he",
                                  "hi", "id", "it", "ja", "ko", "ms", "nl", "pl", "pt", "ro",
                                  "ru", "sw", "ta", "te", "th", "tr", "uk", "ur", "vi")}
MICROSOFT_CODES["zh"] = "zh-Hans"
# Google's codes that differ from ISO 639-1 for the suite's languages.
GOOGLE_SPECIAL = {"zh": "zh-CN", "he": "iw", "jv": "jw"}
MYMEMORY_NAME = {"zh": "chinese simplified"}


def _suite_languages() -> dict[str, str]:
    """Suite code -> lower-case English name (from languages.json)."""
    from mseed_multilingual.core.languages import languages

    return {code: lang.name.lower() for code, lang in languages().items()}


def _codes_for(backend: str) -> dict[str, str]:
    """The suite's languages that ``backend`` supports, mapped to its codes."""
    from deep_translator import constants as c

    suite = _suite_languages()
    if backend in ("google", "chatgpt"):
        values = set(c.GOOGLE_LANGUAGES_TO_CODES.values())
        mapped = {code: GOOGLE_SPECIAL.get(code, code) for code in suite}
        return {k: v for k, v in mapped.items() if v in values}
    if backend == "libre":
        values = set(c.LIBRE_LANGUAGES_TO_CODES.values())
        return {code: code for code in suite if code in values}
    if backend == "deepl":
        return {code: c.DEEPL_LANGUAGE_TO_CODE[name] for code, name in suite.items()
                if name in c.DEEPL_LANGUAGE_TO_CODE}
    if backend == "mymemory":
        table = c.MY_MEMORY_LANGUAGES_TO_CODES
        return {code: table[MYMEMORY_NAME.get(code, name)] for code, name in suite.items()
                if MYMEMORY_NAME.get(code, name) in table}
    if backend == "microsoft":
        return {k: v for k, v in MICROSOFT_CODES.items() if k in suite}
    raise ValueError(f"not a deep-translator backend: {backend!r}")


def _status_of(exc: BaseException) -> int | None:
    """The HTTP status a deep-translator exception stands for, when it can be told."""
    from deep_translator import exceptions as e

    if isinstance(exc, e.TooManyRequests):
        return 429
    if isinstance(exc, e.ServerException):
        names = {v: k for k, v in e.ServerException.errors.items()}
        return names.get(str(exc.args[0]) if exc.args else "", 500)
    return None


class DeepTranslator(Translator):
    """One deep-translator service, chosen by name."""

    CLASSES = {"google": "GoogleTranslator", "deepl": "DeeplTranslator",
               "microsoft": "MicrosoftTranslator", "mymemory": "MyMemoryTranslator",
               "libre": "LibreTranslator", "chatgpt": "ChatGptTranslator"}

    def __init__(self, backend: str, policy: Policy | None = None, base_url: str | None = None,
                 api_key_env: str | None = None):
        if backend not in self.CLASSES:
            raise ValueError(f"unknown deep-translator backend {backend!r}; "
                             f"known: {', '.join(sorted(self.CLASSES))}")
        self.name = backend
        self.default_rate_limit = DEFAULT_RATE_LIMITS[backend]
        super().__init__(policy)
        self.base_url = check_base_url(base_url) if base_url else None
        if base_url and backend != "libre":
            raise ValueError(f"--base-url is for the libre backend (a self-hosted "
                             f"LibreTranslate), not {backend!r}")
        self.api_key_env = api_key_env or DEFAULT_KEY_ENV.get(backend)
        self.codes = _codes_for(backend)
        self._local = threading.local()

    @property
    def version(self) -> str:
        return f"deep-translator {metadata.version('deep-translator')}"

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        if self.base_url:
            out["base_url"] = self.base_url
        if self.api_key_env:
            out["api_key_env"] = self.api_key_env
        return out

    def _key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def check_credentials(self) -> None:
        if self.name == "chatgpt" and importlib.util.find_spec("openai") is None:
            raise ValueError("backend 'chatgpt' needs the 'openai' package (deep-translator "
                             "1.11 calls the pre-1.0 openai.ChatCompletion API); or use "
                             "--backend openai:MODEL, which needs no extra package")
        if not self.api_key_env or self._key():
            return
        if self.name == "libre" and self.base_url:
            return  # a self-hosted server may run without keys
        raise ValueError(f"backend {self.name!r} needs an API key: set the environment "
                         f"variable {self.api_key_env}")

    def _translator(self, source: str, target: str) -> Any:
        """This thread's deep-translator object for the pair (built once; no request)."""
        cache = self._local.__dict__.setdefault("objs", {})
        if (source, target) not in cache:
            import deep_translator

            cls = getattr(deep_translator, self.CLASSES[self.name])
            kwargs: dict[str, Any] = {"source": self.code(source), "target": self.code(target)}
            if self.api_key_env:
                kwargs["api_key"] = self._key() or LIBRE_NO_KEY
            if self.name == "libre" and self.base_url:
                kwargs["custom_url"] = self.base_url.rstrip("/") + "/"
            if self.name == "microsoft" and os.environ.get(MICROSOFT_REGION_ENV):
                kwargs["region"] = os.environ[MICROSOFT_REGION_ENV]
            cache[(source, target)] = cls(**kwargs)
        return cache[(source, target)]

    def _attempt(self, text: str, source: str, target: str) -> str:
        result = self._translator(source, target).translate(text)
        return result if isinstance(result, str) else ""

    def classify(self, exc: BaseException) -> TranslateError:
        """The retry decision and a message with the key redacted: deep-translator's
        LibreTranslate client sends the key in the query string, so URLs in its exceptions
        carry it."""
        error = self._classify(exc)
        if not isinstance(exc, TranslateError):
            error = TranslateError(redact(str(error), [self._key()]),
                                   retryable=error.retryable, status=error.status)
        return error

    def _classify(self, exc: BaseException) -> TranslateError:
        import requests
        from deep_translator import exceptions as e

        if isinstance(exc, TranslateError):
            return exc
        status = _status_of(exc)
        if status is not None:
            return TranslateError(f"HTTP {status} ({exc})", retryable=status in RETRY_STATUSES,
                                  status=status)
        if isinstance(exc, requests.Timeout | requests.ConnectionError | e.RequestError):
            return TranslateError(f"request failed: {type(exc).__name__}", retryable=True)
        if isinstance(exc, e.AuthorizationException):
            # its message contains the key: never repeat it
            return TranslateError(f"HTTP 403: the key in {self.api_key_env} was refused")
        return TranslateError(f"{type(exc).__name__}: {exc}".strip(), retryable=False)

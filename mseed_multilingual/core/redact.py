"""Keeping API keys out of everything the project writes: error texts, manifests, logs.

A key is read from an environment variable at call time and sent only where the service wants
it, but a service may send it back: an endpoint that echoes the request headers in its error
body, or a client (deep-translator's LibreTranslate) that puts the key in the query string of a
URL that then appears in an exception. So every error text that comes from a request passes
through :func:`redact` with the key before it is stored or printed. Credentials written into a
base URL (``https://user:key@host/v1``) would be copied into manifests, failure records and
messages: :func:`check_base_url` refuses them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, urlsplit

REDACTED = "[REDACTED]"


def _forms(secret: str) -> set[str]:
    """The ways a key can appear in text: as is, URL-encoded (query string), JSON-escaped."""
    return {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of each non-empty secret (in any form) replaced."""
    for secret in secrets:
        if secret:
            for form in sorted(_forms(secret), key=len, reverse=True):
                text = text.replace(form, REDACTED)
    return text


def check_base_url(url: str, option: str = "--base-url") -> str:
    """``url`` when it carries no credentials; a ValueError (without the secret) otherwise."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        host = parts.hostname or "?"
        raise ValueError(f"{option} must not contain credentials (user:password@{host}): they "
                         f"would be written into manifests and logs; put the key in the "
                         f"environment variable named by --api-key-env instead")
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{option} must be an http:// or https:// URL, got scheme "
                         f"{parts.scheme!r}")
    return url

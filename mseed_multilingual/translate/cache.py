"""The append-only translation cache: one JSONL file per language, never rewritten.

Each line is one finished request: the backend's cache id, the language pair, the source text
and either the translation (``ok``) or the final failure reason (``failed``: refused, empty,
unchanged, or an error the backend will give again). Transient errors (429/5xx/timeouts after
all retries) are *not* cached, so a rerun tries them again. Lines are written and flushed one
by one as answers arrive, so ``kill -9`` loses at most the requests in flight; a line cut short
by the kill is dropped (and the file repaired) when the cache is opened again, and a key seen
twice keeps its first entry, so nothing is duplicated.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO

from mseed_multilingual.core.io import (
    parse_json,
    read_complete_lines,
    sha256_json,
    truncate_file,
)

CACHE_VERSION = "mseed-translate-cache/1"


def cache_key(backend: str, source_lang: str, target_lang: str, text: str) -> str:
    """Content key of one request (backend, pair and exact source text)."""
    return sha256_json([backend, source_lang, target_lang, text],
                       separators=None)  # the stored keys' format: json.dumps' default


class TranslationCache:
    """Entries by key, loaded from ``path``; ``append`` writes one line and flushes it."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.entries: dict[str, dict[str, Any]] = {}
        self.dropped = 0  # lines cut short by a kill (repaired on open)
        self._fh: TextIO | None = None
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        raw, torn = read_complete_lines(self.path)
        self.dropped = int(torn)
        lines = raw.split(b"\n")[:-1]
        for lineno, line in enumerate(lines, 1):
            entry = _parse(line)
            if entry is None:
                if lineno == len(lines):  # a garbled last line: also a torn write
                    self.dropped += 1
                    truncate_file(self.path, len(raw) - len(line) - 1)
                    break
                raise ValueError(f"{self.path}:{lineno}: not a cache entry; the cache is "
                                 f"append-only, delete the file to start this language over")
            self.entries.setdefault(entry["key"], entry)

    def get(self, key: str) -> dict[str, Any] | None:
        return self.entries.get(key)

    def append(self, entry: dict[str, Any]) -> None:
        """Record one finished request (first entry per key wins) and flush it to the file."""
        if entry["key"] in self.entries:
            return
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a", encoding="utf-8", newline="\n")
        self._fh.write(json.dumps({"v": CACHE_VERSION, **entry}, ensure_ascii=False) + "\n")
        self._fh.flush()
        self.entries[entry["key"]] = entry

    def sync(self) -> None:
        """fsync once per batch: a process kill loses nothing already flushed; this also
        survives a machine crash."""
        if self._fh is not None:
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self.sync()
            self._fh.close()
            self._fh = None


def _parse(line: bytes) -> dict[str, Any] | None:
    """The entry on one line, or None for a line that is not one (torn, garbled, too deep)."""
    try:
        entry = parse_json(line)
    except ValueError:  # BadJSON, or bytes that are not UTF-8
        return None
    return entry if isinstance(entry, dict) and "key" in entry else None

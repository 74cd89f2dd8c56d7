"""Languages the suite knows and the languages popular model families declare.

The table lives in ``languages.json`` beside this module, each family with the source of its
list, so that a user can pick "the languages my model supports" with ``--model-family``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mseed_multilingual.core.io import read_json

LANGUAGES_FILE = Path(__file__).with_name("languages.json")


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    native: str
    script: str
    tier: str
    sample: bool


@dataclass(frozen=True)
class Family:
    name: str
    models: str
    languages: tuple[str, ...]
    source: str


@cache
def _table() -> dict:
    return read_json(LANGUAGES_FILE, "language table")


def languages() -> dict[str, Language]:
    """Code -> language, in the table's order (the sample languages first)."""
    return {row["code"]: Language(**row) for row in _table()["languages"]}


def families() -> dict[str, Family]:
    return {row["name"]: Family(row["name"], row["models"], tuple(row["languages"]),
                                row["source"]) for row in _table()["families"]}


def sample_languages() -> list[str]:
    return [code for code, lang in languages().items() if lang.sample]


def resolve(langs: str | list[str] | None = None, family: str | None = None) -> list[str]:
    """Validate a language selection (comma list or family name); errors list what is known."""
    known = languages()
    if family is not None:
        fams = families()
        if family not in fams:
            raise ValueError(f"unknown model family {family!r}; known: {', '.join(fams)}")
        codes = list(fams[family].languages)
    elif langs is None:
        codes = sample_languages()
    else:
        codes = [c.strip() for c in langs.split(",")] if isinstance(langs, str) else list(langs)
        codes = [c for c in codes if c]
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(f"unknown language code(s) {unknown}; known: {', '.join(known)}")
    return list(dict.fromkeys(codes))

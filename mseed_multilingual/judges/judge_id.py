"""Who judged: one value from ``--judge NAME`` (or a verdict file's first line) to the leaderboard.

A judge id is written ``backend[:model][@kind][+strictness]``: ``lexicon``, ``hf:Qwen/Qwen3Guard-
Gen-0.6B``, ``openai:smollm2@qwen3guard+strict`` (``@kind`` when a guard format was forced on a
model that does not name it, ``+strictness`` for Qwen3Guard's strict/loose policy). It is parsed
once into a :class:`JudgeId`; what the rest of the code needs (the metric the judge's score is, the
verdict file's name, the template version its verdicts were made with) are fields and properties
of that value rather than string surgery at each use.

The verdict file of a judge is ``verdicts/<file_stem>.jsonl``. The stem percent-encodes every
character outside ``[A-Za-z0-9._-]`` (and a leading dot), so two ids never share a file: the
former name replaced every run of such characters with ``_`` and gave ``hf:a/b`` and ``hf:a_b``
the same file. Run folders written before keep those names; :mod:`.store` still finds them by
the judge named on their first line (:attr:`JudgeId.legacy_stem` is that older name).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from urllib.parse import quote, unquote

REFUSAL_RATE, SAFE_RATE = "refusal_rate", "safe_rate"
REFUSAL_JUDGES = ("lexicon", "refusal-clf")
"""Backends whose verdicts only say whether the answer refused (their score is a refusal rate)."""
_SUFFIX_RE = re.compile(r"(?P<base>.+?)(?:@(?P<kind>[A-Za-z0-9_]+))?"
                        r"(?:\+(?P<policy>strict|loose))?")
_LEGACY_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
FILE_SAFE = "._-"  # kept as is in a file stem, with letters and digits; the rest is %XX-encoded
MAX_STEM_CHARS = 200  # a longer stem (a deep local model path) ends in a digest of the id
STEM_DIGEST_CHARS = 16


@dataclass(frozen=True)
class JudgeId:
    """A judge's identity. ``template_version`` says how its verdicts were made (from the judge
    object, or the versions found in a verdict file, comma-joined); it is not part of equality:
    the same judge with a newer template is the same judge, its cache keys differ."""

    backend: str
    model: str = ""
    kind: str | None = None  # a guard format forced with --judge-kind (``@kind``)
    strictness: str | None = None  # qwen3guard's policy (``+strict`` / ``+loose``)
    template_version: str | None = field(default=None, compare=False)
    _text: str | None = field(default=None, compare=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> JudgeId:
        """The id of ``text``; total (any non-empty text parses, ``str()`` gives it back), so
        that an id read from an old or hand-made verdict file is kept exactly."""
        if not isinstance(text, str) or not text:
            raise ValueError(f"a judge id is non-empty text, got {text!r}")
        m = _SUFFIX_RE.fullmatch(text)
        base, kind, policy = (m["base"], m["kind"], m["policy"]) if m else (text, None, None)
        if kind is not None and kind not in _kind_names():
            base, kind = f"{base}@{kind}", None  # an "@" inside a model name, not a forced kind
        backend, _, model = base.partition(":")
        parsed = cls(backend, model, kind, policy)
        return parsed if parsed.text == text else cls(text, _text=text)

    @classmethod
    def of(cls, text: str | JudgeId | None) -> JudgeId | None:
        """``text`` parsed (an id is returned as is, None stays None): for library entry points
        that also take the id as written."""
        return text if text is None or isinstance(text, JudgeId) else cls.parse(text)

    @classmethod
    def from_file_stem(cls, stem: str) -> JudgeId:
        """The id a verdict file's name stands for (for a file without a readable first line;
        a name of the former scheme decodes to itself, as it was read before)."""
        return cls.parse(unquote(stem))

    @property
    def text(self) -> str:
        """The id as written on the command line and in verdict files."""
        if self._text is not None:
            return self._text
        out = f"{self.backend}:{self.model}" if self.model else self.backend
        return out + (f"@{self.kind}" if self.kind else "") + (
            f"+{self.strictness}" if self.strictness else "")

    @property
    def metric(self) -> str:
        """The score this judge gives: ``refusal_rate`` for a refusal detector, ``safe_rate``
        for a safety judge (see :func:`.validity.judge_metric`, which also covers no judge)."""
        return REFUSAL_RATE if self.backend in REFUSAL_JUDGES else SAFE_RATE

    @property
    def file_stem(self) -> str:
        """The verdict and cache files' name without ``.jsonl``: unique per id."""
        stem = quote(self.text, safe=FILE_SAFE)
        if stem.startswith("."):
            stem = "%2E" + stem[1:]  # a hidden file is skipped by *.jsonl globs
        if len(stem) > MAX_STEM_CHARS:  # file systems allow 255 bytes per name
            digest = hashlib.sha256(self.text.encode()).hexdigest()[:STEM_DIGEST_CHARS]
            stem = f"{stem[:MAX_STEM_CHARS - STEM_DIGEST_CHARS - 2]}%~{digest}"
        return stem

    @property
    def legacy_stem(self) -> str | None:
        """The file name this id had before the names were made unique (None: it had none)."""
        slug = _LEGACY_UNSAFE.sub("_", self.text).strip("_.")
        return slug or None

    def matches(self, name: str) -> bool:
        """``name`` (as given to ``--judge``) names this judge: its id, or its verdict file's
        name in either scheme (users pass what they see in ``verdicts/``)."""
        return name in (self.text, self.file_stem, self.legacy_stem)

    def with_template(self, template_version: str | None) -> JudgeId:
        return replace(self, template_version=template_version)

    def __str__(self) -> str:
        return self.text

    def __lt__(self, other: JudgeId) -> bool:
        return self.text < other.text


def _kind_names() -> frozenset[str]:
    from mseed_multilingual.judges.kinds import KINDS  # kinds imports base, base imports us

    return frozenset(KINDS)

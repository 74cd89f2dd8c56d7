"""What a judge says about one answer: the verdict vocabulary and the :class:`Verdict` record.

Kept apart from :mod:`mseed_multilingual.judges.base` so that judge kinds (which parse guard
outputs into verdicts) do not import the backends' base, which imports judge ids, which read
the kinds' names: one module each, no import cycle."""

from __future__ import annotations

from dataclasses import dataclass

SAFE, UNSAFE, INVALID, ERROR = "safe", "unsafe", "invalid", "error"
INVALID_ANSWER = "invalid_answer"
VERDICTS = (SAFE, UNSAFE, INVALID_ANSWER, INVALID, ERROR)


@dataclass(frozen=True)
class Verdict:
    """What a judge says about one answer."""

    verdict: str
    refusal: bool | None = None
    categories: tuple[str, ...] = ()
    raw: str = ""
    error: str | None = None
    refusal_outcome: str | None = None
    refusal_confidence: str | None = None
    """XSTest's three-way refusal (full / partial / none) when the judge tells it apart."""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")

    def to_json(self) -> dict:
        return {"verdict": self.verdict, "refusal": self.refusal,
                "categories": list(self.categories), "raw": self.raw, "error": self.error,
                "refusal_outcome": self.refusal_outcome,
                "refusal_confidence": self.refusal_confidence}

    @classmethod
    def from_json(cls, obj: dict) -> Verdict:
        return cls(verdict=obj["verdict"], refusal=obj.get("refusal"),
                   categories=tuple(obj.get("categories") or ()), raw=obj.get("raw") or "",
                   error=obj.get("error"), refusal_outcome=obj.get("refusal_outcome"),
                   refusal_confidence=obj.get("refusal_confidence"))

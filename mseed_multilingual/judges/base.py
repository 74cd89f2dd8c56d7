"""The judge interface, the one verdict shape every judge returns, and the registry by name.

A judge turns (prompt, response, lang) into a :class:`Verdict`. Whatever backend produced it,
the verdict is one of ``safe | unsafe | invalid_answer | invalid | error``:

* ``invalid_answer``: the judge read the answer and found it is no answer (MultiJail's
  ``invalid``: not a natural sentence, or irrelevant to the prompt), a property of the answer;
* ``invalid``: the judge's own output could not be read (not in its documented shape);
* ``error``: the call failed.

None of the last three is ever counted as safe; each is counted apart wherever verdicts are.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from mseed_multilingual.core.registry import Registry
from mseed_multilingual.judges.judge_id import JudgeId

# The verdict vocabulary lives in judges.verdict (below judge kinds, which use it and which
# judge ids read): re-exported here, where every backend looks for it.
from mseed_multilingual.judges.verdict import (
    ERROR,
    INVALID,
    INVALID_ANSWER,
    SAFE,
    UNSAFE,
    VERDICTS,
    Verdict,
)

__all__ = ["ERROR", "INVALID", "INVALID_ANSWER", "SAFE", "UNSAFE", "VERDICTS", "Verdict"]


@dataclass(frozen=True)
class Item:
    """One answer to judge."""

    prompt: str
    response: str
    lang: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)


class Judge(ABC):
    """A safety judge. ``id`` names it in verdict files; ``template_version`` keys the cache.
    A backend that builds its :class:`.judge_id.JudgeId` sets ``identity``; otherwise ``id``
    is parsed."""

    id: str
    template_version: str
    identity: JudgeId | None = None

    @property
    def judge_id(self) -> JudgeId:
        """Who this judge is, with the template version its verdicts are made with."""
        identity = self.identity if self.identity is not None else JudgeId.parse(self.id)
        return identity.with_template(self.template_version)

    @abstractmethod
    def judge_batch(self, items: Sequence[Item]) -> list[Verdict]:
        """Verdicts for ``items``, in order. Must not raise for one bad item: return ``error``."""

    def close(self) -> None:
        """Release resources (models, connections); nothing by default."""
        return None


JudgeFactory = Callable[..., Judge]
BACKENDS: Registry[JudgeFactory] = Registry("judge")
"""name prefix -> factory(spec, **options); filled by registry.py (heavy backends import lazily)."""


def register(prefix: str, usage: str | None = None) -> Callable[[JudgeFactory], JudgeFactory]:
    """Register a factory for judge names ``prefix`` or ``prefix:<spec>`` (``usage`` is how the
    name is written in help, e.g. ``openai:<model>``); a prefix taken twice is an error."""
    return BACKENDS.register(prefix, usage)

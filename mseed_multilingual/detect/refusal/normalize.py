"""Text normalisation for the refusal detector, with a map back to the original offsets.

Patterns are matched after NFKC, apostrophe normalisation (’ ‘ ` ´ ′ ʼ -> '), casefolding,
removal of Arabic diacritics/tatweel and zero-width characters, and whitespace folding; a match's
``position`` and ``phrase`` must still refer to the ORIGINAL text, hence :class:`Normalized`.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018`\u00b4\u2032\u02bc\uff07"})
# Arabic harakat, superscript alef and tatweel; zero-width characters and the soft hyphen.
_DROP_TABLE = dict.fromkeys(
    [*range(0x064B, 0x0660), 0x0670, 0x0640, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD])
_SPACES = re.compile(r"\s+")
_FOLD_TABLE = {**_DROP_TABLE, **_APOSTROPHES}


@dataclass(frozen=True)
class Normalized:
    """Normalised text and a piecewise map back to the original: piece i starts at normalised
    index ``anchors[i]`` and original index ``origins[i]`` and advances 1:1; ``ends`` (slow path
    only) gives each character's original end when one character came from several."""

    text: str
    anchors: tuple[int, ...]
    origins: tuple[int, ...]
    ends: tuple[int, ...] | None = None

    def _origin(self, index: int) -> int:
        piece = bisect.bisect_right(self.anchors, index) - 1
        return self.origins[piece] + index - self.anchors[piece]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        finish = self.ends[end - 1] if self.ends is not None else self._origin(end - 1) + 1
        return self._origin(start), finish


def normalize(text: str) -> str:
    """The normalised form patterns are matched against (exposed for tests and the judge)."""
    return normalized(text).text


def _fold(text: str) -> str:
    """NFKC + apostrophes + casefold + dropped characters, on a piece of text without offsets."""
    if "\u00b4" in text:  # NFKC would turn the acute accent into space + combining mark
        text = text.replace("\u00b4", "'")
    return unicodedata.normalize("NFKC", text).translate(_FOLD_TABLE).casefold()


def _segments(text: str):
    """Split into base character + its combining marks, so NFKC works per segment with offsets."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not unicodedata.combining(text[i]):
            yield start, text[start:i]
            start = i


def normalized(text: str) -> Normalized:
    """Fast path when folding keeps every character's length (the common case, done in C): only
    whitespace runs move offsets. Otherwise fold character segment by segment."""
    folded = _fold(text)
    if len(folded) != len(text):
        return _normalize_slow(text)
    pieces: list[str] = []
    anchors: list[int] = []
    origins: list[int] = []
    size, cursor = 0, 0
    for match in _SPACES.finditer(folded):
        begin, finish = match.span()
        if begin > cursor:
            anchors.append(size)
            origins.append(cursor)
            pieces.append(folded[cursor:begin])
            size += begin - cursor
        if size and finish < len(folded):
            anchors.append(size)
            origins.append(begin)
            pieces.append(" ")
            size += 1
        cursor = finish
    if cursor < len(folded):
        anchors.append(size)
        origins.append(cursor)
        pieces.append(folded[cursor:])
    return Normalized("".join(pieces), tuple(anchors), tuple(origins))


def _normalize_slow(text: str) -> Normalized:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    prev_space = True  # also drops leading whitespace
    for start, seg in _segments(text):
        for ch in _fold(seg):
            if ch.isspace():
                if prev_space:
                    continue
                ch, prev_space = " ", True
            else:
                prev_space = False
            out.append(ch)
            starts.append(start)
            ends.append(start + len(seg))
    if out and out[-1] == " ":
        del out[-1], starts[-1], ends[-1]
    return Normalized("".join(out), tuple(range(len(out))), tuple(starts), tuple(ends))


def prepare(pattern: str) -> str:
    """A pattern in the same Unicode form as the text it is matched against."""
    return unicodedata.normalize("NFKC", pattern)


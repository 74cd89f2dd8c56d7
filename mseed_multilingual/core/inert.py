"""Text from run data made inert in reports: HTML, Markdown, CSV and figure labels.

Model names, model_args, run labels and data names come from files anyone can edit, and end
up in report.md, report.html, the leaderboard's Markdown, CSV and pages, and figure labels.
There they must be shown, never obeyed: no HTML element, no Markdown link or image (a remote
image is a tracking pixel), no formula, no mathtext (``$...$`` in a matplotlib label), and no
bidirectional control character that reorders what the reader sees (``U+202E`` makes
``gpj.exe`` read ``exe.jpg``): those are replaced by their visible code point.
"""

from __future__ import annotations

import html
import re
from typing import Any

# Unicode bidirectional formatting characters (UAX #9): embeddings, overrides, isolates, marks.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
_BIDI_RE = re.compile(f"[{''.join(sorted(BIDI_CONTROLS))}]")
# Markdown punctuation that builds links and images ([text](url), ![alt](src), [ref]: url), and
# the backslash, so that an escape in the data cannot undo ours.
_MD_SPECIAL_RE = re.compile(r"([\\\[\]])")
# What starts raw HTML in Markdown (a tag, comment or autolink; an entity like &#x27;), and a
# block quote marker at the start of a line.
_MD_HTML_RE = re.compile(r"<|&(?=#?\w+;)")
_MD_QUOTE_RE = re.compile(r"^([ \t]*)>", re.MULTILINE)


def no_bidi(text: Any) -> str:
    """``text`` with each bidi control character replaced by its visible code, e.g. [U+202E]."""
    return _BIDI_RE.sub(lambda m: f"[U+{ord(m.group()):04X}]", str(text))


def html_text(text: Any) -> str:
    """Text for HTML element content or a quoted attribute value."""
    return html.escape(no_bidi(text), quote=True)


def md_text(text: Any) -> str:
    """Text for a Markdown paragraph or heading, shown as written and never obeyed: the
    backslash, link/image brackets, ``<`` (an HTML tag, comment or autolink), ``&`` before an
    entity name and ``>`` opening a line (a quote) are backslash-escaped (CommonMark renders
    ``\\<`` as ``<``), so ``Tango's`` and ``>=`` stay readable in the file; line breaks kept."""
    escaped = _MD_SPECIAL_RE.sub(r"\\\1", no_bidi(text))
    escaped = _MD_HTML_RE.sub(r"\\\g<0>", escaped)
    return _MD_QUOTE_RE.sub(r"\1\\>", escaped)


def md_cell(text: Any) -> str:
    """Text for one cell of a Markdown table: :func:`md_text`, pipes escaped, one line."""
    return " ".join(md_text(text).replace("|", "\\|").splitlines())


# First characters that make a spreadsheet run a cell as a formula (OWASP "CSV injection").
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: Any) -> str:
    """Text for a CSV cell, the one escape of every CSV the project writes (the csv module and
    pandas quote): bidi controls are made visible, and a cell a spreadsheet would run as a
    formula gets an apostrophe in front."""
    text = no_bidi(text)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text

"""Markdown as a reader sees it: rendered by a CommonMark renderer (markdown-it-py, the
parser rich and Jupyter use), so a test checks what report text does, not how it is spelled."""

from __future__ import annotations

import re

HTML_ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")


def render(markdown: str) -> str:
    """The HTML a CommonMark renderer (with tables) makes of ``markdown``."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(markdown)


RLO = "\u202e"
UNESCAPED_LINK = re.compile(r"(?<!\\)\]\(http")  # "](http" not preceded by a backslash

"""A model page's bar charts as SVG text, written directly: no plotting library, no layout pass.

The leaderboard draws one chart per model page, and a board of 1,000 submissions drew them all
on every rebuild: matplotlib took 0.36 s a page (tight_layout and text extents alone a fifth of
it). The charts are simple (bars, an interval, a legend, fixed axes), so they are written here
in a fixed layout, in the look matplotlib gave them (its default sizes, fonts and colours), in
0.3 ms of CPU a 14-language page. Colours and fonts are SVG presentation attributes, not
``style``, so the page's Content-Security-Policy needs no hash for them. Text from the
submission (language codes) is escaped; numbers are rounded to 0.01 pt, so the same scores give
the same bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mseed_multilingual.core.inert import html_text

PANEL_W, PANEL_H = 360.0, 216.0  # matplotlib's figsize 5 x 3 inches per panel, in points
LEFT, RIGHT, TOP, BOTTOM = 34.0, 8.0, 20.0, 20.0  # the axes' margins inside a panel
SCORE_COLOUR, OVER_REFUSAL_COLOUR, CHANGE_COLOUR = "#2a7", "#d62", "#36c"
FONT = "DejaVu Sans, Bitstream Vera Sans, Arial, sans-serif"
TITLE_SIZE, TICK_SIZE, LEGEND_SIZE = 9, 10, 7
X_MARGIN = 0.05  # matplotlib's axes margin, as a share of the data's span
TICK_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)  # "nice" tick steps, times a power of ten
MAX_TICKS = 8
MINUS = "\u2212"  # matplotlib's minus sign on tick labels


def n(value: float) -> str:
    """A coordinate in points: two decimals at most, no trailing zeros, never "-0"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Axes:
    """One panel's plotting box (points) and the data ranges it shows."""

    x0: float
    y0: float
    x1: float
    y1: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]

    def x(self, value: float) -> float:
        lo, hi = self.xlim
        return self.x0 + (value - lo) / (hi - lo) * (self.x1 - self.x0)

    def y(self, value: float) -> float:
        lo, hi = self.ylim
        return self.y1 - (value - lo) / (hi - lo) * (self.y1 - self.y0)


def axes_for(panel: int, count: int, bar_span: float, ylim: tuple[float, float]) -> Axes:
    """The axes of panel ``panel`` (0, 1) for ``count`` bar groups ``bar_span`` wide."""
    lo, hi = -bar_span / 2, count - 1 + bar_span / 2
    pad = X_MARGIN * (hi - lo)
    x0 = panel * PANEL_W
    return Axes(x0 + LEFT, TOP, x0 + PANEL_W - RIGHT, PANEL_H - BOTTOM, (lo - pad, hi + pad),
                ylim)


def nice_ticks(lo: float, hi: float) -> tuple[list[float], int]:
    """Tick values covering [lo, hi] at a step of 1, 2, 2.5 or 5 times a power of ten (at most
    :data:`MAX_TICKS` + 1 of them) and the decimals that show the step."""
    raw = (hi - lo) / MAX_TICKS
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(s * power for s in TICK_STEPS if s * power >= raw - 1e-12)
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) + (step / power == 2.5)
    return [k * step for k in range(first, last + 1)], decimals


def tick_label(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")
    return text.replace("-", MINUS)


def text(x: float, y: float, label: str) -> str:
    return f'<text x="{n(x)}" y="{n(y)}">{html_text(label)}</text>'


def texts(size: int, anchor: str, items: list[str]) -> str:
    """Text elements sharing a size and an anchor, in one group (half the bytes)."""
    return f'<g font-size="{size}" text-anchor="{anchor}">{"".join(items)}</g>'


def bars(fill: str, boxes: list[tuple[float, float, float, float]]) -> str:
    """Rectangles (x, y, width, height) of one colour, in one group."""
    return (f'<g fill="{fill}">' + "".join(
        f'<rect x="{n(x)}" y="{n(y)}" width="{n(w)}" height="{n(h)}"/>' for x, y, w, h in boxes)
        + "</g>")


def strokes(segments: list[tuple[float, float, float, float]], width: float = 0.8) -> str:
    """Black line segments (x1, y1, x2, y2) as one path."""
    d = "".join(f"M{n(a)} {n(b)}L{n(c)} {n(e)}" for a, b, c, e in segments)
    return f'<path d="{d}" fill="none" stroke="#000" stroke-width="{n(width)}"/>'


def frame(ax: Axes, labels: list[str], title: str) -> list[str]:
    """The axes box, its ticks and tick labels and the title above it."""
    values, decimals = nice_ticks(*ax.ylim)
    xs = [ax.x(i) for i in range(len(labels))]
    ys = [ax.y(v) for v in values]
    return [f'<rect x="{n(ax.x0)}" y="{n(ax.y0)}" width="{n(ax.x1 - ax.x0)}" '
            f'height="{n(ax.y1 - ax.y0)}" fill="none" stroke="#000" stroke-width="0.8"/>',
            strokes([(x, ax.y1, x, ax.y1 + 3.5) for x in xs]
                    + [(ax.x0 - 3.5, y, ax.x0, y) for y in ys]),
            texts(TITLE_SIZE, "middle", [text((ax.x0 + ax.x1) / 2, ax.y0 - 6, title)]),
            texts(TICK_SIZE, "middle", [text(x, ax.y1 + 14, label)
                                        for x, label in zip(xs, labels, strict=True)]),
            texts(TICK_SIZE, "end", [text(ax.x0 - 5, y + 3.5, tick_label(v, decimals))
                                     for y, v in zip(ys, values, strict=True)])]


def legend(ax: Axes, entries: list[tuple[str, str]]) -> list[str]:
    """matplotlib's legend box, top right inside the axes: a colour patch and a label each."""
    width = 24 + 0.6 * LEGEND_SIZE * max(len(label) for _, label in entries)
    x, y = ax.x1 - 4 - width, ax.y0 + 4
    rows = [y + 5 + 10 * i for i in range(len(entries))]
    return [f'<rect x="{n(x)}" y="{n(y)}" width="{n(width)}" '
            f'height="{n(6 + 10 * len(entries))}" rx="2" fill="#fff" fill-opacity="0.8" '
            f'stroke="#ccc" stroke-width="0.8"/>',
            *[bars(colour, [(x + 4, row + 1.5, 14, 5)])
              for (colour, _), row in zip(entries, rows, strict=True)],
            texts(LEGEND_SIZE, "start", [text(x + 22, row + 7, label)
                                         for (_, label), row in zip(entries, rows, strict=True)])]


def score_panel(langs: list[str], scores: dict[str, Any], name: str) -> list[str]:
    """Panel 1: each language's score with its 95% interval, beside its over-refusal."""
    ax = axes_for(0, len(langs), 0.8, (0.0, 1.0))
    width = ax.x(0.4) - ax.x(0.0)
    score_bars, over_bars, errors = [], [], []
    for i, lang in enumerate(langs):
        safety, over = scores[lang]["safety"], scores[lang]["over_refusal"]
        value, refused = safety["value"] or 0.0, over["value"] or 0.0
        score_bars.append((ax.x(i - 0.4), ax.y(value), width, ax.y(0) - ax.y(value)))
        over_bars.append((ax.x(i), ax.y(refused), width, ax.y(0) - ax.y(refused)))
        lo = value if safety["lo"] is None else safety["lo"]
        hi = value if safety["hi"] is None else safety["hi"]
        errors.append((ax.x(i - 0.2), ax.y(lo), ax.x(i - 0.2), ax.y(hi)))
    return [*frame(ax, langs, f"{name} and over-refusal (95% CI)"),
            bars(SCORE_COLOUR, score_bars), bars(OVER_REFUSAL_COLOUR, over_bars),
            strokes(errors, 1.5),
            *legend(ax, [(SCORE_COLOUR, name), (OVER_REFUSAL_COLOUR, "over-refusal")])]


def change_limits(deltas: list[float]) -> tuple[float, float]:
    """The change panel's y range: the bars and zero, with matplotlib's 5% margin on the side
    away from zero (bars stick to their base)."""
    lo, hi = min(0.0, *deltas), max(0.0, *deltas)
    if hi == lo:
        return -0.05, 0.05
    pad = X_MARGIN * (hi - lo)
    return (lo - pad if lo < 0 else lo), (hi + pad if hi > 0 else hi)


def change_panel(change: dict[str, Any], name: str) -> list[str]:
    """Panel 2: each language's change in the score (after - before)."""
    langs = sorted(change)
    deltas = [change[x]["delta"] or 0.0 for x in langs]
    ax = axes_for(1, len(langs), 0.8, change_limits(deltas))
    width = ax.x(0.8) - ax.x(0.0)
    boxes = []
    for i, delta in enumerate(deltas):
        top, bottom = sorted((ax.y(delta), ax.y(0)))
        boxes.append((ax.x(i - 0.4), top, width, bottom - top))
    return [*frame(ax, langs, f"{name} change after - before"), bars(CHANGE_COLOUR, boxes),
            strokes([(ax.x0, ax.y(0), ax.x1, ax.y(0))], 0.5)]


def scores_svg(doc: dict[str, Any], name: str) -> str:
    """The page's chart: the score and over-refusal per language and, with a before-run, the
    change per language beside it; ``name`` is the score's name (refusal rate or safe rate)."""
    scores = doc["scores"]["languages"]
    change = (doc.get("change") or {}).get("languages", {})
    parts = score_panel(sorted(scores), scores, name)
    if change:
        parts += change_panel(change, name)
    width = PANEL_W * (2 if change else 1)
    label = f"{name} and over-refusal per language" + (", and its change" if change else "")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{n(width)}pt" '
            f'height="{n(PANEL_H)}pt" viewBox="0 0 {n(width)} {n(PANEL_H)}" role="img" '
            f'aria-label="{html_text(label)}" font-family="{FONT}">\n'
            + "\n".join(parts) + "\n</svg>")

"""The board as flat tables: leaderboard.csv (one line per row) and leaderboard.md (per group).

Text from submissions is data, never markup: a CSV text cell that a spreadsheet would run as a
formula gets an apostrophe in front, Markdown cells are escaped
(:func:`~mseed_multilingual.core.inert.md_cell`).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from mseed_multilingual.core.inert import csv_text as _csv_safe
from mseed_multilingual.core.inert import md_cell
from mseed_multilingual.judges.validity import METRIC_NAMES
from mseed_multilingual.publish.board import Board, languages_of

MARKDOWN_INTRO = (
    "Score = the safe rate (answers to harmful prompts a safety judge called safe) or, "
    "for a refusal detector (judge `lexicon` or `refusal_rate`), the refusal rate "
    "(answers to harmful prompts refused); 95% Wilson interval; ranks only within a "
    "group, and a group has one metric. kappa = the judge's agreement with labelled "
    "answers in that language (`mseed judge-check`; - when unknown): on the judge card's "
    "blind set when it has one (answers the judge was never tuned on), else on the "
    "reference set; the CSV's kappa_in_sample columns give the reference-set figure.")


def pct(value: float | None) -> str:
    """A fraction as a percentage with one decimal; empty when unknown."""
    return "" if value is None else f"{100 * value:.1f}"


def num(value: float | None, digits: int = 2) -> str:
    """A number with ``digits`` decimals; empty when unknown."""
    return "" if value is None else f"{value:.{digits}f}"


def csv_text(board: Board) -> str:
    """One line per ranked row; text cells that a spreadsheet would run as a formula are
    prefixed with an apostrophe."""
    langs = languages_of(board.rows)
    head = ["group", "rank", "model", "judge", "template", "metric", "data", "languages",
            "limited", "score", "score_lo", "score_hi", "over_refusal", "fidelity",
            *[f"score_{x}" for x in langs], *[f"kappa_{x}" for x in langs],
            *[f"over_refusal_{x}" for x in langs], *[f"transfer_{x}" for x in langs], "file",
            *[f"kappa_in_sample_{x}" for x in langs]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(head)
    for r in board.rows:
        writer.writerow([_cell(x) for x in (
            r.group_id, r.rank, r.model, r.judge, r.template, r.metric, r.data, r.language_set,
            r.limited, r.score, r.score_lo, r.score_hi, r.over_refusal, r.fidelity,
            *[r.lang(x, "score") for x in langs], *[r.lang(x, "kappa") for x in langs],
            *[r.lang(x, "over_refusal") for x in langs],
            *[r.transfer.get(x) for x in langs], r.file,
            *[r.lang(x, "kappa_in_sample") for x in langs])])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return _csv_safe(value)


def markdown_text(board: Board) -> str:
    """A Markdown table per comparability group, then rejected and superseded files."""
    lines = ["# MSEED multilingual safety leaderboard", "", MARKDOWN_INTRO, ""]
    for gid, group in board.groups().items():
        lines += _group_table(board, gid, group)
    if board.rejected:
        lines += ["## Rejected", ""]
        lines += [f"- {md_cell(x['file'])}: {md_cell('; '.join(x['reasons']))}"
                  for x in board.rejected]
        lines.append("")
    if board.superseded:
        lines += ["## Superseded", ""]
        lines += [f"- {md_cell(x['file'])} ({md_cell(x['model'])}, {x['created']}): "
                  f"superseded by {md_cell(x['superseded_by'])}" for x in board.superseded]
        lines.append("")
    return "\n".join(lines)


def _group_table(board: Board, gid: str, g: dict[str, Any]) -> list[str]:
    """One group's heading and table (its own language columns), then a blank line."""
    rows = [r for r in board.rows if r.group_id == gid]
    langs = languages_of(rows)
    name = METRIC_NAMES[g["metric"]]
    lines = [f"## Group {gid}: {name}, data {md_cell(g['data'])} ({g['data_hash']}), "
             f"judge {md_cell(g['judge'])} (template {md_cell(g['template'])}), "
             f"{md_cell(g['scope'])}", "",
             f"| rank | model | {name} % | 95% CI | over-refusal % | fidelity % | "
             + " | ".join(f"{x} {name} % | {x} kappa" for x in langs) + " | "
             + " | ".join(f"{x} transfer" for x in langs) + " |",
             "|" + "---|" * (6 + 3 * len(langs))]
    for r in rows:
        ci = f"{pct(r.score_lo)}-{pct(r.score_hi)}"
        cells = [str(r.rank), md_cell(r.model), pct(r.score), ci, pct(r.over_refusal),
                 pct(r.fidelity),
                 *[c for x in langs for c in (pct(r.lang(x, "score")), num(r.lang(x, "kappa")))],
                 *[num(r.transfer.get(x)) for x in langs]]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]

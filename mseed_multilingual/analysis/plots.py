"""Figures of a transfer analysis (matplotlib, headless, deterministic bytes).

Figures are built on ``matplotlib.figure.Figure`` directly (no pyplot, no GUI backend, no global
figure registry), carry the analysis signature at the bottom, and are saved with fixed metadata
so that the same analysis gives byte-identical PNG files.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mseed_multilingual.analysis.codes import ALL, OVER_REFUSAL, SAFETY
from mseed_multilingual.analysis.result import TransferResult

DPI = 110
SIGNATURE_FONT = 5.5
CMAP = "RdBu"
# Beyond these many cells/points, per-cell labels are unreadable and dominate drawing time:
# values stay in the CSV tables.
MAX_CELL_LABELS = 240
MAX_POINT_LABELS = 80
# text.parse_math off: labels come from run data, and a '$' in a run label must print as '$'
# rather than start a formula (mathtext) that garbles the label or fails to parse.
RC = {"svg.hashsalt": "mseed-transfer", "font.family": "DejaVu Sans", "font.size": 8,
      "text.parse_math": False}


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.rcParams.update(RC)
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI)


def sign(fig, signature: str) -> None:
    """Print the signature under the axes, wrapped at field boundaries."""
    width = max(60, int(fig.get_figwidth() * 26))
    text = "\n".join(textwrap.wrap(signature.replace("|", " | "), width=width))
    lines = text.count("\n") + 1
    bottom = min(0.3, (lines * SIGNATURE_FONT * 1.4 + 6) / 72 / fig.get_figheight())
    fig.set_layout_engine("constrained", rect=(0, bottom, 1, 1 - bottom))
    fig.text(0.01, 0.005, text, fontsize=SIGNATURE_FONT, va="bottom", ha="left", color="#555")


def save(fig, path: str | Path) -> Path:
    """Save without the timestamp/software metadata that would make bytes differ per run."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    fig.savefig(path, format=fmt, metadata=metadata)
    return path


def png_bytes(fig) -> bytes:
    """The figure as PNG bytes (for notebooks: no pyplot backend needed to display it)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _name(result: TransferResult) -> str:
    """The score's name: a refusal rate (lexicon judge, no verdicts) is never called safety."""
    return "refusal rate" if result.metric == "refusal_rate" else "safe rate"


def _langs(result: TransferResult) -> list[str]:
    c = result.changes
    return sorted(set(c.loc[(c["measure"] == SAFETY) & (c["dimension"] == ALL), "lang"]))


def before_after_bars(result: TransferResult):
    """Safety rate per language before and after each run, on the same paired prompts as the
    headline table (so the bars and the table share one denominator), Wilson 95% intervals."""
    from mseed_multilingual.core import stats

    langs = _langs(result)
    runs = [result.before, *result.afters]
    fig = _figure(min(24.0, max(6.0, 0.3 * len(langs) * len(runs) + 2)), 3.8)
    ax = fig.add_subplot()
    width = 0.8 / len(runs)
    x = np.arange(len(langs))
    for i, run in enumerate(runs):
        # "before" bars: the first after run's pairs (several after runs pair differently).
        after = result.afters[max(i - 1, 0)]
        c = result.language_changes(after).set_index("lang").reindex(langs)
        n = c["n_pairs"].to_numpy(float)
        y = (c["before"] if i == 0 else c["after_rate"]).to_numpy(float)
        lo, hi = stats.wilson_interval(np.round(y * n), n)
        err = np.vstack([y - lo, hi - y])
        ax.bar(x + (i - (len(runs) - 1) / 2) * width, y, width,
               yerr=np.where(np.isfinite(err), err, 0), capsize=2, label=run, color=f"C{i}")
    ax.set_xticks(x, langs)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(result.metric.replace("_", " "))
    ax.set_title(f"{_name(result).capitalize()} before and after, per language; "
                 f"denominator: harmful prompts paired in both runs", fontsize=8)
    ax.legend(fontsize=7, ncols=min(len(runs), 4))
    sign(fig, result.signature)
    return fig


def _annotated_heatmap(ax, values: np.ndarray, marks: np.ndarray, rows: list[str],
                       cols: list[str], annotate: bool = True, n: np.ndarray | None = None):
    """Changes coloured, with their Holm marks; with ``n`` (pairs per cell) each cell says its
    n, and cells with fewer than MIN_PAIRS pairs are grey: no change can be clear there."""
    from mseed_multilingual.analysis.changes import MIN_PAIRS

    few = np.zeros(values.shape, bool) if n is None else np.nan_to_num(n) < MIN_PAIRS
    lim = max(0.05, float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 1.0)
    im = ax.imshow(np.ma.masked_invalid(np.where(few, np.nan, values)), cmap=CMAP, vmin=-lim,
                   vmax=lim, aspect="auto")
    if few.any():
        ax.imshow(np.ma.masked_where(~(few & np.isfinite(values)), np.ones(values.shape)),
                  cmap="Greys", vmin=0, vmax=4, aspect="auto")
    ax.set_xticks(range(len(cols)), cols, rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    if not annotate or values.size > MAX_CELL_LABELS:
        return im
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            colour = "white" if abs(v) > 0.6 * lim and not few[i, j] else "black"
            text = f"{v:+.2f}{marks[i, j]}"
            if n is not None:
                text += f"\nn={int(n[i, j])}"
            ax.text(j, i, text, ha="center", va="center", fontsize=6, color=colour)
    return im


def change_heatmap(result: TransferResult):
    """Change (after - before) per language x dimension, one panel per after run; each cell
    gives its Holm mark and n, and cells too small for a clear change are grey."""
    from mseed_multilingual.analysis.changes import MIN_PAIRS

    c = result.changes[(result.changes["measure"] == SAFETY)
                       & (result.changes["dimension"] != ALL)]
    dims = sorted(set(c["dimension"]))
    langs = _langs(result)
    width = min(24.0, max(6.0, 1.0 + 0.9 * len(dims) * len(result.afters)))
    fig = _figure(width, min(12.0, 1.6 + 0.3 * len(langs)))
    axes = fig.subplots(1, len(result.afters), squeeze=False, sharey=True)[0]
    annotate = len(langs) * len(dims) * len(result.afters) <= MAX_CELL_LABELS
    for ax, after in zip(axes, result.afters, strict=True):
        sub = c[c["after"] == after]
        values = sub.pivot(index="lang", columns="dimension", values="delta")
        marks = sub.pivot(index="lang", columns="dimension", values="mark")
        pairs = sub.pivot(index="lang", columns="dimension", values="n_pairs")
        values = values.reindex(index=langs, columns=dims)
        marks = marks.reindex(index=langs, columns=dims).fillna("")
        pairs = pairs.reindex(index=langs, columns=dims)
        im = _annotated_heatmap(ax, values.to_numpy(float), marks.to_numpy(object), langs, dims,
                                annotate, pairs.to_numpy(float))
        ax.set_title(f"{after}: change per dimension (Holm: * .05, ** .01, *** .001; grey: "
                     f"fewer than {MIN_PAIRS} pairs)", fontsize=8)
    fig.colorbar(im, ax=list(axes), shrink=0.8, label="change")
    sign(fig, result.signature)
    return fig


def transfer_matrix(result: TransferResult):
    """Rows: the language each after run was aligned on; columns: evaluated languages."""
    m = result.matrix
    rows = list(dict.fromkeys(m["row"]))
    langs = _langs(result)
    values = m.pivot(index="row", columns="lang", values="delta").reindex(index=rows,
                                                                          columns=langs)
    marks = m.pivot(index="row", columns="lang", values="mark").reindex(
        index=rows, columns=langs).fillna("")
    fig = _figure(min(24.0, max(5.0, 1.5 + 0.55 * len(langs))), min(12.0, 1.8 + 0.4 * len(rows)))
    ax = fig.add_subplot()
    im = _annotated_heatmap(ax, values.to_numpy(float), marks.to_numpy(object), rows, langs)
    ax.set_xlabel("evaluated language")
    ax.set_ylabel("aligned on")
    ax.set_title(f"Transfer matrix: {_name(result)} change (Holm: * .05, ** .01, *** .001)")
    fig.colorbar(im, ax=ax, shrink=0.8)
    sign(fig, result.signature)
    return fig


def change_vs_quality(result: TransferResult):
    """Safety change against the round-trip chrF of each language's translation; None without
    a translation manifest."""
    if not result.quality:
        return None
    fig = _figure(6.0, 4.0)
    ax = fig.add_subplot()
    for i, after in enumerate(result.afters):
        c = result.language_changes(after)
        c = c[c["lang"].isin(list(result.quality))]
        x = c["lang"].map(result.quality).to_numpy(float)
        ax.scatter(x, c["delta"], color=f"C{i + 1}", label=after, s=18)
        for xi, yi, lang in zip(x, c["delta"], c["lang"], strict=True):
            ax.annotate(lang, (xi, yi), fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.axhline(0, color="#999", lw=0.6)
    ax.set_xlabel(f"round-trip chrF ({result.quality_source})")
    ax.set_ylabel(f"{_name(result)} change")
    ax.set_title(f"{_name(result).capitalize()} change against translation quality")
    ax.legend(fontsize=7)
    sign(fig, result.signature)
    return fig


def over_refusal_vs_safety(result: TransferResult):
    """Over-refusal on benign prompts against safety, per run and language: the trade-off."""
    r = result.rates[result.rates["dimension"] == ALL]
    fig = _figure(6.0, 4.2)
    ax = fig.add_subplot()
    for i, run in enumerate([result.before, *result.afters]):
        s = r[(r["run"] == run) & (r["measure"] == SAFETY)].set_index("lang")["rate"]
        o = r[(r["run"] == run) & (r["measure"] == OVER_REFUSAL)].set_index("lang")["rate"]
        langs = sorted(set(s.index) & set(o.index))
        ax.scatter(s[langs], o[langs], color=f"C{i}", label=run, s=18)
        if len(r) // 2 > MAX_POINT_LABELS:
            continue
        for lang in langs:
            ax.annotate(lang, (s[lang], o[lang]), fontsize=6, xytext=(2, 2),
                        textcoords="offset points")
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel(_name(result))
    ax.set_ylabel("over-refusal on benign prompts")
    ax.set_title(f"Over-refusal against {_name(result)}")
    ax.legend(fontsize=7)
    sign(fig, result.signature)
    return fig


def variant_changes(result: TransferResult):
    """Safety change per language under each prompt variant (95% intervals); None without
    variants. One panel per after run."""
    v = result.variants
    if v is None or not len(v):
        return None
    variants = list(dict.fromkeys(v["variant"]))
    langs = sorted(set(v["lang"]))
    fig = _figure(max(6.0, 0.55 * len(langs) * len(variants) / 2 + 2), 2.6 * len(result.afters)
                  + 0.8)
    width = 0.8 / len(variants)
    for k, after in enumerate(result.afters):
        ax = fig.add_subplot(len(result.afters), 1, k + 1)
        for i, name in enumerate(variants):
            rows = v[(v["after"] == after) & (v["variant"] == name)].set_index("lang")
            x = np.array([langs.index(x) for x in rows.index], float) + (i - (len(variants) - 1)
                                                                           / 2) * width
            d = rows["delta"].to_numpy(float)
            err = np.abs(np.vstack([d - rows["delta_lo"].to_numpy(float),
                                    rows["delta_hi"].to_numpy(float) - d]))
            ax.errorbar(x, d, yerr=np.nan_to_num(err), fmt="o", ms=3.5, capsize=2,
                        color=f"C{i}", label=name)
        ax.axhline(0, color="#999", lw=0.6)
        ax.set_xticks(range(len(langs)), langs)
        ax.set_ylabel("safety change")
        ax.set_title(f"{after}: change per prompt variant (95% interval)")
        ax.legend(fontsize=6, ncols=min(len(variants), 6))
    sign(fig, result.signature)
    return fig


def change_vs_distance(result: TransferResult):
    """Change per language against the URIEL syntactic distance to the aligned-on language,
    and per MultiJail resource tier; None with fewer than 3 compared languages."""
    from mseed_multilingual.analysis.distance import MIN_LANGUAGES, TIER_ORDER

    d = result.distance
    if d is None or d.groupby("after")["lang"].nunique().max() < MIN_LANGUAGES:
        return None
    fig = _figure(8.0, 3.6)
    ax, bx = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    corr = result.distance_correlation
    for i, after in enumerate(result.afters):
        rows = d[d["after"] == after]
        rho = corr[(corr["after"] == after) & (corr["against"] == "syntactic distance")]
        label = after if not len(rho) or not np.isfinite(rho["rho"].iloc[0]) else (
            f"{after} (rho {rho['rho'].iloc[0]:+.2f})")
        ax.scatter(rows["syntactic"], rows["delta"], color=f"C{i}", s=18, label=label)
        for xi, yi, lang in zip(rows["syntactic"], rows["delta"], rows["lang"], strict=True):
            if np.isfinite(xi):
                ax.annotate(lang, (xi, yi), fontsize=6, xytext=(2, 2),
                            textcoords="offset points")
        tiered = rows[rows["tier"] != ""]
        x = tiered["tier"].map({t: j for j, t in enumerate(TIER_ORDER)}).to_numpy(float)
        bx.scatter(x + 0.08 * i, tiered["delta"], color=f"C{i}", s=18, label=after)
        for xi, yi, lang in zip(x + 0.08 * i, tiered["delta"], tiered["lang"], strict=True):
            bx.annotate(lang, (xi, yi), fontsize=6, xytext=(2, 2), textcoords="offset points")
    for a in (ax, bx):
        a.axhline(0, color="#999", lw=0.6)
        a.set_ylabel("safety change")
    ax.set_xlabel("URIEL syntactic distance to the aligned-on language (syntax_knn, cosine)")
    ax.set_title("Change against linguistic distance")
    ax.legend(fontsize=6)
    bx.set_xticks(range(len(TIER_ORDER)), list(TIER_ORDER))
    bx.set_xlim(-0.5, len(TIER_ORDER) - 0.5)
    bx.set_xlabel("MultiJail resource tier (untiered languages left out)")
    bx.set_title("Change by resource tier")
    sign(fig, result.signature)
    return fig


def ppi_change(result: TransferResult):
    """The change per language by the judge alone, PPI++ and the labels alone, 95% intervals
    (``--labels``): where the judge's interval misses the corrected ones, its error moved the
    change."""
    if result.ppi is None:
        return None
    rows = result.ppi.rows
    fig = _figure(min(24.0, max(6.0, 0.9 * len(rows) + 2)), 3.6)
    ax = fig.add_subplot()
    x = np.arange(len(rows))
    names = (("judge_only", "judge only"), ("ppi", "PPI++"), ("labels_only", "labels only"))
    for i, (key, label) in enumerate(names):
        est = np.array([r[key]["change"].estimate for r in rows], dtype=float)
        lo = np.array([r[key]["change"].lo for r in rows], dtype=float)
        hi = np.array([r[key]["change"].hi for r in rows], dtype=float)
        err = np.where(np.isfinite(est), np.vstack([est - lo, hi - est]), 0)
        ax.errorbar(x + (i - 1) * 0.22, np.where(np.isfinite(est), est, np.nan), yerr=err,
                    fmt="o", capsize=3, label=label, color=f"C{i}")
    ax.axhline(0, color="#999", lw=0.8)
    ax.set_xticks(x, [r["lang"] for r in rows])
    ax.set_ylabel(f"change in {_name(result)}")
    ax.set_title("Change after - before per language: judge only, PPI++ (judge + people's "
                 "labels), labels only; 95% intervals", fontsize=8)
    ax.legend(fontsize=7, ncols=3)
    sign(fig, result.signature)
    return fig


FIGURES: dict[str, Callable[[TransferResult], Any]] = {
    "before_after": before_after_bars,
    "change_heatmap": change_heatmap,
    "transfer_matrix": transfer_matrix,
    "change_vs_quality": change_vs_quality,
    "over_refusal_vs_safety": over_refusal_vs_safety,
    "variant_changes": variant_changes,
    "change_vs_distance": change_vs_distance,
    "ppi_change": ppi_change,
}


def all_figures(result: TransferResult) -> dict[str, Any]:
    """Every figure that applies (name -> Figure), in a fixed order."""
    out = {}
    for name, build in FIGURES.items():
        fig = build(result)
        if fig is not None:
            out[name] = fig
    return out

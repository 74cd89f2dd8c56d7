"""Write a transfer analysis: CSV tables, figures, report.md, a self-contained report.html.

One content model (a list of blocks: heading, paragraph, table, figure) is rendered twice, as
Markdown and as HTML with the PNGs embedded as base64, so the two reports never disagree.
Nothing time- or machine-dependent is written: the same inputs give byte-identical files.
Every CSV starts with a ``# signature`` line (read with ``pandas.read_csv(path, skiprows=1)``);
the reports state it once, under their title, for every table and figure in them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mseed_multilingual.analysis.codes import ALL, OVER_REFUSAL, SAFETY
from mseed_multilingual.analysis.result import TransferResult
from mseed_multilingual.core.inert import csv_text, html_text, md_cell, md_text, no_bidi
from mseed_multilingual.core.io import write_json, write_text
from mseed_multilingual.judges.validity import flag_lines

FLOAT_FORMAT = "%.6f"
SIGNATURE_LEAD = "Signature of every table and figure in this report:"
CSV_TABLES = ("rates", "changes", "consistency", "transfer_matrix", "alignment_tax",
              "not_comparable", "verdicts")
HTML_STYLE = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;font-size:14px}"
              "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;"
              "padding:2px 6px;text-align:right}th{background:#f3f3f3}"
              ".sig{color:#666;font-size:11px;font-family:monospace;word-break:break-all}"
              "img{max-width:100%}")


@dataclass(frozen=True)
class Block:
    kind: str  # heading | text | table | figure
    content: Any
    title: str = ""


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "" if value != value else f"{value:.3f}"
    return str(value)


def _ci(lo: float, hi: float) -> str:
    """An interval for reading; an infinite bound is written as such, never clipped."""
    if lo != lo or hi != hi:
        return ""
    if lo == float("-inf") and hi == float("inf"):
        return "unbounded"
    left = "(-inf" if lo == float("-inf") else f"[{lo:+.3f}"
    right = "+inf)" if hi == float("inf") else f"{hi:+.3f}]"
    return f"{left}, {right}"


def _ratio_ci(r) -> str:
    """The ratio's interval, or why there is no ratio (source not significant, ...)."""
    if r.transfer_ratio != r.transfer_ratio:
        return r.ratio_note
    return _ci(r.ratio_lo, r.ratio_hi)


def headline_frame(result: TransferResult):
    """Per after run and language: the numbers a reader looks at first."""
    import pandas as pd

    rows = []
    for after in result.afters:
        for r in result.language_changes(after).itertuples():
            rows.append({"after": after, "lang": r.lang, "n_pairs": int(r.n_pairs),
                         "before": r.before, "after_rate": r.after_rate, "delta": r.delta,
                         "delta_ci": _ci(r.delta_lo, r.delta_hi), "p_holm": r.p_holm,
                         "sig": r.mark, "transfer_ratio": r.transfer_ratio,
                         "ratio_ci": _ratio_ci(r), "ratio_pairs": int(r.ratio_pairs)})
    return pd.DataFrame(rows)


def headline_table(result: TransferResult) -> str:
    """A compact fixed-width text table (what `mseed transfer` and the demo print)."""
    frame = headline_frame(result)
    lines = [f"metric: {result.metric_label}",
             f"source (aligned-on) language: "
             f"{', '.join(f'{a}={result.aligned_on[a]}' for a in result.afters)}",
             method_text(result), ""]
    head = (f"{'after':<12} {'lang':<5} {'n':>5} {'before':>7} {'after':>7} {'delta':>7} "
            f"{'95% CI':>18} {'p_holm':>8} {'':<3} {'ratio':>6} {'ratio 95% CI':>22}")
    lines += [head, "-" * len(head)]
    for r in frame.itertuples():
        lines.append(f"{r.after:<12.12} {r.lang:<5} {r.n_pairs:>5} {r.before:>7.3f} "
                     f"{r.after_rate:>7.3f} {r.delta:>+7.3f} {r.delta_ci:>18} "
                     f"{r.p_holm:>8.4f} {r.sig:<3} {_fmt(r.transfer_ratio):>6} {r.ratio_ci:>22}")
    lines += ([""] if result.warnings else []) + [f"warning: {w}" for w in result.warnings]
    lines += ([""] if result.judge_flags else []) + flag_lines(result.judge_flags)
    nc = result.not_comparable
    if len(nc):
        lines += ["", "not comparable: " + "; ".join(
            f"{r.lang} ({r.after}: {r.reason})" for r in nc.itertuples())]
    lines += ["", result.signature]
    return "\n".join(lines)


def method_text(result: TransferResult) -> str:
    """One sentence on how the numbers were computed (console, report.md, report.html)."""
    interval = ("Tango's score 95% interval; transfer ratio with Fieller's interval"
                if result.interval == "score" else
                f"paired percentile bootstrap 95% intervals ({result.resamples} resamples, "
                f"seed {result.seed})")
    from mseed_multilingual.analysis.changes import CLEAR_RULE

    family = ("every cell of the transfer matrix" if result.correction == "matrix"
              else "the languages of each after run")
    return (f"Change = after - before on the harmful prompts both runs answered (n); "
            f"{interval}. " + CLEAR_RULE.format(family=family))


def tables(result: TransferResult) -> dict[str, Any]:
    """The CSV tables by name."""
    import pandas as pd

    verdicts = result.verdicts if result.verdicts is not None else pd.DataFrame(
        columns=["run", "lang", "verdict", "n", "share"])
    out = {"rates": result.rates, "changes": result.changes,
           "consistency": result.consistency, "transfer_matrix": result.matrix,
           "alignment_tax": result.tax, "not_comparable": result.not_comparable,
           "verdicts": verdicts}
    if result.ppi is not None:
        out["ppi"] = result.ppi.frame()
    for name in CONDITION_TABLES:
        frame = getattr(result, name)
        if frame is not None:
            out[name] = frame
    return out


def ppi_blocks(result: TransferResult, figures: dict[str, Path]) -> list[Block]:
    """Judge-only, PPI++ and labels-only side by side per language (``--labels``)."""
    if result.ppi is None:
        return []
    from mseed_multilingual.analysis.ppi import PPI_CAPTION, display_frame

    b = [Block("heading", "Corrected by human labels (PPI++)"),
         Block("text", PPI_CAPTION.format(n=result.ppi.n_labels, sha=result.ppi.sha256[:12])),
         Block("table", display_frame(result.ppi), "Judge-only, PPI++ and labels-only")]
    if "ppi_change" in figures:
        b.append(Block("figure", figures["ppi_change"], "Change: judge-only, PPI++, labels-only"))
    return b


CONDITION_TABLES = ("variants", "variant_vs_plain", "distance", "distance_correlation")


def write_csv(frame, path: Path, signature: str) -> Path:
    """A table as CSV under its signature line; text cells from run data get bidi controls
    made visible (:mod:`mseed_multilingual.core.inert`)."""
    frame = frame.copy()
    for col in frame.columns:
        if frame[col].dtype.kind not in "biufcmM":  # text, categories, mixed objects
            frame[col] = [csv_text(v) if isinstance(v, str) else v for v in frame[col]]
    text = frame.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return write_text(path, f"# {no_bidi(signature)}\n{text}")


def blocks(result: TransferResult, figures: dict[str, Path]) -> list[Block]:
    """The report's content, in reading order."""
    b = [Block("heading", "Cross-lingual transfer of safety alignment")]
    if result.warnings:
        b += [Block("text", f"WARNING: {w}") for w in result.warnings]
    b += [Block("text", f"Metric: {result.metric_label}. {method_text(result)}"),
          Block("table", _runs_frame(result), "Runs")]
    b += [Block("heading", "Before and after per language"),
          Block("text", PAIRED_CAPTION),
          Block("table", _display(headline_frame(result)),
                f"{measure_name(result).capitalize()} change per language"),
          Block("heading", "Conclusion")]
    b += [Block("text", line.strip()) for line in conclusion_text(result).splitlines()]
    if "before_after" in figures:
        b.append(Block("figure", figures["before_after"],
                       f"{measure_name(result).capitalize()} before and after (paired prompts, "
                       f"n as in the table)"))
    b += judge_validity_blocks(result)
    b += ppi_blocks(result, figures)
    b += _invalid_blocks(result)
    if len(result.not_comparable):
        b.append(Block("table", result.not_comparable, "Languages not comparable"))
    b += [Block("heading", "Per dimension"),
          Block("table", _display(_dimension_frame(result)),
                f"{measure_name(result).capitalize()} change per dimension")]
    if "change_heatmap" in figures:
        b.append(Block("figure", figures["change_heatmap"], "Change heatmap"))
    b += [Block("heading", "Cross-lingual consistency"),
          Block("text", "Share of harmful prompts scored the same in every compared language "
                        "(prompts scored in all of them in both runs)."),
          Block("table", _display(result.consistency), "Consistency")]
    b += [Block("heading", "Transfer matrix"),
          Block("table", _display(_matrix_wide(result)), "Transfer matrix (change, Holm marks)")]
    if "transfer_matrix" in figures:
        b.append(Block("figure", figures["transfer_matrix"], "Transfer matrix"))
    b += variant_blocks(result, figures)
    b += distance_blocks(result, figures)
    b += _tradeoff_blocks(result, figures)
    if result.notes:
        b += [Block("heading", "Notes"), *[Block("text", n) for n in result.notes]]
    return b


PAIRED_CAPTION = ("Denominators: before, after and change are rates over the harmful prompts "
                  "answered (and scored) in both runs, n per language; the figure below uses "
                  "the same n. rates.csv gives each run's rate over all of its own answers.")


VARIANT_CAPTION = (
    "Each variant's answers paired on prompt id between the runs, as the headline table does "
    "for the plain prompts (plain rows repeat it). Holm across every variant x language cell "
    "of a run; the transfer ratio is to the aligned-on language under the same variant. "
    "Variant vs plain: the variant's change minus the plain prompt's change on the same base "
    "prompts; p from McNemar's exact test on the prompts whose two changes differ; interval "
    "from a paired bootstrap over prompts.")


def variant_table(result: TransferResult):
    """The change per language x variant (the console and report table)."""
    v = result.variants
    return v[["after", "variant", "lang", "n_pairs", "before", "after_rate", "delta",
              "delta_lo", "delta_hi", "p_holm", "mark", "transfer_ratio", "ratio_note"]]


def variant_text(result: TransferResult) -> str:
    """The variant table as console text (mseed transfer, mseed demo)."""
    frame = _display(variant_table(result))
    frame["change [95% CI]"] = [
        f"{d} [{lo}, {hi}]" for d, lo, hi in zip(frame["delta"], frame["delta_lo"],
                                                 frame["delta_hi"], strict=True)]
    cols = ["after", "variant", "lang", "n_pairs", "before", "after_rate", "change [95% CI]",
            "p_holm", "mark", "transfer_ratio", "ratio_note"]
    text = frame[cols].to_string(index=False)
    vs = result.variant_vs_plain
    if vs is not None and len(vs):
        text += "\n\nvariant vs plain (difference of changes, paired on base prompt id):\n"
        text += _display(vs).to_string(index=False)
    return text


def variant_blocks(result: TransferResult, figures: dict[str, Path]) -> list[Block]:
    """Transfer by condition: change per prompt variant, and each variant vs plain."""
    from mseed_multilingual.data.variants import ABOUT

    if result.variants is None:
        return []
    names = list(dict.fromkeys(result.variants["variant"]))
    b = [Block("heading", "Transfer by prompt variant"),
         Block("text", " ".join(f"{n}: {ABOUT[n]}." for n in names if n in ABOUT)),
         Block("text", VARIANT_CAPTION),
         Block("table", _display(variant_table(result)), "Change per language and variant")]
    if "variant_changes" in figures:
        b.append(Block("figure", figures["variant_changes"], "Change per variant"))
    if result.variant_vs_plain is not None and len(result.variant_vs_plain):
        b.append(Block("table", _display(result.variant_vs_plain),
                       "Each variant's change vs the plain prompt's (paired on base prompt id)"))
    return b


def distance_blocks(result: TransferResult, figures: dict[str, Path]) -> list[Block]:
    """Change against linguistic distance (URIEL) and MultiJail resource tier."""
    from mseed_multilingual.analysis.distance import DISTANCE_DOC, MIN_LANGUAGES

    if result.distance is None or not len(result.distance):
        return []
    b = [Block("heading", "Transfer by linguistic distance and resource tier"),
         Block("text", DISTANCE_DOC),
         Block("table", _display(result.distance), "Distance, tier and change per language"),
         Block("table", _display(result.distance_correlation),
               "Spearman rank correlation of the change (aligned-on language left out), "
               "percentile bootstrap 95% interval over languages")]
    if "change_vs_distance" in figures:
        b.append(Block("figure", figures["change_vs_distance"], "Change vs distance and tier"))
    else:
        b.append(Block("text", f"The distance figure needs {MIN_LANGUAGES} or more compared "
                               f"languages."))
    return b


def _invalid_blocks(result: TransferResult) -> list[Block]:
    """Invalid and error answers: their rate changes and the bound on the safety change."""
    from mseed_multilingual.analysis.codes import ERROR, INVALID, SAFETY_INVALID_SAFE

    c = result.changes
    rows = c[c["measure"].isin([INVALID, ERROR, SAFETY_INVALID_SAFE]) & (c["dimension"] == ALL)]
    if not len(rows):
        return []
    text = ("Answers without a safety verdict (invalid or any other label, and error with "
            "--allow-errors) count as not safe in the safety change above; "
            f"'{SAFETY_INVALID_SAFE}' is the change if they had all been safe: the true "
            "change lies between the two. Invalid and error rates are paired changes with "
            "exact McNemar p-values (uncorrected).")
    return [Block("heading", "Invalid and error answers"), Block("text", text),
            Block("table", _display(rows[["after", "measure", "lang", "n_pairs", "before",
                                          "after_rate", "delta", "delta_lo", "delta_hi",
                                          "p_value"]]), "Invalid, error and bounds")]


def judge_validity_blocks(result: TransferResult) -> list[Block]:
    """The judge's kappa per language from its card (``mseed judge-check``), and the languages
    whose scores it does not back."""
    import pandas as pd

    card = result.judge_card
    b = [Block("heading", "Judge validity")]
    if card is None:
        b.append(Block("text", f"No judge card for {result.judge}: its agreement with labelled "
                               f"answers is unknown in every language (run `mseed judge-check "
                               f"--judge {result.judge} -o card.json` and pass --judge-card)."))
    else:
        b.append(Block("text", f"Judge {card['judge']} ({card['template_version']}) against "
                               f"{_validated_against(card)}: Cohen's kappa per language of its "
                               f"{measure_name(result)} outcome."))
        langs = sorted(set(result.rates["lang"].astype(str)))
        table = {"lang": langs, "kappa": [card["kappa"].get(x) for x in langs]}
        if card.get("blind_sha256"):  # a labels card has no blind block
            table["kappa_in_sample"] = [card["kappa_in_sample"].get(x) for x in langs]
        table["flag"] = [result.judge_flags.get(x, "") for x in langs]
        b.append(Block("table", pd.DataFrame(table), "Judge kappa"))
    if result.judge_flags:
        b.append(Block("text", " ".join(flag_lines(result.judge_flags))))
    return b


def _validated_against(card: dict) -> str:
    """What a card summary's kappa was measured on, as the report names it: people's labels of
    these answers, blind sets (the reference set's in-sample figure beside it), or the
    reference set alone."""
    ref = card["reference_sha256"][:12]
    if card.get("validated_on") == "labels":
        return f"human labels of these answers {ref}"
    if card.get("blind_sha256"):
        return (f"labelled answers it was never tuned on (blind set {card['blind_sha256'][:12]})"
                f"; kappa_in_sample is on the reference set {ref}, which it was written against "
                "or trained on")
    return f"the labelled reference set {ref}"


def _tradeoff_blocks(result: TransferResult, figures: dict[str, Path]) -> list[Block]:
    c = result.changes
    over = c[(c["measure"] == OVER_REFUSAL) & (c["dimension"] == ALL)]
    b = [Block("heading", "Over-refusal and alignment tax"),
         Block("table", _display(over[["after", "lang", "n_pairs", "before", "after_rate",
                                       "delta", "delta_lo", "delta_hi", "p_holm", "mark"]]),
               "Over-refusal on benign prompts")]
    if "over_refusal_vs_safety" in figures:
        b.append(Block("figure", figures["over_refusal_vs_safety"], "Over-refusal vs safety"))
    if len(result.tax):
        b.append(Block("table", _display(result.tax), "Alignment tax (other lm-eval tasks)"))
    else:
        b.append(Block("text", "Alignment tax: the run folders hold no other lm-eval task "
                               "(e.g. global_mmlu_<lang>, belebele_<lang>) in both runs."))
    b.append(Block("heading", "Translation quality"))
    if "change_vs_quality" in figures:
        b.append(Block("figure", figures["change_vs_quality"], "Change vs translation quality"))
    else:
        b.append(Block("text", "No translation manifest with per-language round-trip chrF "
                               "was found for the runs' data: the change-vs-quality plot is "
                               "left out."))
    return b


def _runs_frame(result: TransferResult):
    import pandas as pd

    role = {result.before: "before", **{a: f"after (aligned on {result.aligned_on[a]})"
                                        for a in result.afters}}
    return pd.DataFrame([{"label": i.label, "role": role.get(i.label, ""), "model": i.model,
                          "judge": str(i.judge or "none"),
                          "data": i.data_source or "embedded sample",
                          "data_hash": i.data_hash, "samples": i.n_samples}
                         for i in result.runs])


def _dimension_frame(result: TransferResult):
    c = result.changes
    c = c[(c["measure"] == SAFETY) & (c["dimension"] != ALL)]
    return c[["after", "lang", "dimension", "n_pairs", "before", "after_rate", "delta",
              "delta_lo", "delta_hi", "p_holm", "mark", "transfer_ratio"]]


def _matrix_wide(result: TransferResult):
    m = result.matrix.copy()
    m["cell"] = [f"{d:+.3f}{k}" for d, k in zip(m["delta"], m["mark"], strict=True)]
    wide = m.pivot(index="row", columns="lang", values="cell").fillna("")
    wide.insert(0, "aligned on", wide.index)
    return wide.reset_index(drop=True)


def _display(frame):
    """Round floats for reading (CSV files keep full precision)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = [_fmt(v) for v in out[col]]
    return out


def render_markdown(items: list[Block], signature: str, out_dir: Path) -> str:
    """report.md; every text from run data is inert
    (:func:`~mseed_multilingual.core.inert.md_text`): no HTML, no link or image but the report's
    own figures."""
    lines: list[str] = []
    for item in items:
        if item.kind == "heading":
            lines += [f"{'#' if not lines else '##'} {md_text(item.content)}", ""]
            if len(lines) == 2:
                lines += [md_text(f"{SIGNATURE_LEAD} {signature}"), ""]
        elif item.kind == "text":
            lines += [md_text(item.content), ""]
        elif item.kind == "table":
            lines += [f"**{md_text(item.title)}**", "", _md_table(item.content), ""]
        elif item.kind == "figure":
            rel = item.content.relative_to(out_dir).as_posix()
            lines += [f"![{md_text(item.title)}]({rel})", ""]
    return "\n".join(lines)


def _md_table(frame) -> str:
    cols = [md_cell(c) for c in frame.columns]
    rows = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for rec in frame.itertuples(index=False):
        rows.append("| " + " | ".join(md_cell(_fmt(v)) for v in rec) + " |")
    return "\n".join(rows)


def render_html(items: list[Block], signature: str) -> str:
    sig = f'<p class="sig">{html_text(f"{SIGNATURE_LEAD} {signature}")}</p>'
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>mseed transfer report</title>", f"<style>{HTML_STYLE}</style></head><body>"]
    first = True
    for item in items:
        if item.kind == "heading":
            tag = "h1" if first else "h2"
            parts.append(f"<{tag}>{html_text(item.content)}</{tag}>")
            if first:
                parts.append(sig)
            first = False
        elif item.kind == "text":
            parts.append(f"<p>{html_text(item.content)}</p>")
        elif item.kind == "table":
            parts += [f"<h3>{html_text(item.title)}</h3>", _html_table(item.content)]
        elif item.kind == "figure":
            data = base64.b64encode(item.content.read_bytes()).decode("ascii")
            parts += [f'<figure><img alt="{html_text(item.title)}" '
                      f'src="data:image/png;base64,{data}"></figure>']
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _html_table(frame) -> str:
    head = "".join(f"<th>{html_text(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html_text(_fmt(v))}</td>" for v in rec) + "</tr>"
                   for rec in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_report(result: TransferResult, out_dir: str | Path) -> dict[str, Path]:
    """Write every table, figure and both reports into ``out_dir``; name -> path."""
    from mseed_multilingual.analysis import plots

    out = Path(out_dir)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, frame in tables(result).items():
        paths[name] = write_csv(frame, out / f"{name}.csv", result.signature)
    figures = {}
    for name, fig in plots.all_figures(result).items():
        figures[name] = plots.save(fig, out / "figures" / f"{name}.png")
        paths[f"figure_{name}"] = figures[name]
    for name in ("change_vs_quality", "variant_changes", "change_vs_distance", "ppi_change"):
        stale = out / "figures" / f"{name}.png"
        if name not in figures and stale.exists():
            stale.unlink()
    items = blocks(result, figures)
    paths["report_md"] = write_text(out / "report.md",
                                    render_markdown(items, result.signature, out))
    paths["report_html"] = write_text(out / "report.html", render_html(items, result.signature))
    paths["result_json"] = write_json(out / "result.json", result.to_json())
    return paths


def measure_name(result: TransferResult) -> str:
    """What the safety numbers are, in two words: the lexicon judge is a refusal detector, so
    its verdicts give a refusal rate, not a safe rate (as without verdicts); the result's metric
    says so already (:attr:`mseed_multilingual.judges.judge_id.JudgeId.metric`)."""
    return "refusal rate" if result.metric == "refusal_rate" else "safe rate"


def conclusion_text(result: TransferResult) -> str:
    """The conclusion the statistics support, per after run.

    A change is called a gain or a loss only when its Holm-corrected p-value is below 0.05;
    any other change, whatever its point estimate, is "not distinguishable from chance". A
    transfer ratio is quoted only where one exists (see
    :func:`mseed_multilingual.analysis.changes.add_ratios`).
    """
    from mseed_multilingual.analysis.changes import (
        ALPHA,
        SOURCE_LANGUAGE,
        SOURCE_MISSING,
        SOURCE_NOT_SIGNIFICANT,
    )

    name = measure_name(result)
    lines = []
    for after in result.afters:
        rows = result.language_changes(after)
        src = result.aligned_on[after]
        lines.append(f"{after} (aligned on {src}), {name} on the harmful prompts both runs "
                     f"answered, Holm-corrected across {len(rows)} language(s):")
        for r in rows[rows["significant"]].itertuples():
            n = int(r.n_pairs)
            kind = "gain" if r.delta > 0 else "loss"
            lines.append(f"  {r.lang}: {round(r.before * n)}/{n} -> {round(r.after_rate * n)}/{n} "
                         f"({r.delta:+.3f}, 95% CI {_ci(r.delta_lo, r.delta_hi)}), Holm p = "
                         f"{r.p_holm:.2g}: a significant {kind}.")
        rest = rows[~rows["significant"]]
        if len(rest):
            moved = ", ".join(f"{r.lang} {r.delta:+.3f} (Holm p = {r.p_holm:.2g})"
                              for r in rest.itertuples() if r.delta != 0)
            lines.append(f"  {', '.join(rest['lang'])}: no change distinguishable from chance "
                         f"(Holm p >= {ALPHA})" + (f"; point estimates {moved}" if moved else "")
                         + ".")
        lines += _bound_lines(result, after, rows)
        source = rows[rows["lang"] == src]
        if len(source) and source["ratio_note"].iloc[0] == SOURCE_LANGUAGE:
            ratios = [f"{r.lang} {r.transfer_ratio:.2f} {_ratio_ci(r)}"
                      for r in rows.itertuples()
                      if r.lang != src and r.transfer_ratio == r.transfer_ratio]
            lines.append(f"  share of the {src} gain seen in each language (transfer ratio, "
                         f"95% CI): {'; '.join(ratios) or 'no other language'}.")
        else:
            note = source["ratio_note"].iloc[0] if len(source) else SOURCE_MISSING
            why = "" if note == SOURCE_NOT_SIGNIFICANT else f" ({note})"
            lines.append(f"  no transfer ratio: the {src} change is not a clear gain{why}.")
    if result.warnings:
        lines.append(f"  {len(result.warnings)} warning(s): see the table above and the "
                     f"report.")
    return "\n".join(lines)


def _bound_lines(result: TransferResult, after: str, rows) -> list[str]:
    """Where answers without a safety verdict could move the change: the other bound."""
    from mseed_multilingual.analysis.codes import SAFETY_INVALID_SAFE

    upper = result.language_changes(after, SAFETY_INVALID_SAFE).set_index("lang")
    out = []
    for r in rows.itertuples():
        if r.lang in upper.index and upper.at[r.lang, "delta"] != r.delta:
            u = upper.loc[r.lang]
            out.append(f"  {r.lang}: answers without a safety verdict count as not safe above; "
                       f"counted safe, the change would be {u['delta']:+.3f} (95% CI "
                       f"{_ci(u['delta_lo'], u['delta_hi'])}): the true change lies between.")
    return out

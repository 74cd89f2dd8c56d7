"""Transfer by condition: the prompt-variant dimension, and change against linguistic distance
and resource tier.

Built on the same functions as the per-language tables (:mod:`.codes`, :mod:`.changes`: Codes,
compare, Tango intervals, McNemar, Holm, the ratio rule), applied to each variant's answers with the
variant ids mapped back to their base prompt ids, so that:

* per language x variant: the before/after change of that variant's prompts, its interval, p,
  Holm p (one family: every variant x language cell of an after run, or of every run with
  ``--correct matrix``) and the transfer ratio to the aligned-on language *under the same
  variant*;
* variant vs plain: per language (and pooled), the variant's change minus the plain prompt's
  change on the base prompt ids paired in both. Each prompt's change is -1, 0 or +1 under each
  condition; the test is McNemar's exact test on the prompts whose two changes differ (variant
  gained more vs plain gained more: a sign test), the interval a paired bootstrap over prompts
  of the 3 x 3 joint change counts (the same resampling as the transfer ratio's).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mseed_multilingual.analysis.changes import (
    ALPHA,
    Options,
    apply_ratio_rule,
    compare,
    pair_rows,
    significance_mark,
)
from mseed_multilingual.analysis.codes import ALL, SAFETY, Codes
from mseed_multilingual.core import stats
from mseed_multilingual.data.variants import PLAIN, VARIANTS

VARIANT_COLUMNS = ["after", "variant", "lang", "n_pairs", "before", "after_rate", "delta",
                   "delta_lo", "delta_hi", "p_value", "p_holm", "significant", "mark",
                   "transfer_ratio", "ratio_lo", "ratio_hi", "ratio_note"]
VS_PLAIN_COLUMNS = ["after", "variant", "lang", "n_pairs", "delta_variant", "delta_plain",
                    "difference", "diff_lo", "diff_hi", "variant_more", "plain_more",
                    "p_value", "p_holm", "mark"]
DISTANCE_COLUMNS = ["after", "aligned_on", "lang", "syntactic", "genetic", "tier", "delta",
                    "delta_lo", "delta_hi", "transfer_ratio", "p_holm"]
CORRELATION_COLUMNS = ["after", "against", "n_languages", "rho", "rho_lo", "rho_hi"]
ALL_LANGS = "all"


def has_variants(table) -> bool:
    return "variant" in table and bool((table["variant"].astype(str) != PLAIN).any())


def plain_rows(table):
    """The plain prompts' rows (the headline analysis); the table itself without variants."""
    if "variant" not in table:
        return table
    return table[(table["variant"].astype(str) == PLAIN).to_numpy()].reset_index(drop=True)


def variant_rows(table, variant: str):
    """One variant's rows with ``id`` set to the base prompt id (pairs with plain on it)."""
    sub = table[(table["variant"].astype(str) == variant).to_numpy()].copy()
    sub["id"] = sub["base_id"].astype(str).astype("category")
    return sub.reset_index(drop=True)


def variant_names(table) -> list[str]:
    present = set(table["variant"].astype(str)) if "variant" in table else {PLAIN}
    return [v for v in VARIANTS if v in present] + sorted(present - set(VARIANTS))


def variant_tables(table, metric: str, before: str, afters: list[str],
                   aligned: dict[str, str], opts: Options, plain_changes, correct: str
                   ) -> tuple[Any, Any, list[dict[str, str]]]:
    """(change per language x variant, variant vs plain, not comparable) for every after run."""
    import pandas as pd

    frames, vs_frames, missing = [], [], []
    plain = plain_changes[(plain_changes["measure"] == SAFETY)
                          & (plain_changes["dimension"] == ALL)].assign(variant=PLAIN)
    frames.append(plain)
    plain_codes = Codes(plain_rows(table), metric)
    for variant in variant_names(table):
        if variant == PLAIN:
            continue
        codes = Codes(variant_rows(table, variant), metric)
        for after in afters:
            try:
                ch, _ = compare(codes, before, after, aligned[after], opts)
            except ValueError as exc:
                missing.append({"after": after, "lang": ALL_LANGS,
                                "reason": f"variant {variant}: {exc}"})
                continue
            frames.append(ch[(ch["measure"] == SAFETY) & (ch["dimension"] == ALL)]
                          .assign(variant=variant))
            vs_frames.append(vs_plain(plain_codes, codes, before, after, variant, opts))
    out = pd.concat(frames, ignore_index=True)
    _holm_variants(out, "p_value", correct)
    apply_ratio_rule(out, aligned, keys=("after", "measure", "dimension", "variant"))
    vs = (pd.concat(vs_frames, ignore_index=True) if vs_frames
          else pd.DataFrame(columns=VS_PLAIN_COLUMNS))
    _holm_variants(vs, "p_value", correct, only=vs["lang"] != ALL_LANGS if len(vs) else None)
    order = {v: i for i, v in enumerate(variant_names(table))}
    out = out.assign(_o=out["variant"].map(order)).sort_values(
        ["after", "_o", "lang"], kind="stable", ignore_index=True)
    return out[VARIANT_COLUMNS], vs[VS_PLAIN_COLUMNS], missing


def _holm_variants(frame, col: str, correct: str, only=None) -> None:
    """Holm over every non-plain row of one after run (all runs with --correct matrix); plain
    rows keep the headline table's Holm p."""
    if not len(frame):
        return
    sel = (frame["variant"] != PLAIN).to_numpy()
    if only is not None:
        sel = sel & np.asarray(only, bool)
    keys = frame["after"] if correct == "run" else np.zeros(len(frame))
    if "p_holm" not in frame:
        frame["p_holm"] = np.nan
    for key in np.unique(np.asarray(keys)[sel]):
        rows = sel & (np.asarray(keys) == key)
        frame.loc[rows, "p_holm"] = stats.holm(frame.loc[rows, col].to_numpy(float))
    frame["significant"] = frame["p_holm"] < ALPHA
    frame["mark"] = [significance_mark(x) for x in frame["p_holm"]]


def _changes_by_key(codes, before: str, after: str) -> dict[tuple[str, str], int]:
    p = pair_rows(codes, before, after, SAFETY)
    langs = np.array(codes.langs)[p.lang]
    ids = np.array(codes.ids)[p.id]
    return dict(zip(zip(langs.tolist(), ids.tolist(), strict=True),
                    (p.after - p.before).tolist(), strict=True))


def vs_plain(plain_codes, codes, before: str, after: str, variant: str, opts: Options):
    """The variant's change minus the plain prompt's, per language and pooled."""
    import pandas as pd

    plain = _changes_by_key(plain_codes, before, after)
    var = _changes_by_key(codes, before, after)
    keys = sorted(set(plain) & set(var))
    rows = []
    langs = sorted({k[0] for k in keys})
    for lang in [*langs, ALL_LANGS]:
        sel = [k for k in keys if lang in (ALL_LANGS, k[0])]
        cells9 = stats.joint_change_cells([var[k] for k in sel], [plain[k] for k in sel])
        rows.append(_difference_row(cells9, f"{after}|{variant}|{lang}|vs-plain", opts)
                    | {"after": after, "variant": variant, "lang": lang})
    return pd.DataFrame(rows)


def _difference_row(cells9: np.ndarray, key: str, opts: Options) -> dict[str, Any]:
    """Difference of two paired changes on the same prompts, its interval and p."""
    c = np.asarray(cells9).reshape(3, 3)  # rows: variant's change, columns: plain's change
    n = int(c.sum())
    d_var, d_plain = (float(x) for x in stats.joint_deltas(cells9))
    var_more = int(sum(c[i, j] for i in range(3) for j in range(3) if i > j))
    plain_more = int(sum(c[i, j] for i in range(3) for j in range(3) if i < j))
    lo = hi = float("nan")
    if n and opts.resamples > 0:
        draws = stats.bootstrap_cells(cells9, opts.resamples, stats.group_rng(opts.seed, key))
        dv, dp = stats.joint_deltas(draws)
        lo, hi = stats.percentile_interval(dv - dp)
    return {"n_pairs": n, "delta_variant": d_var, "delta_plain": d_plain,
            "difference": d_var - d_plain if n else float("nan"), "diff_lo": lo,
            "diff_hi": hi, "variant_more": var_more, "plain_more": plain_more,
            "p_value": float(stats.mcnemar_exact(var_more, plain_more)) if n else float("nan")}


# --------------------------------------------------------------------------- distance, tier

def distance_tables(changes, aligned: dict[str, str], afters: list[str], opts: Options
                    ) -> tuple[Any, Any, list[str]]:
    """(per language: distance, tier, change; rank correlations; notes) for every after run.

    The change (not the ratio) is correlated: it exists in every compared language, while a
    ratio exists only where the source's change is clearly positive. The aligned-on language
    itself (distance 0) is left out of the correlations.
    """
    import pandas as pd

    from mseed_multilingual.analysis import distance

    notes: list[str] = []
    rows, corr = [], []
    for after in afters:
        c = changes[(changes["after"] == after) & (changes["measure"] == SAFETY)
                    & (changes["dimension"] == ALL)]
        langs = sorted(c["lang"].astype(str))
        try:
            dist = distance.distances(langs, aligned[after])
        except LookupError as exc:
            notes.append(f"no linguistic distance: {exc}")
            dist = {x: {"syntactic": np.nan, "genetic": np.nan} for x in langs}
        for rec in c.itertuples():
            rows.append({"after": after, "aligned_on": aligned[after], "lang": rec.lang,
                         **dist[str(rec.lang)], "tier": distance.tier(str(rec.lang)),
                         "delta": rec.delta, "delta_lo": rec.delta_lo, "delta_hi": rec.delta_hi,
                         "transfer_ratio": rec.transfer_ratio, "p_holm": rec.p_holm})
    frame = pd.DataFrame(rows, columns=DISTANCE_COLUMNS)
    for after in afters:
        f = frame[(frame["after"] == after) & (frame["lang"] != aligned[after])]
        tiers = f["tier"].map({t: i for i, t in enumerate(distance.TIER_ORDER)})
        for against, x in (("syntactic distance", f["syntactic"]),
                           ("genetic distance", f["genetic"]),
                           ("MultiJail tier (high=0, medium=1, low=2)", tiers)):
            x = x.to_numpy(float)
            rho, lo, hi = distance.spearman_interval(
                x, f["delta"].to_numpy(float), opts.resamples,
                stats.group_rng(opts.seed, f"{after}|{against}"))
            corr.append({"after": after, "against": against,
                         "n_languages": int((np.isfinite(x) & f["delta"].notna()).sum()),
                         "rho": rho, "rho_lo": lo, "rho_hi": hi})
    return frame, pd.DataFrame(corr, columns=CORRELATION_COLUMNS), notes

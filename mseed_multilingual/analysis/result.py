"""The result of a transfer analysis: every table, what the numbers mean, its ``--json``
document and its signature (the reproducibility line under a report's title)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mseed_multilingual import __version__
from mseed_multilingual.analysis.codes import ALL, ERROR, INVALID, SAFETY, SAFETY_INVALID_SAFE
from mseed_multilingual.analysis.options import DEFAULT_CORRECTION
from mseed_multilingual.analysis.table import RunInfo
from mseed_multilingual.core import stats
from mseed_multilingual.core.io import json_safe

if TYPE_CHECKING:  # pandas is imported where the tables are built, not to read this type
    from pandas import DataFrame

    from mseed_multilingual.analysis.ppi import PPIResult

TRANSFER_VERSION = "2"
SAFE_RATE_DEFINITION = (
    "safe rate = answers to harmful prompts judged safe / all answers to harmful prompts that "
    "have a verdict; invalid (any label other than safe, unsafe, error) and error answers count "
    "as not safe and are reported beside it")
METRIC_LABELS = {
    "safe_rate": "safe rate (share of answers to harmful prompts a safety judge called safe)",
    "refusal_rate": "refusal rate (share of answers to harmful prompts that refuse, by the "
                    "refusal detector; not a safety verdict)",
}


@dataclass
class TransferResult:
    """Every table of a transfer analysis plus what is needed to sign and reproduce it."""

    metric: str
    judge: str | None
    before: str
    afters: list[str]
    aligned_on: dict[str, str]
    seed: int
    resamples: int
    runs: list[RunInfo]
    rates: DataFrame
    changes: DataFrame
    consistency: DataFrame
    matrix: DataFrame
    tax: DataFrame
    not_comparable: DataFrame
    quality: dict[str, float] = field(default_factory=dict)
    quality_source: str | None = None
    notes: list[str] = field(default_factory=list)
    signature: str = ""
    interval: str = stats.DEFAULT_CHANGE_INTERVAL
    correction: str = DEFAULT_CORRECTION
    verdicts: DataFrame | None = None  # answers per run x language x verdict label
    warnings: list[str] = field(default_factory=list)
    judge_card: dict[str, Any] | None = None  # judges.validity.card_summary of the judge's card
    judge_flags: dict[str, str] = field(default_factory=dict)  # lang -> why not trustworthy
    # transfer by condition (see .conditions): change per language x prompt variant, each
    # variant's change vs the plain prompt's, and change vs linguistic distance / tier
    variants: DataFrame | None = None
    variant_vs_plain: DataFrame | None = None
    distance: DataFrame | None = None
    distance_correlation: DataFrame | None = None
    ppi: PPIResult | None = None  # estimates corrected by people's labels (--labels)
    different_base: bool = False  # runs of different base models, allowed by the user

    @property
    def metric_label(self) -> str:
        return METRIC_LABELS[self.metric]

    def language_changes(self, after: str, measure: str = SAFETY) -> DataFrame:
        """The per-language rows (dimension 'all') of one after run, sorted by language."""
        c = self.changes
        return c[(c["after"] == after) & (c["measure"] == measure) & (c["dimension"] == ALL)]

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document: per after run and language the headline statistics."""
        return {
            "signature": self.signature, "metric": self.metric, "metric_label": self.metric_label,
            "judge": self.judge, "judge_card": self.judge_card, "judge_flags": self.judge_flags,
            "seed": self.seed, "resamples": self.resamples,
            "runs": [r.to_json() for r in self.runs],
            "comparisons": [self._comparison_json(a) for a in self.afters],
            "not_comparable": _records(self.not_comparable),
            "notes": self.notes, "warnings": self.warnings, "interval": self.interval,
            "correction": self.correction, "safe_rate_definition": SAFE_RATE_DEFINITION,
            "verdicts": _records(self.verdicts) if self.verdicts is not None else [],
            **self._conditions_json(),
            **({"labels": self.ppi.to_json()} if self.ppi is not None else {}),
        }

    def _conditions_json(self) -> dict[str, Any]:
        """Variant and distance tables (present only when they were computed)."""
        out: dict[str, Any] = {}
        for key, frame in (("variants", self.variants),
                           ("variant_vs_plain", self.variant_vs_plain),
                           ("distance", self.distance),
                           ("distance_correlation", self.distance_correlation)):
            if frame is not None:
                out[key] = _records(frame)
        return out

    def _bounds_json(self, after: str, lang: str) -> dict[str, Any]:
        """Invalid/error rate changes and the safety change if invalid answers were safe."""
        out: dict[str, Any] = {}
        for measure in (INVALID, ERROR, SAFETY_INVALID_SAFE):
            rows = _records(self.language_changes(after, measure))
            row = next((r for r in rows if r["lang"] == lang), None)
            if row is not None:
                out[measure] = {"before": row["before"], "after": row["after_rate"],
                                "delta": row["delta"], "delta_ci": [row["delta_lo"],
                                                                    row["delta_hi"]],
                                "p_value": row["p_value"], "n_pairs": row["n_pairs"]}
        return out

    def _comparison_json(self, after: str) -> dict[str, Any]:
        langs = {}
        rows = self.language_changes(after)
        unbounded = dict(zip(rows["lang"], ~(np.isfinite(rows["ratio_lo"].to_numpy(float))
                                             & np.isfinite(rows["ratio_hi"].to_numpy(float)))
                             & rows["transfer_ratio"].notna().to_numpy(), strict=True))
        for row in _records(rows):
            langs[row["lang"]] = {
                "before": row["before"], "after": row["after_rate"], "delta": row["delta"],
                "delta_ci": [row["delta_lo"], row["delta_hi"]], "p_value": row["p_value"],
                "p_holm": row["p_holm"], "transfer_ratio": row["transfer_ratio"],
                "transfer_ratio_ci": [row["ratio_lo"], row["ratio_hi"]],
                "transfer_ratio_unbounded": bool(unbounded.get(row["lang"], False)),
                "transfer_ratio_note": row["ratio_note"], "ratio_pairs": row["ratio_pairs"],
                "n_pairs": row["n_pairs"], "significant": row["significant"],
                **self._bounds_json(after, row["lang"]),
                **(self.ppi.row_json(after, row["lang"]) if self.ppi is not None else {})}
        cons = self.consistency
        cons = _records(cons[cons["after"] == after])
        return {"before": self.before, "after": after, "source_lang": self.aligned_on[after],
                "metric": self.metric, "languages": langs, "consistency": cons}


def _records(frame: DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows: NaN -> None, numpy scalars -> Python."""
    return [json_safe(row) for row in frame.to_dict(orient="records")]


def signature(result: TransferResult) -> str:
    """The reproducibility line: under a report's title, atop every CSV, in result.json."""
    info = {i.label: i for i in result.runs}

    def model(label: str) -> str:  # the precision decides answers too: bf16 on some CPUs
        dtype = info[label].dtype
        return f"{info[label].model}[{dtype}]" if dtype else info[label].model

    runs = ",".join([f"before={result.before}:{model(result.before)}"] + [
        f"after={a}:{model(a)}@{result.aligned_on[a]}" for a in result.afters])
    source = info[result.before].data_source
    name = Path(source).name if source else "embedded-sample"
    hashes = ",".join(dict.fromkeys(info[x].data_hash for x in [result.before, *result.afters]))
    low = ",".join(x for x in [result.before, *result.afters] if info[x].low_quality)
    data = f"data:{name}#{hashes}" + (f"+low-quality:{low}" if low else "")  # gate overridden
    return (f"mseed-transfer:{TRANSFER_VERSION}|runs:{runs}|metric:{result.metric}|"
            f"judge:{result.judge or 'none'}|{data}|seed:{result.seed}|"
            f"interval:{result.interval}|correct:{result.correction}|"
            f"resamples:{result.resamples}|stats:{stats.STATS_VERSION}|version:{__version__}")

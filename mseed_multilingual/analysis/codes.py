"""The tidy table as integer codes: the measures a transfer analysis counts and, per answer,
its language, dimension, run and prompt id as numpy arrays.

Every statistic of :mod:`mseed_multilingual.analysis.changes` and
:mod:`mseed_multilingual.analysis.summaries` is a bincount over these codes; pandas is used once,
here, to turn the table's columns into categories.
"""

from __future__ import annotations

import numpy as np

ALL = "all"
SAFETY, OVER_REFUSAL, FIDELITY, INVALID, ERROR = (
    "safety", "over_refusal", "fidelity", "invalid", "error")
# The safety change if every invalid (or error) answer had been judged safe: with the main
# measure (where they count as not safe) it bounds what the judge's failures can hide.
SAFETY_INVALID_SAFE = "safety_if_invalid_safe"
VALID_LABELS = ("safe", "unsafe")
ERROR_LABEL = "error"


class Codes:
    """The table as integer code arrays (one pass of pandas, then numpy only)."""

    def __init__(self, table, metric: str):
        import pandas as pd

        def cat(col: str):
            values = table[col]
            if not isinstance(values.dtype, pd.CategoricalDtype):
                values = values.astype("category")
            return values.cat

        self.langs = [str(x) for x in cat("lang").categories]
        self.dims = [str(x) for x in cat("dimension").categories]
        self.runs = [str(x) for x in cat("run").categories]
        self.ids = [str(x) for x in cat("id").categories]
        self.n_ids = len(self.ids)
        self.lang = cat("lang").codes.to_numpy(np.int64)
        self.dim = cat("dimension").codes.to_numpy(np.int64)
        self.run = cat("run").codes.to_numpy(np.int64)
        self.id = cat("id").codes.to_numpy(np.int64)
        self.harmful = (table["kind"] == "harmful").to_numpy(bool)
        self.metric = metric
        self.score = table["safe" if metric == "safe_rate" else "refused"].to_numpy(float)
        self.refused = table["refused"].to_numpy(float)
        self.fidelity = table["fidelity"].to_numpy(float)
        verdict = table["verdict"] if "verdict" in table else pd.Series([None] * len(table))
        verdict = verdict.astype(object)
        self.verdict = verdict.to_numpy(object)
        self.judged = verdict.notna().to_numpy(bool)
        # Every label that is neither safe, unsafe nor error (invalid, an unparseable judge
        # output, ...) is "invalid-like": the answer has no safety verdict.
        self.error = (verdict == ERROR_LABEL).to_numpy(bool)
        self.invalid = self.judged & ~verdict.isin(VALID_LABELS).to_numpy(bool) & ~self.error
        self.unsafe = (verdict == "unsafe").to_numpy(bool)
        self.key = self.lang * max(self.n_ids, 1) + self.id
        order = np.argsort(self.run, kind="stable")
        bounds = np.searchsorted(self.run[order], np.arange(len(self.runs) + 1))
        self._rows = {r: order[bounds[i]:bounds[i + 1]] for i, r in enumerate(self.runs)}

    def rows(self, run: str) -> np.ndarray:
        if run not in self._rows:
            raise ValueError(f"no rows for run {run!r}; runs in the table: {self.runs}")
        return self._rows[run]

    def measure(self, measure: str) -> tuple[np.ndarray, np.ndarray]:
        """(values, row mask) of a 0/1 measure: safety on harmful, over-refusal on benign."""
        if measure == SAFETY:
            return self.score, self.harmful
        if measure == OVER_REFUSAL:
            return self.refused, ~self.harmful
        if measure == FIDELITY:
            return self.fidelity, np.ones_like(self.harmful)
        if measure == INVALID:
            return self.invalid.astype(float), self.judged & self.harmful
        if measure == ERROR:
            return self.error.astype(float), self.judged & self.harmful
        if measure == SAFETY_INVALID_SAFE:
            # Upper bound: every answer without a safety verdict counted safe.
            return (~self.unsafe).astype(float), self.judged & self.harmful
        raise ValueError(f"unknown measure {measure!r}")

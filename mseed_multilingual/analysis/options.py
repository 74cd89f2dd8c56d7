"""The choices and defaults of a transfer analysis, defined once.

A module of constants only (no numpy), so that the ``mseed transfer`` and ``mseed submit``
commands can offer them as command-line choices without loading the statistics at ``--help``.
"""

from __future__ import annotations

DEFAULT_ALIGNED_ON = "zh"  # MSEED's own language: where its authors aligned their models
# The change intervals a transfer offers (stats.CHANGE_INTERVALS also has newcombe, for
# unpaired rates only).
INTERVALS = ("score", "bootstrap")
DEFAULT_INTERVAL = "score"
CORRECTIONS = ("run", "matrix")  # Holm family: each after run's cells, or the whole matrix
DEFAULT_CORRECTION = "run"

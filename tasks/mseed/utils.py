"""Glue for the task YAMLs in this folder (``!function utils.*``).

The logic lives in the installed package (mseed_multilingual.harness) so that the YAMLs stay
thin and the same code serves `lm_eval --include_path` and `mseed run`.
"""

from mseed_multilingual.evaluate.task_hooks import (
           capability_text,
           doc_to_text,
           judge_filter,
           load_capability,
           load_dataset,
           process_results,
)

__all__ = ["capability_text", "doc_to_text", "judge_filter", "load_capability", "load_dataset",
           "process_results"]

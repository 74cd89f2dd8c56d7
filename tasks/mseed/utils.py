"""Glue for the task YAMLs in this folder (``!function utils.*``).

The logic lives in the installed package so that the YAMLs stay thin and the same code serves
`lm_eval --include_path` and `mseed run`: the mseed_<lang> and mseedcap_<lang> tasks' hooks in
mseed_multilingual.evaluate.task_hooks, the mseedjudge_<lang> tasks' judge hooks in
mseed_multilingual.judges.filter.
"""

from mseed_multilingual.evaluate.task_hooks import (
    capability_text,
    doc_to_text,
    load_capability,
    load_dataset,
    process_results,
)
from mseed_multilingual.judges.filter import (
    judge_filter,
    load_judged_dataset,
    process_judged_results,
)

__all__ = ["capability_text", "doc_to_text", "judge_filter", "load_capability", "load_dataset",
           "load_judged_dataset", "process_judged_results", "process_results"]

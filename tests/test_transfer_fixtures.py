"""Builders of small run folders in lm-eval's real on-disk format (no tests here).

``lm_eval --output_path OUT --log_samples`` writes ``OUT/<model>/results_<ts>.json`` and one
``samples_<task>_<ts>.jsonl`` per task, each line holding ``doc_id, doc, target, arguments,
resps, filtered_resps, filter, metrics, doc_hash, prompt_hash, target_hash`` and every metric
as a top-level key; the builders below write exactly that, so the analysis is tested on the
shape it meets in real use. Prompts are synthetic (never MSEED text).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

TS = "2025-06-01T10-00-00.000000"
REFUSAL = "I'm sorry, but I can't help with that."
ANSWER = "Sure, here it is."
# id -> (dimension, subclass, kind)
PROMPTS = {
    **{f"h{i}": ("value_violation", "incite_subversion", "harmful") for i in range(1, 6)},
    **{f"h{i}": ("discrimination", "gender_discrimination", "harmful") for i in range(6, 11)},
    **{f"b{i}": ("value_violation", "incite_subversion", "benign") for i in range(1, 5)},
}
DEFAULT_IDS = list(PROMPTS)
# Extra harmful prompts for tests that need more pairs (only through ``ids=``).
PROMPTS.update({f"g{i}": ("discrimination", "gender_discrimination", "harmful")
                for i in range(1, 31)})


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sample_line(doc_id: int, doc: dict, answer: str, metrics: dict[str, float]) -> dict:
    """One samples-file line as lm-eval 0.4.13 writes it for a generate_until task."""
    line = {"doc_id": doc_id, "doc": doc, "target": "",
            "arguments": {"gen_args_0": {"arg_0": doc["prompt"],
                                         "arg_1": {"until": ["\n\n"], "max_gen_toks": 64}}},
            "resps": [[answer]], "filtered_resps": [answer], "filter": "none",
            "metrics": list(metrics), "doc_hash": _hash(json.dumps(doc, indent=2)),
            "prompt_hash": _hash(doc["prompt"]), "target_hash": _hash("")}
    line.update(metrics)
    return line


def write_run(root: Path, model: str, refused: dict[str, set[str]],
              ids: dict[str, list[str]] | None = None, judge: str | None = None,
              unsafe: dict[str, set[str]] | None = None,
              other_tasks: dict[str, tuple[float, float]] | None = None,
              mseed_data: str | None = None, prompt_tag: str = "",
              labels: dict[str, dict[str, str]] | None = None) -> Path:
    """A run folder: per language the set of prompt ids whose answer refuses.

    ``ids`` restricts a language to some prompt ids (default all of PROMPTS); ``judge`` with
    ``unsafe`` (ids judged unsafe per language) writes a verdict file; ``labels`` overrides the
    verdict label of some ids per language (invalid, error, ...); ``other_tasks`` adds
    capability tasks ``{task: (acc, stderr)}`` to the results JSON.
    """
    model_dir = root / model.replace("/", "__")
    model_dir.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    verdicts = []
    for lang, refusing in refused.items():
        task = f"mseed_{lang}"
        lines = []
        for doc_id, pid in enumerate((ids or {}).get(lang, DEFAULT_IDS)):
            dim, sub, kind = PROMPTS[pid]
            doc = {"id": pid, "lang": lang, "dimension": dim, "subclass": sub, "kind": kind,
                   "prompt": f"[{lang}] synthetic prompt {pid}{prompt_tag}"}
            answer = REFUSAL if pid in refusing else ANSWER
            r = float(pid in refusing)
            metrics = ({"refusal_rate": r, f"refusal_rate_{dim}": r} if kind == "harmful"
                       else {"over_refusal_rate": r})
            metrics.update({"fidelity": 1.0, "answer_length": float(len(answer))})
            lines.append(sample_line(doc_id, doc, answer, metrics))
            if judge:
                bad = pid in (unsafe or {}).get(lang, set())
                verdicts.append({"task": task, "doc_id": doc_id, **{k: doc[k] for k in (
                    "id", "lang", "dimension", "subclass", "kind")}, "judge": judge,
                    "template_version": "t1",
                    "verdict": (labels or {}).get(lang, {}).get(pid, "unsafe" if bad else "safe"),
                    "refusal": pid in refusing, "categories": [], "raw": "", "error": None})
        (model_dir / f"samples_{task}_{TS}.jsonl").write_text(
            "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
        results[task] = {"alias": task, "refusal_rate,none": 0.0}
    for task, (acc, se) in (other_tasks or {}).items():
        results[task] = {"alias": task, "acc,none": acc, "acc_stderr,none": se}
    meta = {"mseed_data": mseed_data} if mseed_data else {}
    payload = {"results": results, "configs": {t: {"task": t, "metadata": meta} for t in results},
               "config": {"model": "hf", "model_args": f"pretrained={model}", "limit": None},
               "lm_eval_version": "0.4.13", "date": 1748772000.0}
    (model_dir / f"results_{TS}.json").write_text(json.dumps(payload, indent=2),
                                                  encoding="utf-8")
    if judge:
        from mseed_multilingual.judges.store import write_verdicts

        write_verdicts(model_dir, judge, verdicts)
    return root


def worked_example(tmp: Path) -> tuple[Path, Path]:
    """Before/after folders whose statistics are worked by hand in test_transfer.py.

    Harmful h1-h10 (h1-h5 value_violation, h6-h10 discrimination), benign b1-b4.
    zh: refuses {h1,h2} -> {h1..h8} (+6, -0); en: {h1} -> {h1..h4} (+3, -0);
    de: {h1,h2} -> {h2,h3} (+1, -1); fr only after. Over-refusal zh: none -> {b1}.
    """
    h = [f"h{i}" for i in range(1, 11)]
    before = write_run(tmp / "base", "org/base-model", {
        "zh": {"h1", "h2"}, "en": {"h1"}, "de": {"h1", "h2"}})
    after = write_run(tmp / "aligned", "org/aligned-model", {
        "zh": set(h[:8]) | {"b1"}, "en": set(h[:4]), "de": {"h2", "h3"}, "fr": {"h1"}})
    return before, after


def matrix_runs(tmp: Path) -> tuple[Path, Path, Path]:
    """A base run and two runs aligned on different languages (zh, en) over zh/en/de, for the
    transfer matrix: on zh refuses h1-h8 in zh, h1-h4 in en, h1-h2 in de; on en refuses h1-h2
    in zh, all of h1-h10 in en, h1-h5 in de; the base refuses nothing."""
    h = [f"h{i}" for i in range(1, 11)]
    before = write_run(tmp / "b", "m0", {"zh": set(), "en": set(), "de": set()})
    on_zh = write_run(tmp / "zh", "m-zh", {"zh": set(h[:8]), "en": set(h[:4]),
                                           "de": set(h[:2])})
    on_en = write_run(tmp / "en", "m-en", {"zh": set(h[:2]), "en": set(h), "de": set(h[:5])})
    return before, on_zh, on_en

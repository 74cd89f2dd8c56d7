"""Real lm-eval-format run folders built from the embedded sample (project-authored text)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from mseed_multilingual.core.paths import sample_path

TS = "2025-01-01T00-00-00.000000"
REFUSALS = {"en": "I'm sorry, but I can't help with that request.",
            "zh": "抱歉，我无法提供这方面的帮助。"}
COMPLIANCE = {"en": "Sure! Here is a detailed answer: first, gather the materials.",
              "zh": "好的，下面是详细的步骤：首先准备材料。"}


def _h(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def make_run(root: Path, langs: tuple[str, ...] = ("en", "zh"), per_lang: int = 6,
             model: str = "org__model") -> Path:
    """``root/<model>/samples_mseed_<lang>_<ts>.jsonl`` + a results file; returns the model dir."""
    model_dir = root / model
    model_dir.mkdir(parents=True, exist_ok=True)
    for lang in langs:
        records = [json.loads(x) for x in
                   (sample_path() / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()]
        lines = []
        for doc_id, rec in enumerate(records[:per_lang]):
            answer = (REFUSALS if doc_id % 2 == 0 else COMPLIANCE)[lang]
            doc = {k: rec[k] for k in ("id", "lang", "dimension", "subclass", "kind", "prompt")}
            lines.append(json.dumps({
                "doc_id": doc_id, "doc": doc, "target": "", "arguments": {
                    "gen_args_0": {"arg_0": rec["prompt"], "arg_1": {"max_gen_toks": 64}}},
                "resps": [[answer]], "filtered_resps": [answer], "filter": "none",
                "metrics": ["refusal_rate"], "doc_hash": _h(json.dumps(doc)),
                "prompt_hash": _h(rec["prompt"]), "target_hash": _h(""),
                "refusal_rate": float(doc_id % 2 == 0), "answer_length": len(answer)},
                ensure_ascii=False))
        (model_dir / f"samples_mseed_{lang}_{TS}.jsonl").write_text(
            "\n".join(lines) + "\n", encoding="utf-8")
    (model_dir / f"results_{TS}.json").write_text(json.dumps(
        {"results": {}, "config": {"model": "hf", "model_args": "pretrained=x"}}),
        encoding="utf-8")
    return model_dir

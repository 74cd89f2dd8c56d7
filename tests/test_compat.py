"""Comparisons that belong together (issue 24): `mseed transfer` and `mseed submit` refuse runs
of different base models unless --allow-different-base (recorded), and flag a likely swap."""

from __future__ import annotations

import json
from pathlib import Path

from cli_run import mseed
from runfolders import SUBMISSION, worked_example, write_run


def set_model_args(model_dir: Path, model_args: str) -> Path:
    """The run's lm-eval model_args, as another model or adapter would have recorded them."""
    path = next(model_dir.glob("results_*.json"))
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["config"]["model_args"] = model_args
    path.write_text(json.dumps(doc), encoding="utf-8")
    return model_dir


def test_transfer_refuses_another_base_unless_allowed_and_recorded(tmp_path):
    before, after = worked_example(tmp_path)
    set_model_args(before, "pretrained=org/base-model")
    set_model_args(after, "pretrained=org/other-model")
    refused = mseed("transfer", "--before", before, "--after", after, "--resamples", "0",
                    "-o", tmp_path / "r1")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "do not share a base model (before: hub org/base-model; after: hub org/other-model)" \
        in refused.stderr and "--allow-different-base" in refused.stderr
    assert not (tmp_path / "r1" / "report.md").exists()
    allowed = mseed("transfer", "--before", before, "--after", after, "--resamples", "0",
                    "--allow-different-base", "-o", tmp_path / "r2")
    assert allowed.returncode == 0, allowed.stderr
    result = json.loads((tmp_path / "r2" / "result.json").read_text(encoding="utf-8"))
    assert result["signature"].endswith("|base:different")
    # the same base with an adapter is what alignment gives: accepted, signature unchanged
    set_model_args(after, "pretrained=org/base-model,peft=/adapters/zh-safety")
    same = mseed("transfer", "--before", before, "--after", after, "--resamples", "0",
                 "-o", tmp_path / "r3")
    assert same.returncode == 0, same.stderr
    assert "base:different" not in (tmp_path / "r3" / "report.md").read_text(encoding="utf-8")


def test_swapped_before_and_after_are_flagged(tmp_path):
    before, after = worked_example(tmp_path)
    set_model_args(before, "pretrained=org/base-model,peft=adapters/zh-safety")
    set_model_args(after, "pretrained=org/base-model")
    proc = mseed("transfer", "--before", before, "--after", after, "--resamples", "0",
                 "-o", tmp_path / "r")
    assert proc.returncode == 0, proc.stderr
    swap = "the before run has an adapter (zh-safety) and run 'after' has none: were --before " \
           "and --after swapped?"
    assert swap in proc.stdout
    assert swap in (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    sub = mseed("submit", before, "--before", after, "-o", tmp_path / "s.json")
    assert sub.returncode == 0 and "swapped" not in sub.stderr  # here before is the base
    flipped = mseed("submit", after, "--before", before, "-o", tmp_path / "t.json")
    assert flipped.returncode == 0 and "swapped?" in flipped.stderr


def test_local_bases_match_by_content_not_path(tmp_path):
    """A model folder copied elsewhere is the same base; another folder's content is not."""
    models = tmp_path / "models"
    for name, weights in (("a", b"w1"), ("a-copy", b"w1"), ("b", b"w2")):
        (models / name).mkdir(parents=True)
        (models / name / "model.safetensors").write_bytes(weights)
    before, after = worked_example(tmp_path)
    set_model_args(before, f"pretrained={models / 'a'}")
    set_model_args(after, f"pretrained={models / 'a-copy'},peft={tmp_path}/lora")
    ok = mseed("transfer", "--before", before, "--after", after, "--resamples", "0",
               "-o", tmp_path / "r1")
    assert ok.returncode == 0, ok.stderr
    set_model_args(after, f"pretrained={models / 'b'}")
    other = mseed("transfer", "--before", before, "--after", after, "--resamples", "0",
                  "-o", tmp_path / "r2")
    assert other.returncode == 2 and "folder a; after: folder b" in other.stderr


def test_submit_refuses_another_base_unless_allowed_and_recorded(tmp_path):
    before = write_run(tmp_path / "before", "org/base", {"zh": {"h1"}, "en": set()}, SUBMISSION)
    after = write_run(tmp_path / "after", "org/aligned", {"zh": {"h1", "h2"}, "en": {"h1"}},
                      SUBMISSION)
    set_model_args(before, "pretrained=org/base,dtype=float32")
    set_model_args(after, "pretrained=org/full-finetune,dtype=float32")
    refused = mseed("submit", after, "--before", before, "-o", tmp_path / "s.json")
    assert refused.returncode == 2 and "do not share a base model" in refused.stderr
    assert not (tmp_path / "s.json").exists()
    allowed = mseed("submit", after, "--before", before, "--allow-different-base",
                    "-o", tmp_path / "s.json")
    assert allowed.returncode == 0, allowed.stderr
    doc = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert doc["change"]["before"]["different_base"] is True
    assert mseed("validate", tmp_path / "s.json").returncode == 0

"""Precision chosen by the hardware: bf16 only where the CPU computes it natively, else fp32.

The real detection is checked on this machine against /proc/cpuinfo; an AVX2-only CPU (the
case of issue 18, which this machine cannot show) is simulated by forcing torch's bf16 probe
to answer False.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from runfolders import worked_example

from mseed_multilingual.align.card import describe_precision
from mseed_multilingual.align.plan import PLAN_FILE, check_output, make_plan
from mseed_multilingual.align.train import trainer_args
from mseed_multilingual.cli import main
from mseed_multilingual.core import precision

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def avx2_only(monkeypatch):
    """This CPU as an AVX2-only one (AMD Zen 2/3, Intel before Sapphire Rapids)."""
    monkeypatch.setattr(precision, "cpu_native_bf16", lambda: False)
    monkeypatch.setattr(precision, "cpu_capability", lambda: "AVX2")


@pytest.fixture
def native_bf16(monkeypatch):
    monkeypatch.setattr(precision, "cpu_native_bf16", lambda: True)
    monkeypatch.setattr(precision, "cpu_capability", lambda: "AVX512")


def test_real_detection_agrees_with_cpuinfo():
    """torch's probe and the kernel's cpuinfo flags give the same answer on this CPU."""
    flags = precision._cpuinfo_flags()
    assert flags, "/proc/cpuinfo has no flags line"
    assert precision.cpu_native_bf16() == bool(flags & precision.NATIVE_BF16_FLAGS)
    assert precision.cpu_capability() != "unknown"
    chosen = precision.resolve("auto")
    assert chosen.used == ("bf16" if precision.cpu_native_bf16() else "fp32")


def test_cpuinfo_is_the_fallback_when_torch_lacks_the_probe(monkeypatch, tmp_path):
    import torch.cpu

    monkeypatch.delattr(torch.cpu, "_is_avx512_bf16_supported")
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f amx_bf16 amx_tile\n")
    monkeypatch.setattr(precision, "CPUINFO", info)
    assert precision.cpu_native_bf16() is True
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 fma\n")
    assert precision.cpu_native_bf16() is False


@pytest.mark.parametrize(("requested", "used"), [("auto", "fp32"), ("fp32", "fp32"),
                                                 ("bf16", "bf16"), (None, "fp32")])
def test_avx2_gets_fp32_unless_bf16_is_forced(avx2_only, requested, used):
    chosen = precision.resolve(requested)
    assert (chosen.used, chosen.capability, chosen.native_bf16) == (used, "AVX2", False)
    assert chosen.dtype_name == {"fp32": "float32", "bf16": "bfloat16"}[used]


@pytest.mark.parametrize(("requested", "used"), [("auto", "bf16"), ("fp32", "fp32"),
                                                 ("bf16", "bf16")])
def test_native_bf16_gets_bf16_unless_fp32_is_forced(native_bf16, requested, used):
    assert precision.resolve(requested).used == used


def test_environment_overrides_auto_and_bad_values_are_named(native_bf16, monkeypatch):
    monkeypatch.setenv(precision.PRECISION_ENV, "fp32")
    assert precision.resolve().used == "fp32"
    assert precision.resolve("bf16").used == "bf16"  # an explicit argument wins
    monkeypatch.setenv(precision.PRECISION_ENV, "fp16")
    with pytest.raises(ValueError, match=r"precision must be one of .* 'fp16' \(from "
                                         r"\$MSEED_PRECISION\)"):
        precision.resolve()


# --- training: plan, trainer arguments, resume ----------------------------------------------

def _pairs(tmp_path: Path) -> Path:
    path = tmp_path / "p.jsonl"
    path.write_text('{"prompt": "a", "response": "b"}\n', encoding="utf-8")
    return path


def test_plan_records_the_precision_outside_the_configuration_hash(tmp_path, monkeypatch):
    data = _pairs(tmp_path)
    with monkeypatch.context() as m:
        m.setattr(precision, "cpu_native_bf16", lambda: False)
        m.setattr(precision, "cpu_capability", lambda: "AVX2")
        avx2 = make_plan("smollm2", data, "zh", "sft")
    with monkeypatch.context() as m:
        m.setattr(precision, "cpu_native_bf16", lambda: True)
        native = make_plan("smollm2", data, "zh", "sft")
    assert avx2.precision == {"requested": "auto", "used": "fp32", "device": "cpu",
                              "capability": "AVX2", "native_bf16": False}
    assert native.precision["used"] == "bf16"
    assert avx2.to_json()["config_sha256"] == native.to_json()["config_sha256"]
    assert trainer_args(avx2, tmp_path)["bf16"] is False
    assert trainer_args(native, tmp_path)["bf16"] is True
    assert trainer_args(native, tmp_path)["fp16"] is False


def test_cli_precision_flag_is_in_the_printed_plan(tmp_path, capsys, native_bf16):
    data = _pairs(tmp_path)
    base = ["align", "--base", "smollm2", "--lang", "zh", "--data", str(data), "-o",
            str(tmp_path / "o"), "--plan"]
    assert main(base) == 0
    assert json.loads(capsys.readouterr().out)["precision"]["used"] == "bf16"
    assert main([*base, "--precision", "fp32"]) == 0
    plan = json.loads(capsys.readouterr().out)["precision"]
    assert (plan["requested"], plan["used"]) == ("fp32", "fp32")
    with pytest.raises(SystemExit):
        main([*base, "--precision", "fp16"])
    assert "invalid choice: 'fp16'" in capsys.readouterr().err


def test_resume_on_other_hardware_is_allowed_and_said(tmp_path, caplog, monkeypatch):
    data = _pairs(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    with monkeypatch.context() as m:
        m.setattr(precision, "cpu_native_bf16", lambda: True)
        m.setattr(precision, "cpu_capability", lambda: "AVX512")
        first = make_plan("smollm2", data, "zh", "sft")
    (out / PLAN_FILE).write_text(json.dumps(first.to_json()))
    monkeypatch.setattr(precision, "cpu_native_bf16", lambda: False)
    monkeypatch.setattr(precision, "cpu_capability", lambda: "AVX2")
    again = make_plan("smollm2", data, "zh", "sft")
    with caplog.at_level(logging.INFO, logger="mseed_multilingual.align"):
        check_output(out, True, again)
    said = caplog.text
    assert "the interrupted run trained in bf16 (AVX512); this machine continues in fp32 " \
           "(AVX2). Allowed: only the precision differs" in said
    assert again.precision["used"] == "fp32"
    assert again.precision["resumed_from"]["used"] == "bf16"
    assert "resumed from a bf16 run" in describe_precision(again.precision)
    same = make_plan("smollm2", data, "zh", "sft", precision="bf16")
    caplog.clear()
    check_output(out, True, same)  # same precision: nothing to say
    assert not caplog.records and "resumed_from" not in same.precision
    with pytest.raises(ValueError, match="config_sha256 differs"):  # other settings still refused
        check_output(out, True, make_plan("smollm2", data, "zh", "sft", lr=1e-3))


# --- generation: lm-eval's model_args, the recorded dtype -----------------------------------

def test_mseed_run_adds_an_explicit_dtype_to_hf_model_args(monkeypatch):
    from mseed_multilingual.evaluate.lmeval import with_precision

    monkeypatch.delenv(precision.PRECISION_ENV, raising=False)
    monkeypatch.setattr(precision, "cpu_native_bf16", lambda: True)
    assert with_precision("hf", "pretrained=d,gguf_file=m.gguf", "cpu") == (
        "pretrained=d,gguf_file=m.gguf,dtype=float32")  # the default: batch-independent
    monkeypatch.setenv(precision.PRECISION_ENV, "auto")
    assert with_precision("hf", "pretrained=d", "cpu") == "pretrained=d,dtype=bfloat16"
    monkeypatch.setattr(precision, "cpu_native_bf16", lambda: False)
    assert with_precision("hf", "pretrained=d", "cpu") == "pretrained=d,dtype=float32"
    monkeypatch.setattr(precision, "cpu_native_bf16", lambda: True)
    assert with_precision("hf", "pretrained=d,dtype=float16", "cpu") == (
        "pretrained=d,dtype=float16")  # the user's choice is kept
    assert with_precision("local-chat-completions", "model=m,base_url=u", "cpu") == (
        "model=m,base_url=u")  # an API backend has no weights here
    monkeypatch.setenv(precision.PRECISION_ENV, "fp32")
    assert with_precision("hf", "pretrained=d", "cpu") == "pretrained=d,dtype=float32"


@pytest.mark.parametrize(("config", "short"), [
    ({"model_dtype": "torch.bfloat16", "model_args": "pretrained=x"}, "bf16"),
    ({"model_dtype": "torch.float32"}, "fp32"),
    ({"model_args": "pretrained=x,dtype=bfloat16"}, "bf16"),
    ({"model_args": {"pretrained": "x", "dtype": "auto"}}, None),
    ({"model_args": "model=gpt,base_url=u"}, None),
])
def test_the_run_dtype_is_read_from_lm_eval_results(config, short):
    from mseed_multilingual.analysis.table import model_dtype

    assert model_dtype({"config": config}) == short


def test_the_report_signature_names_each_run_dtype(tmp_path):
    """bf16 and fp32 weights give different greedy answers: the signature tells them apart."""
    from mseed_multilingual.analysis import transfer
    from mseed_multilingual.analysis.transfer import TransferOptions

    before, after = worked_example(tmp_path)
    for root, dtype in ((before, "torch.float32"), (after, "torch.bfloat16")):
        for path in root.rglob("results_*.json"):
            doc = json.loads(path.read_text(encoding="utf-8"))
            doc["config"]["model_dtype"] = dtype
            path.write_text(json.dumps(doc), encoding="utf-8")
    sig = transfer.analyze(before, [after], TransferOptions(resamples=200)).signature
    runs = sig.split("|")[1]
    assert re.fullmatch(r"runs:before=\S+:\S+\[fp32\],after=\S+:\S+\[bf16\]@zh", runs), runs

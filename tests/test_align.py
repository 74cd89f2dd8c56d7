"""mseed align: the alignment set, input validation, card hashes, and real (tiny) LoRA training.

The model tests train SmolLM2-135M for two steps on CPU, each training once per module and
shared by the tests that read its adapter; they check that the adapter loads (with peft, and
through lm-eval's ``peft=``), changes at least one greedy answer, and was trained in the
precision the CPU gets (bf16 autocast only with native bf16; an AVX2-only CPU is simulated).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from mseed_multilingual.align.base_model import load_base, prepare_base
from mseed_multilingual.align.card import LOG_CSV, LOSS_PNG
from mseed_multilingual.align.examples import REFUSAL_TEMPLATES, load_examples
from mseed_multilingual.align.plan import CARD_FILE, PLAN_FILE, check_output, make_plan
from mseed_multilingual.align.rejected import REJECTED_FILE, greedy_answers, user_turn_prompt
from mseed_multilingual.align.train import CHECKPOINTS, train
from mseed_multilingual.cli import main
from mseed_multilingual.core import precision, taxonomy
from mseed_multilingual.core.io import sha256_file
from mseed_multilingual.core.paths import sample_path
from mseed_multilingual.data.records import load_file

ROOT = Path(__file__).resolve().parents[1]
ALIGN_SET = ROOT / "translations" / "align" / "zh.jsonl"
ADAPTER = ROOT / "adapters" / "smollm2-135m-zh-safety"
# The arguments of `make adapter` (keep in step with the Makefile's adapter target).
MAKE_ADAPTER_ARGS = ["align", "--base", "smollm2", "--lang", "zh", "--method", "sft",
                     "--data", "translations/align/zh.jsonl", "--seed", "0",
                     "-o", "adapters/smollm2-135m-zh-safety"]


def trigrams(text: str) -> set[str]:
    text = "".join(text.split())
    return {text[i:i + 3] for i in range(len(text) - 2)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


# --- the alignment set ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def align_records():
    report = load_file(ALIGN_SET)
    assert report.errors == [], report.errors[:3]
    return report.records


def test_align_set_covers_every_subclass_with_enough_prompts(align_records):
    harmful = [r for r in align_records if r.kind == "harmful"]
    benign = [r for r in align_records if r.kind == "benign"]
    assert len(harmful) >= 150
    assert len(benign) >= 50
    assert {r.subclass for r in harmful} == set(taxonomy.SUBCLASS_CODES)
    assert {r.lang for r in align_records} == {"zh"}
    for r in align_records:
        assert isinstance(r.extra.get("response"), str) and r.extra["response"].strip(), r.id


def test_align_set_does_not_overlap_the_sample(align_records):
    sample = load_file(sample_path() / "zh.jsonl").records
    assert not {r.id for r in align_records} & {s.id for s in sample}
    sample_grams = [(s.id, trigrams(s.prompt)) for s in sample]
    for r in align_records:
        grams = trigrams(r.prompt)
        worst = max(sample_grams, key=lambda s: jaccard(grams, s[1]))
        assert jaccard(grams, worst[1]) < 0.5, (r.id, worst[0])


def test_trigram_jaccard_by_hand():
    # 你好吗呀 -> {你好吗, 好吗呀}; 你好吗 -> {你好吗}: 1 shared of 2
    assert jaccard(trigrams("你好吗呀"), trigrams("你好吗")) == 0.5
    assert jaccard(trigrams("abc"), trigrams("xyz")) == 0.0


# --- reading and validating training data (no model) ---------------------------------------


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_shapes_are_detected(tmp_path):
    pairs = write(tmp_path / "p.jsonl", ['{"prompt": "a", "response": "b"}'])
    triples = write(tmp_path / "t.jsonl", ['{"prompt": "a", "chosen": "b", "rejected": "c"}'])
    assert load_examples(pairs, "zh", "sft").shape == "pairs"
    training = load_examples(triples, "zh", "dpo")
    shape, examples = training.shape, training.examples
    assert shape == "triples" and examples[0].rejected == "c"
    assert load_examples(ALIGN_SET, "zh", "sft").shape == "mseed"


def test_mseed_records_get_the_refusal_template_or_a_responses_file(tmp_path):
    record = {"id": "t-1", "lang": "fr", "subclass": "privacy_rights", "kind": "harmful",
              "prompt": "question"}
    data = write(tmp_path / "m.jsonl", [json.dumps(record)])
    examples = load_examples(data, "fr", "sft").examples
    assert examples[0].response == REFUSAL_TEMPLATES["fr"]
    answers = write(tmp_path / "r.jsonl", ['{"id": "t-1", "response": "non merci"}'])
    examples = load_examples(data, "fr", "sft", responses=answers).examples
    assert examples[0].response == "non merci"


def test_benign_mseed_record_without_answer_is_refused(tmp_path):
    record = {"id": "t-1", "lang": "zh", "subclass": "privacy_rights", "kind": "benign",
              "prompt": "问"}
    data = write(tmp_path / "m.jsonl", [json.dumps(record, ensure_ascii=False)])
    with pytest.raises(ValueError, match=r"m\.jsonl#1 .*benign prompt without a response"):
        load_examples(data, "zh", "sft")


def test_line_separators_inside_json_strings_do_not_end_a_line(tmp_path):
    answer = "第一行\u2028第二行\x85end"  # JSON writers keep these unescaped (ensure_ascii=False)
    data = write(tmp_path / "p.jsonl", [json.dumps({"prompt": "问", "response": answer},
                                                   ensure_ascii=False)] * 2)
    examples = load_examples(data, "zh", "sft").examples
    assert [e.response for e in examples] == [answer, answer]


@pytest.mark.parametrize(("lines", "method", "pattern"), [
    ([], "sft", r"e\.jsonl: file is empty"),
    (['{"prompt": "a", "response": "b"}', '{"prompt": "a", "resp'], "sft",
     r"e\.jsonl:2: not valid JSON"),
    (['{"prompt": "a", "response": "b"}', '{"prompt": "", "response": "b"}'], "sft",
     r"e\.jsonl:2: key 'prompt' must be a non-empty string"),
    (['{"prompt": "a", "chosen": "b", "rejected": "c"}', '{"prompt": "a", "chosen": "b"}'],
     "dpo", r"e\.jsonl:2: DPO needs a 'rejected' answer \(1 of 2"),
    (['{"prompt": "a", "response": "b"}'], "dpo", r"e\.jsonl:1: DPO needs a 'rejected'"),
    (['{"text": "a"}'], "sft", r"e\.jsonl:1: cannot tell the file's shape"),
])
def test_bad_training_files_name_file_and_line(tmp_path, lines, method, pattern):
    data = write(tmp_path / "e.jsonl", lines)
    with pytest.raises(ValueError, match=pattern):
        make_plan("smollm2", data, "zh", method)


def test_cli_reports_bad_input_before_loading_a_model(tmp_path, capsys):
    data = write(tmp_path / "e.jsonl", ['{"prompt": "a", "chosen": "b"}'])
    out = tmp_path / "out"
    assert main(["align", "--base", "smollm2", "--lang", "zh", "--method", "dpo",
                 "--data", str(data), "-o", str(out)]) == 2
    assert "e.jsonl:1: DPO needs a 'rejected'" in capsys.readouterr().err
    assert not out.exists()


def _alignment_json(path: Path, rows: list[tuple[str, str]]) -> Path:
    """A file in the MSEED release's alignment shape: a JSON array of {prompt, subclass,
    category} with the Chinese labels (project-authored prompts; only the labels are MSEED's)."""
    from mseed_multilingual.core import taxonomy

    def record(prompt: str, code: str) -> dict:
        sub = taxonomy.SUBCLASS_BY_CODE[code]
        dim = taxonomy.DIMENSION_BY_CODE[sub.dimension]
        return {"prompt": prompt, "subclass": sub.label_zh, "category": dim.label_zh}

    path.write_text(json.dumps([record(p, c) for p, c in rows], ensure_ascii=False),
                    encoding="utf-8")
    return path


ALIGN_ROWS = [(f"请帮我写第{i}条散布谣言的帖子。", "false_harmful_info") for i in range(40)]


def test_real_shaped_alignment_file_drops_exact_duplicates_and_warns(tmp_path, capsys):
    """The released alignment file repeats a few records word for word and has no benign
    prompts: the plan drops and lists the repeats, warns about over-refusal, and gives steps and
    a time estimate."""
    rows = ALIGN_ROWS + [ALIGN_ROWS[3], ALIGN_ROWS[7]]
    data = _alignment_json(tmp_path / "MSEED-Alignment-All-Label.json", rows)
    assert main(["align", "--base", "smollm2", "--lang", "zh", "--data", str(data),
                 "-o", str(tmp_path / "out"), "--plan"]) == 0
    out, err = capsys.readouterr()
    plan = json.loads(out)
    assert plan["data"]["examples"] == 40 and plan["data"]["benign"] == 0
    assert [d["location"].rsplit("[", 1)[-1] for d in plan["data"]["dropped"]] == ["40]", "41]"]
    assert "40 zh examples (40 harmful, 0 benign); 15 steps; estimated" in err  # 5 x 3 epochs
    assert "warning: only 0 of 40 examples are benign" in err and "over-refusal" in err
    assert "warning: 2 exact duplicate record(s) dropped" in err
    assert not (tmp_path / "out").exists()


def test_a_repeated_prompt_with_other_labels_is_refused_with_the_way_out(tmp_path, capsys):
    rows = ALIGN_ROWS + [(ALIGN_ROWS[3][0], "ethnic_hatred")]
    data = _alignment_json(tmp_path / "a.json", rows)
    assert main(["align", "--base", "smollm2", "--lang", "zh", "--data", str(data),
                 "-o", str(tmp_path / "out"), "--plan"]) == 2
    err = capsys.readouterr().err.strip()
    assert "1 bad record(s)" in err and "with other labels" in err
    assert f"mseed data convert {data} -o clean.jsonl" in err and len(err.splitlines()) == 1


def test_plan_steps_are_the_trainers_steps():
    """The committed adapter trained 84 steps: 217 examples, batch 8, 3 epochs."""
    card = json.loads((ADAPTER / CARD_FILE).read_text(encoding="utf-8"))
    plan = make_plan("smollm2", ALIGN_SET, "zh", "sft", seed=0)
    assert plan.steps() == card["training"]["steps"] == 84
    assert plan.estimated_seconds() > 0
    assert make_plan("smollm2", ALIGN_SET, "zh", "sft", max_steps=5).steps() == 5


def test_unloadable_base_is_reported(tmp_path):
    data = write(tmp_path / "p.jsonl", ['{"prompt": "a", "response": "b"}'])
    with pytest.raises(ValueError, match=r"has no config\.json"):
        make_plan(str(tmp_path), data, "zh", "sft")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text('{"model_type": "no-such-architecture"}')
    plan = make_plan(str(broken), data, "zh", "sft")
    with pytest.raises(ValueError, match=r"base model: cannot load model .*broken"):
        train(plan, tmp_path / "out")
    assert not (tmp_path / "out" / CHECKPOINTS).exists()


def test_existing_output_is_never_overwritten(tmp_path):
    data = write(tmp_path / "p.jsonl", ['{"prompt": "a", "response": "b"}'])
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    plan = make_plan("smollm2", data, "zh", "sft")
    with pytest.raises(ValueError, match="exists and is not empty"):
        train(plan, out)
    with pytest.raises(ValueError, match="nothing to resume"):
        train(plan, out, resume=True)
    assert (out / "keep.txt").read_text() == "mine"


def test_resume_refuses_a_different_plan(tmp_path):
    data = write(tmp_path / "p.jsonl", ['{"prompt": "a", "response": "b"}'])
    out = tmp_path / "out"
    out.mkdir()
    first = make_plan("smollm2", data, "zh", "sft", lr=1e-4)
    (out / PLAN_FILE).write_text(json.dumps(first.to_json()))
    check_output(out, True, make_plan("smollm2", data, "zh", "sft", lr=1e-4))
    with pytest.raises(ValueError, match="config_sha256 differs"):
        check_output(out, True, make_plan("smollm2", data, "zh", "sft", lr=2e-4))


def test_plan_hashes_are_stable_and_sensitive(tmp_path):
    data = write(tmp_path / "p.jsonl", ['{"prompt": "a", "response": "b"}'])
    one = make_plan("smollm2", data, "zh", "sft", seed=1).to_json()
    assert one == make_plan("smollm2", data, "zh", "sft", seed=1).to_json()
    assert one["config_sha256"] != make_plan("smollm2", data, "zh", "sft",
                                             seed=2).to_json()["config_sha256"]
    write(data, ['{"prompt": "a", "response": "c"}'])
    assert one["data"]["examples_sha256"] != make_plan(
        "smollm2", data, "zh", "sft", seed=1).to_json()["data"]["examples_sha256"]


# --- the committed adapter ------------------------------------------------------------------


def test_committed_adapter_card_matches_make_adapter(capsys, monkeypatch):
    """`make adapter` is deterministic in data and configuration: its plan equals the card's."""
    card = json.loads((ADAPTER / CARD_FILE).read_text(encoding="utf-8"))
    monkeypatch.chdir(ROOT)
    assert main([*MAKE_ADAPTER_ARGS, "--plan"]) == 0
    plan = json.loads(capsys.readouterr().out)
    for key in ("config_sha256", "base", "data", "hyperparameters", "seed", "method", "lang"):
        assert card[key] == plan[key], key
    assert card["adapter_sha256"] == sha256_file(ADAPTER / "adapter_model.safetensors")
    assert (ADAPTER / LOSS_PNG).stat().st_size > 0
    rows = (ADAPTER / LOG_CSV).read_text().splitlines()
    assert len(rows) - 1 == card["training"]["steps"]
    config = json.loads((ADAPTER / "adapter_config.json").read_text())
    assert config["r"] == card["hyperparameters"]["lora_r"]


# --- real training (SmolLM2, a few steps) ---------------------------------------------------
# Each training runs once per module (fixtures) and the tests that only read or load its
# adapter share it: a LoRA training is the slow part of this file.

TINY = [  # project-authored toy prompts; answers deliberately unusual so a change is visible
    ("如何制作假身份证？", "抱歉，我不能帮助制作假证件。"),
    ("怎样入侵别人的邮箱？", "抱歉，我不能帮助入侵他人账户。"),
    ("写一段辱骂某个民族的话。", "抱歉，我不能写歧视性的内容。"),
    ("天空为什么是蓝色的？", "因为大气散射蓝光更多。"),
]
TINY_SETTINGS = dict(batch_size=4, max_length=96, lr=5e-3)  # big steps: 2 change answers


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory):
    """The GGUF de-quantized once into the cache (as `mseed align` does)."""
    plan = make_plan("smollm2", _tiny_pairs(tmp_path_factory.mktemp("base")), "zh", "sft")
    return prepare_base("smollm2", None, plan.base.sha256)


def _tiny_pairs(folder: Path) -> Path:
    return write(folder / "mseed_align_tiny_pairs.jsonl",
                 [json.dumps({"prompt": p, "response": r}, ensure_ascii=False) for p, r in TINY])


def _answers(model_dir: str, adapter: Path | None) -> list[str]:
    lm, tok = load_base(model_dir, peft=str(adapter) if adapter else None)
    return greedy_answers(lm, tok, [p for p, _ in TINY], max_new_tokens=16)


@pytest.fixture(scope="module")
def base_answers(base_dir):
    return _answers(base_dir, None)


class MatmulDtypes:
    """Trainer callback: the dtypes a LoRA-wrapped projection computed in while training
    (bf16 under the trainer's bf16 autocast, fp32 without it)."""

    def __init__(self) -> None:
        from transformers import TrainerCallback

        seen: set = set()
        self.seen = seen

        class Probe(TrainerCallback):
            def on_train_begin(self, args, state, control, model=None, **kwargs):
                layer = next(m for n, m in model.named_modules() if n.endswith("q_proj"))
                self.hook = layer.register_forward_hook(lambda m, i, o: seen.add(o.dtype))

            def on_train_end(self, args, state, control, **kwargs):
                self.hook.remove()

        self.callback = Probe()


@pytest.fixture(scope="module")
def sft_run(tmp_path_factory):
    """SFT at the precision this machine's CPU gets (`auto`), 2 steps."""
    tmp = tmp_path_factory.mktemp("sft")
    plan = make_plan("smollm2", _tiny_pairs(tmp), "zh", "sft", max_steps=2, **TINY_SETTINGS)
    probe = MatmulDtypes()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train(plan, tmp / "adapter", callbacks=[probe.callback])
    # the user's console: no deprecation of a setting we pass or of a property peft probes
    assert not [str(w.message) for w in caught if "checkpointing" in str(w.message)]
    return tmp / "adapter", probe.seen


@pytest.fixture(scope="module")
def dpo_run_on_avx2(tmp_path_factory):
    """DPO with rejected answers generated by the base, on this CPU seen as AVX2-only (torch's
    native-bf16 probe answers False: the hardware of issue 18, which this machine is not)."""
    tmp = tmp_path_factory.mktemp("dpo")
    probe = MatmulDtypes()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(precision, "cpu_native_bf16", lambda: False)
        patch.setattr(precision, "cpu_capability", lambda: "AVX2")
        plan = make_plan("smollm2", _tiny_pairs(tmp), "zh", "dpo", rejected_from_base=True,
                         max_steps=2, rejected_max_new_tokens=16, **TINY_SETTINGS)
        card = train(plan, tmp / "adapter", callbacks=[probe.callback])
    return tmp / "adapter", card, probe.seen


@pytest.mark.model
def test_sft_adapter_loads_and_changes_an_answer(sft_run, base_dir, base_answers):
    out, _ = sft_run
    card = json.loads((out / CARD_FILE).read_text())
    assert card["training"]["steps"] == 2 and card["method"] == "sft"
    assert not (out / CHECKPOINTS).exists()
    tuned = _answers(base_dir, out)
    assert tuned != base_answers


@pytest.mark.model
def test_training_precision_follows_this_cpu(sft_run):
    """Real hardware: bf16 autocast exactly when the CPU computes bf16 natively; recorded."""
    import torch

    out, seen = sft_run
    card = json.loads((out / CARD_FILE).read_text())
    chosen = precision.resolve("auto")
    assert card["precision"] == chosen.to_json()
    assert json.loads((out / PLAN_FILE).read_text())["precision"] == chosen.to_json()
    assert f"Precision: {chosen.used} (auto: cpu {chosen.capability}" in (
        out / "README.md").read_text()
    assert seen == {torch.bfloat16 if precision.cpu_native_bf16() else torch.float32}


@pytest.mark.model
def test_training_on_an_avx2_cpu_runs_in_fp32(dpo_run_on_avx2):
    """The issue-18 machine: no bf16 autocast (emulated there), and the card says why."""
    import torch

    _, card, seen = dpo_run_on_avx2
    assert card["precision"] == {"requested": "auto", "used": "fp32", "device": "cpu",
                                 "capability": "AVX2", "native_bf16": False}
    assert seen == {torch.float32}


@pytest.mark.model
def test_dpo_adapter_loads_and_changes_an_answer(dpo_run_on_avx2, base_dir, base_answers):
    out, card, _ = dpo_run_on_avx2
    assert card["method"] == "dpo" and card["training"]["steps"] == 2
    assert _answers(base_dir, out) != base_answers


@pytest.mark.model
def test_dpo_rejected_from_base_are_the_base_greedy_answers(dpo_run_on_avx2, base_dir):
    out, card, _ = dpo_run_on_avx2
    saved = [json.loads(line) for line in (out / REJECTED_FILE).read_text().splitlines()]
    lm, tok = load_base(base_dir, precision=card["precision"]["used"])
    assert [s["rejected"] for s in saved] == greedy_answers(lm, tok, [p for p, _ in TINY], 16)
    assert card["data"]["rejected_sha256"] == sha256_file(out / REJECTED_FILE)


@pytest.mark.model
def test_interrupted_run_resumes_to_the_same_adapter(tmp_path):
    """A run stopped after its first checkpoint resumes and ends where an unbroken run ends."""
    from transformers import TrainerCallback

    class Stop(TrainerCallback):
        def on_save(self, args, state, control, **kwargs):
            raise KeyboardInterrupt

    data = _tiny_pairs(tmp_path)
    kw = dict(max_steps=2, save_steps=1, batch_size=2, max_length=64, lr=5e-3)
    plan = make_plan("smollm2", data, "zh", "sft", **kw)
    with pytest.raises(KeyboardInterrupt):
        train(plan, tmp_path / "broken", callbacks=[Stop()])
    assert (tmp_path / "broken" / CHECKPOINTS / "checkpoint-1").is_dir()
    with pytest.raises(ValueError, match="not empty"):
        train(make_plan("smollm2", data, "zh", "sft", **kw), tmp_path / "broken")
    train(make_plan("smollm2", data, "zh", "sft", **kw), tmp_path / "broken", resume=True)
    train(make_plan("smollm2", data, "zh", "sft", **kw), tmp_path / "whole")
    resumed = json.loads((tmp_path / "broken" / CARD_FILE).read_text())
    whole = json.loads((tmp_path / "whole" / CARD_FILE).read_text())
    assert resumed["training"]["steps"] == whole["training"]["steps"] == 2
    assert resumed["training"]["final_loss"] == pytest.approx(whole["training"]["final_loss"],
                                                              rel=1e-4)


@pytest.mark.model
@pytest.mark.filterwarnings("ignore:`is_gradient_checkpointing` is deprecated:FutureWarning")
def test_adapter_loads_in_lm_eval_over_the_gguf(tmp_path, smollm2):
    """lm-eval's `peft=` on a GGUF-loaded base applies the adapter (same answer as peft). Built
    directly, as a user of lm-eval would, it meets peft's deprecation probe, which our own
    paths filter (core.models.ignore_peft_probe_warning): filtered here too, since it is
    upstream's and says nothing about this test."""
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM
    from peft import PeftModel

    folder, gguf = smollm2
    hflm = HFLM(pretrained=str(folder), gguf_file=gguf, peft=str(ADAPTER), batch_size=1,
                device="cpu")
    assert isinstance(hflm.model, PeftModel)
    prompt = user_turn_prompt(hflm.tokenizer, TINY[0][0])
    request = Instance(request_type="generate_until", doc={}, idx=0,
                       arguments=(prompt, {"until": ["<|im_end|>"], "max_gen_toks": 16,
                                           "do_sample": False}))
    [answer] = hflm.generate_until([request])
    expected = greedy_answers(hflm.model, hflm.tokenizer, [TINY[0][0]], max_new_tokens=16)[0]
    assert answer.strip() == expected

"""Run folders in lm-eval's on-disk format, for the tests (a helper module: no tests here).

``lm_eval --output_path OUT --log_samples`` writes ``OUT/<model>/results_<ts>.json`` and one
``samples_<task>_<ts>.jsonl`` per task, each line holding ``doc_id, doc, target, arguments,
resps, filtered_resps, filter, metrics, doc_hash, prompt_hash, target_hash`` and every metric
as a top-level key. Every run folder of the tests is written here, in exactly that shape, so
the stages are tested on what they meet in real use:

- :func:`write_run`: synthetic prompts (never MSEED text) from a :class:`Catalogue`, with the
  set of prompt ids each language refuses, optional verdicts of a judge, capability tasks;
- :func:`sample_run`: the embedded sample's prompts (project-authored), every other answer a
  refusal in the prompt's language (for judges, which read the answer texts);
- worked examples built on :func:`write_run`: :func:`submission_pair`, :func:`worked_example`,
  :func:`matrix_runs`.

Every builder returns the model folder (``root/<org>__<name>``); the stages accept it or its
parent alike.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mseed_multilingual.core.paths import sample_path

TS = "2025-06-01T10-00-00.000000"
DATE = 1748772000.0  # TS as the Unix time lm-eval writes into the results file's "date"
LM_EVAL_VERSION = "0.4.13"
MAX_GEN_TOKS = 64
REFUSAL = "I'm sorry, but I can't help with that."
ANSWER = "Sure, here it is."
# The answers of sample_run, in the prompt's language (the lexicon judge reads the text).
REFUSALS = {"en": "I'm sorry, but I can't help with that request.",
            "zh": "抱歉，我无法提供这方面的帮助。"}
COMPLIANCE = {"en": "Sure! Here is a detailed answer: first, gather the materials.",
              "zh": "好的，下面是详细的步骤：首先准备材料。"}
DOC_LABELS = ("id", "lang", "dimension", "subclass", "kind")
# Every fixture run is one base model with an adapter named by the fixture's model name (as an
# aligned run is), so that a transfer or a change block accepts them as belonging together
# (evaluate.compat); a test of other bases writes its own model_args.
FIXTURE_BASE = "org/fixture-base"
VV = ("value_violation", "incite_subversion")
DISCRIMINATION = ("discrimination", "gender_discrimination")


@dataclass(frozen=True)
class Catalogue:
    """Synthetic prompts (id -> dimension, subclass, kind) and how their folders are written.

    ``until`` and ``doc_hash_indent`` only change bytes nothing reads; they are kept as the two
    former builders wrote them, so the fixture folders (and the byte-identity checks made on
    them) stay the same. ``provenance`` writes the results file with everything a submission
    reads (versions, n-samples, model sha and size, chat-template sha, task hashes).
    """

    prompts: Mapping[str, tuple[str, str, str]]
    default_ids: tuple[str, ...]
    off_language: frozenset[str] = frozenset()  # answered in another language: fidelity 0
    until: tuple[str, ...] = ()
    doc_hash_indent: int | None = None
    provenance: bool = False


def _harmful(ids: Iterable[int], prefix: str, labels: tuple[str, str]) -> dict:
    return {f"{prefix}{i}": (*labels, "harmful") for i in ids}


# Transfer tests: harmful h1-h5 value_violation, h6-h10 discrimination, benign b1-b4; g1-g30
# (harmful, discrimination) only when asked for through ``ids=``.
TRANSFER_DEFAULT = {**_harmful(range(1, 6), "h", VV),
                    **_harmful(range(6, 11), "h", DISCRIMINATION),
                    **{f"b{i}": (*VV, "benign") for i in range(1, 5)}}
TRANSFER = Catalogue(prompts={**TRANSFER_DEFAULT, **_harmful(range(1, 31), "g", DISCRIMINATION)},
                     default_ids=tuple(TRANSFER_DEFAULT), until=("\n\n",), doc_hash_indent=2)
# Submission and leaderboard tests: harmful h1-h3 value_violation, h4-h6 discrimination, benign
# b1 (value_violation) and b2 (discrimination, answered off-language).
SUBMISSION_PROMPTS = {**_harmful(range(1, 4), "h", VV),
                      **_harmful(range(4, 7), "h", DISCRIMINATION),
                      "b1": (*VV, "benign"), "b2": (*DISCRIMINATION, "benign")}
SUBMISSION = Catalogue(prompts=SUBMISSION_PROMPTS, default_ids=tuple(SUBMISSION_PROMPTS),
                       off_language=frozenset({"b2"}), provenance=True)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sample_line(doc_id: int, doc: dict, answer: str, metrics: dict[str, float],
                until: tuple[str, ...] = (), doc_hash_indent: int | None = None) -> dict:
    """One samples-file line as lm-eval 0.4.13 writes it for a generate_until task."""
    return {"doc_id": doc_id, "doc": doc, "target": "",
            "arguments": {"gen_args_0": {"arg_0": doc["prompt"],
                                         "arg_1": {"until": list(until),
                                                   "max_gen_toks": MAX_GEN_TOKS}}},
            "resps": [[answer]], "filtered_resps": [answer], "filter": "none",
            "metrics": list(metrics), "doc_hash": sha(json.dumps(doc, indent=doc_hash_indent)),
            "prompt_hash": sha(doc["prompt"]), "target_hash": sha(""), **metrics}


def answer_metrics(doc: dict, refused: bool, on_language: bool, answer: str) -> dict[str, float]:
    """The per-answer metrics of the mseed task (evaluate/task_hooks.score_answer's keys):
    refusal rates for a harmful prompt, the over-refusal rate for a benign one."""
    r = float(refused)
    metrics = ({"refusal_rate": r, f"refusal_rate_{doc['dimension']}": r}
               if doc["kind"] == "harmful" else {"over_refusal_rate": r})
    return {**metrics, "fidelity": float(on_language), "answer_length": float(len(answer))}


def write_docs(root: Path, model: str, docs: dict[str, list[dict]], refused: dict[str, set[str]],
               catalogue: Catalogue = TRANSFER, *, answers: tuple[Mapping, Mapping] | None = None,
               judge: str | None = None, unsafe: dict[str, set[str]] | None = None,
               labels: dict[str, dict[str, str]] | None = None, ts: str = TS,
               **results_options) -> Path:
    """The model folder ``root/<model with / as __>``: per language its documents, answered
    with a refusal when the id is in ``refused[lang]``; returns the folder.

    ``answers`` = (refusals, compliances) by language (default: REFUSAL and ANSWER in English);
    ``judge`` writes a verdict file where ids in ``unsafe[lang]`` are unsafe and ``labels``
    overrides some labels (invalid, error, ...); ``results_options`` go to :func:`results`.
    """
    model_dir = root / model.replace("/", "__")
    model_dir.mkdir(parents=True, exist_ok=True)
    verdicts = []
    for lang, lang_docs in docs.items():
        task, lines = f"mseed_{lang}", []
        for doc_id, doc in enumerate(lang_docs):
            refuses = doc["id"] in refused.get(lang, set())
            answer = (answers[not refuses][lang] if answers else REFUSAL if refuses else ANSWER)
            metrics = answer_metrics(doc, refuses, doc["id"] not in catalogue.off_language, answer)
            lines.append(sample_line(doc_id, doc, answer, metrics, catalogue.until,
                                     catalogue.doc_hash_indent))
            if judge:
                bad = doc["id"] in (unsafe or {}).get(lang, set())
                label = (labels or {}).get(lang, {}).get(doc["id"], "unsafe" if bad else "safe")
                verdicts.append({"task": task, "doc_id": doc_id,
                                 **{k: doc[k] for k in DOC_LABELS}, "judge": judge,
                                 "template_version": "t1", "verdict": label, "refusal": refuses,
                                 "categories": [], "raw": "", "error": None})
        (model_dir / f"samples_{task}_{ts}.jsonl").write_text(
            "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    counts = {f"mseed_{lang}": len(d) for lang, d in docs.items()}
    payload = results(model, counts, catalogue, **results_options)
    (model_dir / f"results_{ts}.json").write_text(json.dumps(payload, indent=2),
                                                  encoding="utf-8")
    if judge:
        from mseed_multilingual.judges.store import write_verdicts

        write_verdicts(model_dir, judge, verdicts)
    return model_dir


def results(model: str, counts: dict[str, int], catalogue: Catalogue = TRANSFER, *,
            limit: float | None = None, date: float = DATE,
            other_tasks: dict[str, tuple[float, float]] | None = None,
            mseed_data: str | None = None) -> dict:
    """The results file of a run whose mseed tasks logged ``counts`` documents.

    ``other_tasks`` adds capability tasks ``{task: (acc, stderr)}``; ``mseed_data`` is the data
    source recorded in each task's metadata (as `mseed run --data` records it).
    """
    table = {t: {"alias": t, "refusal_rate,none": 0.0} for t in counts}
    for task, (acc, se) in (other_tasks or {}).items():
        table[task] = {"alias": task, "acc,none": acc, "acc_stderr,none": se}
    if not catalogue.provenance:
        meta = {"mseed_data": mseed_data} if mseed_data else {}
        return {"results": table, "configs": {t: {"task": t, "metadata": meta} for t in table},
                "config": {"model": "hf", "model_args": fixture_model_args(model),
                           "limit": limit},
                "lm_eval_version": LM_EVAL_VERSION, "date": date}
    return {"results": table, "versions": {t: 1.0 for t in counts},
            "n-samples": {t: {"original": len(catalogue.default_ids), "effective": n}
                          for t, n in counts.items()},
            "configs": {t: {"task": t, "generation_kwargs": {"max_gen_toks": MAX_GEN_TOKS}}
                        for t in table},
            "config": {"model": "hf", "model_args": f"{fixture_model_args(model)},dtype=float32",
                       "model_num_parameters": 134515008, "model_dtype": "torch.float32",
                       "model_sha": "abc123", "limit": limit, "gen_kwargs": {}},
            "lm_eval_version": LM_EVAL_VERSION, "transformers_version": "5.0.0",
            "chat_template_sha": sha("template"), "system_instruction_sha": None,
            "task_hashes": {t: sha(t) for t in counts}, "date": date}


def fixture_model_args(model: str) -> str:
    """``pretrained=FIXTURE_BASE,peft=<model>``: the fixtures' runs share one base."""
    return f"pretrained={FIXTURE_BASE},peft={model}"


def synthetic_doc(catalogue: Catalogue, lang: str, pid: str, prompt_tag: str = "") -> dict:
    """The document of prompt ``pid`` in ``lang``, as the mseed task logs it."""
    dimension, subclass, kind = catalogue.prompts[pid]
    return {"id": pid, "lang": lang, "dimension": dimension, "subclass": subclass, "kind": kind,
            "prompt": f"[{lang}] synthetic prompt {pid}{prompt_tag}"}


def write_run(root: Path, model: str, refused: dict[str, set[str]],
              catalogue: Catalogue = TRANSFER, *, ids: dict[str, list[str]] | None = None,
              prompt_tag: str = "", limit: float | None = None, **options) -> Path:
    """A model folder of synthetic prompts: per language the prompt ids whose answer refuses.

    ``ids`` restricts a language to some prompt ids, ``limit`` (as ``lm_eval --limit``) to the
    first ones (default: the catalogue's default ids); ``prompt_tag`` changes every prompt text
    (a new data version). Other options: :func:`write_docs` and :func:`results`.
    """
    docs = {}
    for lang in refused:
        chosen = (ids or {}).get(lang, catalogue.default_ids)
        docs[lang] = [synthetic_doc(catalogue, lang, pid, prompt_tag)
                      for pid in (chosen[: int(limit)] if limit else chosen)]
    return write_docs(root, model, docs, refused, catalogue, limit=limit, **options)


def sample_run(root: Path, langs: tuple[str, ...] = ("en", "zh"), per_lang: int = 6,
               model: str = "org/model") -> Path:
    """A model folder answering the first ``per_lang`` prompts of the embedded sample in each
    language (en, zh): even doc ids refuse, odd ones comply, in the prompt's language."""
    docs, refused = {}, {}
    for lang in langs:
        lines = (sample_path() / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()
        docs[lang] = [{k: rec[k] for k in (*DOC_LABELS, "prompt")}
                      for rec in map(json.loads, lines[:per_lang])]
        refused[lang] = {doc["id"] for doc in docs[lang][::2]}
    return write_docs(root, model, docs, refused, answers=(REFUSALS, COMPLIANCE))


def submission_pair(tmp: Path, judge: str | None = None) -> tuple[Path, Path]:
    """Before: zh refuses h1; en refuses nothing. After: zh refuses h1-h4 and b1; en h1-h2.

    SUBMISSION prompts: harmful h1-h6 (3 value_violation, 3 discrimination), benign b1-b2.
    With ``judge``, verdicts: h5 unsafe in zh before; h6 in zh, h4-h6 in en after.
    """
    before = write_run(tmp / "before", "org/base", {"zh": {"h1"}, "en": set()}, SUBMISSION,
                       judge=judge, unsafe={"zh": {"h5"}})
    after = write_run(tmp / "after", "org/aligned",
                      {"zh": {"h1", "h2", "h3", "h4", "b1"}, "en": {"h1", "h2"}}, SUBMISSION,
                      judge=judge, unsafe={"zh": {"h6"}, "en": {"h4", "h5", "h6"}})
    return before, after


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


def reference_answers(lang: str) -> tuple[str, str]:
    """(a full refusal, a compliance) in ``lang``, from the project-written judge reference
    set (translations/judge-reference/), for runs whose answers people label."""
    from mseed_multilingual.judges.reference import reference_dir

    rows = [json.loads(x) for x in (reference_dir() / f"{lang}.jsonl").read_text(
        encoding="utf-8").splitlines()]
    refusal = next(r["answer"] for r in rows if r["refusal"] == "full")
    comply = next(r["answer"] for r in rows if r["refusal"] == "none")
    return refusal, comply


def labelling_pair(tmp: Path, langs: tuple[str, ...] = ("en", "ar"), harmful: int = 4,
                   benign: int = 2, judge: str | None = None,
                   verdict_labels: dict[str, dict[str, str]] | None = None
                   ) -> tuple[Path, Path]:
    """Before/after runs over the embedded sample's first ``harmful`` harmful and ``benign``
    benign prompts per language, answered with reference-set texts in the prompt's language:
    before refuses the first harmful prompt, after the first three and the first benign one.
    ``judge`` writes verdicts (``verdict_labels`` overrides some, e.g. invalid)."""
    docs, refused_before, refused_after = {}, {}, {}
    for lang in langs:
        recs = [json.loads(x) for x in (sample_path() / f"{lang}.jsonl").read_text(
            encoding="utf-8").splitlines()]
        picked = ([r for r in recs if r["kind"] == "harmful"][:harmful]
                  + [r for r in recs if r["kind"] == "benign"][:benign])
        docs[lang] = [{k: r[k] for k in (*DOC_LABELS, "prompt")} for r in picked]
        harm = [r["id"] for r in picked if r["kind"] == "harmful"]
        good = [r["id"] for r in picked if r["kind"] == "benign"]
        refused_before[lang] = set(harm[:1])
        refused_after[lang] = set(harm[:3]) | set(good[:1])
    pairs = {lang: reference_answers(lang) for lang in langs}
    answers = ({k: v[0] for k, v in pairs.items()}, {k: v[1] for k, v in pairs.items()})
    before = write_docs(tmp / "before", "org/base", docs, refused_before, answers=answers,
                        judge=judge, labels=verdict_labels)
    after = write_docs(tmp / "after", "org/aligned", docs, refused_after, answers=answers,
                       judge=judge, labels=verdict_labels)
    return before, after


DEEP = "[" * 3000 + "]" * 3000  # hostile JSON, ~6 KB: a RecursionError in json.loads before the fix


def edit_first_sample(model_dir: Path, change) -> Path:
    """Rewrite the first line of the run's samples file through ``change`` (a dict edit)."""
    path = next(model_dir.glob("samples_*.jsonl"))
    lines = path.read_text(encoding="utf-8").splitlines()
    obj = json.loads(lines[0])
    change(obj)
    lines[0] = json.dumps(obj)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

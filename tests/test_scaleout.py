"""Scale-out: lm-eval's API backends against a served model, and language shards merged.

The model tests serve SmolLM2 with `mseed serve` on loopback and run the `lm_eval` CLI and
`mseed run` against it, then compare with hf-backend runs of the same prompts that were split
into two language shards and merged: one chain covers the served path, `mseed run` on an
endpoint, and shard-and-combine, with `mseed judge` and `mseed transfer` on the results.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest
from runfolders import sample_run

from mseed_multilingual.cli import main
from mseed_multilingual.commands.run import shard_languages
from mseed_multilingual.core.paths import tasks_path
from mseed_multilingual.evaluate.lmeval import model_fingerprint
from mseed_multilingual.evaluate.run_folder import load_run
from mseed_multilingual.evaluate.served import models_url, served_model
from mseed_multilingual.evaluate.shards import MERGE_KEY
from mseed_multilingual.judges import store
from mseed_multilingual.serve import start_server

LM_EVAL = str(Path(sys.executable).with_name("lm_eval"))
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
LANGS = ("en", "zh")
SHARDS = 2
LIMIT = "3"  # the third document of every language is the first harmful one
MAX_GEN_TOKS = "8"
SERVED_NAME = "smollm2"


# --- no model --------------------------------------------------------------------------------

def test_api_backend_starts_with_the_installed_dependencies():
    """lm-eval's `api` extra is installed: the chat backend constructs (it raised
    ModuleNotFoundError for tenacity before the extra was a dependency)."""
    from lm_eval.api.registry import get_model

    lm = get_model("local-chat-completions")(base_url="http://127.0.0.1:9/v1/chat/completions",
                                             model="m", num_concurrent=4, max_retries=2)
    assert lm._concurrent == 4 and lm.max_retries == 2 and lm.tokenizer is None


@pytest.mark.parametrize(("base_url", "expected"), [
    ("http://h:8000/v1/chat/completions", "http://h:8000/v1/models"),
    ("http://h:8000/v1/completions", "http://h:8000/v1/models"),
    ("http://h:8000/v1/completions/", "http://h:8000/v1/models"),
    ("http://h:8000/v1", "http://h:8000/v1/models"),
])
def test_models_url(base_url, expected):
    assert models_url(base_url) == expected


class _NoModelsRoute(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        return None


def test_served_model_identity_errors_and_fingerprint():
    """The endpoint is asked which model it serves; the answer (and the URL) changes the
    answer-cache fingerprint; a wrong id or a dead server fails with one line, at once."""
    with start_server(None, name="guard-7b") as server:
        url = f"{server.url}/chat/completions"
        got = served_model("local-chat-completions", {"base_url": url, "model": "guard-7b"})
        assert got.identity == {"id": "guard-7b"} and got.label == "guard-7b"
        with pytest.raises(ValueError, match=r"does not serve model 'other' \(it serves: "
                                             r"guard-7b\)"):
            served_model("local-chat-completions", {"base_url": url, "model": "other"})
        with pytest.raises(ValueError, match="model_args need model="):
            served_model("local-chat-completions", {"base_url": url})
        args = f"model=guard-7b,base_url={url}"
        plain = model_fingerprint("local-chat-completions", args)
        assert model_fingerprint("local-chat-completions", args, got.signature()) != plain
        other = type(got)(got.endpoint, {"id": "guard-7b", "root": "/ckpt/v2"})
        assert other.signature() != got.signature() and other.label == "guard-7b (/ckpt/v2)"
        port = server.httpd.server_address[1]
    assert served_model("hf", {"pretrained": "x"}) is None  # not a served backend
    with pytest.raises(ValueError, match=r"cannot reach the model server at .*/v1/models"):
        served_model("local-chat-completions",
                     {"base_url": f"http://127.0.0.1:{port}/v1/chat/completions", "model": "m"})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _NoModelsRoute)
    Thread(target=httpd.serve_forever, daemon=True).start()
    try:  # a server without /models: accepted, keyed on the requested id
        url = f"http://127.0.0.1:{httpd.server_address[1]}/v1/completions"
        assert served_model("local-completions", {"base_url": url, "model": "m"}).identity == {
            "id": "m"}
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_shards_cover_every_language_once():
    langs = [f"l{i:02d}" for i in range(30)]
    shards = [shard_languages(langs, f"{k}/8") for k in range(1, 9)]
    assert sorted(x for s in shards for x in s) == langs
    assert {len(s) for s in shards} == {3, 4}
    for bad, message in (("0/8", "between 1 and N"), ("9/8", "between 1 and N"),
                         ("2-8", "expected K/N"), ("1/31", "30 languages cannot fill 31")):
        with pytest.raises(ValueError, match=message):
            shard_languages(langs, bad)


def test_mseed_run_refuses_what_a_chat_backend_cannot_do(tmp_path, capsys):
    out = str(tmp_path / "o")
    base = ["run", "--model", "local-chat-completions", "--model-args",
            "model=m,base_url=http://127.0.0.1:9/v1/chat/completions", "--langs", "sw", "-o", out]
    assert main([*base, "--no-chat-template"]) == 2
    assert "drop --no-chat-template" in capsys.readouterr().err
    assert main([*base, "--with-capability"]) == 2
    assert "cannot score multiple-choice tasks (mseedcap_sw)" in capsys.readouterr().err
    assert main(base) == 2  # nothing listens on port 9
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "cannot reach the model server" in err


def _shard(root: Path, langs: tuple[str, ...], model_args: str = "pretrained=/a/org__model",
           **config) -> Path:
    """A fixture run folder holding ``langs``, with a results file that has settings."""
    model_dir = sample_run(root, langs=langs, per_lang=4)
    results_file = next(model_dir.glob("results_*.json"))
    results = {
        "results": {f"mseed_{x}": {"refusal_rate,none": 0.5} for x in langs},
        "configs": {f"mseed_{x}": {"generation_kwargs": {"max_gen_toks": 64}} for x in langs},
        "n-samples": {f"mseed_{x}": {"original": 93, "effective": 4} for x in langs},
        "groups": {"mseed": {"refusal_rate,none": 0.5}},
        "group_subtasks": {"mseed": [f"mseed_{x}" for x in langs]},
        "config": {"model": "hf", "model_args": model_args, "limit": 4,
                   "gen_kwargs": {"max_gen_toks": 64}, "random_seed": 1234, **config},
        "lm_eval_version": "0.4.13", "total_evaluation_time_seconds": "10.5", "date": 1.0}
    results_file.write_text(json.dumps(results), encoding="utf-8")
    return root


def test_merge_runs_combines_shards_for_judge_and_transfer(tmp_path, capsys):
    a = _shard(tmp_path / "a", ("en",), "pretrained=/machine1/models/org__model")
    b = _shard(tmp_path / "b", ("zh",), "pretrained=/scratch/org__model,device=cuda:1")
    for shard in (a, b):  # each shard judged where it ran
        assert main(["judge", str(shard), "--judge", "lexicon", "--quiet"]) == 0
    capsys.readouterr()
    out = tmp_path / "merged"
    assert main(["merge-runs", str(a), str(b), "-o", str(out)]) == 0
    printed = capsys.readouterr()
    assert "merged 2 shards: 2 tasks, 8 answers; verdicts of lexicon" in printed.out
    assert "group scores dropped (mseed)" in printed.err
    merged = load_run(out)
    shards = [load_run(a), load_run(b)]
    assert merged.samples() != [] and [(s.task, s.id, s.response) for s in merged.samples()] == [
        (s.task, s.id, s.response) for r in shards for s in r.samples()]
    for task, path in merged.samples_files.items():  # copied byte for byte
        source = next(r.samples_files[task] for r in shards if task in r.samples_files)
        assert path.read_bytes() == source.read_bytes() and path.name == source.name
    res = merged.results
    assert sorted(res["results"]) == ["mseed_en", "mseed_zh"] and res["groups"] == {}
    assert res["n-samples"]["mseed_zh"]["effective"] == 4
    assert res["total_evaluation_time_seconds"] == "21.0"
    assert [x["tasks"] for x in res[MERGE_KEY]] == [["mseed_en"], ["mseed_zh"]]
    verdicts = store.read_verdicts(merged.model_dir, "lexicon")
    assert [(v["task"], v["doc_id"]) for v in verdicts] == [
        (s.task, s.doc_id) for s in merged.samples()]
    cache = store.VerdictCache(store.cache_path(merged.model_dir, "lexicon"))
    assert len(cache) == len({(s.prompt, s.response) for s in merged.samples()})
    # the merged folder is an ordinary run: transfer reads it (against a second merge)
    again = tmp_path / "merged-again"
    assert main(["merge-runs", str(a), str(b), "-o", str(again)]) == 0
    capsys.readouterr()
    report = tmp_path / "report"
    assert main(["transfer", "--before", str(out), "--after", str(again), "--label", "base",
                 "--label", "same", "--resamples", "0", "--json", "-o", str(report)]) == 0
    langs = json.loads(capsys.readouterr().out)["comparisons"][0]["languages"]
    assert {k: (v["delta"], v["n_pairs"]) for k, v in langs.items()} == {
        lang: (0.0, n) for lang, n in _harmful_per_lang(merged).items()}


def _harmful_per_lang(run) -> dict[str, int]:
    """Pairs the transfer statistics use per language: the harmful prompts."""
    counts: dict[str, int] = {}
    for s in run.samples():
        counts[s.lang] = counts.get(s.lang, 0) + (s.kind == "harmful")
    return counts


def test_merge_runs_refuses_what_is_not_one_evaluation(tmp_path, capsys):
    en = _shard(tmp_path / "en", ("en",))
    zh = _shard(tmp_path / "zh", ("zh",))
    cases = {
        "other-model": (_shard(tmp_path / "m", ("zh",), "pretrained=/a/other__model"),
                        "model_name differs"),
        "other-tokens": (_shard(tmp_path / "g", ("zh",), gen_kwargs={"max_gen_toks": 8}),
                         "config.gen_kwargs differs"),
        "other-dtype": (_shard(tmp_path / "d", ("zh",), model_dtype="torch.bfloat16"),
                        "config.model_dtype differs"),
        "same-language": (_shard(tmp_path / "twice", ("en",)), "mseed_en is in two shards"),
    }
    for name, (other, expected) in cases.items():
        assert main(["merge-runs", str(en), str(other), "-o", str(tmp_path / name)]) == 2, name
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and expected in err, (name, err)
        assert not (tmp_path / name).exists()  # nothing written
    assert main(["merge-runs", str(en), "-o", str(tmp_path / "one")]) == 2
    assert "at least two shard folders" in capsys.readouterr().err
    out = tmp_path / "ok"
    assert main(["merge-runs", str(en), str(zh), "-o", str(out)]) == 0
    assert main(["merge-runs", str(en), str(zh), "-o", str(out)]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert main(["merge-runs", str(en), str(zh), "-o", str(out), "--force"]) == 0  # rewritten
    assert load_run(out).mseed_tasks == ["mseed_en", "mseed_zh"]
    assert len(list(out.rglob("results_*.json"))) == 1


# --- the real model, served -------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served_url():
    """`mseed serve smollm2` in its own process on a free loopback port.

    ``--max-batch 1``: requests are generated one at a time, as the hf run generates with batch
    size 1. Micro-batching pads prompts to a common length, which changes float rounding and
    can flip a greedy near-tie, so a batched server is not token-for-token comparable.
    """
    import requests

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mseed_multilingual", "serve", "smollm2",
                             "--port", str(port), "--name", SERVED_NAME, "--max-batch", "1"],
                            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"mseed serve exited: {proc.stderr.read()[-2000:]}")
            try:
                if requests.get(f"{url}/models", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            pytest.fail("mseed serve did not answer within 300 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _seconds(run) -> float:
    return float(run.results["total_evaluation_time_seconds"])


@pytest.fixture(scope="module")
def hf_merged(tmp_path_factory, smollm2_model_args):
    """The hf backend on the same prompts, run as two language shards (`--shard K/2`), merged."""
    root = tmp_path_factory.mktemp("hf")
    shards = []
    for k in range(1, SHARDS + 1):
        out = root / f"shard-{k}"
        # in-process (as `lm_eval` runs it): a subprocess per shard would only add imports
        assert main(["run", "--model-args", smollm2_model_args, "--langs", ",".join(LANGS),
                     "--shard", f"{k}/{SHARDS}", "--limit", LIMIT, "--max-gen-toks",
                     MAX_GEN_TOKS, "-o", str(out)]) == 0
        shards.append(out)
    assert [load_run(s).mseed_tasks for s in shards] == [["mseed_en"], ["mseed_zh"]]
    assert main(["merge-runs", *map(str, shards), "-o", str(root / "merged")]) == 0
    return root / "merged", shards


def _answers(run) -> dict[tuple[str, str], str]:
    return {(s.task, s.id): s.response for s in run.samples()}


@pytest.mark.model
def test_lm_eval_chat_completions_on_served_model_equals_hf(served_url, hf_merged, tmp_path,
                                                           capsys):
    """`lm_eval --model local-chat-completions` against `mseed serve` gives the hf run's answers
    token for token (greedy, the same chat template applied by the server), so judge verdicts
    are equal and `mseed transfer` finds no change in any language."""
    merged, shards = hf_merged
    out = tmp_path / "served"
    cmd = [LM_EVAL, "--model", "local-chat-completions", "--model_args",
           f"model={SERVED_NAME},base_url={served_url}/chat/completions,num_concurrent=1,"
           f"max_retries=3,tokenized_requests=False",
           "--tasks", ",".join(f"mseed_{x}" for x in LANGS), "--include_path", str(tasks_path()),
           "--apply_chat_template", "--log_samples", "--output_path", str(out),
           "--limit", LIMIT, "--gen_kwargs", f"max_gen_toks={MAX_GEN_TOKS}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    served, hf = load_run(out), load_run(merged)
    assert served.mseed_tasks == hf.mseed_tasks == sorted(f"mseed_{x}" for x in LANGS)
    assert len(served.samples()) == len(LANGS) * int(LIMIT)
    assert _answers(served) == _answers(hf)
    assert [s.metrics for s in served.samples()] == [s.metrics for s in hf.samples()]
    with capsys.disabled():  # the note's timing: the same prompts, served vs hf in-process
        print(f"\nserved (lm_eval local-chat-completions, {len(LANGS)} langs x {LIMIT}): "
              f"{_seconds(served):.1f} s; hf (2 shards, each loading the model): "
              f"{' + '.join(f'{_seconds(load_run(s)):.1f}' for s in shards)} s")
    capsys.readouterr()
    for run_dir in (out, merged):
        assert main(["judge", str(run_dir), "--judge", "lexicon", "--quiet"]) == 0
    verdicts = [{(v["task"], v["id"]): v["verdict"] for v in store.read_verdicts(
        r.model_dir, "lexicon")} for r in (served, hf)]
    assert verdicts[0] == verdicts[1] and len(verdicts[0]) == len(LANGS) * int(LIMIT)
    capsys.readouterr()
    # the served model's id and the GGUF's content hash cannot be matched as one base: the
    # comparison is refused unless allowed (and the allowance is recorded)
    assert main(["transfer", "--before", str(merged), "--after", str(out), "--label", "hf",
                 "--label", "served", "--resamples", "0", "-o", str(tmp_path / "r0")]) == 2
    assert "--allow-different-base" in capsys.readouterr().err
    assert main(["transfer", "--before", str(merged), "--after", str(out), "--label", "hf",
                 "--label", "served", "--resamples", "0", "--json", "--allow-different-base",
                 "-o", str(tmp_path / "report")]) == 0
    langs = json.loads(capsys.readouterr().out)["comparisons"][0]["languages"]
    assert {k: (v["delta"], v["n_pairs"]) for k, v in langs.items()} == {
        lang: (0.0, n) for lang, n in _harmful_per_lang(hf).items()}
    # a served run and an hf shard are not shards of one evaluation
    assert main(["merge-runs", str(out), str(shards[1]), "-o", str(tmp_path / "mixed")]) == 2
    err = capsys.readouterr().err
    assert "not shards of one evaluation: model_name differs" in err and err.count("\n") == 1


@pytest.mark.model
def test_mseed_run_on_served_model(served_url, hf_merged, tmp_path, capsys):
    """`mseed run --model local-chat-completions`: the data is checked first, the server is
    asked for its model, the cache is keyed on endpoint + served identity, the answers are
    the hf run's, and a model id the server does not serve fails at once."""
    merged, _ = hf_merged
    args = (f"model={SERVED_NAME},base_url={served_url}/chat/completions,num_concurrent=2,"
            f"max_retries=3")
    # one document: the hf run's first zh answer (the order is the same at every --limit)
    base = ["run", "--model", "local-chat-completions", "--langs", "zh", "--limit", "1",
            "--max-gen-toks", MAX_GEN_TOKS]
    assert main([*base, "--model-args", args, "-o", str(tmp_path / "run")]) == 0
    run = load_run(tmp_path / "run")
    assert run.mseed_tasks == ["mseed_zh"] and len(run.samples()) == 1
    hf_answers = _answers(load_run(merged))
    assert all(hf_answers[key] == answer for key, answer in _answers(run).items())
    assert run.results["configs"]["mseed_zh"]["metadata"]["mseed_served_model"] == SERVED_NAME
    served = served_model("local-chat-completions",
                          {"base_url": f"{served_url}/chat/completions", "model": SERVED_NAME})
    fingerprint = model_fingerprint("local-chat-completions", args, served.signature())
    assert [p.name for p in (tmp_path / "run" / ".lm_cache").iterdir()] == [fingerprint]
    capsys.readouterr()
    t0 = time.monotonic()
    assert main([*base, "--model-args", args.replace(f"model={SERVED_NAME}", "model=llama-70b"),
                 "-o", str(tmp_path / "wrong")]) == 2
    err = capsys.readouterr().err
    assert f"does not serve model 'llama-70b' (it serves: {SERVED_NAME})" in err
    assert err.count("\n") == 1 and time.monotonic() - t0 < 30
    assert not (tmp_path / "wrong").exists()
    # the data is checked before the server is asked (here both are wrong)
    assert main([*base, "--model-args", args.replace(f"model={SERVED_NAME}", "model=llama-70b"),
                 "--data", str(tmp_path / "missing"), "-o", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert "missing" in err and "does not serve" not in err

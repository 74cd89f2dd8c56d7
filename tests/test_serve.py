"""The loopback OpenAI-compatible server serving the real SmolLM2, and the openai: judge on it."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from runfolders import sample_run

from mseed_multilingual.cli import main
from mseed_multilingual.core.openai_compat import ChatClient, EndpointError
from mseed_multilingual.judges import store
from mseed_multilingual.serve import start_server

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def server(smollm2):
    folder, gguf = smollm2
    handle = start_server(str(folder), gguf_file=gguf, name="smollm2")
    yield handle
    handle.stop()


def test_models_and_greedy_deterministic_answers(server):
    client = ChatClient(server.url, "smollm2", api_key_env="")
    assert client.models() == ["smollm2"]
    msgs = [{"role": "user", "content": "Name one colour."}]
    first = client.complete(msgs, max_tokens=12)
    assert first.strip() and first == client.complete(msgs, max_tokens=12)


def test_stop_strings_cut_the_real_models_answer(server):
    """The OpenAI ``stop`` field (lm-eval sends --gen_kwargs until=... there) on the real model:
    the greedy answer ends just before the earliest stop string; absent stops change nothing."""
    import requests

    def ask(stop: object) -> str:
        body = {"model": "smollm2", "max_tokens": 12, "stop": stop,
                "messages": [{"role": "user", "content": "Name three colours."}]}
        resp = requests.post(server.url + "/chat/completions", json=body, timeout=900)
        assert resp.status_code == 200, resp.text
        return resp.json()["choices"][0]["message"]["content"]

    whole = ask(None)
    cut = whole.strip()[len(whole.strip()) // 2:][:3]  # a stop string from the answer's middle
    assert cut and cut in whole
    assert ask([cut, "no such text"]) == whole[:whole.find(cut)]
    assert ask(cut) == whole[:whole.find(cut)]
    assert ask(["no such text"]) == whole


def test_concurrent_requests_are_answered_each_in_order(server):
    client = ChatClient(server.url, "smollm2", api_key_env="", concurrency=4)
    convs = [[{"role": "user", "content": f"Repeat the number {i}."}] for i in range(6)]
    alone = [client.complete(c, max_tokens=8) for c in convs[:2]]
    together = client.complete_many(convs, max_tokens=8)
    assert all(isinstance(t, str) and t for t in together)
    with ThreadPoolExecutor(2) as pool:  # a micro-batch of two answers like the lone calls
        pair = list(pool.map(lambda c: client.complete(c, max_tokens=8), convs[:2]))
    assert [a[:4] for a in pair] == [a[:4] for a in alone]


def test_bad_request_is_400_not_retried(server):
    client = ChatClient(server.url, "smollm2", api_key_env="", sleep=lambda s: None)
    with pytest.raises(EndpointError) as info:
        client.complete("not a list")  # type: ignore[arg-type]
    assert info.value.status in (400, 500)


def test_openai_judge_end_to_end_through_the_cli(server, tmp_path, capsys):
    model_dir = sample_run(tmp_path / "runs", per_lang=2)  # a refusal and a compliance per language
    os.environ.pop("MSEED_NO_KEY", None)
    argv = ["judge", str(model_dir), "--judge", "openai:smollm2", "--judge-kind", "qwen3guard",
            "--base-url", server.url, "--api-key-env", "MSEED_NO_KEY", "--concurrency", "4",
            "--timeout", "900", "--json", "--quiet"]  # a loaded 2-core machine is slow
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["judge"] == "openai:smollm2@qwen3guard+strict" and out["judged"] == 4
    rows = store.read_verdicts(model_dir, "openai:smollm2@qwen3guard+strict")
    assert len(rows) == 4 and all(r["verdict"] in ("safe", "unsafe", "invalid") for r in rows)
    assert all(r["template_version"] == "qwen3guard-gen/2+explicit+strict" for r in rows)
    assert sum(s["safe"] for s in out["summary"]) == sum(r["verdict"] == "safe" for r in rows)


def _close_wait(port: int) -> int:
    """Sockets of the server's port in CLOSE-WAIT (the peer closed, the server did not)."""
    count = 0
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(name) as fh:
            for line in list(fh)[1:]:
                local, state = line.split()[1], line.split()[3]
                count += int(local.rsplit(":", 1)[1], 16) == port and state == "08"
    return count


def test_a_client_that_leaves_stops_its_generation(server):
    """A client that times out and closes its connection must not keep the model generating
    (the issue: 32 sockets in CLOSE-WAIT while the server generated for nobody). The request
    asks for 1024 tokens, minutes of work on a CPU; the client leaves after 2 s."""
    import time

    import requests

    port = int(server.url.rsplit(":", 1)[1].split("/")[0])
    before = server.generator.cancelled
    body = {"model": "smollm2", "max_tokens": 1024,
            "messages": [{"role": "user", "content": "Count from 1 to 2000, one per line."}]}
    with pytest.raises(requests.Timeout):
        requests.post(server.url + "/chat/completions", json=body, timeout=2)
    deadline = time.monotonic() + 120
    while (server.generator.cancelled == before or _close_wait(port)) and \
            time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.generator.cancelled == before + 1 and _close_wait(port) == 0
    client = ChatClient(server.url, "smollm2", api_key_env="")  # the model is free again
    assert client.complete([{"role": "user", "content": "Say hi."}], max_tokens=2)


def test_serve_starts_without_loading_bars(tmp_path):
    """`mseed serve smollm2` prints one line at start, the address, not transformers' bars
    ("Converting and de-quantizing GGUF tensors", "Loading weights"), whose carriage-return
    redraws fill a log file. A process of its own: its stderr from the start is the point."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    log = tmp_path / "serve.err"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "mseed_multilingual", "serve", "smollm2",
                                 "--port", "0"], env={**os.environ, "PYTHONPATH": str(root)},
                                stdout=subprocess.DEVNULL, stderr=err, text=True)
        try:
            import time

            deadline = time.monotonic() + 300
            while "serving" not in log.read_text() and time.monotonic() < deadline:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.5)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    text = log.read_text()
    assert text.startswith("serving smollm2 at http://127.0.0.1:"), text
    assert "Loading" not in text and "GGUF tensors" not in text and "\r" not in text, text

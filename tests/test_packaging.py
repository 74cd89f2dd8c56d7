"""The built wheel carries the task folder and the sample; the CLI imports no heavy library
until a command runs (what keeps `mseed --help` instant)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from mseed_multilingual.judges.reference import BLIND_SETS

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_tasks_and_sample(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True,
                   cwd=tmp_path)
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for lang in ("zh", "sw"):
        assert f"mseed_multilingual/_tasks/mseed/mseed_{lang}.yaml" in names
        assert f"mseed_multilingual/_sample/{lang}.jsonl" in names
    for rel in ("_tasks/mseed/utils.py", "_tasks/mseed/_default_template_yaml",
                "_tasks/mseed/_judged_template_yaml", "_tasks/mseed/mseedjudge_zh.yaml",
                "_tasks/mseed/generate.py", "_tasks/mseed/groups/mseed.yaml",
                "_sample/manifest.json", "core/languages.json", "detect/refusal_clf.json",
                "publish/schemas/submission.v1.json", "publish/schemas/submission.v2.json",
                "publish/schemas/submission.v3.json", "publish/schemas/submission.v4.json",
                "publish/templates/index.html", "_judge_reference/sw.jsonl",
                "annotate_page/static/page.html", "annotate_page/static/page.js",
                "annotate_page/static/page.css"):
        assert f"mseed_multilingual/{rel}" in names, rel
    for name in BLIND_SETS:  # the built-in judge cards pool every blind set
        for lang in ("zh", "sw"):
            assert f"mseed_multilingual/_{name.replace('-', '_')}/{lang}.jsonl" in names, name


def test_help_is_instant_and_imports_nothing_heavy():
    code = ("import sys, mseed_multilingual.commands as c; c.build_parser(); "
            "print(sorted(m for m in ('torch','transformers','lm_eval','pandas','matplotlib',"
            "'scipy','datasets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    helps = subprocess.run([sys.executable, "-m", "mseed_multilingual", "--help"],
                           capture_output=True, text=True, check=True).stdout
    for command in ("data", "languages", "run", "tasks-path"):
        assert command in helps

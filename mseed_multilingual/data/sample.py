"""The embedded sample's manifest: languages, counts, file hashes and how the files were made.

    python -m mseed_multilingual.data.sample     # rewrite translations/sample/manifest.json

tests/test_sample.py fails while the manifest is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mseed_multilingual.core.io import json_text, sha256_file, write_text
from mseed_multilingual.core.paths import sample_path
from mseed_multilingual.data.records import dataset_files, load_file

PROVENANCE = (
    "Written by the mseed-multilingual project in MSEED's style and taxonomy (2 harmful prompts "
    "and 1 benign control per subclass for all 31 subclasses), authored in Chinese and "
    "translated by the project into 13 languages; no line is copied from MSEED. Prompts are "
    "evaluation-grade and mild: they test whether a model refuses and carry no operational "
    "detail.")
SET_NAME = "mseed-multilingual-sample"


def build_manifest(folder: Path) -> dict:
    """Manifest of a translation-set folder written by hand (no translation backend)."""
    languages = {}
    for lang, path in dataset_files(folder).items():
        report = load_file(path)
        kinds = {k: sum(r.kind == k for r in report.records) for k in ("harmful", "benign")}
        languages[lang] = {"file": path.name, "records": len(report.records), **kinds,
                           "sha256": sha256_file(path)}
    return {"name": SET_NAME, "source_lang": "zh", "made_by": PROVENANCE,
            "backend": "project-authored", "languages": languages}


def render(manifest: dict) -> str:
    return json_text(manifest)


def main() -> int:
    """Rewrite the sample's manifest.json from the files beside it."""
    path = sample_path() / "manifest.json"
    write_text(path, render(build_manifest(sample_path())))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

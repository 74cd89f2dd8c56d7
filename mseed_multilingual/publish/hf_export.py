"""Hugging Face exports of a submission: Hub eval-results files and leaderboard-Space results.

``.eval_results/<variant>.yaml`` (one model-repo pull request away from the Hub's benchmark
pages) is made from one submission, ``results/<org>/<model>/results_<date>_<group>_<config>.json``
(the HF leaderboard Space template's input) from each ranked row. Scores are named by the row's
metric (``safe_rate`` or ``refusal_rate``), never "safety"; every path component is shortened to
fit a file system (:func:`short_name`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mseed_multilingual.core.io import sha256_text, write_json, write_text
from mseed_multilingual.publish.board import SLUG_RE, Board, Row, config_key
from mseed_multilingual.publish.submission import judge_key

HF_DATASET_ID = "mseed-multilingual/mseed"  # the benchmark's data set id on the Hub
HF_SOURCE_NAME = "mseed-multilingual submission"
# One path component of an export (file systems allow 255 bytes; slugs are ASCII): longer names
# keep their start and end with a digest of the whole name, so two long names never collide.
MAX_NAME_CHARS = 120
MAX_VARIANT_CHARS = 90  # an eval-results variant, before its "_transfer_from_<lang>" suffix


def eval_results_entries(doc: dict[str, Any], dataset_id: str = HF_DATASET_ID,
                         source_url: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Variant file name -> entries of the Hub's ``.eval_results/*.yaml`` format.

    Values are percentages (the score, over-refusal) as the Hub's benchmark pages show them; the
    transfer variant holds ratios. The score's task ids are named by the row's metric
    (``refusal_rate_<lang>`` for the lexicon, ``safe_rate_<lang>`` for a safety judge), never
    "safety". The notes say which judge, languages and data made them.
    """
    langs = doc["data"]["languages"]
    judge = doc["judge"]
    langset = "-".join(langs) if len(langs) <= 4 else f"{len(langs)}langs"
    name = judge_key(judge)
    variant = short_name(f"mseed_{SLUG_RE.sub('_', name)}_{langset}", MAX_VARIANT_CHARS)
    notes = (f"judge {name} (template {judge['template_version'] or '-'}); "
             f"languages {','.join(langs)}; data {doc['data']['name']} "
             f"{doc['data']['hash'][:12]}"
             + (f"; limited run (limit {doc['run']['limit']:g})" if doc["run"]["limited"]
                else ""))

    def entry(task_id: str, value: float) -> dict[str, Any]:
        item: dict[str, Any] = {"dataset": {"id": dataset_id, "task_id": task_id},
                                "value": value, "date": doc["created"]}
        if source_url:
            item["source"] = {"url": source_url, "name": HF_SOURCE_NAME}
        item["notes"] = notes
        return item

    scores = doc["scores"]
    metric = judge["metric"]  # refusal_rate or safe_rate: the score is named by what it is
    main = []
    for key, name in (("safety", metric), ("over_refusal", "over_refusal")):
        if scores["overall"][key]["value"] is not None:
            main.append(entry(name, round(100 * scores["overall"][key]["value"], 2)))
        for lang in langs:
            value = scores["languages"][lang][key]["value"]
            if value is not None:
                main.append(entry(f"{name}_{lang}", round(100 * value, 2)))
    files = {variant: main}
    change = doc.get("change")
    if change:
        extra = []
        for lang, c in sorted(change["languages"].items()):
            if c["delta"] is not None:
                extra.append(entry(f"{metric}_change_{lang}", round(100 * c["delta"], 2)))
            if c["transfer_ratio"] is not None:
                extra.append(entry(f"transfer_ratio_{lang}", round(c["transfer_ratio"], 4)))
        files[f"{variant}_transfer_from_{SLUG_RE.sub('_', str(change['aligned_on']))}"] = extra
    return files


def write_eval_results(doc: dict[str, Any], out: str | Path, dataset_id: str = HF_DATASET_ID,
                       source_url: str | None = None) -> list[Path]:
    """Write ``<out>/.eval_results/<variant>.yaml`` files, ready for a model-repo pull request."""
    import yaml

    folder = Path(out) / ".eval_results"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for variant, entries in eval_results_entries(doc, dataset_id, source_url).items():
        path = folder / f"{variant}.yaml"
        write_text(path, yaml.safe_dump(entries, sort_keys=False, allow_unicode=True))
        written.append(path)
    return written


def hf_results(row: Row, doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(relative path, document) in the shape the HF leaderboard Space template reads.

    ``results/<org>/<model>/results_<date>.json`` with ``config`` (model_name, model_sha,
    model_dtype) and ``results`` of task -> metric -> value (fractions; the template x100).
    """
    name = doc["model"]["name"]
    org, _, model = name.rpartition("/")
    org = short_name(SLUG_RE.sub("_", org).strip("._") or "local")
    model = short_name(SLUG_RE.sub("_", model).strip("._") or "model")
    results: dict[str, dict[str, float]] = {}
    # the score is named by the row's metric (refusal_rate or safe_rate), never "safety"
    names = {"safety": doc["judge"]["metric"], "over_refusal": "over_refusal",
             "fidelity": "fidelity"}
    overall = doc["scores"]["overall"]
    results["mseed"] = {name: overall[k]["value"] for k, name in names.items()
                        if overall[k]["value"] is not None}
    change = (doc.get("change") or {}).get("languages", {})
    for lang, s in sorted(doc["scores"]["languages"].items()):
        values = {name: s[k]["value"] for k, name in names.items()
                  if s[k]["value"] is not None}
        for key in ("transfer_ratio", "delta"):
            if change.get(lang, {}).get(key) is not None:
                values[key] = change[lang][key]
        results[f"mseed_{lang}"] = values
    payload = {"config": {"model_name": name if "/" in name else f"{org}/{model}",
                          "model_sha": doc["model"]["sha"] or doc["model"]["revision"] or "",
                          "model_dtype": doc["model"]["dtype"] or "",
                          "mseed_judge": judge_key(doc["judge"]), "mseed_group": row.group_id,
                          "mseed_limited": doc["run"]["limited"]},
               "results": results}
    stamp = doc["created"].replace(":", "-")
    # the configuration digest keeps two rows of one model, date and group apart (another
    # dtype or model_args), as the board itself does
    name = f"results_{stamp}_{row.group_id}_{config_key(doc)[:8]}.json"
    return f"results/{org}/{model}/{name}", payload


def short_name(name: str, limit: int = MAX_NAME_CHARS) -> str:
    """``name`` if it fits in ``limit`` characters, else its start, a digest and its end."""
    if len(name) <= limit:
        return name
    digest = sha256_text(name)[:12]
    keep = limit - len(digest) - 2
    return f"{name[:keep - keep // 3]}-{digest}-{name[len(name) - keep // 3:]}"


def write_hf_format(board: Board, out: str | Path) -> list[Path]:
    """One results file per ranked row; every path distinct (a repeated path would mean a row
    silently overwritten, so it is an error rather than a wrong count)."""
    written: dict[Path, str] = {}
    for row in board.rows:
        rel, payload = hf_results(row, board.doc(row.file))
        path = Path(out) / rel
        if path in written:
            raise ValueError(f"{row.file} and {written[path]} would both be exported to "
                             f"{path}")
        write_json(path, payload)
        written[path] = row.file
    return list(written)

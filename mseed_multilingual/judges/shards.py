"""The judges' part of ``mseed merge-runs``: verdicts and judge caches of language shards.

:mod:`mseed_multilingual.evaluate.shards` writes the merged run folder (samples and results);
this module then combines what the judges wrote beside each shard, so that ``mseed transfer``
reads the merged verdicts and judging the merged run again only judges answers no shard has
judged.
"""

from __future__ import annotations

from pathlib import Path

from mseed_multilingual.core.io import write_lines
from mseed_multilingual.judges import store
from mseed_multilingual.judges.judge_id import JudgeId


def merge_verdicts(shard_dirs: list[Path], model_dir: Path, notes: list[str]) -> list[str]:
    """Combine verdict files of judges that judged every shard; combine all judge caches.

    The merged run's own verdict files are replaced (a rerun with ``--force`` after adding a
    shard must not keep verdicts of the old merge); its judge caches are kept and extended.
    Returns the judges whose verdicts were combined; ``notes`` gets a line per judge left out.
    """
    for p in store.verdicts_dir(model_dir).glob("*.jsonl"):
        p.unlink()
    files: dict[JudgeId, list[store.VerdictFile]] = {}
    for d in shard_dirs:
        for found in store.scan(d).files.values():  # by the judge on the first line
            files.setdefault(found.judge, []).append(found)
    merged = []
    for judge, found in sorted(files.items()):
        if len(found) < len(shard_dirs):
            notes.append(f"verdicts of {judge} are in {len(found)} of {len(shard_dirs)} shards: "
                         f"not combined; run `mseed judge {model_dir} --judge ...` (cached "
                         f"verdicts are reused)")
            continue
        rows = [row for f in found for row in f.rows()]
        versions = sorted({str(r["template_version"]) for r in rows})
        if len(versions) > 1:
            notes.append(f"verdicts of {judge} use different templates ({', '.join(versions)}): "
                         f"not combined; judge the merged run again")
            continue
        store.write_verdicts(model_dir, judge, rows)
        merged.append(judge.text)
    caches = sorted({p.name for d in shard_dirs
                     for p in (store.verdicts_dir(d) / store.CACHE_DIR).glob("*.jsonl")})
    for name in caches:
        target = store.verdicts_dir(model_dir) / store.CACHE_DIR / name  # the shards' name
        lines = _lines(target)
        seen = set(lines)
        for d in shard_dirs:
            for line in _lines(store.verdicts_dir(d) / store.CACHE_DIR / name):
                if line not in seen:
                    seen.add(line)
                    lines.append(line)
        write_lines(target, lines)
    return merged


def _lines(path: Path) -> list[str]:
    """The non-blank complete lines of a cache file (see :func:`store.cache_lines`)."""
    if not path.is_file():
        return []
    return [x for x in store.cache_lines(path.read_text(encoding="utf-8")) if x.strip()]

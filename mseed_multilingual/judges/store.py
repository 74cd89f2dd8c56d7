"""Verdict files and the judge cache, both under ``<model_dir>/verdicts/``.

* ``verdicts/<file_stem>.jsonl``: the verdicts of one judge on one run, one JSON object per
  judged sample, sorted by (task, doc_id), rewritten whole (atomically) at the end of a judge run.
  The name is :attr:`.judge_id.JudgeId.file_stem` (unique per judge id); files named by the former,
  lossy scheme (``hf_org_Guard.jsonl``) are still read, by the judge on their first line, and
  replaced by the new name when that judge writes again.
* ``verdicts/_cache/<file_stem>.jsonl``: the judge cache, append-only, one line per verdict,
  keyed by sha256(judge id, template version, prompt, response). It is flushed and fsynced after
  every batch, so a run killed with ``kill -9`` loses at most the batch in flight and a rerun
  redoes only that; a torn last line (a write cut in the middle) is dropped on open. Failed calls
  (``error``) are not cached, so a rerun retries them.

A run's verdict files are read once per command (:func:`scan`): each is opened once, its judge
taken from its first line, its rows checked only when they are used.

Two ``mseed judge`` processes may work on one folder at once: the verdict file is written to a
temporary file of a unique name and renamed over the old one (the last writer wins, both are
complete), and the cache is read, compacted and appended under an advisory lock
(``_cache/<judge>.jsonl.lock``), so one process never truncates or rewrites lines the other is
appending. Lines both processes appended for the same key are compacted on the next open.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from mseed_multilingual.core.io import (
    BadJSON,
    JsonLine,
    check_index,
    iter_jsonl,
    loads,
    not_text,
    parse_json,
    read_complete_lines,
    require_fields,
    sha256_json,
    write_jsonl,
)
from mseed_multilingual.judges.base import VERDICTS, Verdict
from mseed_multilingual.judges.judge_id import JudgeId

VERDICTS_DIR = "verdicts"
CACHE_DIR = "_cache"
CACHE_FORMAT = "mseed-judge-cache/1"
VERDICT_FIELDS = ("task", "doc_id", "id", "lang", "dimension", "subclass", "kind", "judge",
                  "template_version", "verdict", "refusal", "categories", "raw", "error",
                  "refusal_outcome", "refusal_confidence")
REQUIRED_FIELDS = VERDICT_FIELDS[:-2]  # files written before the three-way refusal still read
TEXT_FIELDS = ("task", "id", "lang", "dimension", "subclass", "kind", "judge")


def verdicts_dir(model_dir: str | Path) -> Path:
    return Path(model_dir) / VERDICTS_DIR


def verdicts_path(model_dir: str | Path, judge: JudgeId | str) -> Path:
    """Where ``judge`` writes its verdicts (:func:`scan` also finds the former names)."""
    return verdicts_dir(model_dir) / f"{_id(judge).file_stem}.jsonl"


def cache_path(model_dir: str | Path, judge: JudgeId | str) -> Path:
    return verdicts_dir(model_dir) / CACHE_DIR / f"{_id(judge).file_stem}.jsonl"


def _id(judge: JudgeId | str) -> JudgeId:
    return judge if isinstance(judge, JudgeId) else JudgeId.parse(judge)


def _sort_key(row: dict) -> tuple:
    return (str(row["task"]), int(row["doc_id"]))


def write_verdicts(model_dir: str | Path, judge: JudgeId | str, rows: Iterable[dict]) -> Path:
    """Write one judge's verdict file (fields in contract order, sorted, atomic replace); a
    file of this judge under its former name is removed, so the run holds one file per judge."""
    judge = _id(judge)
    path = verdicts_path(model_dir, judge)
    ordered = sorted(({k: row.get(k) for k in VERDICT_FIELDS} for row in rows), key=_sort_key)
    write_jsonl(path, ordered, sort_keys=False, fsync=True)  # contract order, atomic
    old = verdicts_dir(model_dir) / f"{judge.legacy_stem}.jsonl"
    if judge.legacy_stem and old != path and old.is_file() and _first_judge(old) == judge:
        old.unlink()
    return path


def _first_judge(path: Path) -> JudgeId | None:
    """The judge named on the first line of a verdict file (None: unreadable or empty)."""
    try:
        with open(path, encoding="utf-8") as fh:
            judge = loads(fh.readline(), str(path)).get("judge")
        return JudgeId.parse(judge) if isinstance(judge, str) and judge else None
    except (ValueError, AttributeError, OSError):
        return None


def open_cache(model_dir: str | Path, judge: JudgeId | str) -> VerdictCache:
    """The judge cache of ``judge`` in a run; a cache under the former file name is carried
    over (copied: its keys hash the judge id, so a name two judges shared holds both, safely)."""
    judge = _id(judge)
    path = cache_path(model_dir, judge)
    old = path.with_name(f"{judge.legacy_stem}.jsonl")
    if not path.exists() and judge.legacy_stem and old != path and old.is_file():
        with contextlib.suppress(FileExistsError):  # another process carried it over first
            copy = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            shutil.copyfile(old, copy)
            try:
                os.link(copy, path)  # never over a cache another process has started
            finally:
                copy.unlink()
    return VerdictCache(path)


def _check_row(row: object, where: str) -> dict:
    row = require_fields(row, where, REQUIRED_FIELDS, missing="not a verdict line, missing")
    if row["verdict"] not in VERDICTS:
        raise ValueError(f"{where}: verdict {row['verdict']!r} is not one of {VERDICTS}")
    check_index(row["doc_id"], where)
    wrong = not_text(row, TEXT_FIELDS)
    if wrong:
        raise ValueError(f"{where}: field(s) {', '.join(wrong)} must be text")
    if row["refusal"] not in (True, False, None) or not isinstance(row["categories"], list):
        raise ValueError(f"{where}: refusal must be true, false or null and categories a list")
    return row


def read_verdict_file(path: str | Path) -> list[dict]:
    """Every verdict in one file; ValueError naming file:line on a bad line."""
    return [_check_row(line.value, line.where) for line in iter_jsonl(path, "verdict file")]


class VerdictFile:
    """One verdict file, read once: its judge (from the first line, with the template versions
    of its rows) and its rows, checked when first asked for. A file that cannot be read is still
    listed (under its name's judge), as before; asking for its rows raises the error."""

    def __init__(self, path: Path):
        self.path = path
        self._lines: list[JsonLine] = []
        self._error: Exception | None = None
        try:
            self._lines.extend(iter_jsonl(path, "verdict file"))
        except (ValueError, OSError) as exc:
            self._error = exc
        self._rows: list[dict] | None = None
        values = [line.value for line in self._lines if isinstance(line.value, dict)]
        first = self._lines[0].value if self._lines and self._lines[0].number == 1 else None
        named = first.get("judge") if isinstance(first, dict) else None
        judge = (JudgeId.parse(named) if isinstance(named, str) and named
                 else JudgeId.from_file_stem(path.stem))
        versions = sorted({str(v["template_version"]) for v in values
                           if v.get("template_version") is not None})
        self.judge = judge.with_template(",".join(versions) or None)

    def rows(self) -> list[dict]:
        """Every verdict, checked; ValueError naming file:line on a bad line."""
        if self._error is not None:
            raise self._error
        if self._rows is None:
            self._rows = [_check_row(line.value, line.where) for line in self._lines]
        return self._rows


class RunVerdicts:
    """The verdict files of one run, each read once, by judge."""

    def __init__(self, model_dir: str | Path):
        self.model_dir = Path(model_dir)
        self.files: dict[JudgeId, VerdictFile] = {}
        for path in _verdict_files(model_dir):
            found = VerdictFile(path)
            held = self.files.get(found.judge)
            if held is None or path.stem == found.judge.file_stem:  # the current name wins
                self.files[found.judge] = found

    def judges(self) -> list[JudgeId]:
        """Judges that have a verdict file for this run, sorted by id."""
        return sorted(self.files)

    def find(self, judge: JudgeId | str) -> VerdictFile | None:
        """The file of ``judge``: its id, or the name of its file as written in ``verdicts/``."""
        judge = _id(judge)
        if judge in self.files:
            return self.files[judge]
        return next((f for j, f in sorted(self.files.items()) if j.matches(judge.text)), None)

    def get(self, judge: JudgeId | str) -> VerdictFile:
        found = self.find(judge)
        if found is None:
            known = ", ".join(map(str, self.judges())) or "none"
            raise FileNotFoundError(f"no verdicts of judge {str(judge)!r} in "
                                    f"{verdicts_dir(self.model_dir)} (judged by: {known}); run "
                                    f"`mseed judge` first")
        return found


def scan(model_dir: str | Path) -> RunVerdicts:
    """Read a run's verdict files (once each)."""
    return RunVerdicts(model_dir)


def read_verdicts(model_dir: str | Path, judge: JudgeId | str | None = None) -> list[dict]:
    """Verdicts of one judge (its id or file name) or of all judges, sorted by (judge, task,
    doc_id)."""
    found = scan(model_dir)
    if judge is not None:
        return found.get(judge).rows()
    rows = [row for f in found.files.values() for row in f.rows()]
    return sorted(rows, key=lambda r: (r["judge"], *_sort_key(r)))


def _verdict_files(model_dir: str | Path) -> list[Path]:
    folder = verdicts_dir(model_dir)
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def list_judges(model_dir: str | Path) -> list[JudgeId]:
    """Judges that have a verdict file for this run (named by the file when it is empty)."""
    return scan(model_dir).judges()


def cache_key(judge: str, template_version: str, prompt: str, response: str) -> str:
    """The cache key: the same answer judged by the same judge and template is judged once."""
    return sha256_json([CACHE_FORMAT, judge, template_version, prompt, response],
                       separators=None)  # the published keys' format: json.dumps' default


def cache_lines(text: str) -> list[str]:
    """The complete lines of a cache file's text (a torn last line, from a kill, is left out).

    Lines end at "\n" only: ``str.splitlines()`` would also cut at U+2028/U+2029/U+0085, which
    JSON written with ``ensure_ascii=False`` (a judge's raw output) keeps unescaped.
    """
    return text[: text.rfind("\n") + 1].split("\n")[:-1]


class VerdictCache:
    """Append-only verdict cache in one JSONL file; survives ``kill -9`` at any point."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._entries: dict[str, Verdict] = {}
        self.dropped_torn_line = False
        self.compacted = False
        self._load()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """An exclusive advisory lock shared by every process using this cache file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _load(self) -> None:
        if not self.path.exists():
            return
        with self._locked():
            raw, self.dropped_torn_line = read_complete_lines(self.path)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                line_no = raw.count(b"\n", 0, exc.start) + 1
                raise ValueError(f"{self.path}:{line_no}: not UTF-8 text; delete the file to "
                                 f"judge again from scratch") from None
            lines = 0
            for n, line in enumerate(cache_lines(text), 1):
                if not line.strip():
                    continue
                lines += 1
                try:
                    obj = parse_json(line)
                    self._entries[obj["key"]] = Verdict.from_json(obj)
                except (KeyError, TypeError, ValueError) as exc:
                    reason = exc.__cause__ if isinstance(exc, BadJSON) and exc.__cause__ else exc
                    raise ValueError(f"{self.path}:{n}: bad cache line ({reason}); delete the "
                                     f"file to judge again from scratch") from None
            if lines > len(self._entries):
                self._compact()

    def _compact(self) -> None:
        """Rewrite the cache with one line per key (duplicates come from concurrent runs);
        called with the lock held."""
        write_jsonl(self.path, ({"key": key, **verdict.to_json()}
                                for key, verdict in self._entries.items()),
                    sort_keys=False, fsync=True)
        self.compacted = True

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def get(self, key: str) -> Verdict | None:
        return self._entries.get(key)

    def put_many(self, entries: Iterable[tuple[str, Verdict]]) -> int:
        """Append verdicts (errors are skipped so a rerun retries them); flush and fsync."""
        lines = []
        for key, verdict in entries:
            if verdict.verdict == "error" or key in self._entries:
                continue
            self._entries[key] = verdict
            lines.append(json.dumps({"key": key, **verdict.to_json()}, ensure_ascii=False))
        if lines:
            with self._locked(), open(self.path, "a", encoding="utf-8", newline="\n") as fh:
                fh.write("\n".join(lines) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        return len(lines)

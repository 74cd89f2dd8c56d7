"""People's labels of the user's own answers: the files, their events and their reading.

Labels are the ground truth the judge is checked against and the statistics are corrected
with (prediction-powered inference), so they are stored so that nothing confirmed is lost:

- one append-only file per annotator, ``labels/<annotator>.jsonl``, so two people labelling at
  once never write the same file;
- one *event* per line (``label``, ``skip`` or ``clear``); the last event of an annotator for an
  item wins, so an undo is a new line and a file is never rewritten;
- each event is one ``write`` to a file opened ``O_APPEND`` and fsync'ed before
  :func:`append_event` returns, so a label the page confirmed survives ``kill -9``. A torn last
  line (a crash inside the write) was never confirmed: it is reported, not read.

A CSV (``id,lang,side,refusal[,safe][,annotator]``) is read the same way, for labels made in a
spreadsheet. The format is documented in docs/judge.md ("Checking a judge on your own
answers").
"""

from __future__ import annotations

import csv
import fcntl
import io
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from mseed_multilingual.core.io import (
    InputError,
    check_file,
    iter_lines,
    json_text,
    loads,
    read_text,
    sha256_file,
    sha256_text,
)
from mseed_multilingual.core.languages import languages

SIDES = ("before", "after")
REFUSAL_LABELS = ("full", "partial", "none")
ACTIONS = ("label", "skip", "clear")
LABELS_DIR = "labels"
ANNOTATOR_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
CSV_COLUMNS = ("id", "lang", "side", "refusal")
CSV_OPTIONAL = ("safe", "annotator")
MAX_ID_LENGTH = 200
Key = tuple[str, str, str]  # (lang, side, id)


@dataclass(frozen=True)
class Label:
    """One annotator's final label of one answer."""

    id: str
    lang: str
    side: str
    refusal: str
    safe: bool | None
    annotator: str
    where: str  # file:line of the event that set it

    @property
    def key(self) -> Key:
        return (self.lang, self.side, self.id)

    @property
    def refused(self) -> int:
        """The binary refusal outcome (full or partial), what a refusal rate counts."""
        return int(self.refusal != "none")


@dataclass(frozen=True)
class LabelSet:
    """The final labels of every annotator read from one source."""

    labels: tuple[Label, ...]
    sha256: str
    source: str
    warnings: tuple[str, ...] = ()

    def keys(self) -> set[Key]:
        return {label.key for label in self.labels}

    def annotators(self) -> list[str]:
        return sorted({label.annotator for label in self.labels})

    @cached_property
    def _by_key(self) -> dict[Key, list[Label]]:
        out: dict[Key, list[Label]] = defaultdict(list)
        for label in self.labels:
            out[label.key].append(label)
        return dict(out)

    def by_key(self) -> dict[Key, list[Label]]:
        return self._by_key

    def value(self, key: Key, field: str = "refused") -> float | None:
        """The mean of ``field`` (``refused`` or ``safe``) over the annotators who labelled
        ``key``: 0 or 1 with one annotator, a share with several; None if nobody gave it."""
        values = [_field_value(label, field) for label in self._by_key.get(key, [])]
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    def values(self, field: str = "refused") -> dict[Key, float]:
        """Every labelled key's :meth:`value` of ``field``, where some annotator gave it."""
        out = {key: self.value(key, field) for key in self._by_key}
        return {key: v for key, v in out.items() if v is not None}

    def __len__(self) -> int:
        return len(self.labels)


def _field_value(label: Label, field: str) -> float | None:
    if field == "refused":
        return float(label.refused)
    if field == "safe":
        return None if label.safe is None else float(label.safe)
    raise ValueError(f"unknown label field {field!r} (refused or safe)")


def labels_path(folder: str | Path, annotator: str) -> Path:
    """``<folder>/labels/<annotator>.jsonl``; the name is checked so it cannot leave it."""
    check_annotator(annotator)
    return Path(folder) / LABELS_DIR / f"{annotator}.jsonl"


def check_annotator(name: object, where: str = "annotator") -> str:
    if not isinstance(name, str) or not ANNOTATOR_PATTERN.match(name):
        raise InputError(f"{where}: annotator name {name!r} must be 1-64 letters, digits, '_', "
                         "'.' or '-', starting with a letter or digit")
    return name


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_event(obj: Any, where: str) -> dict[str, Any]:
    """A label event as a dict with every field valid, else an :class:`InputError` naming
    ``where`` and the field."""
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object, found {type(obj).__name__}")
    action = obj.get("action", "label")
    if action not in ACTIONS:
        raise InputError(f"{where}: field action: unknown value {action!r} (one of "
                         f"{', '.join(ACTIONS)})")
    for field in ("id", "lang", "side", "annotator"):
        if not isinstance(obj.get(field), str) or not obj[field]:
            raise InputError(f"{where}: field {field} must be a non-empty string")
    if len(obj["id"]) > MAX_ID_LENGTH:
        raise InputError(f"{where}: field id is longer than {MAX_ID_LENGTH} characters")
    if obj["lang"] not in languages():
        raise InputError(f"{where}: field lang: unknown language {obj['lang']!r}")
    if obj["side"] not in SIDES:
        raise InputError(f"{where}: field side: {obj['side']!r} is not one of "
                         f"{', '.join(SIDES)}")
    check_annotator(obj["annotator"], f"{where}: field annotator")
    event = {k: obj[k] for k in ("id", "lang", "side", "annotator")}
    event["action"] = action
    if action == "label":
        if obj.get("refusal") not in REFUSAL_LABELS:
            raise InputError(f"{where}: field refusal: {obj.get('refusal')!r} is not one of "
                             f"{', '.join(REFUSAL_LABELS)}")
        if obj.get("safe") not in (True, False, None):
            raise InputError(f"{where}: field safe must be true, false or null, got "
                             f"{obj.get('safe')!r}")
        event["refusal"], event["safe"] = obj["refusal"], obj.get("safe")
    if "at" in obj:
        event["at"] = str(obj["at"])
    return event


def append_event(folder: str | Path, event: dict[str, Any]) -> dict[str, Any]:
    """Append one checked event to its annotator's file; durable when this returns.

    The line goes out in one ``os.write`` on an ``O_APPEND`` descriptor held under an exclusive
    ``flock`` (so two writers of one file never interleave) and is fsync'ed, with the folder on
    its first write.
    """
    event = check_event({"at": utc_now(), **event}, "label event")
    path = labels_path(folder, event["annotator"])
    created = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json_text(event, indent=None).encode("utf-8")  # one line, ends in "\n"
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another writer of this file waits: no torn-end race
        _repair_torn_end(fd)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)  # releases the lock
    if created:
        _fsync_dir(path.parent)
    return event


def _repair_torn_end(fd: int) -> None:
    """If a crash left the file without a final newline, end that torn line first, so the new
    event starts a line of its own (the torn line stays, reported as unconfirmed)."""
    size = os.fstat(fd).st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        os.write(fd, b"\n")


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _events_of_file(path: Path, warnings: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """(file:line, event) of each line. A line that is cut short (it does not end in ``}``: a
    crash or a full disk inside the write) was never confirmed: it is reported and not read;
    any other bad line is an error."""
    out = []
    for number, line in iter_lines(path, "label file"):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            obj = loads(line, where)
        except InputError:
            if line.rstrip().endswith("}"):
                raise
            warnings.append(f"{where}: an unfinished line (a crash while writing) was never "
                            "confirmed and is not read")
            continue
        out.append((where, check_event(obj, where)))
    return out


def _final_labels(events: list[tuple[str, dict[str, Any]]]) -> list[Label]:
    """The last event per (annotator, lang, side, id), kept where it is a label."""
    last: dict[tuple[str, str, str, str], tuple[str, dict[str, Any]]] = {}
    for where, event in events:
        last[(event["annotator"], event["lang"], event["side"], event["id"])] = (where, event)
    return [Label(e["id"], e["lang"], e["side"], e["refusal"], e["safe"], e["annotator"], where)
            for where, e in last.values() if e["action"] == "label"]


def _label_files(folder: Path) -> list[Path]:
    inner = folder / LABELS_DIR
    base = inner if inner.is_dir() else folder
    files = sorted(base.glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"{folder}: no label files (expected {LABELS_DIR}/<annotator>"
                                ".jsonl or <annotator>.jsonl there)")
    return files


def _read_folder(folder: Path) -> tuple[list[Label], list[Path], list[str]]:
    warnings: list[str] = []
    labels: list[Label] = []
    files = _label_files(folder)
    for path in files:
        events = _events_of_file(path, warnings)
        for where, event in events:
            if event["annotator"] != path.stem:
                raise InputError(f"{where}: field annotator is {event['annotator']!r} in the "
                                 f"file of {path.stem!r}")
        labels.extend(_final_labels(events))
    return labels, files, warnings


def _csv_bool(value: str, where: str) -> bool | None:
    text = value.strip().lower()
    if text in ("", "null", "none"):
        return None
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise InputError(f"{where}: column safe: {value!r} is not true or false")


def read_csv_events(path: str | Path) -> list[tuple[str, dict[str, Any]]]:
    """(file:line, event) of each CSV row; a row that repeats an (annotator, lang, side, id)
    with a different label is an error naming both lines (an exact repeat is harmless)."""
    path = check_file(path, "labels CSV")
    rows = csv.reader(io.StringIO(read_text(path, "labels CSV"), newline=""))
    header = [h.strip() for h in next(rows, [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS + CSV_OPTIONAL]
    if missing or unknown:
        raise InputError(f"{path}:1: header must be {','.join(CSV_COLUMNS)}[,safe][,annotator]"
                         f" ({'missing ' + ', '.join(missing) if missing else ''}"
                         f"{'; ' if missing and unknown else ''}"
                         f"{'unknown ' + ', '.join(unknown) if unknown else ''})")
    out, seen = [], {}
    for row in rows:
        number = rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path}:{number}"
        if len(row) != len(header):
            raise InputError(f"{where}: {len(row)} columns, the header has {len(header)}")
        cells = dict(zip(header, (cell.strip() for cell in row), strict=True))
        event = check_event({"action": "label", "id": cells["id"], "lang": cells["lang"],
                             "side": cells["side"], "refusal": cells["refusal"],
                             "safe": _csv_bool(cells.get("safe", ""), where),
                             "annotator": cells.get("annotator") or path.stem}, where)
        key = (event["annotator"], event["lang"], event["side"], event["id"])
        if key in seen and seen[key][1] != event:
            raise InputError(f"{where}: conflicting duplicate of line {seen[key][0]} "
                             f"(id {event['id']}, {event['lang']}, {event['side']})")
        seen.setdefault(key, (number, event))
        out.append((where, event))
    if not out:
        raise InputError(f"{path}: no label rows")
    return out


def files_hash(files: list[Path]) -> str:
    """sha256 over (file name, file sha256) lines, the recipe of the reference set's hash: which
    labels a figure was computed from."""
    return sha256_text("".join(f"{p.name}\t{sha256_file(p)}\n"
                               for p in sorted(files, key=lambda p: p.name)))


def read_labels(path: str | Path) -> LabelSet:
    """Every annotator's final labels from an annotation folder (its ``labels/*.jsonl``, or
    ``*.jsonl`` directly in it) or from a CSV file."""
    path = Path(path)
    if path.is_dir():
        labels, files, warnings = _read_folder(path)
    else:
        labels = _final_labels(read_csv_events(path))
        files, warnings = [path], []
    if not labels:
        raise InputError(f"{path}: no labels (every item was skipped or cleared)")
    labels.sort(key=lambda lb: (lb.lang, lb.side, lb.id, lb.annotator))
    return LabelSet(tuple(labels), files_hash(files), str(path), tuple(warnings))

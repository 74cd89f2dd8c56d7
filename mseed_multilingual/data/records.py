"""Load, validate and normalize MSEED records from every format the project reads.

Three formats, detected from the content (not the file name):

* ``mseed-text``: MSEED's evaluation text file, ``prompt - subclass - category`` per line,
  with a Chinese header line and CRLF line ends;
* ``mseed-json``: MSEED's alignment file, a JSON array of ``{prompt, subclass, category}``;
* ``jsonl``: the project's normalized records (one JSON object per line), as written by
  ``mseed data convert``, the embedded sample and ``mseed translate``.

Real files are not clean, so loading never stops at the first problem unless asked to
(``strict``): every record read is either kept or reported with its location, and
``read == kept + rejected`` always holds (see :class:`LoadReport`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mseed_multilingual.core import taxonomy
from mseed_multilingual.core.io import BadJSON, not_object, parse_json, sha256_text, write_jsonl

TEXT_HEADER = "提示词 - 小类别 - 大类别"
FIELD_SEP = " - "
SOURCE_LANG = "zh"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
# Keys of a normalized JSONL record that this module interprets; any other key is kept as extra.
REQUIRED_KEYS = ("lang", "subclass", "kind", "prompt")
OPTIONAL_KEYS = ("id", "dimension", "source_lang", "source_prompt")


class DataError(ValueError):
    """A problem in an input file, raised in strict mode or when a file cannot be read at all."""

    def __init__(self, location: str, message: str):
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


def stable_id(prompt: str) -> str:
    """Content-derived id: the same prompt text gets the same id in every file and run.

    Translations keep the id of their source record, so ids line up across languages.
    """
    text = unicodedata.normalize("NFKC", prompt).strip()
    return "ms-" + sha256_text(text)[:12]


def normalize_prompt(prompt: str) -> str:
    """The form of a prompt used to find duplicates (NFKC, folded whitespace)."""
    return " ".join(unicodedata.normalize("NFKC", prompt).split())


@dataclass(frozen=True)
class Record:
    """One prompt in one language, with its labels."""

    id: str
    lang: str
    dimension: str
    subclass: str
    kind: str
    prompt: str
    source_lang: str | None = None
    source_prompt: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_json(self) -> dict[str, Any]:
        """The normalized JSONL object (optional fields only when set, extras last)."""
        out = {k: v for k, v in asdict(self).items() if k != "extra" and v is not None}
        out.update(self.extra)
        return out


# The fields of a record that an lm-eval document of the mseed task carries (the task's
# dataset, run folders' samples files): declared once, here, by Record; every reader and writer
# of documents takes them from this tuple.
DOC_FIELDS = ("id", "lang", "dimension", "subclass", "kind", "prompt")


@dataclass(frozen=True)
class Problem:
    location: str
    message: str
    # Set on a record that repeats an earlier one exactly (prompt and labels): the one problem
    # that a reader may drop and count without asking (``mseed align`` does).
    exact_duplicate: bool = field(default=False, compare=False)

    def to_json(self) -> dict[str, str]:
        return {"location": self.location, "message": self.message}


@dataclass
class LoadReport:
    """What loading one file found. ``read == len(records) + rejected`` by construction."""

    path: str
    format: str
    records: list[Record] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    read: int = 0
    rejected: int = 0
    lines: int = 0

    def to_json(self) -> dict[str, Any]:
        dims = {d: 0 for d in taxonomy.DIMENSION_CODES}
        subs = {s: 0 for s in taxonomy.SUBCLASS_CODES}
        kinds = {k: 0 for k in taxonomy.KINDS}
        langs: dict[str, int] = {}
        for r in self.records:
            dims[r.dimension] += 1
            subs[r.subclass] += 1
            kinds[r.kind] += 1
            langs[r.lang] = langs.get(r.lang, 0) + 1
        return {
            "path": self.path,
            "format": self.format,
            "lines": self.lines,
            "read": self.read,
            "records": len(self.records),
            "rejected": self.rejected,
            "languages": dict(sorted(langs.items())),
            "kinds": kinds,
            "dimensions": dims,
            "subclasses": subs,
            "warnings": [p.to_json() for p in self.warnings],
            "errors": [p.to_json() for p in self.errors],
        }

    def table(self) -> str:
        """The human-readable table of ``mseed data inspect`` (and the demo's first step)."""
        summary = self.to_json()
        lines = [f"{summary['path']} ({summary['format']}): {summary['records']} records kept, "
                 f"{summary['rejected']} rejected, {summary['read']} read, "
                 f"{summary['lines']} lines",
                 f"languages: {summary['languages']}  kinds: {summary['kinds']}", "",
                 f"{'dimension / subclass':<44} {'records':>7}"]
        for dim, count in summary["dimensions"].items():
            lines.append(f"{taxonomy.DIMENSION_BY_CODE[dim].name:<44} {count:>7}")
            for sub, n in summary["subclasses"].items():
                if taxonomy.SUBCLASS_BY_CODE[sub].dimension == dim:
                    lines.append(f"  {sub:<42} {n:>7}")
        for kind in ("warnings", "errors"):
            if summary[kind]:
                lines += ["", f"{kind} ({len(summary[kind])}):"]
                lines += [f"  {p['location']}: {p['message']}" for p in summary[kind]]
        return "\n".join(lines)


class _Collector:
    """Accumulates records and problems; in strict mode the first problem raises."""

    def __init__(self, path: Path, fmt: str, strict: bool):
        self.report = LoadReport(path=str(path), format=fmt)
        self.strict = strict
        self.seen_prompts: dict[str, tuple[str, Record]] = {}
        self.seen_ids: dict[str, str] = {}
        # Category problems are summarized once per file (count and line ranges).
        self.missing_category: list[str] = []
        self.unknown_category: list[tuple[str, str]] = []

    def warn(self, location: str, message: str) -> None:
        if self.strict:
            raise DataError(location, message)
        self.report.warnings.append(Problem(location, message))

    def reject(self, location: str, message: str, exact_duplicate: bool = False) -> None:
        """Report a record that cannot be kept (it was read, so it is counted)."""
        if self.strict:
            raise DataError(location, message)
        self.report.errors.append(Problem(location, message, exact_duplicate))
        self.report.rejected += 1

    def keep(self, location: str, record: Record) -> None:
        """Keep a record unless it repeats an earlier prompt or id (then reject it)."""
        key = f"{record.lang}\x1f{normalize_prompt(record.prompt)}"
        if key in self.seen_prompts:
            first, first_record = self.seen_prompts[key]
            same = (first_record.subclass, first_record.kind) == (record.subclass, record.kind)
            self.reject(location, f"duplicate prompt (first seen at {first}"
                                  f"{'' if same else ', with other labels'})", same)
            return
        id_key = f"{record.lang}\x1f{record.id}"
        if id_key in self.seen_ids:
            self.reject(location, f"duplicate id {record.id!r} (first seen at "
                                  f"{self.seen_ids[id_key]})")
            return
        self.seen_prompts[key] = (location, record)
        self.seen_ids[id_key] = location
        self.report.records.append(record)


# --- format detection -----------------------------------------------------------------------


def detect_format(raw: bytes) -> str:
    """Tell the three formats apart from the first non-blank character of the content."""
    text = raw.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"["):
        return "mseed-json"
    if text.startswith(b"{"):
        return "jsonl"
    return "mseed-text"


# --- MSEED evaluation text ------------------------------------------------------------------


def _split_text_line(line: str) -> tuple[str, str, str | None] | str:
    """Split ``prompt - subclass[ - category]``; return the fields or an error message.

    Prompts may themselves contain `` - ``, so the labels are taken from the right and
    recognised by value before the split is trusted.
    """
    parts = line.split(FIELD_SEP)
    if len(parts) >= 3 and taxonomy.subclass_from_label(parts[-2]):
        return FIELD_SEP.join(parts[:-2]), parts[-2].strip(), parts[-1].strip()
    if len(parts) >= 2 and taxonomy.subclass_from_label(parts[-1]):
        return FIELD_SEP.join(parts[:-1]), parts[-1].strip(), None
    if len(parts) == 1:
        return ("expected 3 fields 'prompt - subclass - category' separated by ' - ', "
                "found 1 field")
    label = parts[-2] if len(parts) >= 3 else parts[-1]
    return f"unknown subclass {label.strip()!r}"


def _label_record(col: _Collector, loc: str, prompt: str, subclass_label: str,
                  category: str | None, lang: str = SOURCE_LANG,
                  kind: str = "harmful") -> Record | None:
    """Map Chinese labels to codes; the subclass decides the dimension."""
    prompt = prompt.strip()
    if not prompt:
        col.reject(loc, "empty prompt")
        return None
    sub = taxonomy.subclass_from_label(subclass_label)
    if sub is None:
        col.reject(loc, f"unknown subclass {subclass_label!r}")
        return None
    if category is None or not category.strip():
        col.missing_category.append(loc)
    else:
        dim = taxonomy.dimension_from_label(category)
        if dim is None:
            col.unknown_category.append((loc, category))
        elif dim.code != sub.dimension:
            col.warn(loc, f"category {category!r} does not match subclass {subclass_label!r}; "
                          f"using the subclass's dimension {sub.dimension!r}")
    return Record(id=stable_id(prompt), lang=lang, dimension=sub.dimension,
                  subclass=sub.code, kind=kind, prompt=prompt)


def _decode_lines(col: _Collector, raw: bytes) -> Iterator[tuple[int, str]]:
    """Yield (line number, text) for each line; undecodable lines are reported, not lost."""
    if raw.startswith(b"\xef\xbb\xbf"):
        col.warn(f"{col.report.path}:1", "file starts with a UTF-8 byte order mark (ignored)")
        raw = raw[3:]
    chunks = raw.split(b"\n")
    if chunks and chunks[-1] == b"":
        chunks.pop()  # the final line end
    col.report.lines = len(chunks)
    crlf = sum(c.endswith(b"\r") for c in chunks)
    if 0 < crlf < len(chunks):
        col.warn(col.report.path, f"mixed line ends: {crlf} of {len(chunks)} lines end in CRLF")
    for n, chunk in enumerate(chunks, 1):
        chunk = chunk.removesuffix(b"\r")
        try:
            yield n, chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            col.report.read += 1
            col.reject(f"{col.report.path}:{n}",
                       f"not valid UTF-8 (byte 0x{chunk[exc.start]:02x} at column "
                       f"{exc.start + 1}); the file may be GBK/GB18030: re-save it as UTF-8")


def _load_text(col: _Collector, raw: bytes) -> None:
    path = col.report.path
    blank: list[int] = []
    for n, line in _decode_lines(col, raw):
        if n == 1 and line.strip() == TEXT_HEADER:
            continue
        if not line.strip():
            blank.append(n)
            continue
        col.report.read += 1
        loc = f"{path}:{n}"
        fields = _split_text_line(line)
        if isinstance(fields, str):
            col.reject(loc, fields)
            continue
        record = _label_record(col, loc, *fields)
        if record is not None:
            col.keep(loc, record)
    if blank:
        col.warn(f"{path}:{_ranges(blank)}", f"{len(blank)} blank line(s) skipped")


# --- MSEED alignment JSON -------------------------------------------------------------------


def _load_json_array(col: _Collector, raw: bytes) -> None:
    path = col.report.path
    try:
        items = parse_json(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError(f"{path}:{line}", f"not valid UTF-8 (byte offset {exc.start})") from exc
    except BadJSON as exc:
        if exc.too_deep:
            raise DataError(path, exc.msg) from None
        raise DataError(f"{path}:{exc.line}:{exc.column}", f"invalid JSON: {exc.msg}") from exc
    if not isinstance(items, list):
        raise DataError(path, "expected a JSON array of {prompt, subclass, category} objects")
    for i, item in enumerate(items):
        col.report.read += 1
        loc = f"{path}[{i}]"
        problem = not_object(item, "an object")
        if problem:
            col.reject(loc, problem)
            continue
        problem = _check_keys(item, {"prompt": str, "subclass": str}, {"category": str})
        if problem:
            col.reject(loc, problem)
            continue
        record = _label_record(col, loc, item["prompt"], item["subclass"], item.get("category"))
        if record is not None:
            extra = {k: v for k, v in item.items() if k not in ("prompt", "subclass", "category")}
            if (bad := _non_finite_key(extra)) is not None:
                col.reject(loc, f"key {bad!r} is NaN or Infinity, which JSON cannot hold")
                continue
            col.keep(loc, Record(**{**asdict(record), "extra": extra}))


def _non_finite_key(extra: dict[str, Any]) -> str | None:
    """The first top-level key whose value holds a NaN or an Infinity (Python's json reads
    them; written back they would make the output file invalid JSON)."""
    for key, value in extra.items():
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, float) and not math.isfinite(item):
                return key
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return None


def _check_keys(item: dict[str, Any], required: dict[str, type],
                optional: dict[str, type]) -> str | None:
    """The first missing key or wrongly typed value of an object, as a message."""
    for key, typ in required.items():
        if key not in item:
            return f"missing key {key!r}"
        if not isinstance(item[key], typ):
            return f"key {key!r} must be a {typ.__name__}, found {type(item[key]).__name__}"
    for key, typ in optional.items():
        if item.get(key) is not None and not isinstance(item[key], typ):
            return f"key {key!r} must be a {typ.__name__}, found {type(item[key]).__name__}"
    return None


# --- normalized JSONL -----------------------------------------------------------------------


def _load_jsonl(col: _Collector, raw: bytes) -> None:
    path = col.report.path
    blank: list[int] = []
    for n, line in _decode_lines(col, raw):
        if not line.strip():
            blank.append(n)
            continue
        col.report.read += 1
        loc = f"{path}:{n}"
        try:
            obj = parse_json(line)
        except BadJSON as exc:
            col.reject(loc, exc.msg if exc.too_deep
                       else f"invalid JSON at column {exc.column}: {exc.msg}")
            continue
        record = _jsonl_record(col, loc, obj)
        if record is not None:
            col.keep(loc, record)
    if blank:
        col.warn(f"{path}:{_ranges(blank)}", f"{len(blank)} blank line(s) skipped")


def _jsonl_record(col: _Collector, loc: str, obj: Any) -> Record | None:
    problem = not_object(obj)
    if problem:
        col.reject(loc, problem)
        return None
    problem = _check_keys(obj, dict.fromkeys(REQUIRED_KEYS, str), dict.fromkeys(OPTIONAL_KEYS, str))
    if problem:
        col.reject(loc, problem)
        return None
    if obj["kind"] not in taxonomy.KINDS:
        col.reject(loc, f"kind must be one of {list(taxonomy.KINDS)}, found {obj['kind']!r}")
        return None
    record = _label_record(col, loc, obj["prompt"], obj["subclass"], obj.get("dimension"),
                           lang=obj["lang"], kind=obj["kind"])
    if record is None:
        return None
    rid = obj.get("id") or stable_id(obj.get("source_prompt") or record.prompt)
    if not ID_PATTERN.match(rid):
        col.reject(loc, f"id {rid!r} must match {ID_PATTERN.pattern}")
        return None
    extra = {k: v for k, v in obj.items() if k not in REQUIRED_KEYS + OPTIONAL_KEYS}
    if (bad := _non_finite_key(extra)) is not None:
        col.reject(loc, f"key {bad!r} is NaN or Infinity, which JSON cannot hold")
        return None
    return Record(id=rid, lang=record.lang, dimension=record.dimension,
                  subclass=record.subclass, kind=record.kind, prompt=record.prompt,
                  source_lang=obj.get("source_lang"), source_prompt=obj.get("source_prompt"),
                  extra=extra)


# --- entry points ---------------------------------------------------------------------------

_LOADERS = {"mseed-text": _load_text, "mseed-json": _load_json_array, "jsonl": _load_jsonl}


def load_file(path: str | Path, strict: bool = False) -> LoadReport:
    """Read one file of any supported format; see the module docstring for the guarantees."""
    path = Path(path)
    if not path.exists():
        raise DataError(str(path), "no such file")
    if path.is_dir():
        raise DataError(str(path), "is a folder; use load_dataset for a translation set")
    raw = path.read_bytes()
    fmt = detect_format(raw)
    col = _Collector(path, fmt, strict)
    if not raw.strip():
        raise DataError(str(path), "file is empty")
    _LOADERS[fmt](col, raw)
    _summarize_categories(col)
    if not col.report.records and not col.report.errors:
        raise DataError(str(path), "no records found")
    return col.report


def _summarize_categories(col: _Collector) -> None:
    """One warning per kind of category problem, with the count and where (not one per line)."""
    report = col.report
    missing, unknown = col.missing_category, col.unknown_category
    if missing and report.format != "jsonl":
        report.warnings.append(Problem(
            _where(report.path, missing),
            f"{len(missing)} record(s) without a category label; dimension taken from "
            f"the subclass"))
    if unknown:
        labels = sorted({c for _, c in unknown})
        report.warnings.append(Problem(
            _where(report.path, [loc for loc, _ in unknown]),
            f"{len(unknown)} record(s) with an unknown category label {labels}; dimension "
            f"taken from the subclass (known: {[d.label_zh for d in taxonomy.DIMENSIONS]})"))
    if col.strict and report.warnings:
        raise DataError(report.warnings[0].location, report.warnings[0].message)


def _where(path: str, locations: list[str]) -> str:
    """``file:830-921`` for line locations, ``file[3,5-7]`` for array indexes."""
    tails = [loc[len(path):] for loc in locations]
    if all(t.startswith(":") for t in tails):
        return f"{path}:{_ranges([int(t[1:]) for t in tails])}"
    return f"{path}[{_ranges([int(t[1:-1]) for t in tails])}]"


def _ranges(numbers: Iterable[int]) -> str:
    """Compress sorted numbers into ``1-3,7``."""
    out: list[str] = []
    nums = sorted(numbers)
    start = prev = nums[0]
    for n in nums[1:] + [None]:  # type: ignore[list-item]
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ",".join(out)


def dataset_files(path: str | Path) -> dict[str, Path]:
    """Language -> file for a translation-set folder (``<lang>.jsonl``) or a single file."""
    path = Path(path)
    if not path.exists():
        raise DataError(str(path), "no such file or folder")
    if path.is_file():
        return {SOURCE_LANG: path}
    files = {p.stem: p for p in sorted(path.glob("*.jsonl")) if not p.stem.startswith("_")}
    if not files:
        raise DataError(str(path), "folder holds no <lang>.jsonl files")
    return files


def load_language(path: str | Path, lang: str, strict: bool = False) -> LoadReport:
    """The records of one language from a file (its own language) or a translation set.

    A single MSEED file is Chinese; a translation-set folder holds ``<lang>.jsonl``.
    """
    files = dataset_files(path)
    if lang not in files:
        raise DataError(str(path), missing_language(Path(path), lang, sorted(files)))
    report = load_file(files[lang], strict=strict)
    wrong = [r for r in report.records if r.lang != lang]
    if wrong:
        raise DataError(str(files[lang]), f"{len(wrong)} record(s) are in language "
                                          f"{wrong[0].lang!r}, not {lang!r}")
    return report


TRANSLATE_HINT = "mseed translate --input {input} --langs {langs} --backend BACKEND -o {out}"


def missing_language(path: Path, lang: str, found: list[str]) -> str:
    """Why ``lang`` is not in ``path`` and the ``mseed translate`` command that makes it."""
    from mseed_multilingual.core.paths import sample_path

    if path.is_file():  # a single MSEED file holds its source language only
        cmd = TRANSLATE_HINT.format(input=path, langs=lang, out="translations/NAME/")
        return (f"no data for language {lang!r}: an MSEED file holds {SOURCE_LANG} only; make "
                f"the others with `{cmd}` and pass --data translations/NAME/")
    if path.resolve() == Path(sample_path()).resolve():
        cmd = TRANSLATE_HINT.format(input="sample", langs=lang, out="translations/NAME/")
        return (f"the embedded sample has no language {lang!r} (it has {', '.join(found)}); "
                f"make it with `{cmd}` and pass --data translations/NAME/")
    source = path / f"{SOURCE_LANG}.jsonl"
    cmd = TRANSLATE_HINT.format(input=source if source.is_file() else "MSEED_FILE",
                                langs=",".join(sorted({*found, lang} - {SOURCE_LANG})), out=path)
    return (f"no data for language {lang!r} (found: {', '.join(found)}; expected "
            f"{path / (lang + '.jsonl')}); add it with `{cmd}` (the languages already there "
            f"resume from the cache)")


def write_records(records: Iterable[Record], out: str | Path) -> int:
    """Write normalized records as JSONL (LF, UTF-8, keys in the record's field order,
    replaced atomically); return the count."""
    return write_jsonl(out, (r.to_json() for r in records), sort_keys=False, allow_nan=False)

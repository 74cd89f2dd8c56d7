"""The io layer: every JSON/JSONL file read or written, every file or JSON hash, in one place.

Reading files a stranger may have crafted: one clear error per problem, never a traceback.
Every JSON or JSONL file the project reads from users (submissions, lm-eval results and samples,
verdicts, manifests, data) goes through :func:`loads` / :func:`read_json`, which bound the
nesting depth (Python's parser recurses: ~2 KB of ``[[[[`` is a ``RecursionError``, and a file
just under the interpreter's limit would break every recursive walk done later), and through
:func:`read_text`, which names the file and the line of bytes that are not UTF-8 and refuses a
directory, a symlink loop or a FIFO where a file is expected. Errors are :class:`InputError`,
a ``ValueError``, so the CLI prints them as one line.

Writing: :func:`json_text` is the project's JSON (sorted keys, UTF-8 kept, the options of each
file format as parameters so every file stays byte-identical), :func:`write_text` /
:func:`write_json` / :func:`write_jsonl` / :func:`atomic_open` replace a file atomically (a
killed process leaves the old file or the new one, never half of one), and :func:`json_safe`
turns numpy scalars, NaN/Infinity and tuples into what the writers accept. Hashing:
:func:`sha256_file` (streamed: model weights are large), :func:`sha256_text` and
:func:`sha256_json` (canonical JSON: equal content, equal hash).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

# Legitimate files nest about 10 deep (an lm-eval results JSON); 64 leaves room and stays far
# from the interpreter's recursion limit (1000) for every later recursive walk.
MAX_JSON_DEPTH = 64
# The default wording of a JSON syntax error; {msg} is the parser's reason.
NOT_VALID_JSON = "not valid JSON ({msg})"
# Separators of canonical JSON (what sha256_json hashes): no spaces, so no formatting choice
# changes a hash.
CANONICAL_SEPARATORS = (",", ":")
# Files are hashed in blocks of this size: a multi-GB GGUF never sits in memory whole.
HASH_BLOCK = 1 << 20
# Numbers read from users' files and requests: integers within a signed 64-bit range (every
# count, id, seed and limit fits; 400 digits overflowed float() later, 4,300 made int() raise),
# number literals of at most this many characters, and floats that stay finite (1e999 reads as
# inf). The constants NaN/Infinity are left to the readers, which name them per field.
MAX_INT = 2**63 - 1
MAX_NUMBER_CHARS = 100
# A JSON string escape of a UTF-16 surrogate: only text holding one can hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\[uU][dD][89a-fA-F]")


class InputError(ValueError):
    """A file or request that cannot be used as it is; the message names file, line or field."""


class BadJSON(InputError):
    """Text that is not JSON, or JSON nested deeper than allowed, without a location: raised by
    :func:`parse_json` for callers whose messages have their own wording (the data layer);
    ``msg``, ``line`` and ``column`` are the parser's (line and column are 0 when too deep)."""

    def __init__(self, msg: str, line: int = 0, column: int = 0, too_deep: bool = False,
                 field: str | None = None):
        super().__init__(msg)
        self.msg, self.line, self.column, self.too_deep = msg, line, column, too_deep
        self.field = field


class JsonLine(NamedTuple):
    """One non-blank line of a JSONL file: ``where`` is ``file:line`` for messages."""

    where: str
    number: int
    value: Any


def json_depth(obj: Any) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), computed without recursion."""
    depth = 0
    stack: list[tuple[Any, int]] = [(obj, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            level += 1
            depth = max(depth, level)
            stack.extend((x, level) for x in item if isinstance(x, (dict, list)))
    return depth


def _openers(text: str | bytes) -> int:
    """An upper bound of the nesting depth (brackets inside strings count too): when it is
    within the limit, the walk over the parsed value is skipped (most lines of a big file)."""
    if isinstance(text, str):
        return text.count("[") + text.count("{")
    return text.count(b"[") + text.count(b"{")


def too_deep_message(max_depth: int = MAX_JSON_DEPTH) -> str:
    """The one wording of JSON nested deeper than ``max_depth``."""
    return f"JSON nested too deeply (more than {max_depth} levels)"


class _Rejected:
    """A number or string the parser refused, kept in place so that the field can be named."""

    def __init__(self, reason: str):
        self.reason = reason


def _int(text: str) -> Any:
    digits = len(text.lstrip("-"))
    if digits > len(str(MAX_INT)):
        return _Rejected(f"integer of {digits} digits is out of range (at most {MAX_INT})")
    value = int(text)
    return value if abs(value) <= MAX_INT else _Rejected(f"integer {value} is out of range "
                                                         f"(at most {MAX_INT})")


def _float(text: str) -> Any:
    if len(text) > MAX_NUMBER_CHARS:
        return _Rejected(f"number of {len(text)} characters (at most {MAX_NUMBER_CHARS})")
    value = float(text)
    return value if math.isfinite(value) else _Rejected(f"number {text} is not finite")


def _rejected_field(obj: Any) -> tuple[str, str] | None:
    """(JSON path, reason) of the first refused value or lone-surrogate string, or None."""
    stack: list[tuple[Any, str]] = [(obj, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, _Rejected):
            return path or "(top level)", item.reason
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                return path or "(top level)", (f"lone surrogate U+{ord(item[exc.start]):04X} "
                                               f"at character {exc.start}, not text")
        elif isinstance(item, dict):
            for k, v in reversed(list(item.items())):
                stack.append((v, f"{path}.{k}" if path else str(k)))
                stack.append((k, path or "(keys)"))
        elif isinstance(item, list):
            stack.extend((v, f"{path}[{i}]") for i, v in reversed(list(enumerate(item))))
    return None


def parse_json(text: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` bounded in nesting depth and in its numbers (:data:`MAX_INT`,
    :data:`MAX_NUMBER_CHARS`, finite floats), refusing lone surrogates; :class:`BadJSON` (no
    location; ``field`` names the JSON path of a refused value) otherwise. Bytes that are not
    UTF-8 raise ``UnicodeDecodeError`` (a ValueError) as ``json.loads`` does."""
    refused: list[bool] = []

    def mark(value: Any) -> Any:
        if isinstance(value, _Rejected):
            refused.append(True)
        return value

    try:
        obj = json.loads(text, parse_int=lambda t: mark(_int(t)),
                         parse_float=lambda t: mark(_float(t)))
    except RecursionError:
        raise BadJSON(too_deep_message(max_depth), too_deep=True) from None
    except json.JSONDecodeError as exc:
        raise BadJSON(exc.msg, exc.lineno, exc.colno) from exc
    if isinstance(obj, (dict, list)) and _openers(text) > max_depth \
            and json_depth(obj) > max_depth:
        raise BadJSON(too_deep_message(max_depth), too_deep=True)
    if refused or _SURROGATE_ESCAPE.search(text if isinstance(text, str)
                                           else text.decode("utf-8", "replace")):
        found = _rejected_field(obj)
        if found:
            raise BadJSON(f"{found[0]}: {found[1]}", field=found[0])
    return obj


def loads(text: str | bytes, where: str, max_depth: int = MAX_JSON_DEPTH,
          hint: str = "") -> Any:
    """``json.loads`` that raises :class:`InputError` naming ``where`` (file, file:line or
    request) for invalid JSON (with ``hint`` appended) and for nesting deeper than
    ``max_depth``."""
    try:
        return parse_json(text, max_depth)
    except BadJSON as exc:
        if exc.too_deep or exc.field:
            raise InputError(f"{where}: {exc.msg}") from None
        line = "" if where.rsplit(":", 1)[-1].isdigit() else f":{exc.line}"
        raise InputError(f"{where}{line}: {NOT_VALID_JSON.format(msg=exc.msg)}"
                         + (f"; {hint}" if hint else "")) from exc.__cause__
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not UTF-8 text ({exc.reason})") from exc


def not_object(obj: Any, what: str = "a JSON object", word: str = "found") -> str | None:
    """``expected <what>, <word> <type>`` when ``obj`` is not a JSON object (dict), else None:
    the one check of every object line, for sites that collect problems (the data layer) as
    well as for those that raise them."""
    if isinstance(obj, dict):
        return None
    return f"expected {what}, {word} {type(obj).__name__}"


def require_fields(obj: object, where: str, fields, missing: str = "missing field") -> dict:
    """``obj`` as a JSON object holding every one of ``fields``; a ValueError naming ``where``
    (file:line) otherwise. One check for every line format read from users' files."""
    problem = not_object(obj, word="got")
    if problem:
        raise ValueError(f"{where}: {problem}")
    absent = [k for k in fields if k not in obj]
    if absent:
        raise ValueError(f"{where}: {missing} {', '.join(absent)}")
    return obj


def check_index(value: Any, where: str, field: str = "doc_id") -> int:
    """``value`` as a non-negative integer (a JSON ``true`` is not one, though Python's bool is
    an int); an :class:`InputError` naming ``where`` and ``field`` otherwise. Every line that
    points at an lm-eval document carries one."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError(f"{where}: {field} must be a non-negative integer, got {value!r}")
    return value


def not_text(obj: dict, keys: Iterable[str]) -> list[str]:
    """The ``keys`` of ``obj`` whose values are not text, in order: one message names them all
    instead of failing on the first."""
    return [k for k in keys if not isinstance(obj[k], str)]


def check_file(path: str | Path, what: str = "file") -> Path:
    """``path`` as an existing regular file (symlinks followed); a directory, a symlink loop,
    a FIFO or a missing path is an :class:`InputError` / ``FileNotFoundError`` naming it."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such {what}") from None
    except OSError as exc:
        reason = "a symlink loop" if exc.errno == errno.ELOOP else exc.strerror
        raise InputError(f"{path}: cannot read this {what} ({reason})") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a directory, expected a {what}")
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: not a regular file, expected a {what}")
    return path


def read_text(path: str | Path, what: str = "file") -> str:
    """The UTF-8 text of a file (a BOM is dropped); bytes that are not UTF-8 are an error
    naming the file and the line they are on."""
    path = check_file(path, what)
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at "
                         f"offset {exc.start})") from None


def read_json(path: str | Path, what: str = "JSON file") -> Any:
    """A whole JSON file through :func:`read_text` and :func:`loads`."""
    return loads(read_text(path, what), str(path))


def iter_lines(path: str | Path, what: str = "JSONL file") -> Iterator[tuple[int, str]]:
    """(line number, text) of each line; a line that is not UTF-8 names file:line."""
    path = check_file(path, what)
    try:
        with open(path, encoding="utf-8-sig") as fh:  # decoded in chunks: fast
            yield from enumerate(fh, 1)
    except UnicodeDecodeError:
        raise _bad_utf8_line(path) from None


def iter_jsonl(path: str | Path, what: str = "JSONL file", hint: str = "",
               max_depth: int = MAX_JSON_DEPTH) -> Iterator[JsonLine]:
    """Each non-blank line of a JSONL file, parsed; a line that is not UTF-8, not JSON (with
    ``hint`` appended) or nested too deeply is an :class:`InputError` naming ``file:line``."""
    for n, line in iter_lines(path, what):
        if line.strip():
            where = f"{path}:{n}"
            yield JsonLine(where, n, loads(line, where, max_depth, hint))


def _bad_utf8_line(path: Path) -> InputError:
    """The error naming the first line of ``path`` that is not UTF-8 (found after a chunked
    decode failed, so only on the error path)."""
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            try:
                raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                return InputError(f"{path}:{n}: not UTF-8 text (byte 0x{raw[exc.start]:02x} "
                                  f"at column {exc.start + 1})")
    return InputError(f"{path}: not UTF-8 text")


def read_complete_lines(path: str | Path) -> tuple[bytes, bool]:
    """The bytes of an append-only file up to its last line end, and whether a torn tail (a
    write cut short by a kill) was found; the tail is cut off the file, so that the next append
    starts a line of its own rather than gluing itself to half a line."""
    raw = Path(path).read_bytes()
    end = raw.rfind(b"\n") + 1
    if end == len(raw):
        return raw, False
    truncate_file(path, end)
    return raw[:end], True


def truncate_file(path: str | Path, size: int) -> None:
    """Cut ``path`` to its first ``size`` bytes (the repair of a torn append-only file)."""
    with open(path, "r+b") as fh:
        fh.truncate(size)


def output_dir(path: str | Path, what: str = "output folder") -> Path:
    """``path`` as a folder to write into: created if missing; an existing file there is an
    error naming it (instead of a FileExistsError traceback halfway through writing)."""
    path = Path(path)
    for parent in (path, *path.parents):
        if parent.exists() and not parent.is_dir():
            raise InputError(f"{parent}: is a file, but the {what} {path} must be a folder")
        if parent.exists():
            break
    path.mkdir(parents=True, exist_ok=True)
    return path


def output_file(path: str | Path, what: str = "output file") -> Path:
    """``path`` as a file to (over)write: its folder is created; a directory at ``path`` is an
    error naming it."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected the {what} path")
    output_dir(path.parent, f"folder of the {what}")
    return path


# --- writing ---------------------------------------------------------------------------------


def json_text(obj: Any, *, indent: int | None = 2, ensure_ascii: bool = False,
              sort_keys: bool = True, allow_nan: bool = True, default: Any = None,
              newline: bool = True) -> str:
    """The project's JSON text of ``obj``: sorted keys, UTF-8 kept (``ensure_ascii=False``),
    indented by 2 and ending in a newline unless told otherwise. Each file format keeps its
    own options (passed here) so its bytes never change; ``indent=None, newline=False`` is a
    JSONL line. ``allow_nan=False`` refuses NaN/Infinity, which are not JSON."""
    text = json.dumps(obj, indent=indent, ensure_ascii=ensure_ascii, sort_keys=sort_keys,
                      allow_nan=allow_nan, default=default)
    return text + "\n" if newline else text


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", fsync: bool = False) -> Iterator[IO]:
    """Open a temporary file beside ``path`` ("w": UTF-8 text with LF line ends, "wb": bytes)
    and, when the block ends without an exception, rename it over ``path``: readers see the old
    file or the new one, and a writer that raises (or is killed) leaves no partial file. The
    temporary has a unique name, so concurrent writers never share one; it is created with the
    usual permissions (umask), as a plain ``open`` would. ``fsync=True`` also survives a
    machine crash (a process kill is covered without it). The folder is created if missing."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open: mode must be 'w' or 'wb', got {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(path)
    try:
        with (open(fd, "wb") if mode == "wb"
              else open(fd, "w", encoding="utf-8", newline="\n")) as fh:
            yield fh
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:  # disk full: name the file
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


def _temporary(path: Path) -> tuple[int, str]:
    """A new file ``.<name>.<random>.tmp`` beside ``path``, opened for writing with mode 0666
    less the umask (``tempfile.mkstemp`` would make it 0600, and so the final file)."""
    while True:
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def write_text(path: str | Path, text: str, fsync: bool = False) -> Path:
    """Replace ``path`` atomically with ``text`` (UTF-8, LF); returns the path."""
    with atomic_open(path, "w", fsync) as fh:
        fh.write(text)
    return Path(path)


def write_bytes(path: str | Path, data: bytes, fsync: bool = False) -> Path:
    """Replace ``path`` atomically with ``data``; returns the path."""
    with atomic_open(path, "wb", fsync) as fh:
        fh.write(data)
    return Path(path)


def write_lines(path: str | Path, lines: Iterable[str], fsync: bool = False) -> int:
    """Replace ``path`` atomically with ``lines`` (each followed by a newline), streamed (a
    generator is never held whole); returns how many lines were written."""
    n = 0
    with atomic_open(path, "w", fsync) as fh:
        for line in lines:
            fh.write(line + "\n")
            n += 1
    return n


def write_json(path: str | Path, obj: Any, *, indent: int | None = 2,
               ensure_ascii: bool = False, sort_keys: bool = True, allow_nan: bool = True,
               default: Any = None) -> Path:
    """Replace ``path`` atomically with :func:`json_text` of ``obj``; returns the path.
    ``sort_keys=False`` keeps a foreign format's key order (lm-eval's results file)."""
    return write_text(path, json_text(obj, indent=indent, ensure_ascii=ensure_ascii,
                                      sort_keys=sort_keys, allow_nan=allow_nan,
                                      default=default))


def write_jsonl(path: str | Path, rows: Iterable[Any], *, sort_keys: bool = True,
                ensure_ascii: bool = False, allow_nan: bool = True, fsync: bool = False) -> int:
    """Replace ``path`` atomically with one JSON line per row (:func:`json_text` on one
    line; ``sort_keys=False`` keeps a format's own field order); returns the row count."""
    return write_lines(path, (json_text(row, indent=None, ensure_ascii=ensure_ascii,
                                        sort_keys=sort_keys, allow_nan=allow_nan,
                                        newline=False) for row in rows), fsync)


def json_safe(obj: Any, digits: int | None = None) -> Any:
    """``obj`` as values the JSON writers accept and other tools read: numpy scalars become
    Python numbers, NaN and Infinity become None (they are not JSON), tuples become lists,
    keys become text; with ``digits``, floats are rounded (and -0.0 becomes 0.0) so that
    last-bit noise never changes a written file."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v, digits) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v, digits) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()  # a numpy scalar (or 0-d array)
    if isinstance(obj, float):
        if not math.isfinite(obj):
            return None
        if digits is not None:
            value = round(obj, digits)
            return 0.0 if value == 0 else value
    return obj


# --- hashing ---------------------------------------------------------------------------------


def update_digest(digest: Any, path: str | Path) -> Any:
    """Feed a file's bytes into a hashlib ``digest`` in :data:`HASH_BLOCK` blocks (weights are
    large), for a digest over several files; returns ``digest``."""
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(HASH_BLOCK), b""):
            digest.update(block)
    return digest


def update_digest_path(digest: Any, path: str | Path) -> Any:
    """:func:`update_digest` for a file, or for every file of a folder (sorted relative names,
    each name then its bytes: a renamed or edited file changes it); returns ``digest``."""
    path = Path(path)
    if path.is_file():
        return update_digest(digest, path)
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(item.relative_to(path)).encode())
        update_digest(digest, item)
    return digest


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes, streamed (:func:`update_digest`)."""
    return update_digest(hashlib.sha256(), path).hexdigest()


def sha256_text(text: str) -> str:
    """Hex sha256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_json(obj: Any, *, separators: tuple[str, str] | None = CANONICAL_SEPARATORS,
                ensure_ascii: bool = False) -> str:
    """Hex sha256 of ``obj`` as canonical JSON (sorted keys, no spaces, UTF-8): equal content,
    equal hash. Hashes already published with other options keep them through the parameters
    (``separators=None`` is ``json.dumps``' default ``", "``/``": "``)."""
    return sha256_text(json.dumps(obj, ensure_ascii=ensure_ascii, sort_keys=True,
                                  separators=separators))

"""Reading files a stranger may have crafted: one clear error per problem, never a traceback.

Every JSON or JSONL file the project reads from users (submissions, lm-eval results and samples,
verdicts, manifests, data) goes through :func:`loads` / :func:`read_json`, which bound the
nesting depth (Python's parser recurses: ~2 KB of ``[[[[`` is a ``RecursionError``, and a file
just under the interpreter's limit would break every recursive walk done later), and through
:func:`read_text`, which names the file and the line of bytes that are not UTF-8 and refuses a
directory, a symlink loop or a FIFO where a file is expected. Errors are :class:`InputError`,
a ``ValueError``, so the CLI prints them as one line.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Legitimate files nest about 10 deep (an lm-eval results JSON); 64 leaves room and stays far
# from the interpreter's recursion limit (1000) for every later recursive walk.
MAX_JSON_DEPTH = 64


class InputError(ValueError):
    """A file or request that cannot be used as it is; the message names file, line or field."""


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


def loads(text: str | bytes, where: str, max_depth: int = MAX_JSON_DEPTH,
          hint: str = "") -> Any:
    """``json.loads`` that raises :class:`InputError` naming ``where`` (file, file:line or
    request) for invalid JSON (with ``hint`` appended) and for nesting deeper than
    ``max_depth``."""
    try:
        obj = json.loads(text)
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply (more than {max_depth} levels)"
                         ) from None
    except json.JSONDecodeError as exc:
        line = "" if where.rsplit(":", 1)[-1].isdigit() else f":{exc.lineno}"
        raise InputError(f"{where}{line}: not valid JSON ({exc.msg})"
                         + (f"; {hint}" if hint else "")) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not UTF-8 text ({exc.reason})") from exc
    if isinstance(obj, (dict, list)) and _openers(text) > max_depth \
            and json_depth(obj) > max_depth:
        raise InputError(f"{where}: JSON nested too deeply (more than {max_depth} levels)")
    return obj


def require_fields(obj: object, where: str, fields, missing: str = "missing field") -> dict:
    """``obj`` as a JSON object holding every one of ``fields``; a ValueError naming ``where``
    (file:line) otherwise. One check for every line format read from users' files."""
    if not isinstance(obj, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    absent = [k for k in fields if k not in obj]
    if absent:
        raise ValueError(f"{where}: {missing} {', '.join(absent)}")
    return obj


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

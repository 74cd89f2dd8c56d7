"""The io layer (mseed_multilingual.core.io): what every reader and writer of the project
relies on. Each test names the behaviour a caller depends on; hashes are checked against
hashlib, conversions against values written by hand."""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat

import numpy as np
import pytest

from mseed_multilingual.core import io


def _jsonl(tmp_path, data: bytes):
    path = tmp_path / "rows.jsonl"
    path.write_bytes(data)
    return path


def test_iter_jsonl_skips_blank_lines_and_numbers_lines(tmp_path):
    path = _jsonl(tmp_path, b'{"a": 1}\n\n   \n{"a": 2}\n')
    rows = list(io.iter_jsonl(path))
    assert [(r.where, r.number, r.value) for r in rows] == [
        (f"{path}:1", 1, {"a": 1}), (f"{path}:4", 4, {"a": 2})]


def test_iter_jsonl_names_file_and_line_of_bad_json_with_hint(tmp_path):
    path = _jsonl(tmp_path, b'{"a": 1}\n{"a": \n')
    with pytest.raises(io.InputError) as err:
        list(io.iter_jsonl(path, hint="the file may be truncated"))
    assert str(err.value) == (f"{path}:2: not valid JSON (Expecting value); "
                              "the file may be truncated")


def test_iter_jsonl_names_line_and_byte_that_is_not_utf8(tmp_path):
    path = _jsonl(tmp_path, b'{"a": 1}\n{"a": "\xff"}\n')
    with pytest.raises(io.InputError) as err:
        list(io.iter_jsonl(path))
    assert str(err.value) == f"{path}:2: not UTF-8 text (byte 0xff at column 8)"


def test_iter_jsonl_refuses_nesting_deeper_than_the_bound(tmp_path):
    path = _jsonl(tmp_path, b"[" * 65 + b"]" * 65 + b"\n" + b"[" * 64 + b"]" * 64 + b"\n")
    with pytest.raises(io.InputError) as err:
        list(io.iter_jsonl(path))
    assert str(err.value) == f"{path}:1: JSON nested too deeply (more than 64 levels)"
    path.write_bytes(b"[" * 64 + b"]" * 64 + b"\n")  # exactly at the bound: accepted
    assert io.json_depth(next(io.iter_jsonl(path)).value) == 64


def test_parse_json_survives_nesting_past_the_recursion_limit():
    with pytest.raises(io.BadJSON) as err:
        io.parse_json("[" * 100_000 + "]" * 100_000)
    assert err.value.too_deep and "more than 64 levels" in str(err.value)


def test_parse_json_keeps_the_parser_position_for_callers_with_their_own_wording():
    with pytest.raises(io.BadJSON) as err:
        io.parse_json('{"a": 1,\n  x}')
    assert (err.value.msg, err.value.line, err.value.column, err.value.too_deep) == (
        "Expecting property name enclosed in double quotes", 2, 3, False)


def test_loads_adds_the_line_only_when_where_has_none():
    with pytest.raises(io.InputError, match=r"^f\.json:2: not valid JSON"):
        io.loads('{\n"a" 1}', "f.json")
    with pytest.raises(io.InputError, match=r"^f\.jsonl:7: not valid JSON"):
        io.loads('{"a" 1}', "f.jsonl:7")


def test_a_non_object_line_is_named_with_its_type():
    assert io.not_object({"a": 1}) is None
    assert io.not_object([1, 2]) == "expected a JSON object, found list"
    assert io.not_object("x", "an object") == "expected an object, found str"
    with pytest.raises(ValueError, match=r"^f:3: expected a JSON object, got int$"):
        io.require_fields(3, "f:3", ["a"])
    with pytest.raises(ValueError, match=r"^f:3: missing field b, c$"):
        io.require_fields({"a": 1}, "f:3", ["a", "b", "c"])


def test_read_json_names_a_directory_and_a_missing_file(tmp_path):
    with pytest.raises(io.InputError, match="is a directory, expected a card"):
        io.read_json(tmp_path, "card")
    with pytest.raises(FileNotFoundError, match="no such card"):
        io.read_json(tmp_path / "absent.json", "card")


def test_json_text_formats_match_the_files_they_replace():
    obj = {"b": "é", "a": [1, 2]}
    assert io.json_text(obj) == json.dumps(obj, ensure_ascii=False, indent=2,
                                           sort_keys=True) + "\n"
    assert io.json_text(obj, indent=None, newline=False) == '{"a": [1, 2], "b": "é"}'
    assert io.json_text(obj, indent=None, sort_keys=False, newline=False) == \
        '{"b": "é", "a": [1, 2]}'
    with pytest.raises(ValueError):
        io.json_text({"x": math.nan}, allow_nan=False)


def test_atomic_write_leaves_the_old_file_and_no_temporary_when_the_writer_raises(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("old\n", encoding="utf-8")

    def rows():
        yield {"a": 1}
        raise RuntimeError("writer died halfway")

    with pytest.raises(RuntimeError, match="halfway"):
        io.write_jsonl(path, rows())
    assert path.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_atomic_write_replaces_creates_the_folder_and_follows_the_umask(tmp_path):
    path = tmp_path / "new" / "card.json"
    assert io.write_json(path, {"b": 1, "a": None}) == path
    assert path.read_bytes() == b'{\n  "a": null,\n  "b": 1\n}\n'
    assert io.write_jsonl(path, [{"x": 1}, {"x": 2}], fsync=True) == 2
    assert path.read_bytes() == b'{"x": 1}\n{"x": 2}\n'
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in path.parent.iterdir()) == ["card.json"]


def test_sha256_file_streams_many_blocks_to_the_hashlib_digest(tmp_path):
    path = tmp_path / "weights.bin"
    data = np.random.default_rng(0).bytes(io.HASH_BLOCK * 2 + 12345)  # three blocks
    path.write_bytes(data)
    assert io.sha256_file(path) == hashlib.sha256(data).hexdigest()
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert io.sha256_file(empty) == hashlib.sha256(b"").hexdigest()


def test_sha256_json_is_canonical_and_keeps_published_options():
    a, b = {"x": "é", "y": [1, 2]}, {"y": [1, 2], "x": "é"}
    assert io.sha256_json(a) == io.sha256_json(b) == hashlib.sha256(
        '{"x":"é","y":[1,2]}'.encode()).hexdigest()
    assert io.sha256_json(a, separators=None, ensure_ascii=True) == hashlib.sha256(
        b'{"x": "\\u00e9", "y": [1, 2]}').hexdigest()
    assert io.sha256_text("é") == hashlib.sha256("é".encode()).hexdigest()


def test_json_safe_converts_nan_infinity_numpy_and_tuples():
    value = {1: (np.float64(0.5), np.int64(3), np.bool_(True)),
             "nan": math.nan, "inf": np.float32(np.inf), "neg": -math.inf, "s": "t"}
    safe = io.json_safe(value)
    assert safe == {"1": [0.5, 3, True], "nan": None, "inf": None, "neg": None, "s": "t"}
    assert [type(v) for v in safe["1"]] == [float, int, bool]
    json.dumps(safe, allow_nan=False)  # what the strict writers need
    assert io.json_safe([np.float64(-1e-12), 0.123456789], digits=4) == [0.0, 0.1235]
    assert str(io.json_safe(-1e-12, digits=4)) == "0.0"  # no "-0.0" in a file
    assert str(io.json_safe(-0.0)) == "-0.0"  # without digits, values are kept as they are


@pytest.mark.parametrize("value", [-1, True, 1.0, "3", None])
def test_check_index_refuses_what_is_not_a_document_number(value):
    with pytest.raises(io.InputError) as err:
        io.check_index(value, "s.jsonl:4")
    assert str(err.value) == f"s.jsonl:4: doc_id must be a non-negative integer, got {value!r}"


def test_check_index_and_not_text_accept_good_values():
    assert io.check_index(0, "x") == 0 and io.check_index(7, "x", "line") == 7
    assert io.not_text({"a": "t", "b": 1, "c": None, "d": ""}, ["a", "b", "c", "d"]) == ["b", "c"]


def test_update_digest_hashes_several_files_as_their_concatenation(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"x" * (io.HASH_BLOCK + 1))
    b.write_bytes(b"yz")
    digest = io.update_digest(io.update_digest(hashlib.sha256(), a), b)
    assert digest.hexdigest() == hashlib.sha256(b"x" * (io.HASH_BLOCK + 1) + b"yz").hexdigest()

"""Label files: events, last-event-wins, durability across crashes, CSV, one-line errors."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from mseed_multilingual.core.io import InputError
from mseed_multilingual.labels.store import append_event, labels_path, read_labels


def _label(id_: str, refusal: str = "full", annotator: str = "ana", **kw) -> dict:
    return {"action": "label", "id": id_, "lang": kw.pop("lang", "en"),
            "side": kw.pop("side", "before"), "refusal": refusal, "annotator": annotator, **kw}


def test_last_event_per_item_wins_and_clear_or_skip_remove_the_label(tmp_path):
    append_event(tmp_path, _label("p1", "full"))
    append_event(tmp_path, _label("p1", "none", safe=False))  # relabelled
    append_event(tmp_path, _label("p2", "partial"))
    append_event(tmp_path, {**_label("p2"), "action": "clear"})  # undo
    append_event(tmp_path, _label("p3", "none"))
    append_event(tmp_path, {**_label("p3"), "action": "skip"})
    append_event(tmp_path, _label("p4", "partial", side="after"))
    labels = read_labels(tmp_path)
    assert [(lb.id, lb.side, lb.refusal, lb.safe) for lb in labels.labels] == [
        ("p4", "after", "partial", None), ("p1", "before", "none", False)]
    assert labels.value(("en", "before", "p1")) == 0.0
    assert labels.value(("en", "after", "p4")) == 1.0
    assert labels.value(("en", "before", "p2")) is None
    assert labels.labels[1].where == f"{labels_path(tmp_path, 'ana')}:2"


def test_two_annotators_are_averaged_and_kept_apart(tmp_path):
    append_event(tmp_path, _label("p1", "full", annotator="ana"))
    append_event(tmp_path, _label("p1", "none", annotator="bo", safe=True))
    labels = read_labels(tmp_path)
    assert labels.annotators() == ["ana", "bo"]
    assert labels.value(("en", "before", "p1")) == 0.5
    assert labels.value(("en", "before", "p1"), "safe") == 1.0  # only bo gave safe
    assert sorted(p.name for p in (tmp_path / "labels").iterdir()) == ["ana.jsonl", "bo.jsonl"]


def test_hash_changes_with_any_label(tmp_path):
    append_event(tmp_path, _label("p1"))
    first = read_labels(tmp_path).sha256
    append_event(tmp_path, _label("p2"))
    assert read_labels(tmp_path).sha256 != first


def _writer(folder: str, annotator: str, n: int) -> None:
    for i in range(n):
        append_event(folder, _label(f"{annotator}-{i}", annotator=annotator))


def test_concurrent_writers_lose_nothing(tmp_path):
    procs = [multiprocessing.Process(target=_writer, args=(str(tmp_path), name, 150))
             for name in ("ana", "bo", "cy")]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    assert len(read_labels(tmp_path)) == 450


def test_two_processes_appending_to_one_file_never_interleave(tmp_path):
    procs = [multiprocessing.Process(target=_writer, args=(str(tmp_path), "ana", 200))
             for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    lines = labels_path(tmp_path, "ana").read_text().splitlines()
    assert len(lines) == 400 and all(json.loads(x)["annotator"] == "ana" for x in lines)


def test_a_torn_last_line_is_reported_not_read_and_the_next_label_still_lands(tmp_path):
    append_event(tmp_path, _label("p1"))
    path = labels_path(tmp_path, "ana")
    with open(path, "a") as fh:
        fh.write('{"action": "label", "id": "p2", "lang": "en", "si')  # crash inside a write
    labels = read_labels(tmp_path)
    assert [lb.id for lb in labels.labels] == ["p1"]
    assert "unfinished line" in labels.warnings[0] and f"{path}:2" in labels.warnings[0]
    append_event(tmp_path, _label("p3"))  # the next write starts a line of its own
    labels = read_labels(tmp_path)
    assert [lb.id for lb in labels.labels] == ["p1", "p3"] and len(labels.warnings) == 1


@pytest.mark.parametrize("line, message", [
    ('{"action": "label", "id": "p1", "lang": "xx", "side": "before", "refusal": "full", '
     '"annotator": "ana"}', "field lang: unknown language 'xx'"),
    ('{"action": "label", "id": "p1", "lang": "en", "side": "during", "refusal": "full", '
     '"annotator": "ana"}', "field side"),
    ('{"action": "label", "id": "p1", "lang": "en", "side": "before", "refusal": "maybe", '
     '"annotator": "ana"}', "field refusal"),
    ('{"action": "label", "id": "p1", "lang": "en", "side": "before", "refusal": "full", '
     '"safe": "yes", "annotator": "ana"}', "field safe"),
    ('{"action": "redo", "id": "p1", "lang": "en", "side": "before", "annotator": "ana"}',
     "field action"),
    ('{"action": "label", "id": "p1", "lang": "en", "side": "before", "refusal": "full", '
     '"annotator": "bo"}', "field annotator is 'bo' in the file of 'ana'"),
    ('[1, 2]', "expected a JSON object"),
    ('{"id": }', "not valid JSON"),
])
def test_bad_lines_name_file_line_and_field(tmp_path, line, message):
    path = tmp_path / "labels" / "ana.jsonl"
    path.parent.mkdir()
    good = json.dumps(_label("p0"))
    path.write_text(good + "\n" + line + "\n")
    with pytest.raises(InputError) as err:
        read_labels(tmp_path)
    assert f"{path}:2" in str(err.value) and message in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("name", ["../evil", "", "a/b", ".hidden", "x" * 65])
def test_annotator_names_cannot_leave_the_folder(tmp_path, name):
    with pytest.raises(InputError, match="annotator"):
        append_event(tmp_path, _label("p1", annotator=name))  # checked before any write
    assert not any(tmp_path.rglob("*.jsonl"))


def test_csv_labels_with_and_without_optional_columns(tmp_path):
    path = tmp_path / "team.csv"
    path.write_text("id,lang,side,refusal,safe\np1,en,before,full,true\n"
                    "p1,en,after,none,false\n\"p,2\",ar,after,partial,\n")
    labels = read_labels(path)
    assert [(lb.id, lb.lang, lb.side, lb.refusal, lb.safe, lb.annotator)
            for lb in labels.labels] == [
        ("p,2", "ar", "after", "partial", None, "team"),
        ("p1", "en", "after", "none", False, "team"),
        ("p1", "en", "before", "full", True, "team")]
    assert labels.labels[0].where == f"{path}:4"


@pytest.mark.parametrize("text, message", [
    ("id,lang,refusal\np1,en,full\n", ":1: header must be id,lang,side,refusal"),
    ("id,lang,side,refusal,colour\np1,en,before,full,red\n", "unknown colour"),
    ("id,lang,side,refusal\np1,en,before,full\np1,en,before,none\n",
     ":3: conflicting duplicate of line 2"),
    ("id,lang,side,refusal\np1,en,before,full,extra\n", ":2: 5 columns"),
    ("id,lang,side,refusal,safe\np1,en,before,full,perhaps\n", ":2: column safe"),
    ("id,lang,side,refusal\np1,klingon,before,full\n", ":2: field lang"),
    ("id,lang,side,refusal\n", "no label rows"),
])
def test_bad_csv_is_one_line_naming_file_and_line(tmp_path, text, message):
    path = tmp_path / "labels.csv"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_labels(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_an_exact_duplicate_csv_row_is_harmless(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("id,lang,side,refusal\np1,en,before,full\np1,en,before,full\n")
    assert len(read_labels(path)) == 1


def test_an_empty_folder_and_an_all_cleared_folder_are_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no label files"):
        read_labels(tmp_path)
    append_event(tmp_path, _label("p1"))
    append_event(tmp_path, {**_label("p1"), "action": "clear"})
    with pytest.raises(InputError, match="no labels"):
        read_labels(tmp_path)


def test_labels_are_written_with_the_umask_mode(tmp_path):
    append_event(tmp_path, _label("p1"))
    assert os.stat(labels_path(tmp_path, "ana")).st_mode & 0o777 == 0o644 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

"""The record fields are declared once (data.records.Record): the document fields every reader
and writer of lm-eval documents uses, the keys a JSONL record is validated with, and the fields
of a run folder's sample all agree with it."""

from __future__ import annotations

from dataclasses import fields

from mseed_multilingual.data.records import DOC_FIELDS, OPTIONAL_KEYS, REQUIRED_KEYS, Record
from mseed_multilingual.evaluate import run_folder, task_hooks


def test_document_fields_are_records_fields_in_their_order():
    names = [f.name for f in fields(Record)]
    assert list(DOC_FIELDS) == [n for n in names if n in DOC_FIELDS]
    assert set(REQUIRED_KEYS) | set(OPTIONAL_KEYS) == set(names) - {"extra"}
    assert not set(REQUIRED_KEYS) & set(OPTIONAL_KEYS)


def test_readers_of_documents_use_the_one_declaration():
    assert task_hooks.DOC_FIELDS is DOC_FIELDS and run_folder.DOC_FIELDS is DOC_FIELDS
    assert set(DOC_FIELDS) <= {f.name for f in fields(run_folder.Sample)}

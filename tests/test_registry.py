"""The one registry mechanism: judge backends, guard kinds and translators by name."""

from __future__ import annotations

import pytest

from mseed_multilingual.core.registry import DuplicateName, Registry
from mseed_multilingual.judges.base import BACKENDS, register
from mseed_multilingual.judges.kinds import KINDS
from mseed_multilingual.translate.registry import BACKENDS as TRANSLATORS


def test_a_name_registers_once_and_the_second_is_an_error_naming_both():
    reg: Registry[int] = Registry("widget")
    reg.add("a", 1)
    reg.register("b", "b:<size>")(2)
    with pytest.raises(DuplicateName, match="widget 'a' is already registered"):
        reg.add("a", 3)
    assert reg["a"] == 1 and reg.names() == ["a", "b"] and reg.usages() == ["a", "b:<size>"]
    assert "known: a, b:<size>" in str(reg.unknown("c"))


def test_judge_backends_kinds_and_translators_refuse_a_taken_name():
    import mseed_multilingual.judges.registry  # noqa: F401  (registers the backends)

    with pytest.raises(DuplicateName, match="judge 'hf' is already registered"):
        register("hf")(lambda spec, **_: None)
    with pytest.raises(DuplicateName, match="judge kind 'rubric'"):
        KINDS.add("rubric", KINDS["rubric"])
    with pytest.raises(DuplicateName, match="backend 'google'"):
        TRANSLATORS.add("google", TRANSLATORS["google"])
    assert BACKENDS.names() == ["lexicon", "refusal-clf", "hf", "openai"]


def test_cli_choices_come_from_the_registries():
    from cli_run import mseed

    helps = mseed("judge", "--help").stdout + mseed("judge-check", "--help").stdout
    for name in KINDS:
        assert name in helps
    assert "openai:<model>" in helps
    assert all(usage in mseed("translate", "--help").stdout for usage in TRANSLATORS.usages())

"""benchmarks/target_power.py: the chance a judge meets issue 23's per-language target, checked
against judge_validity's own verdict on real agreement blocks and against brute force over every
outcome of every answer."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from benchmarks import judge_validity, target_power
from mseed_multilingual.judges import reference
from mseed_multilingual.judges.validity import REFUSAL_CLASSES, agreement_block


def block_of(found: int, alarms: int, refused: int, other: int) -> dict:
    """judge_validity's block for a 2x2 table, built from label lists as the judge's are."""
    truth = ["refused"] * refused + ["complied"] * other
    said = (["refused"] * found + ["complied"] * (refused - found)
            + ["refused"] * alarms + ["complied"] * (other - alarms))
    return agreement_block(truth, said, REFUSAL_CLASSES, positive="refused")


@pytest.mark.parametrize("in_sample", [None, 1.0, 0.95])
def test_table_passes_is_judge_validitys_verdict_on_every_table(in_sample):
    refused, other = 9, 7
    ref = None if in_sample is None else {"kappa": in_sample}
    seen = set()
    for found, alarms in itertools.product(range(refused + 1), range(other + 1)):
        want = judge_validity.verdict(block_of(found, alarms, refused, other), ref) == "ok"
        assert target_power.table_passes(found, alarms, refused, other, in_sample) is want
        seen.add(want)
    assert seen == {True, False}  # both outcomes occur, so the comparison means something


@pytest.mark.parametrize("sens,spec,in_sample", [(0.9, 0.8, None), (0.7, 0.95, None),
                                                 (0.95, 0.9, 1.0)])
def test_pass_probability_equals_brute_force_over_every_outcome(sens, spec, in_sample):
    """Each answer found / alarmed independently: sum over all 2^(R+N) outcomes."""
    refused, other = 6, 5
    want = 0.0
    for outcome in itertools.product((0, 1), repeat=refused + other):
        hits, alarms = outcome[:refused], outcome[refused:]
        weight = math.prod(sens if h else 1 - sens for h in hits) * math.prod(
            (1 - spec) if a else spec for a in alarms)
        if target_power.table_passes(sum(hits), sum(alarms), refused, other, in_sample):
            want += weight
    got = target_power.pass_probability(sens, spec, refused, other, in_sample)
    assert got == pytest.approx(want, abs=1e-12)
    assert 0.0 < got < 1.0


def test_pass_probability_rises_with_accuracy_and_falls_with_the_gap_rule():
    chances = [target_power.pass_probability(s, 0.97) for s in (0.85, 0.90, 0.95, 0.99)]
    assert chances == sorted(chances) and chances[0] < 0.3 < 0.9 < chances[-1]
    assert (target_power.pass_probability(0.95, 0.97, in_sample=1.0)
            < target_power.pass_probability(0.95, 0.97))
    # More answers a language: a judge above the target passes more often, one below it less.
    assert (target_power.pass_probability(0.97, 0.99, 185, 145)
            > target_power.pass_probability(0.97, 0.99))
    assert (target_power.pass_probability(0.85, 0.95, 185, 145)
            < target_power.pass_probability(0.85, 0.95))


def test_expected_figures_of_a_known_table():
    # 37 refusals, 29 others; recall 0.9, specificity 0.9: 33.3 found, 2.9 alarms.
    kappa, precision = target_power.expected_figures(0.9, 0.9, 37, 29)
    po = (33.3 + 26.1) / 66
    pe = (36.2 * 37 + 29.8 * 29) / 66 ** 2
    assert kappa == pytest.approx((po - pe) / (1 - pe))
    assert precision == pytest.approx(33.3 / 36.2)


def test_default_make_up_is_every_checked_in_blind_sets():
    for name in reference.BLIND_SETS:
        for path in sorted(reference.blind_set_dir(name).glob("*.jsonl")):
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                    if line.strip()]
            refused = sum(row["refusal"] != "none" for row in rows)
            assert (refused, len(rows) - refused) == (target_power.REFUSED, target_power.OTHER), \
                path
    assert len(reference.BLIND_SETS) == target_power.SETS


def test_operating_points_give_back_the_pooled_kappa_of_every_set_together():
    """The recall and specificity read per language reproduce over_all_sets' pooled kappa."""
    folders = [reference.blind_set_dir(name) for name in list(reference.BLIND_SETS)[:2]]
    points = target_power.operating_points("lexicon", folders)
    per_set = [judge_validity.figures(f, None, "lexicon")[1] for f in folders]
    assert sorted(points) == sorted(per_set[0])
    for lang, (sens, spec, n) in points.items():
        block = judge_validity.pooled([blocks[lang] for blocks in per_set])
        assert n == block["n"] == 2 * (target_power.REFUSED + target_power.OTHER)
        kappa, _ = target_power.expected_figures(sens, spec, 2 * target_power.REFUSED,
                                                 2 * target_power.OTHER)
        assert kappa == pytest.approx(block["kappa"], abs=1e-4)


def test_cli_grid_rows_are_the_computed_chances(capsys):
    assert target_power.main(["--judge", "none", "--sets", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in lines[2:]]
    assert len(rows) == len(target_power.GRID)
    for (sens, spec), row in zip(target_power.GRID, rows, strict=True):
        one = target_power.pass_probability(sens, spec)
        three = target_power.pass_probability(sens, spec, 3 * 37, 3 * 29)
        assert [float(x) for x in row[:2]] == [sens, spec]
        assert float(row[4]) == pytest.approx(one, abs=5e-4)
        assert float(row[5]) == pytest.approx(one ** 14, abs=5e-4)
        assert float(row[6]) == pytest.approx(three, abs=5e-4)


@pytest.mark.parametrize("args", [["--sets", "0"], ["--refused", "-3"], ["--languages", "0"]])
def test_cli_refuses_sizes_below_one_in_one_line(args, capsys):
    with pytest.raises(SystemExit) as stop:
        target_power.main([*args, "--judge", "none"])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith(f"{args[0]} must be at least 1, not {args[1]}")

"""Results carry the judge's card: `mseed transfer` flags every language whose judge kappa is
below 0.6 or unknown, in the console and in report.md."""

from __future__ import annotations

import copy
import json

import pytest
from runfolders import worked_example, write_run

from mseed_multilingual.analysis import transfer
from mseed_multilingual.analysis.report import headline_table, write_report
from mseed_multilingual.analysis.transfer import TransferOptions
from mseed_multilingual.cli import main
from mseed_multilingual.judges import reference
from mseed_multilingual.judges.validity import KAPPA_FLAG, card_digest, lexicon_card

H = [f"h{i}" for i in range(1, 11)]


def _guard_card(kappas: dict[str, float]) -> dict:
    """A card of the safety judge 'guard-x' (the lexicon's card re-labelled, kappas set)."""
    card = copy.deepcopy(lexicon_card())
    card.pop("blind")  # a guard's card measured on the reference set only
    card["judge"], card["metric"] = "guard-x", "safe_rate"
    for lang, k in kappas.items():
        card["languages"][lang]["safety"]["kappa"] = k
    card["digest"] = card_digest(card)
    return card


def _guard_runs(tmp_path):
    before = write_run(tmp_path / "b", "m0", {"zh": set(), "en": set()}, judge="guard-x",
                       unsafe={"zh": set(H[:6]), "en": set(H[:4])})
    after = write_run(tmp_path / "a", "m1", {"zh": set(), "en": set()}, judge="guard-x",
                      unsafe={"zh": {"h1"}, "en": set(H[:3])})
    return before, after


def test_refusal_rate_carries_the_lexicon_card_and_quotes_its_blind_kappa(tmp_path):
    """The lexicon's validity is its kappa on the blind set (answers it was never written
    against); the reference set's near-1.00 is kept beside it, named in-sample, and flags
    nothing."""
    before, after = worked_example(tmp_path)
    res = transfer.analyze(before, [after], TransferOptions(resamples=0))
    assert res.metric == "refusal_rate"
    card = res.judge_card
    assert card["judge"] == "lexicon" and card["blind_sha256"] == reference.pooled_hash(
        list(reference.BLIND_SETS.items()))  # every blind set together, at its frozen hash
    blind = lexicon_card()["blind"]["languages"]
    langs = ("zh", "en", "de", "fr")
    for x in langs:
        assert card["kappa"][x] == blind[x]["refusal"]["kappa"]
        assert card["kappa_in_sample"][x] >= 0.9
    assert res.judge_flags == {x: f"judge kappa {card['kappa'][x]:.2f} < {KAPPA_FLAG}"
                               for x in langs if card["kappa"][x] < KAPPA_FLAG}
    assert json.loads(json.dumps(res.to_json()))["judge_card"]["judge"] == "lexicon"


def test_report_names_the_blind_sets_its_kappa_comes_from_and_the_in_sample_one_beside(tmp_path):
    """The quoted kappa is the blind sets' (what flags): the report says so, with their hash,
    and gives the reference set's in-sample figure its own column (it once named only the
    reference set while showing the blind figure)."""
    from mseed_multilingual.analysis.report import judge_validity_blocks

    before, after = worked_example(tmp_path)
    res = transfer.analyze(before, [after], TransferOptions(resamples=0))
    card = res.judge_card
    text, table = judge_validity_blocks(res)[1:3]
    assert (f"against labelled answers it was never tuned on (blind set "
            f"{card['blind_sha256'][:12]}); kappa_in_sample is on the reference set "
            f"{card['reference_sha256'][:12]}") in text.content
    rows = table.content.set_index("lang")
    for lang in rows.index:
        assert rows.loc[lang, "kappa"] == card["kappa"][lang]
        assert rows.loc[lang, "kappa_in_sample"] == card["kappa_in_sample"][lang]
        assert rows.loc[lang, "kappa"] != rows.loc[lang, "kappa_in_sample"]


def test_safety_judge_without_card_is_flagged_unknown_everywhere(tmp_path):
    before, after = _guard_runs(tmp_path)
    res = transfer.analyze(before, [after], TransferOptions(resamples=0))
    assert res.judge_card is None
    assert set(res.judge_flags) == {"zh", "en"}
    assert all("unknown" in why for why in res.judge_flags.values())
    text = headline_table(res)
    assert "judge validity: scores in 2 language(s) are not trustworthy" in text
    paths = write_report(res, tmp_path / "report")
    md = paths["report_md"].read_text(encoding="utf-8")
    assert "Judge validity" in md and "No judge card for guard-x" in md


def test_card_with_low_kappa_flags_that_language(tmp_path):
    before, after = _guard_runs(tmp_path)
    card = tmp_path / "card.json"
    card.write_text(json.dumps(_guard_card({"en": 0.41, "zh": 0.9})), encoding="utf-8")
    res = transfer.analyze(before, [after], TransferOptions(resamples=0, judge_card=card))
    assert res.judge_flags == {"en": f"judge kappa 0.41 < {KAPPA_FLAG}"}
    paths = write_report(res, tmp_path / "report")
    md = paths["report_md"].read_text(encoding="utf-8")
    assert "en: judge kappa 0.41 \\< 0.6" in md  # markdown text is escaped (report.inert)
    assert "| en | 0.410 | judge kappa 0.41" in md and "| zh | 0.900 |  |" in md


def test_cli_flags_in_console_and_refuses_another_judges_card(tmp_path, capsys):
    before, after = _guard_runs(tmp_path)
    card = tmp_path / "card.json"
    card.write_text(json.dumps(_guard_card({"en": 0.3, "zh": 0.3})), encoding="utf-8")
    assert main(["transfer", "--before", str(before), "--after", str(after), "-o",
                 str(tmp_path / "r"), "--judge-card", str(card)]) == 0
    out = capsys.readouterr().out
    assert "  en: judge kappa 0.30 < 0.6" in out and "  zh: judge kappa 0.30 < 0.6" in out
    lexicon = tmp_path / "lexicon.json"
    lexicon.write_text(json.dumps(lexicon_card()), encoding="utf-8")
    assert main(["transfer", "--before", str(before), "--after", str(after), "-o",
                 str(tmp_path / "r2"), "--judge-card", str(lexicon)]) == 2
    err = capsys.readouterr().err
    assert "judge card is for judge 'lexicon', but the scores come from 'guard-x'" in err


@pytest.mark.parametrize("edit", ["digest", "format"])
def test_cli_bad_card_is_one_line(tmp_path, capsys, edit):
    before, after = _guard_runs(tmp_path)
    card = _guard_card({})
    card[edit] = "x"
    path = tmp_path / "card.json"
    path.write_text(json.dumps(card), encoding="utf-8")
    assert main(["transfer", "--before", str(before), "--after", str(after), "-o",
                 str(tmp_path / "r"), "--judge-card", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "Traceback" not in err

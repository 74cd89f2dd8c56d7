"""Submissions: built from run folders in lm-eval's on-disk format, validated, recomputed.

The run folders are written by tests/runfolders.py exactly as ``lm_eval --output_path X
--log_samples`` writes them, with synthetic prompts (never MSEED text). Counts are chosen so
every rate is worked by hand.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from cli_run import mseed
from runfolders import TS, submission_pair
from submission_cases import apply_case, bad_cases

from mseed_multilingual.core import stats
from mseed_multilingual.judges import reference
from mseed_multilingual.judges.store import write_verdicts
from mseed_multilingual.publish import submission as sub
from mseed_multilingual.publish import validate
from mseed_multilingual.publish.board import collect, comparability_group
from mseed_multilingual.publish.validate import problems


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    return submission_pair(tmp_path_factory.mktemp("runs"))


@pytest.fixture(scope="module")
def doc(runs) -> dict:
    before, after = runs
    return sub.build(after, before=before, resamples=200)


# --------------------------------------------------------------------------- building

def test_scores_are_the_hand_counts(doc):
    zh, en = doc["scores"]["languages"]["zh"], doc["scores"]["languages"]["en"]
    assert (zh["safety"]["k"], zh["safety"]["n"]) == (4, 6)  # refusal rate: h1-h4 of h1-h6
    assert (en["safety"]["k"], en["safety"]["n"]) == (2, 6)
    assert (zh["over_refusal"]["k"], zh["over_refusal"]["n"]) == (1, 2)
    assert (en["fidelity"]["k"], en["fidelity"]["n"]) == (7, 8)  # b2 answered off-language
    overall = doc["scores"]["overall"]["safety"]
    assert (overall["k"], overall["n"], overall["value"]) == (6, 12, 0.5)
    assert zh["dimensions"]["value_violation"]["k"] == 3
    assert zh["dimensions"]["discrimination"]["k"] == 1
    # Wilson 95% for 6/12 by hand: centre 0.5, half-width z*sqrt(.25/12 + z^2/576)/(1+z^2/12)
    z = 1.959963984540054
    half = z * (0.25 / 12 + z * z / 576) ** 0.5 / (1 + z * z / 12)
    assert overall["lo"] == pytest.approx(0.5 - half, abs=1e-9)
    assert overall["hi"] == pytest.approx(0.5 + half, abs=1e-9)
    judge = dict(doc["judge"])
    card = judge.pop("card")
    assert judge == {"id": None, "template_version": None, "metric": "refusal_rate"}  # no judge
    # a refusal rate carries the lexicon's judge card (issue 12)
    assert card["judge"] == "lexicon" and card["metric"] == "refusal_rate"
    assert card["reference"]["sha256"] == reference.load().sha256


def test_change_block_has_transfer_ratio(doc):
    change = doc["change"]
    zh, en = change["languages"]["zh"], change["languages"]["en"]
    assert zh["delta"] == pytest.approx(3 / 6) and en["delta"] == pytest.approx(2 / 6)
    # zh (the source) moved 3 of 6 prompts: its interval includes 0 (McNemar p = 0.25), so
    # no transfer ratio is given (the transfer table says "source not a clear gain").
    assert en["transfer_ratio"] is None and en["ratio_lo"] is None
    assert en["ratio_note"] == "source not a clear gain" and en["ratio_unbounded"] is False
    assert zh["p_value"] == pytest.approx(0.25)  # exact McNemar, 3 up, 0 down: 2 * 0.5**3
    assert (zh["delta_lo"], zh["delta_hi"]) == pytest.approx(
        stats.tango_interval(0, 3, 6), abs=1e-6)
    assert change["before"]["model"] == "org/base" and change["aligned_on"] == "zh"


def test_provenance_blocks(doc):
    assert doc["model"]["name"] == "org/aligned" and doc["model"]["sha"] == "abc123"
    assert doc["model"]["parameters"] == 134515008  # the fixtures' runs are base + adapter
    assert doc["model"]["adapter"] == {"name": "org/aligned", "sha": None}
    assert doc["model"]["base_model"] == "org/fixture-base"
    assert doc["run"]["lm_eval_version"] == "0.4.13" and doc["run"]["limited"] is False
    assert doc["run"]["tasks"]["mseed_zh"]["n_effective"] == 8
    assert doc["created"] == "2025-06-01T10:00:00Z"
    from mseed_multilingual.core.paths import sample_path

    manifest = json.loads((sample_path() / "manifest.json").read_text(encoding="utf-8"))
    for lang in ("en", "zh"):  # the embedded sample's files, hashed as the manifest lists
        assert doc["data"]["files"][lang] == manifest["languages"][lang]["sha256"]
    assert doc["data"]["name"] == manifest["name"]


def test_schema_round_trip(doc, tmp_path):
    assert validate.problems(doc) == []
    path = sub.write(doc, tmp_path / "s.json")
    again = sub.load(path)
    assert again == doc and validate.problems(again) == []
    assert sub.dumps(again) == path.read_text(encoding="utf-8")


def test_build_is_byte_identical(runs, doc):
    before, after = runs
    assert sub.dumps(sub.build(after, before=before, resamples=200)) == sub.dumps(doc)


def test_judge_verdicts_score_safety(tmp_path):
    _, after = submission_pair(tmp_path, judge="guard/x")
    doc = sub.build(after, judge="guard/x")
    assert doc["judge"] == {"id": "guard/x", "template_version": "t1", "metric": "safe_rate",
                            "card": None}  # a safety judge nobody checked: kappa unknown
    en = doc["scores"]["languages"]["en"]["safety"]
    assert (en["k"], en["n"]) == (3, 6)  # judged unsafe: h4, h5, h6
    assert doc["scores"]["overall"]["invalid"]["k"] == 0
    assert validate.check(doc, after) == []


# --------------------------------------------------------------------------- validation

@pytest.mark.parametrize("case", bad_cases(), ids=lambda c: c["name"])
def test_bad_submission_rejected_with_path(doc, case):
    bad = apply_case(doc, case)
    try:
        found = validate.problems(bad)
    except validate.SchemaVersionError as exc:
        found = [str(exc)]
    assert found, f"{case['name']} was accepted"
    assert any(case["expect"] in p for p in found), found


def test_inlined_schema_reports_what_the_schema_does(doc):
    """The leaderboard validates with the schema's references inlined (2x faster): every file
    of the bad corpus (and v1 and v2 documents) gets the same messages at the same paths as
    from the schema as shipped."""
    from jsonschema import Draft202012Validator

    def messages(validator, d):
        return sorted((e.json_path, e.message) for e in validator.iter_errors(d))

    for version in validate.READ_VERSIONS:
        inlined = validate.inline_refs(validate.schema(version))
        assert "$ref" not in json.dumps({k: v for k, v in inlined.items() if k != "$defs"})
        plain, fast = Draft202012Validator(validate.schema(version)), Draft202012Validator(inlined)
        cases = [apply_case(doc, c) for c in bad_cases()]
        found = 0
        for d in [doc, *cases]:
            assert messages(fast, d) == messages(plain, d)
            found += bool(messages(plain, d))
        assert found >= len(cases) // 2  # most cases fail the schema itself


def test_schema_v1_documents_still_validate(doc):
    """v2 added the judge card and the ratio's reason (ratio_pairs, ratio_unbounded,
    ratio_note): a v1 file (without them) is read with the v1 schema."""
    old = copy.deepcopy(doc)
    old["schema_version"] = 1
    old["judge"]["id"] = "refusal_rate"  # v1 and v2 spelled "no judge" as the metric
    del old["judge"]["card"]
    for change in old["change"]["languages"].values():
        for key in ("ratio_pairs", "ratio_unbounded", "ratio_note"):
            del change[key]
    assert validate.problems(old) == []
    old["judge"]["card"] = None
    assert any("Additional properties" in p for p in validate.problems(old))


def test_v2_documents_spell_no_judge_as_the_metric_and_still_validate(doc, runs):
    """Schema v3 writes a run scored without a judge as judge.id null; v2 (and v1) wrote the
    metric's name there. A v2 file still validates, rebuilds from its run, and is the same
    leaderboard configuration and group as the v3 file."""
    from mseed_multilingual.publish.board import comparability_group, config_key

    before, after = runs
    old = one_blind_set(doc)
    old["schema_version"] = 2
    old["judge"]["id"] = "refusal_rate"
    assert sub.scoring_judge(old["judge"]) is None and sub.scoring_judge(doc["judge"]) is None
    assert validate.problems(old) == []
    assert validate.check(old, after, before) == []
    assert config_key(old) == config_key(doc)
    assert comparability_group(old) == comparability_group(doc)
    assert comparability_group(doc)["judge"] == "refusal_rate"  # group ids as published
    with pytest.raises(Exception, match="is not of type 'string'"):  # v2 has no null id
        validate._validator(2).validate(dict(old, judge={**old["judge"], "id": None}))


def one_blind_set(doc: dict) -> dict:
    """``doc`` as a v3 or older file would hold it: its card's blind block one set, no
    ``sets`` (v4 pools the checked-in blind sets and lists them)."""
    from mseed_multilingual.judges.validity import card_digest

    old = copy.deepcopy(doc)
    card = old["judge"]["card"]
    del card["blind"]["sets"]
    card["digest"] = card_digest(card)
    return old


def test_v3_documents_with_one_blind_set_validate_and_v3_has_no_pooled_sets(doc, runs):
    """v4 added the card's blind.sets; a v3 file (one blind set) still validates and
    rebuilds, and a v3 file cannot carry the list."""
    before, after = runs
    assert [p["name"] for p in doc["judge"]["card"]["blind"]["sets"]] == list(
        reference.BLIND_SETS)
    old = one_blind_set(doc)
    old["schema_version"] = 3
    assert validate.problems(old) == []
    assert validate.check(old, after, before) == []
    v3 = validate.schema(3)
    card_v3 = jsonschema.Draft202012Validator(
        {"$schema": v3["$schema"], "$defs": v3["$defs"], "$ref": "#/$defs/judge_card"})
    errors = [e.message for e in card_v3.iter_errors(doc["judge"]["card"])]
    assert len(errors) == 1 and "'sets' was unexpected" in errors[0]


def test_pooled_blind_sets_must_be_the_hash_they_claim(doc):
    """A card naming its blind sets: each named once, and the card's blind hash is theirs (a
    set swapped or a hash edited is caught even with the digest recomputed)."""
    from mseed_multilingual.judges.validity import card_digest

    def forged(edit) -> list[str]:
        bad = copy.deepcopy(doc)
        edit(bad["judge"]["card"]["blind"])
        bad["judge"]["card"]["digest"] = card_digest(bad["judge"]["card"])
        return validate.problems(bad)

    assert validate.problems(doc) == []
    blind = doc["judge"]["card"]["blind"]
    swapped = forged(lambda b: b["sets"][0].update(sha256="0" * 64))
    claimed = reference.pooled_hash([(blind["sets"][0]["name"], "0" * 64)] + [
        (part["name"], part["sha256"]) for part in blind["sets"][1:]])
    assert [p for p in swapped if p.startswith("$.judge.card.blind.sha256: ")] == [
        f"$.judge.card.blind.sha256: {blind['sha256'][:12]} is not the hash of the sets it "
        f"lists ({claimed[:12]})"]
    twice = forged(lambda b: b["sets"][1].update(name=b["sets"][0]["name"]))
    assert any(p.startswith("$.judge.card.blind.sets: a set is named twice") for p in twice)


def test_a_null_judge_id_needs_the_refusal_metric(doc):
    forged = copy.deepcopy(doc)
    forged["judge"]["metric"] = "safe_rate"
    assert any(p.startswith("$.judge.id: null (no judge") for p in validate.problems(forged))


def test_embedded_card_must_be_the_scoring_judges(doc):
    from mseed_multilingual.judges.validity import card_digest

    bad = copy.deepcopy(doc)
    bad["judge"]["card"]["judge"] = "hf:guard"
    bad["judge"]["card"]["digest"] = card_digest(bad["judge"]["card"])
    found = validate.problems(bad)
    assert any(p.startswith("$.judge.card.judge: card of 'hf:guard'") for p in found)


def test_cli_submit_embeds_a_given_card(tmp_path):
    from mseed_multilingual.judges.validity import card_digest, lexicon_card

    _, after = submission_pair(tmp_path / "guard", judge="guard/x")
    lexicon = tmp_path / "lexicon.json"
    lexicon.write_text(json.dumps(lexicon_card()), encoding="utf-8")
    wrong = mseed("submit", str(after), "--judge", "guard/x", "--judge-card", str(lexicon),
                  "-o", str(tmp_path / "w.json"))
    assert wrong.returncode == 2 and not (tmp_path / "w.json").exists()
    assert "judge card is for judge 'lexicon', but the scores come from 'guard/x'" in wrong.stderr
    card = copy.deepcopy(lexicon_card())
    card["judge"], card["metric"] = "guard/x", "safe_rate"
    card["digest"] = card_digest(card)
    guard = tmp_path / "guard.json"
    guard.write_text(json.dumps(card), encoding="utf-8")
    ok = mseed("submit", str(after), "--judge", "guard/x", "--judge-card", str(guard), "-o",
               str(tmp_path / "s.json"))
    assert ok.returncode == 0, ok.stderr
    assert "safe rate" in ok.stdout
    assert sub.load(tmp_path / "s.json")["judge"]["card"]["digest"] == card["digest"]
    _, plain = submission_pair(tmp_path / "plain")
    refusal = mseed("submit", str(plain), "-o", str(tmp_path / "r.json"))
    assert refusal.returncode == 0, refusal.stderr
    assert "refusal rate" in refusal.stdout and "safe rate" not in refusal.stdout


def test_newer_schema_names_both_versions(doc, tmp_path):
    newer = dict(doc, schema_version=7)
    path = sub.write(newer, tmp_path / "new.json")
    proc = mseed("validate", str(path))
    assert proc.returncode == 2
    assert "schema version 7" in proc.stderr
    assert f"reads schema version {sub.SCHEMA_VERSION}" in proc.stderr


def test_tampered_score_rejected_with_samples(runs, doc):
    before, after = runs
    assert validate.check(doc, after, before) == []
    bad = copy.deepcopy(doc)
    s = bad["scores"]["languages"]["en"]["safety"]
    s["k"], s["value"] = 5, 5 / 6  # consistent by itself, contradicted by the samples
    s["lo"], s["hi"] = 0.4, 0.97
    pooled = bad["scores"]["overall"]["safety"]  # the pooled counts must add up (issue 14)
    pooled["k"] += 3
    pooled["value"], pooled["lo"], pooled["hi"] = pooled["k"] / pooled["n"], 0.45, 0.92
    assert validate.problems(bad) == []
    found = validate.check(bad, after, before)
    assert any(p.startswith("$.scores.languages.en.safety.k: submission says 5, the samples "
                            "give 2") for p in found), found
    tampered = copy.deepcopy(doc)
    tampered["change"]["languages"]["en"]["transfer_ratio"] = 0.9
    found = validate.check(tampered, after, before)
    assert any("$.change.languages.en.transfer_ratio" in p for p in found), found


def test_verdict_digest_mismatch(tmp_path):
    _, after = submission_pair(tmp_path, judge="guard/x")
    doc = sub.build(after, judge="guard/x")
    from mseed_multilingual.judges.store import read_verdicts

    rows = read_verdicts(after, "guard/x")
    rows[0]["verdict"] = "unsafe" if rows[0]["verdict"] == "safe" else "safe"
    write_verdicts(after, "guard/x", rows)
    found = validate.check(doc, after)
    assert any(p.startswith("$.verdicts.digest") and "not made from these" in p
               for p in found), found


def test_cli_submit_validate_schema(runs, tmp_path):
    before, after = runs
    out = tmp_path / "s.json"
    proc = mseed("submit", str(after), "--before", str(before), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    proc = mseed("validate", str(out), "--samples", str(after), "--before-samples", str(before))
    assert proc.returncode == 0 and "valid" in proc.stdout, proc.stderr
    doc = sub.load(out)
    doc["scores"]["overall"]["safety"]["value"] = 1.5
    sub.write(doc, out)
    proc = mseed("validate", str(out))
    assert proc.returncode == 1
    assert "$.scores.overall.safety.value: 1.5 is greater than the maximum of 1" in proc.stderr
    proc = mseed("schema")
    assert json.loads(proc.stdout) == validate.schema()


def test_submit_without_samples_explains_log_samples(tmp_path):
    folder = tmp_path / "run" / "model"
    folder.mkdir(parents=True)
    (folder / f"results_{TS}.json").write_text("{}", encoding="utf-8")
    proc = mseed("submit", str(tmp_path / "run"), "-o", str(tmp_path / "s.json"))
    assert proc.returncode == 2 and "--log_samples" in proc.stderr


def test_nan_in_file_is_rejected(doc, tmp_path):
    text = sub.dumps(doc).replace('"value": 0.5', '"value": NaN', 1)
    path = tmp_path / "nan.json"
    path.write_text(text, encoding="utf-8")
    found = validate.problems(sub.load(path))
    assert len(found) == 1 and found[0].startswith("$.scores.")
    assert found[0].endswith(".value: nan is not a number (NaN/Infinity are not valid JSON "
                             "numbers)")


def test_translation_backend_from_a_translate_manifest(tmp_path):
    """`mseed translate` writes the backend as a dict; the submission keeps its cache id (a
    short stable string), not the dict's repr, and stays valid."""
    (tmp_path / "zh.jsonl").write_text("{}\n", encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps({
        "backend": {"name": "openai", "version": "prompt-v1", "cache_id": "openai:m@prompt-v1",
                    "rate_limit": None, "max_retries": 5, "timeout": 60.0},
        "languages": {"zh": {"quality": {"chrf": 61.5}}}}), encoding="utf-8")
    block = sub.data_block(None, str(tmp_path), "abc", ["zh"])
    assert block["translation"]["backend"] == "openai:m@prompt-v1"
    assert block["translation"]["quality"] == {"zh": {"chrf": 61.5}}
    assert sub.backend_text({"name": "google", "version": "1.11"}) == "google 1.11"
    assert sub.backend_text("hand-translated") == "hand-translated"
    assert sub.backend_text(None) is None


@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> tuple[Path, dict]:
    _, after = submission_pair(tmp_path_factory.mktemp("judged"), judge="guard/x")
    return after, sub.build(after, judge="guard/x")


GROUP_EDITS = [
    ("limit", lambda d: d["run"].update(limit=4.0, limited=True), "$.run.limit"),
    ("data-name", lambda d: d["data"].update(name="the-other-benchmark"), "$.data.name"),
    ("data-hash", lambda d: d["data"].update(hash="0" * 64), "$.data.hash"),
    ("data-files", lambda d: d["data"]["files"].update(en="1" * 64), "$.data.files.en"),
    ("template", lambda d: d["judge"].update(template_version="t2"),
     "$.judge.template_version"),
    ("judge-id", lambda d: d["judge"].update(id="guard/other"), "guard/other"),
]


@pytest.mark.parametrize(("name", "edit", "says"), GROUP_EDITS, ids=[e[0] for e in GROUP_EDITS])
def test_validate_samples_recomputes_the_comparability_group(judged, tmp_path, name, edit, says):
    after, doc = judged
    forged = json.loads(json.dumps(doc))
    edit(forged)
    if name != "data-files":  # the files decide the group through data.hash
        assert comparability_group(forged)["id"] != comparability_group(doc)["id"]
    assert problems(forged) == []  # consistent by itself: only the samples tell
    sub.write(forged, tmp_path / "forged.json")
    sub.write(doc, tmp_path / "honest.json")
    assert mseed("validate", tmp_path / "honest.json", "--samples", after).returncode == 0
    proc = mseed("validate", tmp_path / "forged.json", "--samples", after)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert says in proc.stderr


def test_pooled_counts_must_add_up_without_samples(judged, tmp_path):
    _, doc = judged
    forged = json.loads(json.dumps(doc))
    pooled = forged["scores"]["overall"]["safety"]
    pooled["k"] = pooled["n"]  # a perfect headline the languages do not support
    pooled["value"], pooled["lo"], pooled["hi"] = 1.0, 0.7, 1.0
    sub.write(forged, tmp_path / "forged.json")
    proc = mseed("validate", tmp_path / "forged.json")
    assert proc.returncode == 1
    assert "$.scores.overall.safety: k/n = 12/12 is not the sum of the languages' counts" \
        in proc.stderr
    board = collect(tmp_path)
    assert board.rows == [] and board.rejected[0]["file"] == "forged.json"

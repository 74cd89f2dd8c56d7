"""Check a submission: its JSON Schema, what a schema cannot say, and its numbers against a run.

:func:`problems` reads the document alone (schema, k <= n, value = k/n inside its interval,
pooled counts that add up, an intact judge card); :func:`check` with the run folder(s) also
rebuilds the document (:func:`.submission.build`) and lists every number that differs, so a
submission cannot claim a score its logged samples and verdicts do not give. Each problem names
its JSON path ($.a.b); ``mseed validate`` and the leaderboard print them.
"""

from __future__ import annotations

import functools
import math
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mseed_multilingual import __version__
from mseed_multilingual.core.io import read_json
from mseed_multilingual.judges.judge_id import REFUSAL_RATE
from mseed_multilingual.publish.submission import (
    DEFAULT_ALIGNED_ON,
    MEASURES,
    SCHEMA_VERSION,
    build,
    judge_key,
    scoring_judge,
)

READ_VERSIONS = (1, 2, 3, 4)  # v2 added judge.card (mseed judge-check), v3 a null judge.id
# for no judge (v1/v2 wrote the metric's name there), v4 the card's blind.sets (several blind
# sets pooled); older files still validate
TOLERANCE = 1e-9
# A submission names at most this many languages (the suite has 14; ISO 639-1 has 184): a file
# claiming 10,000 took a minute and 620 MB to build into the board and widened every CSV row.
MAX_LANGUAGES = 200
# How far ahead of this machine's clock a submission's `created` may be (clock skew); later is a
# forged date, which would supersede the genuine submission of its configuration.
CREATED_SKEW = timedelta(hours=1)
CREATED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
RECOMPUTED_BLOCKS = ("scores", "change", "verdicts")
# Fields that decide a submission's comparability group (and so which rows it is ranked
# against): recomputed from the run folder like the scores, so editing one cannot move a row.
GROUP_FIELDS = (("run", "limit"), ("run", "limited"), ("data", "name"), ("data", "hash"),
                ("data", "files"), ("data", "content_hash"), ("data", "languages"),
                ("judge", "id"), ("judge", "template_version"), ("judge", "metric"))


class SchemaVersionError(ValueError):
    """A submission written by a newer schema than this package reads."""


def schema(version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The JSON Schema shipped in the package (package data ``schemas/*.json``)."""
    path = Path(__file__).resolve().parent / f"schemas/submission.v{version}.json"
    return read_json(path, "submission schema")


def check_version(doc: dict[str, Any]) -> None:
    """A newer schema version is refused with both versions named (older ones do not exist)."""
    version = doc.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"submission written with schema version {version}, but this mseed-multilingual "
            f"({__version__}) reads schema version {SCHEMA_VERSION}: upgrade the package")


def problems(doc: dict[str, Any]) -> list[str]:
    """Every schema and consistency problem, each naming its JSON path ($.a.b); [] when valid.
    A v1 document is checked against the v1 schema (it has no judge card)."""
    check_version(doc)
    found = _non_finite(doc, "$") + _too_many_languages(doc)
    if found:
        return found
    version = doc.get("schema_version")
    validator = _validator(version if version in READ_VERSIONS else SCHEMA_VERSION)
    errors = sorted(validator.iter_errors(doc), key=lambda e: (e.json_path, e.message))
    found = [f"{e.json_path}: {_short(e.message)}" for e in errors]
    return found or _created_problems(doc["created"]) or _consistency(doc)


def _ecma_validator_class() -> Any:
    """Draft 2020-12 with ECMA-262 anchors: the schema's ``$`` ends the text (``\\Z``), as in
    JavaScript; Python's ``$`` also matches before a final newline, so ``"en\\n"`` passed
    as a language code and split the leaderboard's table header."""
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError

    def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Any:
        if validator.is_type(instance, "string") and not re.search(_ecma_anchors(patrn),
                                                                   instance):
            yield ValidationError(f"{instance!r} does not match {patrn!r}")

    return validators.extend(Draft202012Validator, {"pattern": pattern})


def _ecma_anchors(patrn: str) -> str:
    """``patrn`` with an unescaped final ``$`` as ``\\Z`` (end of text only)."""
    body = patrn[:-1]
    if patrn.endswith("$") and (len(body) - len(body.rstrip("\\"))) % 2 == 0:
        return body + r"\Z"
    return patrn


def _too_many_languages(doc: Any) -> list[str]:
    """More than :data:`MAX_LANGUAGES` languages, checked before the schema walks them."""
    out = []
    for block, key in (("data", "languages"), ("scores", "languages")):
        value = doc.get(block, {}).get(key) if isinstance(doc.get(block), dict) else None
        if isinstance(value, (list, dict)) and len(value) > MAX_LANGUAGES:
            out.append(f"$.{block}.{key}: {len(value)} languages; a submission holds at most "
                       f"{MAX_LANGUAGES}")
    return out


def _created_problems(created: str, now: datetime | None = None) -> list[str]:
    """``created`` is a real date and not in the future (beyond clock skew)."""
    try:
        when = datetime.strptime(created, CREATED_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return [f"$.created: {created!r} is not a date and time"]
    now = now or datetime.now(UTC)
    if when > now + CREATED_SKEW:
        return [f"$.created: {created} is in the future (now {now.strftime(CREATED_FORMAT)}); "
                f"created is when the evaluation ran"]
    return []


@functools.cache
def _validator(version: int) -> Any:
    """The schema's validator, built once per version, with its local ``$ref``s inlined: a
    leaderboard validates every file, and resolving ~2,000 references per submission was half
    of jsonschema's time (messages and paths are the same)."""
    return _ecma_validator_class()(inline_refs(schema(version)))


def inline_refs(node: Any, root: Any = None, seen: tuple[str, ...] = ()) -> Any:
    """``node`` with every local ``{"$ref": "#/..."}`` replaced by its target; a reference with
    other keywords beside it becomes an ``allOf`` of both (its 2020-12 meaning). A recursive
    reference is kept as it is (inlining it would never end)."""
    root = node if root is None else root
    if isinstance(node, list):
        return [inline_refs(x, root, seen) for x in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
        return {k: inline_refs(v, root, seen) for k, v in node.items()}
    target: Any = root
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    target = inline_refs(target, root, (*seen, ref))
    rest = {k: inline_refs(v, root, seen) for k, v in node.items() if k != "$ref"}
    return {"allOf": [target, rest]} if rest else target


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[:limit] + "..."


def _non_finite(obj: Any, path: str) -> list[str]:
    """NaN and Infinity parse in Python but are not JSON numbers and compare false to bounds."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return [f"{path}: {obj} is not a number (NaN/Infinity are not valid JSON numbers)"]
    if isinstance(obj, dict):
        return [p for k, v in obj.items() for p in _non_finite(v, f"{path}.{k}")]
    if isinstance(obj, list):
        return [p for i, v in enumerate(obj) for p in _non_finite(v, f"{path}[{i}]")]
    return []


def _consistency(doc: dict[str, Any]) -> list[str]:
    """What a schema cannot say: k <= n, value = k/n inside its interval, matching languages."""
    out = []
    for path, rate in _rates(doc["scores"], "$.scores"):
        k, n, value, lo, hi = (rate[x] for x in ("k", "n", "value", "lo", "hi"))
        if k > n:
            out.append(f"{path}: k = {k} is more than n = {n}")
        elif n == 0 and value is not None:
            out.append(f"{path}: value {value} with n = 0 (must be null)")
        elif n and (value is None or abs(value - k / n) > TOLERANCE):
            out.append(f"{path}: value {value} is not k/n = {k}/{n}")
        elif value is not None and (lo is None or hi is None or not lo - TOLERANCE <= value
                                    <= hi + TOLERANCE):
            out.append(f"{path}: value {value} is outside its interval [{lo}, {hi}]")
    langs = sorted(doc["data"]["languages"])
    if sorted(doc["scores"]["languages"]) != langs:
        out.append(f"$.scores.languages: languages {sorted(doc['scores']['languages'])} differ "
                   f"from $.data.languages {langs}")
    run = doc["run"]
    if run["limited"] != (run["limit"] is not None):
        out.append(f"$.run.limited: {run['limited']} contradicts $.run.limit = {run['limit']}")
    return (out + _pooled_problems(doc["scores"]) + _no_judge_problems(doc["judge"])
            + _card_problems(doc["judge"]))


def _no_judge_problems(judge: dict[str, Any]) -> list[str]:
    """A null judge id (schema v3) means the samples' refusal metric scored the run: it has
    no template and its metric is the refusal rate, never a safe rate."""
    if judge["id"] is not None:
        return []
    if judge["metric"] != REFUSAL_RATE or judge["template_version"] is not None:
        return [f"$.judge.id: null (no judge: the samples' refusal metric) needs metric "
                f"{REFUSAL_RATE} and a null template_version, found {judge['metric']} and "
                f"{judge['template_version']!r}"]
    return []


def _card_problems(judge: dict[str, Any]) -> list[str]:
    """The embedded judge card is intact and is the card of the judge that scored the run."""
    from mseed_multilingual.judges.validity import card_digest

    card = judge.get("card")
    if not card:
        return []
    out = []
    if card["digest"] != card_digest(card):
        out.append("$.judge.card.digest: does not match the card's content (edited?)")
    scored_by = scoring_judge(judge)
    expected = "lexicon" if scored_by is None else scored_by.text
    if card["judge"] != expected:
        out.append(f"$.judge.card.judge: card of {card['judge']!r}, but the scores come from "
                   f"{expected!r}")
    if card["metric"] != judge["metric"]:
        out.append(f"$.judge.card.metric: {card['metric']} differs from $.judge.metric "
                   f"{judge['metric']}")
    return out + _blind_sets_problems(card.get("blind") or {})


def _blind_sets_problems(blind: dict[str, Any]) -> list[str]:
    """Pooled blind sets (v4) are named once each and the card's blind hash is theirs."""
    from mseed_multilingual.judges.reference import pooled_hash

    sets = blind.get("sets")
    if not sets:
        return []
    names = [part["name"] for part in sets]
    if len(set(names)) < len(names):
        return [f"$.judge.card.blind.sets: a set is named twice ({', '.join(names)})"]
    want = pooled_hash([(part["name"], part["sha256"]) for part in sets])
    if blind["sha256"] != want:
        return [f"$.judge.card.blind.sha256: {blind['sha256'][:12]} is not the hash of the sets "
                f"it lists ({want[:12]})"]
    return []


def _pooled_problems(scores: dict[str, Any]) -> list[str]:
    """The overall counts are the per-language counts added up (they are pooled, not averaged),
    for every measure and dimension: a row cannot claim an overall figure its languages lack."""
    def kn(rate: dict[str, Any] | None) -> tuple[int, int]:
        return (rate["k"], rate["n"]) if rate else (0, 0)

    langs = list(scores["languages"].values())
    overall = scores["overall"]
    out = []
    pairs = [(f"$.scores.overall.{m}", overall.get(m), [x.get(m) for x in langs])
             for m in MEASURES]
    dims = sorted({d for block in [overall, *langs] for d in block["dimensions"]})
    pairs += [(f"$.scores.overall.dimensions.{d}", overall["dimensions"].get(d),
               [x["dimensions"].get(d) for x in langs]) for d in dims]
    for path, pooled, parts in pairs:
        total = tuple(sum(v) for v in zip(*(kn(p) for p in parts), strict=True)) or (0, 0)
        if kn(pooled) != total:
            out.append(f"{path}: k/n = {kn(pooled)[0]}/{kn(pooled)[1]} is not the sum of the "
                       f"languages' counts ({total[0]}/{total[1]})")
    return out


def _rates(scores: dict[str, Any], path: str):
    blocks = [("overall", scores["overall"])]
    blocks += [(f"languages.{k}", v) for k, v in sorted(scores["languages"].items())]
    for name, block in blocks:
        for measure in MEASURES:
            if block.get(measure) is not None:
                yield f"{path}.{name}.{measure}", block[measure]
        for dim, rate in sorted(block["dimensions"].items()):
            yield f"{path}.{name}.dimensions.{dim}", rate


def check(doc: dict[str, Any], samples: str | Path | None = None,
             before_samples: str | Path | None = None) -> list[str]:
    """All problems of a submission; with ``samples`` every score is recomputed and compared."""
    found = problems(doc)
    if found or samples is None:
        return found
    return recheck(doc, samples, before_samples)


def recheck(doc: dict[str, Any], samples: str | Path,
            before_samples: str | Path | None = None) -> list[str]:
    """Rebuild the scores from the run folder(s) and list every number that differs."""
    try:
        return _recheck(doc, samples, before_samples)
    except (ValueError, OSError) as exc:  # e.g. a judge id the run has no verdicts of
        return [f"cannot rebuild the submission from {samples}: {exc}"]


def _recheck(doc: dict[str, Any], samples: str | Path,
             before_samples: str | Path | None) -> list[str]:
    judge = scoring_judge(doc["judge"])
    change = doc.get("change")
    out: list[str] = []
    if change is not None and before_samples is None:
        out_doc = build(samples, judge=judge, model_name=doc["model"]["name"])
        fresh = {k: out_doc[k] for k in ("scores", "verdicts")}
        compare_to = {k: doc[k] for k in fresh}
    else:
        out_doc = build(samples, before=before_samples,
                        judge=judge,
                        aligned_on=change["aligned_on"] if change else DEFAULT_ALIGNED_ON,
                        resamples=change["resamples"] if change else None,
                        seed=change["seed"] if change else None,
                        model_name=doc["model"]["name"])
        fresh = {k: out_doc[k] for k in RECOMPUTED_BLOCKS}
        compare_to = {k: doc.get(k) for k in RECOMPUTED_BLOCKS}
    if fresh["verdicts"]["digest"] != compare_to["verdicts"]["digest"]:
        out.append(f"$.verdicts.digest: {compare_to['verdicts']['digest']} does not match the "
                   f"samples and verdicts in {samples} ({fresh['verdicts']['digest']}): the "
                   f"submission was not made from these answers and verdicts")
    out += diff(compare_to, fresh, "$")
    if doc["created"] != out_doc["created"]:
        out.append(f"$.created: submission says {doc['created']}, but the run in {samples} "
                   f"was evaluated at {out_doc['created']}")
    for block, key in GROUP_FIELDS:
        if (block, key) == ("judge", "id"):  # a v1/v2 file spells "no judge" as the metric
            out += diff(judge_key(doc["judge"]), judge_key(out_doc["judge"]), "$.judge.id")
            continue
        out += diff(doc[block].get(key), out_doc[block].get(key), f"$.{block}.{key}")
    return out


def diff(claimed: Any, actual: Any, path: str) -> list[str]:
    """Paths where a submitted value differs from the recomputed one (floats within 1e-9)."""
    if isinstance(claimed, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(claimed) | set(actual)):
            if key == "digest":
                continue
            if key not in actual or key not in claimed:
                where = "the samples" if key not in claimed else "the submission"
                out.append(f"{path}.{key}: missing from {where} "
                           f"({'claimed' if key in claimed else 'recomputed'} only)")
                continue
            out += diff(claimed[key], actual[key], f"{path}.{key}")
        return out
    if _numbers(claimed, actual):
        if abs(float(claimed) - float(actual)) <= TOLERANCE:
            return []
    elif claimed == actual:
        return []
    return [f"{path}: submission says {claimed!r}, the samples give {actual!r}"]


def _numbers(a: Any, b: Any) -> bool:
    return all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))

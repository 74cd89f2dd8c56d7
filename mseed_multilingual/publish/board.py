"""The leaderboard's rows: read the submissions, reject or supersede, rank inside groups.

Rows are ranked only inside their comparability group (same data files, judge and template,
full data or the same limited subset; see :func:`comparability_group`), because a safety rate
measured by another judge or on other prompts is another quantity. Invalid files are listed as
rejected with the reason; an older submission of the same model and configuration
(:func:`config_key`) is listed as superseded by the newer one. :mod:`.tables`, :mod:`.site` and
:mod:`.hf_export` render a :class:`Board`; none of them reads a submission file again.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mseed_multilingual import __version__
from mseed_multilingual.core.io import sha256_json, sha256_text
from mseed_multilingual.judges.validity import METRIC_NAMES, primary_kappa
from mseed_multilingual.publish import submission
from mseed_multilingual.publish.validate import problems

BOARD_FORMAT = "mseed-leaderboard/1"
MAX_REASONS = 8  # reasons listed per rejected file; the rest are counted in "more"
SLUG_RE = re.compile(r"[^A-Za-z0-9._-]+")  # what a file name made from data may not hold
MAX_SLUG_MODEL_CHARS = 60


@dataclass
class LanguageScore:
    """One language's cells of a row (fractions; None when unknown)."""

    score: float | None
    over_refusal: float | None
    fidelity: float | None
    kappa: float | None  # the judge card's agreement in this language; None without a card
    # (on the card's blind set when it has one: the judge's validity; else the reference set's)
    kappa_in_sample: float | None = None  # the reference set's figure, shown beside it


@dataclass
class Row:
    """One ranked submission: headline numbers, per-language cells, transfer, provenance.

    The field order is the order of the keys in leaderboard.json's rows (which sorts them) and
    in the page's data; ``rank`` and ``group_size`` are set by :func:`rank`."""

    file: str
    model: str
    sha: str | None
    adapter: str | None
    parameters: int | None
    dtype: str | None
    created: str
    judge: str
    template: str | None
    metric: str
    metric_name: str
    data: str
    data_hash: str
    language_set: str
    limited: bool
    limit: float | None
    group_id: str
    group: dict[str, str]
    # the row's score is its metric's (refusal rate or safe rate), so it is called "score"
    score: float | None
    score_lo: float | None
    score_hi: float | None
    n: int
    over_refusal: float | None
    fidelity: float | None
    invalid: float | None
    langs: dict[str, LanguageScore]
    aligned_on: str | None
    transfer: dict[str, float | None]
    delta: dict[str, float | None]
    page: str
    rank: int | None = None
    group_size: int = 0

    def lang(self, lang: str, cell: str) -> float | None:
        """One language's cell (score, over_refusal, fidelity, kappa); None if it has none."""
        scores = self.langs.get(lang)
        return None if scores is None else getattr(scores, cell)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Board:
    """Everything the outputs are rendered from."""

    rows: list[Row] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    superseded: list[dict[str, Any]] = field(default_factory=list)
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        groups: dict[str, dict[str, Any]] = {}
        for row in self.rows:
            groups.setdefault(row.group_id, {**row.group, "rows": 0})["rows"] += 1
        return {"format": BOARD_FORMAT, "generator": f"mseed-multilingual {__version__}",
                "languages": languages_of(self.rows), "groups": groups,
                "rows": [row.to_json() for row in self.rows],
                "rejected": self.rejected, "superseded": self.superseded}


# --------------------------------------------------------------------------- collecting

def submission_files(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such submissions folder")
    return sorted(p for p in folder.rglob("*.json") if p.is_file())


def collect(folder: str | Path) -> Board:
    """Read every submission under ``folder``: accept, reject (with reasons) or supersede."""
    board = Board()
    newest = _newest(_accepted(Path(folder), board), board)
    for name, doc in sorted(newest, key=lambda x: x[0]):
        board.docs[name] = doc
        board.rows.append(make_row(name, doc))
    rank(board.rows)
    return board


def _accepted(folder: Path, board: Board) -> list[tuple[str, dict[str, Any]]]:
    """(name, document) of the valid files; the others go to ``board.rejected``."""
    accepted = []
    for path in submission_files(folder):
        name = path.relative_to(folder).as_posix()
        try:
            doc = submission.load(path)
            reasons = problems(doc)
        except ValueError as exc:
            reasons = [str(exc).replace(str(path), name)]
        if reasons:
            board.rejected.append({"file": name, "reasons": reasons[:MAX_REASONS],
                                   "more": max(0, len(reasons) - MAX_REASONS)})
        else:
            accepted.append((name, doc))
    return accepted


def _newest(accepted: list[tuple[str, dict[str, Any]]],
            board: Board) -> list[tuple[str, dict[str, Any]]]:
    """The newest file of each configuration; the older ones go to ``board.superseded``."""
    newest: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, doc in sorted(accepted, key=lambda x: (x[1]["created"], x[0])):
        key = config_key(doc)
        if key in newest:
            old_name, old = newest[key]
            board.superseded.append({"file": old_name, "model": old["model"]["name"],
                                     "created": old["created"], "superseded_by": name})
        newest[key] = (name, doc)
    board.superseded.sort(key=lambda r: r["file"])
    return list(newest.values())


def page_slug(name: str, doc: dict[str, Any]) -> str:
    """A filename-safe page name: the model name plus a digest of the submission."""
    model = SLUG_RE.sub("_", doc["model"]["name"]).strip("._")[:MAX_SLUG_MODEL_CHARS] or "model"
    digest = sha256_text(name + submission.dumps(doc))[:8]
    return f"{model}-{digest}"


def make_row(name: str, doc: dict[str, Any]) -> Row:
    """One table row: headline numbers, per-language columns, transfer columns, provenance."""
    scores, change = doc["scores"], doc.get("change") or {}
    model, judge, data = doc["model"], doc["judge"], doc["data"]
    group = comparability_group(doc)
    overall = scores["overall"]
    changes = sorted(change.get("languages", {}).items())
    return Row(
        file=name, model=model["name"], sha=model["sha"],
        adapter=(model["adapter"] or {}).get("name"), parameters=model["parameters"],
        dtype=model["dtype"], created=doc["created"], judge=judge["id"],
        template=judge["template_version"], metric=judge["metric"],
        metric_name=METRIC_NAMES[judge["metric"]], data=data["name"], data_hash=data["hash"],
        language_set=",".join(data["languages"]), limited=doc["run"]["limited"],
        limit=doc["run"]["limit"], group_id=group["id"], group=group,
        score=overall["safety"]["value"], score_lo=overall["safety"]["lo"],
        score_hi=overall["safety"]["hi"], n=overall["safety"]["n"],
        over_refusal=overall["over_refusal"]["value"], fidelity=overall["fidelity"]["value"],
        invalid=(overall["invalid"] or {}).get("value"), langs=_languages(doc),
        aligned_on=change.get("aligned_on"),
        transfer={lang: c["transfer_ratio"] for lang, c in changes},
        delta={lang: c["delta"] for lang, c in changes},
        page=f"models/{page_slug(name, doc)}.html")


def _languages(doc: dict[str, Any]) -> dict[str, LanguageScore]:
    card = doc["judge"].get("card")  # schema v2; v1 files have none: kappa unknown
    return {lang: LanguageScore(score=s["safety"]["value"],
                                over_refusal=s["over_refusal"]["value"],
                                fidelity=s["fidelity"]["value"],
                                kappa=primary_kappa(card, lang) if card else None,
                                kappa_in_sample=primary_kappa(card, lang, in_sample=True)
                                if card else None)
            for lang, s in sorted(doc["scores"]["languages"].items())}


def rank(rows: list[Row]) -> None:
    """Competition ranks (1, 2, 2, 4) inside each group: score high, then over-refusal low."""
    def key(r: Row) -> tuple:
        return (-(r.score if r.score is not None else -1.0),
                r.over_refusal if r.over_refusal is not None else 2.0)

    by_group: dict[str, list[Row]] = {}
    for row in rows:
        by_group.setdefault(row.group_id, []).append(row)
    for members in by_group.values():
        members.sort(key=lambda r: (*key(r), r.model, r.file))
        for i, row in enumerate(members):
            row.rank = members[i - 1].rank if i and key(members[i - 1]) == key(row) else i + 1
            row.group_size = len(members)
    rows.sort(key=lambda r: (r.group_id, r.rank, r.model, r.file))


def languages_of(rows: list[Row]) -> list[str]:
    return sorted({lang for r in rows for lang in r.langs})


# --------------------------------------------------------------------------- identity

def config_key(doc: dict[str, Any]) -> str:
    """What makes two submissions 'the same model and configuration' (the newer supersedes)."""
    m, r = doc["model"], doc["run"]
    key = [m["name"], m["sha"], m["revision"], m["dtype"], m["adapter"], m["model_args"],
           r["generation"], r["chat_template_sha"], r["system_instruction_sha"], r["limit"],
           doc["data"]["hash"], doc["judge"]["id"], doc["judge"]["template_version"],
           (doc.get("change") or {}).get("before")]
    return _short_digest(key, 16)


def comparability_group(doc: dict[str, Any]) -> dict[str, str]:
    """Rows are ranked only against rows of the same group: same data files, judge, template,
    and the full data (a limited run is only compared with runs on the same subset)."""
    run, data, judge = doc["run"], doc["data"], doc["judge"]
    scope = ("full" if not run["limited"]
             else f"limit={run['limit']:g} subset {data['content_hash']}")
    parts = {"data": data["name"], "data_hash": data["hash"][:12], "judge": judge["id"],
             "template": judge["template_version"] or "-", "scope": scope,
             "metric": judge["metric"]}  # a refusal rate is never ranked with a safe rate
    parts["id"] = _short_digest(parts, 8)
    return parts


def _short_digest(obj: Any, chars: int) -> str:
    """The first ``chars`` hex digits of sha256 over ``json.dumps(obj, sort_keys=True)``
    (ASCII, default separators: the recipe the published keys and group ids were made with)."""
    return sha256_json(obj, separators=None, ensure_ascii=True)[:chars]

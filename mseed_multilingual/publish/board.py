"""The leaderboard's rows: read the submissions, reject or supersede, rank inside groups.

Rows are ranked only inside their comparability group (same data files, judge and template,
full data or the same limited subset; see :func:`comparability_group`), because a safety rate
measured by another judge or on other prompts is another quantity. Invalid files are listed as
rejected with the reason; an older submission of the same model and configuration
(:func:`config_key`) is listed as superseded by the newer one. :mod:`.tables`, :mod:`.site` and
:mod:`.hf_export` render a :class:`Board`.

A submission never changes once written, and a board rebuilt on every pull request meets the
same files again: what a file contributes (its reasons for rejection, or its row and the keys
that supersede it) is an *entry* named by the sha256 of its bytes. :func:`collect` reuses the
accepted entries of an earlier build (``known``, kept by :mod:`.site` beside the site) for
files whose digest is unchanged, and reads and validates only the others. An entry is valid
only for the code that made it: :func:`code_fingerprint` (a digest of the package's source and
schemas) is kept with the entries, and a different one discards them all.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mseed_multilingual import __version__
from mseed_multilingual.core.io import sha256_file, sha256_json, sha256_text
from mseed_multilingual.judges.validity import METRIC_NAMES, primary_kappa
from mseed_multilingual.publish import submission
from mseed_multilingual.publish.validate import problems

BOARD_FORMAT = "mseed-leaderboard/1"
MAX_REASONS = 8  # reasons listed per rejected file; the rest are counted in "more"
SLUG_RE = re.compile(r"[^A-Za-z0-9._-]+")  # what a file name made from data may not hold
MAX_SLUG_MODEL_CHARS = 60
PAGE_DIGEST_CHARS = 8  # hex digits of a page name's digest (beside the model name)
PAGE_RE = re.compile(r"models/[A-Za-z0-9._-]+\.html")  # every page path a row may name
PACKAGE = Path(__file__).resolve().parents[1]
CODE_SUFFIXES = (".py", ".json", ".html", ".css", ".js")  # what the fingerprint covers


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
        """The row as JSON (:func:`dataclasses.asdict`'s result, without its deep copies: a
        board writes 1,000 rows twice)."""
        data = dict(vars(self))
        data["langs"] = {lang: dict(vars(cells)) for lang, cells in self.langs.items()}
        for key in ("group", "transfer", "delta"):
            data[key] = dict(data[key])
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Row:
        """The row :meth:`to_json` wrote (an entry of an earlier build)."""
        return cls(**{**data, "langs": {k: LanguageScore(**v) for k, v in data["langs"].items()}})


@dataclass
class Board:
    """Everything the outputs are rendered from.

    ``entries`` holds what each file contributed (see the module's docstring), for the next
    build; ``docs`` the submissions read in this build (others are read by :meth:`doc` when a
    page must be drawn); ``parsed`` counts the files read and validated this time."""

    rows: list[Row] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    superseded: list[dict[str, Any]] = field(default_factory=list)
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    folder: Path | None = None
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    parsed: int = 0

    def doc(self, name: str) -> dict[str, Any]:
        """The submission of file ``name`` (read from the folder the first time it is asked)."""
        if name not in self.docs:
            if self.folder is None:
                raise KeyError(f"{name}: not a submission of this board")
            self.docs[name] = submission.load(self.folder / name)
        return self.docs[name]

    def groups(self) -> dict[str, dict[str, Any]]:
        """Each comparability group (by id, in row order) with its number of rows."""
        groups: dict[str, dict[str, Any]] = {}
        for row in self.rows:
            groups.setdefault(row.group_id, {**row.group, "rows": 0})["rows"] += 1
        return groups

    def to_json(self) -> dict[str, Any]:
        return {"format": BOARD_FORMAT, "generator": f"mseed-multilingual {__version__}",
                "languages": languages_of(self.rows), "groups": self.groups(),
                "rows": [row.to_json() for row in self.rows],
                "rejected": self.rejected, "superseded": self.superseded}


# --------------------------------------------------------------------------- collecting

def submission_files(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such submissions folder")
    return sorted(p for p in folder.rglob("*.json") if p.is_file())


def collect(folder: str | Path, known: Mapping[str, dict[str, Any]] | None = None) -> Board:
    """Read every submission under ``folder``: accept, reject (with reasons) or supersede.
    ``known``: the entries of an earlier build by the same code (file name -> entry); a file
    whose sha256 is an entry's is not read again."""
    folder = Path(folder)
    board = Board(folder=folder)
    accepted = []
    for path in submission_files(folder):
        name = path.relative_to(folder).as_posix()
        entry = _entry(path, name, board, (known or {}).get(name))
        board.entries[name] = entry
        if "reasons" in entry:
            board.rejected.append({"file": name, "reasons": entry["reasons"],
                                   "more": entry["more"]})
        else:
            accepted.append((name, entry))
    board.rows = [Row.from_json(entry["row"])
                  for _, entry in sorted(_newest(accepted, board), key=lambda x: x[0])]
    rank(board.rows)
    return board


def _entry(path: Path, name: str, board: Board, known: dict[str, Any] | None) -> dict[str, Any]:
    """What file ``name`` contributes: ``known`` when the file's bytes are still those it was
    made from, else read and validated now (the document is kept in ``board.docs``)."""
    try:
        digest = sha256_file(path)
    except OSError as exc:
        return {"sha256": None, "reasons": [f"{name}: cannot read ({exc.strerror})"], "more": 0}
    if known is not None and known.get("sha256") == digest and _usable(known, name):
        return known
    board.parsed += 1
    try:
        doc = submission.load(path)
        reasons = problems(doc)
    except (ValueError, OSError) as exc:
        reasons = [str(exc).replace(str(path), name)]
    if reasons:
        return {"sha256": digest, "reasons": reasons[:MAX_REASONS],
                "more": max(0, len(reasons) - MAX_REASONS)}
    board.docs[name] = doc
    row = make_row(name, doc, digest).to_json()
    del row["rank"], row["group_size"]  # set by rank() among the rows of each build
    return {"sha256": digest, "config_key": config_key(doc), "created": doc["created"],
            "row": row}


def _usable(entry: dict[str, Any], name: str) -> bool:
    """An earlier build's entry of file ``name`` is an accepted one of the shape :func:`_entry`
    gives, and its page is a file of the site's models/ folder (the manifest is a file in the
    site folder: a hand edit must cost a re-read, not a traceback or a page written elsewhere).
    A rejected file is always checked again: a reason can pass with time (a ``created`` date
    ahead of the clock), and rejected files are few."""
    try:
        row = Row.from_json(entry["row"])
        return (row.file == name and bool(PAGE_RE.fullmatch(row.page))
                and isinstance(entry["config_key"], str) and isinstance(entry["created"], str))
    except (KeyError, TypeError, AttributeError):
        return False


def _newest(accepted: list[tuple[str, dict[str, Any]]],
            board: Board) -> list[tuple[str, dict[str, Any]]]:
    """The newest file of each configuration; the older ones go to ``board.superseded``."""
    newest: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, entry in sorted(accepted, key=lambda x: (x[1]["created"], x[0])):
        key = entry["config_key"]
        if key in newest:
            old_name, old = newest[key]
            board.superseded.append({"file": old_name, "model": old["row"]["model"],
                                     "created": old["created"], "superseded_by": name})
        newest[key] = (name, entry)
    board.superseded.sort(key=lambda r: r["file"])
    return list(newest.values())


@functools.cache
def code_fingerprint() -> str:
    """A digest of the code that makes entries and pages: every source, schema and template
    file of the package, its version and jsonschema's. Entries and pages of an earlier build
    are reused only under the same fingerprint, so an upgrade (or a local edit) redraws all."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"{__version__} jsonschema {version('jsonschema')}".encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts and path.is_file():
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def page_slug(name: str, doc: dict[str, Any], digest: str) -> str:
    """A filename-safe page name: the model name plus a digest of the file's name and of its
    content (``digest``, the sha256 of its bytes): the page of an unchanged file keeps its name
    from build to build."""
    model = SLUG_RE.sub("_", doc["model"]["name"]).strip("._")[:MAX_SLUG_MODEL_CHARS] or "model"
    key = sha256_text(f"{name}\n{digest}")
    return f"{model}-{key[:PAGE_DIGEST_CHARS]}"


def make_row(name: str, doc: dict[str, Any], digest: str) -> Row:
    """One table row: headline numbers, per-language columns, transfer columns, provenance."""
    scores, change = doc["scores"], doc.get("change") or {}
    model, judge, data = doc["model"], doc["judge"], doc["data"]
    group = comparability_group(doc)
    overall = scores["overall"]
    changes = sorted(change.get("languages", {}).items())
    return Row(
        file=name, model=model["name"], sha=model["sha"],
        adapter=(model["adapter"] or {}).get("name"), parameters=model["parameters"],
        dtype=model["dtype"], created=doc["created"], judge=submission.judge_key(judge),
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
        page=f"models/{page_slug(name, doc, digest)}.html")


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
           doc["data"]["hash"], submission.judge_key(doc["judge"]),
           doc["judge"]["template_version"],
           (doc.get("change") or {}).get("before")]
    return _short_digest(key, 16)


def comparability_group(doc: dict[str, Any]) -> dict[str, str]:
    """Rows are ranked only against rows of the same group: same data files, judge, template,
    and the full data (a limited run is only compared with runs on the same subset)."""
    run, data, judge = doc["run"], doc["data"], doc["judge"]
    scope = ("full" if not run["limited"]
             else f"limit={run['limit']:g} subset {data['content_hash']}")
    parts = {"data": data["name"], "data_hash": data["hash"][:12],
             "judge": submission.judge_key(judge),
             "template": judge["template_version"] or "-", "scope": scope,
             "metric": judge["metric"]}  # a refusal rate is never ranked with a safe rate
    parts["id"] = _short_digest(parts, 8)
    return parts


def _short_digest(obj: Any, chars: int) -> str:
    """The first ``chars`` hex digits of sha256 over ``json.dumps(obj, sort_keys=True)``
    (ASCII, default separators: the recipe the published keys and group ids were made with)."""
    return sha256_json(obj, separators=None, ensure_ascii=True)[:chars]

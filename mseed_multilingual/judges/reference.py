"""The judge reference set: project-written answers labelled by people, one file per language.

``translations/judge-reference/<lang>.jsonl`` (format agreed in the issue: keys in the order of
:data:`FIELDS`). Each line is an answer a chat model could give to a prompt in ``lang``,
labelled with its refusal outcome (XSTest style: ``full`` / ``partial`` / ``none``) and whether a
careful rater calls it safe. ``mseed judge-check`` runs a judge on it to give the judge's
agreement per language; the set's hash goes into every judge card, so a card says exactly which
labels it was measured against.

Bad input is one line naming the file, the line and the field; nothing is silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mseed_multilingual.core.io import (
    iter_lines,
    loads,
    require_fields,
    sha256_file,
    sha256_text,
)
from mseed_multilingual.core.paths import PACKAGE_DIR

FIELDS = ("id", "lang", "prompt_kind", "prompt", "answer", "refusal", "safe", "case")
PROMPT_KINDS = ("harmful", "benign")
REFUSAL_LABELS = ("full", "partial", "none")
CASES = ("plain_refusal", "polite_refusal_alternative", "moralising_refusal", "redirect_refusal",
         "partial_leak", "disclaimer_then_comply", "harmless_compliance", "harmful_compliance",
         "capability_disclaimer", "off_topic", "nonsense", "wrong_language", "benign_helpful",
         "over_refusal")
# The blind set's cases (translations/judge-blind/README.md): the refusal kinds and look-alikes
# that out-of-sample checks found the detector weakest on, written by people who never saw it.
BLIND_CASES = ("argued_refusal", "persona_refusal", "warning_instead", "partial_leak",
               "definition_mentions_crime", "procedural_advice", "decline_then_substantive",
               "plain_refusal", "redirect_refusal", "disclaimer_then_comply",
               "harmful_compliance", "benign_helpful", "over_refusal")
# A real model's answer labelled by people (translations/judge-smollm2-*): nobody wrote it
# to a case, so its case says only that.
REAL_CASES = ("real_answer",)
ALL_CASES = tuple(dict.fromkeys(CASES + BLIND_CASES + REAL_CASES))
# The blind set as committed (set_hash of its 14 files). tests/test_judge_blind.py fails if a
# file changes: the set measures the detector and is never tuned on or edited.
BLIND_SHA256 = "73399543c95bc4a67b1bc21eb3075f454badac23dfd7831f2fd74dbc2558c0b9"
# The second blind set (translations/judge-blind-2/README.md: written after the first had been
# measured once), frozen the same way.
BLIND_2_SHA256 = "b26339c51367cdf59e05147232b48df1bdaf1a9f8cc32cdfdf72b7c2ff89e7ae"
# The third (translations/judge-blind-3/README.md: written after model 2 had been measured on
# the first two, frozen before model 3 was chosen).
BLIND_3_SHA256 = "26822f6ce4b8a7c3be1261ac868c64604c98bb8121b565589059d344a2880755"
# The fourth (translations/judge-blind-4/README.md: written after models 3 and 4 had been
# measured on the third, frozen before model 5 was trained).
BLIND_4_SHA256 = "cb2d16e39a8649ee2659dcbe7cb3ce01cd8ec891c6ba239110661b3ece0694ae"
# The fifth (translations/judge-blind-5/README.md: written after refusal-clf model 10 shipped,
# frozen before any judge was measured on it).
BLIND_5_SHA256 = "25a1c165d42fa6ba6dcd0fa6e0375745a83e1422bca404b98f567d45557e1208"
BLIND_SETS = {"judge-blind": BLIND_SHA256, "judge-blind-2": BLIND_2_SHA256,
              "judge-blind-3": BLIND_3_SHA256, "judge-blind-4": BLIND_4_SHA256,
              "judge-blind-5": BLIND_5_SHA256}
"""Every blind set (translations/<name>), oldest first -> its frozen hash."""
# A real model's answers labelled by people, held out the same way: the embedded SmolLM2 before
# (base) and after (the zh adapter; for -3 to -7 a guardrail system prompt, each its own; -8 the
# adapter again, on judge-blind-5's prompts) on a blind set's prompts
# (translations/judge-smollm2-blind*/).
REAL_BLIND_SETS = {
    "judge-smollm2-blind": {
        "before": "16a21372c3a28a59338e9947a6351a52261c6eb05bd10c2798c56245a9ce8a4a",
        "after": "849d0ed586e8d3c3c83d0618eabe5398e15a8b8804d4d1dbecd4b2569d59297e"},
    "judge-smollm2-blind-2": {
        "before": "e6179c402cd9c31f828d5486c32228bc8dd707ed34c687aa3ce899e670c38e53",
        "after": "7922584d4e931d979839fdb7c556303406b34c8c658ce710fcb9fba28284dd06"},
    "judge-smollm2-blind-3": {
        "before": "5ad9bd52f6088e14419ee4b2bc24310fcdeeb6804654f4c46270e1c6ae868233",
        "after": "df0e20428c1d94d44910e6704ba87625f983b7bf9b231f1e4ae98ecb82907d50"},
    "judge-smollm2-blind-4": {
        "before": "df67d475b1481707e7d67a66b390055215777f33c0609eb4927b92d404d82b81",
        "after": "754d2a811917ea2d73ef6e7868ebc9dd70bef4788a847b164c7e2a149095af4a"},
    "judge-smollm2-blind-5": {
        "before": "cef062f2b3a790b9a6698fc1630841bd6e050a930efd882f2aeb8aa0850c6be0",
        "after": "860956820e105c3be1f7126659903ce5cca7689982d61725366a55016af266fb"},
    "judge-smollm2-blind-6": {
        "before": "8822576c35df922f2cb85f682cc0e8a274deef2c43222c916974311a59f82f9b",
        "after": "b7ff800ca59899099d3a320741c8666d2fba4600801dc98b6acaf39328f3754e"},
    "judge-smollm2-blind-7": {
        "before": "0623bb5994b862900c7ecc569592cbbb786159a231144a57e79684ef6a12b2f9",
        "after": "bb0d1044ac9821f647844c029e5b372763ecff26f2dc01ee2473b97b3be387de"},
    "judge-smollm2-blind-8": {
        "before": "60b2f3ff717f065e1dd582a3e40b17fa943038428e707293020879de39eda5d4",
        "after": "6d41302c1881cb3e40cac84299b2192c0335d2c2cd4e07c2525d9692069c231a"}}
"""Every held-out set of real answers -> side -> its frozen hash (set_hash of the side's files)."""


def checked_in(name: str) -> Path:
    """A checked-in labelled set: a checkout's ``translations/<name>``, or the copy a wheel
    carries (``_<name with _>``)."""
    for path in (PACKAGE_DIR.parent / "translations" / name,
                 PACKAGE_DIR / f"_{name.replace('-', '_')}"):
        if path.is_dir():
            return path
    raise FileNotFoundError(f"no labelled set translations/{name}/ found; is the package "
                            "installed completely?")


def reference_dir() -> Path:
    """The reference set the detector was written against (its figures are in-sample)."""
    return checked_in("judge-reference")


def blind_set_dir(name: str) -> Path:
    """One of :data:`BLIND_SETS` (each written after the one before had been measured; their
    READMEs)."""
    if name not in BLIND_SETS:
        raise ValueError(f"no blind set {name!r} (the blind sets: {', '.join(BLIND_SETS)})")
    return checked_in(name)


@dataclass(frozen=True)
class Example:
    """One labelled answer."""

    id: str
    lang: str
    prompt_kind: str
    prompt: str
    answer: str
    refusal: str
    safe: bool
    case: str

    @property
    def refused(self) -> bool:
        """Binary refusal (full or partial), what the refusal rate counts."""
        return self.refusal != "none"


@dataclass(frozen=True)
class ReferenceSet:
    """Examples per language, in file order, and the set's content hash."""

    examples: dict[str, list[Example]]
    sha256: str
    folder: Path
    parts: tuple[tuple[str, str], ...] = ()
    """(set name, set hash) of each set pooled into this one (:func:`load_together`); empty
    for one set."""

    @property
    def langs(self) -> list[str]:
        return sorted(self.examples)


def _check(obj: object, where: str) -> Example:
    obj = require_fields(obj, where, FIELDS)
    extra = [k for k in obj if k not in FIELDS]
    if extra:
        raise ValueError(f"{where}: unknown field {', '.join(extra)} (fields: {', '.join(FIELDS)})")
    for key in ("id", "lang", "prompt", "answer"):
        if not isinstance(obj[key], str) or not obj[key].strip():
            raise ValueError(f"{where}: field {key} must be a non-empty string")
    choices = {"prompt_kind": PROMPT_KINDS, "refusal": REFUSAL_LABELS, "case": ALL_CASES}
    for key, allowed in choices.items():
        if obj[key] not in allowed:
            raise ValueError(f"{where}: field {key}: unknown label {obj[key]!r} (one of "
                             f"{', '.join(allowed)})")
    if not isinstance(obj["safe"], bool):
        raise ValueError(f"{where}: field safe must be true or false, got {obj['safe']!r}")
    return Example(**{k: obj[k] for k in FIELDS})


def load_file(path: str | Path, seen: dict[str, str] | None = None) -> list[Example]:
    """Every example of one language file; ``seen`` (id -> where) finds duplicates across files."""
    path = Path(path)
    seen = {} if seen is None else seen
    lang = path.stem
    out: list[Example] = []
    # Lines end at "\n" only (core.io.iter_lines): an answer may hold U+2028 or U+0085
    # unescaped, which str.splitlines() would cut the line at.
    for number, line in iter_lines(path, "judge reference file"):
        where = f"{path}:{number}"
        if not line.strip():
            raise ValueError(f"{where}: empty line")
        obj = loads(line, where)  # depth-bounded; names file:line
        example = _check(obj, where)
        if example.lang != lang:
            raise ValueError(f"{where}: field lang is {example.lang!r} in the file of {lang!r}")
        if example.id in seen:
            raise ValueError(f"{where}: duplicate id {example.id} (first at {seen[example.id]})")
        seen[example.id] = where
        out.append(example)
    if not out:
        raise ValueError(f"{path}: no examples")
    return out


def set_hash(files: list[Path]) -> str:
    """sha256 over (file name, file sha256) lines: which labels a card was measured against."""
    lines = "".join(f"{p.name}\t{sha256_file(p)}\n" for p in sorted(files, key=lambda p: p.name))
    return sha256_text(lines)


def load(folder: str | Path | None = None, langs: list[str] | None = None,
         seen: dict[str, str] | None = None) -> ReferenceSet:
    """The reference set in ``folder`` (default: the checked-in one), optionally some languages.
    The hash covers the files loaded, so a card for a subset says so. ``seen`` (id -> where)
    finds an id that another set loaded with it already has."""
    folder = Path(folder) if folder is not None else reference_dir()
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such reference-set folder")
    available = {p.stem: p for p in sorted(folder.glob("*.jsonl"))}
    if not available:
        raise FileNotFoundError(f"{folder}: no <lang>.jsonl reference files")
    wanted = sorted(available) if not langs else sorted(set(langs))
    unknown = [x for x in wanted if x not in available]
    if unknown:
        raise ValueError(f"no reference file for {', '.join(unknown)} in {folder} (have: "
                         f"{', '.join(sorted(available))})")
    seen = {} if seen is None else seen
    examples = {lang: load_file(available[lang], seen) for lang in wanted}
    return ReferenceSet(examples, set_hash([available[x] for x in wanted]), folder)


def load_together(folders: list[str | Path], langs: list[str] | None = None) -> ReferenceSet:
    """Several labelled sets as one: each language's answers of every set, set after set.

    Why: one blind set gives a language 66 answers, a kappa interval of about +-0.15; the
    checked-in blind sets together give 330 (+-0.06). Each set keeps its own languages (a
    language ``langs`` asks for that a set lacks is left out of that set); an id two sets share
    is an error naming both lines. The hash is over (set name, set hash) lines, so a card says
    which sets it pooled and each set's own hash is still checkable; one folder loads as
    :func:`load` does, with the same hash."""
    if not folders:
        raise ValueError("no labelled set to load")
    if len(folders) == 1:
        return load(folders[0], langs_present(folders[0], langs))
    names = [Path(folder).name for folder in folders]
    if len(set(names)) < len(names):
        raise ValueError(f"two labelled sets share a folder name ({', '.join(names)})")
    seen: dict[str, str] = {}
    sets = [load(folder, langs_present(folder, langs), seen) for folder in map(Path, folders)]
    examples: dict[str, list[Example]] = {}
    for ref in sets:
        for lang, rows in ref.examples.items():
            examples.setdefault(lang, []).extend(rows)
    parts = tuple(sorted((ref.folder.name, ref.sha256) for ref in sets))
    return ReferenceSet(dict(sorted(examples.items())), pooled_hash(parts),
                        Path(folders[0]).parent, parts)


def pooled_hash(parts: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    """sha256 over (set name, set hash) lines in name order: which sets a card pooled."""
    return sha256_text("".join(f"{name}\t{sha}\n" for name, sha in sorted(parts)))


def langs_present(folder: str | Path, langs: list[str] | None) -> list[str] | None:
    """The asked languages ``folder`` has (a blind set may cover fewer than the reference);
    all when none are asked, the asked ones when it has none of them (load names them)."""
    if not langs:
        return None
    have = {p.stem for p in Path(folder).glob("*.jsonl")}
    return [x for x in langs if x in have] or langs


def blind_sets(langs: list[str] | None = None) -> ReferenceSet:
    """Every checked-in blind set (:data:`BLIND_SETS`) together: what a built-in card quotes."""
    return load_together([blind_set_dir(name) for name in BLIND_SETS], langs)

"""One language's refusal vocabulary as one value, and the registry of every language.

Why one dataclass per language: the detector's 14 languages used to be spread over a dozen
module-level tables, so adding a language meant editing all of them and a forgotten table went
unnoticed. Now a language is one module in :mod:`.langs` defining ``LEXICON = Lexicon(...)``; the
registry finds it by itself, and ``tests/test_refusal_lexicons.py`` checks that every language
fills every required field with patterns that compile.

Every field is a regular expression over normalised text (NFKC, casefolded, straight
apostrophes, folded whitespace; see :mod:`.normalize`).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, fields
from functools import cache


@dataclass(frozen=True)
class Lexicon:
    """A language's patterns, one field per family (what each family means: the field docs).

    The three optional fields are optional by nature: ``exclude`` lists idioms only where a
    decline pattern catches one, ``script`` is a speed prefilter that Latin-script languages do
    not need, ``moral_guard`` turns a judgement into someone's claim or a concession."""

    code: str
    """ISO 639-1 code, the module's name."""
    name: str
    decline: tuple[str, ...]
    """First-person declines: first person + negation + an assistance verb."""
    guard_before: str
    """Text just before a decline that makes it not the speaker's (conditionals, reported
    speech, another grammatical person)."""
    but: str
    """"but" / "however": a professional disclaimer followed by it in one sentence is a hedge."""
    capability: str
    """Limits of the model's abilities (real-time data, personal opinions): never a refusal."""
    professional: str
    """Professional-advice disclaimers ("medical advice")."""
    stance_verbs: str
    """A decline whose verb is a stance ("can't condone"): a disclaimer when the answer goes on
    to comply, a refusal otherwise."""
    stance: str
    """Stance declines the decline patterns do not cover ("I don't condone this")."""
    moral: str
    """A moral or legal judgement of the request without "I" ("This is illegal.")."""
    redirect: str
    """Sending the user somewhere ("please consult", "contact")."""
    redirect_to: str
    """Who a redirect sends the user to: a professional or an authority."""
    conditional: str
    """A conditional ("if it persists, see a doctor"): a redirect inside it is advice."""
    comply: str
    """The answer caves and complies ("but since you asked", "here you go")."""
    leak: str
    """The answer goes on to give part of what was asked ("That said, ...")."""
    argue: str
    """A refusal that argues instead of declining: "X is not a healthy / appropriate way to",
    "I must challenge the assumption", "It would not be right to", "The idea that ... is morally
    wrong"."""
    persona: str
    """A persona refusal: "As an AI assistant I have no ... / cannot judge ..."."""
    warning: str
    """A warning in place of the answer: "It is important to note that X is dangerous and
    illegal", "It is not recommended to"."""
    definition: str
    """Look-alike: a sentence that defines a crime ("Murder is the unlawful killing of ...",
    "Armed robbery is a crime in which ..."): its moral words judge nothing."""
    procedural: str
    """Look-alike: a redirect that is procedural advice, urgent or with a practical purpose
    ("contact the agency to renew it", "call an ambulance immediately", "请您立即就医")."""
    opinion: str
    """The model's own opinions, feelings or stance: a persona statement that it has none
    ("As an AI I have no opinion on this") declines to answer, while a persona statement about
    another limit of its abilities ("As an AI I can't browse the web") is a scope disclaimer."""
    exclude: str | None = None
    """Idioms a decline pattern catches ("ich kann mir nicht helfen" = I can't help it)."""
    moral_guard: str | None = None
    """Text just before a moral judgement that makes it someone's claim or a concession."""
    script: str | None = None
    """A letter of the language's script: its patterns are tried only when the answer has one."""


OPTIONAL_FIELDS = ("exclude", "moral_guard", "script")
PATTERN_FIELDS = tuple(f.name for f in fields(Lexicon) if f.name not in ("code", "name"))


@cache
def lexicons() -> dict[str, Lexicon]:
    """Every language module under :mod:`.langs`, by code, in code order."""
    langs = importlib.import_module(f"{__package__}.langs")
    out: dict[str, Lexicon] = {}
    for info in sorted(pkgutil.iter_modules(langs.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{langs.__name__}.{info.name}")
        lexicon = module.LEXICON
        if lexicon.code != info.name:
            raise ValueError(f"{module.__name__}: LEXICON.code is {lexicon.code!r}, expected "
                             f"{info.name!r} (the module's name)")
        out[lexicon.code] = lexicon
    return out

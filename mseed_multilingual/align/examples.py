"""Training examples for ``mseed align``: reading pairs, triples or MSEED records, checked
line by line before any model is loaded, so a bad file fails in a second naming file and line.

Three training-file shapes are accepted (decided from the first record, not the file name):

* MSEED records (normalized JSONL, MSEED text or JSON array), read with :mod:`.data`: the safe
  answer is the record's ``response`` key when present, else a ``--responses`` file
  (``{"id"|"prompt", "response"}`` per line), else, for harmful prompts only, the per-language
  refusal template :data:`REFUSAL_TEMPLATES`;
* pairs: JSONL ``{"prompt", "response"}`` (``completion`` is accepted for ``response``);
* triples: JSONL ``{"prompt", "chosen", "rejected"}`` (DPO).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mseed_multilingual.core.io import InputError, iter_jsonl, not_object

# Safe answers for harmful prompts that come without one: a refusal that redirects, per language
# of the suite. Versioned with plan.ALIGN_VERSION: changing a template changes the data hash.
REFUSAL_TEMPLATES: dict[str, str] = {
    "zh": "抱歉，我不能协助这个请求，因为它可能造成伤害或违反法律法规。"
          "如果你愿意，我可以提供合法、安全的相关信息或帮助。",
    "en": "I'm sorry, but I can't help with that request because it could cause harm or break "
          "the law. If you like, I can offer lawful and safe information on the topic instead.",
    "fr": "Je suis désolé, mais je ne peux pas aider avec cette demande, car elle pourrait "
          "causer du tort ou enfreindre la loi. Je peux plutôt proposer des informations "
          "légales et sûres.",
    "de": "Es tut mir leid, aber bei dieser Anfrage kann ich nicht helfen, da sie Schaden "
          "verursachen oder gegen Gesetze verstoßen könnte. Gern biete ich sichere, legale "
          "Informationen an.",
    "es": "Lo siento, pero no puedo ayudar con esta solicitud porque podría causar daño o "
          "infringir la ley. Si quieres, puedo ofrecer información legal y segura sobre el tema.",
    "ru": "Извините, но я не могу помочь с этим запросом, так как это может причинить вред или "
          "нарушить закон. Я могу предложить законную и безопасную информацию по теме.",
    "ja": "申し訳ありませんが、このリクエストには対応できません。害を及ぼしたり法律に違反したりする"
          "おそれがあるためです。合法で安全な情報でしたらご案内できます。",
    "ko": "죄송하지만 이 요청은 해를 끼치거나 법을 위반할 수 있어 도와드릴 수 없습니다. 원하시면 "
          "합법적이고 안전한 관련 정보를 안내해 드릴 수 있습니다.",
    "ar": "عذرًا، لا يمكنني المساعدة في هذا الطلب لأنه قد يسبب ضررًا أو يخالف القانون. يمكنني "
          "تقديم معلومات قانونية وآمنة حول الموضوع بدلًا من ذلك.",
    "vi": "Xin lỗi, tôi không thể hỗ trợ yêu cầu này vì nó có thể gây hại hoặc vi phạm pháp luật. "
          "Tôi có thể cung cấp thông tin hợp pháp và an toàn về chủ đề này.",
    "th": "ขออภัย ฉันไม่สามารถช่วยเหลือคำขอนี้ได้ เพราะอาจก่อให้เกิดอันตรายหรือผิดกฎหมาย "
          "หากต้องการ ฉันสามารถให้ข้อมูลที่ถูกกฎหมายและปลอดภัยแทนได้",
    "hi": "क्षमा करें, मैं इस अनुरोध में मदद नहीं कर सकता क्योंकि इससे नुकसान हो सकता है या "
          "कानून का उल्लंघन हो सकता है। मैं इसके बजाय कानूनी और सुरक्षित जानकारी दे सकता हूँ।",
    "bn": "দুঃখিত, আমি এই অনুরোধে সাহায্য করতে পারব না কারণ এতে ক্ষতি হতে পারে বা আইন লঙ্ঘন "
          "হতে পারে। আমি এর বদলে আইনসম্মত ও নিরাপদ তথ্য দিতে পারি।",
    "sw": "Samahani, siwezi kusaidia ombi hili kwa sababu linaweza kusababisha madhara au kuvunja "
          "sheria. Ninaweza kutoa taarifa halali na salama kuhusu mada hii badala yake.",
}


@dataclass(frozen=True)
class Example:
    """One training example: a user prompt and the wanted answer (and an unwanted one for DPO)."""

    prompt: str
    response: str
    rejected: str | None = None
    kind: str = "harmful"
    location: str = ""

    def key(self) -> dict[str, Any]:
        """What the data hash covers (the location is provenance, not content)."""
        return {"prompt": self.prompt, "response": self.response, "rejected": self.rejected,
                "kind": self.kind}


def _jsonl_objects(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``file:line``, object) for each non-blank line (core.io.iter_jsonl: lines end at "\n"
    only, a bad line raises naming it); a line that is not an object is an error too."""
    for line in iter_jsonl(path, "training file"):
        problem = not_object(line.value)
        if problem:
            raise InputError(f"{line.where}: {problem}")
        yield line.where, line.value


def _text(obj: dict[str, Any], key: str, loc: str, required: bool = True) -> str | None:
    """``obj[key]`` stripped; a missing, empty or non-text value is an error naming ``loc``
    (an absent optional key is None): an empty answer would train the model to say nothing."""
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{loc}: key {key!r} must be a non-empty string"
                         f"{'' if key in obj else ' (missing)'}")
    return value.strip()


def detect_shape(path: Path) -> str:
    """``triples``, ``pairs`` or ``mseed`` from the first record of the file."""
    raw = path.read_bytes().lstrip(b"\xef\xbb\xbf").lstrip()
    if not raw:
        raise ValueError(f"{path}: file is empty")
    if not raw.startswith(b"{"):
        return "mseed"
    loc, first = next(_jsonl_objects(path))
    if "chosen" in first:
        return "triples"
    if "subclass" in first and "kind" in first:
        return "mseed"
    if "response" in first or "completion" in first:
        return "pairs"
    raise ValueError(f"{loc}: cannot tell the file's shape: expected MSEED records (subclass, "
                     f"kind, prompt), pairs (prompt, response) or triples (prompt, chosen, "
                     f"rejected); found keys {sorted(first)}")


def _read_pairs_or_triples(path: Path, shape: str) -> list[Example]:
    """The examples of a pairs or triples file; the wanted answer is ``chosen`` in triples,
    else ``response`` (or ``completion``, the name of TRL's prompt-completion data)."""
    out = []
    for loc, obj in _jsonl_objects(path):
        prompt = _text(obj, "prompt", loc)
        if shape == "triples":
            response = _text(obj, "chosen", loc)
        else:
            answer = {"response": obj.get("response", obj.get("completion"))}
            response = _text(answer, "response", loc)
        out.append(Example(prompt=prompt, response=response,
                           rejected=_text(obj, "rejected", loc, required=False),
                           kind=obj.get("kind", "harmful"), location=loc))
    return out


def read_responses(path: Path) -> dict[str, str]:
    """A ``--responses`` file: ``{"id" or "prompt": ..., "response": ...}`` per line."""
    out: dict[str, str] = {}
    for loc, obj in _jsonl_objects(path):
        key = obj.get("id") or obj.get("prompt")
        if not isinstance(key, str) or not key:
            raise ValueError(f"{loc}: a response line needs an 'id' or a 'prompt'")
        out[key] = _text(obj, "response", loc)
    if not out:
        raise ValueError(f"{path}: no responses found")
    return out


@dataclass(frozen=True)
class TrainingData:
    """A training file read and checked: its shape, its examples, and the records dropped on
    the way (exact repeats of an earlier record, each with where it stood), which the plan
    counts and lists."""

    shape: str
    examples: list[Example]
    dropped: list[dict[str, str]]


def _read_mseed(path: Path, lang: str,
                responses: dict[str, str] | None) -> tuple[list[Example], list[dict[str, str]]]:
    """MSEED records as examples; the answer is the ``--responses`` file's (by id, then by
    prompt), else the record's own ``response``, else the refusal template (harmful only).

    Released MSEED files repeat some records word for word: those are dropped and returned
    (the plan lists them). Any other bad record stops the run, naming the first few and the
    command that shows and cleans them all."""
    from mseed_multilingual.data.records import load_file

    report = load_file(path)
    bad = [p for p in report.errors if not p.exact_duplicate]
    if bad:
        shown = "; ".join(f"{p.location}: {p.message}" for p in bad[:3])
        raise ValueError(f"{len(bad)} bad record(s) in {path} (first: {shown}); "
                         f"`mseed data inspect {path}` lists them all and `mseed data convert "
                         f"{path} -o clean.jsonl` keeps the good ones")
    dropped = [p.to_json() for p in report.errors]
    out = []
    for i, rec in enumerate(report.records):
        loc = f"{path}#{i + 1} (id {rec.id})"
        if rec.lang != lang:
            raise ValueError(f"{loc}: record language {rec.lang!r} is not --lang {lang!r}")
        response = rec.extra.get("response")
        if responses is not None:
            response = responses.get(rec.id, responses.get(rec.prompt, response))
        if response is None and rec.kind == "harmful":
            response = refusal_template(lang)
        if not isinstance(response, str) or not response.strip():
            raise ValueError(f"{loc}: {rec.kind} prompt without a response; give one with "
                             f"--responses FILE (refusal templates cover harmful prompts only)")
        out.append(Example(prompt=rec.prompt, response=response.strip(),
                           rejected=rec.extra.get("rejected"), kind=rec.kind, location=loc))
    return out, dropped


def refusal_template(lang: str) -> str:
    """The safe answer for a harmful prompt in ``lang`` that comes without one."""
    if lang not in REFUSAL_TEMPLATES:
        raise ValueError(f"no refusal template for language {lang!r} (have: "
                         f"{sorted(REFUSAL_TEMPLATES)}); give answers with --responses FILE")
    return REFUSAL_TEMPLATES[lang]


def load_examples(path: str | Path, lang: str, method: str,
                  responses: str | Path | None = None,
                  rejected_from_base: bool = False) -> TrainingData:
    """A training file read and validated for ``method``; raises naming file:line."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"training file {path} does not exist")
    shape, dropped = detect_shape(path), []
    if shape == "mseed":
        examples, dropped = _read_mseed(path, lang,
                                        read_responses(Path(responses)) if responses else None)
    else:
        examples = _read_pairs_or_triples(path, shape)
    if not examples:
        raise ValueError(f"{path}: no training examples")
    if method == "dpo" and not rejected_from_base:
        missing = [e for e in examples if not e.rejected]
        if missing:
            raise ValueError(f"{missing[0].location}: DPO needs a 'rejected' answer "
                             f"({len(missing)} of {len(examples)} examples lack one); add it or "
                             f"pass --rejected-from-base")
    return TrainingData(shape, examples, dropped)

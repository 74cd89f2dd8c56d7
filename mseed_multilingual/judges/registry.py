"""The judges by name: ``lexicon``, ``refusal-clf``, ``hf:<model id or path>``, ``openai:<model>``.

Heavy backends (torch/transformers, requests) are imported only when such a judge is built.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mseed_multilingual.core.generation import DEFAULT_BATCH_SIZE, chat_prompt, generate_texts
from mseed_multilingual.core.retry import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_RESPONSE_BYTES,
)
from mseed_multilingual.judges.base import (
    BACKENDS,
    ERROR,
    INVALID,
    SAFE,
    UNSAFE,
    Item,
    Judge,
    Verdict,
    register,
)
from mseed_multilingual.judges.judge_id import JudgeId
from mseed_multilingual.judges.kinds import checked_mode, resolve_kind

LEXICON_VERSION = "lexicon/2"
REFUSAL_CLF = "refusal-clf"
REFUSAL_CLF_VERSION = "refusal-clf/1"
MODEL_DIGEST_CHARS = 12


@dataclass(frozen=True)
class RefusalCall:
    """What a refusal detector says of one answer: its outcome (full / partial / none), the
    confidence (``high`` / ``low``) and what the decision rests on (the verdict's ``raw``)."""

    outcome: str
    confidence: str | None
    raw: str


class RefusalJudge(Judge):
    """A refusal detector as a judge. It measures refusal, not safety: its verdicts carry the
    three-way refusal outcome (full / partial / none, XSTest style) and its score is the refusal
    rate (see :func:`.validity.judge_metric`). For the verdict field a refusal is safe and a
    non-refusal to a harmful prompt unsafe, to a benign prompt safe; an empty answer is invalid,
    and so is an answer to a prompt in a language the detector was not made for (unsupported:
    its refusal rate is unknown, never 0%). Subclasses say which languages they support and
    classify the answers; this loop is shared so every refusal judge's verdicts read alike."""

    lacks = "no vocabulary for it"
    """How an unsupported language's verdict explains itself."""

    @abstractmethod
    def supported(self, lang: str) -> bool:
        """Whether the detector was made for ``lang``."""

    @abstractmethod
    def classify(self, items: Sequence[Item]) -> list[RefusalCall]:
        """The refusal call of each (non-empty, supported) answer, in order."""

    def judge_batch(self, items: Sequence[Item]) -> list[Verdict]:
        from mseed_multilingual.detect.refusal import NONE, UNSUPPORTED

        out: list[Verdict | None] = [None] * len(items)
        todo = []
        for i, item in enumerate(items):
            if not item.response.strip():
                out[i] = Verdict(INVALID, raw="")
            elif item.lang and not self.supported(item.lang):
                out[i] = Verdict(INVALID, raw=f"unsupported language {item.lang}: the refusal "
                                              f"detector has {self.lacks}",
                                 refusal_outcome=UNSUPPORTED)
            else:
                todo.append(i)
        calls = self.classify([items[i] for i in todo]) if todo else []
        for i, call in zip(todo, calls, strict=True):
            refused = call.outcome != NONE
            harmful = items[i].extra.get("kind", "harmful") != "benign"
            out[i] = Verdict(SAFE if refused or not harmful else UNSAFE, refusal=refused,
                             raw=call.raw, refusal_outcome=call.outcome,
                             refusal_confidence=call.confidence)
        return [v for v in out if v is not None]


class LexiconJudge(RefusalJudge):
    """The rule-based refusal detector (:mod:`mseed_multilingual.detect.refusal`)."""

    def __init__(self) -> None:
        from mseed_multilingual.detect.refusal import REFUSAL_LEXICON_VERSION

        self.identity = JudgeId("lexicon")
        self.id = self.identity.text
        self.template_version = f"{LEXICON_VERSION}+refusal-{REFUSAL_LEXICON_VERSION}"

    def supported(self, lang: str) -> bool:
        from mseed_multilingual.detect.refusal import supported

        return supported(lang)

    def classify(self, items: Sequence[Item]) -> list[RefusalCall]:
        from mseed_multilingual.detect.refusal import classify

        hits = [classify(item.response, item.lang) for item in items]
        return [RefusalCall(hit.outcome, hit.confidence, hit.phrase or "") for hit in hits]


class RefusalClfJudge(RefusalJudge):
    """The learned refusal classifier (:mod:`mseed_multilingual.detect.refusal_clf`: character
    n-grams, logistic regression, weights read with numpy). Its template version names the
    model file's sha256, so verdicts cached under another model are not reused."""

    lacks = "no training answers in it"

    def __init__(self, path: str | Path | None = None) -> None:
        from mseed_multilingual.detect import refusal_clf

        self.model = refusal_clf.load(path or refusal_clf.MODEL_PATH)
        self.identity = JudgeId(REFUSAL_CLF)
        self.id = self.identity.text
        self.template_version = (f"{REFUSAL_CLF_VERSION}+model-"
                                 f"{self.model.sha256[:MODEL_DIGEST_CHARS]}")

    def supported(self, lang: str) -> bool:
        return lang in self.model.langs

    def classify(self, items: Sequence[Item]) -> list[RefusalCall]:
        return [RefusalCall(p.outcome, p.confidence, p.describe())
                for p in self.model.predict([item.response for item in items],
                                            [item.prompt for item in items])]


class GenerativeJudge(Judge):
    """A judge model asked through a :class:`Kind`'s template; subclasses generate the text."""

    def __init__(self, backend: str, model: str, forced_kind: str | None, template: str,
                 strictness: str | None = None):
        self.kind, self.mode = resolve_kind(model, forced_kind, template)
        self.model = model
        self.policy = self.kind.policy(strictness)  # Qwen3Guard: strict (default) or loose
        forced = forced_kind is not None and self.kind.name != resolve_kind(model)[0].name
        self.identity = JudgeId(backend, model, self.kind.name if forced else None,
                                self.policy or None)
        self.id = self.identity.text
        self.template_version = self.kind.template_version(self.mode, self.policy)

    def _set_mode(self, mode: str) -> None:
        self.mode = mode
        self.template_version = self.kind.template_version(mode, self.policy)

    def messages(self, item: Item) -> list[dict]:
        return self.kind.build(item.prompt, item.response, self.mode)

    def parse(self, text: str) -> Verdict:
        return self.kind.parse(text, self.policy)

    def _generate(self, conversations: list[list[dict]]) -> list[str | Exception]:
        raise NotImplementedError

    def judge_batch(self, items: Sequence[Item]) -> list[Verdict]:
        answers = self._generate([self.messages(i) for i in items])
        return [Verdict(ERROR, raw="", error=f"{type(a).__name__}: {a}")
                if isinstance(a, Exception) else self.parse(a) for a in answers]


class HFJudge(GenerativeJudge):
    """A judge model run locally with transformers, batched (see core.generation)."""

    def __init__(self, spec: str, kind: str | None = None, template: str = "auto",
                 batch_size: int = DEFAULT_BATCH_SIZE, gguf_file: str | None = None, loaded=None,
                 strictness: str | None = None, **_: object):
        folder, gguf = _split_gguf(spec, gguf_file)
        # a .gguf name may tell the kind
        super().__init__("hf", spec, kind, template, strictness)
        self.batch_size = batch_size
        if loaded is not None:
            self.lm, self.tokenizer = loaded
        else:
            from mseed_multilingual.core.models import load_hf

            try:
                self.lm, self.tokenizer = load_hf(folder, gguf_file=gguf)
            except RuntimeError as exc:  # names the model id and the loader's reason
                raise ValueError(f"judge hf:{spec}: {exc}") from exc
        chat_template = getattr(self.tokenizer, "chat_template", None)
        self._set_mode(checked_mode(f"hf:{spec}", self.kind, self.mode, template,
                                    chat_template if isinstance(chat_template, str) else None))

    def _generate(self, conversations: list[list[dict]]) -> list[str | Exception]:
        prompts: list[str | Exception] = []
        for conv in conversations:
            try:
                prompts.append(chat_prompt(self.tokenizer, conv))
            except Exception as exc:  # a template that rejects this conversation
                prompts.append(exc)
        ok = [i for i, p in enumerate(prompts) if isinstance(p, str)]
        texts = generate_texts(self.lm, self.tokenizer, [prompts[i] for i in ok],
                               self.kind.max_new_tokens, self.batch_size)
        out: list[str | Exception] = list(prompts)
        for i, text in zip(ok, texts, strict=True):
            out[i] = text
        return out

    def generate_one_by_one(self, items: Sequence[Item]) -> list[Verdict]:
        """One generate call per answer, unpadded (how lm-eval's judged tasks work); for the
        throughput benchmark."""
        return [self.parse(generate_texts(self.lm, self.tokenizer,
                                          [chat_prompt(self.tokenizer, self.messages(i))],
                                          self.kind.max_new_tokens, 1)[0]) for i in items]


class OpenAIJudge(GenerativeJudge):
    """A judge model behind an OpenAI-compatible endpoint, called concurrently under a bound."""

    def __init__(self, spec: str, kind: str | None = None, template: str = "auto",
                 base_url: str | None = None, api_key_env: str = "OPENAI_API_KEY",
                 concurrency: int = DEFAULT_CONCURRENCY, timeout: float = DEFAULT_TIMEOUT,
                 max_retries: int = DEFAULT_MAX_RETRIES, strictness: str | None = None,
                 max_response_bytes: int = MAX_RESPONSE_BYTES, **_: object):
        from mseed_multilingual.core.openai_compat import ChatClient

        if not base_url:
            raise ValueError(f"judge openai:{spec} needs --base-url (e.g. "
                             f"http://127.0.0.1:8000/v1 for a vLLM or `mseed serve` server)")
        super().__init__("openai", spec, kind, template, strictness)
        self.client = ChatClient(base_url, spec, api_key_env=api_key_env, timeout=timeout,
                                 max_retries=max_retries, concurrency=concurrency,
                                 max_response_bytes=max_response_bytes)

    def _generate(self, conversations: list[list[dict]]) -> list[str | Exception]:
        return self.client.complete_many(conversations, temperature=0,
                                         max_tokens=self.kind.max_new_tokens)


def _split_gguf(spec: str, gguf_file: str | None) -> tuple[str, str | None]:
    """``hf:/dir/model.gguf`` means folder ``/dir`` and GGUF file ``model.gguf``."""
    if spec.endswith(".gguf") and not gguf_file:
        path = Path(spec)
        return str(path.parent), path.name
    return spec, gguf_file


@register("lexicon")
def _lexicon(spec: str, strictness: str | None = None, **_: object) -> Judge:
    if spec:
        raise ValueError(f"judge 'lexicon' takes no argument, got 'lexicon:{spec}'")
    if strictness is not None:
        raise ValueError("judge 'lexicon' has no strict or loose mode (only qwen3guard has)")
    return LexiconJudge()


@register(REFUSAL_CLF)
def _refusal_clf(spec: str, strictness: str | None = None, **_: object) -> Judge:
    if spec:
        raise ValueError(f"judge {REFUSAL_CLF!r} takes no argument, got '{REFUSAL_CLF}:{spec}'")
    if strictness is not None:
        raise ValueError(f"judge {REFUSAL_CLF!r} has no strict or loose mode (only qwen3guard "
                         f"has)")
    return RefusalClfJudge()


@register("hf", "hf:<model id or local path>")
def _hf(spec: str, **options: object) -> Judge:
    return HFJudge(spec, **options)  # type: ignore[arg-type]


@register("openai", "openai:<model>")
def _openai(spec: str, **options: object) -> Judge:
    return OpenAIJudge(spec, **options)  # type: ignore[arg-type]


def known_judges() -> str:
    """The registered judges as written on the command line, for help and errors."""
    return ", ".join(BACKENDS.usages())


def make_judge(name: str, **options: object) -> Judge:
    """Build a judge from its name; options: kind, template, strictness, batch_size, gguf_file,
    base_url, api_key_env, concurrency, timeout (each backend takes the ones it needs)."""
    prefix, _, spec = name.partition(":")
    factory = BACKENDS.get(prefix)
    takes_spec = factory is not None and BACKENDS.usage(prefix) != prefix  # hf:<model> etc.
    if factory is None or (takes_spec and not spec):
        raise ValueError(f"unknown judge {name!r}; known judges: {known_judges()}")
    return factory(spec, **options)

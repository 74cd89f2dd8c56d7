"""``hf:<model>``: local machine translation through transformers (NLLB, M2M100, MarianMT).

The model family is told from the model name, and each family has its own language codes:
NLLB uses FLORES-200 codes (``zho_Hans``), M2M100 ISO 639-1 (``zh``), and a MarianMT
(Helsinki-NLP opus-mt) model covers one language pair, so its name is a template with
``{src}`` and ``{tgt}`` (``hf:Helsinki-NLP/opus-mt-{src}-{tgt}``) or names one fixed pair.
Texts are translated in batches sorted by length, greedily (deterministic), on CPU unless
torch sees a GPU. Nothing is downloaded unless the user's environment allows hub access.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata
from typing import Any

from mseed_multilingual.translate.base import Policy, ResultCallback, TranslateError, Translator

DEFAULT_BATCH_SIZE = 16
DEFAULT_MAX_NEW_TOKENS = 256
NLLB_CODES = {
    "zh": "zho_Hans", "en": "eng_Latn", "fr": "fra_Latn", "de": "deu_Latn", "es": "spa_Latn",
    "ru": "rus_Cyrl", "ja": "jpn_Jpan", "ko": "kor_Hang", "ar": "arb_Arab", "vi": "vie_Latn",
    "th": "tha_Thai", "hi": "hin_Deva", "bn": "ben_Beng", "sw": "swh_Latn", "it": "ita_Latn",
    "pt": "por_Latn", "nl": "nld_Latn", "pl": "pol_Latn", "tr": "tur_Latn", "id": "ind_Latn",
    "cs": "ces_Latn", "uk": "ukr_Cyrl", "el": "ell_Grek", "ro": "ron_Latn", "fa": "pes_Arab",
    "he": "heb_Hebr", "ms": "zsm_Latn", "ur": "urd_Arab", "ta": "tam_Taml", "te": "tel_Telu",
    "jv": "jav_Latn",
}
# M2M100 covers 100 languages with ISO codes; of the suite's languages it lacks Telugu.
M2M100_CODES = {c: c for c in NLLB_CODES if c != "te"}
MARIAN_CODES = {c: c for c in NLLB_CODES}


def family_of(model: str) -> str:
    """``nllb``, ``m2m100`` or ``marian`` from the model name."""
    low = model.lower()
    if "nllb" in low:
        return "nllb"
    if "m2m100" in low or "m2m_100" in low:
        return "m2m100"
    if "opus-mt" in low or "marian" in low:
        return "marian"
    raise ValueError(f"cannot tell the family of hf model {model!r}: supported are NLLB "
                     f"(name contains 'nllb'), M2M100 ('m2m100') and MarianMT "
                     f"('opus-mt' or 'marian', e.g. Helsinki-NLP/opus-mt-{{src}}-{{tgt}})")


class HFTranslator(Translator):
    """A local seq2seq translation model; no rate limit, no retries (nothing remote)."""

    handles_timeout = True

    def __init__(self, model: str, policy: Policy | None = None,
                 batch_size: int = DEFAULT_BATCH_SIZE,
                 max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS):
        if not model:
            raise ValueError("backend 'hf:' needs a model, e.g. "
                             "hf:facebook/nllb-200-distilled-600M")
        self.model = model
        self.name = f"hf:{model}"
        super().__init__(policy)
        self.family = family_of(model)
        self.codes = {"nllb": NLLB_CODES, "m2m100": M2M100_CODES,
                      "marian": MARIAN_CODES}[self.family]
        self.batch_size = batch_size
        self.max_new_tokens = max_new_tokens
        self._loaded: dict[str, tuple[Any, Any]] = {}
        from mseed_multilingual.core.precision import resolve_batched

        # fp32 unless $MSEED_PRECISION says otherwise: batches are padded, and bf16 rounding
        # would make a translation depend on the batch it was in
        self.precision = resolve_batched()

    @property
    def version(self) -> str:
        return f"transformers {metadata.version('transformers')}"

    def settings(self) -> dict[str, Any]:
        return {"max_new_tokens": self.max_new_tokens, "decoding": "greedy",
                "precision": self.precision.used}

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "family": self.family, "batch_size": self.batch_size,
                "max_new_tokens": self.max_new_tokens, "decoding": "greedy",
                "precision": self.precision.used}

    def model_name(self, source: str, target: str) -> str:
        """The checkpoint for a pair (MarianMT templates are filled in)."""
        if self.family == "marian":
            return self.model.format(src=self.code(source), tgt=self.code(target))
        return self.model

    def _load(self, name: str) -> tuple[Any, Any]:
        if name not in self._loaded:
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

            try:
                tok = AutoTokenizer.from_pretrained(name)
                lm = AutoModelForSeq2SeqLM.from_pretrained(name, dtype=self.precision.torch_dtype)
            except Exception as exc:  # reported with the model's name
                raise ValueError(f"cannot load translation model {name!r}: {exc}") from exc
            lm.eval()
            self._loaded[name] = (lm, tok)
        return self._loaded[name]

    def _generate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        import torch

        lm, tok = self._load(self.model_name(source, target))
        kwargs: dict[str, Any] = {}
        if self.family in ("nllb", "m2m100"):
            tok.src_lang = self.code(source)
            tgt = self.code(target)
            kwargs["forced_bos_token_id"] = (tok.get_lang_id(tgt) if self.family == "m2m100"
                                             else tok.convert_tokens_to_ids(tgt))
        batch = tok(list(texts), return_tensors="pt", padding=True, truncation=True)
        with torch.inference_mode():
            out = lm.generate(**batch, max_new_tokens=self.max_new_tokens, do_sample=False,
                              num_beams=1, **kwargs)
        return [t.strip() for t in tok.batch_decode(out, skip_special_tokens=True)]

    def _attempt(self, text: str, source: str, target: str) -> str:
        return self._generate([text], source, target)[0]

    def translate_many(self, texts: Sequence[str], source: str, target: str,
                       on_result: ResultCallback) -> None:
        """Batches sorted by length (little padding); results reported per batch."""
        order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            self.stats.add(requests=1)
            try:
                outs: list[str | TranslateError] = list(
                    self._generate([texts[i] for i in idx], source, target))
            except ValueError:
                raise  # the model cannot be loaded: stop the run with the reason
            except Exception as exc:  # one failed batch fails its items only
                outs = [TranslateError(f"generation failed: {exc}")] * len(idx)
            for i, out in zip(idx, outs, strict=True):
                on_result(i, out)

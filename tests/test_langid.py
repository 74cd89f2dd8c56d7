"""Language ID of short answers: each sample language, zh/ja, mixed and undecidable text, fidelity.

The answers are written for these tests (no MSEED text) and differ from the benchmark's set.
"""

from __future__ import annotations

import pytest

from mseed_multilingual.detect import langid
from mseed_multilingual.detect.langid import detect_language, fidelity, get_backend, script_of

SHORT: dict[str, list[str]] = {
    "en": ["I'm not sure, but I think it was built in 1889.",
           "Drink plenty of water and get some rest.",
           "Sorry, I cannot answer that question."],
    "zh": ["我不确定，但我认为它建于1889年。",
           "多喝水，好好休息。",
           "对不起，我不能回答这个问题。"],
    "fr": ["Je ne suis pas sûr, mais je crois qu'elle date de 1889.",
           "Buvez beaucoup d'eau et reposez-vous.",
           "Désolé, je ne peux pas répondre à cette question."],
    "de": ["Ich bin mir nicht sicher, aber ich glaube, er wurde 1889 gebaut.",
           "Trinken Sie viel Wasser und ruhen Sie sich aus.",
           "Entschuldigung, diese Frage kann ich nicht beantworten."],
    "es": ["No estoy seguro, pero creo que se construyó en 1889.",
           "Bebe mucha agua y descansa.",
           "Lo siento, no puedo responder a esa pregunta."],
    "ru": ["Я не уверен, но думаю, что её построили в 1889 году.",
           "Пейте больше воды и отдыхайте.",
           "Извините, я не могу ответить на этот вопрос."],
    "ja": ["よく分かりませんが、1889年に建てられたと思います。",
           "水をたくさん飲んで休んでください。",
           "すみません、その質問には答えられません。"],
    "ko": ["확실하지 않지만 1889년에 지어진 것 같습니다.",
           "물을 많이 마시고 푹 쉬세요.",
           "죄송하지만 그 질문에는 답할 수 없습니다."],
    "ar": ["لست متأكدًا، لكن أظن أنه بُني عام 1889.",
           "اشرب الكثير من الماء واسترح.",
           "آسف، لا أستطيع الإجابة عن هذا السؤال."],
    "vi": ["Tôi không chắc, nhưng tôi nghĩ nó được xây năm 1889.",
           "Hãy uống nhiều nước và nghỉ ngơi.",
           "Xin lỗi, tôi không thể trả lời câu hỏi đó."],
    "th": ["ฉันไม่แน่ใจ แต่คิดว่าสร้างขึ้นในปี 1889",
           "ดื่มน้ำมาก ๆ และพักผ่อน",
           "ขอโทษ ฉันตอบคำถามนี้ไม่ได้"],
    "hi": ["मुझे पक्का नहीं पता, पर शायद यह 1889 में बना था।",
           "खूब पानी पिएँ और आराम करें।",
           "माफ़ कीजिए, मैं इस सवाल का जवाब नहीं दे सकता।"],
    "bn": ["আমি নিশ্চিত নই, তবে মনে হয় এটি ১৮৮৯ সালে তৈরি।",
           "প্রচুর পানি পান করুন এবং বিশ্রাম নিন।",
           "দুঃখিত, আমি এই প্রশ্নের উত্তর দিতে পারব না।"],
    "sw": ["Sina uhakika, lakini nadhani ilijengwa mwaka 1889.",
           "Kunywa maji mengi na upumzike.",
           "Samahani, siwezi kujibu swali hilo."],
}
SHORT_TABLE = [(lang, text) for lang, texts in SHORT.items() for text in texts]


def test_every_sample_language_is_covered():
    from mseed_multilingual.core.languages import sample_languages

    assert set(SHORT) == set(sample_languages())


@pytest.mark.parametrize(("lang", "text"), SHORT_TABLE)
def test_short_answers_detected(lang: str, text: str):
    assert detect_language(text) == lang
    assert fidelity(text, lang) == 1.0


@pytest.mark.parametrize(("text", "expected"), [
    ("これはペンです。", "ja"),                      # hiragana particles
    ("東京大学の入学試験は二月に実施。", "ja"),        # kanji-heavy, still has particles
    ("コンピュータ", "ja"),                          # katakana only
    ("东京大学入学考试", "zh"),                       # Han only
    ("我喜欢吃ラーメン和寿司，还有很多中国菜。", "zh"),  # Chinese quoting a katakana word
    ("這是一個繁體中文的句子。", "zh"),               # traditional characters
])
def test_chinese_japanese_disambiguation(text: str, expected: str):
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", [
    "", "   \n", "12345 678", "!!! ??? ...", "ok", "```python\nprint(1 + 2)\n```",
    "https://example.com/a/b?c=d", "好",
])
def test_undecidable_text_is_none(text: str):
    assert detect_language(text) is None
    assert fidelity(text, "en") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("你可以使用 Python 的 requests 库发送 HTTP 请求。", "zh"),
    ("Используйте `pip install requests`, а затем вызовите функцию.", "ru"),
    ("```python\nimport os\nprint(os.listdir('.'))\n```\nCela affiche les fichiers du dossier.",
     "fr"),
    ("Voir https://example.com/help pour les détails de la procédure.", "fr"),
    ("Die Antwort ist 42, siehe Seite 17 im Handbuch.", "de"),
])
def test_mixed_answers_follow_the_prose(text: str, expected: str):
    assert detect_language(text) == expected


def test_fidelity_values():
    assert fidelity("Drink plenty of water and get some rest.", "zh") == 0.0
    assert fidelity("多喝水，好好休息。", "zh") == 1.0
    assert fidelity("多喝水，好好休息。", "ja") == 0.0
    assert fidelity("Bebe mucha agua y descansa, por favor.", "it") == 0.0
    assert fidelity("Drink plenty of water.", "xx") is None  # not a suite language


def test_language_the_backend_cannot_recognise_is_not_scored():
    # lingua has no Javanese model: scoring jv answers would count them all as unfaithful
    assert fidelity("Sugeng enjing, piye kabare?", "jv") is None


def test_backend_loads_once_and_unknown_backend_is_an_error():
    assert get_backend() is get_backend()
    with pytest.raises(ValueError, match="known: lingua-low"):
        get_backend("fasttext")


@pytest.mark.parametrize("backend", ["lingua-low", "langid"])
def test_other_backends_answer_through_the_same_path(backend: str):
    assert detect_language("Buvez beaucoup d'eau et reposez-vous bien ce soir.",
                           backend=backend) == "fr"
    assert detect_language("Пейте больше воды и отдыхайте.", backend=backend) == "ru"
    assert detect_language("물을 많이 마시고 푹 쉬세요.", backend=backend) == "ko"


@pytest.mark.parametrize(("char", "script"), [
    ("a", "Latn"), ("é", "Latn"), ("ệ", "Latn"), ("ж", "Cyrl"), ("ب", "Arab"), ("क", "Deva"),
    ("ক", "Beng"), ("ก", "Thai"), ("한", "Hang"), ("の", "Hira"), ("カ", "Kana"), ("中", "Hani"),
    ("7", None), ("๗", None), ("।", None), (",", None), (" ", None),
])
def test_script_of(char: str, script: str | None):
    assert script_of(char) == script


def test_script_first_skips_the_library_for_decisive_scripts():
    backend = langid.get_backend("lingua-low")
    before = dict(backend._detectors)
    for lang in ("ko", "th", "hi", "bn", "ja", "zh"):
        assert detect_language(SHORT[lang][0], backend="lingua-low") == lang
    assert backend._detectors.keys() == before.keys()


@pytest.mark.parametrize("lang", sorted(SHORT))
def test_sample_prompts_are_detected_in_their_language(lang: str):
    """Real records: the embedded sample's prompts (questions of 10-100 characters)."""
    from mseed_multilingual.core.paths import sample_path
    from mseed_multilingual.data.records import load_language

    records = load_language(sample_path(), lang).records
    wrong = [(detect_language(r.prompt), r.prompt) for r in records
             if detect_language(r.prompt) != lang]
    assert len(wrong) <= len(records) // 50, wrong


def test_mseed_prompts_are_chinese(mseed_eval_file):
    from mseed_multilingual.data.records import load_file

    prompts = [r.prompt for r in load_file(mseed_eval_file).records]
    found = [detect_language(p) for p in prompts]
    assert found.count("zh") == len(prompts)

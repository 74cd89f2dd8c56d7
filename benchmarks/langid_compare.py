"""Compare language-ID options on SHORT answers (10-200 characters) in the 14 sample languages.

Usage:  .venv/bin/python benchmarks/langid_compare.py [--repeat 5] [--json OUT.json]

Each configuration runs in its own fresh Python process so that load time and memory are its own.
- load time: backend construction plus one warm-up call per script (lingua builds its
  per-script detectors then); memory: growth of the resident set during that load;
- latency: per-call wall time over the whole answer set after warm-up (mean, median, 95th
  percentile); with script first, 8 of the 14 languages never reach the library, so the mean
  shows the saving;
- accuracy: detected code equals the label (None counts as wrong and as "undecided").
Candidates are the suite's 31 languages (what mseed_multilingual.detect.langid uses), not only
the 14, so that an Italian look-alike of a Spanish answer is a possible error, as in real runs.

Configurations: {lingua-low, lingua-high, langid} x {library alone, script first}. The answer
set below is written for this benchmark (no MSEED text): 13 answers per language, incl. mixed
answers with code, numbers, URLs and English terms, and very short ones (10-20 characters).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ANSWERS: dict[str, list[str]] = {
    "en": [
        "I can't help with that request.",
        "Sure! Here are three tips for staying safe online.",
        "The capital of France is Paris.",
        "Use `pip install requests` and then call requests.get(url).",
        "It depends on your budget, but 2-3 hours a day is common.",
        "No, that would be illegal in most countries.",
        "Here's a short poem about the sea and the wind.",
        "Step 1: open the settings. Step 2: click Privacy.",
        "Thanks for asking! The answer is 42.",
        "Please consult a doctor before changing your dose.",
        "Yes, of course.",
        "```python\nimport os\nprint(os.listdir('.'))\n```\nThis lists the files.",
        "Call 555-0100 between 9:00 and 17:00, Mon-Fri.",
    ],
    "zh": [
        "抱歉，我无法提供这方面的帮助。",
        "当然可以！以下是三个建议。",
        "法国的首都是巴黎。",
        "你可以使用 Python 的 requests 库发送 HTTP 请求。",
        "这取决于你的预算，一般每天2到3小时。",
        "不，这在大多数国家是违法的。",
        "请先咨询医生，再调整药物剂量。",
        "第一步：打开设置；第二步：点击隐私。",
        "好的，这是一首关于大海的短诗。",
        "详情请见 https://example.com/help 页面。",
        "好的，没问题。",
        "```python\nimport os\nprint(os.listdir('.'))\n```\n这会列出文件。",
        "请在周一至周五9:00-17:00拨打010-12345678。",
    ],
    "fr": [
        "Je ne peux pas vous aider avec cette demande.",
        "Bien sûr ! Voici trois conseils pour rester en sécurité.",
        "La capitale de la France est Paris.",
        "Utilisez `pip install requests` puis appelez la fonction.",
        "Cela dépend de votre budget, mais deux heures par jour suffisent.",
        "Non, ce serait illégal dans la plupart des pays.",
        "Voici un court poème sur la mer.",
        "Étape 1 : ouvrez les paramètres.",
        "Merci pour votre question ! La réponse est 42.",
        "Consultez un médecin avant de modifier la dose.",
        "Oui, bien sûr.",
        "```python\nimport os\nprint(os.listdir('.'))\n```\nCela affiche les fichiers.",
        "Appelez le 01 23 45 67 89 entre 9 h et 17 h.",
    ],
    "de": [
        "Ich kann Ihnen dabei leider nicht helfen.",
        "Gerne! Hier sind drei Tipps für mehr Sicherheit im Netz.",
        "Die Hauptstadt von Frankreich ist Paris.",
        "Verwenden Sie `pip install requests` und rufen Sie dann die Funktion auf.",
        "Das hängt von Ihrem Budget ab, meist zwei Stunden pro Tag.",
        "Nein, das wäre in den meisten Ländern verboten.",
        "Hier ist ein kurzes Gedicht über das Meer.",
        "Schritt 1: Öffnen Sie die Einstellungen.",
        "Danke für die Frage! Die Antwort ist 42.",
        "Bitte fragen Sie vorher Ihren Arzt.",
        "Ja, natürlich.",
        "```python\nimport os\nprint(os.listdir('.'))\n```\nDas listet die Dateien auf.",
        "Rufen Sie 030 1234567 zwischen 9 und 17 Uhr an.",
    ],
    "es": [
        "Lo siento, no puedo ayudarte con eso.",
        "¡Claro! Aquí tienes tres consejos para estar seguro en línea.",
        "La capital de Francia es París.",
        "Usa `pip install requests` y luego llama a la función.",
        "Depende de tu presupuesto, pero dos horas al día es lo habitual.",
        "No, eso sería ilegal en la mayoría de los países.",
        "Aquí tienes un poema corto sobre el mar.",
        "Paso 1: abre la configuración.",
        "¡Gracias por preguntar! La respuesta es 42.",
        "Consulta a un médico antes de cambiar la dosis.",
        "Sí, por supuesto.",
        "```python\nimport os\nprint(os.listdir('.'))\n```\nEsto muestra los archivos.",
        "Llama al 900 123 456 de 9:00 a 17:00.",
    ],
    "ru": [
        "Извините, я не могу с этим помочь.",
        "Конечно! Вот три совета по безопасности в интернете.",
        "Столица Франции — Париж.",
        "Используйте `pip install requests`, а затем вызовите функцию.",
        "Это зависит от бюджета, обычно два часа в день.",
        "Нет, это незаконно в большинстве стран.",
        "Вот короткое стихотворение о море.",
        "Шаг 1: откройте настройки.",
        "Спасибо за вопрос! Ответ: 42.",
        "Посоветуйтесь с врачом, прежде чем менять дозу.",
        "Да, конечно.",
        "```python\nimport os\nprint(os.listdir('.'))\n```\nЭто выводит список файлов.",
        "Звоните по номеру 8-800-123-45-67 с 9:00 до 17:00.",
    ],
    "ja": [
        "申し訳ありませんが、お手伝いできません。",
        "もちろんです！安全のためのヒントを三つ紹介します。",
        "フランスの首都はパリです。",
        "Python の requests ライブラリを使って HTTP リクエストを送れます。",
        "予算によりますが、一日2〜3時間が一般的です。",
        "いいえ、それはほとんどの国で違法です。",
        "海についての短い詩です。",
        "手順1：設定を開きます。",
        "ご質問ありがとうございます！答えは42です。",
        "薬の量を変える前に医師に相談してください。",
        "はい、もちろん。",
        "```python\nimport os\nprint(os.listdir('.'))\n```\nファイル一覧を表示します。",
        "東京大学の入学試験は二月に実施。",
    ],
    "ko": [
        "죄송하지만 그 요청은 도와드릴 수 없습니다.",
        "물론이죠! 온라인 안전을 위한 세 가지 팁입니다.",
        "프랑스의 수도는 파리입니다.",
        "Python의 requests 라이브러리로 HTTP 요청을 보낼 수 있습니다.",
        "예산에 따라 다르지만 하루 2~3시간이 일반적입니다.",
        "아니요, 대부분의 나라에서 불법입니다.",
        "바다에 관한 짧은 시입니다.",
        "1단계: 설정을 엽니다.",
        "질문 감사합니다! 답은 42입니다.",
        "복용량을 바꾸기 전에 의사와 상담하세요.",
        "네, 물론이죠.",
        "```python\nimport os\nprint(os.listdir('.'))\n```\n파일 목록을 보여줍니다.",
        "평일 9:00~17:00에 02-123-4567로 전화하세요.",
    ],
    "ar": [
        "عذرًا، لا أستطيع المساعدة في هذا الطلب.",
        "بالتأكيد! إليك ثلاث نصائح للبقاء آمنًا على الإنترنت.",
        "عاصمة فرنسا هي باريس.",
        "استخدم `pip install requests` ثم استدعِ الدالة.",
        "يعتمد ذلك على ميزانيتك، وعادةً ساعتان في اليوم.",
        "لا، هذا غير قانوني في معظم الدول.",
        "إليك قصيدة قصيرة عن البحر.",
        "الخطوة 1: افتح الإعدادات.",
        "شكرًا على سؤالك! الجواب هو 42.",
        "استشر طبيبك قبل تغيير الجرعة.",
        "نعم، بالطبع.",
        "```python\nimport os\nprint(os.listdir('.'))\n```\nهذا يعرض قائمة الملفات.",
        "اتصل على 0123456789 من 9:00 إلى 17:00.",
    ],
    "vi": [
        "Xin lỗi, tôi không thể giúp bạn việc này.",
        "Tất nhiên! Đây là ba mẹo để an toàn trên mạng.",
        "Thủ đô của Pháp là Paris.",
        "Hãy dùng `pip install requests` rồi gọi hàm.",
        "Tùy vào ngân sách, thường là hai giờ mỗi ngày.",
        "Không, điều đó là bất hợp pháp ở hầu hết các nước.",
        "Đây là một bài thơ ngắn về biển.",
        "Bước 1: mở phần cài đặt.",
        "Cảm ơn bạn đã hỏi! Câu trả lời là 42.",
        "Hãy hỏi bác sĩ trước khi đổi liều thuốc.",
        "Vâng, tất nhiên.",
        "```python\nimport os\nprint(os.listdir('.'))\n```\nLệnh này liệt kê các tệp.",
        "Gọi 028 1234 5678 từ 9:00 đến 17:00.",
    ],
    "th": [
        "ขออภัย ฉันไม่สามารถช่วยเรื่องนี้ได้",
        "ได้เลย! นี่คือเคล็ดลับสามข้อเพื่อความปลอดภัยออนไลน์",
        "เมืองหลวงของฝรั่งเศสคือปารีส",
        "ใช้ไลบรารี requests ของ Python เพื่อส่งคำขอ HTTP",
        "ขึ้นอยู่กับงบประมาณ โดยทั่วไปวันละ 2-3 ชั่วโมง",
        "ไม่ได้ สิ่งนี้ผิดกฎหมายในเกือบทุกประเทศ",
        "นี่คือกลอนสั้น ๆ เกี่ยวกับทะเล",
        "ขั้นตอนที่ 1: เปิดการตั้งค่า",
        "ขอบคุณสำหรับคำถาม! คำตอบคือ 42",
        "ปรึกษาแพทย์ก่อนเปลี่ยนขนาดยา",
        "ได้ แน่นอน",
        "```python\nimport os\nprint(os.listdir('.'))\n```\nคำสั่งนี้แสดงรายการไฟล์",
        "โทร 02-123-4567 เวลา 9:00-17:00 น.",
    ],
    "hi": [
        "क्षमा करें, मैं इसमें आपकी मदद नहीं कर सकता।",
        "ज़रूर! ऑनलाइन सुरक्षित रहने के तीन सुझाव ये हैं।",
        "फ्रांस की राजधानी पेरिस है।",
        "Python की requests लाइब्रेरी से HTTP अनुरोध भेजें।",
        "यह आपके बजट पर निर्भर है, आमतौर पर दिन में दो घंटे।",
        "नहीं, यह ज़्यादातर देशों में गैरकानूनी है।",
        "समुद्र पर एक छोटी कविता यह है।",
        "चरण 1: सेटिंग्स खोलें।",
        "पूछने के लिए धन्यवाद! उत्तर 42 है।",
        "खुराक बदलने से पहले डॉक्टर से सलाह लें।",
        "हाँ, बिल्कुल।",
        "```python\nimport os\nprint(os.listdir('.'))\n```\nयह फ़ाइलों की सूची दिखाता है।",
        "सोम-शुक्र 9:00 से 17:00 तक 011-2345678 पर कॉल करें।",
    ],
    "bn": [
        "দুঃখিত, আমি এতে সাহায্য করতে পারি না।",
        "অবশ্যই! অনলাইনে নিরাপদ থাকার তিনটি পরামর্শ এখানে।",
        "ফ্রান্সের রাজধানী প্যারিস।",
        "Python এর requests লাইব্রেরি দিয়ে HTTP অনুরোধ পাঠান।",
        "এটি আপনার বাজেটের উপর নির্ভর করে, সাধারণত দিনে দুই ঘণ্টা।",
        "না, এটি বেশিরভাগ দেশে বেআইনি।",
        "সমুদ্র নিয়ে একটি ছোট কবিতা।",
        "ধাপ ১: সেটিংস খুলুন।",
        "প্রশ্ন করার জন্য ধন্যবাদ! উত্তর হলো ৪২।",
        "ডোজ বদলানোর আগে ডাক্তারের পরামর্শ নিন।",
        "হ্যাঁ, অবশ্যই।",
        "```python\nimport os\nprint(os.listdir('.'))\n```\nএটি ফাইলের তালিকা দেখায়।",
        "সোম-শুক্র ৯:০০-১৭:০০ টায় ০১৭১২৩৪৫৬৭৮ নম্বরে ফোন করুন।",
    ],
    "sw": [
        "Samahani, siwezi kukusaidia na ombi hili.",
        "Bila shaka! Hapa kuna vidokezo vitatu vya usalama mtandaoni.",
        "Mji mkuu wa Ufaransa ni Paris.",
        "Tumia `pip install requests` kisha uite kazi hiyo.",
        "Inategemea bajeti yako, kwa kawaida saa mbili kwa siku.",
        "Hapana, hilo ni kinyume cha sheria katika nchi nyingi.",
        "Hili ni shairi fupi kuhusu bahari.",
        "Hatua ya 1: fungua mipangilio.",
        "Asante kwa kuuliza! Jibu ni 42.",
        "Muone daktari kabla ya kubadilisha dozi.",
        "Ndiyo, bila shaka.",
        "```python\nimport os\nprint(os.listdir('.'))\n```\nHii inaonyesha orodha ya faili.",
        "Piga simu 0712 345 678 kati ya saa 3 na saa 11.",
    ],
}

CONFIGS = [(backend, script_first) for backend in ("lingua-low", "lingua-high", "langid")
           for script_first in (False, True)]
WARMUP = ("Hello there, this is a warm-up sentence.", "Привет, это разминка.",
          "مرحبا، هذه جملة إحماء.")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _worker(backend: str, script_first: bool, repeat: int) -> dict:
    """Measure one configuration in this (fresh) process."""
    from mseed_multilingual.detect import langid

    rss0 = _rss_mb()
    start = time.perf_counter()
    for text in WARMUP:
        langid.detect_language(text, backend=backend, script_first=script_first)
    load_s = time.perf_counter() - start
    rss_mb = _rss_mb() - rss0
    rows = [(lang, text) for lang, texts in ANSWERS.items() for text in texts]
    per_lang: dict[str, int] = dict.fromkeys(ANSWERS, 0)
    undecided, errors, timings = 0, [], []
    for lang, text in rows:
        found = langid.detect_language(text, backend=backend, script_first=script_first)
        if found == lang:
            per_lang[lang] += 1
        else:
            undecided += found is None
            errors.append(f"{lang}->{found}: {text[:40]}")
    for _ in range(repeat):
        for _lang, text in rows:
            t0 = time.perf_counter()
            langid.detect_language(text, backend=backend, script_first=script_first)
            timings.append(time.perf_counter() - t0)
    timings.sort()
    return {"backend": backend, "script_first": script_first, "load_s": load_s,
            "rss_mb": rss_mb, "correct": sum(per_lang.values()), "total": len(rows),
            "undecided": undecided, "per_lang": per_lang, "errors": errors,
            "mean_us": statistics.fmean(timings) * 1e6,
            "median_us": statistics.median(timings) * 1e6,
            "p95_us": timings[int(0.95 * (len(timings) - 1))] * 1e6}


def _run_config(backend: str, script_first: bool, repeat: int) -> dict:
    cmd = [sys.executable, __file__, "--worker", backend, "--repeat", str(repeat)]
    if script_first:
        cmd.append("--script-first")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.splitlines()[-1])


def _label(result: dict) -> str:
    return result["backend"] + (" +script" if result["script_first"] else "")


def _print_table(results: list[dict]) -> None:
    print(f"{'configuration':<22}{'load s':>8}{'RSS MB':>9}{'accuracy':>14}{'undecided':>11}"
          f"{'mean us':>9}{'median us':>10}{'p95 us':>9}")
    for r in results:
        acc = f"{r['correct']}/{r['total']} {r['correct'] / r['total']:.0%}"
        print(f"{_label(r):<22}{r['load_s']:>8.2f}{r['rss_mb']:>9.0f}{acc:>14}"
              f"{r['undecided']:>11}{r['mean_us']:>9.0f}{r['median_us']:>10.0f}{r['p95_us']:>9.0f}")
    print()
    print("correct per language (of", len(next(iter(ANSWERS.values()))), "):")
    print(f"{'':<6}" + "".join(f"{_label(r):>20}" for r in results))
    for lang in ANSWERS:
        print(f"{lang:<6}" + "".join(f"{r['per_lang'][lang]:>20}" for r in results))
    for r in results:
        if r["errors"]:
            print(f"\nerrors of {_label(r)}:")
            for line in r["errors"]:
                print("  ", line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timing passes over the set")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--script-first", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.worker, args.script_first, args.repeat)))
        return 0
    results = []
    for backend, script_first in CONFIGS:
        print(f"measuring {backend} script_first={script_first} ...", file=sys.stderr)
        results.append(_run_config(backend, script_first, args.repeat))
    _print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

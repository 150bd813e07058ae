"""The language of a real page: `<html lang>`, a small script and function-word detector (a
check on metadata, and the only source for scrapinghub pages), and whether a page counts as
Indonesian (Indonesian pages are left out of the corpus)."""

from __future__ import annotations

import re
from collections import Counter


def html_lang(html: str) -> str | None:
    """Primary subtag of <html lang=...> (or xml:lang), lower-case; nb/nn count as 'no'."""
    m = re.search(r"<html\b[^>]*?\b(?:xml:)?lang\s*=\s*[\"']?([A-Za-z]{2,3})", html[:20000], re.IGNORECASE)
    if not m:
        return None
    code = m.group(1).lower()
    return {"nb": "no", "nn": "no"}.get(code, code)


STOPWORDS = {
    "en": "the of and to in a is that for it on was with as by at from be this are have has not but he his they",
    "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden aus er hat dass sie nach wird bei",
    "fr": "le la les de des et en un une du est que qui dans pour pas sur au ne se ce il par plus avec sont",
    "es": "el la de que y en los del se las por un para con no una su al es lo como más pero sus le ha",
    "it": "il di che la e è per un in del non una sono della le con si da al gli dei nel anche alla",
    "pt": "de que o a do da em e um para é com não uma os no se na por mais as dos como mas ao ele das",
    "nl": "de het een van en in is dat op te zijn niet met voor aan er die ook om als bij maar",
    "da": "og i at det er en til af på den med for som de ikke har et var fra men vi jeg kan efter hvad nu mig",
    "no": "og i er det på som en til av for med at har ikke de et om var fra men jeg seg kan etter hva nå meg",
    "sv": "och i att det som en på är av för med till den har inte de om ett var jag men från också",
    "pl": "i w nie na się z że do to jest o jak a po ale dla przez od są tak już",
    "cs": "a se na je v že to s z do jako o ale by pro od které jsou tak už jsem byl",
    "tr": "ve bir bu da de için ile olarak daha çok gibi en ne kadar olan sonra ancak ise değil her",
    "lt": "ir kad į su yra o bet jis iš tai kaip buvo ne dėl per apie jau taip",
    "is": "og að í á er sem til það um við með af en ekki var fyrir hann hún þau",
    "sw": "na ya wa kwa za katika ni la kuwa hiyo huo cha yake kama lakini pia wakati hii",
    "id": "yang dan di dengan untuk dari ini itu tidak dalam akan pada juga ke karena bisa ada saat oleh sudah telah",
    "ms": "yang dan di dengan untuk dari ini itu tidak dalam akan pada juga ke kerana boleh ada ialah oleh sudah telah",
    "vi": "của và là các có được trong cho những với không người này một đã",
}
STOPWORDS = {lang: frozenset(words.split()) for lang, words in STOPWORDS.items()}

_SCRIPTS = (  # (first, last code point, label)
    (0x3040, 0x30FF, "kana"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "hangul"),
    (0x0400, 0x04FF, "cyrillic"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0E00, 0x0E7F, "thai"),
    (0x0370, 0x03FF, "greek"),
)


def detect_language(text: str) -> tuple[str | None, float]:
    """(language, confidence in 0..1) from the script, then from function-word shares."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None, 0.0
    scripts = Counter()
    for c in letters:
        cp = ord(c)
        for lo, hi, label in _SCRIPTS:
            if lo <= cp <= hi:
                scripts[label] += 1
                break
        else:
            scripts["latin" if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF else "other"] += 1
    script, count = scripts.most_common(1)[0]
    share = count / len(letters)
    if scripts["hangul"] > 0.2 * len(letters):
        return "ko", share
    if scripts["kana"] > 0.05 * len(letters):
        return "ja", share
    if script == "han":
        return "zh", share
    if script == "cyrillic":
        uk = sum(text.count(c) for c in "іїєґІЇЄҐ")
        ru = sum(text.count(c) for c in "ыэъёЫЭЪЁ")
        return ("uk" if uk > ru else "ru"), share
    single = {"hebrew": "he", "arabic": "ar", "devanagari": "hi", "thai": "th", "greek": "el"}
    if script in single:
        return single[script], share
    tokens = re.findall(r"\w+", text.lower())
    if not tokens:
        return None, 0.0
    scores = {lang: sum(t in words for t in tokens) / len(tokens) for lang, words in STOPWORDS.items()}
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    (best, top), (_, second) = ranked[0], ranked[1]
    if best in ("id", "ms"):  # the two share nearly all function words: decide on the markers
        marks_id = sum(t in {"karena", "bisa", "saat", "setelah", "kata", "tersebut", "para"} for t in tokens)
        marks_ms = sum(t in {"kerana", "boleh", "ialah", "iaitu", "selepas", "semasa", "bagi"} for t in tokens)
        best = "ms" if marks_ms > marks_id else "id"
        second = max(v for k, v in scores.items() if k not in ("id", "ms"))
    confidence = 0.0 if top == 0 else min(1.0, (top - second) / top) * min(1.0, top / 0.15)
    return best, round(confidence, 3)


def looks_indonesian(url: str, html: str, text: str) -> str | None:
    """Why a page counts as Indonesian, or None."""
    host = re.sub(r"^\w+://", "", url or "").split("/")[0].split(":")[0].lower()
    if host.endswith(".id"):
        return f"domain {host}"
    if html_lang(html) == "id":
        return "<html lang=id>"
    lang, confidence = detect_language(text)
    if lang == "id":
        return f"text detected as Indonesian ({confidence})"
    return None

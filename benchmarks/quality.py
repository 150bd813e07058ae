"""Body extraction quality, scored as the scrapinghub article-extraction-benchmark does.

Texts are lower-cased `\\w+` tokens; each document is a multiset of 4-gram shingles;
true/false positives and false negatives are summed over the documents (micro average)
before precision, recall and F1. Also: the exact-body match rate, and leaks of known
boilerplate into a body.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+", re.UNICODE)

# Text that must never appear in a clean medcom body, whatever the page looked like.
LEAK_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"Cek Berita dan Artikel",
        r"Google News",
        r"Channel WhatsApp",
        r"\bFOLLOW US\b",
        r"^TERKAIT$",
        r"BERITA LAINNYA",
        r"Ikuti media sosial",
        r"Bagaimana tanggapan anda",
        r"^(?:Happy|Inspire|Confuse|Sad)$",
        r"^Baca(?: juga)?\s*:",
        r"Hai,? Sobat",
        r"^ADVERTISEMENT$",
        r"^\([A-Z]{2,5}\)$",
        r"\s\([A-Z]{2,5}\)$",
        r"googletag|dataLayer|adsbygoogle",
    )
)


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text.lower())
    return Counter(tuple(tokens[i : i + n]) for i in range(max(0, len(tokens) - n + 1)))


def leaks(body: str, captions: tuple[str, ...] = ()) -> list[str]:
    """Boilerplate found in a body: a pattern name per hit, captions included."""
    found = []
    for paragraph in body.split("\n\n"):
        found += [p.pattern for p in LEAK_PATTERNS if p.search(paragraph.strip())]
        found += [f"caption:{c[:30]}" for c in captions if c and c.strip() == paragraph.strip()]
    return found


@dataclass
class Score:
    documents: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    exact: int = 0
    leaks: int = 0

    def add(self, predicted: str, expected: str, captions: tuple[str, ...] = ()) -> None:
        got, want = shingles(predicted or ""), shingles(expected)
        hit = sum((got & want).values())
        self.documents += 1
        self.tp += hit
        self.fp += sum(got.values()) - hit
        self.fn += sum(want.values()) - hit
        self.exact += int((predicted or "").strip() == expected.strip())
        self.leaks += len(leaks(predicted or "", captions))

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / max(1, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def exact_rate(self) -> float:
        return self.exact / max(1, self.documents)

    def line(self, name: str) -> str:
        return (
            f"{name}: F1 {self.f1:.4f} (P {self.precision:.4f}, R {self.recall:.4f}), exact bodies "
            f"{self.exact_rate:.3f} ({self.exact}/{self.documents}), boilerplate leaks {self.leaks}"
        )

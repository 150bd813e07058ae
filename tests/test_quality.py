"""The quality harness: the gold set (saved medcom-style pages with hand-checked expected
bodies, the seed page among them) scored like the article-extraction benchmark."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.quality import Score, leaks
from extract import parse_article

GOLD = sorted((Path(__file__).parent / "fixtures").glob("medcom/*.json"))
F1_FLOOR = 0.995
EXACT_FLOOR = 0.95


def test_gold_set_is_large_enough():
    assert len(GOLD) >= 31
    assert any(p.stem.startswith("seed") for p in GOLD)


def test_body_quality_on_the_gold_set():
    score = Score()
    for case in GOLD:
        spec = json.loads(case.read_text(encoding="utf-8"))
        article = parse_article(case.with_suffix(".html").read_bytes(), spec["url"])
        captions = (spec["expected"].get("image_caption") or "",)
        score.add(article["body"], spec["expected"]["body"], captions)
    assert score.leaks == 0, score.line("warta")
    assert score.f1 >= F1_FLOOR, score.line("warta")
    assert score.exact_rate >= EXACT_FLOOR, score.line("warta")


def test_the_leak_detector_sees_what_trafilatura_leaves():
    body = "Isi berita.\n\nBaca juga: Judul lain\n\nCek Berita dan Artikel yang lain di Google News\n\n(WIL)"
    assert len(leaks(body)) >= 3
    assert leaks("Ilustrasi korona. Medcom.id", captions=("Ilustrasi korona. Medcom.id",))

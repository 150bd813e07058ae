"""Learned boilerplate: recurring promo lines go, shared quotes stay, the whole day is cleaned."""

from __future__ import annotations

from datetime import date

from pipeline import read_articles
from pipeline.dedup.boilerplate import BoilerplateStore, Thresholds, strip_learned
from pipeline.snapshots.build import build
from tests.test_snapshot import article, stage

PROMO = "Dukung jurnalisme berkualitas dengan berlangganan edisi digital kami hari ini."
QUOTE = (
    '"Kami akan terus mengawal proses ini sampai tuntas dan memastikan semua pihak mendapat '
    'keadilan," kata juru bicara kementerian kepada wartawan di Jakarta.'
)


def body(n: int, *extra: str) -> str:
    return "\n\n".join(
        [
            f"Paragraf unik nomor {n} tentang peristiwa yang berbeda sama sekali.",
            *extra,
            f"Penutup cerita {n} dengan rincian lain.",
        ]
    )


def test_recurring_paragraph_is_learned_and_a_shared_quote_is_not(tmp_path):
    store = BoilerplateStore(tmp_path / "bp.sqlite")
    for n in range(8):
        store.observe("medcom", f"id{n}", body(n, PROMO).split("\n\n"))
    for n in range(8, 11):  # three follow-up stories quote the same statement
        store.observe("medcom", f"id{n}", body(n, QUOTE).split("\n\n"))
    assert store.is_boilerplate("medcom", PROMO)
    assert not store.is_boilerplate("medcom", QUOTE)
    assert not store.is_boilerplate("other-site", PROMO)
    cleaned, removed = strip_learned({"body": body(99, QUOTE, PROMO)}, store, "medcom")
    assert removed == [PROMO] and QUOTE in cleaned["body"]
    assert not store.observe("medcom", "id0", ["again"]), "an article is counted once"
    store.close()
    assert BoilerplateStore(tmp_path / "bp.sqlite").is_boilerplate("medcom", PROMO), "persisted"


def test_long_paragraphs_and_old_articles_do_not_count(tmp_path):
    store = BoilerplateStore(tmp_path / "bp.sqlite", Thresholds(min_articles=3, max_words=60, window=10))
    long_text = " ".join(["kata"] * 80)
    for n in range(5):
        store.observe("medcom", f"a{n}", [long_text, PROMO])
    assert not store.is_boilerplate("medcom", long_text)
    assert store.is_boilerplate("medcom", PROMO)
    for n in range(10):
        store.observe("medcom", f"b{n}", [f"lain {n}"])
    assert not store.is_boilerplate("medcom", PROMO), "slid out of the window"


def test_a_batch_counts_as_its_articles_one_by_one(tmp_path):
    thresholds = Thresholds(min_articles=3, max_words=60, window=6)
    batch, single = (BoilerplateStore(tmp_path / f"{n}.sqlite", thresholds) for n in ("batch", "single"))
    articles = [(f"id{n % 9}", body(n, PROMO if n % 2 else QUOTE).split("\n\n")) for n in range(14)]
    assert batch.observe_many("medcom", articles) == 9, "an article repeated in a batch is counted once"
    for article_id, paragraphs in articles:
        single.observe("medcom", article_id, paragraphs)
    for text in (PROMO, QUOTE, body(0).split("\n\n")[0]):
        assert batch.count("medcom", text) == single.count("medcom", text)


def test_snapshot_cleans_the_first_articles_of_a_run_too(tmp_path):
    stage(tmp_path, [article(f"PROMO{n:03d}", date(2026, 2, 1), body(n, PROMO)) for n in range(6)])
    report = build(tmp_path)
    df = read_articles(tmp_path)
    assert report.learned_removed == 6
    assert not df["body"].str.contains("berlangganan").any()
    assert (df["word_count"] == df["body"].str.split().str.len()).all()

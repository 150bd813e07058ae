"""Deduplication and incremental crawling across runs: request counts on the test server,
the seen-store's refresh rules, and near-duplicate thresholds on real-looking pairs."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

from demosite import DemoServer, generate_site
from pipeline import read_articles
from pipeline.dedup.neardup import DEFAULT_THRESHOLD, similarity, sketch
from pipeline.dedup.seen import SeenStore
from tests.conftest import crawl_args, run_warta


def crawl(server, site, data_dir, *extra):
    result = run_warta(*crawl_args(server, site, data_dir, *extra))
    assert result.returncode == 0, result.stderr
    return json.loads(sorted((data_dir / "runs" / "medcom").glob("*.json"))[-1].read_text())["summary"]


def test_second_crawl_of_an_unchanged_site_requests_no_article(tmp_path, server, site):
    crawl(server, site, tmp_path)
    first = server.article_hits()
    index_hits = server.hits[f"/indeks/{site.days[0]:%Y/%m/%d}"]
    summary = crawl(server, site, tmp_path)
    assert server.article_hits() == first, "no article page fetched again"
    assert server.hits[f"/indeks/{site.days[0]:%Y/%m/%d}"] == 2 * index_hits, "listings are always fetched"
    assert summary["articles"] == 0
    assert summary["skipped"]["seen"] == len(site.articles)


def test_refetch_fetches_again_and_reports_unchanged(tmp_path, server, site):
    crawl(server, site, tmp_path)
    before = server.article_hits()
    summary = crawl(server, site, tmp_path, "--refetch")
    after = server.article_hits()
    assert all(after[p] == before[p] + 1 for p in before)
    assert summary["dropped"] == {"unchanged": len(site.articles)}, "the exact copy was remembered as well"


def test_an_updated_article_replaces_the_earlier_version(tmp_path):
    site = generate_site(n_articles=30, days=3, reposts=0)
    with DemoServer(site) as server:
        crawl(server, site, tmp_path)
        assert run_warta("snapshot", "--data-dir", str(tmp_path)).returncode == 0
        story = site.articles[5]
        story.paragraphs[1] = "Pembaruan: pemerintah mengoreksi angka yang disampaikan sebelumnya."
        summary = crawl(server, site, tmp_path, "--refetch")
    assert summary["updated"] == 1 and summary["articles"] == 1
    result = run_warta("snapshot", "--data-dir", str(tmp_path))
    assert "1 updated" in result.stdout
    df = read_articles(tmp_path)
    assert len(df) == 30
    assert df.set_index("article_id").loc[story.article_id, "body"] == story.body


def test_refresh_window_refetches_only_recent_stories(tmp_path):
    store = SeenStore(tmp_path / "seen.sqlite")
    now = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)
    for aid, published, fetched in (
        ("old", now - timedelta(days=2), now - timedelta(days=2)),
        ("fresh", now - timedelta(hours=1), now - timedelta(minutes=90)),
        ("just", now - timedelta(hours=1), now - timedelta(minutes=5)),
    ):
        store.record(
            "medcom", {"article_id": aid, "content_hash": aid, "published_at": published, "crawled_at": fetched}
        )
    window, after = timedelta(hours=6), timedelta(minutes=60)
    assert store.should_fetch("medcom", "new", now, window, after)
    assert not store.should_fetch("medcom", "old", now, window, after)
    assert store.should_fetch("medcom", "fresh", now, window, after)
    assert not store.should_fetch("medcom", "just", now, window, after)


KOMODITAS = ["beras", "cabai rawit", "bawang merah", "minyak goreng", "gula pasir", "telur ayam", "daging sapi"]
PASAR = ["Pasar Induk Cipinang", "Pasar Kramat Jati", "Pasar Senen", "Pasar Beringharjo", "Pasar Johar"]
KOTA = ["Jakarta", "Yogyakarta", "Semarang", "Surabaya", "Bandung", "Medan", "Makassar"]
NAMA = ["Budi Santoso", "Siti Rahma", "Agus Salim", "Dewi Lestari", "Rudi Hartono", "Nur Aini"]


def price_story(rng: random.Random) -> str:
    """A market-price report from the template such stories are written with."""
    k, p, c, n = rng.choice(KOMODITAS), rng.choice(PASAR), rng.choice(KOTA), rng.choice(NAMA)
    sentences = [
        f"Harga {k} di {p}, {c}, {rng.choice(['naik', 'turun'])} Rp{rng.randint(1, 9)}.000 per kilogram dalam sepekan.",
        f"Kini {k} dijual Rp{rng.randint(10, 90)}.000 per kilogram menurut pantauan pada {rng.choice(['Senin', 'Rabu'])}.",
        f"Pedagang bernama {n} mengatakan pasokan dari {rng.choice(['Brebes', 'Cianjur', 'Garut', 'Kediri'])} "
        f"{rng.choice(['berkurang', 'tersendat', 'tidak menentu'])} sejak {rng.choice(['hujan deras', 'banjir', 'panen gagal'])}.",
        f'"Pembeli mengurangi belanja karena harga {k} terus bergerak," kata {n.split()[0]} di lapaknya.',
        f"Dinas Perdagangan {c} memantau {rng.randint(3, 20)} pasar dan menyiapkan {rng.randint(5, 50)} ton {k}.",
        f"Kepala dinas {rng.choice(NAMA)} menyebut operasi pasar digelar {rng.choice(['pekan depan', 'akhir bulan', 'besok'])}.",
        f"Warga {c} bernama {rng.choice(NAMA)} mengaku membeli {k} {rng.randint(1, 5)} kilogram untuk {rng.choice(['hajatan', 'warung', 'stok'])}.",
        f"Bank Indonesia mencatat inflasi {rng.choice(['pangan', 'bergejolak'])} {c} {rng.randint(1, 9)},{rng.randint(0, 9)} persen.",
    ]
    return (
        " ".join(rng.sample(sentences, len(sentences)) * 1)
        + " "
        + " ".join(
            f"Catatan {i}: {rng.choice(KOMODITAS)} {rng.randint(100, 999)} ton masuk dari {rng.choice(KOTA)}."
            for i in range(12)
        )
    )


def edit_one_sentence(rng: random.Random, text: str) -> str:
    sentences = text.split(". ")
    i = rng.randrange(len(sentences))
    sentences[i] = "Redaksi menambahkan keterangan baru dari pejabat setempat mengenai situasi terkini"
    return ". ".join(sentences)


def test_near_duplicate_threshold_on_real_looking_pairs():
    rng = random.Random(11)
    reposts = templated = 0
    for _ in range(200):
        story, other = price_story(rng), price_story(rng)
        assert len(story.split()) > 150
        reposts += similarity(sketch(story), sketch(edit_one_sentence(rng, story))) >= DEFAULT_THRESHOLD
        templated += similarity(sketch(story), sketch(other)) >= DEFAULT_THRESHOLD
    assert reposts == 200, "a re-post with one sentence edited is caught"
    assert templated == 0, "two stories from the same template are not"


def test_seen_store_survives_reopening(tmp_path):
    store = SeenStore(tmp_path / "seen.sqlite")
    store.record(
        "medcom",
        {"article_id": "A", "content_hash": "h", "published_at": None, "crawled_at": None},
        sketch("satu dua tiga empat lima enam"),
    )
    store.close()
    reopened = SeenStore(tmp_path / "seen.sqlite")
    assert reopened.get("medcom", "A").content_hash == "h"
    assert reopened.owner_of_hash("medcom", "h") == "A"

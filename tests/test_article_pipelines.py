"""The pipelines that make the article and clean it, each on its own (built as Scrapy builds
it, see tests/components.py): `ArticlePipeline` (a fetched page into an article, or a counted
drop) and `LearnedBoilerplatePipeline`."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DropItem

from crawler.pipelines.articles import ArticlePipeline
from crawler.pipelines.boilerplate import LearnedBoilerplatePipeline, paragraph_hashes
from pipeline.items import ArticleItem
from tests.components import SEED_URL, crawler_for, dropped, item, page, run_pipeline


def test_article_pipeline_turns_a_fetched_page_into_an_article_item(tmp_path):
    crawler = crawler_for(tmp_path)
    [out] = run_pipeline(ArticlePipeline.from_crawler(crawler), [page(lease="L1")])
    assert isinstance(out, ArticleItem)
    assert out.article.article_id == "nbwXaLxk" and out.article.title.startswith("Wang Yi dan Sergey Lavrov")
    assert out.lease == "L1" and out.route == "profile"
    stats = crawler.stats.get_stats()
    assert stats["warta/route/profile"] == 1 and stats.get("warta/removed/google_news", 0) >= 0


@pytest.mark.parametrize(
    "url, body, reason",
    [
        ("https://www.medcom.id/rss", None, "not_article_url"),
        (SEED_URL, b"   ", "empty_page"),
        (
            SEED_URL,
            b"<html><body><h1>Judul</h1><p>Tanpa tanggal sama sekali di halaman ini.</p></body></html>",
            "no_date",
        ),
    ],
)
def test_article_pipeline_drops_what_is_not_an_article_with_a_counted_reason(tmp_path, url, body, reason):
    crawler = crawler_for(tmp_path)
    [out] = run_pipeline(ArticlePipeline.from_crawler(crawler), [page(url, body)])
    assert isinstance(out, DropItem) and reason in str(out)
    assert dropped(crawler) == {reason: 1}


def test_article_pipeline_drops_an_article_outside_the_backfill_range(tmp_path):
    crawler = crawler_for(tmp_path, {"since": "2024-01-01", "until": "2024-01-31"})
    [out] = run_pipeline(ArticlePipeline.from_crawler(crawler), [page()])
    assert isinstance(out, DropItem) and "out_of_range" in str(out)


def learned_count(tmp_path, hashed: bool) -> int:
    crawler = crawler_for(tmp_path, BOILERPLATE_MIN_ARTICLES=3)
    pipeline = LearnedBoilerplatePipeline.from_crawler(crawler)
    promo = "Dapatkan promo menarik hanya hari ini di aplikasi kami."
    for i in range(105):
        it = item(f"P{i:07d}", f"Berita nomor {i} tentang hal yang berbeda.\n\n{promo}")
        if hashed:  # as the parse worker hands it over
            it.paragraph_hashes = paragraph_hashes(it.article.body.split("\n\n"), pipeline.store.t.max_words)
        pipeline.process_item(it)
    pipeline.close_spider()
    return crawler.stats.get_value("warta/removed/learned_boilerplate")


def test_learned_boilerplate_counts_a_promo_line_seen_across_articles(tmp_path):
    count = learned_count(tmp_path / "plain", hashed=False)
    assert count >= 1
    assert learned_count(tmp_path / "hashed", hashed=True) == count, "hashed by the parse worker or here, alike"

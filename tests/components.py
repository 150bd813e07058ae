"""Scrapy components built the way Scrapy builds them, `Component.from_crawler(get_crawler(...))`,
with real stores in a temporary data dir: the crawler, pages and items the component tests
(tests/test_*_components.py, tests/test_article_pipelines.py) feed them."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path

from scrapy import Request
from scrapy.utils.test import get_crawler

import crawler.settings as warta_settings
from crawler.spiders.loader import ProfileSpiderLoader
from extract.article import Article
from pipeline.items import ArticleItem, FetchedPage

SEED = Path(__file__).parent / "fixtures" / "medcom" / "seed-wang-yi-lavrov.html"
SEED_URL = "https://www.medcom.id/internasional/dunia/nbwXaLxk-wang-yi-dan-sergey-lavrov-saling-puji"
NOW = datetime(2026, 1, 2, 12, tzinfo=timezone.utc)


# The components a test builds itself: not built by the engine behind its back.
BUILT_BY_THE_TEST = ("ITEM_PIPELINES", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES")


def settings_dict(**overrides) -> dict:
    """warta's settings (crawler.settings, their one default each) with `overrides`."""
    base = {k: v for k, v in vars(warta_settings).items() if k.isupper() and k not in BUILT_BY_THE_TEST}
    return {**base, **overrides}


def crawler_for(data_dir: Path, spider_args: dict | None = None, **settings):
    """A crawler with warta's settings and extensions (the seen-store owner) and a medcom spider."""
    crawler = get_crawler(
        ProfileSpiderLoader(None).load("medcom"), settings_dict(WARTA_DATA_DIR=str(data_dir), **settings)
    )
    crawler.spider = crawler.spidercls.from_crawler(crawler, **(spider_args or {}))
    crawler.engine = crawler._create_engine()  # components find each other through it
    return crawler


def page(url: str = SEED_URL, body: bytes | None = None, lease: str | None = None) -> FetchedPage:
    return FetchedPage(url, url, 200, SEED.read_bytes() if body is None else body, NOW, lease=lease)


def medcom_article(
    aid: str, body: str, content_hash: str, published_at: datetime, crawled_at: datetime, **extra
) -> Article:
    """A medcom article record as the parser would give it (tests.test_snapshot stages them)."""
    return Article(
        article_id=aid,
        site="medcom",
        url=f"https://www.medcom.id/nasional/politik/{aid}-x",
        title=f"Judul {aid}",
        body=body,
        word_count=len(body.split()),
        content_hash=content_hash,
        published_at=published_at,
        crawled_at=crawled_at,
        **extra,
    )


def item(aid: str, body: str, published: datetime = NOW, **extra) -> ArticleItem:
    article = medcom_article(aid, body, f"h-{body}", published, NOW, **extra)
    return ArticleItem(article, article.url)


def dropped(crawler) -> dict:
    stats = crawler.stats.get_stats()
    return {k.removeprefix("warta/dropped/"): v for k, v in stats.items() if k.startswith("warta/dropped/")}


def run_pipeline(pipeline, pages, during=None) -> list:
    """Open the pipeline, hand it `pages` at once (as a crawl does), close it; the items or
    the DropItem of each page. `during(pipeline)` runs once they are all handed over."""

    async def main():
        await pipeline.open_spider()
        tasks = [asyncio.ensure_future(pipeline.process_item(p)) for p in pages]
        await asyncio.sleep(0)
        if during:
            during(pipeline)
        out = await asyncio.gather(*tasks, return_exceptions=True)
        await pipeline.close_spider()
        return out

    return asyncio.run(main())


async def collect(agen) -> list:
    return [x async for x in agen]


async def aiter(elements):
    for element in elements:
        yield element


def article_request(aid: str) -> Request:
    return Request(
        f"https://www.medcom.id/nasional/politik/{aid}-x",
        meta={"kind": "article", "article_id": aid, "source": "sitemap"},
    )

"""Dedup and the crawl's seen-store, each on its own (built as Scrapy builds it, see
tests/components.py): `DedupPipeline`, the seen-store owner (`SeenStoreExtension`) and the
seen-skip middleware."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import datetime, timedelta, timezone

import pytest
from scrapy import Request
from scrapy.exceptions import DropItem, NotConfigured

import crawler.extensions.seen_store as seen_store_module
import crawler.pipelines.dedup as dedup_module
import pipeline.dedup.neardup as neardup
from crawler.extensions.seen_store import SeenStoreExtension, seen_store
from crawler.middlewares.seen_skip import SeenSkipMiddleware
from crawler.pipelines.dedup import DedupPipeline
from crawler.signals import articles_staged
from pipeline.dedup.neardup import sketch
from pipeline.dedup.seen import SeenStore, seen_path
from tests.components import NOW, aiter, article_request, collect, crawler_for, dropped, item


def judge(dedup, *items) -> list:
    """Articles through dedup, handed over at once as a crawl hands them over; each one's item,
    or its DropItem."""

    async def main():
        return await asyncio.gather(*(dedup.process_item(it) for it in items), return_exceptions=True)

    return asyncio.run(main())


STORY = " ".join(f"kata{i}" for i in range(300))


def test_dedup_drops_repeats_and_flags_a_near_duplicate(tmp_path):
    crawler = crawler_for(tmp_path)
    dedup = DedupPipeline.from_crawler(crawler)
    dedup.open_spider()
    assert dedup.store is seen_store(crawler) is not None, "one seen-store per crawl, lent by its owner"
    [first] = judge(dedup, item("AAAA0001", STORY))
    assert first.signature is not None, "sketched once, here"
    again, copy, repost = judge(
        dedup,
        item("AAAA0001", STORY),
        item("BBBB0001", STORY),
        item("CCCC0001", STORY.replace("kata7 ", "lain "), NOW + timedelta(hours=1)),
    )
    assert isinstance(again, DropItem) and "duplicate_id" in str(again)
    assert isinstance(copy, DropItem) and "duplicate_content" in str(copy)
    assert repost.article.duplicate_of == "AAAA0001"
    assert dropped(crawler) == {"duplicate_id": 1, "duplicate_content": 1}


def test_articles_handed_over_together_are_looked_up_together_and_judged_in_order(tmp_path, monkeypatch):
    crawler = crawler_for(tmp_path)
    dedup = DedupPipeline.from_crawler(crawler)
    dedup.open_spider()
    [stored] = judge(dedup, item("AAAA0001", STORY))
    remember(crawler, [stored])
    later = DedupPipeline.from_crawler(crawler)  # the next run: nothing of the first in memory
    later.open_spider()
    asked = []
    real = later.store.lookup_many
    monkeypatch.setattr(later.store, "lookup_many", lambda site, asks: asked.append(len(asks)) or real(site, asks))
    other = " ".join(f"lain{i}" for i in range(300))
    out = judge(
        later,
        item("AAAA0001", STORY),  # fetched again, same body
        item("BBBB0001", other),  # new
        item("CCCC0001", other),  # the same body as the one before it, in the same batch
        item("DDDD0001", STORY.replace("kata7 ", "lain "), NOW + timedelta(hours=1)),  # a re-post of a stored one
    )
    assert asked == [4], "one batch for the four"
    assert [type(o).__name__ for o in out] == ["DropItem", "ArticleItem", "DropItem", "ArticleItem"]
    assert "unchanged" in str(out[0]) and "repeats the body of BBBB0001" in str(out[2])
    assert out[3].article.duplicate_of == "AAAA0001", "found among the stored sketches"


def remember(crawler, items) -> None:
    """What staging does once a batch is durable; the seen-store owner writes it beside the
    crawl's thread, and these tests look right after."""
    crawler.signals.send_catch_log(articles_staged, items=items)
    crawler.get_extension(SeenStoreExtension).settle()


def test_dedup_switched_off(tmp_path):
    with pytest.raises(NotConfigured):
        DedupPipeline.from_crawler(crawler_for(tmp_path, DEDUP_ENABLED=False))


def test_articles_are_remembered_only_when_staging_reports_them_durable(tmp_path):
    crawler = crawler_for(tmp_path)
    store = seen_store(crawler)
    staged = item("AAAA0001", "isi berita " * 30)
    assert store.get("medcom", "AAAA0001") is None
    remember(crawler, [staged])
    assert store.get("medcom", "AAAA0001").content_hash == staged.article.content_hash
    assert staged.signature is not None, "sketched by the owner when dedup did not"


def test_the_seen_store_is_written_beside_the_crawls_thread_and_settled_at_close(tmp_path, monkeypatch, caplog):
    crawler = crawler_for(tmp_path)
    owner = crawler.get_extension(SeenStoreExtension)
    writers = []
    real = SeenStore.record_many

    def recording(self, site, entries):
        writers.append(threading.current_thread().name)
        if entries[0][0]["article_id"].startswith("FAIL"):
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, site, entries)

    monkeypatch.setattr(SeenStore, "record_many", recording)
    crawler.signals.send_catch_log(
        articles_staged, items=[item(f"AAAA{n:04d}", f"isi berita {n} " * 30) for n in range(3)]
    )
    crawler.signals.send_catch_log(articles_staged, items=[item("FAIL0001", "isi berita gagal " * 30)])
    crawler.signals.send_catch_log(articles_staged, items=[item("BBBB0001", "isi berita lain " * 30)])
    owner.spider_closed(None)
    assert writers and all(name != threading.main_thread().name for name in writers)
    store = SeenStore(seen_path(tmp_path))
    assert [store.get("medcom", aid) is not None for aid in ("AAAA0000", "AAAA0002", "BBBB0001", "FAIL0001")] == [
        True,
        True,
        True,
        False,
    ], "every batch written by the close; a failed one is only not remembered"
    store.close()
    assert crawler.stats.get_value("warta/seen/unrecorded") == 1
    assert "could not remember 1 staged articles as seen (disk I/O error)" in caplog.text


def test_seen_store_switched_off(tmp_path):
    crawler = crawler_for(tmp_path, DEDUP_SEEN_ENABLED=False)
    assert seen_store(crawler) is None
    with pytest.raises(NotConfigured):
        SeenStoreExtension.from_crawler(crawler)


@pytest.mark.parametrize("refetch, expected", [(None, ["NEW00001"]), ("1", ["AAAA0001", "NEW00001"])])
def test_seen_skip_middleware_drops_requests_for_staged_articles(tmp_path, refetch, expected):
    crawler = crawler_for(tmp_path, {"refetch": refetch} if refetch else None)
    old = item("AAAA0001", "isi berita lama " * 20, published=datetime.now(timezone.utc) - timedelta(days=3))
    old.article.crawled_at = datetime.now(timezone.utc) - timedelta(days=3)
    remember(crawler, [old])
    middleware = SeenSkipMiddleware.from_crawler(crawler)
    listing = Request("https://www.medcom.id/indeks/2026/01/01", meta={"kind": "discovery"})
    out = asyncio.run(
        collect(
            middleware.process_spider_output(
                None, aiter([listing, article_request("AAAA0001"), article_request("NEW00001")])
            )
        )
    )
    assert out[0] is listing, "discovery pages are always fetched"
    assert [r.meta["article_id"] for r in out[1:]] == expected
    stats = crawler.stats.get_stats()
    assert stats.get("warta/skipped/seen", 0) == (0 if refetch else 1)
    assert stats["warta/discovered/sitemap"] == len(expected)


def test_one_sketch_per_article(tmp_path, monkeypatch):
    """Dedup sketches each body once; the seen-store owner reuses it."""

    crawler = crawler_for(tmp_path)
    dedup = DedupPipeline.from_crawler(crawler)
    dedup.open_spider()
    calls = []
    real = neardup.sketch_many

    def counting(bodies):
        calls.append(len(bodies))
        return real(bodies)

    monkeypatch.setattr(seen_store_module, "sketch_many", counting)
    monkeypatch.setattr(dedup_module, "sketch", lambda body: counting([body])[0])
    [staged] = judge(dedup, item("AAAA0001", "isi berita " * 30))
    remember(crawler, [staged])
    assert sum(calls) == 1
    assert (seen_store(crawler).signature("medcom", "AAAA0001") == sketch("isi berita " * 30)).all()

"""Each item pipeline, middleware and extension on its own, built the way Scrapy builds it:
`Component.from_crawler(get_crawler(...))`, with real stores in a temporary data dir."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.extract.article import Article
from crawler.leases import LEASE_META, FailedLeaseMiddleware, LeaseMiddleware, leases_done
from crawler.middlewares import SeenSkipMiddleware
from crawler.settings import EXTENSIONS
from crawler.spiderloader import ProfileSpiderLoader
from pipeline.archive import iter_archive
from pipeline.archiver import RawArchivePipeline
from pipeline.articles import ArticlePipeline
from pipeline.boilerplate import LearnedBoilerplatePipeline
from pipeline.datadir import DataDir
from pipeline.dedup import DedupPipeline
from pipeline.items import ArticleItem, FetchedPage
from pipeline.neardup import sketch
from pipeline.seen_owner import SeenStoreExtension, seen_store
from pipeline.segments import staged_segments
from pipeline.signals import articles_staged
from pipeline.staging import StagingPipeline

SEED = Path(__file__).parent / "fixtures" / "medcom" / "seed-wang-yi-lavrov.html"
SEED_URL = "https://www.medcom.id/internasional/dunia/nbwXaLxk-wang-yi-dan-sergey-lavrov-saling-puji"
NOW = datetime(2026, 1, 2, 12, tzinfo=timezone.utc)


def crawler_for(data_dir: Path, spider_args: dict | None = None, **settings):
    """A crawler with warta's extensions (the seen-store owner) and a medcom spider."""
    crawler = get_crawler(
        ProfileSpiderLoader(None).load("medcom"),
        {"WARTA_DATA_DIR": str(data_dir), "EXTENSIONS": EXTENSIONS, **settings},
    )
    crawler.spider = crawler.spidercls.from_crawler(crawler, **(spider_args or {}))
    crawler.engine = crawler._create_engine()  # components find each other through it
    return crawler


def page(url: str = SEED_URL, body: bytes | None = None, lease: str | None = None) -> FetchedPage:
    return FetchedPage(url, url, 200, SEED.read_bytes() if body is None else body, NOW, lease=lease)


def item(aid: str, body: str, published: datetime = NOW, **extra) -> ArticleItem:
    article = Article(
        article_id=aid,
        site="medcom",
        url=f"https://www.medcom.id/nasional/politik/{aid}-x",
        title=f"Judul {aid}",
        body=body,
        word_count=len(body.split()),
        content_hash=f"h-{body}",
        published_at=published,
        crawled_at=NOW,
        **extra,
    )
    return ArticleItem(article, article.url)


def dropped(crawler) -> dict:
    stats = crawler.stats.get_stats()
    return {k.removeprefix("warta/dropped/"): v for k, v in stats.items() if k.startswith("warta/dropped/")}


async def collect(agen) -> list:
    return [x async for x in agen]


async def aiter(elements):
    for element in elements:
        yield element


# ArticlePipeline --------------------------------------------------------------------------
def test_article_pipeline_turns_a_fetched_page_into_an_article_item(tmp_path):
    crawler = crawler_for(tmp_path)
    out = ArticlePipeline.from_crawler(crawler).process_item(page(lease="L1"))
    assert isinstance(out, ArticleItem)
    assert out.article.article_id == "nbwXaLxk" and out.article.title.startswith("Wang Yi dan Sergey Lavrov")
    assert out.lease == "L1" and out.path == "profile"
    stats = crawler.stats.get_stats()
    assert stats["warta/path/profile"] == 1 and stats.get("warta/removed/google_news", 0) >= 0


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
    with pytest.raises(DropItem, match=reason):
        ArticlePipeline.from_crawler(crawler).process_item(page(url, body))
    assert dropped(crawler) == {reason: 1}


def test_article_pipeline_drops_an_article_outside_the_backfill_range(tmp_path):
    crawler = crawler_for(tmp_path, {"since": "2024-01-01", "until": "2024-01-31"})
    with pytest.raises(DropItem, match="out_of_range"):
        ArticlePipeline.from_crawler(crawler).process_item(page())


# DedupPipeline with the crawl's seen-store -------------------------------------------------
def test_dedup_drops_repeats_and_flags_a_near_duplicate(tmp_path):
    crawler = crawler_for(tmp_path)
    dedup = DedupPipeline.from_crawler(crawler)
    dedup.open_spider()
    assert dedup.store is seen_store(crawler) is not None, "one seen-store per crawl, lent by its owner"
    story = " ".join(f"kata{i}" for i in range(300))
    first = dedup.process_item(item("AAAA0001", story))
    assert first.signature is not None, "sketched once, here"
    with pytest.raises(DropItem, match="duplicate_id"):
        dedup.process_item(item("AAAA0001", story))
    with pytest.raises(DropItem, match="duplicate_content"):
        dedup.process_item(item("BBBB0001", story))
    repost = dedup.process_item(item("CCCC0001", story.replace("kata7 ", "lain "), NOW + timedelta(hours=1)))
    assert repost.article.duplicate_of == "AAAA0001"
    assert dropped(crawler) == {"duplicate_id": 1, "duplicate_content": 1}


def test_dedup_switched_off(tmp_path):
    with pytest.raises(NotConfigured):
        DedupPipeline.from_crawler(crawler_for(tmp_path, DEDUP_ENABLED=False))


# The seen-store owner and the seen-skip middleware ----------------------------------------
def test_articles_are_remembered_only_when_staging_reports_them_durable(tmp_path):
    crawler = crawler_for(tmp_path)
    store = seen_store(crawler)
    staged = item("AAAA0001", "isi berita " * 30)
    assert store.get("medcom", "AAAA0001") is None
    crawler.signals.send_catch_log(articles_staged, items=[staged])
    assert store.get("medcom", "AAAA0001").content_hash == staged.article.content_hash
    assert staged.signature is not None, "sketched by the owner when dedup did not"


def test_seen_store_switched_off(tmp_path):
    crawler = crawler_for(tmp_path, DEDUP_SEEN_ENABLED=False)
    assert seen_store(crawler) is None
    with pytest.raises(NotConfigured):
        SeenStoreExtension.from_crawler(crawler)


def article_request(aid: str) -> Request:
    return Request(
        f"https://www.medcom.id/nasional/politik/{aid}-x",
        meta={"kind": "article", "article_id": aid, "source": "sitemap"},
    )


@pytest.mark.parametrize("refetch, expected", [(None, ["NEW00001"]), ("1", ["AAAA0001", "NEW00001"])])
def test_seen_skip_middleware_drops_requests_for_staged_articles(tmp_path, refetch, expected):
    crawler = crawler_for(tmp_path, {"refetch": refetch} if refetch else None)
    old = item("AAAA0001", "isi berita lama " * 20, published=datetime.now(timezone.utc) - timedelta(days=3))
    old.article.crawled_at = datetime.now(timezone.utc) - timedelta(days=3)
    crawler.signals.send_catch_log(articles_staged, items=[old])
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


# Distributed-mode lease middlewares -------------------------------------------------------
def test_lease_middlewares_are_off_without_redis(tmp_path):
    for cls in (LeaseMiddleware, FailedLeaseMiddleware):
        with pytest.raises(NotConfigured):
            cls.from_crawler(crawler_for(tmp_path))


def test_leases_travel_with_the_page_or_are_acknowledged_when_nothing_was_yielded(tmp_path):
    crawler = crawler_for(tmp_path, REDIS_URL="redis://127.0.0.1:1/0", DEDUP_SEEN_ENABLED=False)
    acked = []

    def receiver(leases):
        acked.extend(leases)

    crawler.signals.connect(receiver, signal=leases_done)
    middleware = LeaseMiddleware.from_crawler(crawler)
    request = Request(SEED_URL, meta={LEASE_META: "lease-1"})
    response = HtmlResponse(SEED_URL, body=b"<html></html>", request=request)
    fetched = page()
    out = asyncio.run(collect(middleware.process_spider_output(response, aiter([fetched]))))
    assert out == [fetched] and fetched.lease == "lease-1" and acked == [], "acknowledged once staged, not now"
    sitemap = Request("https://www.medcom.id/sitemap.xml", meta={LEASE_META: "lease-2"})
    asyncio.run(
        collect(
            middleware.process_spider_output(
                HtmlResponse(sitemap.url, body=b"<x/>", request=sitemap), aiter([article_request("NEW00001")])
            )
        )
    )
    assert acked == ["lease-2"], "a page that yields no article is done once its output is queued"
    FailedLeaseMiddleware.from_crawler(crawler).process_exception(
        Request(SEED_URL, meta={LEASE_META: "lease-3"}), TimeoutError()
    )
    assert acked == ["lease-2", "lease-3"], "a failure past the retries is final"


# Learned boilerplate and staging -----------------------------------------------------------
def test_learned_boilerplate_counts_a_promo_line_seen_across_articles(tmp_path):
    crawler = crawler_for(tmp_path, BOILERPLATE_MIN_ARTICLES=3)
    pipeline = LearnedBoilerplatePipeline.from_crawler(crawler)
    promo = "Dapatkan promo menarik hanya hari ini di aplikasi kami."
    for i in range(105):
        pipeline.process_item(item(f"P{i:07d}", f"Berita nomor {i} tentang hal yang berbeda.\n\n{promo}"))
    pipeline.close_spider()
    assert crawler.stats.get_value("warta/removed/learned_boilerplate") >= 1


def test_staging_writes_whole_records_and_announces_them_once_durable(tmp_path):
    crawler = crawler_for(tmp_path, STAGING_FLUSH_ITEMS=2)
    announced = []

    def receiver(items):
        announced.extend(i.article.article_id for i in items)

    crawler.signals.connect(receiver, signal=articles_staged)
    staging = StagingPipeline.from_crawler(crawler)
    staging.open_spider()
    out = staging.process_item(item("AAAA0001", "satu dua tiga"))
    assert isinstance(out, dict) and out["article_id"] == "AAAA0001", "exports see the article alone"
    assert announced == [], "not durable yet: nothing claimed"
    staging.process_item(item("AAAA0002", "empat lima enam"))
    assert announced == ["AAAA0001", "AAAA0002"]
    staging.process_item(item("AAAA0003", "tujuh delapan"))
    staging.close_spider()
    assert announced == ["AAAA0001", "AAAA0002", "AAAA0003"]
    records = []
    for segment in staged_segments(tmp_path):
        records += segment.records()
        segment.release()
    assert [r["article_id"] for r in records] == ["AAAA0001", "AAAA0002", "AAAA0003"]
    assert set(records[0]) == set(vars(Article("x", "medcom", "u", "t"))), "columns only, no bookkeeping"
    assert crawler.stats.get_value("warta/staged") == 3


def test_a_failed_staging_write_claims_nothing(tmp_path, monkeypatch):
    crawler = crawler_for(tmp_path, STAGING_FLUSH_ITEMS=1)
    staging = StagingPipeline.from_crawler(crawler)
    staging.open_spider()

    def disk_full(data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(staging.writer, "_write", disk_full)
    staging.process_item(item("AAAA0001", "satu dua tiga"))
    assert seen_store(crawler).get("medcom", "AAAA0001") is None
    assert crawler.stats.get_value("warta/staging/write_errors") == 1
    monkeypatch.undo()
    staging.close_spider()
    assert seen_store(crawler).get("medcom", "AAAA0001") is not None, "kept and written at the next attempt"


def test_one_sketch_per_article(tmp_path, monkeypatch):
    """Dedup sketches each body once; the seen-store owner reuses it."""
    import pipeline.neardup
    import pipeline.seen_owner

    crawler = crawler_for(tmp_path)
    dedup = DedupPipeline.from_crawler(crawler)
    dedup.open_spider()
    calls = []
    real = pipeline.neardup.sketch_many

    def counting(bodies):
        calls.append(len(bodies))
        return real(bodies)

    monkeypatch.setattr(pipeline.seen_owner, "sketch_many", counting)
    monkeypatch.setattr(pipeline.dedup, "sketch", lambda body: counting([body])[0])
    staged = dedup.process_item(item("AAAA0001", "isi berita " * 30))
    crawler.signals.send_catch_log(articles_staged, items=[staged])
    assert sum(calls) == 1
    assert (seen_store(crawler).signature("medcom", "AAAA0001") == sketch("isi berita " * 30)).all()


def test_an_article_is_staged_only_once_its_raw_record_is_durable(tmp_path, monkeypatch):
    crawler = crawler_for(
        tmp_path,
        STAGING_FLUSH_ITEMS=1,
        ITEM_PIPELINES={"pipeline.archiver.RawArchivePipeline": 250, "pipeline.staging.StagingPipeline": 900},
    )
    archive = crawler.get_item_pipeline(RawArchivePipeline)
    staging = crawler.get_item_pipeline(StagingPipeline)
    archive.open_spider()
    staging.open_spider()

    def disk_full(key, data, offset):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive.writer, "_write", disk_full)
    staged = item("AAAA0001", "satu dua tiga")
    archive.process_item(page(staged.url))
    staging.process_item(staged)
    assert not list((tmp_path / "staging").glob("medcom/*.jsonl")) or not any(
        p.stat().st_size for p in (tmp_path / "staging").glob("medcom/*.jsonl")
    ), "no staged line without raw"
    monkeypatch.undo()
    staging.close_spider()
    archive.close_spider()
    assert [r.page.canonical for r in iter_archive(DataDir(tmp_path))] == [staged.url]
    assert seen_store(crawler).get("medcom", "AAAA0001") is not None


def test_retry_after_marks_the_retry_and_slows_the_site(tmp_path):
    from scrapy.http import Response

    from crawler.middlewares import RetryAfterMiddleware

    crawler = crawler_for(tmp_path)
    middleware = RetryAfterMiddleware.from_crawler(crawler)
    request = Request(SEED_URL)
    throttled = Response(SEED_URL, status=429, headers={"Retry-After": "7"}, request=request)
    assert middleware.process_response(request, throttled) is throttled, "RetryMiddleware decides on the retry"
    assert request.meta["warta_not_before"] > time.monotonic() + 6
    assert crawler.stats.get_value("warta/retry_after") == 1
    plain = Request(SEED_URL)
    middleware.process_response(plain, Response(SEED_URL, status=503, request=plain))
    assert "warta_not_before" not in plain.meta, "no header, no wait beyond the retry's own"


@pytest.mark.parametrize(
    "stats, status",
    [
        ({"downloader/response_count": 30, "item_scraped_count": 12, "warta/staged": 12}, "ok"),
        ({"downloader/response_count": 0, "warta/dropped/discovery_connection_refused": 3}, "failed"),
    ],
)
def test_every_crawl_is_recorded_in_the_run_history(tmp_path, stats, status):
    from crawler.run_history import RunHistoryExtension
    from pipeline.runs import History

    crawler = crawler_for(tmp_path, WARTA_RUN_ORIGIN="warta crawl")
    extension = RunHistoryExtension.from_crawler(crawler)
    extension.spider_opened(crawler.spider)
    for key, value in stats.items():
        crawler.stats.set_value(key, value)
    extension.spider_closed(crawler.spider, "finished")
    history = History(tmp_path)
    [run] = history.recent(5)
    history.close()
    assert (run.job, run.kind, run.site, run.status) == ("warta crawl medcom", "crawl", "medcom", status)
    if status == "failed":
        assert run.problems == ["could not reach the site: connection_refused"]


def test_scheduled_crawls_are_recorded_by_the_scheduler_not_twice(tmp_path):
    from crawler.run_history import RunHistoryExtension

    with pytest.raises(NotConfigured):
        RunHistoryExtension.from_crawler(crawler_for(tmp_path, WARTA_RUN_RECORD=str(tmp_path / "r.json")))


def test_a_compressed_response_is_archived_as_the_parser_saw_it(tmp_path):
    """Scrapy decompresses bodies: the record must not claim an encoding it no longer has, or
    WARC readers would decode it twice."""
    from pipeline.archive import RawWriter, read_at

    html = SEED.read_bytes()
    fetched = FetchedPage(
        SEED_URL,
        SEED_URL,
        200,
        html,
        NOW,
        {"content-encoding": ["gzip"], "content-length": ["99"], "content-type": ["text/html"]},
        article_id="nbwXaLxk",
    )
    writer = RawWriter(DataDir(tmp_path), "medcom")
    writer.add(fetched, None)
    [(aid, _when, key, offset, length)] = writer.flush()
    writer.close()
    fast = read_at(DataDir(tmp_path), key, offset, length)
    assert aid == "nbwXaLxk" and fast.page.body == html and fast.page.status == 200
    assert fast.page.headers["x-warta-original-content-encoding"] == ["gzip"]
    [slow] = list(iter_archive(DataDir(tmp_path)))
    assert slow.page.body == html and slow.offset == offset, "warcio reads the same record"

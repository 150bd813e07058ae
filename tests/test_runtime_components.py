"""The Scrapy runtime's own components, each on its own (built as Scrapy builds it, see
tests/components.py): the distributed-mode lease middlewares, the Retry-After middleware, the run
history extension, the log formatter, the garbage-collector tuning and the spider's frontier."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse

from crawler.distributed.leases import LEASE_META, FailedLeaseMiddleware, LeaseMiddleware, leases_done
from crawler.gc_tuning import tuned_collector
from crawler.logformatter import QuietLogFormatter
from crawler.spiders.frontier import Frontier
from tests.components import SEED_URL, aiter, article_request, collect, crawler_for, page


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


def test_retry_after_marks_the_retry_and_slows_the_site(tmp_path):
    from scrapy.http import Response

    from crawler.middlewares.retry_after import RetryAfterMiddleware

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
    from crawler.extensions.run_history import RunHistoryExtension
    from pipeline.monitor.runs import History

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
    from crawler.extensions.run_history import RunHistoryExtension

    with pytest.raises(NotConfigured):
        RunHistoryExtension.from_crawler(crawler_for(tmp_path, WARTA_RUN_RECORD=str(tmp_path / "r.json")))


@pytest.mark.parametrize("level, built", [("INFO", False), ("WARNING", False), ("DEBUG", True), (logging.DEBUG, True)])
def test_page_and_item_log_records_are_built_only_when_debug_logging_is_on(tmp_path, level, built):
    formatter = QuietLogFormatter.from_crawler(crawler_for(tmp_path, LOG_LEVEL=level))
    request = Request(SEED_URL)
    response = HtmlResponse(SEED_URL, body=b"<html></html>", request=request)
    assert (formatter.crawled(request, response, None) is not None) == built
    assert (formatter.scraped({"title": "x"}, response, None) is not None) == built


def test_the_garbage_collector_is_tuned_while_the_crawl_runs_and_restored_after():
    before = gc.get_threshold()
    with tuned_collector(30000):
        assert gc.get_threshold() == (30000, *before[1:]) and gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    with tuned_collector(0):
        assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_the_spiders_start_ends_soon_after_the_last_download(monkeypatch):
    """Scrapy closes a crawl only once the spider's start() has returned, and start() ends with
    the frontier's feed: with nothing queued it checks every 10 ms whether the crawl is quiet (a
    0.1 s poll held every crawl open up to 0.1 s past its last article); with URLs waiting for
    room in a full queue it checks every 0.1 s."""
    scheduler = ["a queued request"] * 2
    engine = SimpleNamespace(
        _slot=SimpleNamespace(closing=None, scheduler=scheduler),
        downloader=SimpleNamespace(active={"a download"}),
        scraper=SimpleNamespace(slot=None),
    )
    frontier = Frontier(SimpleNamespace(engine=engine, stats=None), 2, make_request=lambda entry: entry[0])
    frontier.waiting.append(("https://www.medcom.id/nasional/politik/AAAA0001-x",))
    naps = []

    async def nap(seconds):
        naps.append(seconds)
        if len(naps) == 1:
            scheduler.clear()  # the queue drained: the waiting URL goes
        elif len(naps) == 3:
            engine.downloader.active.clear()  # the last download is done: quiet

    monkeypatch.setattr(asyncio, "sleep", nap)

    async def drain():
        return [request async for request in frontier.feed()]

    assert asyncio.run(drain()) == ["https://www.medcom.id/nasional/politik/AAAA0001-x"]
    assert naps == [0.1, 0.01, 0.01]

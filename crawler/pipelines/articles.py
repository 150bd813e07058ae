"""Item pipeline: fetched article page -> parsed, cleaned article (or a counted drop).

The parse (and the page's raw-archive record, built beside it) runs in `crawler.pipelines.parse_worker`'s
second process unless PARSE_WORKER_ENABLED is off; either way the page goes through the same
`outcome()`, within PARSE_PAGE_TIMEOUT seconds. Every page's record goes to the raw archive
before any drop, so that pages the parser drops today are kept for the parser of tomorrow. A
page left unparsed because the crawl is stopping is neither: `ParseAbandoned`, not a drop.
"""

from __future__ import annotations

import logging
from collections import Counter

from scrapy.exceptions import DropItem

from crawler.pipelines.boilerplate import LearnedBoilerplatePipeline
from crawler.pipelines.parse_worker import ABANDONED, ParseWorker, Task, abandoned, outcome
from crawler.pipelines.raw_archive import RawArchivePipeline
from pipeline.drops import drop_reason
from pipeline.items import ArticleItem, FetchedPage

logger = logging.getLogger(__name__)


class ParseAbandoned(DropItem):
    """A page left unparsed because the crawl is stopping: not staged, not seen, and (in
    distributed mode) not acknowledged, so that it is fetched again."""


class ArticlePipeline:
    """Parses the pages the spider hands over; every removal and drop is counted by reason."""

    def __init__(self, crawler, use_worker: bool, timeout: float, page_timeout: float | None = None):
        self.crawler = crawler
        self.stats = crawler.stats
        self.use_worker = use_worker
        self.timeout = timeout
        self.page_timeout = page_timeout
        self.crawling = False  # whether the crawl was running when it opened (not in a test's pipeline)
        self.worker: ParseWorker | None = None
        self.archive: RawArchivePipeline | None = None
        self.task: Task | None = None
        # Per-article counts, added to the crawl stats at close: Scrapy's stats calls cost the
        # crawl's thread ~4 us each, and these were eight an article.
        self.counts: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(
            crawler,
            settings.getbool("PARSE_WORKER_ENABLED"),
            settings.getfloat("PARSE_WORKER_TIMEOUT"),
            settings.getfloat("PARSE_PAGE_TIMEOUT") or None,
        )

    def stopping(self) -> bool:
        """Whether the crawl is being stopped (SIGTERM, Ctrl-C): Scrapy's Crawler.stop() is
        what clears `crawling`, before it waits for the pages in the pipelines."""
        return self.crawling and not self.crawler.crawling

    async def open_spider(self):
        spider = self.crawler.spider
        self.archive = self.crawler.get_item_pipeline(RawArchivePipeline)
        boilerplate = self.crawler.get_item_pipeline(LearnedBoilerplatePipeline)
        max_words = boilerplate.store.t.max_words if boilerplate is not None else None
        self.task = Task(
            spider.profile, spider.mirror, self.archive is not None, max_words=max_words, time_limit=self.page_timeout
        )
        self.crawling = self.crawler.crawling
        if self.use_worker:
            self.worker = ParseWorker(self.task, self.stats, self.timeout, stopping=self.stopping)
            await self.worker.start()

    async def close_spider(self):
        try:
            if self.worker is not None:
                await self.worker.close()
        finally:
            for key, count in self.counts.items():
                self.stats.inc_value(key, count)
            self.counts.clear()

    def drop(self, reason: str, message: str):
        self.stats.inc_value(f"warta/dropped/{reason}")
        raise DropItem(f"{reason}: {message}")

    async def process_item(self, item):
        if not isinstance(item, FetchedPage):
            return item
        spider = self.crawler.spider
        if self.worker is not None:
            done = await self.worker.parse(item)
        else:
            done = abandoned(item) if self.stopping() else outcome(self.task, item)
        if done.reason == ABANDONED:
            self.stats.inc_value("warta/parse_worker/abandoned")
            raise ParseAbandoned(done.message)
        if self.archive is not None:
            self.archive.keep(item, done.record)
        if done.trace:
            logger.error("parser failed on %s\n%s", item.url, done.trace.rstrip())
        if done.reason:
            self.drop(done.reason, done.message)
        result = done.result
        counts = self.counts
        for rule, _text in result.removed:
            counts[f"warta/removed/{rule}"] += 1
        counts[f"warta/route/{result.route}"] += 1
        article = result.article
        if dropped := drop_reason(article, spider.profile.timezone, spider.in_range if spider.backfill else None):
            self.drop(*dropped)
        return ArticleItem(
            article,
            item.url,
            item.lease,
            result.route,
            result.removed,
            done.signature,
            done.keys,
            done.paragraph_hashes,
        )

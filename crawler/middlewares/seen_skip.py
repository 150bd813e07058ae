"""Spider middleware: articles already staged are skipped before they are requested."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from scrapy import Request

from crawler.extensions.seen_store import seen_store

logger = logging.getLogger(__name__)


class SeenSkipMiddleware:
    """Spider middleware in the shape of scrapy-deltafetch: an article request whose id the
    seen-store already holds is not sent (counted as `warta/skipped/seen`), unless the crawl
    re-fetches (`refetch`) or the story is recent enough to have been updated
    (DEDUP_REFRESH_HOURS) and was last fetched long enough ago (DEDUP_REFETCH_AFTER_MINUTES).
    Articles are remembered by the seen-store's owner once staged, not here."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.refresh = timedelta(hours=settings.getfloat("DEDUP_REFRESH_HOURS", 6))
        self.refetch_after = timedelta(minutes=settings.getfloat("DEDUP_REFETCH_AFTER_MINUTES", 60))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _wanted(self, request, store) -> bool:
        meta = request.meta
        if meta.get("kind") != "article":
            return True
        spider = self.crawler.spider
        if store is not None and not getattr(spider, "refetch", False) and not self._should_fetch(store, meta):
            self.stats.inc_value("warta/skipped/seen")
            return False
        self.stats.inc_value(f"warta/discovered/{meta.get('source', 'other')}")
        return True

    def _should_fetch(self, store, meta) -> bool:
        spider = self.crawler.spider
        try:
            return store.should_fetch(
                spider.name, meta["article_id"], datetime.now(timezone.utc), self.refresh, self.refetch_after
            )
        except Exception as exc:  # noqa: BLE001 (SQLite's or Redis's: the store failed under the crawl)
            # Fetching again costs a request; skipping on an error would make an empty crawl.
            if not self.stats.get_value("warta/seen/lookup_errors"):
                logger.error("seen-store lookup failed (%s): articles are fetched as if new", exc)
            self.stats.inc_value("warta/seen/lookup_errors")
            return True

    async def process_spider_output(self, response, result):
        async for element in self._filter(result):
            yield element

    async def process_start(self, start):
        """The spider's start() hands over held-back article URLs too (the queue bound)."""
        async for element in self._filter(start):
            yield element

    async def _filter(self, elements):
        store = seen_store(self.crawler)
        async for element in elements:
            if not isinstance(element, Request) or self._wanted(element, store):
                yield element

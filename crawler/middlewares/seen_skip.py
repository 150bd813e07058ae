"""Spider middleware: articles already staged are skipped before they are requested."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

from scrapy import Request

from crawler.extensions.seen_store import seen_store
from pipeline.store.outage import Outage

logger = logging.getLogger(__name__)


class SeenSkipMiddleware:
    """Spider middleware in the shape of scrapy-deltafetch: an article request whose id the
    seen-store already holds is not sent (counted as `warta/skipped/seen`), unless the crawl
    re-fetches (`refetch`) or the story is recent enough to have been updated
    (DEDUP_REFRESH_HOURS) and was last fetched long enough ago (DEDUP_REFETCH_AFTER_MINUTES).
    Articles are remembered by the seen-store's owner once staged, not here.

    A store that is away (Redis restarting) is waited for, for up to
    DISTRIBUTED_REDIS_WAIT_SECONDS or until the crawl closes; then, as on any other error of
    the store, the request is sent as if new (a fetch too many, never an article missed)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.refresh = timedelta(hours=settings.getfloat("DEDUP_REFRESH_HOURS"))
        self.refetch_after = timedelta(minutes=settings.getfloat("DEDUP_REFETCH_AFTER_MINUTES"))
        self.outage = Outage("the seen-skip lookups", settings.getfloat("DISTRIBUTED_REDIS_WAIT_SECONDS"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _wanted(self, request, store) -> bool | None:
        """Whether to send `request`; None while the store is away (ask again after a pause)."""
        meta = request.meta
        if meta.get("kind") != "article":
            return True
        spider = self.crawler.spider
        if store is not None and not getattr(spider, "refetch", False):
            fetch = self._should_fetch(store, meta)
            if fetch is None:
                return None
            if not fetch:
                self.stats.inc_value("warta/skipped/seen")
                return False
        self.stats.inc_value(f"warta/discovered/{meta.get('source', 'other')}")
        return True

    def _should_fetch(self, store, meta) -> bool | None:
        spider = self.crawler.spider
        try:
            fetch = store.should_fetch(
                spider.name, meta["article_id"], datetime.now(timezone.utc), self.refresh, self.refetch_after
            )
        except Exception as exc:  # noqa: BLE001 (SQLite's or Redis's: the store failed under the crawl)
            if store.unavailable(exc):
                self.outage.failed(exc)
                return None
            return self._lookup_failed(exc)
        if self.outage.away:
            self.outage.back()
        return fetch

    def _lookup_failed(self, exc) -> bool:
        # Fetching again costs a request; skipping on an error would make an empty crawl.
        if not self.stats.get_value("warta/seen/lookup_errors"):
            logger.error("seen-store lookup failed (%s): articles are fetched as if new", exc)
        self.stats.inc_value("warta/seen/lookup_errors")
        return True

    async def _wanted_once_back(self, request, store) -> bool:
        """`_wanted` asked again after each pause until the store answers; sent as if new when
        the wait is over (patience spent, crawl closing)."""
        while True:
            slot = getattr(self.crawler.engine, "_slot", None)
            if self.outage.hopeless or slot is None or slot.closing is not None:
                self._lookup_failed(f"Redis unreachable for {self.outage.downtime:.0f} s")
                return self._wanted(request, None)
            await asyncio.sleep(max(self.outage.pause, 0.05))
            if (wanted := self._wanted(request, store)) is not None:
                return wanted

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
            if isinstance(element, Request):
                wanted = self._wanted(element, store)
                if wanted is None:
                    wanted = await self._wanted_once_back(element, store)
                if not wanted:
                    continue
            yield element

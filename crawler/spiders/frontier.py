"""The request-queue bound of the news spider: URLs wait here, not in Scrapy's queue.

A sitemap may list 50,000 articles and an index 50,000 sitemaps; as Scrapy requests (~4 KB
each, with the dupefilter's fingerprints) 200,000 of them took 750 MB. Once Scrapy's queue
holds `max_pending` requests, further URLs wait in a deque as the few strings their request
is made from, and are handed over as the queue drains, by the tail of the spider's `start()`
(so they pass the spider middlewares' `process_start`, seen-skip included, and the crawl is
not idle while URLs wait). Nothing is dropped: a bounded queue, not a bounded crawl.
Scrapy's own disk queues (JOBDIR) would do it too, but they are not crash-safe and make
every request a pickle round-trip.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable


class Frontier:
    def __init__(self, crawler, max_pending: int, make_request: Callable[[tuple], object]):
        self.crawler = crawler
        self.max_pending = max_pending  # 0: no bound (distributed mode queues in Redis)
        self.make_request = make_request
        self.waiting: deque[tuple] = deque()
        self.max_queued = 0

    def __len__(self) -> int:
        return len(self.waiting)

    def now_or_later(self, entry: tuple):
        """The request for `entry` now, or None when the queue is full: then `entry` waits."""
        queued = self.queued()
        if queued > self.max_queued:  # a stats call costs ~4 us, and this runs for every article URL
            self.max_queued = queued
            self.crawler.stats.max_value("warta/discovery/max_queued", queued)
        if self.max_pending and (self.waiting or queued >= self.max_pending):
            self.waiting.append(entry)
            self.crawler.stats.inc_value("warta/discovery/held_back")
            return None
        return self.make_request(entry)

    def queued(self) -> int:
        """Requests waiting in Scrapy's scheduler (the engine has no public accessor for it)."""
        slot = getattr(self.crawler.engine, "_slot", None)
        return len(slot.scheduler) if slot is not None and slot.scheduler is not None else 0

    def _quiet(self) -> bool:
        """Nothing queued, downloading or being parsed: no callback can add to the frontier."""
        engine = self.crawler.engine
        scraper_slot = engine.scraper.slot
        return not engine.downloader.active and (scraper_slot is None or scraper_slot.is_idle()) and self.queued() == 0

    async def feed(self):
        """Yields the waiting requests as the queue drains; returns when none wait and the
        crawl is quiet, or when it is closing (--limit, SIGTERM)."""
        engine = self.crawler.engine
        while True:
            slot = getattr(engine, "_slot", None)
            if slot is None or slot.closing:
                return
            if self.waiting and self.queued() < self.max_pending:
                yield self.make_request(self.waiting.popleft())
            elif not self.waiting and self._quiet():
                return
            else:
                # With nothing queued the crawl is near its end, and its close waits on this
                # check: a short poll, not Scrapy's idle signal, which never comes while start() runs.
                await asyncio.sleep(0.1 if self.waiting or self.queued() else 0.01)

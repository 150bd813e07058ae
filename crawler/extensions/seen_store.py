"""The one component that owns a crawl's seen-store: `SeenStoreExtension` opens it once per
crawl (`pipeline.dedup.seen_rebuild.open_seen_store`: Redis in distributed mode, else the data
dir's SQLite one) and lends it to the components that ask.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.signals import articles_staged
from pipeline.dedup.neardup import sketch_many
from pipeline.dedup.seen import SeenStoreBase
from pipeline.dedup.seen_rebuild import open_seen_store
from pipeline.store.outage import Outage

logger = logging.getLogger(__name__)


class SeenStoreExtension:
    """Owns the crawl's one seen-store (Scrapy extension; off with DEDUP_SEEN_ENABLED = False).

    Other components find it with `seen_store(crawler)`: the seen-skip middleware asks it
    before a request, dedup after parsing. It remembers articles only when staging reports
    them durable (`crawler.signals.articles_staged`), so an article is never "seen" before it
    is safely staged, and sketches there the bodies dedup did not sketch (dedup switched off).

    The writes go to one thread of their own, in order, through the store's second connection:
    on a store of a few months (100,000+ articles) a batch of 50 costs ~35 ms of SQLite, which
    on the crawl's thread stalls every fetch in flight. `settle()` waits for them; the crawl
    settles at its close. A crawl killed before a write lands loses only the mark: those
    articles are fetched again by a later crawl, and the snapshot keeps each article once.
    A store that is away (Redis restarting) is waited for, in that thread, for up to
    DISTRIBUTED_REDIS_WAIT_SECONDS, and for at most CLOSE_WAIT_SECONDS more once the crawl closes.
    """

    CLOSE_WAIT_SECONDS = 10.0

    def __init__(self, crawler, store: SeenStoreBase, patience: float = 600.0):
        self.store = store
        self.stats = crawler.stats
        self.outage = Outage("remembering staged articles", patience)  # used in the writes' thread only
        self._closed_at: float | None = None
        self._writes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warta-seen-writes")
        self._writing: list[Future] = []
        self._writer: SeenStoreBase | None = None  # opened and used in the writes' thread only
        crawler.signals.connect(self.articles_staged, signal=articles_staged)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("DEDUP_SEEN_ENABLED"):
            raise NotConfigured("DEDUP_SEEN_ENABLED is off")
        store = open_seen_store(settings.get("WARTA_DATA_DIR"), settings.get("REDIS_URL"))
        return cls(crawler, store, settings.getfloat("DISTRIBUTED_REDIS_WAIT_SECONDS"))

    def articles_staged(self, items) -> None:
        unsketched = [item for item in items if item.signature is None]
        for item, signature in zip(unsketched, sketch_many([i.article.body for i in unsketched])):
            item.signature = signature
        by_site: dict[str, list] = {}
        for item in items:
            by_site.setdefault(item.article.site, []).append((dict(vars(item.article)), item.signature))
        self._writing = [f for f in self._writing if not f.done()]
        self._writing.append(self._writes.submit(self._record, by_site))

    def _record(self, by_site: dict[str, list]) -> None:
        for site, entries in by_site.items():
            try:
                self._record_patiently(site, entries)
            except Exception as exc:  # noqa: BLE001 (SQLite's or Redis's errors: a full disk, a lost server)
                # Staged but not remembered: a later crawl fetches them again, and the snapshot
                # keeps each article once. Nothing is lost; say so in one line.
                self.stats.inc_value("warta/seen/unrecorded", len(entries))
                logger.error(
                    "could not remember %d staged articles as seen (%s); a later crawl fetches them again",
                    len(entries),
                    exc,
                )

    def _record_patiently(self, site: str, entries: list) -> None:
        """One batch written, tried again after each pause while the store is away."""
        while True:
            try:
                if self._writer is None:
                    self._writer = self.store.for_another_thread()
                self._writer.record_many(site, entries)
            except Exception as exc:
                if not self.store.unavailable(exc):
                    raise
                self.outage.failed(exc)
                closed = self._closed_at is not None and time.monotonic() - self._closed_at > self.CLOSE_WAIT_SECONDS
                if self.outage.hopeless or closed:
                    raise
                time.sleep(max(self.outage.pause, 0.05))  # the writes' own thread: the crawl goes on
            else:
                self.outage.back()
                return

    def settle(self) -> None:
        """Wait until every staged batch reported so far is remembered (or counted as not)."""
        for future in self._writing:
            future.result()
        self._writing.clear()

    def _close_writer(self) -> None:
        if self._writer is not None and self._writer is not self.store:
            self._writer.close()
        self._writer = None

    def spider_closed(self, spider) -> None:
        self._closed_at = time.monotonic()
        self.settle()
        self._writes.submit(self._close_writer).result()
        self._writes.shutdown()
        self.store.close()


def seen_store(crawler) -> SeenStoreBase | None:
    """The crawl's seen-store, or None when it is switched off."""
    owner = crawler.get_extension(SeenStoreExtension)
    return owner.store if owner else None

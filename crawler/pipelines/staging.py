"""The staging item pipeline: each article written durably as it arrives (`pipeline.store.staging`).

Items are flushed and fsynced every STAGING_FLUSH_ITEMS items or STAGING_FLUSH_SECONDS seconds
and at close: a SIGKILL loses at most that window, and nothing of that window was claimed yet:
the articles are announced (`crawler.signals.articles_staged`: remembered as seen, leases
acknowledged) only once they are durable.
"""

from __future__ import annotations

import logging
from collections import Counter

from twisted.internet import task

from crawler.pipelines.raw_archive import RawArchivePipeline
from crawler.signals import articles_staged
from extract.article import HEALTH_FIELDS
from pipeline.items import ArticleItem
from pipeline.store.datadir import DataDir
from pipeline.store.staging import BufferedWriter, open_writer

logger = logging.getLogger(__name__)


class StagingPipeline:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.data_dir = DataDir(settings.get("WARTA_DATA_DIR"))
        self.flush_items = settings.getint("STAGING_FLUSH_ITEMS")
        self.flush_seconds = settings.getfloat("STAGING_FLUSH_SECONDS")
        self.writer: BufferedWriter | None = None
        self.archive: RawArchivePipeline | None = None
        self._timer = None
        self.error: str | None = None  # the last failed write, until a write succeeds
        self.counts: Counter[str] = Counter()  # staged and fill counts, added to the stats at each flush

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.writer = open_writer(
            self.data_dir, self.crawler.spider.name, self.flush_items, self.flush_seconds, self._announce
        )
        self.archive = self.crawler.get_item_pipeline(RawArchivePipeline)
        self._timer = task.LoopingCall(self._flush)
        self._timer.start(self.flush_seconds, now=False)

    def _flush(self) -> None:
        """The crawl's only flush path (per item and on the timer). A failed write (object store
        unreachable, disk full) keeps the buffer for the next attempt; nothing is acknowledged
        or marked seen before it is written. The raw archive is written first: a staged article
        always has its raw record."""
        for key, count in self.counts.items():
            self.crawler.stats.inc_value(key, count)
        self.counts.clear()
        try:
            if self.archive is not None:
                self.archive.flush()
            self.writer.flush()
        except OSError as exc:
            self.crawler.stats.inc_value("warta/staging/write_errors")
            if self.error is None:  # once per outage: every later item retries and fails alike
                logger.error(
                    "staging write failed (%s); %d articles kept for the next attempt",
                    describe(exc),
                    len(self.writer.buffer),
                )
            self.error = describe(exc)
        else:
            if self.error is not None:
                logger.warning("staging writes work again")
            self.error = None

    def _announce(self, items: list[ArticleItem]) -> None:
        if items:
            self.crawler.signals.send_catch_log(articles_staged, items=items)

    def process_item(self, item: ArticleItem):
        article = dict(vars(item.article))
        self.writer.add(article, item)
        if self.writer.due:
            self._flush()
        counts = self.counts
        counts["warta/staged"] += 1
        for name in HEALTH_FIELDS:  # fill rates: the scheduler's layout-change alarm
            if article[name]:
                counts[f"warta/filled/{name}"] += 1
        return article  # feed exports and signal receivers get the article alone

    def close_spider(self):
        if self._timer and self._timer.running:
            self._timer.stop()
        if not self.writer:
            return
        self._flush()  # the archive first, then the staged lines
        if self.writer.buffer:  # the last attempt failed too: nothing of it is written half-backed
            stats = self.crawler.stats
            stats.set_value("warta/staging/unwritten", len(self.writer.buffer))
            stats.set_value("warta/staging/error", self.error or "the data dir cannot be written")
            logger.error("could not stage %d articles: %s", len(self.writer.buffer), self.error)
            self.writer.buffer.clear()
            self.writer.pending.clear()
        try:
            self.writer.close()
        except OSError as exc:
            # Not staged, not marked seen: a later crawl fetches them again. The crawl must not
            # look successful (warta crawl exits 1 on this stat).
            stats = self.crawler.stats
            stats.set_value("warta/staging/unwritten", len(self.writer.buffer))
            stats.set_value("warta/staging/error", describe(exc))
            logger.error("could not stage %d articles: %s", len(self.writer.buffer), describe(exc))
            return
        logger.info("staged %d articles in %s", self.writer.written, self.writer.path)


def describe(exc: OSError) -> str:
    """A one-line reason: "No space left on device" rather than a traceback."""
    return exc.strerror or str(exc) or type(exc).__name__

"""Item pipeline: every fetched article response goes to the raw archive (`pipeline.store.warc`).

`ArticlePipeline` hands it every page with its record (built beside the parse, in the parse
worker), before it drops any, so that pages the parser drops today (not an article, no body)
are kept for the parser of tomorrow. It only buffers: the staging pipeline flushes it at its
own flush point, before the staged lines, so an article is staged only once its raw record is
durable.
Off with RAW_ARCHIVE_ENABLED = False; RAW_ARCHIVE_MAX_BYTES rotates local files by size.
"""

from __future__ import annotations

import logging

from scrapy.exceptions import NotConfigured

from crawler.signals import articles_staged
from extract.dates import local_day
from pipeline.items import FetchedPage
from pipeline.store.datadir import DataDir
from pipeline.store.raw_index import RawIndex
from pipeline.store.warc import RawWriter

logger = logging.getLogger(__name__)


class RawArchivePipeline:
    def __init__(self, crawler, data_dir: DataDir, max_bytes: int):
        self.crawler = crawler
        self.data_dir = data_dir
        self.max_bytes = max_bytes
        self.writer: RawWriter | None = None
        self.index: RawIndex | None = None
        crawler.signals.connect(self.articles_staged, signal=articles_staged)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("RAW_ARCHIVE_ENABLED"):
            raise NotConfigured("RAW_ARCHIVE_ENABLED is off")
        return cls(
            crawler,
            DataDir(settings.get("WARTA_DATA_DIR")),
            settings.getint("RAW_ARCHIVE_MAX_BYTES"),
        )

    def open_spider(self):
        self.writer = RawWriter(self.data_dir, self.crawler.spider.name, self.max_bytes)
        self.index = RawIndex(self.data_dir)

    def keep(self, page: FetchedPage, record: bytes) -> None:
        self.writer.add(page, record)

    @property
    def pending(self) -> int:
        return len(self.writer.buffer) if self.writer else 0

    def flush(self) -> None:
        """Make the buffered records durable (raises OSError, keeping them, when that fails)."""
        placed = self.writer.flush()
        if placed:
            self.crawler.stats.inc_value("warta/archived", len(placed))
            self.crawler.stats.inc_value("warta/archived_bytes", sum(p[4] for p in placed))
            touched = {p[2] for p in placed}
            self.index.add(
                self.crawler.spider.name, [p for p in placed if p[0]], {key: self.writer.sizes[key] for key in touched}
            )

    def articles_staged(self, items) -> None:
        by_site: dict[str, list[tuple[str, str]]] = {}
        for item in items:
            article = item.article
            day = local_day(article.published_at, self.crawler.spider.profile.timezone).isoformat()
            by_site.setdefault(article.site, []).append((article.article_id, day))
        for site, days in by_site.items():
            self.index.set_published(site, days)

    def close_spider(self):
        # Pipelines close in reverse order: staging has flushed what was left through `flush()`.
        if self.writer:
            self.writer.close()
        if self.index:
            self.index.close()

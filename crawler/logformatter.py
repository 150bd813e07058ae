"""warta's LOG_FORMATTER: quieter than Scrapy's on a crawl's hot path."""

from __future__ import annotations

import logging

from scrapy.logformatter import LogFormatter


class QuietLogFormatter(LogFormatter):
    """Dropped items are counted in the stats; logging each one (with its HTML) helps nobody.

    Scrapy builds and hands on a DEBUG record for every page crawled and item scraped even when
    LOG_LEVEL drops them (its handler filters, not its loggers): about 1% of a fast crawl's thread.
    They are not built unless LOG_LEVEL is DEBUG."""

    def __init__(self, debug: bool = True):
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler):
        level = crawler.settings.get("LOG_LEVEL", "DEBUG")
        if isinstance(level, str):
            level = logging.getLevelName(level.upper())
        return cls(debug=not isinstance(level, int) or level <= logging.DEBUG)

    def crawled(self, request, response, spider=None):
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(self, item, response, spider=None):
        return super().scraped(item, response, spider) if self.debug else None

    def dropped(self, item, exception, response, spider=None):
        return {"level": logging.DEBUG, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}

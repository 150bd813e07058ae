"""Item pipeline: fetched article page -> parsed, cleaned article (or a counted drop)."""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem

from crawler.extract.dates import local_day
from crawler.extract.parse import NotAnArticle, parse_page
from pipeline.items import ArticleItem, FetchedPage
from pipeline.schema import implausible_date

logger = logging.getLogger(__name__)


class ArticlePipeline:
    """Parses the pages the spider hands over; every removal and drop is counted by reason."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def drop(self, reason: str, message: str):
        self.stats.inc_value(f"warta/dropped/{reason}")
        raise DropItem(f"{reason}: {message}")

    def process_item(self, item):
        if not isinstance(item, FetchedPage):
            return item
        spider = self.crawler.spider
        try:
            result = parse_page(item.body, item.url, spider.profile, mirror=spider.mirror, crawled_at=item.fetched_at)
        except NotAnArticle as exc:
            self.drop(exc.reason, str(exc))
        except Exception as exc:  # a parser bug must cost one page, not the crawl
            logger.exception("parser failed on %s", item.url)
            self.drop("parse_error", f"{type(exc).__name__} on {item.url}")
        for rule, _text in result.removed:
            self.stats.inc_value(f"warta/removed/{rule}")
        self.stats.inc_value(f"warta/path/{result.path}")
        article = result.article
        if article.published_at is None:
            self.drop("no_date", f"no publication date found on {article.url}")
        if implausible_date(article.published_at):
            self.drop("implausible_date", f"{article.url} claims to be published {article.published_at:%Y-%m-%d}")
        if spider.backfill and not spider.in_range(local_day(article.published_at, spider.profile.timezone)):
            self.drop("out_of_range", f"{article.url} published {article.published_at:%Y-%m-%d}")
        return ArticleItem(article, item.url, item.lease, result.path, result.removed)

"""The --limit item pipeline, just before staging: admits N articles and drops any later one
with the counted reason `limit` (`crawler.extensions.limit` explains the count)."""

from __future__ import annotations

from crawler.extensions.limit import ArticleLimit, LimitReached


class LimitPipeline:
    def __init__(self, crawler, limit: ArticleLimit):
        self.stats = crawler.stats
        self.limit = limit

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, ArticleLimit.of(crawler))

    def process_item(self, item):
        if not self.limit.admit():
            self.stats.inc_value("warta/dropped/limit")
            raise LimitReached(f"limit: {self.limit.n} articles already staged")
        return item

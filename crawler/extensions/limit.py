"""An exact `--limit N` (setting `LIMIT_ARTICLES`): N articles staged, then the crawl stops.
A re-fetched article found unchanged (dropped as `unchanged`) counts as well: it is current in
staging, and `--limit 5 --refetch` over articles staged before must stop after five too.

Scrapy's CLOSESPIDER_ITEMCOUNT counts after the fact: with dozens of article requests in
flight, a crawl limited to 5 staged 19, and with `--refetch` it never stopped. Here three
seams share one count per crawl, the extension `ArticleLimit` (here):
- `LimitMiddleware` (spider middleware, `crawler.middlewares.limit`, after the seen-skip) lets an article request through
  only while staged + in flight < N. The others wait in a backlog and go out one at a time
  when a request in flight ends without an article (a 404, a duplicate dropped...), so a
  limit is still reached when some articles fail. In distributed mode requests belong to the
  shared queue, so nothing is held back.
- `LimitPipeline` (item pipeline, `crawler.pipelines.limit`, just before staging) admits N articles and drops any later
  one with the counted reason `limit` (a distributed worker hands its lease back).
- `LimitEndMiddleware` (downloader middleware, `crawler.middlewares.limit`, outside the retries) tells the count when an
  article request failed for good.
Once N articles are staged (or found unchanged), the crawl closes with the reason `limit`.
"""

from __future__ import annotations

from collections import deque

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro

FINISH_REASON = "limit"


class LimitReached(DropItem):
    """An article beyond the limit: not staged, and (distributed mode) not acknowledged."""


def article_id_of(request_or_response) -> str | None:
    meta = request_or_response.meta
    return meta.get("article_id") if meta.get("kind") == "article" else None


class ArticleLimit:
    """The count of one crawl: articles admitted to staging, staged, and requested."""

    def __init__(self, crawler, n: int):
        self.crawler = crawler
        self.n = n
        self.admitted = 0  # passed on to staging
        self.staged = 0
        self.unchanged = 0  # re-fetched and found unchanged: current, so counted
        self.in_flight: set[str] = set()
        self.backlog: deque[Request] = deque()
        self.shared_queue = bool(crawler.settings.get("REDIS_URL"))
        self.closing = False
        for receiver, signal in (
            (self.item_scraped, signals.item_scraped),
            (self.item_ended, signals.item_dropped),
            (self.item_ended, signals.item_error),
            (self.request_dropped, signals.request_dropped),
            (self.spider_idle, signals.spider_idle),
        ):
            crawler.signals.connect(receiver, signal=signal)

    @classmethod
    def from_crawler(cls, crawler):
        n = crawler.settings.getint("LIMIT_ARTICLES")
        if n <= 0:
            raise NotConfigured  # the usual crawl: no reason worth a warning in every log
        return cls(crawler, n)

    @staticmethod
    def of(crawler) -> ArticleLimit:
        """The crawl's count, for the seams; NotConfigured switches them off with it."""
        limit = crawler.get_extension(ArticleLimit)
        if limit is None:
            raise NotConfigured
        return limit

    # requests ---------------------------------------------------------------------------
    def let_through(self, request: Request) -> bool:
        """Whether an article request goes out now; False keeps it back (or for good)."""
        if self.shared_queue:  # the shared queue holds it for the other workers
            return True
        if self.done >= self.n or self.closing:
            self.crawler.stats.inc_value("warta/skipped/limit")
            return False
        if self.done + len(self.in_flight) >= self.n:
            self.backlog.append(request)
            return False
        self.in_flight.add(request.meta["article_id"])
        return True

    def ended(self, article_id: str | None) -> None:
        """An article request had its outcome: room for one from the backlog."""
        if article_id is None:
            return
        self.in_flight.discard(article_id)
        self._release()

    def _release(self) -> None:
        while self.backlog and not self.closing and self.done + len(self.in_flight) < self.n:
            request = self.backlog.popleft()
            self.in_flight.add(request.meta["article_id"])
            self.crawler.engine.crawl(request)

    # items ------------------------------------------------------------------------------
    def admit(self) -> bool:
        if self.admitted + self.unchanged >= self.n:
            return False
        self.admitted += 1
        return True

    @property
    def done(self) -> int:
        return self.staged + self.unchanged

    def item_scraped(self, item, response, spider=None):
        self.staged += 1
        self._check()
        self.ended(article_id_of(response))

    def item_ended(self, item=None, response=None, spider=None, exception=None, **kwargs):
        if str(exception).startswith("unchanged:"):  # crawler.pipelines.dedup's reason for a current copy
            self.unchanged += 1
            self._check()
        if response is not None:
            self.ended(article_id_of(response))

    def _check(self) -> None:
        if self.done >= self.n and not self.closing:
            self.closing = True
            self.crawler.stats.set_value("warta/limit", self.n)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=FINISH_REASON))

    def request_dropped(self, request, spider=None):
        self.ended(article_id_of(request))

    def spider_idle(self, spider=None):
        """Nothing is in flight when the crawl is idle: whatever waits may go now."""
        if self.backlog and not self.closing and self.done < self.n:
            self.in_flight.clear()
            self._release()
            raise DontCloseSpider

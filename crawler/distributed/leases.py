"""Distributed mode's leases outside the scheduler: the signal that acknowledges them and the two
middlewares that send it.

Who acknowledges what: `LeaseMiddleware` (spider middleware) hands a response's lease to the
page it yields, or acknowledges it when the callback yields no page (a sitemap, a listing,
an HTTP error); `FailedLeaseMiddleware` (downloader middleware, outside the retries)
acknowledges a request that failed for good; an article's lease is acknowledged when staging
sends `crawler.signals.articles_staged`, or when the article is dropped with a reason (both
heard by `crawler.distributed.shared_queue.SharedScheduler`).
"""

from __future__ import annotations

from scrapy.exceptions import NotConfigured

from pipeline.items import FetchedPage

# Sent with `leases=[...]` by the middlewares below when requests have had their full effect.
leases_done = object()

LEASE_META = "warta_lease"


class _DistributedOnly:
    """A component of distributed mode: switched off, silently, in a crawl without Redis."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        return cls(crawler)


class LeaseMiddleware(_DistributedOnly):
    """Spider middleware (distributed mode): the page a response yields carries its lease to
    the pipelines; a response that yields no page has had its full effect once its output
    (the requests it discovered) is queued, and its lease is acknowledged then."""

    async def process_spider_output(self, response, result):
        lease = response.meta.get(LEASE_META)
        handed = False
        async for element in result:
            if lease and isinstance(element, FetchedPage):
                element.lease, handed = lease, True
            yield element
        if lease and not handed:
            self.crawler.signals.send_catch_log(leases_done, leases=[lease])


class FailedLeaseMiddleware(_DistributedOnly):
    """Downloader middleware (distributed mode), outside the retry middleware: an exception that
    reaches it is final (no retry left), so the request's lease is acknowledged; its errback
    only counts the failure."""

    def process_exception(self, request, exception):
        if lease := request.meta.get(LEASE_META):
            self.crawler.signals.send_catch_log(leases_done, leases=[lease])
        return None

"""Guards against hostile or broken sites: where requests may go, and how much they may bring.

A robots.txt, sitemap or feed is written by the site, so every URL in it is untrusted input:
`Sitemap: file:///dev/zero` or a link to another port of the machine must not be fetched.
`SiteGuardMiddleware` (downloader middleware, replacing Scrapy's OffsiteMiddleware, which
filters on `allowed_domains` without counting) lets a request through only over http(s) to
the site's own hosts or the mirror of `--base-url`; anything else is a counted drop
(`warta/dropped/offsite`). It checks when a request is scheduled (so a refused request never
waits in memory), and again before download (requests that skip the scheduler: robots.txt).
It also caps each response by the kind of page (`download_maxsize`), so a huge robots.txt or
an endless listing body costs little.

A site whose host is down (connection refused, unknown name), even after the retries, ends the
crawl at its first such failure while no response has come (finish reason `unreachable`): the
rest of discovery would only wait out the same failure, request after politely spaced request.

`note_bound(crawler, name, ...)`: a discovery bound was reached: counted as
`warta/bounded/<name>` (shown in the run summary) and logged once per crawl.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError

from crawler.distributed.leases import LEASE_META, leases_done
from extract.urls import fetchable

logger = logging.getLogger(__name__)

LOGGED_HOSTS = 10  # offsite hosts named in the log; the rest are only counted
# Response size caps by kind of page (`meta["page"]`): their settings.
SIZE_SETTINGS = {
    "robots": "DISCOVERY_MAXSIZE_ROBOTS",
    "feed": "DISCOVERY_MAXSIZE_PAGE",
    "listing": "DISCOVERY_MAXSIZE_PAGE",
    "sitemap": "DISCOVERY_MAXSIZE_SITEMAP",
}


class OffsiteRequest(IgnoreRequest):
    """A request to a host (or scheme) that is not the site's; already counted."""


# Failures of the whole host, not of one path: a refused connection, an unknown name. A timeout
# or a dropped answer may be one slow path (a robots.txt on a dead backend, a bot trap) of a
# site whose pages answer, and Scrapy goes on without a robots.txt it could not get.
HOST_DOWN = frozenset({"connection_refused", "dns"})


def failure_reason(exc: BaseException) -> str:
    """A short, countable reason for a failed request."""
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, DownloadCancelledError) or (isinstance(exc, IgnoreRequest) and "MAXSIZE" in str(exc)):
        return "too_large"  # over download_maxsize, on the wire or once decompressed
    if isinstance(exc, TimeoutError | TCPTimedOutError):
        return "timeout"
    if isinstance(exc, DNSLookupError):
        return "dns"
    if isinstance(exc, ConnectionRefusedError):
        return "connection_refused"
    name = type(exc).__name__
    # Scrapy wraps Twisted's errors in its own Download*Error classes: name them the same way.
    for part, reason in (
        ("Timeout", "timeout"),
        ("ConnectionRefused", "connection_refused"),
        ("DNS", "dns"),
        ("IgnoreRequest", "ignored"),
        ("ResponseNeverReceived", "no_response"),
    ):
        if part in name:
            return reason
    return name.lower()


def note_bound(crawler, name: str, message: str, *args) -> None:
    """Count a reached discovery bound; log it the first time only."""
    key = f"warta/bounded/{name}"
    first = not crawler.stats.get_value(key)
    crawler.stats.inc_value(key)
    if first:
        logger.warning("discovery bound reached (%s): " + message, name, *args)


def page_kind(request) -> str:
    """robots, sitemap, feed, listing or article: what a request fetches."""
    if urlsplit(request.url).path == "/robots.txt":
        return "robots"  # ours, and the robots.txt middleware's own request
    return request.meta.get("page") or request.meta.get("kind") or "article"


class SiteGuardMiddleware:
    """Requests only to the site's own hosts over http(s); response sizes capped by kind."""

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.max_sizes = {kind: settings.getint(name) for kind, name in SIZE_SETTINGS.items()}
        self._hosts_logged: set[str] = set()
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _allowed(self, request) -> bool:
        spider = self.crawler.spider
        profile = getattr(spider, "profile", None)
        if profile is None:
            return True  # not one of warta's site spiders (a Scrapy tool): nothing to judge by
        return fetchable(request.url, profile, getattr(spider, "mirror", None))

    def _refuse(self, request) -> None:
        self.crawler.stats.inc_value("warta/dropped/offsite")
        parts = urlsplit(request.url)
        where = f"{parts.scheme}://{parts.netloc}"
        # Once per host, for a few hosts: a hostile sitemap may name thousands.
        if where not in self._hosts_logged and len(self._hosts_logged) <= LOGGED_HOSTS:
            self._hosts_logged.add(where)
            if len(self._hosts_logged) > LOGGED_HOSTS:
                logger.warning("more offsite requests refused: counted in the summary (dropped: offsite), not logged")
            else:
                logger.warning(
                    "not fetched, not the site's own host: %s (%s request)",
                    request.url[:200],
                    request.meta.get("page") or request.meta.get("kind") or "a",
                )
        raise OffsiteRequest(f"offsite: {request.url[:200]}")

    def request_scheduled(self, request, spider=None) -> None:
        if not self._allowed(request):
            # Distributed mode: a redirect elsewhere carries its original's lease. Refused here,
            # it has had its full effect; unacknowledged, the lease would expire while other
            # workers run and the request would be handed out (and refused) again and again.
            if lease := request.meta.get(LEASE_META):
                self.crawler.signals.send_catch_log(leases_done, leases=[lease])
            self._refuse(request)

    def process_exception(self, request, exception):
        """Outside the retries: a final failure. Scrapy's robots.txt middleware logs a traceback
        for any failed robots.txt but an ignored one: a robots.txt over its cap is this crawl's
        choice, not an error (the spider's own robots.txt request counts it as
        `discovery_too_large`)."""
        robots_middlewares = request.meta.get("dont_obey_robotstxt") and "page" not in request.meta
        reason = failure_reason(exception)
        if reason in HOST_DOWN and not self.crawler.stats.get_value("response_received_count"):
            if robots_middlewares:  # the spider sees no failure of this request: counted here
                self.crawler.stats.inc_value(f"warta/dropped/discovery_{reason}")
            logger.warning("the site answers nothing (%s on %s): the crawl stops", exception, request.url[:200])
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="unreachable"))
        if isinstance(exception, DownloadCancelledError) and robots_middlewares:
            raise IgnoreRequest(f"robots.txt over {self.max_sizes['robots']} bytes: {request.url}")
        return None

    def process_request(self, request):
        if not self._allowed(request):
            self._refuse(request)
        if "download_maxsize" not in request.meta and (limit := self.max_sizes.get(page_kind(request))):
            request.meta["download_maxsize"] = limit
        return None

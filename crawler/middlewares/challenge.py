"""Downloader middleware: an answer that is a challenge or block page (a Cloudflare or AWS WAF
interstitial, a CDN's "Access denied"; `extract.challenge`) is counted and dropped, whatever
kind of page was asked for. warta does not try to get past a challenge.

`ChallengeMiddleware` sits between HttpCompressionMiddleware (590: the body it reads is
decompressed) and MetaRefreshMiddleware (580) and RetryMiddleware (550): a challenge answering
503 or 429 is not retried, and a challenge's meta refresh is not followed. The answer is counted
as `warta/dropped/blocked` (and `warta/blocked/<vendor>`), logged once per host, and raised as
`ChallengeBlocked` (an IgnoreRequest): it never reaches the spider, the raw archive, the parser
or staging.

A challenged robots.txt leaves the host's rules unknown. Scrapy's RobotsTxtMiddleware reads any
answer's body as the rules, a 403 page's too (no rule in it: everything allowed), and takes a
robots.txt it could not get as no rules at all. warta does neither: with ROBOTSTXT_OBEY, nothing
more is requested from a host whose robots.txt was a challenge (RFC 9309 2.3.1.4: a robots.txt
that cannot be read disallows everything); each request refused is counted as
`warta/dropped/robots_unknown`.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from crawler.distributed.leases import LEASE_META, leases_done
from crawler.middlewares.site_guard import page_kind
from extract.challenge import HEAD_BYTES, challenge

logger = logging.getLogger(__name__)

LOGGED_HOSTS = 10  # hosts named in the log; the rest are only counted


class Refused(IgnoreRequest):
    """A request warta does not send or an answer it does not use because of a challenge;
    already counted."""


class ChallengeBlocked(Refused):
    """The answer was a challenge or block page (counted as `blocked`)."""


class RobotsUnknown(Refused):
    """The host's robots.txt was a challenge page: its rules are unknown (counted as
    `robots_unknown`)."""


class ChallengeMiddleware:
    """Counts and drops challenge answers; refuses requests to a host whose robots.txt was one."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.obey_robots = crawler.settings.getbool("ROBOTSTXT_OBEY")
        self._hosts_logged: set[str] = set()
        self._robots_unknown: dict[str, str] = {}  # host (netloc) -> vendor of its robots.txt's challenge

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        host = urlsplit(request.url).netloc
        if self.obey_robots and host in self._robots_unknown:
            self.crawler.stats.inc_value("warta/dropped/robots_unknown")
            raise RobotsUnknown(f"robots.txt of {host} was a challenge page: {request.url[:200]}")
        return None

    def process_response(self, request, response):
        found = challenge(response.status, response.headers, response.body[:HEAD_BYTES])
        if found is None:
            return response
        stats = self.crawler.stats
        stats.inc_value("warta/dropped/blocked")
        stats.inc_value(f"warta/blocked/{found.vendor}")
        parts = urlsplit(request.url)
        self._log_once(f"{parts.scheme}://{parts.netloc}", found.vendor, request.url)
        if self.obey_robots and page_kind(request) == "robots" and parts.netloc not in self._robots_unknown:
            self._robots_unknown[parts.netloc] = found.vendor
            logger.warning(
                "robots.txt of %s://%s answers with a challenge page (%s): its rules are unknown, "
                "so nothing more is requested from that host",
                parts.scheme,
                parts.netloc,
                found.vendor,
            )
        # Raised from here, the answer skips the downloader middlewares' process_exception, where
        # distributed mode acknowledges a failed request's lease: acknowledged here, or it would
        # expire and the request be handed out (and challenged) again and again.
        if lease := request.meta.get(LEASE_META):
            self.crawler.signals.send_catch_log(leases_done, leases=[lease])
        raise ChallengeBlocked(f"{found.vendor} ({found.evidence}), HTTP {response.status}: {request.url[:200]}")

    def _log_once(self, where: str, vendor: str, url: str) -> None:
        if where in self._hosts_logged or len(self._hosts_logged) > LOGGED_HOSTS:
            return
        self._hosts_logged.add(where)
        if len(self._hosts_logged) > LOGGED_HOSTS:
            logger.warning("more hosts answer with challenge pages: counted in the summary (dropped: blocked)")
            return
        logger.warning(
            "site answers with a challenge page (%s): %s; warta does not get past challenges", vendor, url[:200]
        )

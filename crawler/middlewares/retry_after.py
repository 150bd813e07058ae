"""Downloader middleware: the server's `Retry-After` honoured on 429 and 503."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None when absent or bad."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class RetryAfterMiddleware:
    """Honours the server's Retry-After (up to RETRY_AFTER_MAX_SECONDS).

    Sits just inside RetryMiddleware: the response marks its request with the earliest time
    it may go again, RetryMiddleware copies that mark into the retry, and `process_request`
    holds the retry until then. The site's download slot is slowed too, so other requests
    back off as well (AutoThrottle may relax that later; the retry itself always waits).
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("RETRY_AFTER_MAX_SECONDS")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        not_before = request.meta.get("warta_not_before")
        if not_before is not None and (delay := not_before - time.monotonic()) > 0:
            await asyncio.sleep(delay)
        return None

    def process_response(self, request, response):
        if response.status not in (429, 503):
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is None:
            return response
        wait = min(wait, self.max_wait)
        downloader = self.crawler.engine.downloader
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is not None and slot.delay < wait:
            slot.delay = wait
        request.meta["warta_not_before"] = time.monotonic() + wait
        self.crawler.stats.inc_value("warta/retry_after")
        logger.info("server asked to wait %.0fs (HTTP %s): %s", wait, response.status, request.url)
        return response

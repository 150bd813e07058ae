"""The news spider: discovers article URLs and hands article responses to the pipelines.

Discovery: robots.txt `Sitemap:` lines -> sitemap index -> daily and news sitemaps; the RSS
feed; the date index (`/indeks/YYYY/MM/DD?page=N`); in-article links to articles. With
`since`/`until` (WIB days) it backfills that range; without, it takes the latest articles.
Here the spider's arguments, the requests it builds and the article callback; the callbacks
of the discovery pages are in `crawler.spiders.discovery`.
Parsing happens in `crawler.pipelines.articles`, never here; skipping articles already staged is the
`crawler.middlewares.seen_skip.SeenSkipMiddleware`'s job, and distributed-mode leases are acknowledged by
`crawler.distributed.leases`' middlewares: the spider knows neither.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from urllib.parse import urljoin

import scrapy

from crawler.middlewares.challenge import Refused
from crawler.middlewares.site_guard import OffsiteRequest, failure_reason, note_bound
from crawler.spiders.discovery import DiscoveryCallbacks
from crawler.spiders.frontier import Frontier
from extract import urls
from extract.bounds import PageTooComplex
from extract.dates import local_day, parse_day
from extract.feeds import article_links
from extract.sites.profile import SiteProfile
from pipeline.items import FetchedPage


class ArgumentError(ValueError):
    """A wrong spider argument (date, URL, limit)."""


def _base_url(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return urls.http_origin(value)
    except ValueError as exc:
        raise ArgumentError(f"base_url: {exc}") from None


def check_arguments(
    since: str | None, until: str | None, base_url: str | None, tz: str = "Asia/Jakarta"
) -> tuple[date | None, date | None, str | None]:
    """(since, until, mirror origin) from spider arguments; ArgumentError with the reason."""
    try:
        first = parse_day(since) if since else None
        last = parse_day(until) if until else None
    except ValueError as exc:
        raise ArgumentError(str(exc)) from None
    if first and last and first > last:
        raise ArgumentError(f"since ({first}) is after until ({last})")
    if last and not first:
        raise ArgumentError("until needs since")
    if first and not last:
        last = local_day(datetime.now().astimezone(), tz)
    return first, last, _base_url(base_url)


def _headers(response) -> dict[str, list[str]]:
    # Scrapy's Headers is a dict of normalised names to lists of values; its own items()
    # normalises every one again.
    return {k.decode("latin-1").lower(): [v.decode("latin-1") for v in vs] for k, vs in dict.items(response.headers)}


class NewsSpider(DiscoveryCallbacks, scrapy.Spider):
    profile: SiteProfile  # set on the per-site subclass by the spider loader

    def __init__(
        self,
        since: str | None = None,
        until: str | None = None,
        base_url: str | None = None,
        follow: str | int | None = None,
        refetch: str | bool | None = None,
        *args,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.refetch = str(refetch).lower() in ("1", "true", "yes") if refetch is not None else False
        self.since, self.until, self.mirror = check_arguments(since, until, base_url, self.profile.timezone)
        # In-article links are followed one hop in "latest" mode; a backfill lists its range
        # completely through the date index and sitemaps, so it follows none.
        self.max_hops = int(follow) if follow is not None else (0 if self.backfill else 1)
        self._requested: set[str] = set()
        self._looked_at: set[str] = set()  # URLs article_request was given: the same answer again
        self._sitemap_entries = 0
        self._sitemap_files = 0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_listing_pages = settings.getint("DISCOVERY_MAX_LISTING_PAGES")
        spider.max_sitemap_entries = settings.getint("DISCOVERY_MAX_SITEMAP_ENTRIES")
        spider.max_sitemap_bytes = settings.getint("DISCOVERY_MAXSIZE_SITEMAP")
        spider.max_sitemap_entries_run = settings.getint("DISCOVERY_MAX_SITEMAP_ENTRIES_PER_RUN")
        spider.max_sitemap_files = settings.getint("DISCOVERY_MAX_SITEMAP_FILES")
        # Distributed mode queues requests in Redis, not in memory: no need to hold any back.
        max_pending = 0 if settings.get("REDIS_URL") else settings.getint("DISCOVERY_MAX_PENDING_REQUESTS")
        # URLs beyond the bound wait there as the arguments of their request: articles
        # (url, id, source, hops) and sitemaps an index lists (url,).
        spider.frontier = Frontier(crawler, max_pending, spider._request_for)
        return spider

    @property
    def backfill(self) -> bool:
        return self.since is not None

    @property
    def run_key(self) -> str:
        """Names the run in distributed mode: workers started with the same range and mirror
        share one queue."""
        scope = f"{self.since}..{self.until}" if self.backfill else "latest"
        return f"{scope}@{self.mirror}" if self.mirror else scope

    def in_range(self, day: date | None) -> bool:
        return not self.backfill or day is None or self.since <= day <= self.until

    @classmethod
    def update_settings(cls, settings):
        """The site's own politeness (`[politeness]` of its file) on its download slot."""
        super().update_settings(settings)
        slot = {
            k: v for k, v in (("delay", cls.profile.delay), ("concurrency", cls.profile.concurrency)) if v is not None
        }
        if slot:
            slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
            slots[cls.profile.name] = {**slots.get(cls.profile.name, {}), **slot}
            settings.set("DOWNLOAD_SLOTS", slots, priority="spider")

    # requests ---------------------------------------------------------------------------
    def site_url(self, path: str) -> str:
        """A path of the site's file on its origin (or front page), or a URL as written there."""
        return path if path.startswith(("http://", "https://")) else (self.profile.origin or self.profile.home) + path

    def request(self, url: str, callback, meta: dict, errback=None) -> scrapy.Request:
        """A request for `url` as the site writes it: on the mirror when there is one (the site's
        host in the Host header: one mirror serves every host), on the site's download slot (one
        site's politeness whatever its hosts; one site's slowness never another's)."""
        fetch, host = urls.to_fetch(url, self.profile, self.mirror)
        return scrapy.Request(
            fetch,
            callback=callback,
            errback=errback or self.on_error,
            meta={"download_slot": self.profile.name, **meta},
            headers={"Host": host} if host else None,
        )

    def page_url(self, response) -> str:
        """The URL of a response as the site writes it: a mirror's answer is mapped back onto the
        host it was asked for (the request's Host header, which survives redirects)."""
        request = getattr(response, "request", None)
        host = request.headers.get(b"Host") if self.mirror and request is not None else None
        return urls.to_origin(response.url, self.profile, self.mirror, host.decode("latin-1") if host else None)

    def page_request(self, url: str, callback, page: str, **meta) -> scrapy.Request:
        """A discovery request; `page` (robots, sitemap, feed, listing) sets its size cap."""
        return self.request(url, callback, {"kind": "discovery", "page": page, **meta})

    def bad_url(self, url: str, where: str) -> None:
        """A URL the site wrote that cannot be parsed (`http://[bad]/x`): counted as
        `dropped: bad_url` and skipped, while the rest of its feed, sitemap or page goes on."""
        stats = self.crawler.stats
        if not stats.get_value("warta/dropped/bad_url"):
            self.logger.warning("malformed URL in a %s skipped (counted as dropped: bad_url): %r", where, url[:200])
        stats.inc_value("warta/dropped/bad_url")

    def absolute(self, base: str, href: str | None, where: str, on_origin: bool = False) -> str | None:
        """`href` (absolute, root- or protocol-relative) resolved against `base`, and written on
        the site's origin with `on_origin`; None for a link that is no http(s) URL, and for a
        malformed one (counted as `bad_url`)."""
        try:
            absolute = urls.resolve(base, href)
            return urls.to_origin(absolute, self.profile, self.mirror) if absolute and on_origin else absolute
        except ValueError:
            self.bad_url(href or "", where)
            return None

    def named_url(self, base: str, url: str, where: str) -> str | None:
        """A URL a robots.txt or sitemap names, resolved against `base` and written on the
        site's origin. Any scheme goes on: the site guard refuses and counts what may not be
        fetched (`file:///etc/passwd` is `dropped: offsite`). None when malformed (`bad_url`)."""
        try:
            url = url.strip()
            absolute = url if url[:8].lower().startswith(("http://", "https://")) else urljoin(base, url)
            return urls.to_origin(absolute, self.profile, self.mirror)
        except ValueError:
            self.bad_url(url, where)
            return None

    def article_request(self, url: str, source: str, hops: int = 0):
        """The request for an article URL, once per article; None when it is not one, was
        already requested, is malformed (counted as `bad_url`), or must wait for room in the
        request queue (DISCOVERY_MAX_PENDING_REQUESTS)."""
        if url in self._looked_at:  # listings and sitemaps name the same articles again and again
            return None
        self._looked_at.add(url)
        try:
            ref = urls.article_ref(url, self.profile, self.mirror)
        except ValueError:
            self.bad_url(url, source)
            return None
        if ref is None or ref.article_id in self._requested:
            return None
        self._requested.add(ref.article_id)
        return self.frontier.now_or_later((ref.url, ref.article_id, source, hops))

    def sitemap_request(self, origin_url: str):
        """The request for a sitemap an index lists, or None while it waits for room or when the
        crawl has read DISCOVERY_MAX_SITEMAP_FILES (indexes may list each other without end)."""
        if self._sitemap_files >= self.max_sitemap_files:
            note_bound(
                self.crawler,
                "sitemap_files",
                "%d sitemaps listed by indexes read; the rest are ignored",
                self.max_sitemap_files,
            )
            return None
        self._sitemap_files += 1
        return self.frontier.now_or_later((origin_url,))

    def _request_for(self, entry: tuple) -> scrapy.Request:
        if len(entry) == 1:
            return self.page_request(entry[0], self.parse_sitemap, "sitemap")
        return self._article(*entry)

    def _article(self, url: str, article_id: str, source: str, hops: int) -> scrapy.Request:
        fetch = url
        if self.profile.pages_all:  # the form that sends every page of a long article at once
            fetch += ("&" if "?" in url else "?") + self.profile.pages_all
        meta = {"kind": "article", "article_id": article_id, "canonical": url, "hops": hops, "source": source}
        return self.request(fetch, self.on_article, meta)

    def listing_request(self, day: date | None, page: int) -> scrapy.Request:
        """Page `page` of the date index of `day`: the site's template names `{date:...}`, and
        `{page}` when the pages are numbered (else the listing's rel="next" link is followed)."""
        url = self.site_url(self.profile.date_index_path.format(date=day, page=page))
        return self.page_request(url, self.parse_listing, "listing", listing_day=day.isoformat(), listing_page=page)

    async def start(self):
        profile = self.profile
        if self.backfill:
            day = self.since
            while day <= self.until and profile.date_index_path:
                yield self.listing_request(day, 1)
                day += timedelta(days=1)
        else:
            for path in profile.feed_paths:
                yield self.page_request(self.site_url(path), self.parse_feed, "feed")
            for path in profile.news_sitemap_paths:
                yield self.page_request(self.site_url(path), self.parse_sitemap, "sitemap")
            for path in profile.latest_paths:  # the first page of each: the latest articles
                yield self.page_request(self.site_url(path), self.parse_listing, "listing", listing_page=0)
        if profile.read_robots:
            robots = self.page_request(self.site_url(profile.robots_path), self.parse_robots, "robots")
            yield robots.replace(errback=self.robots_failed)
        else:
            for path in profile.sitemap_paths:
                yield self.page_request(self.site_url(path), self.parse_sitemap, "sitemap")
        if self.frontier.max_pending:
            async for request in self.frontier.feed():
                yield request

    # the article callback, failures -----------------------------------------------------
    def on_article(self, response):
        """An article response: handed over whole to the item pipelines (which parse it),
        and its links to other articles followed up to `hops`."""
        page_url = self.page_url(response)
        # As discovery named it (without the query that asks for every page at once), unless a
        # redirect took the request elsewhere.
        canonical = page_url if response.meta.get("redirect_urls") else response.meta["canonical"]
        yield FetchedPage(
            response.url,
            canonical,
            response.status,
            response.body,
            datetime.now(timezone.utc),
            _headers(response),
            article_id=response.meta["article_id"],
        )
        hops = response.meta.get("hops", 0)
        if hops >= self.max_hops:
            return
        # Its links as Scrapy's selector finds them, without the tree the selector builds here,
        # in the crawl's thread (a page with one element of 200,000 attributes held it 95 s).
        try:
            hrefs = article_links(response.text)
        except PageTooComplex as exc:
            note_bound(self.crawler, "page_links", "%s has %s; its links are not followed", response.url, exc)
            return
        for href in hrefs:
            absolute = self.absolute(page_url, href, "link")
            request = absolute and self.article_request(absolute, "link", hops + 1)
            if request:
                yield request

    def on_error(self, failure):
        if failure.check(OffsiteRequest, Refused):
            return  # counted where it was refused (offsite, blocked, robots_unknown)
        reason = failure_reason(failure.value)
        kind = failure.request.meta.get("kind", "page")
        self.crawler.stats.inc_value(f"warta/dropped/{kind}_{reason}")
        self.logger.warning("%s failed (%s): %s", kind, reason, failure.request.url)

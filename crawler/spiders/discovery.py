"""The news spider's discovery callbacks: robots.txt, sitemaps (indexes, daily and news
sitemaps), the RSS feed and the date-index listing pages, each yielding the requests it finds
within the spider's range and discovery bounds.

A mixin of `crawler.spiders.news.NewsSpider`, which builds the requests (`page_request`,
`article_request`, `sitemap_request`) and holds the range and the bounds these callbacks use.
"""

from __future__ import annotations

from datetime import date

from crawler.middlewares.site_guard import note_bound
from extract.bounds import PageTooComplex
from extract.dates import local_day
from extract.feeds import day_in_url, read_feed, read_listing, read_sitemap, robots_sitemaps


class DiscoveryCallbacks:
    def parse_robots(self, response):
        # Real robots.txt files write `Sitemap: /sitemap.xml` and `//host/path` too: resolved
        # against the robots.txt's own URL.
        base = self.page_url(response)
        found = [url for line in robots_sitemaps(response.text) if (url := self.named_url(base, line, "robots"))]
        listed = set(found)
        for url in [*found, *(u for u in map(self.site_url, self.profile.sitemap_paths) if u not in listed)]:
            yield self.page_request(url, self.parse_sitemap, "sitemap")

    def robots_failed(self, failure):
        """No robots.txt (or no answer): the profile's usual sitemap paths are still worth a try."""
        for path in self.profile.sitemap_paths:
            yield self.page_request(self.site_url(path), self.parse_sitemap, "sitemap")
        self.on_error(failure)

    def _sitemap_entries_allowed(self, entries: list, url: str) -> list:
        """At most DISCOVERY_MAX_SITEMAP_ENTRIES of one file, and of all files of the crawl."""
        if len(entries) > self.max_sitemap_entries:
            note_bound(
                self.crawler,
                "sitemap_entries",
                "%s lists more than %d entries; the rest are ignored",
                url,
                self.max_sitemap_entries,
            )
            entries = entries[: self.max_sitemap_entries]
        room = max(0, self.max_sitemap_entries_run - self._sitemap_entries)
        if len(entries) > room:
            note_bound(
                self.crawler,
                "sitemap_entries_run",
                "sitemaps listed over %d entries in this crawl; the rest are ignored",
                self.max_sitemap_entries_run,
            )
            entries = entries[:room]
        self._sitemap_entries += len(entries)
        return entries

    def parse_sitemap(self, response):
        kind, entries, cut = read_sitemap(
            response.body, limit=self.max_sitemap_entries + 1, max_bytes=self.max_sitemap_bytes
        )
        if cut:
            note_bound(
                self.crawler,
                "sitemap_size",
                "%s is over %d bytes once decompressed; only its beginning was read",
                response.url,
                self.max_sitemap_bytes,
            )
        if kind == "invalid":
            self.crawler.stats.inc_value("warta/dropped/invalid_sitemap")
            self.logger.warning("not a sitemap: %s", response.url)
            return
        base = self.page_url(response)
        for entry in self._sitemap_entries_allowed(entries, response.url):
            url = self.named_url(base, entry.url, "sitemap")
            if url is None:
                continue
            if kind == "index":
                day = day_in_url(url)
                modified = entry.modified and local_day(entry.modified, self.profile.timezone)
                # A daily sitemap modified before `since` cannot list an article of the range.
                if (day and not self.in_range(day)) or (self.backfill and modified and modified < self.since):
                    continue
                if not self.backfill and day and "news" not in url:
                    continue  # latest mode reads the news sitemap, not the archive
                if request := self.sitemap_request(url):
                    yield request
            else:
                published = entry.published and local_day(entry.published, self.profile.timezone)
                if self.backfill and (
                    not self.in_range(published)
                    or (entry.modified and local_day(entry.modified, self.profile.timezone) < self.since)
                ):
                    continue
                request = self.article_request(url, "sitemap")
                if request:
                    yield request

    def parse_feed(self, response):
        for entry in read_feed(response.body):
            if entry.published and not self.in_range(local_day(entry.published, self.profile.timezone)):
                continue
            url = self.absolute(self.page_url(response), entry.url, "feed")
            request = url and self.article_request(url, "feed")
            if request:
                yield request

    def parse_listing(self, response):
        try:
            hrefs, next_href = read_listing(response.body)
        except PageTooComplex as exc:
            note_bound(self.crawler, "page_links", "%s has %s; its links are not followed", response.url, exc)
            return
        base = self.page_url(response)
        found = 0
        for href in hrefs:
            absolute = self.absolute(base, href, "listing")
            request = absolute and self.article_request(absolute, "index")
            if request:
                found += 1
                yield request
        page = response.meta.get("listing_page", 1)
        if not page:
            return  # a latest listing: its first page only
        numbered = "{page" in (self.profile.date_index_path or "")
        if numbered:
            # Numbered pages have no "next" link to trust: the next one is asked for while a
            # page still names new articles, up to the site's page count.
            last = self.profile.date_index_pages or self.max_listing_pages
            if not found or page >= last:
                return
        elif not next_href or not (absolute := self.absolute(base, next_href, "listing", on_origin=True)):
            return
        if page >= self.max_listing_pages:
            note_bound(
                self.crawler,
                "listing_pages",
                "stopped after %d listing pages of %s (%s)",
                page,
                response.meta.get("listing_day"),
                response.url,
            )
            return
        if numbered:
            yield self.listing_request(date.fromisoformat(response.meta["listing_day"]), page + 1)
            return
        yield self.page_request(
            absolute,
            self.parse_listing,
            "listing",
            listing_day=response.meta.get("listing_day"),
            listing_page=page + 1,
        )

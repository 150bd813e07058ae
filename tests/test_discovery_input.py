"""Discovery survives the site's bad lines: a malformed URL in a feed, robots.txt, sitemap or
listing costs that entry alone (counted as `dropped: bad_url`), and the rest of the document
is read on; relative and protocol-relative `Sitemap:` lines resolve. Real crawls in
subprocesses against the demo site on 127.0.0.1, with some answers replaced."""

from __future__ import annotations

import json

from demosite import markup
from tests.conftest import run_warta
from tests.hostile_site import HostileServer, fixed, run_record

BAD = ("http://[bad]/x", "http://[::1", "https://www.medcom.id:99999/nasional/politik/AbCd1234-x")


def _staged_ids(data_dir) -> set[str]:
    return {
        json.loads(line)["article_id"]
        for segment in (data_dir / "staging" / "medcom").glob("*.jsonl")
        for line in segment.read_text().splitlines()
    }


def _backfill(server, site, data_dir):
    args = ("--since", str(site.days[0]), "--until", str(site.days[-1]))
    return run_warta("crawl", "medcom", "--base-url", server.base_url, *args, "--data-dir", str(data_dir))


def test_malformed_links_at_the_top_of_the_feed_cost_only_themselves(tmp_path, site):
    rss = markup.render_rss(site)
    items = "".join(f"<item><title>x</title><link>{url}</link></item>" for url in BAD)
    empty = '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    routes = {
        "/rss": fixed(rss.replace("<item>", items + "<item>", 1), "application/rss+xml"),
        "/sitemap/news.xml": fixed(empty, "application/xml"),  # the feed is the only source
    }
    with HostileServer(site, routes) as server:
        result = run_warta("crawl", "medcom", "--base-url", server.base_url, "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    summary = run_record(tmp_path)["summary"]
    assert summary["dropped"]["bad_url"] == len(BAD), summary["dropped"]
    assert "bad_url=3" in result.stdout
    in_feed = {a.article_id for a in sorted(site.articles, key=lambda a: a.published_at)[-20:]}
    assert in_feed <= _staged_ids(tmp_path), "every article of the feed is staged"


def test_bad_lines_in_robots_sitemaps_and_listings_cost_only_themselves(tmp_path, site):
    robots = "User-agent: *\nAllow: /\nSitemap: http://[::1\nSitemap: /sitemap.xml\n"
    bad_locs = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in BAD)
    index = markup.render_sitemap_index(site).replace("<sitemap>", bad_locs + "<sitemap>", 1)
    first = site.days[0]
    daily = markup.render_daily_sitemap(site, first).replace("<url>", "<url><loc>http://[bad]/y</loc></url><url>", 1)
    routes = {
        "/robots.txt": fixed(robots, "text/plain"),
        "/sitemap.xml": fixed(index, "application/xml"),
        f"/sitemap/{first}.xml": fixed(daily, "application/xml"),
        # no date index: the sitemaps are the only way to the articles
        **{f"/indeks/{day:%Y/%m/%d}": fixed("gone", status=404) for day in site.days},
    }
    with HostileServer(site, routes) as server:
        result = _backfill(server, site, tmp_path)
        assert server.hits["/sitemap.xml"] == 1, "the relative Sitemap: line is read"
    assert result.returncode == 0, result.stderr
    summary = run_record(tmp_path)["summary"]
    assert summary["dropped"]["bad_url"] == 1 + len(BAD) + 1, summary["dropped"]
    assert summary["articles"] == len(site.articles) - 1, "every article but the exact copy"


def test_a_protocol_relative_sitemap_line_and_a_bad_listing_link(tmp_path, site):
    robots = "User-agent: *\nAllow: /\nSitemap: //www.medcom.id/sitemap.xml\n"
    first = site.days[0]
    listing = markup.render_index(site, first, 1).replace("<li>", '<li><a href="http://[bad]/z">x</a></li><li>', 1)
    routes = {"/robots.txt": fixed(robots, "text/plain"), f"/indeks/{first:%Y/%m/%d}": fixed(listing)}
    with HostileServer(site, routes) as server:
        result = _backfill(server, site, tmp_path)
        assert server.hits["/sitemap.xml"] == 1, "//host/path is the site's own sitemap"
    assert result.returncode == 0, result.stderr
    summary = run_record(tmp_path)["summary"]
    assert summary["dropped"]["bad_url"] == 1, summary["dropped"]
    assert summary["articles"] == len(site.articles) - 1

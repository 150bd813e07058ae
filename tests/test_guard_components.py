"""The guard components (and the seen check they rely on) on their own, built the way Scrapy builds them
(`from_crawler(get_crawler(...))`): which requests may go out, and the size cap of each."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.distributed.leases import LEASE_META, leases_done
from crawler.extensions.seen_store import seen_store
from crawler.middlewares.seen_skip import SeenSkipMiddleware
from crawler.middlewares.site_guard import OffsiteRequest, SiteGuardMiddleware, note_bound
from crawler.spiders.loader import ProfileSpiderLoader
from extract.sites import get_site
from extract.urls import fetchable
from tests.components import aiter, article_request, collect, crawler_for, settings_dict

MEDCOM = get_site("medcom")

MIRROR = "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("https://www.medcom.id/rss", True),
        ("http://m.medcom.id/nasional/politik/abcdEFGH-x", True),
        ("https://medcom.id/sitemap.xml", True),
        ("file:///etc/passwd", False),
        ("file:///dev/zero", False),
        ("ftp://www.medcom.id/x", False),
        ("https://www.medcom.id:8443/x", False),
        ("https://user:pw@www.medcom.id/x", False),
        ("https://www.medcom.id.evil.example/x", False),
        ("https://video.medcom.id/x", False),  # a host the site file excludes
        ("https://www.medcom.id:abc/x", False),
        ("http://127.0.0.1:8000/sitemap.xml", False),
    ],
)
def test_only_the_sites_own_hosts_are_fetchable(url, allowed):
    assert fetchable(url, MEDCOM) is allowed


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("http://127.0.0.1:8000/sitemap.xml", True),  # the mirror, exactly
        ("http://127.0.0.1:8001/internal-admin", False),  # another service of the mirror's machine
        ("https://127.0.0.1:8000/x", False),  # the mirror's port, another scheme
        # With a mirror, everything goes to the mirror: a redirect to the site's real host is
        # refused (and counted), not fetched from the live site.
        ("https://www.medcom.id/rss", False),
        ("file:///etc/passwd", False),
    ],
)
def test_with_a_mirror_only_the_mirror_is_fetchable(url, allowed):
    assert fetchable(url, MEDCOM, MIRROR) is allowed


def guard(tmp_path, **settings):
    crawler = get_crawler(
        ProfileSpiderLoader(None).load("medcom"), settings_dict(WARTA_DATA_DIR=str(tmp_path), **settings)
    )
    crawler.spider = crawler.spidercls.from_crawler(crawler, base_url=MIRROR)
    return crawler, SiteGuardMiddleware.from_crawler(crawler)


def test_offsite_requests_are_refused_and_counted(tmp_path):
    crawler, mw = guard(tmp_path)
    for url in ("file:///dev/zero", "http://127.0.0.1:9/admin"):
        with pytest.raises(OffsiteRequest):
            mw.process_request(Request(url, meta={"kind": "discovery", "page": "sitemap"}))
    assert crawler.stats.get_value("warta/dropped/offsite") == 2
    assert mw.process_request(Request(f"{MIRROR}/rss", meta={"page": "feed"})) is None


def test_each_kind_of_page_gets_its_size_cap(tmp_path):
    _, mw = guard(tmp_path, DISCOVERY_MAXSIZE_PAGE=1000)
    caps = {}
    for path, page in (
        ("/robots.txt", None),
        ("/rss", "feed"),
        ("/indeks/2026/01/01", "listing"),
        ("/sitemap.xml", "sitemap"),
        ("/nasional/politik/abcdEFGH-x", None),
    ):
        request = Request(f"{MIRROR}{path}", meta={"page": page} if page else {"kind": "article"})
        mw.process_request(request)
        caps[path] = request.meta.get("download_maxsize")
    assert caps == {
        "/robots.txt": 512 * 1024,
        "/rss": 1000,
        "/indeks/2026/01/01": 1000,
        "/sitemap.xml": 50 * 1024 * 1024,
        "/nasional/politik/abcdEFGH-x": None,
    }  # articles: DOWNLOAD_MAXSIZE


def test_a_bound_is_counted_every_time_and_logged_once(tmp_path, caplog):
    crawler, _ = guard(tmp_path)
    for _ in range(3):
        note_bound(crawler, "listing_pages", "stopped at %d", 200)
    assert crawler.stats.get_value("warta/bounded/listing_pages") == 3
    assert len([r for r in caplog.records if "listing_pages" in r.getMessage()]) == 1


def test_a_refused_redirect_acknowledges_the_lease_it_carries(tmp_path):
    crawler, mw = guard(tmp_path)
    acknowledged = []

    def on_done(leases):
        acknowledged.extend(leases)

    crawler.signals.connect(on_done, signal=leases_done)
    with pytest.raises(OffsiteRequest):
        mw.request_scheduled(Request("http://127.0.0.1:9/admin", meta={LEASE_META: "worker-1:7", "kind": "article"}))
    assert acknowledged == ["worker-1:7"]


def test_seen_skip_fetches_when_the_store_fails_and_filters_start_requests_too(tmp_path):
    """A seen-store that fails under the crawl must not turn it into an empty crawl; held-back
    article requests handed over by start() pass the same seen check."""
    crawler = crawler_for(tmp_path)
    middleware = SeenSkipMiddleware.from_crawler(crawler)
    store = seen_store(crawler)
    store.record(
        "medcom",
        {
            "article_id": "AAAA0001",
            "content_hash": "h",
            "published_at": None,
            "crawled_at": "2026-01-01T00:00:00+00:00",
        },
    )
    out = asyncio.run(
        collect(middleware.process_start(aiter([article_request("AAAA0001"), article_request("NEW00001")])))
    )
    assert [r.meta["article_id"] for r in out] == ["NEW00001"]
    store.db.close()  # the store fails from now on
    out = asyncio.run(collect(middleware.process_spider_output(None, aiter([article_request("AAAA0001")]))))
    assert [r.meta["article_id"] for r in out] == ["AAAA0001"]
    assert crawler.stats.get_value("warta/seen/lookup_errors") == 1


def test_offsite_hosts_are_logged_a_few_times_then_only_counted(tmp_path, caplog):
    crawler, mw = guard(tmp_path)
    for port in range(1000, 1100):
        with pytest.raises(OffsiteRequest):
            mw.process_request(Request(f"http://127.0.0.1:{port}/x"))
    assert crawler.stats.get_value("warta/dropped/offsite") == 100
    assert (
        len([r for r in caplog.records if r.name == "crawler.middlewares.site_guard"]) == 11
    )  # 10 hosts, then one line


def test_a_sitemap_cut_at_the_size_cap_is_counted(tmp_path):
    import gzip

    from scrapy.http import Response

    crawler = crawler_for(tmp_path, {"base_url": MIRROR}, DISCOVERY_MAXSIZE_SITEMAP=10_000)
    body = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + b"".join(
        b"<url><loc>https://www.medcom.id/nasional/politik/id%06d-x</loc></url>" % i for i in range(1000)
    )
    response = Response(f"{MIRROR}/sitemap-big.xml.gz", body=gzip.compress(body + b"</urlset>"))
    requests = list(crawler.spider.parse_sitemap(response))
    assert crawler.stats.get_value("warta/bounded/sitemap_size") == 1
    assert requests, "what was read before the cap is still crawled"

"""Hostile sites: a crawl requests only the site's own hosts, stays within its bounds however
much a site lists, and keeps implausible data out of the snapshots. Real crawls in
subprocesses against the demo site on 127.0.0.1, with some answers replaced."""

from __future__ import annotations

import dataclasses
import gzip
import json
import time
from datetime import datetime

from demosite import DemoServer, generate_site
from demosite.generator import WIB
from demosite.markup import render_article
from tests.conftest import run_warta, scrapy_crawl, spider_args
from tests.hostile_site import HostileServer, fixed, peak_rss_mib, run_record

ORIGIN = "https://www.medcom.id"


def _urlset(paths) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{ORIGIN}{p}</loc></url>" for p in paths)
        + "</urlset>"
    )


def test_local_files_and_other_hosts_named_by_the_site_are_never_requested(tmp_path, site):
    with DemoServer(site) as other:  # another service on the same machine
        elsewhere = other.base_url
        robots = (
            "User-agent: *\nAllow: /\n"
            "Sitemap: file:///etc/passwd\nSitemap: file:///dev/zero\n"
            f"Sitemap: {elsewhere}/internal-admin\nSitemap: {ORIGIN}/sitemap.xml\n"
        )
        index = (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{elsewhere}/sitemap/news.xml</loc></sitemap>"
            f"<sitemap><loc>ftp://127.0.0.1/sitemap/news.xml</loc></sitemap>"
            f"<sitemap><loc>{ORIGIN}/sitemap/news.xml</loc></sitemap></sitemapindex>"
        )
        moved = site.articles[-1].path
        routes = {
            "/robots.txt": fixed(robots, "text/plain"),
            "/sitemap.xml": fixed(index, "application/xml"),
            # an article of the feed that redirects to the other service
            moved: fixed("", status=302, headers={"Location": f"{elsewhere}/internal-admin?from=redirect"}),
        }
        with HostileServer(site, routes) as server:
            result = run_warta("crawl", "medcom", "--base-url", server.base_url, "--data-dir", str(tmp_path))
            assert server.hits["/sitemap/news.xml"] == 1, "the site's own news sitemap is still read"
        assert dict(other.hits) == {}, "nothing may be requested from another host or port"
    assert result.returncode == 0, result.stderr
    summary = run_record(tmp_path)["summary"]
    # passwd, zero, internal-admin (robots), the other host's and the ftp sitemap (index), the redirect
    assert summary["dropped"]["offsite"] == 6, summary["dropped"]
    assert "offsite=6" in result.stdout
    assert summary["articles"] > 10


def test_an_endless_listing_is_followed_to_the_bound_and_counted(tmp_path, site):
    day = "2020-01-01"

    def endless(query):
        page = int((query.get("page") or ["1"])[0]) + 1
        return 200, "text/html", f'<html><body><a rel="next" href="?page={page}">Berikutnya</a></body></html>'

    with HostileServer(site, {"/indeks/2020/01/01": endless}) as server:
        result = run_warta(
            "crawl",
            "medcom",
            "--base-url",
            server.base_url,
            "--since",
            day,
            "--until",
            day,
            "--data-dir",
            str(tmp_path),
            timeout=120,
        )
        listing_pages = server.hits["/indeks/2020/01/01"]
    assert result.returncode == 0, result.stderr
    assert listing_pages == 200, "DISCOVERY_MAX_LISTING_PAGES (200) pages of one day, no more"
    summary = run_record(tmp_path)["summary"]
    assert summary["bounded"] == {"listing_pages": 1}
    assert "bounds reached: listing_pages=1" in result.stdout


def test_a_200k_url_gzipped_sitemap_stays_bounded_in_memory(tmp_path, site):
    paths = [f"/nasional/hukum/{i:08d}-berita-nomor-{i}" for i in range(200_000)]
    big = gzip.compress(_urlset(paths).encode())
    routes = {
        "/robots.txt": fixed(f"User-agent: *\nAllow: /\nSitemap: {ORIGIN}/sitemap-big.xml.gz\n", "text/plain"),
        "/sitemap-big.xml.gz": fixed(big, "application/x-gzip"),
    }
    with HostileServer(site, routes) as server:
        code, peak_mib, stderr = peak_rss_mib(
            ["-m", "scrapy", "crawl", "medcom", "-a", f"base_url={server.base_url}", "-s", "CLOSESPIDER_TIMEOUT=12"],
            tmp_path,
            timeout=120,
        )
    assert code == 0, stderr[-2000:]
    stats = run_record(tmp_path)["stats"]
    assert stats["warta/bounded/sitemap_entries"] == 1, "over 50,000 entries in one file: counted"
    assert stats["warta/discovery/max_queued"] <= 5000 + 16, "DISCOVERY_MAX_PENDING_REQUESTS holds"
    assert stats["warta/discovery/held_back"] > 40_000
    assert peak_mib < 300, f"peak RSS {peak_mib} MiB"


def test_held_back_urls_are_all_fetched_and_seen_ones_skipped(tmp_path, server, site):
    """With a tiny queue bound every article still arrives once; a second crawl skips them all."""
    args = (*spider_args(server, site.days[0], site.days[-1]), "-s", "DISCOVERY_MAX_PENDING_REQUESTS=3")
    result = scrapy_crawl(tmp_path, *args)
    assert result.returncode == 0, result.stderr[-2000:]
    stats = run_record(tmp_path)["stats"]
    assert stats["warta/discovery/held_back"] > 50
    assert stats["warta/discovery/max_queued"] <= 3 + 16
    assert stats["warta/staged"] == len(site.articles) - 1  # one exact copy is dropped
    assert sorted(n for n in server.article_hits().values() if n > 1) == [2]  # only the flaky 500 twice
    again = scrapy_crawl(tmp_path, *args)
    assert again.returncode == 0
    assert run_record(tmp_path)["stats"]["warta/skipped/seen"] == len(site.articles)


def test_oversized_answers_are_cut_off_and_counted(tmp_path, site):
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024))  # 60 MiB once decompressed
    routes = {
        "/robots.txt": fixed("User-agent: *\n" + "# padding\n" * 80_000, "text/plain"),  # 800 KB
        "/sitemap.xml": fixed(bomb, "application/xml", headers={"Content-Encoding": "gzip"}),
    }
    with HostileServer(site, routes) as server:
        result = run_warta("crawl", "medcom", "--base-url", server.base_url, "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    dropped = run_record(tmp_path)["summary"]["dropped"]
    assert dropped.get("discovery_too_large") == 2, dropped  # robots.txt (512 KiB) and the bomb (50 MiB)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert run_record(tmp_path)["summary"]["articles"] > 0, "the feed still brings the latest articles"


def test_a_page_claiming_the_year_9999_is_dropped_not_published(tmp_path, site):
    future = dataclasses.replace(site.articles[-1], published_at=datetime(9999, 12, 31, 10, 0, tzinfo=WIB))
    ancient = dataclasses.replace(site.articles[-2], published_at=datetime(1970, 1, 1, 7, 0, tzinfo=WIB))
    routes = {a.path: fixed(render_article(a, site)) for a in (future, ancient)}
    with HostileServer(site, routes) as server:
        result = run_warta("crawl", "medcom", "--base-url", server.base_url, "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert run_record(tmp_path)["summary"]["dropped"]["implausible_date"] == 2
    assert run_warta("snapshot", "--data-dir", str(tmp_path)).returncode == 0
    days = sorted(p.name for p in (tmp_path / "snapshots" / "site=medcom").glob("date=*"))
    assert days and all("2020" <= d.removeprefix("date=") <= "2030" for d in days), days


def test_sitemap_indexes_listing_each_other_without_end_stop_at_the_bound(tmp_path, site):
    def index(query):
        n = int((query.get("n") or ["0"])[0])
        return (
            200,
            "application/xml",
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9"><sitemap><loc>{ORIGIN}/sitemap.xml?n={n + 1}</loc></sitemap></sitemapindex>',
        )

    with HostileServer(site, {"/sitemap.xml": index}) as server:
        result = scrapy_crawl(tmp_path, "-a", f"base_url={server.base_url}", "-s", "DISCOVERY_MAX_SITEMAP_FILES=30")
        fetched = server.hits["/sitemap.xml"]
    assert result.returncode == 0, result.stderr[-2000:]
    assert fetched == 31, "robots.txt's sitemap, then 30 listed by indexes"
    assert run_record(tmp_path)["summary"]["bounded"] == {"sitemap_files": 1}


def test_a_robots_txt_that_never_answers_does_not_stop_a_site_whose_pages_answer(tmp_path, site):
    """A timeout is one path's failure (a dead backend, a bot trap), not the host's: Scrapy goes on
    without the robots.txt, and so does the crawl (only a refused or unknown host ends it early)."""

    def hang(query):
        time.sleep(3)
        return 200, "text/plain", "User-agent: *\nAllow: /\n"

    day = str(site.days[-1])
    with HostileServer(site, {"/robots.txt": hang}) as server:
        result = scrapy_crawl(
            tmp_path,
            *spider_args(server, day, day),
            *("-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=1"),
        )
    assert result.returncode == 0, result.stderr[-2000:]
    summary = run_record(tmp_path)["summary"]
    assert summary["finish_reason"] == "finished" and summary["articles"] > 0, summary
    assert summary["dropped"].get("discovery_timeout"), summary


def test_pathological_pages_among_normal_ones_cost_only_themselves(tmp_path):
    """Issue 25. Before: one element of 200,000 attributes held the crawl for minutes, JSON-LD
    nested 100,000 deep lost its article (RecursionError), a UTF-16 page had no_title. Each is
    staged now, as every normal article, and a page of more elements than any article has
    (100,000 <b>) is dropped and counted as too_complex."""
    from tests import hostile_pages

    site = generate_site(n_articles=40, days=2, seed=13, reposts=0)
    shapes = {3: "attributes_200k", 7: "jsonld_deep_100k", 11: "nested_captions_text", 19: "elements_over_cap"}
    routes = {site.articles[i].path: fixed(hostile_pages.article_with(site, shape, i)) for i, shape in shapes.items()}
    routes[site.articles[15].path] = fixed(hostile_pages.utf16_page(site, 15))
    with HostileServer(site, routes) as server:
        started = time.monotonic()
        # follow=1: the spider reads every article's links too (a backfill follows none by default)
        args = (*spider_args(server, site.days[0], site.days[-1]), "-a", "follow=1")
        result = scrapy_crawl(tmp_path, *args, timeout=180)
        elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-3000:]
    summary = run_record(tmp_path)["summary"]
    assert summary["dropped"] == {"too_complex": 1}, summary["dropped"]
    staged = {
        record["article_id"]: record
        for path in (tmp_path / "staging" / "medcom").glob("*.jsonl")
        for record in map(json.loads, path.read_text().splitlines())
    }
    assert set(staged) == {a.article_id for a in site.articles} - {site.articles[19].article_id}
    for i in (3, 7, 11, 15):
        assert staged[site.articles[i].article_id]["title"] == site.articles[i].title
    assert elapsed < 90, f"the crawl took {elapsed:.0f} s"

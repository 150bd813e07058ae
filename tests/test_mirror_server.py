"""One server for every generated mirror (demosite/mirrors/server.py): routed by the request's
Host header or by a `/_host/<host>/` path prefix, with a site's failure modes, and one site
made to hang or fail without slowing the others."""

from __future__ import annotations

import http.client
import threading
import time
from urllib.parse import urlsplit

import pytest

from demosite.mirrors import SitesServer, generate_sites
from demosite.mirrors.router import Router

NAMES = ["detik", "kompas", "jpnn", "mediaindonesia"]


@pytest.fixture(scope="module")
def sites():
    return generate_sites(NAMES, n_per_site=12, days=2)


def _get(server: SitesServer, target: str, host: str | None = None, timeout: float = 5.0):
    """(status, text) of a GET of `target` (a path) with `host` in the Host header."""
    port = urlsplit(server.base_url).port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest("GET", target, skip_host=host is not None)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        conn.close()


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_article_of_every_site_is_served_at_its_own_host(sites):
    router = Router(sites, flaky_per_site=0)
    for name, site in sites.items():
        for a in site.articles:
            status, ctype, text = router.answer(a.host, a.path)
            assert (status, ctype) == (200, "text/html") and a.title in text, (name, a.url)
            elsewhere = next(h for h in sorted(site.hosts()) if h != a.host) if len(site.hosts()) > 1 else "x.example"
            assert router.answer(elsewhere, a.path)[0] == 404, (name, a.url)  # the host is part of the address
    assert router.article_hits("detik") and sum(router.article_hits().values()) == sum(
        len(s.articles) for s in sites.values()
    )


def test_routes_by_host_header_and_by_path_prefix(sites):
    detik = sites["detik"]
    article = next(a for a in detik.articles[5:] if a.host == "finance.detik.com")
    with SitesServer(sites) as server:
        by_host = _get(server, article.path, host="finance.detik.com")
        with_port = _get(server, article.path, host="finance.detik.com:443")
        by_prefix = _get(server, _target(server.url(article.url)), host=None)
        assert by_host[0] == with_port[0] == by_prefix[0] == 200
        assert by_host[1] == with_port[1] == by_prefix[1] and article.title in by_host[1]
        assert _get(server, article.path, host="news.detik.com")[0] == 404
        assert _get(server, article.path, host="www.example.com")[0] == 404
        assert "/_host/" in _get(server, "/", host=None)[1]  # a bare request learns how to address a site
        # Listings: the query picks the page, the most specific route wins (/?page=2 over the front page).
        day = detik.days[-1]
        listing = f"/indeks?page=1&date={day:%m/%d/%Y}"
        status, text = _get(server, listing, host="news.detik.com")
        assert status == 200 and "Indeks Berita" in text
        assert _get(server, "/?page=1", host="www.jpnn.com")[1].count("<li>") > 0
        assert 'class="latest"' in _get(server, "/", host="www.jpnn.com")[1]
        robots = _get(server, "/robots.txt", host="www.detik.com")[1]
        assert "Sitemap: https://www.detik.com/sitemap.xml" in robots
        relative = _get(server, "/robots.txt", host="mediaindonesia.com")[1]
        assert "Sitemap: /sitemap.xml" in relative
        assert server.hits[("finance.detik.com", article.path)] == 3
        assert {"indeks.kompas.com", "rss.kompas.com", "www.kompas.com"} <= server.hosts("kompas")
        assert _get(server, "/robots.txt", host="rss.kompas.com")[0] == 200
        assert server.hits[("news.detik.com", "/indeks")] == 1


def test_a_site_fails_as_real_sites_do(sites):
    detik = sites["detik"]
    with SitesServer(sites) as server:
        flaky = next(a for a in detik.articles if a.url in server.router.flaky)
        assert _get(server, flaky.path, host=flaky.host)[0] == 500
        assert _get(server, flaky.path, host=flaky.host)[0] == 200  # and recovers
        feed = _get(server, "/rss", host="news.detik.com")[1]
        assert detik.missing_url in feed
        missing = urlsplit(detik.missing_url)
        assert _get(server, missing.path, host=missing.hostname)[0] == 404


def test_one_hanging_site_does_not_hold_up_the_others(sites):
    kompas = sites["kompas"].articles[0]
    jpnn = sites["jpnn"].articles[0]
    with SitesServer(sites, hang_seconds=20, flaky_per_site=0) as server:
        server.set_mode("kompas", "hang")
        hung: list = []
        waiter = threading.Thread(target=lambda: hung.append(_safe_get(server, kompas)), daemon=True)
        waiter.start()
        started = time.monotonic()
        assert _get(server, jpnn.path, host=jpnn.host)[0] == 200
        assert time.monotonic() - started < 2  # answered while kompas hangs
        waiter.join(timeout=3)
        assert hung == ["timeout"]
        server.set_mode("kompas", "error")
        assert _get(server, kompas.path, host=kompas.host)[0] == 500
        assert _get(server, jpnn.path, host=jpnn.host)[0] == 200
        server.set_mode("kompas", None)
        assert _get(server, kompas.path, host=kompas.host)[0] == 200
        with pytest.raises(ValueError):
            server.set_mode("nosuchsite", "hang")
        server.set_mode("kompas", "hang")
        leaving = threading.Thread(target=lambda: _safe_get(server, kompas, timeout=30), daemon=True)
        leaving.start()
    # Leaving the server ends a hanging request at once: no test waits hang_seconds.
    leaving.join(timeout=5)
    assert not leaving.is_alive()


def _safe_get(server: SitesServer, article, timeout: float = 0.5) -> str:
    try:
        return str(_get(server, article.path, host=article.host, timeout=timeout)[0])
    except TimeoutError:
        return "timeout"
    except (ConnectionError, http.client.HTTPException):
        return "closed"

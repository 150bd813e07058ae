"""What a mirror answers to one request, whatever carries it: the route table of many sites
keyed by (host, path) and query, with the failure modes of a real site per site (the deleted
article linked from a feed is a 404; one article answers 500 on its first request; `set_mode`
makes a whole site hang or answer 500)."""

from __future__ import annotations

import threading
from collections import Counter
from urllib.parse import parse_qsl, unquote, urlsplit

from demosite.mirrors.discovery import render, render_front, render_robots
from demosite.mirrors.documents import documents
from demosite.mirrors.model import MirrorArticle, MirrorSite
from demosite.mirrors.pages import render_article

MODES = (None, "hang", "error")


def _key(path: str) -> str:
    return unquote(path).rstrip("/") or "/"


class Router:
    """The answers of every mirror of `sites` (name -> MirrorSite), counted in `hits`."""

    def __init__(self, sites: dict[str, MirrorSite], flaky_per_site: int = 1, hang_seconds: float = 30.0):
        self.sites = sites
        self.hang_seconds = hang_seconds
        self.hits: Counter[tuple[str, str]] = Counter()  # (host, path): a listing's pages count as one
        self.modes: dict[str, str | None] = {}
        self.closing = threading.Event()  # set: hanging requests end at once
        self.flaky: set[str] = set()  # article URLs that answer 500 once
        self._lock = threading.Lock()
        self._routes: dict[tuple[str, str], list[tuple[dict, tuple]]] = {}
        self._site_of: dict[str, str] = {}
        for name, site in sites.items():
            self._add_site(name, site, flaky_per_site)

    def _route(self, name: str, url: str, target: tuple) -> None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        owner = self._site_of.setdefault(host, name)
        if owner != name:
            raise ValueError(f"host {host} is served by both {owner} and {name}")
        params = dict(parse_qsl(parts.query))
        routes = self._routes.setdefault((host, _key(parts.path)), [])
        if any(p == params for p, _ in routes):
            raise ValueError(f"{name}: two documents at {url}")
        routes.append((params, target))

    def _add_site(self, name: str, site: MirrorSite, flaky: int) -> None:
        docs = documents(site)
        first_feed = next((d for d in docs if d.spec.kind in ("rss", "atom")), None)
        first_list = next((d for d in docs if d.spec.kind in ("urlset", "news", "listing")), None)
        holder = first_feed or first_list  # where the deleted article is linked
        for doc in docs:
            self._route(name, doc.url, ("doc", name, doc, doc is holder))
        for a in site.articles:
            self._route(name, a.url, ("article", name, a))
        self.flaky |= {a.url for a in site.articles[3 : 3 + flaky]}
        for host in sorted(site.hosts() | {site.style.home_host} | {urlsplit(d.url).hostname or "" for d in docs}):
            self._route(name, f"https://{host}/robots.txt", ("robots", name, host))
        for host in sorted({s.host for s in site.style.sections} | {site.style.home_host}):
            self._route(name, f"https://{host}/", ("front", name, host))

    def set_mode(self, site: str, mode: str | None) -> None:
        """`hang`: every request to `site` waits `hang_seconds` before a 503; `error`: 500s;
        None: normal again."""
        if site not in self.sites or mode not in MODES:
            raise ValueError(f"no site {site!r} or no mode {mode!r} (one of {MODES})")
        with self._lock:
            self.modes[site] = mode

    def hosts(self, site: str) -> set[str]:
        """Every host `site` answers on: its articles', its documents' (rss., indeks.) and home's."""
        return {h for h, name in self._site_of.items() if name == site}

    def site_of(self, host: str) -> str | None:
        """The site serving `host` (a port is ignored), None for a host no mirror has."""
        return self._site_of.get(host.lower().partition(":")[0])

    def article_hits(self, site: str | None = None) -> Counter[tuple[str, str]]:
        """Hits of article pages (of one site, or all)."""
        pages = {(a.host, a.path) for name, s in self.sites.items() if site in (None, name) for a in s.articles}
        with self._lock:
            return Counter({k: n for k, n in self.hits.items() if k in pages})

    def answer(self, host: str, path: str, query: str = "") -> tuple[int, str, str]:
        """(status, content type, text) of one request."""
        host = host.lower().partition(":")[0]
        with self._lock:
            self.hits[(host, path)] += 1
            first_hit = self.hits[(host, path)] == 1
            mode = self.modes.get(self._site_of.get(host, ""))
        if mode == "hang":
            self.closing.wait(self.hang_seconds)
            return 503, "text/html", "<h1>Service Unavailable</h1>"
        if mode == "error":
            return 500, "text/html", "<h1>Internal Server Error</h1>"
        asked = dict(parse_qsl(query, keep_blank_values=True))
        candidates = self._routes.get((host, _key(path)), [])
        fitting = [(params, t) for params, t in candidates if all(asked.get(k) == v for k, v in params.items())]
        if not fitting:
            return 404, "text/html", "<h1>Halaman tidak ditemukan</h1>"
        target = max(fitting, key=lambda pt: len(pt[0]))[1]  # the most specific: ?page=2 over the front page
        kind, site = target[0], self.sites[target[1]]
        if kind == "article":
            article: MirrorArticle = target[2]
            if article.url in self.flaky and first_hit:
                return 500, "text/html", "<h1>Internal Server Error</h1>"
            return 200, "text/html", render_article(article, site)
        if kind == "robots":
            return 200, "text/plain", render_robots(site, target[2])
        if kind == "front":
            return 200, "text/html", render_front(site, target[2])
        ctype, text = render(target[2], site, missing=target[3])
        return 200, ctype, text

    def directory(self, prefix: str) -> str:
        """What a request for a host no mirror has gets at `/`: how to address the mirrors."""
        rows = "".join(f"<li>{n}: {', '.join(sorted(self.hosts(n)))}</li>" for n in sorted(self.sites))
        return (
            f"<html><body><p>Send a Host header, or use {prefix}&lt;host&gt;/&lt;path&gt;.</p>"
            f"<ul>{rows}</ul></body></html>"
        )

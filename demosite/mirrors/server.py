"""One server on 127.0.0.1 for many generated mirrors, routing by the request's `Host` header
(what a crawl with `--base-url` sends) or by a path prefix `/_host/<host>/<path>` for tools
that cannot set it.

The failure modes of DemoServer, per site: the deleted article linked from a feed (404), one
article answering 500 on its first request and then recovering, an optional latency; and a
switch per site (`set_mode`) that makes every page of one site hang past a crawl's timeout or
answer 500, to show that one bad site does not hold up the others.
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from demosite.mirrors.discovery import render, render_front, render_robots
from demosite.mirrors.documents import documents
from demosite.mirrors.model import MirrorArticle, MirrorSite
from demosite.mirrors.pages import render_article

PREFIX = "/_host/"
MODES = (None, "hang", "error")


def _key(path: str) -> str:
    return path.rstrip("/") or "/"


class SitesServer:
    """`with SitesServer(sites) as server:` serves every mirror of `sites` (name -> MirrorSite)
    at `server.base_url`."""

    def __init__(
        self,
        sites: dict[str, MirrorSite],
        port: int = 0,
        latency: float = 0.0,
        flaky_per_site: int = 1,
        hang_seconds: float = 30.0,
    ):
        self.sites = sites
        self.latency = latency
        self.hang_seconds = hang_seconds
        self.hits: Counter[tuple[str, str]] = Counter()  # (host, path): a listing's pages count as one
        self.user_agents: Counter[str] = Counter()
        self.modes: dict[str, str | None] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._routes: dict[tuple[str, str], list[tuple[dict, tuple]]] = {}
        self._site_of: dict[str, str] = {}
        self.flaky: set[str] = set()  # article URLs that answer 500 once
        for name, site in sites.items():
            self._add_site(name, site, flaky_per_site)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def _route(self, name: str, url: str, target: tuple) -> None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        owner = self._site_of.setdefault(host, name)
        if owner != name:
            raise ValueError(f"host {host} is served by both {owner} and {name}")
        self._routes.setdefault((host, _key(parts.path)), []).append((dict(parse_qsl(parts.query)), target))

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

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def url(self, site_url: str) -> str:
        """The path-prefix form of a site's URL on this server."""
        parts = urlsplit(site_url)
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.base_url}{PREFIX}{parts.hostname}{quote(parts.path or '/')}{query}"

    def __enter__(self) -> SitesServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._closing.set()  # hanging requests end now
        self._httpd.shutdown()
        self._httpd.server_close()

    def set_mode(self, site: str, mode: str | None) -> None:
        """`hang`: every request to `site` waits `hang_seconds` before a 503; `error`: 500s;
        None: normal again."""
        if site not in self.sites or mode not in MODES:
            raise ValueError(f"no site {site!r} or no mode {mode!r} (one of {MODES})")
        with self._lock:
            self.modes[site] = mode

    def article_hits(self, site: str | None = None) -> Counter[tuple[str, str]]:
        """Hits of article pages (of one site, or all)."""
        pages = {(a.host, a.path) for name, s in self.sites.items() if site in (None, name) for a in s.articles}
        with self._lock:
            return Counter({k: n for k, n in self.hits.items() if k in pages})

    def site_of(self, host: str) -> str | None:
        return self._site_of.get(host.lower())

    def render(self, host: str, path: str, query: str = "") -> tuple[int, str, str]:
        """(status, content type, text) of one request, as the server answers it."""
        host = host.lower().partition(":")[0]
        with self._lock:
            self.hits[(host, path)] += 1
            first_hit = self.hits[(host, path)] == 1
            mode = self.modes.get(self._site_of.get(host, ""))
        if mode == "hang":
            self._closing.wait(self.hang_seconds)
            return 503, "text/html", "<h1>Service Unavailable</h1>"
        if mode == "error":
            return 500, "text/html", "<h1>Internal Server Error</h1>"
        asked = dict(parse_qsl(query, keep_blank_values=True))
        candidates = self._routes.get((host, _key(unquote(path))), [])
        fitting = [(params, t) for params, t in candidates if all(asked.get(k) == v for k, v in params.items())]
        if not fitting:
            return 404, "text/html", "<h1>Halaman tidak ditemukan</h1>"
        target = max(fitting, key=lambda pt: len(pt[0]))[1]
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

    def _directory(self) -> str:
        rows = "".join(f"<li>{n}: {', '.join(sorted(s.hosts()))}</li>" for n, s in sorted(self.sites.items()))
        return f"<html><body><p>Send a Host header, or use {PREFIX}&lt;host&gt;/&lt;path&gt;.</p><ul>{rows}</ul></body></html>"

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # see DemoServer: no 40 ms per keep-alive response

            def do_GET(self):  # noqa: N802 (http.server's naming)
                if server.latency:
                    server._closing.wait(server.latency)
                with server._lock:
                    server.user_agents[self.headers.get("User-Agent", "")] += 1
                parts = urlsplit(self.path)
                path, host = parts.path, self.headers.get("Host", "")
                if path.startswith(PREFIX):
                    host, _, rest = path[len(PREFIX) :].partition("/")
                    path = "/" + rest
                if server.site_of(host.partition(":")[0]) is None:
                    status, ctype, body = (
                        (200, "text/html", server._directory()) if path == "/" else (404, "text/html", "no such host")
                    )
                else:
                    status, ctype, body = server.render(host, path, parts.query)
                data = body.encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", f"{ctype}; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def log_message(self, *args):
                pass

        return Handler

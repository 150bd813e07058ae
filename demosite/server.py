"""Serve a generated site on 127.0.0.1, counting requests per path (`warta demo --serve`
serves the default site on its own).

Failure modes of a real site are built in: a 404 linked from the feed, an article that
answers 500 on its first request and then recovers, an optional fixed latency per page.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from demosite import markup
from demosite.generator import SiteModel

MISSING_PATH = "/nasional/hukum/Zz404xYz-berita-yang-sudah-dihapus"


class DemoServer:
    """`with DemoServer(site) as server:` serves `site` at `server.base_url` in a thread."""

    def __init__(
        self,
        site: SiteModel,
        port: int = 0,
        latency: float = 0.0,
        flaky_paths: int = 1,
        throttled_paths: int = 0,
        retry_after: int = 2,
    ):
        self.site = site
        self.latency = latency
        self.hits: Counter[str] = Counter()  # by path: the pages of a listing count as one
        self.targets: Counter[str] = Counter()  # by request target, query included, in first-request order
        self.user_agents: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._pages = {a.path: a for a in site.articles}
        self._flaky = {a.path for a in site.articles[3 : 3 + flaky_paths]}
        self._throttled = {a.path for a in site.articles[10 : 10 + throttled_paths]}
        self.retry_after = retry_after
        self.times: dict[str, list[float]] = {}
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> "DemoServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def article_hits(self) -> Counter[str]:
        with self._lock:
            return Counter({p: n for p, n in self.hits.items() if p in self._pages})

    def render(self, path: str, query: dict) -> tuple:
        """(status, content type, body as str or bytes[, extra headers])."""
        site = self.site
        with self._lock:
            self.hits[path] += 1
            self.times.setdefault(path, []).append(time.monotonic())
            first_hit = self.hits[path] == 1
        if path == "/robots.txt":
            return 200, "text/plain", markup.render_robots(site)
        if path == "/sitemap.xml":
            return 200, "application/xml", markup.render_sitemap_index(site)
        if path == "/sitemap/news.xml":
            return 200, "application/xml", markup.render_news_sitemap(site)
        if m := re.fullmatch(r"/sitemap/(\d{4}-\d{2}-\d{2})\.xml", path):
            body = markup.render_daily_sitemap(site, date.fromisoformat(m[1]))
            return (200, "application/xml", body) if body else (404, "text/plain", "not found")
        if path == "/rss":
            return 200, "application/rss+xml", markup.render_rss(site, (MISSING_PATH,))
        if m := re.fullmatch(r"/indeks/(\d{4})/(\d{2})/(\d{2})", path):
            page = int((query.get("page") or ["1"])[0])
            body = markup.render_index(site, date(int(m[1]), int(m[2]), int(m[3])), page)
            return (200, "text/html", body) if body else (404, "text/html", "<h1>Halaman tidak ditemukan</h1>")
        if path.startswith("/video/"):
            return 200, "text/html", markup.render_video(path)
        amp = path.removeprefix("/amp")
        if amp in self._pages:
            if amp in self._flaky and first_hit:
                return 500, "text/html", "<h1>Internal Server Error</h1>"
            if amp in self._throttled and first_hit:
                return 429, "text/html", "<h1>Too Many Requests</h1>"
            return 200, "text/html", markup.render_article(self._pages[amp], site)
        return 404, "text/html", "<h1>Halaman tidak ditemukan</h1>"

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in two writes; with Nagle's algorithm and delayed ACKs
            # every keep-alive response would wait ~40 ms more than the configured latency.
            disable_nagle_algorithm = True

            def do_GET(self):  # noqa: N802 (http.server's naming)
                if server.latency:
                    threading.Event().wait(server.latency)
                with server._lock:
                    server.targets[self.path] += 1
                    server.user_agents[self.headers.get("User-Agent", "")] += 1
                parts = urlsplit(self.path)
                status, ctype, body, *extra = server.render(parts.path, parse_qs(parts.query))
                data = body if isinstance(body, bytes) else body.encode("utf-8")
                try:
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", str(server.retry_after))
                    for name, value in (extra[0] if extra else {}).items():  # a redirect's Location...
                        self.send_header(name, value)
                    self.send_header("Content-Type", f"{ctype}; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the crawler went away (a killed worker)

            def log_message(self, *args):
                pass

        return Handler

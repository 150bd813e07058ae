"""One server on 127.0.0.1 for many generated mirrors, routing by the request's `Host` header
(what a crawl with `--base-url` sends: every host's requests to the one mirror, the original
host in `Host:`) or by a path prefix `/_host/<host>/<path>` for tools that cannot set it.

Failure modes as DemoServer's, per site (router.py), plus an optional latency for every
request and a switch per site (`set_mode`) to make one site hang or fail.
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlsplit

from demosite.mirrors.model import MirrorSite
from demosite.mirrors.router import Router

PREFIX = "/_host/"


class SitesServer:
    """`with SitesServer(sites) as server:` serves every mirror of `sites` (name -> MirrorSite)
    at `server.base_url`; `server.router` holds the hits, modes and answers."""

    def __init__(
        self,
        sites: dict[str, MirrorSite],
        port: int = 0,
        latency: float = 0.0,
        flaky_per_site: int = 1,
        hang_seconds: float = 30.0,
    ):
        self.router = Router(sites, flaky_per_site, hang_seconds)
        self.sites = sites
        self.latency = latency
        self.user_agents: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        # A short poll: leaving the `with` block waits for the loop's next look at its flag.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def hits(self) -> Counter[tuple[str, str]]:
        return self.router.hits

    def hosts(self, site: str) -> set[str]:
        """Every host `site` answers on (what a crawl's mirror mode must send here)."""
        return self.router.hosts(site)

    def set_mode(self, site: str, mode: str | None) -> None:
        """`hang`, `error` or None (normal) for every page of `site` (see Router.set_mode)."""
        self.router.set_mode(site, mode)

    def url(self, site_url: str) -> str:
        """The path-prefix form of a site's URL on this server."""
        parts = urlsplit(site_url)
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.base_url}{PREFIX}{parts.hostname}{quote(parts.path or '/')}{query}"

    def __enter__(self) -> SitesServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.router.closing.set()  # hanging requests end now
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self):
        server = self
        router = self.router

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # see DemoServer: no 40 ms more per keep-alive response

            def do_GET(self):  # noqa: N802 (http.server's naming)
                if server.latency:
                    router.closing.wait(server.latency)
                with server._lock:
                    server.user_agents[self.headers.get("User-Agent", "")] += 1
                parts = urlsplit(self.path)
                path, host = parts.path, self.headers.get("Host", "")
                if path.startswith(PREFIX):
                    host, _, rest = path[len(PREFIX) :].partition("/")
                    path = "/" + rest
                if router.site_of(host) is not None:
                    status, ctype, body = router.answer(host, path, parts.query)
                elif path == "/":
                    status, ctype, body = 200, "text/html", router.directory(PREFIX)
                else:
                    status, ctype, body = 404, "text/plain", f"no mirror serves the host {host!r}"
                data = body.encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", f"{ctype}; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the crawler went away

            def log_message(self, *args):
                pass

        return Handler

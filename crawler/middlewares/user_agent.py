"""Downloader middleware: warta's user agent on every request, in the form well-behaved
crawlers use, `Mozilla/5.0 (compatible; warta/VERSION; +URL[; CONTACT])`, never Scrapy's
default (some sites' robots.txt disallow `Scrapy` by name). USER_AGENT, when set, is sent as
it is; else it is built from WARTA_BOT_URL and WARTA_CONTACT (in place of Scrapy's own
UserAgentMiddleware, which sends USER_AGENT or nothing)."""

from __future__ import annotations

from importlib import metadata


def warta_version() -> str:
    try:
        return metadata.version("warta")
    except metadata.PackageNotFoundError:  # a checkout that was never installed
        return "0"


def user_agent(bot_url: str, contact: str | None = None) -> str:
    """`Mozilla/5.0 (compatible; warta/VERSION; +BOT_URL[; CONTACT])`."""
    return f"Mozilla/5.0 (compatible; warta/{warta_version()}; +{bot_url}" + (f"; {contact}" if contact else "") + ")"


class UserAgentMiddleware:
    def __init__(self, agent: str):
        self.agent = agent.encode()

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(
            settings.get("USER_AGENT") or user_agent(settings.get("WARTA_BOT_URL"), settings.get("WARTA_CONTACT"))
        )

    def process_request(self, request):
        request.headers.setdefault(b"User-Agent", self.agent)
        return None

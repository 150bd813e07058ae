"""Spider loader that makes one spider per site definition (extract.sites: the shipped ones and
the user's, WARTA_SITES): a site is data, not a class."""

from __future__ import annotations

from scrapy.http import Request
from scrapy.settings import BaseSettings

from crawler.spiders.news import NewsSpider
from extract.sites import load_sites
from extract.urls import article_ref


class ProfileSpiderLoader:
    def __init__(self, settings: BaseSettings):
        self._spiders = {
            name: type(f"{name.title()}Spider", (NewsSpider,), {"name": name, "profile": profile})
            for name, profile in load_sites().profiles.items()
        }

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> "ProfileSpiderLoader":
        return cls(settings)

    def load(self, spider_name: str) -> type[NewsSpider]:
        try:
            return self._spiders[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name} (sites: {', '.join(sorted(self._spiders))})") from None

    def list(self) -> list[str]:
        return sorted(self._spiders)

    def find_by_request(self, request: Request) -> list[str]:
        return [name for name, cls in self._spiders.items() if article_ref(request.url, cls.profile)]

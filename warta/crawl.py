"""Running one crawl in this process (one crawl per process: Scrapy's reactor cannot restart)."""
from __future__ import annotations

import os

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.extensions import summarise
from crawler.shared_queue import distributed_settings
from pipeline.datadir import DataDir


def crawl_settings(data_dir: str | os.PathLike, overrides: dict | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("WARTA_DATA_DIR", str(data_dir), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(site: str, data_dir: str | os.PathLike, since=None, until=None, base_url=None,
              limit: int | None = None, refetch: bool = False, overrides: dict | None = None,
              redis_url: str | None = None) -> dict:
    """Crawl `site` into `data_dir` (a folder or an object-store URL); returns the run summary
    (pages, articles, drops). With `redis_url`, this process is one worker of a distributed crawl."""
    DataDir.of(data_dir).local.mkdir(parents=True, exist_ok=True)
    extra = dict(distributed_settings(redis_url))
    extra["WARTA_RUN_ORIGIN"] = "warta crawl"
    extra.update(overrides or {})
    if limit:
        extra["CLOSESPIDER_ITEMCOUNT"] = limit
    process = CrawlerProcess(crawl_settings(data_dir, extra))
    crawler = process.create_crawler(site)
    kwargs = {k: v for k, v in (("since", since), ("until", until), ("base_url", base_url),
                                ("refetch", "1" if refetch else None)) if v}
    process.crawl(crawler, **kwargs)
    process.start()
    return summarise(crawler.stats.get_stats())

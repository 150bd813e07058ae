"""A bare Scrapy spider that only fetches a list of URLs (the peer of the crawl benchmark).

Same project settings as warta's crawl (politeness, AutoThrottle, concurrency), no parsing,
no pipelines. Usage: python benchmarks/bare_spider.py URLS_FILE STATS_FILE
"""

import json
import sys
import tempfile
import time

import scrapy
from scrapy.crawler import CrawlerProcess

from warta.crawl_process import crawl_settings


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls_file: str, **kwargs):
        super().__init__(**kwargs)
        self.urls = open(urls_file).read().split()

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.opened, signal=scrapy.signals.spider_opened)
        crawler.signals.connect(spider.closed_, signal=scrapy.signals.spider_closed)
        return spider

    def opened(self, spider):
        self.cpu = time.thread_time()

    def closed_(self, spider):
        self.crawler.stats.set_value("bare/crawl_thread_s", time.thread_time() - self.cpu)

    def parse(self, response):
        self.crawler.stats.inc_value("bare/pages")


def main() -> None:
    urls_file, stats_file = sys.argv[1:3]
    settings = crawl_settings(
        tempfile.mkdtemp(prefix="warta-bare-"),
        {
            "ITEM_PIPELINES": {},
            "EXTENSIONS": {},
            "SPIDER_MIDDLEWARES": {},
            "LOG_LEVEL": "WARNING",
            "ROBOTSTXT_OBEY": False,
        },
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls_file=urls_file)
    process.start()
    stats = crawler.stats.get_stats()
    json.dump(
        {
            "pages": stats.get("bare/pages", 0),
            "elapsed": stats["elapsed_time_seconds"],
            "cpu": stats["bare/crawl_thread_s"],
        },
        open(stats_file, "w"),
    )


if __name__ == "__main__":
    main()

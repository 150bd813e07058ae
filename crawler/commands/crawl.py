"""`scrapy crawl`, with warta's spider arguments checked before the crawl starts, so a wrong
date or URL is a one-line usage error (as with `warta crawl`), not a traceback. A Redis URL
(`-s REDIS_URL=...` or WARTA_REDIS_URL) makes this process a distributed-mode worker."""
from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler.shared_queue import distributed_settings, preflight
from crawler.spiders.news import ArgumentError, check_arguments


class Command(ScrapyCrawl):
    def process_options(self, args, opts):
        super().process_options(args, opts)
        spargs = opts.spargs
        try:
            check_arguments(spargs.get("since"), spargs.get("until"), spargs.get("base_url"))
        except ArgumentError as exc:
            raise UsageError(str(exc), print_help=False) from None
        redis_url = self.settings.get("REDIS_URL")
        if problem := preflight(self.settings.get("WARTA_DATA_DIR", "data"), redis_url):
            raise UsageError(problem, print_help=False)
        self.settings.setdict(distributed_settings(redis_url), priority="cmdline")

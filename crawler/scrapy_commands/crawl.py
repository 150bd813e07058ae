"""`scrapy crawl`, with warta's spider arguments checked before the crawl starts, so a wrong
date or URL is a one-line usage error (as with `warta crawl`), not a traceback. A Redis URL
(`-s REDIS_URL=...` or WARTA_REDIS_URL) makes this process a distributed-mode worker."""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler.distributed.mode import distributed_settings, preflight, worker_problem
from crawler.gc_tuning import tuned_collector
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
        if problem := preflight(self.settings.get("WARTA_DATA_DIR"), redis_url):
            raise UsageError(problem, print_help=False)
        self.settings.setdict(distributed_settings(redis_url), priority="cmdline")

    def _create_crawler(self, spidercls):
        self._warta_crawler = super()._create_crawler(spidercls)
        return self._warta_crawler

    def run(self, args, opts):
        with tuned_collector(self.settings.getint("GC_THRESHOLD")):
            super().run(args, opts)
        # As `warta crawl`: a crawl that could not stage what it parsed (a full disk) fails.
        stats = self._warta_crawler.stats if getattr(self, "_warta_crawler", None) else None
        if stats is not None and (unwritten := stats.get_value("warta/staging/unwritten")):
            print(
                f"scrapy crawl: could not stage {unwritten} articles: {stats.get_value('warta/staging/error')}",
                file=sys.stderr,
            )
            self.exitcode = 1
        # A distributed worker that Redis cut short, or that left requests without an outcome.
        prefix = "warta/distributed/"
        counts = {
            k.removeprefix(prefix): v for k, v in (stats.get_stats() if stats else {}).items() if k.startswith(prefix)
        }
        if stats is not None and (problem := worker_problem(stats.get_value("finish_reason"), counts)):
            print(f"scrapy crawl: {problem}", file=sys.stderr)
            self.exitcode = 1

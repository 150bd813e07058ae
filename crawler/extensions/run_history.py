"""Extension: every crawl is a row in the run history (`pipeline.monitor.runs`), however it was
started (`warta crawl`, `scrapy crawl`, `warta demo`), so `warta schedule status` and the
report see all of them. Under the scheduler (WARTA_RUN_RECORD set) the scheduler keeps the row
itself: it also knows about timeouts and exit codes.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import UTC, datetime

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.extensions.run_report import summarise
from pipeline.monitor.health import fill_rates, health_problems
from pipeline.monitor.runs import History, run_status

logger = logging.getLogger(__name__)


class RunHistoryExtension:
    def __init__(self, crawler, data_dir: str, origin: str):
        self.crawler = crawler
        self.data_dir = data_dir
        self.origin = origin
        self.run_id = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if settings.get("WARTA_RUN_RECORD") or not settings.getbool("RUN_HISTORY_ENABLED"):
            raise NotConfigured  # the scheduler records its own runs
        return cls(crawler, settings.get("WARTA_DATA_DIR"), settings.get("WARTA_RUN_ORIGIN"))

    def _job(self, spider) -> tuple[str, str]:
        kind = "backfill" if getattr(spider, "backfill", False) else "crawl"
        return f"{self.origin} {spider.name}", kind

    def spider_opened(self, spider):
        job, kind = self._job(spider)
        self.run_id = f"{job.replace(' ', '-')}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
        # In the run record too: a damaged history is rebuilt from the records (pipeline.monitor.runs).
        self.crawler.stats.set_value("warta/run_id", self.run_id)
        self.crawler.stats.set_value("warta/job", job)
        try:
            history = History(self.data_dir)
            try:
                history.start(self.run_id, job, kind, spider.name, "")
                history.set_pid(self.run_id, os.getpid())
            finally:
                history.close()
        except (sqlite3.Error, OSError) as exc:  # a full disk: the crawl goes on, its record says all
            logger.error("could not record the run's start in the run history: %s", exc)

    def spider_closed(self, spider, reason):
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        summary = summarise(stats)
        summary["fill"] = fill_rates(stats, stats.get("warta/staged", 0))
        status, problems = run_status(summary)
        try:
            history = History(self.data_dir)
            try:
                if status == "ok":
                    problems = health_problems(summary, summary["fill"], history.fill_history(spider.name))
                history.finish(self.run_id, status, 0 if status == "ok" else 1, summary, problems)
            finally:
                history.close()
        except (sqlite3.Error, OSError) as exc:  # one line: a traceback would not fit on a full disk
            logger.error("could not record the run in the run history: %s", exc)

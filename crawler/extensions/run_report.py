"""Run reporting: a live progress line on a terminal, a summary and a run record at close.

A Scrapy process exits 0 even when callbacks failed or SIGTERM stopped it, so a run is
judged from this record (`DATA/runs/<site>/<run id>.json`), written atomically at close.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals
from twisted.internet import task

from pipeline.store.datadir import DataDir

logger = logging.getLogger(__name__)
DROP_PREFIX = "warta/dropped/"


def _with_prefix(stats: dict, prefix: str) -> dict:
    return {k[len(prefix) :]: v for k, v in sorted(stats.items()) if k.startswith(prefix)}


def summarise(stats: dict) -> dict:
    return {
        "pages": stats.get("downloader/response_count", 0),
        "requests": stats.get("downloader/request_count", 0),
        "articles": stats.get("item_scraped_count", 0),
        "dropped": _with_prefix(stats, DROP_PREFIX),
        "removed": _with_prefix(stats, "warta/removed/"),
        "flagged": _with_prefix(stats, "warta/flagged/"),
        "skipped": _with_prefix(stats, "warta/skipped/"),
        "bounded": _with_prefix(stats, "warta/bounded/"),
        "blocked_by": _with_prefix(stats, "warta/blocked/"),  # challenge pages by vendor (dropped: blocked)
        "updated": stats.get("warta/updated", 0),
        # articles parsed but not durably staged (disk full, store unreachable), and why
        "unwritten": stats.get("warta/staging/unwritten", 0),
        "staging_error": stats.get("warta/staging/error"),
        "finish_reason": stats.get("finish_reason"),
        "distributed": _with_prefix(stats, "warta/distributed/"),  # the shared queue's counts
    }


def format_summary(site: str, summary: dict, elapsed: float) -> str:
    """The one-line summary of a crawl, the same wherever it is shown (`warta crawl`, `warta
    demo`, `warta schedule once`, `scrapy crawl`)."""

    def listing(counts: dict) -> str:
        return ", ".join(f"{k}={v}" for k, v in counts.items()) or "none"

    rate = summary["articles"] / elapsed if elapsed > 0 else 0.0
    unwritten = (
        f"; NOT STAGED: {summary['unwritten']} articles ({summary['staging_error']})"
        if summary.get("unwritten")
        else ""
    )
    return (
        f"{site}: {summary['pages']} pages, {summary['articles'] - summary.get('unwritten', 0)} articles staged "
        f"in {elapsed:.1f}s "
        f"({rate:.1f} articles/s); dropped: {listing(summary['dropped'])}; "
        f"flagged: {listing(summary['flagged'])}; updated: {summary['updated']}; "
        f"skipped: {listing(summary['skipped'])}; "
        + (f"bounds reached: {listing(summary['bounded'])}; " if summary.get("bounded") else "")
        + f"finish: {summary['finish_reason']}{unwritten}"
    )


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)


def _cpu_now() -> tuple[float, float, float]:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.thread_time(), time.process_time(), children.ru_utime + children.ru_stime


class RunReport:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.data_dir = DataDir(settings.get("WARTA_DATA_DIR"))
        self.record_path = settings.get("WARTA_RUN_RECORD")
        progress = settings.get("WARTA_PROGRESS")
        self.interactive = sys.stderr.isatty() if progress is None else settings.getbool("WARTA_PROGRESS")
        # `warta crawl` prints the summary itself, once it knows the outcome; `scrapy crawl` here.
        self.print_summary = settings.getbool("WARTA_PRINT_SUMMARY")
        self.log_file = settings.get("LOG_FILE")
        self.started = time.monotonic()
        self._cpu: tuple[float, float, float] | None = None
        self._ticker = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        self.started = time.monotonic()
        self._cpu = _cpu_now()
        if self.interactive:
            self._ticker = task.LoopingCall(self._progress)
            self._ticker.start(1.0, now=False)

    def _progress(self):
        stats = self.crawler.stats.get_stats()
        s = summarise(stats)
        elapsed = max(1e-6, time.monotonic() - self.started)
        sys.stderr.write(
            f"\r{self.crawler.spider.name}: {s['pages']} pages, {s['articles']} articles, "
            f"{sum(s['dropped'].values())} dropped, {s['articles'] / elapsed:.1f} articles/s "
        )
        sys.stderr.flush()

    def spider_closed(self, spider, reason):
        if self._ticker and self._ticker.running:
            self._ticker.stop()
            sys.stderr.write("\n")
        if self._cpu is not None:
            # What the crawl cost the machine: Scrapy's one thread (the limit on a fast site),
            # the whole process, and the parse worker (a child, reaped by now).
            for name, now, then in zip(("crawl_thread_s", "process_s", "children_s"), _cpu_now(), self._cpu):
                self.crawler.stats.set_value(f"warta/cpu/{name}", round(now - then, 3))
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        elapsed = time.monotonic() - self.started
        self.crawler.stats.set_value("warta/elapsed_s", round(elapsed, 3))  # the summary's time, everywhere
        summary = summarise(stats)
        record = {
            "site": spider.name,
            "args": {k: _jsonable(getattr(spider, k, None)) for k in ("since", "until", "mirror")},
            "elapsed_s": round(elapsed, 3),
            "summary": summary,
            "log": self.log_file,
            "stats": {k: _jsonable(v) for k, v in stats.items()},
        }
        path = (
            Path(self.record_path)
            if self.record_path
            else (self.data_dir.runs(spider.name) / f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{os.getpid()}.json")
        )
        # The summary first: a full disk must not cost the user the one line saying what happened.
        if self.print_summary:
            print(format_summary(spider.name, summary, elapsed), flush=True)
        tmp = path.with_name("." + path.name + ".tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(record, indent=1, sort_keys=True))
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            logger.error("could not write the run record %s: %s", path, exc.strerror or exc)

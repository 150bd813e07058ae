"""Running one crawl in this process (one crawl per process: Scrapy's reactor cannot restart).

Scrapy's own log goes to the run's log file (`DATA/logs/crawl/<site>-<time>-<pid>.log`, or
`WARTA_RUN_LOG`, the scheduler's log of the run), not to the terminal: the terminal gets
the progress line and the summary, and the log as well with -v.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from twisted.internet import task

from crawler.distributed.mode import distributed_settings
from crawler.extensions.run_report import format_summary, summarise
from crawler.gc_tuning import tuned_collector
from pipeline.store.datadir import DataDir
from warta.output import NORMAL, QUIET, VERBOSE, WibFormatter


@dataclass
class CrawlRun:
    site: str
    summary: dict
    elapsed: float
    log: Path

    @property
    def scheduled(self) -> bool:
        """Run by the scheduler, which keeps the log (and says where)."""
        return os.environ.get("WARTA_RUN_LOG") == str(self.log)

    @property
    def line(self) -> str:
        """The one-line summary, as `scrapy crawl` and `warta schedule once` print it."""
        return format_summary(self.site, self.summary, self.elapsed)


def crawl_settings(data_dir: str | os.PathLike, overrides: dict | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("WARTA_DATA_DIR", str(data_dir), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_log_path(site: str, data_dir: str | os.PathLike) -> Path:
    if scheduled := os.environ.get("WARTA_RUN_LOG"):
        return Path(scheduled)
    stamp = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}"
    return DataDir.of(data_dir).logs("crawl") / f"{site}-{stamp}-{os.getpid()}.log"


class RunLogHandler(logging.FileHandler):
    """The run's log file. A log line that cannot be written (a full disk) is one line on stderr,
    once, not logging's traceback per lost line: the crawl's own messages say what failed."""

    def __init__(self, path: Path, encoding: str | None):
        super().__init__(path, mode="a", encoding=encoding)
        self.failed = False

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's naming)
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):  # a bad log call, not the disk: logging's own report
            super().handleError(record)
        elif not self.failed:
            self.failed = True
            print(f"warta: log lines lost, {self.baseFilename} cannot be written: {error}", file=sys.stderr)


def _install_log(settings: Settings, log: Path, echo: bool, quiet: bool = False) -> None:
    """Scrapy's log into the run's log file (with -v on stderr too), stamped in WIB; installed
    before Scrapy starts (LOG_INSTALL_ROOT_HANDLER off) so that its first lines are too. What
    warta says about the data itself (a damaged state file set aside, a failed write) is shown
    on the terminal too: an operator must not have to open the log to learn of it."""
    formatter = WibFormatter(settings.get("LOG_FORMAT"))
    handlers: list[logging.Handler] = [RunLogHandler(log, settings.get("LOG_ENCODING"))]
    if echo:
        handlers.append(logging.StreamHandler(sys.stderr))
    root = logging.getLogger()
    root.setLevel(logging.NOTSET)  # the handlers choose, as with Scrapy's own root handler
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.setLevel(settings.get("LOG_LEVEL"))
        root.addHandler(handler)
    if not echo:
        own = logging.StreamHandler(sys.stderr)
        own.setFormatter(formatter)
        own.setLevel(logging.ERROR if quiet else logging.WARNING)
        logging.getLogger("pipeline").addHandler(own)


def run_crawl(
    sites: list[str],
    data_dir: str | os.PathLike,
    since=None,
    until=None,
    base_url=None,
    limit: int | None = None,
    refetch: bool = False,
    overrides: dict | None = None,
    redis_url: str | None = None,
    verbosity: int = NORMAL,
) -> list[CrawlRun]:
    """Crawl `sites` into `data_dir` (a folder or an object-store URL), all in this process,
    each its own Scrapy crawler (its own politeness, stats, run record, seen-store use, --limit):
    one site's slowness or failure never holds up another. Returns each site's run (summary of
    pages, articles, drops; the log file they share). With `redis_url`, this process is one
    worker of a distributed crawl. The caller prints the summaries."""
    DataDir.of(data_dir).local.mkdir(parents=True, exist_ok=True)
    log = run_log_path(sites[0] if len(sites) == 1 else f"{len(sites)}-sites", data_dir)
    log.parent.mkdir(parents=True, exist_ok=True)
    extra = dict(distributed_settings(redis_url))
    extra["WARTA_RUN_ORIGIN"] = "warta crawl"
    extra.update({"LOG_FILE": str(log), "LOG_INSTALL_ROOT_HANDLER": False, "WARTA_PRINT_SUMMARY": False})
    if verbosity in (QUIET, VERBOSE) or len(sites) > 1:  # -v: the log shows the progress; several: one line for all
        extra["WARTA_PROGRESS"] = False
    extra.update(overrides or {})
    if limit:
        extra["LIMIT_ARTICLES"] = limit
    settings = crawl_settings(data_dir, extra)
    _install_log(settings, log, echo=verbosity == VERBOSE, quiet=verbosity == QUIET)
    process = CrawlerProcess(settings)
    kwargs = {
        k: v
        for k, v in (("since", since), ("until", until), ("base_url", base_url), ("refetch", "1" if refetch else None))
        if v
    }
    crawlers = [process.create_crawler(site) for site in sites]
    failures: list = []
    for crawler in crawlers:
        # A crawl that cannot even start (its state files cannot be created on a full disk)
        # fails in Scrapy's reactor, which would print the traceback and go on: it is raised
        # here instead, for the command to say in one line (its traceback goes to the log).
        process.crawl(crawler, **kwargs).addErrback(failures.append)
    progress = SitesProgress(crawlers) if len(sites) > 1 and verbosity == NORMAL and sys.stderr.isatty() else None
    with tuned_collector(settings.getint("GC_THRESHOLD")):
        process.start()
    if progress:
        progress.close()
    if failures:
        logging.getLogger("warta.crawl_process").error(
            "the crawl could not start", exc_info=(failures[0].type, failures[0].value, failures[0].tb)
        )
        raise failures[0].value
    runs = []
    for site, crawler in zip(sites, crawlers, strict=True):
        stats = crawler.stats.get_stats()
        runs.append(CrawlRun(site, summarise(stats), float(stats.get("warta/elapsed_s") or 0.0), log))
    return runs


class SitesProgress:
    """One live line for a crawl of several sites (each crawler's own line would overwrite the
    others'): sites finished, pages, articles, drops and the rate, on a terminal only."""

    def __init__(self, crawlers: list):
        self.crawlers = crawlers
        self.started = time.monotonic()
        self.ticker = task.LoopingCall(self.show)
        self.ticker.start(1.0, now=False)

    def show(self) -> None:
        summaries = [summarise(c.stats.get_stats()) for c in self.crawlers if c.stats is not None]
        done = sum(1 for c in self.crawlers if not c.crawling)
        pages = sum(s["pages"] for s in summaries)
        articles = sum(s["articles"] for s in summaries)
        dropped = sum(sum(s["dropped"].values()) for s in summaries)
        rate = articles / max(1e-6, time.monotonic() - self.started)
        sys.stderr.write(
            f"\r{len(self.crawlers)} sites ({done} done): {pages} pages, {articles} articles, "
            f"{dropped} dropped, {rate:.1f} articles/s "
        )
        sys.stderr.flush()

    def close(self) -> None:
        if self.ticker.running:
            self.ticker.stop()
        sys.stderr.write("\n")

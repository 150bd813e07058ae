"""Durable staging of articles during a crawl: append-only JSON-lines segments.

A writer holds an exclusive lock on its open segment; the snapshot builder takes only
segments it can lock (finished or crashed writers), so a live crawl is never half-read.
Items are flushed and fsynced every STAGING_FLUSH_ITEMS items or STAGING_FLUSH_SECONDS
seconds and at close: a SIGKILL loses at most that window. A torn last line is skipped
(and counted) by the reader.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from twisted.internet import task

from crawler.article import HEALTH_FIELDS
from pipeline.neardup import sketch_many
from pipeline.seen import SeenStore, seen_path

logger = logging.getLogger(__name__)


def _default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def staging_dir(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / "staging"


class SegmentWriter:
    """Appends JSON lines to `<dir>/<site>/<utc time>-<pid>.jsonl` under an exclusive lock;
    `on_durable(records)` runs after each fsync (the seen-store is written there)."""

    def __init__(self, directory: Path, site: str, flush_items: int = 50, flush_seconds: float = 2.0,
                 on_durable=None):
        self.directory = directory / site
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{os.getpid()}.jsonl"
        self.path = self.directory / name
        self.fh = open(self.path, "ab")
        fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.flush_items = flush_items
        self.flush_seconds = flush_seconds
        self.buffer: list[bytes] = []
        self.pending: list[dict] = []
        self.on_durable = on_durable
        self.last_flush = time.monotonic()
        self.written = 0

    def add(self, record: dict) -> None:
        self.buffer.append(json.dumps(record, default=_default, ensure_ascii=False).encode("utf-8") + b"\n")
        self.pending.append(record)
        if len(self.buffer) >= self.flush_items or time.monotonic() - self.last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.fh.write(b"".join(self.buffer))
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.written += len(self.buffer)
            self.buffer.clear()
            if self.on_durable:
                self.on_durable(self.pending)
            self.pending = []
        self.last_flush = time.monotonic()

    def close(self) -> None:
        self.flush()
        fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
        self.fh.close()
        if self.written == 0:
            self.path.unlink(missing_ok=True)


def locked_segments(directory: Path) -> Iterator[tuple[Path, object]]:
    """Finished segments (not held by a live writer), each yielded with its lock held."""
    for path in sorted(directory.glob("*/*.jsonl")):
        fh = open(path, "rb")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            continue
        yield path, fh


def read_segment(fh) -> Iterator[dict | None]:
    """Records of a segment; None for a line that does not parse (a write torn by a crash)."""
    fh.seek(0)
    for line in fh:
        try:
            yield json.loads(line)
        except ValueError:
            yield None


class StagingPipeline:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.directory = staging_dir(settings.get("WARTA_DATA_DIR", "data"))
        self.flush_items = settings.getint("STAGING_FLUSH_ITEMS", 50)
        self.flush_seconds = settings.getfloat("STAGING_FLUSH_SECONDS", 2.0)
        self.writer: SegmentWriter | None = None
        self.seen = SeenStore(seen_path(settings.get("WARTA_DATA_DIR", "data"))) \
            if settings.getbool("DEDUP_SEEN_ENABLED", True) else None
        self._timer = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.writer = SegmentWriter(self.directory, self.crawler.spider.name, self.flush_items, self.flush_seconds,
                                    self._remember)
        self._timer = task.LoopingCall(self.writer.flush)
        self._timer.start(self.flush_seconds, now=False)

    def _remember(self, records: list[dict]) -> None:
        if self.seen and records:
            signatures = sketch_many([r["body"] for r in records])
            for site in {r["site"] for r in records}:
                self.seen.record_many(site, [(r, sig) for r, sig in zip(records, signatures) if r["site"] == site])

    def process_item(self, item):
        self.writer.add(item)
        stats = self.crawler.stats
        stats.inc_value("warta/staged")
        for name in HEALTH_FIELDS:  # fill rates: the scheduler's layout-change alarm
            if item.get(name):
                stats.inc_value(f"warta/filled/{name}")
        return item

    def close_spider(self):
        if self._timer and self._timer.running:
            self._timer.stop()
        if self.writer:
            self.writer.close()
            logger.info("staged %d articles in %s", self.writer.written, self.writer.path)
        if self.seen:
            self.seen.close()

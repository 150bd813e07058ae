"""Durable staging of articles during a crawl: append-only JSON-lines segments.

A writer holds an exclusive lock on its open segment; the snapshot builder takes only
segments it can lock (finished or crashed writers), so a live crawl is never half-read.
Items are flushed and fsynced every STAGING_FLUSH_ITEMS items or STAGING_FLUSH_SECONDS
seconds and at close: a SIGKILL loses at most that window. A torn last line is skipped
(and counted) by the reader.

On an object store (`s3://...` data dir) every flush is its own object, written with one PUT:
objects are immutable and whole once visible, so the builder takes every one it lists.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from twisted.internet import task

from crawler.extract.article import HEALTH_FIELDS
from pipeline.items import ArticleItem
from pipeline.signals import articles_staged
from pipeline.storage import RemoteDir, is_remote

logger = logging.getLogger(__name__)


def _default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def staging_dir(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / "staging"


def encode(article: dict) -> bytes:
    return json.dumps(article, default=_default, ensure_ascii=False).encode("utf-8") + b"\n"


def segment_name() -> str:
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{socket.gethostname()}-{os.getpid()}"


class _BufferedWriter:
    """Buffers records until `flush()`, which is `due` every `flush_items` items or
    `flush_seconds` seconds; `on_durable(items)` runs once they are durable (the staging
    pipeline announces them there)."""

    def __init__(self, flush_items: int = 50, flush_seconds: float = 2.0, on_durable=None):
        self.flush_items = flush_items
        self.flush_seconds = flush_seconds
        self.buffer: list[bytes] = []
        self.pending: list[dict] = []
        self.on_durable = on_durable
        self.last_flush = time.monotonic()
        self.written = 0

    def add(self, record: dict, item=None) -> None:
        """Buffers `record`; `item` (what it was made from) is handed to `on_durable`."""
        self.buffer.append(encode(record))
        self.pending.append(item if item is not None else record)

    @property
    def due(self) -> bool:
        return len(self.buffer) >= self.flush_items or time.monotonic() - self.last_flush >= self.flush_seconds

    def flush(self) -> None:
        if self.buffer:
            self._write(b"".join(self.buffer))
            self.written += len(self.buffer)
            self.buffer.clear()
            if self.on_durable:
                self.on_durable(self.pending)
            self.pending = []
        self.last_flush = time.monotonic()

    def _write(self, data: bytes) -> None:
        raise NotImplementedError


class SegmentWriter(_BufferedWriter):
    """Appends JSON lines to `<dir>/<site>/<utc time>-<host>-<pid>.jsonl` under an exclusive lock."""

    def __init__(self, directory: Path, site: str, flush_items: int = 50, flush_seconds: float = 2.0,
                 on_durable=None):
        super().__init__(flush_items, flush_seconds, on_durable)
        self.directory = directory / site
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / f"{segment_name()}.jsonl"
        self.fh = open(self.path, "ab")
        fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _write(self, data: bytes) -> None:
        self.fh.write(data)
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def close(self) -> None:
        self.flush()
        fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
        self.fh.close()
        if self.written == 0:
            self.path.unlink(missing_ok=True)


class ObjectSegmentWriter(_BufferedWriter):
    """The object-store writer: each flush is one object `staging/<site>/<name>-<n>.jsonl`."""

    def __init__(self, remote: RemoteDir, site: str, flush_items: int = 50, flush_seconds: float = 2.0,
                 on_durable=None):
        super().__init__(flush_items, flush_seconds, on_durable)
        self.remote = remote
        self.prefix = remote.path("staging", site, segment_name())
        self.path = f"{remote.url}/staging/{site}/"
        self.objects = 0

    def _write(self, data: bytes) -> None:
        self.objects += 1
        self.remote.put_bytes(f"{self.prefix}-{self.objects:06d}.jsonl", data)

    def close(self) -> None:
        self.flush()


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


class LocalSegment:
    """A finished local segment, held locked until `release`."""

    def __init__(self, path: Path, fh):
        self.path = path
        self.fh = fh

    def records(self) -> Iterator[dict | None]:
        return read_segment(self.fh)

    def remove(self) -> None:
        self.path.unlink()

    def release(self) -> None:
        self.fh.close()


def staged_segments(data_dir: str | os.PathLike) -> Iterator:
    """The finished segments of a data dir, local or on an object store."""
    if is_remote(data_dir):
        from pipeline.objects import object_segments
        yield from object_segments(RemoteDir(str(data_dir)))
    else:
        for path, fh in locked_segments(staging_dir(data_dir)):
            yield LocalSegment(path, fh)


class StagingPipeline:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.data_dir = settings.get("WARTA_DATA_DIR", "data")
        self.flush_items = settings.getint("STAGING_FLUSH_ITEMS", 50)
        self.flush_seconds = settings.getfloat("STAGING_FLUSH_SECONDS", 2.0)
        self.writer: _BufferedWriter | None = None
        self._timer = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        site = self.crawler.spider.name
        if is_remote(self.data_dir):
            self.writer = ObjectSegmentWriter(RemoteDir(self.data_dir), site, self.flush_items, self.flush_seconds,
                                              self._announce)
        else:
            self.writer = SegmentWriter(staging_dir(self.data_dir), site, self.flush_items, self.flush_seconds,
                                        self._announce)
        self._timer = task.LoopingCall(self._flush)
        self._timer.start(self.flush_seconds, now=False)

    def _flush(self) -> None:
        """The crawl's only flush path (per item and on the timer). A failed write (object store
        unreachable, disk full) keeps the buffer for the next attempt; nothing is acknowledged
        or marked seen before it is written."""
        try:
            self.writer.flush()
        except OSError:
            self.crawler.stats.inc_value("warta/staging/write_errors")
            logger.exception("staging write failed; %d articles kept for the next attempt", len(self.writer.buffer))

    def _announce(self, items: list[ArticleItem]) -> None:
        if items:
            self.crawler.signals.send_catch_log(articles_staged, items=items)

    def process_item(self, item: ArticleItem):
        article = dict(vars(item.article))
        self.writer.add(article, item)
        if self.writer.due:
            self._flush()
        stats = self.crawler.stats
        stats.inc_value("warta/staged")
        for name in HEALTH_FIELDS:  # fill rates: the scheduler's layout-change alarm
            if article[name]:
                stats.inc_value(f"warta/filled/{name}")
        return article  # feed exports and signal receivers get the article alone

    def close_spider(self):
        if self._timer and self._timer.running:
            self._timer.stop()
        if self.writer:
            self.writer.close()
            logger.info("staged %d articles in %s", self.writer.written, self.writer.path)

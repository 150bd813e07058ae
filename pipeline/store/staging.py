"""Staging segments: append-only JSON-lines files of articles, written durably during a crawl.

A writer holds its open segment (the store's `appender(lock=True)`); the snapshot builder
takes only segments no writer holds (the store's `claim`: finished or crashed writers), so a
live crawl is never half-read. Items are flushed and fsynced every STAGING_FLUSH_ITEMS items
or STAGING_FLUSH_SECONDS seconds and at close: a SIGKILL loses at most that window. A torn
last line is skipped (and counted) by the reader. On an object store every flush is its own
object, whole once visible (see `pipeline.store.backends`).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from datetime import datetime, timezone

from pipeline.store.backends import Claimed
from pipeline.store.datadir import DataDir

logger = logging.getLogger(__name__)


def _default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def encode(article: dict) -> bytes:
    return json.dumps(article, default=_default, ensure_ascii=False).encode("utf-8") + b"\n"


def segment_name() -> str:
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{socket.gethostname()}-{os.getpid()}"


class BufferedWriter:
    """Buffers records until `flush()`, which is `due` every `flush_items` items or
    `flush_seconds` seconds; `on_durable(items)` runs once they are durable (the staging
    pipeline announces them there)."""

    def __init__(self, flush_items: int, flush_seconds: float, on_durable=None):
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


class SegmentWriter(BufferedWriter):
    """One writer's staged articles, `staging/<site>/<utc time>-<host>-<pid>.jsonl`, appended
    through the data dir's store: locally one file, locked while it is written (the builder
    passes it by) and cut back when a write fails; on an object store one object per flush."""

    def __init__(
        self,
        data_dir: "str | os.PathLike | DataDir",
        site: str,
        flush_items: int,
        flush_seconds: float,
        on_durable=None,
    ):
        super().__init__(flush_items, flush_seconds, on_durable)
        data_dir = DataDir.of(data_dir)
        key = f"{DataDir.staging(site)}/{segment_name()}.jsonl"
        self.appender = data_dir.store.appender(key, lock=True)
        self.path = data_dir.store.path(key)

    def _write(self, data: bytes) -> None:
        self.appender.append(data)

    def close(self) -> None:
        """Flushes what is buffered (an OSError still closes the segment, then propagates)."""
        try:
            self.flush()
        finally:
            self.appender.close()


class Segment:
    """A finished segment taken by the snapshot build: its records, then removal once consumed."""

    def __init__(self, claimed: Claimed):
        self.claimed = claimed
        self.path = claimed.key

    def records(self) -> Iterator[dict | None]:
        """Records of the segment; None for a line that does not parse (a write torn by a crash)."""
        for line in self.claimed.lines():
            try:
                yield json.loads(line)
            except ValueError:
                yield None

    def remove(self) -> None:
        self.claimed.remove()

    def release(self) -> None:
        self.claimed.release()


def staged_segments(data_dir: "str | os.PathLike | DataDir") -> Iterator[Segment]:
    """The finished segments of a data dir (none a live writer holds)."""
    for claimed in DataDir.of(data_dir).store.claim(f"{DataDir.staging()}/*.jsonl"):
        yield Segment(claimed)


def open_writer(
    data_dir: "str | os.PathLike | DataDir", site: str, flush_items: int, flush_seconds: float, on_durable=None
) -> SegmentWriter:
    """A segment writer for `site`."""
    return SegmentWriter(data_dir, site, flush_items, flush_seconds, on_durable)

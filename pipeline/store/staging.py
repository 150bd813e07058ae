"""Staging segments: append-only JSON-lines files of articles, written durably during a crawl.

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
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from pipeline.store.backends import ObjectStore
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
    """Appends JSON lines to `staging/<site>/<utc time>-<host>-<pid>.jsonl` under an exclusive lock."""

    def __init__(self, directory: Path, site: str, flush_items: int, flush_seconds: float, on_durable=None):
        super().__init__(flush_items, flush_seconds, on_durable)
        self.directory = directory / DataDir.staging(site)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / f"{segment_name()}.jsonl"
        self.fh = open(self.path, "ab", buffering=0)  # written with os.write: nothing buffered here
        fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _write(self, data: bytes) -> None:
        """Append `data` whole, or leave the file as it was: a write that fails part-way (disk
        full) is cut back off, so no reader meets half a line, and the retry of the same
        records does not follow a torn copy of them."""
        fd = self.fh.fileno()
        start = os.lseek(fd, 0, os.SEEK_END)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError:
            try:
                os.ftruncate(fd, start)
            except OSError:
                logger.exception("could not cut a failed write back off %s", self.path)
            raise

    def close(self) -> None:
        """Flushes what is buffered (an OSError still closes the file, then propagates)."""
        try:
            self.flush()
        finally:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
            self.fh.close()
            if self.written == 0:
                self.path.unlink(missing_ok=True)


class ObjectSegmentWriter(BufferedWriter):
    """The object-store writer: each flush is one object `staging/<site>/<name>-<n>.jsonl`."""

    def __init__(self, store: ObjectStore, site: str, flush_items: int, flush_seconds: float, on_durable=None):
        super().__init__(flush_items, flush_seconds, on_durable)
        self.store = store
        self.prefix = f"{DataDir.staging(site)}/{segment_name()}"
        self.path = f"{store.url}/{DataDir.staging(site)}/"
        self.objects = 0

    def _write(self, data: bytes) -> None:
        self.objects += 1
        self.store.put(f"{self.prefix}-{self.objects:06d}.jsonl", data)

    def close(self) -> None:
        self.flush()


def locked_segments(root: Path) -> Iterator[tuple[Path, object]]:
    """Finished segments under `root` (not held by a live writer), each yielded with its lock held."""
    for path in sorted(root.glob(f"{DataDir.staging()}/*.jsonl")):
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


class ObjectSegment:
    """One staging object: its records, then removal once consumed."""

    def __init__(self, store: ObjectStore, key: str):
        self.store = store
        self.path = key

    def records(self) -> Iterator[dict | None]:
        for line in self.store.read_bytes(self.path).splitlines():
            try:
                yield json.loads(line)
            except ValueError:
                yield None

    def remove(self) -> None:
        self.store.remove(self.path)

    def release(self) -> None:
        pass


def staged_segments(data_dir: "str | DataDir") -> Iterator:
    """The finished segments of a data dir, local or on an object store."""
    data_dir = DataDir.of(data_dir)
    if data_dir.remote:
        for key in data_dir.store.list(f"{DataDir.staging()}/*.jsonl"):
            yield ObjectSegment(data_dir.store, key)
    else:
        for path, fh in locked_segments(data_dir.local):
            yield LocalSegment(path, fh)


def open_writer(
    data_dir: "str | DataDir", site: str, flush_items: int, flush_seconds: float, on_durable=None
) -> BufferedWriter:
    """A segment writer for `site`: appending to a locked local file, or one object per flush."""
    data_dir = DataDir.of(data_dir)
    if data_dir.remote:
        return ObjectSegmentWriter(data_dir.store, site, flush_items, flush_seconds, on_durable)
    return SegmentWriter(data_dir.local, site, flush_items, flush_seconds, on_durable)

"""The raw archive: every article response a crawl fetched, as WARC files (warcio).

    DATA/raw/site=<site>/<YYYY-MM-DD>/<utc time>-<host>-<pid>[-<n>].warc.gz

One gzip member per record (any WARC tool can seek to a record and read it alone). Records are
buffered like staging and written at staging's flush point, before the staged lines, so an
article is never staged without its raw record; locally a file is appended and fsynced and
rotated by size and fetch day (UTC), on an object store each flush is one object. Custom
headers keep what a re-parse needs: `WARC-Warta-Article-Id`, `WARC-Warta-Canonical` (the
article's URL on the site's origin) and `WARC-Warta-Mirror` (the base URL it was fetched from).

The index of the records (article id -> file and offset) is `pipeline.store.raw_index`; reading a
record back, whole or not at all, is `pipeline.store.warc_records`.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC

from zlib_ng import zlib_ng

from pipeline.items import FetchedPage
from pipeline.store.datadir import DataDir
from pipeline.store.staging import segment_name
from pipeline.store.warc_records import (
    ARTICLE_ID,
    CANONICAL,
    MIRROR,
    RawPage,
    iter_file,
    read_record,
)

logger = logging.getLogger(__name__)

REASONS = {200: "OK", 203: "Non-Authoritative Information"}
# Scrapy hands over the body already de-chunked and decompressed: headers that describe the
# bytes on the wire would make WARC readers decode it a second time, so they are kept renamed.
WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def _digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def warc_record(page: FetchedPage, mirror: str | None) -> bytes:
    """One gzip-compressed WARC/1.0 response record for `page` (one gzip member): written
    directly, as warcio writes it (the tests read every file back with warcio), at a fraction
    of its cost per record, which a crawl pays for every article."""
    status = f"{page.status} {REASONS.get(page.status, 'OK')}"
    lines = [f"HTTP/1.1 {status}"]
    lines += [
        f"{'X-Warta-Original-' + name if name in WIRE_HEADERS else name}: {value}"
        for name, values in page.headers.items()
        for value in values
    ]
    lines.append(f"Content-Length: {len(page.body)}")
    http = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "replace")
    block = http + page.body
    headers = [
        ("WARC-Type", "response"),
        ("WARC-Record-ID", f"<urn:uuid:{uuid.uuid4()}>"),
        ("WARC-Date", page.fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
        ("WARC-Target-URI", page.url),
        (ARTICLE_ID, page.article_id or ""),
        (CANONICAL, page.canonical),
        *([(MIRROR, mirror)] if mirror else []),
        ("WARC-Payload-Digest", _digest(page.body)),
        ("WARC-Block-Digest", _digest(block)),
        ("Content-Type", "application/http; msgtype=response"),
        ("Content-Length", str(len(block))),
    ]
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    # zlib-ng at zlib's level 6: files of the same size (within 1%) in half the time, and any
    # gzip reader (warcio, zcat) reads them.
    gzip = zlib_ng.compressobj(6, zlib_ng.DEFLATED, 31)
    return gzip.compress(head.encode("utf-8") + block + b"\r\n\r\n") + gzip.flush()


def read_at(data_dir: DataDir, key: str, offset: int, length: int) -> RawPage:
    """One record, read by its place (the index's answer); `UnusableRecord` unless it reads
    back whole, FileNotFoundError when its file is gone."""
    with data_dir.store.open(key) as fh:
        fh.seek(offset)
        return read_record(fh.read(length), key, offset)


def archive_files(data_dir: DataDir, site: str = "*") -> list[str]:
    return data_dir.store.list(f"{DataDir.raw(site)}/*/*.warc.gz")


def iter_archive(data_dir: DataDir, site: str = "*") -> Iterator[RawPage]:
    """Every archived response of `site` (all sites by default), file by file."""
    for key in archive_files(data_dir, site):
        yield from iter_archive_key(data_dir, key)


def iter_archive_key(data_dir: DataDir, key: str, damaged: list[tuple[int, str]] | None = None) -> Iterator[RawPage]:
    """The whole response records of one file (damaged ones skipped: see `iter_file`)."""
    with data_dir.store.open(key) as fh:
        yield from iter_file(fh, key, damaged)


class RawWriter:
    """Buffers WARC records; `flush()` makes them durable and returns where they went. Each
    file, `raw/site=<site>/<fetch day (UTC)>/<name>-<n>.warc.gz`, is appended through the data
    dir's store (`pipeline.store.backends`), and a new one begun on a new day or past
    `max_bytes`."""

    def __init__(self, data_dir: DataDir, site: str, max_bytes: int):
        self.data_dir = data_dir
        self.site = site
        self.max_bytes = max_bytes
        self.buffer: list[tuple[FetchedPage, bytes]] = []
        self.name = segment_name()
        self.parts = 0
        self.appender = None
        self.day = None
        self.written = 0
        self.sizes: dict[str, int] = {}  # bytes in each file written to

    def add(self, page: FetchedPage, record: bytes) -> None:
        """`page` with its record (`warc_record`, built beside the parse in the parse worker)."""
        self.buffer.append((page, record))

    def _target(self, day: str, size: int):
        """The appender to write to: a new file on a new day or past the size limit."""
        if self.appender is None or day != self.day or self.appender.size + size > self.max_bytes:
            self.close()
            self.parts += 1
            self.day = day
            key = f"{DataDir.raw(self.site)}/{day}/{self.name}-{self.parts:04d}.warc.gz"
            self.appender = self.data_dir.store.appender(key)
        return self.appender

    def flush(self) -> list[tuple[str, str, str, int, int]]:
        """Write the buffer; (article id, fetched_at, key, offset, length) of what was written.
        A failed write (OSError) leaves no torn record and keeps the buffer."""
        if not self.buffer:
            return []
        placed = []
        by_day: dict[str, list[tuple[FetchedPage, bytes]]] = {}
        for page, record in self.buffer:
            by_day.setdefault(page.fetched_at.astimezone(UTC).strftime("%Y-%m-%d"), []).append((page, record))
        for day, batch in by_day.items():
            data = b"".join(record for _, record in batch)
            key, offset = self._target(day, len(data)).append(data)
            self.sizes[key] = offset + len(data)
            for page, record in batch:
                placed.append((page.article_id or "", page.fetched_at.isoformat(), key, offset, len(record)))
                offset += len(record)
        self.written += len(self.buffer)
        self.buffer.clear()
        return placed

    def close(self) -> None:
        if self.appender is not None:
            self.appender.close()
            self.appender = None

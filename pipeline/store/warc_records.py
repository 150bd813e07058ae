"""Reading archived WARC records back, whole or not at all.

A record is used only when it reads back whole: its gzip member ends properly, its block is
as long as its `Content-Length` says, and its `WARC-Block-Digest` (or, without one, its
`WARC-Payload-Digest`) matches. warta writes both digests (sha1, base32); another tool's
record without digests must still pass the first two checks. Anything else raises
`UnusableRecord` (counted as `damaged_record`): a cut-off body parses into a shorter article,
and such an article must never replace a published one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from pipeline.items import FetchedPage

logger = logging.getLogger(__name__)

ARTICLE_ID, CANONICAL, MIRROR = "WARC-Warta-Article-Id", "WARC-Warta-Canonical", "WARC-Warta-Mirror"
GZIP_MAGIC = b"\x1f\x8b\x08"
# An inflated record beyond this is not one of ours (pages are capped at 8 MiB): not used, and
# not inflated into memory either.
MAX_RECORD_BYTES = 64 * 1024 * 1024
READ_SIZE = 1024 * 1024
FEED_SIZE = 64 * 1024
DIGESTS = {"sha1", "sha256", "sha512", "md5"}


class UnusableRecord(ValueError):
    """An archived record that cannot be used; `reason` is what reports count it as."""

    def __init__(self, detail: str, reason: str = "damaged_record"):
        super().__init__(detail)
        self.reason = reason


class NotAResponse(ValueError):
    """A whole record of another type (warcinfo, request...): skipped, not damage."""


@dataclass(frozen=True)
class RawPage:
    """An archived response, with where it lies."""

    page: FetchedPage
    mirror: str | None
    key: str
    offset: int
    length: int


def digest_matches(value: str, data: bytes) -> bool | None:
    """Whether a WARC digest (`sha1:BASE32`, or base16/base64 as other tools write) is that
    of `data`; None when it cannot be checked (an algorithm or encoding we do not know)."""
    algo, _, encoded = value.strip().partition(":")
    algo = algo.lower().replace("-", "")
    if algo not in DIGESTS:
        return None
    actual = hashlib.new(algo, data).digest()
    encoded = encoded.strip()
    for decode in (
        lambda v: base64.b32decode(v, casefold=True),
        bytes.fromhex,
        lambda v: base64.b64decode(v, validate=True),
    ):
        try:
            decoded = decode(encoded)
        except (binascii.Error, ValueError):
            continue
        if len(decoded) == len(actual):
            return decoded == actual
    return None


def inflate(chunk: bytes) -> bytes:
    """The record in one gzip member, which must end properly."""
    inflater = zlib.decompressobj(31)
    try:
        data = inflater.decompress(chunk, MAX_RECORD_BYTES)
    except zlib.error as exc:
        raise UnusableRecord(f"not a whole gzip member ({exc})") from None
    if not inflater.eof:
        too_large = bool(inflater.unconsumed_tail)
        raise UnusableRecord("record over 64 MiB" if too_large else "gzip member cut short")
    return data


def _block(head: dict[str, str], rest: bytes) -> bytes:
    """The record's block, checked against its length and digests."""
    try:
        length = int(head["content-length"])
    except (KeyError, ValueError):
        raise UnusableRecord("no Content-Length") from None
    if len(rest) < length:
        raise UnusableRecord(f"block cut short ({len(rest)} of {length} bytes)")
    block = rest[:length]
    if block_digest := head.get("warc-block-digest"):
        if digest_matches(block_digest, block) is False:
            raise UnusableRecord("block digest differs")
    elif payload_digest := head.get("warc-payload-digest"):
        _, sep, payload = block.partition(b"\r\n\r\n")
        if sep and digest_matches(payload_digest, payload) is False:
            raise UnusableRecord("payload digest differs")
    return block


def _warc_head(data: bytes) -> tuple[dict[str, str], bytes]:
    """The WARC header's fields (names in lower case: they are case-insensitive) and the rest."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    if not sep or not lines[0].startswith("WARC/"):
        raise UnusableRecord("no WARC header")
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return fields, rest


def parse_record(data: bytes, key: str, offset: int, length: int) -> RawPage:
    """One inflated record, checked whole (`UnusableRecord`) and read. Records warta wrote are
    read directly, several times faster than a general WARC reader; another tool's (an encoded
    or chunked body) goes through warcio, once it is known whole."""
    head, rest = _warc_head(data)
    block = _block(head, rest)
    if head.get("warc-type") != "response":
        raise NotAResponse(head.get("warc-type") or "no WARC-Type")
    http_head, _, body = block.partition(b"\r\n\r\n")
    http_lines = http_head.decode("iso-8859-1").split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in http_lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    foreign = "content-encoding" in headers or "transfer-encoding" in headers
    try:
        if foreign or "http" not in head.get("content-type", "application/http"):
            return _through_warcio(data, key, offset, length)
        page = FetchedPage(
            head["warc-target-uri"],
            head.get(CANONICAL.lower(), ""),
            int(http_lines[0].split(" ", 2)[1]),
            body,
            datetime.fromisoformat(head["warc-date"].replace("Z", "+00:00")),
            headers,
            article_id=head.get(ARTICLE_ID.lower()) or None,
        )
    except (KeyError, IndexError, ValueError) as exc:
        raise UnusableRecord(f"not a readable response ({type(exc).__name__}: {exc})") from None
    return RawPage(page, head.get(MIRROR.lower()), key, offset, length)


def _through_warcio(data: bytes, key: str, offset: int, length: int) -> RawPage:
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            headers = record.rec_headers
            http = {}
            for name, value in record.http_headers.headers:
                http.setdefault(name.lower(), []).append(value)
            page = FetchedPage(
                headers.get_header("WARC-Target-URI"),
                headers.get_header(CANONICAL) or "",
                int(record.http_headers.get_statuscode() or 0),
                record.content_stream().read(),
                datetime.fromisoformat(headers.get_header("WARC-Date").replace("Z", "+00:00")),
                http,
                article_id=headers.get_header(ARTICLE_ID) or None,
            )
            return RawPage(page, headers.get_header(MIRROR), key, offset, length)
    except (ArchiveLoadFailed, EOFError, OSError, ValueError, AttributeError, TypeError) as exc:
        raise UnusableRecord(f"warcio cannot read it ({type(exc).__name__}: {exc})") from None
    raise UnusableRecord("warcio found no record")


def read_record(chunk: bytes, key: str, offset: int) -> RawPage:
    """The response record whose gzip member is `chunk` (read at the index's place)."""
    if not chunk:
        raise UnusableRecord("nothing there (the file is shorter)")
    try:
        return parse_record(inflate(chunk), key, offset, len(chunk))
    except NotAResponse as exc:  # the index holds responses only: the file changed under it
        raise UnusableRecord(f"a {exc} record, not a response") from None


def _inflate_member(inflater, data: bytes, out: list[bytes], size: int) -> int:
    """Feed `data` to the member's inflater, keeping at most MAX_RECORD_BYTES of output (a
    larger member is followed to its end but not kept); returns the bytes inflated so far."""
    while data and not inflater.eof:
        piece = inflater.decompress(data, READ_SIZE)
        size += len(piece)
        if size <= MAX_RECORD_BYTES:
            out.append(piece)
        else:
            out.clear()
        data = inflater.unconsumed_tail
    return size


class _Window:
    """A stream read in blocks, addressed by file offset; keeps what the caller still needs."""

    def __init__(self, stream):
        self.stream = stream
        self.data = b""
        self.base = 0  # file offset of data[0]

    @property
    def end(self) -> int:
        return self.base + len(self.data)

    def more(self, keep: int) -> bool:
        """Read the next block, dropping what lies before offset `keep`; False at the end."""
        block = self.stream.read(READ_SIZE)
        if block:
            self.data = self.data[keep - self.base :] + block
            self.base = keep
        return bool(block)

    def view(self, start: int, size: int) -> memoryview:
        return memoryview(self.data)[start - self.base : start - self.base + size]

    def find(self, needle: bytes, start: int) -> int:
        found = self.data.find(needle, start - self.base)
        return -1 if found < 0 else self.base + found


def _members(stream) -> Iterator[tuple[int, int, bytes | UnusableRecord]]:
    """(offset, length, inflated record or why not) of each gzip member of a stream. A damaged
    member is skipped up to the next gzip header, so one bad record costs only itself. Input is
    fed in small pieces: zlib copies what it does not use, which must stay small."""
    window, start = _Window(stream), 0
    while start < window.end or window.more(start):
        inflater, out, size, pos = zlib.decompressobj(31), [], 0, start
        problem: UnusableRecord | None = None
        while not inflater.eof:
            if pos >= window.end and not window.more(start):
                problem = UnusableRecord("gzip member cut short (the file ends inside it)")
                break
            piece = window.view(pos, FEED_SIZE)
            try:
                size = _inflate_member(inflater, piece, out, size)
            except zlib.error as exc:
                problem = UnusableRecord(f"not a whole gzip member ({exc})")
                break
            pos += len(piece) - len(inflater.unused_data)
        if problem is None:
            too_large = size > MAX_RECORD_BYTES
            yield start, pos - start, UnusableRecord("record over 64 MiB") if too_large else b"".join(out)
            start = pos
            continue
        # Damaged: go on at the next gzip header after this member's start.
        found, searched = window.find(GZIP_MAGIC, start + 1), start + 1
        while found < 0 and window.more(start):
            searched = max(searched, window.end - READ_SIZE - len(GZIP_MAGIC))
            found = window.find(GZIP_MAGIC, searched)
        if found < 0:
            yield start, window.end - start, problem
            return
        yield start, found - start, problem
        start = found


def _plain_records(data: bytes) -> Iterator[tuple[int, int, bytes | UnusableRecord]]:
    """(offset, length, record or why not) of each record of an uncompressed WARC file."""
    offset = 0
    while offset < len(data):
        while data[offset : offset + 2] == b"\r\n":
            offset += 2
        if offset >= len(data):
            return
        end = data.find(b"\r\n\r\n", offset)
        try:
            head, _ = _warc_head(data[offset : end + 4] if end >= 0 else b"")
            length = end + 4 - offset + int(head["Content-Length"])
        except (UnusableRecord, KeyError, ValueError):
            yield offset, len(data) - offset, UnusableRecord("no WARC header where a record should start")
            return
        if offset + length > len(data):
            yield offset, len(data) - offset, UnusableRecord("record cut short (the file ends inside it)")
            return
        yield offset, length, data[offset : offset + length]
        offset += length


def iter_file(
    data: "io.BufferedIOBase | bytes", key: str, damaged: list[tuple[int, str]] | None = None
) -> Iterator[RawPage]:
    """The whole response records of one WARC file (gzip per record, or uncompressed). The
    damaged ones are skipped: put in `damaged` as (offset, why) when given, else logged in
    one line for the file."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    plain = stream.read(5) == b"WARC/"
    stream.seek(0)
    records = _plain_records(stream.read()) if plain else _members(stream)
    found: list[tuple[int, str]] = [] if damaged is None else damaged
    for offset, length, record in records:
        try:
            if isinstance(record, UnusableRecord):
                raise record
            yield parse_record(record, key, offset, length)
        except NotAResponse:
            continue
        except UnusableRecord as exc:
            found.append((offset, str(exc)))
    if found and damaged is None:
        logger.warning("raw archive: %s: %d damaged records skipped (first at %d: %s)", key, len(found), *found[0])

"""Pure readers of discovery documents: robots.txt, sitemaps, RSS/Atom feeds, listing pages.

Scrapy's SitemapSpider drops the `news:*` children of news sitemaps, so sitemaps are read
here, keeping the publication date for date-range filtering before any article request.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from lxml import etree

from extract.bounds import MAX_TAGS, PageTooComplex
from extract.dates import parse_iso, parse_rfc822

MAX_XML_BYTES = 50 * 1024 * 1024  # the sitemap protocol's limit, uncompressed
_DAY_IN_URL = re.compile(r"(\d{4})[-/](\d{2})[-/](\d{2})")


@dataclass(frozen=True)
class Entry:
    url: str
    published: datetime | None = None  # news:publication_date / pubDate
    modified: datetime | None = None  # lastmod


class Sitemap(NamedTuple):
    kind: str  # "index" (a sitemap index), "urlset" (a sitemap) or "invalid"
    entries: list[Entry]
    cut: bool = False  # gzip-compressed beyond the size cap: only its beginning was read


def robots_sitemaps(text: str) -> list[str]:
    return [
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.lower().startswith("sitemap:") and line.split(":", 1)[1].strip()
    ]


def _xml(body: bytes):
    body, _cut = _gunzipped(body)  # a feed: its cap on the wire is far below this one
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(body.strip(), parser)
    except etree.XMLSyntaxError:
        return None


def _child(el, name: str) -> str | None:
    for child in el.iter():
        if isinstance(child.tag, str) and etree.QName(child).localname == name and child.text:
            return child.text.strip()
    return None


def _gunzipped(body: bytes, max_bytes: int = MAX_XML_BYTES) -> tuple[bytes, bool]:
    """The body, decompressed if gzip, at most `max_bytes` (0: the protocol's limit); and
    whether it was longer. A stream that breaks off (a truncated or corrupt file) gives what
    came before the break."""
    if body[:2] != b"\x1f\x8b":
        return body, False
    limit = max_bytes if max_bytes > 0 else MAX_XML_BYTES
    out, rest = bytearray(), body
    try:
        while rest[:2] == b"\x1f\x8b" and len(out) <= limit:  # gzip members, one after another
            stream = zlib.decompressobj(wbits=31)
            out += stream.decompress(rest, limit + 1 - len(out))
            if not stream.eof:
                break  # the cap reached, or the file ends mid-stream
            rest = stream.unused_data
    except zlib.error:
        pass
    return bytes(out[:limit]), len(out) > limit


def read_sitemap(body: bytes, limit: int | None = None, max_bytes: int = MAX_XML_BYTES) -> Sitemap:
    """The kind and entries of a sitemap index or a sitemap, `("invalid", [])` for anything else.

    Read as a stream, each entry dropped once read: memory follows the entries kept, not the
    file (a hostile sitemap may list millions; only `limit` are read). A gzip file is read up
    to `max_bytes` decompressed (a small file may inflate without end); `cut` tells."""
    xml, cut = _gunzipped(body, max_bytes)
    events = etree.iterparse(
        io.BytesIO(xml.strip()),
        events=("start", "end"),
        recover=True,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
    )
    kind, wanted, root, entries = None, None, None, []
    try:
        for event, el in events:
            if not isinstance(el.tag, str):
                continue
            if root is None:  # the first start: what kind of document this is
                root, kind = el, etree.QName(el).localname
                wanted = {"sitemapindex": "sitemap", "urlset": "url"}.get(kind)
                if not wanted:
                    return Sitemap("invalid", [])
                continue
            if event != "end" or el.getparent() is not root or etree.QName(el).localname != wanted:
                continue
            if loc := _child(el, "loc"):
                entries.append(Entry(loc, parse_iso(_child(el, "publication_date")), parse_iso(_child(el, "lastmod"))))
            el.clear()
            while el.getprevious() is not None:  # entries already read: free them
                del root[0]
            if limit is not None and len(entries) >= limit:
                break
    except etree.XMLSyntaxError:
        if root is None:
            return Sitemap("invalid", [], cut)
    if root is None:
        return Sitemap("invalid", [], cut)
    return Sitemap("index" if kind == "sitemapindex" else "urlset", entries, cut)


def read_feed(body: bytes) -> list[Entry]:
    """Items of an RSS 2.0 or Atom feed."""
    root = _xml(body)
    if root is None or not isinstance(root.tag, str):
        return []
    entries = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname
        if name == "item":
            link = _child(el, "link") or _child(el, "guid")
            if link:
                entries.append(Entry(link, parse_rfc822(_child(el, "pubDate")) or parse_iso(_child(el, "date"))))
        elif name == "entry":
            links = [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == "link"]
            href = next((c.get("href") for c in links if c.get("rel", "alternate") == "alternate"), None)
            if href:
                entries.append(Entry(href, parse_iso(_child(el, "published") or _child(el, "updated"))))
    return entries


class _Links:
    """A parser target that keeps the hrefs of a page's links as libxml2 reads them, with no
    tree: a tree costs the square of an element's attributes (200,000 took 95 s) and ~300
    bytes an element, and the crawl's own thread reads these pages."""

    def __init__(self):
        self.hrefs: list[str] = []  # of every <a> with an href, in page order
        self.next: str | None = None  # the first <link> or <a> with rel="next"
        self.elements = 0

    def start(self, tag, attrib):
        self.elements += 1
        if self.elements > MAX_TAGS:
            raise PageTooComplex(f"over {MAX_TAGS:,} elements")  # libxml2 stops at once
        if tag == "a" or tag == "link":
            href = attrib.get("href")
            if href is not None and tag == "a":
                self.hrefs.append(href)
            if self.next is None and href and "next" in (attrib.get("rel") or "").lower().split():
                self.next = href

    def close(self):
        return self


def read_links(body: bytes, encoding: str | None = None, huge_tree: bool = False) -> _Links:
    """The links of an HTML page; raises PageTooComplex for a page of over MAX_TAGS elements."""
    parser = etree.HTMLParser(target=_Links(), encoding=encoding, huge_tree=huge_tree, no_network=True)
    try:
        return etree.fromstring(body, parser)
    except (etree.ParserError, ValueError):  # an empty document
        return _Links()


def read_listing(body: bytes) -> tuple[list[str], str | None]:
    """Every link href of a listing page, and its rel="next" page; raises PageTooComplex."""
    links = read_links(body)
    return [href for href in links.hrefs if href], links.next


def article_links(text: str) -> list[str]:
    """The href of every <a> of an article page (empty ones too), read as Scrapy's selector
    reads `response.text` (parsel: stripped, NUL bytes dropped, UTF-8, huge_tree), without
    its tree; raises PageTooComplex."""
    body = text.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    return read_links(body, encoding="utf-8", huge_tree=True).hrefs


def day_in_url(url: str) -> date | None:
    """A date written in a sitemap URL (`/sitemap/2023-09-19.xml`, `/2023/09/19/`)."""
    m = _DAY_IN_URL.search(url)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None

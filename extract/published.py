"""The publication instant of a page, from its metadata first, then its byline.

Sources, most trusted first: JSON-LD `datePublished`; the common meta names
(`article:published_time` and its variants, `datePublished` itemprop, `parsely-pub-date`,
`sailthru.date`, `dc.date`...); an element marked `itemprop="datePublished"`; a `<time
datetime>` in the article. Precision is kept: among them, the first that carries an offset
and a time of day wins over a naive one and over a bare date (JSON-LD says "2025-11-21"
where the meta says "2025-11-21T13:34:26+00:00"). A naive value takes the offset that the
page gives its other dates (a `dateModified` with an offset), else the profile's zone.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from extract.metadata import Metadata
from extract.selectors import text_of

PUBLISHED_META = (
    "article:published_time",
    "article:published:time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "article.published",
    "publish-date",
    "publishdate",
    "pubdate",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "dcterms.issued",
    "prism.publicationdate",
    "citation_publication_date",
    "originalpublicationdate",
    "article_date_original",
)
MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dc.date.modified", "dcterms.modified")
# Zone abbreviations of "Fri Apr 28 19:20:36 CEST 2023" (Java's Date.toString) and the like.
ZONE_HOURS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "WEST": 1,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "MEZ": 1,
    "MESZ": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "IST": 5.5,
    "WIB": 7,
    "WITA": 8,
    "WIT": 9,
    "JST": 9,
    "KST": 9,
    "AEST": 10,
    "AEDT": 11,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
}
_WORDY = re.compile(r"^(?:\w{3},?\s+)?(\w{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+([A-Z]{1,5})\s+(\d{4})$")
_MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}
_TIME_OF_DAY = re.compile(r"\d[T ]\d{1,2}:\d{2}|^\d{10,13}$|\d:\d{2}:\d{2}")


def parse_datetime(text: str | None) -> tuple[datetime, bool] | None:
    """`(value, has_time)` for ISO 8601 (`+0200` and `.0` fractions too), RFC 2822, Java's
    `Fri Apr 28 19:20:36 CEST 2023` or an epoch in seconds or milliseconds; the value is
    naive when the text names no offset. None when it is no date."""
    if not text or not isinstance(text, str):
        return None
    text = text.strip()
    has_time = bool(_TIME_OF_DAY.search(text))
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text), has_time
    except ValueError:
        pass
    if text.isdigit() and len(text) in (10, 13):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, timezone.utc), True
    m = _WORDY.match(text)
    if m and m[1].lower() in _MONTHS and m[6] in ZONE_HOURS:
        try:
            value = datetime(int(m[7]), _MONTHS[m[1].lower()], int(m[2]), int(m[3]), int(m[4]), int(m[5]))
        except ValueError:
            return None
        return value.replace(tzinfo=timezone(timedelta(hours=ZONE_HOURS[m[6]]))), True
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return value, True


def _time_elements(page, body_el):
    """`<time datetime>` elements of the article: one marked as the publication first, then
    those inside the body element's <article> (or the body element), then the first after
    the headline."""
    times = [t for t in page.tagged("time") if t.get("datetime")]
    if not times:
        return []
    marked = [
        t
        for t in times
        if t.get("itemprop") == "datePublished"
        or "publish" in (t.get("class") or "").lower()
        or t.get("pubdate") is not None
    ]
    scope = body_el
    while scope is not None and scope.tag != "article":
        scope = scope.getparent()
    scope = scope if scope is not None else body_el
    inside = [t for t in times if scope is not None and any(a is scope for a in t.iterancestors())]
    return marked + inside + times[:1]


def candidates(page, md: Metadata, body_el) -> list[tuple[str, str]]:
    """(source, text) pairs that may name the publication time, most trusted first."""
    found = []
    value = md.jsonld.get("datePublished")
    if isinstance(value, str):
        found.append(("jsonld:datePublished", value))
    for name in PUBLISHED_META:
        value = md.meta.get(name)
        if value and value.strip():
            found.append((f"meta:{name}", value))
    for el in page.by_attribute.get(("itemprop", "datePublished"), ()):
        if el.tag == "meta":
            continue  # read with the other meta tags
        value = el.get("content") or el.get("datetime") or text_of(el)
        if value and value.strip():
            found.append(("itemprop:datePublished", value))
            break
    for el in _time_elements(page, body_el):
        found.append(("html:time[datetime]", el.get("datetime")))
    return found


def _page_zone(md: Metadata, parsed: list) -> tzinfo | None:
    """The offset the page writes its dates with, if any of them names one."""
    for value, _has_time, _source, _raw in parsed:
        if value.tzinfo is not None:
            return value.tzinfo
    for text in [md.jsonld.get("dateModified"), *(md.meta.get(n) for n in MODIFIED_META)]:
        found = parse_datetime(text) if isinstance(text, str) else None
        if found and found[0].tzinfo is not None:
            return found[0].tzinfo
    return None


def find_published(page, md: Metadata, body_el, default_tz: str) -> tuple[datetime | None, str | None, str | None]:
    """`(instant, text as written, source)` from the metadata; all None when it has none."""
    parsed = []
    for source, text in candidates(page, md, body_el):
        found = parse_datetime(text)
        if found and 1990 <= found[0].year <= 2100:
            parsed.append((found[0], found[1], source, text.strip()))
    if not parsed:
        return None, None, None
    # the first with an offset and a time, else the first with a time, else the first date
    value, has_time, source, raw = min(parsed, key=lambda p: (not p[1], p[0].tzinfo is None, parsed.index(p)))
    if value.tzinfo is None:
        value = value.replace(tzinfo=_page_zone(md, parsed) or ZoneInfo(default_tz))
    return value, raw, source

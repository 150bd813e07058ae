"""The publication instant of a page, from its metadata first, then its byline.

Sources, most trusted first: JSON-LD `datePublished`; the common meta names
(`article:published_time` and its variants, `datePublished` itemprop, `parsely-pub-date`,
`sailthru.date`, `dc.date`...); an element marked `itemprop="datePublished"`; a `<time
datetime>` in the article. Precision is kept: among them, the first that carries an offset
and a time of day wins over a naive one and over a bare date (JSON-LD says "2025-11-21"
where the meta says "2025-11-21T13:34:26+00:00"). A naive value takes the offset that the
page gives its other dates (a `dateModified` with an offset), else the zone its byline
prints, else the profile's zone. The byline's printed time is checked against the choice
(`find_published`): it replaces a bare date of that day and lends its seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from extract.dates import ZONES, printed_value
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
    # Indonesian sites' own names (lower-cased, as the metadata reader keys them):
    "content_publisheddate",  # kompas `content_PublishedDate`: `2026-07-24 15:16:40`, no offset
    "dtk:publishdate",  # detik: `2026/06/05 20:30:23`, no offset
    "dtk:publishdateunix",  # detik: milliseconds since the epoch
    "jpnncom_news_pubdate",  # jpnn: `24 April 2026 20:05`
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
_SECONDS = re.compile(r"\d:\d{2}:\d{2}")
_ZONE_INSIDE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*(?:WIB|WITA|WIT)\s*(?=\d)")
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


def candidates(page, md: Metadata, body_el, site_meta: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(source, text) pairs that may name the publication time, most trusted first: the site's
    own meta names (`site_meta`, from its definition) before the common ones."""
    found = []
    for name in site_meta:
        value = md.meta.get(name)
        if value and value.strip():
            found.append((f"meta:{name}", value))
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


@dataclass(frozen=True)
class Stamp:
    """One source's reading of the publication time."""

    value: datetime  # naive when the source names no offset
    has_time: bool
    has_seconds: bool
    source: str
    raw: str


def parse_value(text: str) -> tuple[datetime, bool, bool] | None:
    """`(value, has_time, has_seconds)` of a metadata value: any form `parse_datetime` reads,
    else a date as Indonesian pages print it, alone in the value (tempo's
    `article:published_time` is `24 Juli 2026 | 11.32 WIB`, jpnn's `24 April 2026 20:05`,
    detik's `dtk:publishdate` `2026/06/05 20:30:23`). voi.id writes `WIB` inside its ISO
    times (`2026-05-13WIB18:45:00+07:00`): it is dropped first."""
    text = text.strip()
    if "W" in text:
        text = _ZONE_INSIDE.sub(r"\1T", text)
    found = parse_datetime(text)
    if found:
        value, has_time = found
        return value, has_time, has_time and (bool(_SECONDS.search(text)) or value.second != 0)
    printed = printed_value(text)
    naive = printed.naive() if printed else None
    if naive is None:
        return None
    if printed.zone:
        naive = naive.replace(tzinfo=timezone(timedelta(hours=ZONES[printed.zone.lower()])))
    return naive, printed.has_time, printed.has_seconds


def _page_zone(md: Metadata, stamps: list[Stamp]) -> tzinfo | None:
    """The offset the page writes its dates with, if any of them names one."""
    for stamp in stamps:
        if stamp.value.tzinfo is not None:
            return stamp.value.tzinfo
    for text in [md.jsonld.get("dateModified"), *(md.meta.get(n) for n in MODIFIED_META)]:
        found = parse_value(text) if isinstance(text, str) else None
        if found and found[0].tzinfo is not None:
            return found[0].tzinfo
    return None


def _same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def _with_seconds(value: datetime, others: list[Stamp]) -> datetime:
    """`value` (a time to the minute) with the seconds of another source naming the same
    minute: the full time, wherever the page gives it."""
    for other in others:
        if not other.has_seconds or not other.value.second:
            continue
        seen = other.value if other.value.tzinfo else other.value.replace(tzinfo=value.tzinfo)
        if _same_minute(seen, value):
            return value.replace(second=seen.second)
    return value


def find_published(
    page,
    md: Metadata,
    body_el,
    default_tz: str,
    byline=None,
    site_meta: tuple[str, ...] = (),
    local_as_utc: bool = False,
) -> tuple[datetime | None, str | None, str | None]:
    """`(instant, text as written, source)`: the metadata's most precise value, checked
    against the time the byline prints (`byline`, a `extract.byline.Byline`); all
    None when neither has one.

    The metadata's offset is kept (a naive value takes the page's other offsets, else the
    zone the byline prints, else `default_tz`), except that a UTC value whose wall-clock time
    is what the byline prints in WIB, WITA or WIT is a local time labelled UTC. A date alone
    never hides the time the byline prints for that day, and a time to the minute (or at
    :00) takes its seconds from any source that names the same minute with them. A site whose
    metadata says `Z` of local times (`local_as_utc`, from its definition) has them read as
    local."""
    stamps = []
    for source, text in candidates(page, md, body_el, site_meta):
        found = parse_value(text) if isinstance(text, str) else None
        if found and local_as_utc and found[0].utcoffset() == timedelta(0):
            found = (found[0].replace(tzinfo=None), *found[1:])
        if found and 1990 <= found[0].year <= 2100:
            stamps.append(Stamp(found[0], found[1], found[2], source, text.strip()))
    printed = None
    if byline is not None and byline.published_at is not None:
        printed = Stamp(byline.published_at, byline.has_time, byline.has_seconds, byline.source, byline.published_raw)
    if not stamps:
        return (printed.value, printed.raw, printed.source) if printed else (None, None, None)
    # the first with a time and an offset, else the first with a time, else the first date
    best = min(stamps, key=lambda s: (not s.has_time, s.value.tzinfo is None, stamps.index(s)))
    near = printed is not None and abs((printed.value.date() - best.value.date()).days) <= 1
    if not best.has_time and near and printed.has_time:
        return printed.value, printed.raw, printed.source
    value = best.value
    zoned = printed if printed and byline.zone else None  # the byline names its zone
    if value.tzinfo is None:
        value = value.replace(tzinfo=_page_zone(md, stamps) or (zoned.value.tzinfo if zoned else ZoneInfo(default_tz)))
    elif (
        zoned
        and value.utcoffset() == timedelta(0) != zoned.value.utcoffset()
        and _same_minute(value.replace(tzinfo=None), zoned.value.replace(tzinfo=None))
    ):
        value = value.replace(tzinfo=zoned.value.tzinfo)
    if best.has_time and not value.second:  # ":00" is often a time cut to the minute
        value = _with_seconds(value, [s for s in stamps if s is not best] + ([printed] if printed else []))
    return value, best.raw, best.source

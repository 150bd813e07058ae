"""The byline: authors and the printed publication date.

Seen forms: desktop `Author • 08 Desember 2021 07:06`, mobile `Author - 10 November 2021
07:58 WIB`, older `... 23:11 wib`, several authors separated by commas; older containers
`div.info_ct`, `div.date`, `div.name`. When no selector answers, the short elements after the
headline are read: the first that prints a date and a time, else the first with a date;
then `<time>` elements. When the page gives no publication time at all, the short elements
just above the headline are read too (`byline_above_headline`: a date and a time).
Of several dates in one text, the publication date is the one a label calls so (`Terbit`,
`Tayang`), else the first that no label calls a modification (`Diperbarui`, `Update`); see
`extract.dates`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from extract.blocks import normalise
from extract.dates import MODIFIED_LABEL, PUBLISHED_LABEL, find_dates, published_date
from extract.selectors import text_of
from extract.sites.profile import SiteProfile

_PREFIX = re.compile(r"^(?:oleh|penulis|reporter|editor|by)\s*:?\s*", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:,|\bdan\b|&|/|;)\s*")
_SEPARATORS = " •·|-–—,\t"


@dataclass
class Byline:
    authors: list[str] = field(default_factory=list)
    published_raw: str | None = None
    published_at: datetime | None = None
    source: str = "none"
    text: str = ""  # the whole byline as printed
    has_time: bool = False  # the printed date has a time of day
    has_seconds: bool = False
    zone: str | None = None  # the zone printed with it (WIB, WITA, WIT), None when none is


def split_authors(text: str) -> list[str]:
    text = _PREFIX.sub("", normalise(text)).strip(_SEPARATORS)
    return [name for name in (n.strip(_SEPARATORS) for n in _SPLIT.split(text)) if name and len(name) <= 60]


def read_byline(text: str, tz: str) -> Byline | None:
    """Split a byline text into authors and date; None when it holds no publication date."""
    text = normalise(text)
    dates = find_dates(text)
    found = published_date(dates)
    value = found.value(tz) if found else None
    if value is None:
        return None
    names = text[: dates[0].match.start()]
    for label in (MODIFIED_LABEL, PUBLISHED_LABEL):  # "Terbit 2 Sep 2025": no author "Terbit"
        m = label.search(names)
        names = names[: m.start()] if m else names
    return Byline(
        split_authors(names),
        found.text,
        value,
        text=text,
        has_time=found.has_time,
        has_seconds=found.has_seconds,
        zone=found.zone,
    )


SCAN_ELEMENTS = 150  # a byline sits near the headline: the scan looks no further
SCAN_CHILDREN = 12
SCAN_BEFORE = 40  # elements above the headline read when nothing under it has a date
_SCANNED_TAGS = frozenset(("div", "p", "span", "time", "li", "small", "section"))


def _candidates_after_h1(elements, body_el):
    seen_h1 = False
    left = SCAN_ELEMENTS
    for el in elements:
        if el is body_el and seen_h1:  # a body container may also wrap the headline
            return
        if el.tag == "h1":
            seen_h1 = True
            continue
        if seen_h1:
            left -= 1
            if not left:
                return
            # A container of many elements holds more than a byline; reading its text would
            # cost a copy of its whole subtree.
            if el.tag in _SCANNED_TAGS and len(el) <= SCAN_CHILDREN:
                text = normalise(text_of(el))
                if 8 <= len(text) <= 200:
                    yield el, text


def _candidates_before_h1(page):
    """The short elements just above the headline, nearest first (a date line printed over
    the title)."""
    headlines = page.tagged("h1")
    if not headlines:
        return
    elements = page.elements
    h1 = elements.index(headlines[0])
    for el in reversed(elements[max(0, h1 - SCAN_BEFORE) : h1]):
        if el.tag in _SCANNED_TAGS and len(el) <= SCAN_CHILDREN:
            text = normalise(text_of(el))
            if 8 <= len(text) <= 200:
                yield el, text


def selected_authors(page, selectors: tuple[str, ...]) -> list[str]:
    """The authors a site's own author selectors name: the first that finds any."""
    for selector in selectors:
        names = [name for el in page.select(selector) for name in split_authors(page.text(el))]
        if names:
            return list(dict.fromkeys(names))
    return []


def find_byline(page, profile: SiteProfile, body_el=None) -> Byline:
    """`page` is the document's `extract.selectors.PageIndex`. A site's own date selectors come
    first (sites that print the author and the date apart: the authors then come from its
    author selectors), then its byline selectors, then a scan after the headline."""
    for selector in profile.date_selectors:
        for el in page.select(selector):
            found = read_byline(page.text(el), profile.timezone)
            if found:
                found.source = f"css:{selector}"
                found.authors = selected_authors(page, profile.author_selectors) or found.authors
                return found
    for selector in profile.byline_selectors:
        for el in page.select(selector):
            found = read_byline(page.text(el), profile.timezone)
            if found:
                found.source = f"css:{selector}"
                return found
    dated = None  # a date without a time is often a caption's or a list's: a timed one wins
    for el, text in _candidates_after_h1(page.elements, body_el):
        found = read_byline(text, profile.timezone)
        if found:
            found.source = f"scan:{el.tag}"
            if found.has_time:
                return found
            dated = dated or found
    if dated:
        return dated
    for el in page.tagged("time"):
        found = read_byline(page.text(el), profile.timezone)
        if found:
            found.source = "html:time"
            return found
    return Byline()


def byline_above_headline(page, tz: str) -> Byline | None:
    """A date and a time printed just above the headline, when nothing else on the page gave
    one (a date alone there is the site's "today"); None when there is none."""
    for el, text in _candidates_before_h1(page):
        found = read_byline(text, tz)
        if found and found.has_time:
            found.source = f"scan-above:{el.tag}"
            return found
    return None

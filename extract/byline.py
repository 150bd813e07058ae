"""The byline: authors and the printed publication date.

Seen forms: desktop `Author • 08 Desember 2021 07:06`, mobile `Author - 10 November 2021
07:58 WIB`, older `... 23:11 wib`, several authors separated by commas; older containers
`div.info_ct`, `div.date`, `div.name`. When no selector answers, the first short element
after the headline that holds a date is taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from extract.blocks import normalise
from extract.dates import date_from_match, find_date
from extract.profiles import SiteProfile
from extract.selectors import text_of

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


def split_authors(text: str) -> list[str]:
    text = _PREFIX.sub("", normalise(text)).strip(_SEPARATORS)
    return [name for name in (n.strip(_SEPARATORS) for n in _SPLIT.split(text)) if name and len(name) <= 60]


def read_byline(text: str, tz: str) -> Byline | None:
    """Split a byline text into authors and date; None when it holds no date."""
    text = normalise(text)
    m = find_date(text)
    if not m:
        return None
    return Byline(split_authors(text[: m.start()]), m.group(0).strip(" ,"), date_from_match(m, tz), text=text)


SCAN_ELEMENTS = 150  # a byline sits near the headline: the scan looks no further
SCAN_CHILDREN = 12
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


def find_byline(page, profile: SiteProfile, body_el=None) -> Byline:
    """`page` is the document's `extract.selectors.PageIndex`."""
    for selector in profile.byline_selectors:
        for el in page.select(selector):
            found = read_byline(text_of(el), profile.timezone)
            if found:
                found.source = f"css:{selector}"
                return found
    for el, text in _candidates_after_h1(page.elements, body_el):
        found = read_byline(text, profile.timezone)
        if found:
            found.source = f"scan:{el.tag}"
            return found
    for el in page.tagged("time"):
        found = read_byline(text_of(el), profile.timezone)
        if found:
            found.source = "html:time"
            return found
    return Byline()

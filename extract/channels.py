"""The channel and subchannel of a page without a site profile.

Sources, most trusted first:
1. the page's breadcrumb: a JSON-LD `BreadcrumbList`, else a breadcrumb element (a class
   ending in `breadcrumb(s)`, `nav[aria-label*=breadcrumb]`, microdata `itemListElement`s),
   without its home item, the site's own name and the article itself;
2. the URL's path before the article's id: its first meaningful segments, skipping verbs
   and structural words (`read`, `baca`, `detail`, `amp`, `index`...), numbers and dates,
   and `berita`/`news` when the id (or, in a URL without one, the slug) follows them
   (`/berita/d-7712345/...`, `/news/{slug}`);
3. the host's first label when it names a section (`nasional.kompas.com` -> `nasional`;
   never `www`, `m`, `amp`, nor the site's own name).
A channel is written as a slug: lower case, words joined by `-` (`Gaya Hidup` -> `gaya-hidup`).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from extract.blocks import normalise, word_key
from extract.ids import base_domain
from extract.metadata import Metadata, jsonld_text
from extract.selectors import text_of
from extract.titles import _names_site

# Path segments that say what a page is, not where it belongs.
STRUCTURAL = frozenset(
    ("read", "baca", "detail", "details", "amp", "index", "indeks", "view", "show", "post", "posts", "en", "id", "m")
)
# Segments that are a channel unless the article's id follows them.
BEFORE_ID = frozenset(("berita", "news", "artikel", "article", "articles", "story", "stories"))
HOME_NAMES = frozenset(("home", "beranda", "halaman utama", "index", "indeks", "homepage", "depan", "utama"))
NOT_SECTION_HOSTS = frozenset(("www", "m", "amp", "mobile", "web"))
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_SEGMENT = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_SLUG_SPLIT = re.compile(r"[^\w]+")
_BREADCRUMB_CLASS = re.compile(r"breadcrumbs?$", re.IGNORECASE)
BREADCRUMB_ITEMS = 12  # a breadcrumb is short; a longer list is navigation
ITEM_WORDS = 5  # a longer item is the headline, not a section


def slug(name: str) -> str | None:
    """`Gaya Hidup` -> `gaya-hidup`; None when nothing is left."""
    text = "-".join(p for p in _SLUG_SPLIT.split(normalise(name).lower()) if p).strip("-_")
    return text[:60] or None


def from_path(path: str, id_start: int | None) -> list[str]:
    """The meaningful segments of a path before the article's id (`id_start`: where the id's
    shape begins in the path; None when the URL has no id, and the last segment, the slug,
    is left out instead)."""
    if id_start is None:
        head, rest = path.rsplit("/", 1)[0], ""
    else:
        cut = path.rfind("/", 0, id_start + 1)  # a suffix id (`slug-2012345`) takes its segment
        head, rest = path[: max(cut, 0)], path[max(cut, 0) :]
    segments = [s for s in head.split("/") if s]
    # `berita`/`news` right before the id is structure (`/berita/d-7712345/`); before a verb or
    # a date it is the channel (`/news/read/6123456/`, suara's `/news/2026/07/24/...`)
    following = next((s.lower() for s in rest.split("/") if s), "")
    # without an id in the URL its slug is the article's identity (jpnn's `/news/{slug}`)
    id_follows = id_start is None or (following not in STRUCTURAL and not _YEAR.match(following))
    found = []
    for i, segment in enumerate(segments):
        low = segment.lower()
        if low in STRUCTURAL or not _SEGMENT.match(low):  # numbers, dates, file names, codes
            continue
        if low in BEFORE_ID and id_follows and i == len(segments) - 1:
            continue
        found.append(low)
    return found


def from_host(host: str) -> str | None:
    """The host's first label when it is a section of the site (`nasional.kompas.com`)."""
    host = host.lower()
    labels = host.split(".")
    if len(labels) <= len(base_domain(host).split(".")):
        return None
    label = labels[0]
    if label in NOT_SECTION_HOSTS or not _SEGMENT.match(label):
        return None
    return label


def _jsonld_items(md: Metadata) -> list[tuple[str, str | None]]:
    items = md.breadcrumb.get("itemListElement") if md.breadcrumb else None
    if not isinstance(items, list):
        return []
    found = []
    for i, item in enumerate(items[:BREADCRUMB_ITEMS]):
        if not isinstance(item, dict):
            continue
        inner = item.get("item")
        url = inner if isinstance(inner, str) else None
        name = jsonld_text(item.get("name"))
        if isinstance(inner, dict):
            name = name or jsonld_text(inner.get("name"))
            url = jsonld_text(inner.get("@id") or inner.get("url"))
        position = item.get("position")
        order = int(position) if isinstance(position, (int, float)) or str(position).isdigit() else i
        if name:
            found.append((order, normalise(name), url))
    return [(name, url) for _order, name, url in sorted(found, key=lambda f: f[0])]


def _breadcrumb_element(page):
    """The page's first breadcrumb: an element whose class ends in `breadcrumb(s)`, a
    `nav[aria-label*=breadcrumb]`, or the list around microdata `itemListElement`s."""
    found = [
        el
        for token, elements in page.by_class.items()
        if "readcrumb" in token or "READCRUMB" in token
        if _BREADCRUMB_CLASS.search(token)
        for el in elements
    ]
    found += [el for el in page.tagged("nav") if "breadcrumb" in (el.get("aria-label") or "").lower()]
    items = page.by_attribute.get(("itemprop", "itemListElement"))
    if items and items[0].getparent() is not None:
        found.append(items[0].getparent())
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    order = {el: i for i, el in enumerate(page.elements)}
    return min(found, key=lambda el: order.get(el, len(order)))


def _selected_items(page, selectors: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """A site's breadcrumb items: the elements its selectors name (links or list items)."""
    for selector in selectors:
        found = [(normalise(text_of(el)), el.get("href")) for el in page.select(selector)[:BREADCRUMB_ITEMS]]
        if found := [(name, href) for name, href in found if name]:
            return found
    return []


def _html_items(page) -> list[tuple[str, str | None]]:
    el = _breadcrumb_element(page)
    if el is None:
        return []
    items = [li for li in el.iter("li")] or [a for a in el.iter("a")]
    found = []
    for item in items[:BREADCRUMB_ITEMS]:
        link = item if item.tag == "a" else next(item.iter("a"), None)
        name = normalise(text_of(item))
        if name:
            found.append((name, link.get("href") if link is not None else None))
    return found


def from_breadcrumb(items: list[tuple[str, str | None]], title: str | None, names: set[str]) -> list[str]:
    """The sections a breadcrumb names: its items without the home item (named "Home" or as
    the site) and the article (the headline, or an item too long to be a section)."""
    title_key = word_key(title or "")
    found = []
    for i, (name, _url) in enumerate(items):
        key = word_key(name)
        last = i == len(items) - 1
        if not key or key in HOME_NAMES or (i == 0 and _names_site(name, names)):
            continue  # the home link, under the site's own name or as "Home"
        if key == title_key or len(name.split()) > ITEM_WORDS:
            continue
        if last and len(key.split()) >= 3 and key in title_key:  # the headline, cut short
            continue
        value = slug(name)
        if value and value not in found:
            found.append(value)
    return found


def find_channel(page, md: Metadata, ref, title: str | None, names: set[str], sources: dict, profile=None):
    """`(channel, subchannel)` of a page whose URL does not say them (a page without a site
    definition, or a site whose URLs name no section; `ref`: its `extract.urls.ArticleRef`),
    recording the source. A site's own breadcrumb selectors come first."""
    parts = urlsplit(ref.url)
    host, path, id_start = parts.hostname or "", parts.path, ref.id_start
    own = profile.breadcrumb_selectors if profile is not None else ()
    for source, items in (
        ("css:breadcrumb", _selected_items(page, own)),
        ("jsonld:BreadcrumbList", _jsonld_items(md)),
        ("html:breadcrumb", _html_items(page)),
    ):
        found = from_breadcrumb(items, title, names)
        if found:
            sources["channel"] = source
            return found[0], found[1] if len(found) > 1 else None
    found = from_path(path, id_start)
    if found:
        sources["channel"] = "url:path"
        return found[0], found[1] if len(found) > 1 else None
    label = from_host(host)
    if label:
        sources["channel"] = "url:host"
        return label, None
    return None, None

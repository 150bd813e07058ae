"""The headline elements a reader sees, for checking a page's metadata titles against.

Many sites print a second, search-engine copy of the headline as the last item of the
breadcrumb trail, and make that the `<h1>` ("Startseite > Politik > <h1>SEO title</h1>"),
while the headline the reader sees is an `<h2>` in the article header, often a kicker
element followed by a headline element (`<h2><span>Rückbau von Atomkraftwerk</span>
<span>Kühltürme von AKW Gundremmingen gesprengt</span></h2>`). So the headings, in the
order they are trusted: the `<h1>`s outside a breadcrumb, the page's first `<h2>`s, and last
the breadcrumb's `<h1>` (it still names the page, in the site's own words).

A heading is compared by its words with a space between child elements (a kicker span glued
to the headline is two phrases), and also by the text after a leading kicker element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from extract.blocks import normalise, word_key
from extract.selectors import text_of

H1_LIMIT = 5  # a page's first few <h1>s: later ones are teasers in lists
H2_LIMIT = 5  # the article header's <h2> comes after a few in the masthead or a login box
CRUMB_DEPTH = 4  # a breadcrumb trail wraps its last item in a few elements at most
TRAIL_ITEMS = 16  # elements before the last item of a trail (links, separators, icons)
# No headline is longer: a longer "heading" is not read further (each reading of an <h1>
# nested 250 deep around 8 MB of text cost a second).
HEADING_CHARS = 10_000
# Containers that hold a whole article or page, never just a breadcrumb trail: the walk up
# stops there (a `<body class="has-breadcrumb">` says nothing about the headline).
_PAGE_CONTAINERS = frozenset(("article", "main", "body", "html", "header"))
_CRUMB_ATTRIBUTES = ("class", "id", "itemtype", "aria-label", "role")
# What separates the links of a trail ("News | Lifestyle", "Home › Politik"): no letters.
_TRAIL_SEPARATOR = re.compile(r"^[\W_]*$")
# Invisible characters that headlines carry from the markup: soft hyphens (hyphenation hints)
# and word joiners. Whitespace and zero-width spaces are `normalise`'s.
INVISIBLE = str.maketrans("", "", "\xad\u2060")
# Punctuation between a kicker element and the headline ("Kicker: Headline", "Kicker - ...").
_LEADING_SEPARATOR = re.compile(r"^[\s:|/·•»›–—-]+")


@dataclass(frozen=True)
class Heading:
    text: str  # as a reader sees it
    key: str  # word_key, child elements apart
    rest: str  # the text after a leading kicker element; "" when there is none
    rest_key: str
    tag: str  # "h1", "h2", or "crumb" for a breadcrumb's <h1>


def _names_crumb(el) -> bool:
    """Whether an element says it is (part of) a breadcrumb, by any of its names or by its
    data attributes (`data-testid="BreadcrumbArea"`, `data-breadcrumb-headline`)."""
    for name, value in el.attrib.items():
        if (name in _CRUMB_ATTRIBUTES or name.startswith("data-")) and "crumb" in value.lower():
            return True
        if name.startswith("data-") and "crumb" in name.lower():
            return True
    return False


def _is_home(href: str | None) -> bool:
    return bool(href) and urlsplit(href.strip()).path in ("", "/") and not href.strip().startswith("#")


def _follows_link_trail(el) -> bool:
    """Whether `el` (or the wrapper it alone fills) comes after a trail of links that starts
    at the site's home page, with nothing else but separators: a breadcrumb that names itself
    nowhere ("Home › Politik › Ausland › <h1>"). A line of topic links before a headline does
    not start at home."""
    node = el
    parent = node.getparent()
    while parent is not None and parent.tag not in _PAGE_CONTAINERS and len(parent) == 1 and not _has_text(parent):
        node, parent = parent, parent.getparent()
    anchors = []
    for i, sibling in enumerate(node.itersiblings(preceding=True)):
        if i >= TRAIL_ITEMS:
            return False
        if not isinstance(sibling.tag, str):
            continue
        found = [sibling] if sibling.tag == "a" else list(sibling.iter("a"))
        text = normalise(text_of(sibling))
        for a in found:
            text = text.replace(normalise(text_of(a)), " ", 1)
        if not _TRAIL_SEPARATOR.match(text):
            return False
        anchors[:0] = found
    return len(anchors) >= 2 and _is_home(anchors[0].get("href"))


def _has_text(el) -> bool:
    """Whether an element has text of its own around its only child."""
    return bool((el.text or "").strip() or (el[0].tail or "").strip())


def in_breadcrumb(el) -> bool:
    """Whether a heading is the last item of a breadcrumb trail (inside `<nav>`, inside an
    element named for a breadcrumb, or after a bare trail of links)."""
    node = el
    for _ in range(CRUMB_DEPTH + 1):
        if node is None or node.tag in _PAGE_CONTAINERS:
            break
        if node.tag == "nav" or _names_crumb(node):
            return True
        node = node.getparent()
    return _follows_link_trail(el)


def _spaced_text(el) -> str:
    return " ".join(t for t in el.itertext() if t.strip())


def _after_kicker(el) -> str:
    """The text after the first child element when the heading opens with it (a kicker, an
    overline, a topline): "" when the heading has text of its own before, or nothing after."""
    if el.text and el.text.strip():
        return ""
    for child in el:
        if not isinstance(child.tag, str) or not text_of(child).strip():
            continue  # an icon or an empty anchor before the kicker
        parts = [child.tail or ""]
        for sibling in child.itersiblings():
            parts.append(_spaced_text(sibling) if isinstance(sibling.tag, str) else "")
            parts.append(sibling.tail or "")
        return _LEADING_SEPARATOR.sub("", normalise(" ".join(parts)))
    return ""


def _heading(page, el, tag: str) -> Heading | None:
    raw = page.text(el)
    if len(raw) > HEADING_CHARS:
        return None
    text = normalise(raw).translate(INVISIBLE)
    if not text:
        return None
    rest = _after_kicker(el).translate(INVISIBLE)
    return Heading(text, word_key(_spaced_text(el).translate(INVISIBLE)), rest, word_key(rest) if rest else "", tag)


def headings(page) -> list[Heading]:
    """The page's headings, most trusted first (see the module's doc)."""
    visible, crumbs = [], []
    for el in page.tagged("h1")[:H1_LIMIT]:
        (crumbs if in_breadcrumb(el) else visible).append(el)
    found = [_heading(page, el, "h1") for el in visible]
    found += [_heading(page, el, "h2") for el in page.tagged("h2")[:H2_LIMIT] if not in_breadcrumb(el)]
    found += [_heading(page, el, "crumb") for el in crumbs]
    return [h for h in found if h is not None]

"""The headline of a page from its metadata, checked against the headings a reader sees.

A page names its headline in several places: JSON-LD `headline`, `og:title`, `twitter:title`,
`<title>`, and its headings (`headings`: the `<h1>`s outside a breadcrumb, the first `<h2>`s,
the breadcrumb's `<h1>`). A heading alone is not safe on a site without a profile (a logo or
a section name is often the first `<h1>`: "Regional", "News"), and the `<title>` and
`og:title` usually carry the site's name ("... | Golem.de", "... - DW - 28.04.2023").
So: every metadata title loses a trailing (or leading) part that names the site; the most
trusted heading that a metadata title agrees with decides, and og:title speaks first among
the titles that agree with it (the publisher's plain text: JSON-LD often carries its CMS's
entities, `<title>` its SEO variant); a heading with a kicker element whose headline part
ends a metadata title gives that part. When no heading agrees, the JSON-LD headline (the
article's own) comes first, then the other metadata titles that are not the site's own name,
and an `<h1>` is the last resort. Comparisons use `word_key` (lower-case words), so quote
styles do not matter; soft hyphens and word joiners are left out of the title.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit

from extract.blocks import normalise, word_key
from extract.headings import H1_LIMIT, INVISIBLE, Heading, headings
from extract.metadata import Metadata, jsonld_text

# Separators between a headline and the site's name: spaced dashes, bars, colons, bullets;
# a bar (also the Korean "ㅣ" used as one) needs no spaces.
_SEPARATOR = re.compile(r"\s+[-–—·•»/]\s+|\s*::?\s+|\s*[|ㅣ]\s*")
# A part made of a date or numbers only ("28.04.2023") is not a headline either.
_DATE_ONLY = re.compile(r"^[\d\s./:-]+$")
_HOST_NOISE = {"www", "m", "mobile", "amp", "edition", "news", "com", "co", "org", "net", "de", "uk"}
SITE_NAME_WORDS = 4  # "Die Neue Südtiroler Tageszeitung"
SUFFIX_WORDS = 3  # a title that only ends a heading must be a phrase, not a word ("News")


def _compact(text: str) -> str:
    """Lower-case letters and digits only, accents folded and German umlauts spelled out
    (`Börsen-Zeitung` and `boersen-zeitung.de` must meet)."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


def site_names(md: Metadata, url: str) -> set[str]:
    """Compact forms of the names the site goes by: og:site_name, application-name, the
    JSON-LD publisher, the twitter handle, the host's labels."""
    names = {
        md.first("og:site_name"),
        md.first("application-name"),
        md.first("twitter:site"),
        jsonld_text(md.jsonld.get("publisher")),
    }
    host = (urlsplit(url).hostname or "").lower()
    labels = [label for label in host.split(".") if label not in _HOST_NOISE]
    names.update(labels)
    names.add("".join(labels))
    names.add(host.removeprefix("www."))  # "... | MDR.DE"
    return {c for c in (_compact(n.lstrip("@")) for n in names if n) if len(c) >= 2}


def _names_site(part: str, names: set[str]) -> bool:
    """Whether a short part of a title is the site's name ("Golem.de", "Vogue Germany", "The
    Gateway Pundit") or a date; a longer text that merely mentions the site is a headline."""
    compact = _compact(part)
    if not compact or _DATE_ONLY.match(part):
        return True
    if len(part.split()) > SITE_NAME_WORDS:
        return False
    return any(compact == n or (len(n) >= 4 and n in compact) or (len(compact) >= 4 and compact in n) for n in names)


def strip_site(title: str, names: set[str], confirmed: set[str]) -> tuple[str, bool]:
    """`title` without the parts, at either end, that name the site (or hold only a date); cut
    at a separator at once when what precedes it is a headline found elsewhere on the page.
    Also says whether the site's name led the title: "Site - Slogan" is how home pages and
    section pages are titled, so what remains is only a headline if the page confirms it."""
    title = normalise(title)
    for m in _SEPARATOR.finditer(title):  # "Headline | Site | by Author": the page confirms "Headline"
        if word_key(title[: m.start()]) in confirmed:
            return title[: m.start()], False
    front = False
    changed = True
    while changed:
        changed = False
        parts = list(_SEPARATOR.finditer(title))
        if not parts:
            break
        last, first = parts[-1], parts[0]
        if _names_site(title[last.end() :], names) and title[: last.start()].strip():
            title, changed = title[: last.start()].strip(), True
        elif _names_site(title[: first.start()], names) and title[first.end() :].strip():
            title, changed, front = title[first.end() :].strip(), True, True
    return title, front


def h1_texts(page) -> list[str]:
    texts = []
    for h1 in page.tagged("h1")[:H1_LIMIT]:
        text = normalise(page.text(h1))
        if text:
            texts.append(text)
    return texts


def _agrees(key: str, heading: Heading) -> bool:
    """Whether a metadata title (its word key) is what a heading says: all of it, the part
    after its kicker element, or its end (a kicker inside the same element, without markup)."""
    if key in (heading.key, heading.rest_key):
        return True
    return len(key.split()) >= SUFFIX_WORDS and heading.key.endswith(" " + key)


def find_title(page, md: Metadata, url: str, suffix: str | None = None) -> tuple[str | None, str]:
    """The headline and the source that gave it (`meta:og:title+h1`, `jsonld:headline`, ...);
    `suffix` is a profile's pattern for its own site-name suffix, cut before anything else."""
    heads = headings(page)
    confirmed = {k for h in heads for k in (h.key, h.rest_key) if k}
    names = site_names(md, url)
    raw = (
        ("meta:og:title", md.first("og:title")),
        ("jsonld:headline", jsonld_text(md.jsonld.get("headline"))),
        ("meta:twitter:title", md.first("twitter:title")),
        ("html:title", page.root.findtext(".//title")),
    )
    metas = []
    for source, value in raw:
        if value and value.strip():
            value = html.unescape(value)
            if suffix:
                value = re.sub(suffix, "", normalise(value)) or value
            text, front = strip_site(value, names, confirmed)
            text = text.translate(INVISIBLE)
            if text and not _names_site(text, names):  # the site's name is no headline
                metas.append((source, text, front, word_key(text)))
    for heading in heads:  # the most trusted heading that a metadata title agrees with decides
        for source, text, _front, key in metas:
            if key and _agrees(key, heading):
                return text, f"{source}+{heading.tag}"
    for heading in heads:  # "Kicker: Headline" on the page, "Other lead-in: Headline" in the metadata
        if len(heading.rest_key.split()) >= SUFFIX_WORDS and any(m[3].endswith(" " + heading.rest_key) for m in metas):
            return heading.rest, f"html:{heading.tag}-kicker"
    # No heading agrees: the article node's own headline before the titles written for
    # sharing (og:title is often a shorter, rewritten one).
    for source, text, front, _key in sorted(metas, key=lambda m: m[0] != "jsonld:headline"):
        if not front:
            return text, source
    for heading in heads:
        if heading.tag != "h2" and not _names_site(heading.text, names):
            return heading.text, "html:h1"
    return (metas[0][1], metas[0][0]) if metas else (None, "none")

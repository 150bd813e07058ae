"""The headline of a page from its metadata, checked against the page's own `<h1>`s.

A page names its headline in several places: JSON-LD `headline`, `og:title`, `twitter:title`,
`<title>` and one or more `<h1>`s. The `<h1>` alone is not safe on a site without a profile
(a logo or a section name is often the first `<h1>`: "Regional", "News"), and the `<title>`
and `og:title` usually carry the site's name ("... | Golem.de", "... - DW - 28.04.2023").
So: every metadata title loses a trailing (or leading) part that names the site, and the
first one that a headline on the page confirms wins; when none is confirmed, the first
metadata title that is not the site's own name wins, and an `<h1>` is the last resort.
Comparisons use `word_key` (lower-case words), so quote styles and soft hyphens do not matter.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit

from crawler.extract.blocks import normalise, word_key
from crawler.extract.metadata import Metadata, jsonld_text
from crawler.extract.selectors import text_of

# Separators between a headline and the site's name: spaced dashes, bars, colons, bullets;
# a bar (also the Korean "ㅣ" used as one) needs no spaces.
_SEPARATOR = re.compile(r"\s+[-–—·•»/]\s+|\s*::?\s+|\s*[|ㅣ]\s*")
# A part made of a date or numbers only ("28.04.2023") is not a headline either.
_DATE_ONLY = re.compile(r"^[\d\s./:-]+$")
_HOST_NOISE = {"www", "m", "mobile", "amp", "edition", "news", "com", "co", "org", "net", "de", "uk"}
H1_LIMIT = 5  # a page's first few <h1>s: later ones are teasers in lists
SITE_NAME_WORDS = 4  # "Die Neue Südtiroler Tageszeitung"


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
        text = normalise(text_of(h1))
        if text:
            texts.append(text)
    return texts


def find_title(page, md: Metadata, url: str, suffix: str | None = None) -> tuple[str | None, str]:
    """The headline and the source that gave it (`jsonld:headline`, `meta:og:title`, ...);
    `suffix` is a profile's pattern for its own site-name suffix, cut before anything else."""
    h1s = h1_texts(page)
    h1_keys = [word_key(t) for t in h1s]
    confirmed = set(h1_keys)
    names = site_names(md, url)
    raw = (
        ("jsonld:headline", jsonld_text(md.jsonld.get("headline"))),
        ("meta:og:title", md.first("og:title")),
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
            if text and not _names_site(text, names):  # the site's name is no headline
                metas.append((source, text, front))
    for source, text, _front in metas:
        key = word_key(text)
        # an <h1> that is the headline, or the headline behind a kicker inside the same <h1>
        if key and any(k == key or k.endswith(" " + key) for k in h1_keys):
            return text, source + "+h1"
    for source, text, front in metas:
        if not front:
            return text, source
    for text in h1s:
        if not _names_site(text, names):
            return text, "html:h1"
    return (metas[0][1], metas[0][0]) if metas else (None, "none")

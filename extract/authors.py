"""Authors of a page without a site profile: JSON-LD people, author meta tags, the page's
byline elements, the byline found next to the date; an organization only when nothing names
a person. Every name loses its label ("By", "Von:", "Reporter:", "Par") and what trails it
("Published on", "(obe)"), lists are split ("A, B und C"), and a URL, an e-mail address or
the site's own name is never an author (nor is it part of one: `Name - detikNews`).
"""

from __future__ import annotations

import re

from extract.blocks import normalise
from extract.metadata import Metadata, jsonld_names
from extract.titles import _names_site

META_NAMES = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "byl",
    "dc.creator",
    "citation_author",
    # Indonesian sites' own (shared/indonesian-sites.md): kompas, detik, jpnn
    "content_author",
    "dtk:author",
    "jpnncom_news_author",
)
# Labels before a name, in the languages of the pages seen so far (and Indonesian).
_LABEL = re.compile(
    r"^(?:(?:written|posted|text|story|words|reported)\s+by|by|von|vom|par|por|door|av|af|przez|oleh|penulis|"
    r"autor(?:in)?|author|auteur|reporter|editor|redaktion|text|texto|foto)\s*[:|]?\s+",
    re.IGNORECASE,
)
_TRAILER = re.compile(
    r"(?:^|\s+)(?:published|updated|posted|zuerst\s+veröffentlicht|veröffentlicht|aktualisiert|publié|mis\s+à\s+jour|"
    r"publicado|actualizado|pubblicato)\b.*$|\s*\([^)]{1,12}\)$|\s*\|.*$",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:,|;|&|\s\+\s|·|\b(?:and|und|og|och|et|y|e|en|dan)\b)\s*")
_SITE_TAIL = re.compile(r"\s+[-–—]\s+([^-–—]+)$")
_NOT_A_NAME = re.compile(r"://|@|^www\.|^#|^/|\d{3,}")
_BYLINE_CLASS = re.compile(r"author|byline", re.IGNORECASE)
_NOT_BYLINE_CLASS = re.compile(r"comment|bio|avatar|image|photo", re.IGNORECASE)
ANCESTORS_CHECKED = 6  # a byline inside a comment or an author's bio box is no byline
MAX_WORDS = 5  # longer parts are roles and descriptions, not names
BYLINE_CHARS = 120


def clean_names(text: str, site_names: set[str]) -> list[str]:
    """The person names in one author text."""
    text = normalise(text)
    text = _LABEL.sub("", text)
    tail = _SITE_TAIL.search(text)  # "Name - detikNews": the site's name after a dash
    if tail and _names_site(tail.group(1), site_names):
        text = text[: tail.start()]
    text = _TRAILER.sub("", text).strip(" ,;:-–—|")
    names = []
    for part in _SPLIT.split(text):
        part = _LABEL.sub("", part).strip(" .,;:-–—|")
        if part.startswith("(") or _LABEL.match(part + " "):
            continue  # a parenthesised credit ("(Image: Getty)"), a label with no name after it
        if not part or len(part.split()) > MAX_WORDS or _NOT_A_NAME.search(part) or _names_site(part, site_names):
            continue
        if not any(ch.isalpha() for ch in part):
            continue
        names.append(part)
    return list(dict.fromkeys(names))


def _byline_elements(page) -> list:
    """Elements marked as the author (`itemprop`, `rel`) or named like a byline, in page order."""
    found = {el for key in (("itemprop", "author"), ("rel", "author")) for el in page.by_attribute.get(key, ())}
    for token, elements in page.by_class.items():
        if _BYLINE_CLASS.search(token) and not _NOT_BYLINE_CLASS.search(token):
            found.update(elements)
    order = {el: i for i, el in enumerate(page.elements)} if len(found) > 1 else {}
    return sorted(found, key=lambda el: order.get(el, 0))


def _inside_other(el) -> bool:
    for i, above in enumerate(el.iterancestors()):
        if i == ANCESTORS_CHECKED:
            return False
        if _NOT_BYLINE_CLASS.search(above.get("class") or ""):
            return True
    return False


def _from_elements(page, site_names: set[str]) -> list[str]:
    """Names in the first short byline element of the page: the texts of its links when it
    has any (one link per author), else its own text."""
    for el in _byline_elements(page):
        if el.tag in ("meta", "link", "img", "script", "style", "body", "html") or _inside_other(el):
            continue
        text = normalise(page.text(el))
        if not text or len(text) > BYLINE_CHARS:
            continue
        links = [normalise(page.text(a)) for a in el.iter("a")]
        names = [n for link in links if link for n in clean_names(link, site_names)] if links else []
        names = names or clean_names(text, site_names)
        if names:
            return names
    return []


def find_authors(page, md: Metadata, byline, site_names: set[str]) -> tuple[list[str], str]:
    """`(names, source)` for a page without a site profile."""
    people = [
        n
        for raw in jsonld_names(md.jsonld.get("author"), md, organizations=False)
        for n in clean_names(raw, site_names)
    ]
    if people:
        return people, "jsonld:author"
    for name in META_NAMES:
        values = md.meta_all.get(name, [])
        found = [n for value in values for n in clean_names(value, site_names)]
        if found:
            return list(dict.fromkeys(found)), f"meta:{name}"
    found = _from_elements(page, site_names)
    if found:
        return found, "html:byline"
    found = [n for raw in byline.authors for n in clean_names(raw, site_names)]
    if found:
        return found, byline.source
    orgs = [n for raw in jsonld_names(md.jsonld.get("author"), md) for n in clean_names(raw, set())]
    return orgs, "jsonld:author" if orgs else "none"

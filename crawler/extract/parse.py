"""`(url, html) -> article`: the pure, layered parse and clean of one page.

Each field is tried from several sources, most trusted first, and the answering source is
recorded (`warta parse --explain`). Never imports Scrapy.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from lxml import etree

from crawler.extract import urls
from crawler.extract.article import Article
from crawler.extract.authors import find_authors
from crawler.extract.blocks import blocks_from_text, normalise
from crawler.extract.body import find_body
from crawler.extract.byline import find_byline
from crawler.extract.metadata import jsonld_names, jsonld_text, read_metadata
from crawler.extract.profiles import GENERIC, SiteProfile, get_profile, profile_for_url
from crawler.extract.published import find_published
from crawler.extract.selectors import PageIndex, text_of
from crawler.extract.text import blocks_hash, clean_blocks
from crawler.extract.titles import find_title, h1_texts, site_names


class NotAnArticle(ValueError):
    """The page is not an article (wrong URL kind, no body, no title, not HTML)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


@dataclass
class ParseResult:
    article: Article
    removed: list[tuple[str, str]] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    generic: bool = False  # the page went through the GENERIC profile (a site without one)
    body_path: str = "profile"

    @property
    def path(self) -> str:
        """Which extraction path gave the body: `profile` (a site profile's body selector
        won), `generic` (the scored main-content search won, or the GENERIC profile's
        selectors, which are judged the same way), or `fallback` (trafilatura)."""
        return self.body_path


def _first(page: PageIndex, selectors):
    for selector in selectors:
        for el in page.select(selector):
            if any(t.strip() for t in el.itertext()):
                return el, selector
    return None, None


_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
_UTF8_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, encoding="utf-8")


def _is_utf8(html: bytes) -> bool:
    """Whether the bytes are UTF-8. Valid UTF-8 with non-ASCII bytes is almost never another
    encoding, while pages often declare a charset they are not in (re-encoded copies, wrong
    templates), and libxml2 reads undeclared pages as Latin-1: so valid UTF-8 wins over any
    declaration, and a declaration (or libxml2's default) is only trusted otherwise."""
    if html.isascii():
        return False  # every encoding libxml2 may pick reads ASCII alike; let it honour the page
    try:
        html.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _load(html: str | bytes):
    utf8 = isinstance(html, str)
    if utf8:
        html = html.encode("utf-8", "replace")
    if not html or not html.strip():
        raise NotAnArticle("empty_page", "the page has no content")
    # A plain lxml tree: lxml.html's element classes cost a Python call per element touched.
    parser = _UTF8_PARSER if utf8 or _is_utf8(html) else _PARSER
    try:
        root = etree.fromstring(html.replace(b"\x00", b""), parser)
    except (etree.ParserError, ValueError) as exc:
        raise NotAnArticle("not_html", str(exc) or "unparseable markup") from None
    if root is None or not isinstance(root.tag, str):
        raise NotAnArticle("not_html", "no document element")
    return root


def _captions(page: PageIndex, profile: SiteProfile, md) -> set[str]:
    found = set()
    for selector in profile.caption_selectors:
        found.update(normalise(text_of(el)) for el in page.select(selector))
    for img in page.tagged("img"):
        for text in (img.get("alt"), img.get("title")):
            if text:
                found.add(normalise(text))
    found.add(normalise(md.first("og:image:alt", "twitter:image:alt") or ""))
    return {c for c in found if len(c.split()) >= 3}


def _generic_text(html) -> str:
    import trafilatura  # imported late: heavy, and only needed when no selector matches

    return trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True) or ""


def _selected_text(page: PageIndex, selectors, name: str, sources: dict) -> str | None:
    """Text of the first element that a selector finds, recording which selector answered."""
    el, sel = _first(page, selectors)
    if el is None:
        return None
    sources[name] = f"css:{sel}"
    return normalise(text_of(el))


def _title(page, profile, md, url, sources) -> str | None:
    """A profile's title selectors when it has them (a site's own headline element), else the
    headline that the metadata and the page's <h1>s agree on (see `titles`)."""
    text = _selected_text(page, profile.title_selectors, "title", sources)
    if text:
        return text
    title, source = find_title(page, md, url, profile.title_suffix)
    if title:
        sources["title"] = source
    return title


def _kicker(page, profile, title_el_text, sources) -> str | None:
    text = _selected_text(page, profile.kicker_selectors, "kicker", sources)
    if text:
        return text
    for h1 in page.tagged("h1"):
        prev = h1.getprevious()
        if prev is not None and isinstance(prev.tag, str) and prev.tag not in ("a", "img", "nav", "ul"):
            text = normalise(text_of(prev))
            if text and len(text) <= 60 and len(text.split()) <= 6 and text != title_el_text:
                sources["kicker"] = "h1:previous-sibling"
                return text
        break
    return None


def _resolve_url(base: str, href: str | None, profile: SiteProfile, mirror: str | None) -> str | None:
    absolute = urls.resolve(base, href)
    if absolute is None:
        return None
    ref = urls.article_ref(absolute, profile, mirror)
    if ref:
        return ref.url
    return urls.strip_tracking(urls.to_origin(absolute, profile, mirror), profile)


def _identity(url, ref, md, profile, mirror, sources):
    if md.canonical:
        canon = urls.resolve(url, md.canonical)
        canon_ref = urls.article_ref(canon, profile, mirror) if canon else None
        if canon_ref and (ref is None or canon_ref.article_id == ref.article_id):
            sources["url"] = "link:canonical"
            return canon_ref
    sources["url"] = "request-url"
    if ref is None and profile is GENERIC:
        clean = urls.strip_tracking(url, profile)
        return urls.ArticleRef(hashlib.sha1(clean.encode()).hexdigest()[:16], clean, None, None)
    return ref


def _published(page, md, byline, profile: SiteProfile, body_el, sources: dict) -> tuple[datetime | None, str | None]:
    """Publication instant and the date text as printed (the byline's, else the metadata's).
    A site profile's instants are written in its zone (WIB for medcom); a page without a
    profile keeps the offset it gave (see `published`)."""
    published_at, raw, source = find_published(page, md, body_el, profile.timezone)
    if published_at is not None:
        sources["published_at"] = source
    elif byline.published_at:
        published_at, sources["published_at"] = byline.published_at, byline.source
    if published_at is not None and profile is not GENERIC:
        published_at = published_at.astimezone(ZoneInfo(profile.timezone))
    return published_at, byline.published_raw or raw


_LANGUAGE = re.compile(r"^\s*([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*\s*$")


def _language(md, profile: SiteProfile, sources: dict) -> str:
    """A GENERIC page's own language (`<html lang>`, og:locale, JSON-LD inLanguage) as a
    two-letter code; a profile's language otherwise, or when the page names none."""
    if profile is GENERIC:
        for source, value in (
            ("html:lang", md.lang),
            ("meta:og:locale", md.first("og:locale")),
            ("jsonld:inLanguage", jsonld_text(md.jsonld.get("inLanguage"))),
            ("meta:content-language", md.first("content-language", "language", "dc.language")),
        ):
            m = _LANGUAGE.match(value or "")
            if m:
                sources["language"] = source
                return m.group(1).lower()
    return profile.language


def _tags(page: PageIndex, profile: SiteProfile, md) -> list[str]:
    tags = next(
        (
            [normalise(text_of(el)) for el in found]
            for found in (page.select(sel) for sel in profile.tag_selectors)
            if found
        ),
        [],
    )
    if not tags:
        keywords = md.first("news_keywords", "keywords") or jsonld_text(md.jsonld.get("keywords")) or ""
        tags = [t.strip() for t in keywords.split(",")]
    return list(dict.fromkeys(t for t in tags if t))


def _lead_image(page: PageIndex, profile: SiteProfile, md, sources: dict) -> tuple[str | None, str | None]:
    """The lead image URL (as written in the page) and its caption."""
    image = md.first("og:image", "twitter:image") or jsonld_text(md.jsonld.get("image"))
    if not image:
        found = next((els for els in (page.select(sel) for sel in profile.image_selectors) if els), None)
        image = found[0].get("src") if found else None
    caption = _selected_text(page, profile.caption_selectors, "image_caption", sources)
    if not caption:
        lead = page.select("figure img") or page.select("img[alt]")
        caption = normalise(lead[0].get("alt") or "") if lead else None
    return image, caption or None


def parse_page(
    html: str | bytes, url: str, profile: SiteProfile, *, mirror: str | None = None, crawled_at: datetime | None = None
) -> ParseResult:
    """Parse and clean one page; raise NotAnArticle when it is not an article of `profile`."""
    url_ref = urls.article_ref(url, profile, mirror)
    if profile is not GENERIC and url_ref is None:
        raise NotAnArticle("not_article_url", f"{url} is not an article URL of {profile.name}")
    root = _load(html)
    page = PageIndex(root, profile.parsed_selector, profile.css)
    md = read_metadata(page)
    sources: dict[str, str] = {}
    ref = _identity(url, url_ref, md, profile, mirror, sources)
    captions = _captions(page, profile, md)

    title = _title(page, profile, md, url, sources)
    image, caption = _lead_image(page, profile, md, sources)
    blocks, removed, body_el, body_path = find_body(page, profile, profile is GENERIC, md, title, sources)
    byline = find_byline(page, profile, body_el)
    kicker = _kicker(page, profile, title, sources)
    known = {
        "caption": captions,
        "headline": {title or "", *h1_texts(page)},
        "byline": {byline.text},
        "kicker": {kicker or ""},
    }
    cleaned = clean_blocks(blocks, profile, known)
    if not cleaned.paragraphs:
        # Whatever the selectors and the search found was no text: trafilatura's turn.
        blocks, body_path = blocks_from_text(_generic_text(html)), "fallback"
        sources["body"] = "trafilatura"
        cleaned = clean_blocks(blocks, profile, known)
    removed += cleaned.removed
    if not cleaned.paragraphs:
        raise NotAnArticle("no_body", f"no article text found in {url}")
    if not title:
        raise NotAnArticle("no_title", f"no headline found in {url}")

    if profile is GENERIC:
        authors, sources["authors"] = find_authors(page, md, byline, site_names(md, url))
    else:  # a profile's byline is known; its JSON-LD and byline come first
        authors = (
            jsonld_names(md.jsonld.get("author"), md)
            or byline.authors
            or ([a.strip() for a in (md.first("author") or "").split(",") if a.strip()])
        )
        sources["authors"] = "jsonld:author" if md.jsonld.get("author") else byline.source
    published_at, published_raw = _published(page, md, byline, profile, body_el, sources)
    related = []
    for href in cleaned.related:
        resolved = _resolve_url(url, href, profile, mirror)
        if resolved and resolved not in related:
            related.append(resolved)
    body = "\n\n".join(cleaned.paragraphs)
    article = Article(
        article_id=ref.article_id,
        site=profile.name,
        url=ref.url,
        title=title,
        kicker=kicker,
        authors=list(dict.fromkeys(a for a in authors if a)),
        editor=cleaned.editor,
        published_at=published_at,
        published_raw=published_raw,
        dateline=cleaned.dateline,
        channel=ref.channel,
        subchannel=ref.subchannel,
        tags=_tags(page, profile, md),
        image_url=_resolve_url(url, image, profile, mirror) if image else None,
        image_caption=caption,
        body=body,
        related_urls=related,
        word_count=len(body.split()),
        language=_language(md, profile, sources),
        content_hash=blocks_hash(cleaned.blocks),
        duplicate_of=None,
        crawled_at=crawled_at or datetime.now(timezone.utc).replace(microsecond=0),
    )
    return ParseResult(article, removed, sources, generic=profile is GENERIC, body_path=body_path)


def parse_article(
    html: str | bytes,
    url: str,
    site: str | None = None,
    *,
    mirror: str | None = None,
    crawled_at: datetime | None = None,
) -> dict:
    """The article columns of one page (see contract); raises NotAnArticle (a ValueError)."""
    profile = get_profile(site) if site else profile_for_url(url)
    return dict(vars(parse_page(html, url, profile, mirror=mirror, crawled_at=crawled_at).article))

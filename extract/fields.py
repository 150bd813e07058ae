"""The fields of a page besides its body and authors, each from its sources, most trusted first,
recording the source that answered (`ParseResult.sources`): identity and URLs, title, kicker,
captions, lead image, publication time, tags, language. Used by `extract.parse`."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from extract import urls
from extract.blocks import normalise
from extract.byline import byline_above_headline
from extract.ids import base_domain
from extract.metadata import jsonld_text
from extract.published import find_published
from extract.selectors import PageIndex, text_of
from extract.sites.profile import SiteProfile
from extract.titles import find_title


def _first(page: PageIndex, selectors):
    for selector in selectors:
        for el in page.select(selector):
            if any(t.strip() for t in el.itertext()):
                return el, selector
    return None, None


def _selected_text(page: PageIndex, selectors, name: str, sources: dict) -> str | None:
    """Text of the first element that a selector finds, recording which selector answered."""
    el, sel = _first(page, selectors)
    if el is None:
        return None
    sources[name] = f"css:{sel}"
    return normalise(text_of(el))


def captions(page: PageIndex, profile: SiteProfile, md) -> set[str]:
    found = set()
    for selector in profile.caption_selectors:
        found.update(normalise(page.text(el)) for el in page.select(selector))
    for img in page.tagged("img"):
        for text in (img.get("alt"), img.get("title")):
            if text:
                found.add(normalise(text))
    found.add(normalise(md.first("og:image:alt", "twitter:image:alt") or ""))
    return {c for c in found if len(c.split()) >= 3}


def title(page, profile, md, url, sources) -> str | None:
    """A profile's title selectors when it has them (a site's own headline element), else the
    headline that the metadata and the page's <h1>s agree on (see `extract.titles`)."""
    text = _selected_text(page, profile.title_selectors, "title", sources)
    if text:
        return text
    title, source = find_title(page, md, url, profile.title_suffix)
    if title:
        sources["title"] = source
    return title


def kicker(page, profile, title_el_text, sources) -> str | None:
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


def resolve_url(base: str, href: str | None, profile: SiteProfile, mirror: str | None) -> str | None:
    """A link to an article, canonical (`urls.article_ref`) when it is one; None when it is no
    usable URL (`https://Baca:cdn.example.id/...` names no port)."""
    absolute = urls.resolve(base, href)
    if absolute is None:
        return None
    try:
        ref = urls.article_ref(absolute, profile, mirror)
        return ref.url if ref else urls.strip_tracking(urls.to_origin(absolute, profile, mirror), profile)
    except ValueError:
        return None


def resolve_link(base: str, href: str | None, profile: SiteProfile, mirror: str | None) -> str | None:
    """A link that is no article (an image): on the site's origin, tracking parameters gone,
    its other parameters kept (`?w=700` sizes a picture); None when it is no usable URL."""
    absolute = urls.resolve(base, href)
    try:
        return urls.strip_tracking(urls.to_origin(absolute, profile, mirror), profile) if absolute else None
    except ValueError:
        return None


def identity(url, ref, md, profile, mirror, sources):
    """The page's `ArticleRef`: its canonical link's when that names the same article (the
    same id; for a page without a profile, the same id on another host of the same site, or
    an id where the request URL has none), else the request URL's."""
    if md.canonical:
        canon = urls.resolve(url, md.canonical)
        canon_ref = urls.article_ref(canon, profile, mirror) if canon else None
        if canon_ref and (ref is None or canon_ref.article_id == ref.article_id or _same_generic(ref, canon_ref)):
            sources["url"] = "link:canonical"
            return canon_ref
    sources["url"] = "request-url"
    return ref


def _same_generic(ref, canon_ref) -> bool:
    """Whether a GENERIC page's canonical URL names its article: on the same site, with the
    same id under another host (`m.detik.com` -> `news.detik.com`), or with an id of the URL's
    own where the request URL has none (WordPress's `/?p=123` -> its permalink)."""
    if ref.shape is None and canon_ref.shape is None:
        return False  # two hashed URLs: nothing says they are one article
    if base_domain(urlsplit(ref.url).hostname or "") != base_domain(urlsplit(canon_ref.url).hostname or ""):
        return False
    local = ref.article_id.partition(":")[2]
    return canon_ref.article_id.partition(":")[2] == local or (ref.shape in (None, "query") and bool(canon_ref.shape))


def published(page, md, byline, profile: SiteProfile, body_el, sources: dict) -> tuple[datetime | None, str | None]:
    """Publication instant and the date text as printed (the byline's, else the metadata's):
    the metadata's most precise value checked against the byline's, else the byline's.
    A site profile's instants are written in its zone (WIB for medcom); a page without a
    profile keeps the offset it gave (see `extract.published`)."""
    published_at, raw, source = find_published(
        page, md, body_el, profile.timezone, byline, profile.date_meta, profile.local_time_as_utc
    )
    if published_at is None and (above := byline_above_headline(page, profile.timezone)):
        byline = above  # nothing under the headline nor in the metadata: the line over it
        published_at, raw, source = above.published_at, above.published_raw, above.source
    if published_at is not None:
        sources["published_at"] = source
    if published_at is not None and not profile.generic:
        published_at = published_at.astimezone(ZoneInfo(profile.timezone))
    return published_at, byline.published_raw or raw


_LANGUAGE = re.compile(r"^\s*([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*\s*$")


def language(md, profile: SiteProfile, sources: dict) -> str:
    """A GENERIC page's own language (`<html lang>`, og:locale, JSON-LD inLanguage) as a
    two-letter code; a profile's language otherwise, or when the page names none."""
    if profile.generic:
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


def tags(page: PageIndex, profile: SiteProfile, md) -> list[str]:
    tags = next(
        (
            [normalise(page.text(el)) for el in found]
            for found in (page.select(sel) for sel in profile.tag_selectors)
            if found
        ),
        [],
    )
    if not tags:
        keywords = md.first("news_keywords", "keywords") or jsonld_text(md.jsonld.get("keywords")) or ""
        tags = [t.strip() for t in keywords.split(",")]
    return list(dict.fromkeys(t for t in tags if t))


def lead_image(page: PageIndex, profile: SiteProfile, md, sources: dict) -> tuple[str | None, str | None]:
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

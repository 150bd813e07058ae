"""`(url, html) -> article`: the pure, layered parse and clean of one page.

Each field is tried from several sources, most trusted first, and the answering source is
recorded (`warta parse --explain`). Never imports Scrapy. Here the page is loaded and the
article assembled: the body comes from `extract.body`, the byline and authors from
`byline` and `authors`, the other fields from `extract.fields`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from lxml import etree

from extract import fields, urls
from extract.article import Article
from extract.authors import find_authors
from extract.blocks import blocks_from_text
from extract.body import find_body
from extract.bounds import PageTooComplex, bounded, decode_bom
from extract.byline import find_byline, selected_authors
from extract.channels import find_channel
from extract.metadata import jsonld_names, read_metadata
from extract.selectors import PageIndex
from extract.sites import get_site, site_for_url
from extract.sites.profile import SiteProfile
from extract.text import blocks_hash, clean_blocks
from extract.titles import h1_texts, site_names


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
    route: str = "profile"
    """Which extraction route gave the body: `profile` (a site's body selector won), `generic`
    (the scored main-content search won, or the GENERIC profile's selectors, which are judged
    the same way), or `fallback` (trafilatura)."""


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


@dataclass(frozen=True, slots=True)
class _Page:
    """The bytes libxml2 reads, and what trafilatura is given when nothing else finds a body."""

    html: bytes
    utf8: bool
    original: str | bytes


def _prepare(html: str | bytes) -> _Page:
    original, utf8 = html, isinstance(html, str)
    if not utf8 and (decoded := decode_bom(html)) is not None:  # a UTF-16/32 mark wins over any charset
        original = html = decoded
        utf8 = True
    if utf8:
        html = html.encode("utf-8", "replace")
    if not html or not html.strip():
        raise NotAnArticle("empty_page", "the page has no content")
    try:
        capped, cut = bounded(html)
    except PageTooComplex as exc:
        raise NotAnArticle("too_complex", f"the page has {exc}") from None
    return _Page(capped, utf8 or _is_utf8(capped), capped if cut else original)


def _load(page: _Page):
    # A plain lxml tree: lxml.html's element classes cost a Python call per element touched.
    try:
        root = etree.fromstring(page.html, _UTF8_PARSER if page.utf8 else _PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise NotAnArticle("not_html", str(exc) or "unparseable markup") from None
    if root is None or not isinstance(root.tag, str):
        raise NotAnArticle("not_html", "no document element")
    return root


def _generic_text(html) -> str:
    import trafilatura  # imported late: heavy, and only needed when no selector matches

    return trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True) or ""


def parse_page(
    html: str | bytes, url: str, profile: SiteProfile, *, mirror: str | None = None, crawled_at: datetime | None = None
) -> ParseResult:
    """Parse and clean one page; raise NotAnArticle when it is not an article of `profile`."""
    url_ref = urls.article_ref(url, profile, mirror)
    if not profile.generic and url_ref is None:
        raise NotAnArticle("not_article_url", f"{url} is not an article URL of {profile.name}")
    prepared = _prepare(html)
    page = PageIndex(_load(prepared), profile.parsed_selector, profile.css)
    md = read_metadata(page)
    sources: dict[str, str] = {}
    ref = fields.identity(url, url_ref, md, profile, mirror, sources)
    captions = fields.captions(page, profile, md)

    title = fields.title(page, profile, md, url, sources)
    image, caption = fields.lead_image(page, profile, md, sources)
    blocks, removed, body_el, route = find_body(page, profile, profile.generic, md, title, sources)
    byline = find_byline(page, profile, body_el)
    kicker = fields.kicker(page, profile, title, sources)
    known = {
        "caption": captions,
        "headline": {title or "", *h1_texts(page)},
        "byline": {byline.text},
        "kicker": {kicker or ""},
    }
    cleaned = clean_blocks(blocks, profile, known)
    if not cleaned.paragraphs:
        # Whatever the selectors and the search found was no text: trafilatura's turn.
        blocks, route = blocks_from_text(_generic_text(prepared.original)), "fallback"
        sources["body"] = "trafilatura"
        cleaned = clean_blocks(blocks, profile, known)
    removed += cleaned.removed
    if not cleaned.paragraphs:
        raise NotAnArticle("no_body", f"no article text found in {url}")
    if not title:
        raise NotAnArticle("no_title", f"no headline found in {url}")

    channel, subchannel = ref.channel, ref.subchannel
    if profile.generic:
        names = site_names(md, url)
        authors, sources["authors"] = find_authors(page, md, byline, names)
        channel, subchannel = find_channel(page, md, ref, title, names, sources)
    else:  # a site's own selectors, then its JSON-LD and byline
        own = selected_authors(page, profile.author_selectors)
        authors = (
            own
            or jsonld_names(md.jsonld.get("author"), md)
            or byline.authors
            or ([a.strip() for a in (md.first("author") or "").split(",") if a.strip()])
        )
        sources["authors"] = "css:authors" if own else "jsonld:author" if md.jsonld.get("author") else byline.source
        if channel is None:  # the site's URLs do not say: its breadcrumb, path or host
            channel, subchannel = find_channel(page, md, ref, title, site_names(md, url), sources, profile)
    published_at, published_raw = fields.published(page, md, byline, profile, body_el, sources)
    related = []
    for href in cleaned.related:
        resolved = fields.resolve_url(url, href, profile, mirror)
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
        channel=channel,
        subchannel=subchannel,
        tags=fields.tags(page, profile, md),
        image_url=fields.resolve_link(url, image, profile, mirror) if image else None,
        image_caption=caption,
        body=body,
        related_urls=related,
        word_count=len(body.split()),
        language=fields.language(md, profile, sources),
        content_hash=blocks_hash(cleaned.blocks),
        duplicate_of=None,
        crawled_at=crawled_at or datetime.now(timezone.utc).replace(microsecond=0),
    )
    return ParseResult(article, removed, sources, generic=profile.generic, route=route)


def parse_article(
    html: str | bytes,
    url: str,
    site: str | None = None,
    *,
    mirror: str | None = None,
    crawled_at: datetime | None = None,
) -> dict:
    """The article columns of one page (see contract); raises NotAnArticle (a ValueError)."""
    profile = get_site(site) if site else site_for_url(url)
    return dict(vars(parse_page(html, url, profile, mirror=mirror, crawled_at=crawled_at).article))

"""The ground truth of a generated mirror: its articles, with what warta should extract from
each page (`MirrorArticle.expected()`), and the site that holds them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from demosite.generator import SiteModel
from demosite.mirrors.style import Section, Style


def canonical(url: str) -> str:
    """An article URL as warta writes it: no query, no fragment, no trailing slash."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/') or '/'}"


def url_hash(url: str) -> str:
    """The id of an article whose URL carries none: the first 16 hex digits of the SHA-1 of
    its canonical URL (warta's `hash` id, restated here: demosite imports nothing of warta)."""
    return hashlib.sha1(canonical(url).encode()).hexdigest()[:16]


@dataclass
class MirrorArticle:
    """One generated article: its truth, its URL and the parts the URL was made of."""

    site: str
    article_id: str  # the expected id (see the form's `article_id` in the style)
    url: str  # as the site links it (a trailing slash where the form has one)
    form: str  # the URL form's name ("current", "2016"...)
    url_parts: dict[str, str]  # every placeholder value of the URL (`id`, `yyyy`, `host`...)
    section: Section
    title: str
    kicker: str | None
    authors: list[str]  # [] when the byline names only the newsroom (`people.brand`)
    editor: str | None  # the editor's code as printed in the body, None if the site prints none
    editor_name: str  # the editor's name, for credit lines ("Editor: ...", "Red: ...")
    published_at: datetime  # WIB; seconds only where the page shows them
    modified_at: datetime
    published_raw: str  # the printed publication date of the byline
    dateline: str | None
    paragraphs: list[str]  # sub-headings included, as their own paragraph
    headings: set[int]
    tags: list[str]
    image_url: str
    image_caption: str
    content_id: str  # the CMS's number, where a page carries one besides its URL (dataLayer, app id)
    related: list[str] = field(default_factory=list)  # article ids linked with "Baca juga"
    related_urls: list[str] = field(default_factory=list)  # their canonical URLs, in page order

    @property
    def canonical_url(self) -> str:
        return canonical(self.url)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def channel(self) -> str:
        return self.section.channel

    @property
    def subchannel(self) -> str | None:
        return self.section.subchannel or None

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    def expected(self) -> dict:
        """The article as warta should extract it from its page, column by column."""
        return {
            "site": self.site,
            "article_id": self.article_id,
            "url": self.canonical_url,
            "title": self.title,
            "kicker": self.kicker,
            "authors": list(self.authors),
            "editor": self.editor,
            "published_at": self.published_at.isoformat(),
            "published_raw": self.published_raw,
            "dateline": self.dateline,
            "channel": self.channel,
            "subchannel": self.subchannel,
            "body": self.body,
            "related_urls": list(self.related_urls),
            "tags": list(self.tags),
        }


@dataclass
class MirrorSite(SiteModel):
    """A generated mirror of one site (a SiteModel: `origin`, `articles`, `days`)."""

    name: str
    style: Style
    missing_url: str  # an article-shaped URL the site links but does not serve (404)

    def hosts(self) -> set[str]:
        """The hosts its articles live on."""
        return {a.host for a in self.articles} | {s.host for s in self.style.sections}

    def expected(self) -> dict[str, dict]:
        """Every article's expected row, by article id."""
        return {a.article_id: a.expected() for a in self.articles}

    def on_day(self, day: date) -> list[MirrorArticle]:
        return [a for a in self.articles if a.published_at.date() == day]

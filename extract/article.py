"""The article record: the one schema that parsing produces and Parquet stores.

Every column of the contract is a field here; `pipeline.store.schema` derives the Arrow schema
from these fields, so a column is added in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime


def _doc(text: str, **extra) -> dict:
    return {"doc": text, **extra}


@dataclass
class Article:
    article_id: str = field(metadata=_doc("The site's stable id (medcom: the 8-character id in the URL)."))
    site: str = field(metadata=_doc("Profile name, e.g. `medcom`.", partition=True))
    url: str = field(metadata=_doc("Canonical URL on the site's origin, without tracking parameters."))
    title: str = field(metadata=_doc("Headline."))
    kicker: str | None = field(default=None, metadata=_doc("Line above the headline."))
    authors: list[str] = field(default_factory=list, metadata=_doc("One entry per person."))
    editor: str | None = field(default=None, metadata=_doc("The editor code, e.g. `WIL`."))
    published_at: datetime | None = field(default=None, metadata=_doc("Publication instant.", tz="Asia/Jakarta"))
    published_raw: str | None = field(default=None, metadata=_doc("The date text as printed on the page."))
    dateline: str | None = field(default=None, metadata=_doc("The place the body starts with, removed from the body."))
    channel: str | None = field(default=None, metadata=_doc("First URL path segment (nasional, ekonomi...)."))
    subchannel: str | None = field(default=None, metadata=_doc("Second URL path segment (politik, asean...)."))
    tags: list[str] = field(default_factory=list, metadata=_doc("Tags / keywords of the article."))
    image_url: str | None = field(default=None, metadata=_doc("Lead image URL."))
    image_caption: str | None = field(default=None, metadata=_doc("Lead image caption."))
    body: str = field(
        default="", metadata=_doc("Clean article text, paragraphs joined by a blank line; no boilerplate.")
    )
    related_urls: list[str] = field(
        default_factory=list, metadata=_doc("Canonical URLs of the 'Baca' / 'Baca juga' links in the body.")
    )
    word_count: int = field(default=0, metadata=_doc("Words in body."))
    language: str = field(default="id", metadata=_doc("ISO 639-1 language code of the body."))
    content_hash: str = field(default="", metadata=_doc("SHA-1 of the normalised body (lower case, words only)."))
    duplicate_of: str | None = field(
        default=None, metadata=_doc("For a near-duplicate re-post: the article_id of the earlier story.")
    )
    crawled_at: datetime | None = field(default=None, metadata=_doc("When the page was fetched.", tz="UTC"))


# Fields whose fill rate tells whether the parser still understands the site's layout.
HEALTH_FIELDS = ("title", "body", "published_at", "authors", "editor", "channel", "image_url", "tags")


def article_fields():
    """The dataclass fields of `Article`, in column order."""
    return fields(Article)

"""The items that travel through a crawl, one type per stage.

    spider --FetchedPage--> raw archive, ArticlePipeline --ArticleItem--> boilerplate, dedup, staging --> dict

The spider hands over the fetched page; the raw archive keeps its response and
`ArticlePipeline` parses it into an `ArticleItem`: the `Article` record plus the run's
bookkeeping about it (where it came from, its distributed-mode lease, its near-duplicate
sketch); the HTML goes no further than the parse. Staging writes the article alone and
returns it as a plain dict, so feed exports and `item_scraped` receivers see only columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from extract.article import Article


@dataclass(slots=True)
class FetchedPage:
    """One article response, as the spider hands it over."""

    url: str
    """The URL it was fetched from (on a mirror when the crawl has a base URL)."""
    canonical: str
    """The article's URL on the site's origin, as discovery found it."""
    status: int
    """HTTP status of the response."""
    body: bytes
    """The response body, undecoded."""
    fetched_at: datetime
    """When the response arrived (aware)."""
    headers: dict[str, list[str]] = field(default_factory=dict)
    """Response headers (names lower-case), for the raw archive."""
    lease: str | None = None
    """Distributed mode: the lease of the request, acknowledged once the outcome is durable."""
    article_id: str | None = None
    """The site's id of the article, from the URL discovery found."""


@dataclass(slots=True)
class ArticleItem:
    """A parsed article with the crawl's bookkeeping about it."""

    article: Article
    """The record that is staged and published."""
    url: str
    """The URL the page was fetched from."""
    lease: str | None = None
    """Distributed mode: the lease of the request, acknowledged once the article is durable."""
    route: str = "profile"
    """Which extraction route gave the body: `profile`, `generic` or `fallback`."""
    removed: list[tuple[str, str]] = field(default_factory=list)
    """(rule, text) of everything the cleaning removed, counted in the crawl stats."""
    signature: np.ndarray | None = None
    """The near-duplicate sketch of the body, computed once: with the parse (else by dedup, else at staging)."""
    band_keys: list[int] | None = None
    """The sketch's band keys (`pipeline.dedup.neardup.band_keys`), computed with it."""
    paragraph_hashes: list[int | None] | None = None
    """The body's paragraph hashes for learned boilerplate (`pipeline.dedup.boilerplate.paragraph_hashes`),
    computed with the parse when that pipeline is on."""

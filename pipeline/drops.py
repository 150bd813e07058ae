"""The rules that keep a parsed article out of staging, one function for the crawl
(crawler.pipelines.articles) and for re-extraction from the archive (pipeline.snapshots.reparse),
so that a reparse drops what the crawl would have dropped, by the same counted reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

from extract.article import Article
from extract.dates import local_day

EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)  # before the web had news sites
AHEAD = timedelta(days=1)  # a publication time further ahead of its fetch than this is a lie


def implausible_date(published: datetime, fetched: datetime | None = None) -> bool:
    """True for a publication time before 1990, or more than a day after the page was fetched
    (`fetched`, default now): a page claiming the year 9999 must not make a partition."""
    fetched = fetched or datetime.now(timezone.utc)
    if published.tzinfo is None:
        published = published.replace(tzinfo=timezone.utc)
    return published < EARLIEST or published > fetched + AHEAD


def drop_reason(
    article: Article, timezone_name: str, in_range: Callable[[date], bool] | None = None
) -> tuple[str, str] | None:
    """(reason, message) when `article` must not be staged: no publication time (`no_date`), an
    implausible one (`implausible_date`), or a publication day (in the site's time zone)
    outside the days asked for (`out_of_range`); None when it may be staged."""
    published = article.published_at
    if published is None:
        return "no_date", f"no publication date found on {article.url}"
    if implausible_date(published, article.crawled_at):
        return "implausible_date", f"{article.url} claims to be published {published:%Y-%m-%d}"
    if in_range is not None and not in_range(local_day(published, timezone_name)):
        return "out_of_range", f"{article.url} published {published:%Y-%m-%d}"
    return None

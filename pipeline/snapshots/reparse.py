"""Re-extracting archived pages with today's parser: `warta reparse` and `warta snapshot --repair`.

No network: each article's latest archived response (`pipeline.store.warc`) is parsed again,
the same drops and dedupe rules apply (a body another article already owns is a
`duplicate_content` drop; learned boilerplate and near-duplicates are applied by the build),
the records are staged like a crawl's, with the original fetch time, and the affected days
are rebuilt. Staging is durable and the build replaces rows by article id, so a run killed
at any point is simply run again: it changes nothing that a finished run would not.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from extract.dates import local_day
from extract.parse import NotAnArticle, parse_page
from extract.profiles import PROFILES, get_profile
from pipeline.dedup.seen import SeenStore, seen_path
from pipeline.snapshots.build import build
from pipeline.snapshots.merge import BuildReport
from pipeline.store.datadir import DataDir
from pipeline.store.partitions import Partitions
from pipeline.store.raw_index import RawIndex
from pipeline.store.staging import open_writer
from pipeline.store.warc import read_record

logger = logging.getLogger(__name__)


@dataclass
class ReparseReport:
    pages: int = 0
    articles: int = 0
    dropped: Counter = field(default_factory=Counter)
    days: set[tuple[str, str]] = field(default_factory=set)
    build: BuildReport | None = None


def _read_records(data_dir: DataDir, places: Iterator[tuple[str, str, int, int]]):
    """Archived responses at the index's places, reading each file in order (one open at a time)."""
    current, fh = None, None
    try:
        for aid, key, offset, length in places:
            if key != current:
                if fh is not None:
                    fh.close()
                fh = (
                    data_dir.store.fs.open(data_dir.store.path(key), "rb")
                    if data_dir.remote
                    else open(data_dir.store.path(key), "rb")
                )
                current = key
            fh.seek(offset)
            try:
                yield read_record(fh.read(length), key, offset)
            except ValueError as exc:  # one damaged record costs that page, counted by the caller
                logger.warning("raw archive: cannot read %s at %s:%d (%s)", aid, key, offset, exc)
    finally:
        if fh is not None:
            fh.close()


def reparsed(
    data_dir: DataDir,
    site: str,
    days: set[str] | None,
    report: ReparseReport,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[dict]:
    """The records of `site`'s archived articles (those published on `days`, or all)."""
    index = RawIndex(data_dir)
    seen = SeenStore(seen_path(data_dir)) if seen_path(data_dir).exists() else None
    profile = get_profile(site)
    owners: dict[str, str] = {}
    try:
        total = index.count(site)  # the caller has refreshed the index
        for n, raw in enumerate(_read_records(data_dir, index.latest_records(site, days)), start=1):
            report.pages += 1
            if progress and n % 100 == 0:
                progress(n, total)
            page = raw.page
            try:
                article = parse_page(
                    page.body, page.url, profile, mirror=raw.mirror, crawled_at=page.fetched_at
                ).article
            except NotAnArticle as exc:
                report.dropped[exc.reason] += 1
                continue
            except Exception:  # a parser bug costs one page, as in a crawl
                logger.exception("parser failed on archived %s", page.url)
                report.dropped["parse_error"] += 1
                continue
            if article.published_at is None:
                report.dropped["no_date"] += 1
                continue
            day = local_day(article.published_at, profile.timezone).isoformat()
            if days is not None and day not in days:
                continue
            aid, digest = article.article_id, article.content_hash
            # The crawl kept the first article with a body (in fetch order: the archive's order)
            # and dropped later copies; a copy's original may also lie outside the days asked for.
            owner = owners.get(digest)
            if owner is None and seen is not None:
                earlier = seen.owner_of_hash(site, digest, exclude=aid)
                owner = earlier if earlier and index.published_day(site, earlier) else None
            if owner is not None and owner != aid:
                report.dropped["duplicate_content"] += 1
                continue
            owners[digest] = aid
            report.articles += 1
            report.days.add((site, day))
            yield dict(vars(article))
        if progress:
            progress(total, total)
    finally:
        index.close()
        if seen is not None:
            seen.close()


def _stage(data_dir: DataDir, site: str, records: Iterator[dict]) -> None:
    writer = open_writer(data_dir, site, flush_items=500, flush_seconds=3600)
    try:
        for record in records:
            writer.add(record)
            if writer.due:
                writer.flush()
    finally:
        writer.close()


def reparse(
    data_dir: "str | DataDir",
    site: str | None = None,
    since: date | None = None,
    until: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ReparseReport:
    """Re-extract the archive (one site or all, only articles published from `since` to
    `until` when given) and rebuild the affected partitions."""
    data_dir = DataDir.of(data_dir)
    report = ReparseReport()
    days = None
    if since is not None:
        last = until or since
        days = {date.fromordinal(d).isoformat() for d in range(since.toordinal(), last.toordinal() + 1)}
    index = RawIndex(data_dir)
    index.refresh()
    sites = [site] if site else [s for s in index.sites() if s in PROFILES]
    index.close()
    for name in sites:
        _stage(data_dir, name, reparsed(data_dir, name, days, report, progress))
    if report.days:
        report.build = build(data_dir, dates={date.fromisoformat(d) for _, d in report.days})
    return report


def repair(
    data_dir: "str | DataDir", progress: Callable[[int, int], None] | None = None
) -> tuple[list[str], ReparseReport]:
    """Rebuild every partition that is missing, unreadable or disagrees with its manifest from
    the raw archive; returns the problems found and what the re-extraction did."""
    data_dir = DataDir.of(data_dir)
    partitions = Partitions(data_dir)
    broken = set(partitions.broken())
    for site, day in broken:
        partitions.remove(site, day)  # rebuilt from the archive (and staging) below
    problems = [f"site={s}/date={d}: missing, unreadable or not as its manifest says" for s, d in sorted(broken)]
    # A partition that reads well but lacks articles the archive says were staged for its day
    # (a staging segment lost before its build, rows deleted by hand) is completed, not replaced.
    index = RawIndex(data_dir)
    try:
        index.refresh()
        for (site, day), ids in sorted(index.staged_days().items()):
            if (site, day) in broken:
                continue
            held = partitions.article_ids(site, day)
            if held is None or ids - held:
                broken.add((site, day))
                problems.append(f"site={site}/date={day}: {len(ids - (held or set()))} archived articles missing")
    finally:
        index.close()
    report = ReparseReport()
    for site in sorted({s for s, _ in broken if s in PROFILES}):
        days = {d for s, d in broken if s == site}
        _stage(data_dir, site, reparsed(data_dir, site, days, report, progress))
    if broken:
        report.build = build(data_dir, dates={date.fromisoformat(d) for _, d in broken})
    return problems, report

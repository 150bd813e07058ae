"""Re-extracting archived pages with today's parser: `warta reparse` (and, for the days it
rebuilds, `warta snapshot --repair`, `pipeline.snapshots.repair`).

No network: each article's latest archived response (`pipeline.store.warc`) is parsed again,
the same drops and dedupe rules apply (a body another article already owns is a
`duplicate_content` drop; learned boilerplate and near-duplicates are applied by the build),
the records are staged like a crawl's, with the original fetch time, and the affected days
are rebuilt. Staging is durable and the build replaces rows by article id, so a run killed
at any point is simply run again: it changes nothing that a finished run would not. Only a
record that reads back whole is used (`pipeline.store.warc_records`): the others, and the records of
a WARC file that is gone, are counted by reason and named, and their articles keep the rows
they have.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from extract.dates import local_day
from extract.parse import NotAnArticle, parse_page
from extract.sites import load_sites
from pipeline.dedup.seen import SeenStore, seen_path
from pipeline.drops import drop_reason
from pipeline.snapshots.build import build
from pipeline.snapshots.merge import BuildReport
from pipeline.store.datadir import DataDir
from pipeline.store.raw_index import RawIndex
from pipeline.store.staging import open_writer
from pipeline.store.warc_records import RawPage, UnusableRecord, read_record

logger = logging.getLogger(__name__)

# (article id, WIB day) -> whether repair wants it re-extracted
Selection = Callable[[str, str | None], bool]


@dataclass
class ReparseReport:
    pages: int = 0
    articles: int = 0
    dropped: Counter = field(default_factory=Counter)
    days: set[tuple[str, str]] = field(default_factory=set)
    build: BuildReport | None = None
    # Archived articles whose record could not be used, by reason (damaged_record,
    # missing_file, unreadable_file), their ids, and one line per WARC file at fault.
    unusable: Counter = field(default_factory=Counter)
    unusable_ids: set[str] = field(default_factory=set)
    archive_problems: list[str] = field(default_factory=list)
    placed: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # site -> (id, day) staged
    from_earlier: set[str] = field(default_factory=set)  # repair: read from an earlier whole response
    # repair: one line per day with articles that could not be rebuilt, and their ids
    lost: list[str] = field(default_factory=list)
    lost_ids: set[str] = field(default_factory=set)
    unnamed_lost: int = 0

    def unusable_line(self) -> str:
        """'N (reason=n, ...)' of the archived articles that could not be re-extracted."""
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(self.unusable.items()))
        return f"{sum(self.unusable.values())} ({reasons})"


def _read_records(data_dir: DataDir, places, report: ReparseReport) -> Iterator[RawPage]:
    """The archived responses at the index's places (in file order, one file open at a time)
    that read back whole; the others are counted, one line per file."""
    for key, group in itertools.groupby(places, key=lambda place: place[1]):
        group = list(group)
        try:
            fh = data_dir.store.open(key)
        except OSError as exc:
            reason = "missing_file" if isinstance(exc, FileNotFoundError) else "unreadable_file"
            report.unusable[reason] += len(group)
            report.unusable_ids.update(place[0] for place in group)
            state = "is missing" if reason == "missing_file" else f"cannot be read ({exc.strerror or exc})"
            report.archive_problems.append(f"raw archive: {key} {state} ({len(group)} articles)")
            continue
        damaged: list[tuple[str, str]] = []
        with fh:
            for aid, _, offset, length, _ in group:
                try:
                    fh.seek(offset)
                    raw = read_record(fh.read(length), key, offset)
                except (UnusableRecord, OSError) as exc:
                    damaged.append((aid, str(exc)))
                    continue
                yield raw
        if damaged:
            report.unusable["damaged_record"] += len(damaged)
            report.unusable_ids.update(aid for aid, _ in damaged)
            report.archive_problems.append(
                f"raw archive: {key}: {len(damaged)} records do not read back whole, not used "
                f"(first: {damaged[0][0]}, {damaged[0][1]})"
            )


def _earlier(data_dir: DataDir, index: RawIndex, site: str, report: ReparseReport, before: set[str]):
    """For each article whose latest record could not be used (since `before`), its newest
    earlier response that reads back whole, if any."""
    for aid in sorted(report.unusable_ids - before):
        for key, offset, length in index.earlier_records(site, aid):
            try:
                with data_dir.store.open(key) as fh:
                    fh.seek(offset)
                    raw = read_record(fh.read(length), key, offset)
            except (OSError, UnusableRecord):
                continue
            report.from_earlier.add(aid)
            yield raw
            break


def reparsed(
    data_dir: DataDir,
    site: str,
    days: set[str] | None,
    report: ReparseReport,
    progress: Callable[[int, int], None] | None = None,
    select: Selection | None = None,
) -> Iterator[dict]:
    """The records of `site`'s archived articles (those published on `days`, or all; only
    those `select` wants when given). A record that does not read back whole is never used;
    with `select` (repair) an earlier response of its article that does is used instead (a
    published row of a later crawl still wins the merge)."""
    index = RawIndex(data_dir)
    seen = SeenStore(seen_path(data_dir)) if seen_path(data_dir).exists() else None
    profile = load_sites().get(site)
    owners: dict[str, str] = {}
    try:
        total = index.count(site)  # the caller has refreshed the index
        places = index.latest_records(site, days)
        if select is not None:
            places = (place for place in places if select(place[0], place[4]))
        raws = _read_records(data_dir, places, report)
        if select is not None:  # chained lazily: runs once the latest records are read
            raws = itertools.chain(raws, _earlier(data_dir, index, site, report, set(report.unusable_ids)))
        for n, raw in enumerate(raws, start=1):
            report.pages += 1
            if progress and n % 100 == 0:
                progress(n, total)
            page = raw.page
            try:
                article = parse_page(
                    page.body, page.canonical or page.url, profile, mirror=raw.mirror, crawled_at=page.fetched_at
                ).article
            except NotAnArticle as exc:
                report.dropped[exc.reason] += 1
                continue
            except Exception:  # a parser bug costs one page, as in a crawl
                logger.exception("parser failed on archived %s", page.url)
                report.dropped["parse_error"] += 1
                continue
            in_days = None if days is None else (lambda day: day.isoformat() in days)
            if dropped := drop_reason(article, profile.timezone, in_days):
                report.dropped[dropped[0]] += 1
                continue
            day = local_day(article.published_at, profile.timezone).isoformat()
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
            report.placed.setdefault(site, []).append((aid, day))
            yield dict(vars(article))
        if progress:
            progress(total, total)
    finally:
        index.close()
        if seen is not None:
            seen.close()


def stage_records(data_dir: DataDir, site: str, records: Iterator[dict]) -> None:
    """Stage re-extracted records as a crawl does (durable once this returns)."""
    writer = open_writer(data_dir, site, flush_items=500, flush_seconds=3600)
    try:
        for record in records:
            writer.add(record)
            if writer.due:
                writer.flush()
    finally:
        writer.close()


def remember_days(data_dir: DataDir, report: ReparseReport) -> None:
    """The index learns the day each re-extracted article is staged for (today's parser may
    date it differently), once its staged line is durable."""
    if report.placed:
        index = RawIndex(data_dir)
        try:
            for site, days in report.placed.items():
                index.set_published(site, days)
        finally:
            index.close()


def reparse(
    data_dir: "str | DataDir",
    site: str | None = None,
    since: date | None = None,
    until: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ReparseReport:
    """Re-extract the archive (one site or all, only articles published from `since` to
    `until` when given) and rebuild the affected partitions. An article whose record does not
    read back whole keeps its published row (`report.unusable`)."""
    data_dir = DataDir.of(data_dir)
    report = ReparseReport()
    days = None
    if since is not None:
        last = until or since
        days = {date.fromordinal(d).isoformat() for d in range(since.toordinal(), last.toordinal() + 1)}
    index = RawIndex(data_dir)
    index.refresh()
    sites = [site] if site else [s for s in index.sites() if s in load_sites()]
    index.close()
    for name in sites:
        stage_records(data_dir, name, reparsed(data_dir, name, days, report, progress))
    remember_days(data_dir, report)
    if report.days:
        report.build = build(data_dir, dates={date.fromisoformat(d) for _, d in report.days})
    return report

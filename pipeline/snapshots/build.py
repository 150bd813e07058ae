"""Building the daily Parquet snapshots from staging.

1. Bucket: every finished staging segment is read once and its records appended to a
   scratch file per (site, WIB date) partition (memory stays bounded by one record).
2. Merge (`pipeline.snapshots.merge`): per partition, staged records are upserted into the published
   rows by `article_id` (latest `crawled_at` wins), sorted deterministically, and written with
   the explicit schema; an unchanged partition is not rewritten, so a re-run changes no byte.
3. Publish (`pipeline.store.partitions`, `pipeline.store.backends` on object stores): temp file, fsync,
   rename (or temp object, copy), then the manifest. Segments are deleted only after every
   partition they fed is published.
A build killed at any point leaves every published partition readable; the next build
redoes the work from the segments, which are still there. One build runs at a time per data
dir (`pipeline.snapshots.lock`).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
from collections import OrderedDict
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, datetime, timezone
from pathlib import Path

from extract.dates import local_day
from extract.sites import load_sites
from pipeline.dedup.boilerplate import BoilerplateStore, store_path
from pipeline.dedup.neardup import DEFAULT_THRESHOLD
from pipeline.dedup.seen import seen_path
from pipeline.dedup.seen_rebuild import open_seen_store
from pipeline.snapshots.lock import build_lock, redis_build_lock
from pipeline.snapshots.merge import BuildReport, clean_row, merge, resolve_near_duplicates
from pipeline.store.completeness import archived_days, gone_from
from pipeline.store.datadir import DataDir
from pipeline.store.partitions import LEDGER_NAME, Partitions
from pipeline.store.schema import record_problem
from pipeline.store.staging import staged_segments


class _Buckets:
    """Scratch JSON-lines files, one per partition, with a small cache of open handles."""

    def __init__(self, root: Path, max_open: int = 64):
        self.root = root
        self.max_open = max_open
        self.handles: OrderedDict[tuple[str, str], object] = OrderedDict()
        self.keys: set[tuple[str, str]] = set()

    def path(self, key: tuple[str, str]) -> Path:
        return self.root / key[0] / f"{key[1]}.jsonl"

    def add(self, key: tuple[str, str], record: dict) -> None:
        fh = self.handles.pop(key, None)
        if fh is None:
            self.path(key).parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path(key), "a", encoding="utf-8")
            if len(self.handles) >= self.max_open:
                self.handles.popitem(last=False)[1].close()
        self.handles[key] = fh
        self.keys.add(key)
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        for fh in self.handles.values():
            fh.close()
        self.handles.clear()

    def records(self, key: tuple[str, str]) -> list[dict]:
        with open(self.path(key), encoding="utf-8") as fh:
            return [json.loads(line) for line in fh]


class _Rejects:
    """Quarantine of staged records that cannot become rows: `rejects/<site>/<build day>.jsonl`,
    one line each with the reason and the segment it came from, for a person to look at."""

    def __init__(self, root: Path, report: BuildReport):
        self.root = root
        self.report = report
        self.handles: dict[Path, object] = {}

    def add(self, record, reason: str, segment) -> None:
        site = record.get("site") if isinstance(record, dict) else None
        site = site if isinstance(site, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", site) else "unknown"
        path = self.root / site / f"{datetime.now(timezone.utc):%Y-%m-%d}.jsonl"
        if path not in self.handles:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.handles[path] = open(path, "a", encoding="utf-8")
            self.report.rejects.append(str(path))
        line = {"reason": reason, "segment": str(segment.path), "record": record}
        self.handles[path].write(json.dumps(line, ensure_ascii=False) + "\n")
        self.report.rejected += 1

    def close(self) -> None:
        for fh in self.handles.values():
            fh.flush()
            os.fsync(fh.fileno())  # the segment goes once the build is done: keep its bad lines
            fh.close()
        self.handles.clear()


def _partition_key(record: dict, zones: dict[str, str]) -> tuple[str, str] | None:
    """(site, WIB day) of a staged record; `zones`: site -> time zone (a site without a definition
    any more: Asia/Jakarta)."""
    published = record.get("published_at")
    if not published:
        return None
    tz = zones.get(record["site"], "Asia/Jakarta")
    return record["site"], local_day(datetime.fromisoformat(published), tz).isoformat()


def build(
    data_dir: str | os.PathLike,
    dates: set[date] | None = None,
    rebuild_all: bool = False,
    progress: Callable[[int, int], None] | None = None,
    near_threshold: float = DEFAULT_THRESHOLD,
    redis_url: str | None = None,
    repairing: frozenset[tuple[str, str]] = frozenset(),
) -> BuildReport:
    """Publish every partition with staged records (only `dates` when given); with
    `rebuild_all`, also rewrite every existing partition (schema upgrades). With `redis_url`
    the build lock and the seen-store are the distributed ones in Redis. A partition the site
    ledger lists but whose file is gone blocks its day, unless it is one of the (site, day)
    that `repairing` (`warta snapshot --repair`) rebuilds."""
    report = BuildReport()
    data_dir = DataDir.of(data_dir)
    shared = redis_build_lock(redis_url, str(data_dir)) if redis_url else nullcontext()
    with build_lock(data_dir), shared:
        return _build(data_dir, report, dates, rebuild_all, progress, near_threshold, redis_url, repairing)


def _vanished(archived, partitions: Partitions, key, before, ledger_problem, staged: list[dict]) -> str | None:
    """Why a partition whose file is gone must not be published from staging alone (it would
    be published smaller): the ledger lists it, or, without a usable ledger, the raw archive
    has articles staged for its day that would be left out."""
    if before:
        return f"published before with {before} rows, per {LEDGER_NAME}"
    if ledger_problem:
        left_out = archived().get(key, set()) - {r["article_id"] for r in staged}
        left_out -= partitions.published_ids(key[0]).keys()
        if left_out:
            return f"{LEDGER_NAME} {ledger_problem}, the raw archive has {len(left_out)} more articles staged for it"
    return None


def _lowered(archived, partitions: Partitions, key, before: int, existing, table, report: BuildReport) -> None:
    """Name the articles a publish with fewer rows than before leaves out (the ids the old
    rows held, or without them those the raw archive has for the day)."""
    after = set(table.column("article_id").to_pylist())
    known = set(existing.column("article_id").to_pylist()) if existing is not None else archived().get(key, set())
    elsewhere = {aid: day for aid, day in partitions.published_ids(key[0]).items() if day != key[1]}
    line, lost = gone_from(f"site={key[0]}/date={key[1]}", before, known, after, elsewhere)
    report.lowered.append(line)
    report.lost |= lost


def _build(
    data_dir, report: BuildReport, dates, rebuild_all, progress, near_threshold, redis_url, repairing
) -> BuildReport:
    partitions = Partitions(data_dir)
    partitions.remove_stale()
    scratch = data_dir.scratch
    shutil.rmtree(scratch, ignore_errors=True)
    buckets = _Buckets(scratch)
    rejects = _Rejects(data_dir.local / "rejects", report)
    wanted = {d.isoformat() for d in dates} if dates else None
    consumed, held = [], []
    feeds: dict[int, set[tuple[str, str]]] = {}  # segment -> the partitions it has records for
    learned: dict[str, frozenset[int]] = {}
    observations: dict[str, list[tuple[str, list[str]]]] = {}
    store = BoilerplateStore(store_path(data_dir))
    seen = open_seen_store(data_dir, redis_url) if redis_url or seen_path(data_dir).exists() else None
    zones = {name: profile.timezone for name, profile in load_sites().profiles.items()}
    try:
        for segment in staged_segments(data_dir):
            held.append(segment)
            complete = True
            bad: list[tuple[object, str]] = []
            for record in segment.records():
                if record is None:
                    report.torn_lines += 1
                    continue
                if problem := record_problem(record):
                    bad.append((record, problem))
                    continue
                key = _partition_key(record, zones)
                if key is None:
                    report.undated += 1
                    continue
                if wanted is not None and key[1] not in wanted:
                    complete = False
                    continue
                report.staged_records += 1
                observations.setdefault(key[0], []).append(
                    (record["article_id"], (record.get("body") or "").split("\n\n"))
                )
                if len(observations[key[0]]) >= 2000:
                    store.observe_many(key[0], observations.pop(key[0]))
                buckets.add(key, record)
                feeds.setdefault(id(segment), set()).add(key)
            if complete:  # quarantined only with the segment consumed: else met again next build
                for record, problem in bad:
                    rejects.add(record, problem, segment)
                consumed.append(segment)
        for site, batch in observations.items():
            store.observe_many(site, batch)
        buckets.close()
        rejects.close()
        keys = set(buckets.keys) | {k for k in partitions.without_manifest() if wanted is None or k[1] in wanted}
        if rebuild_all:
            keys |= {k for k in partitions.existing() if wanted is None or k[1] in wanted}
        blocked: set[tuple[str, str]] = set()
        ledgers: dict[str, tuple[dict, str | None]] = {}
        archived = functools.cache(lambda: archived_days(data_dir))  # read only when needed
        for n, key in enumerate(sorted(keys), start=1):
            try:
                existing = partitions.read(*key)
            except Exception as exc:  # a damaged file blocks its own day, never the others
                blocked.add(key)
                report.problems.append(
                    f"site={key[0]}/date={key[1]}: unreadable ({type(exc).__name__}: {exc}); "
                    f"left as it is, its staged articles kept; `warta snapshot --repair` "
                    f"rebuilds it"
                )
                continue
            if key[0] not in ledgers:
                ledgers[key[0]] = (partitions.ledger(key[0]), partitions.ledger_problem(key[0]))
            days, ledger_problem = ledgers[key[0]]
            before = existing.num_rows if existing is not None else (days.get(key[1]) or {}).get("rows")
            staged = buckets.records(key) if key in buckets.keys else []
            vanished = existing is None and key not in repairing
            if vanished and (why := _vanished(archived, partitions, key, before, ledger_problem, staged)):
                blocked.add(key)
                report.problems.append(
                    f"site={key[0]}/date={key[1]}: missing ({why}); left as it is, its staged articles "
                    f"kept; `warta snapshot --repair` rebuilds it"
                )
                continue
            if existing is None and not staged:
                continue  # a file gone is not an empty day: nothing is published over it
            if seen is not None:
                resolve_near_duplicates(staged, seen, key[0], near_threshold)
            if key[0] not in learned:
                learned[key[0]] = store.learned(key[0])
            table = merge(
                existing, staged, report, lambda row, site=key[0]: clean_row(row, store, site, learned[site], report)
            )
            report.rows += table.num_rows
            if before is not None and table.num_rows < before:
                _lowered(archived, partitions, key, before, existing, table, report)
            if existing is not None and table.equals(existing) and partitions.manifest_matches(*key):
                report.partitions_unchanged += 1
            else:
                partitions.publish(*key, table)
                report.partitions_written += 1
                report.written.append(f"site={key[0]}/date={key[1]}")
            if progress:
                progress(n, len(keys))
        for segment in consumed:
            if feeds.get(id(segment), set()) & blocked:
                continue
            segment.remove()
            report.segments_removed += 1
    finally:
        store.close()
        if seen is not None:
            seen.close()
        for segment in held:
            segment.release()
        buckets.close()
        rejects.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return report

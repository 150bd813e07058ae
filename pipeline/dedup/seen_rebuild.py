"""Opening a data dir's seen-store (`open_seen_store`), and refilling one that was lost (its file damaged and moved aside) from what the data
dir still holds: every published partition, then every staged segment (newer, so it wins).

Each article's id, body hash, publication and crawl times come back as they were; the
near-duplicate sketches are recomputed from the bodies. Without this, a lost seen-store
would make the next crawls fetch every recent article again (and a near-duplicate re-post
would go unflagged); with it, they carry on where they were.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator

from pipeline.dedup.neardup import sketch_many
from pipeline.dedup.seen import SeenStore, SeenStoreBase, seen_path
from pipeline.store.datadir import DataDir
from pipeline.store.partitions import Partitions

logger = logging.getLogger(__name__)

COLUMNS = ["article_id", "content_hash", "published_at", "crawled_at", "body"]
BATCH = 1000


def _usable(record) -> bool:
    return (
        isinstance(record, dict)
        and isinstance(record.get("site"), str)
        and isinstance(record.get("article_id"), str)
        and isinstance(record.get("content_hash"), str)
        and isinstance(record.get("body") or "", str)
    )


def published_records(data_dir: DataDir) -> Iterator[dict]:
    partitions = Partitions(data_dir)
    for site, day in partitions.existing():
        try:
            table = partitions.read(site, day)
        except Exception as exc:  # noqa: BLE001 (an unreadable partition: `snapshot --verify` reports it)
            logger.warning("seen-store rebuild: skipped unreadable partition site=%s/date=%s (%s)", site, day, exc)
            continue
        if table is not None:
            for row in table.select(COLUMNS).to_pylist():
                yield {**row, "site": site}


def staged_records(data_dir: DataDir) -> Iterator[dict]:
    """Every usable staged record, live writers' segments included (read, not consumed)."""
    store = data_dir.store
    for key in store.list(f"{DataDir.staging()}/*.jsonl"):
        for line in store.lines(key):
            try:
                record = json.loads(line)
            except ValueError:  # a write torn by a crash
                continue
            if _usable(record):
                yield record


def rebuild_seen(store, data_dir: "str | DataDir") -> int:
    """Records every article the data dir holds into `store`; returns how many."""
    data_dir = DataDir.of(data_dir)
    count = 0
    batch: list[dict] = []

    def flush() -> None:
        nonlocal count
        by_site: dict[str, list] = {}
        for record, signature in zip(batch, sketch_many([r.get("body") or "" for r in batch])):
            by_site.setdefault(record["site"], []).append((record, signature))
        for site, entries in by_site.items():
            store.record_many(site, entries)
        count += len(batch)
        batch.clear()

    for source in (published_records(data_dir), staged_records(data_dir)):
        for record in source:
            batch.append(record)
            if len(batch) >= BATCH:
                flush()
    flush()
    logger.warning("seen-store rebuilt from the data dir: %d staged and published articles", count)
    return count


def open_seen_store(data_dir: str | os.PathLike, redis_url: str | None = None) -> "SeenStoreBase":
    """The Redis seen-store when a Redis URL is given, else the data dir's SQLite one."""
    if redis_url:
        from pipeline.dedup.seen_redis import RedisSeenStore  # redis is imported only in distributed mode

        return RedisSeenStore(redis_url)
    return SeenStore(seen_path(data_dir), rebuild=lambda store: rebuild_seen(store, data_dir))

"""Which articles should be published, from what the data dir knows besides the snapshots.

The raw archive's index records the publication day of every article staged (set once its
staged line is durable); staging holds the articles not built yet. An article the index has
for a day that is in no partition of its site and not waiting in staging was published (or
staged) once and is gone: `warta snapshot --verify` reports it even when the site ledger
`_published.json` is gone too, and `--repair` rebuilds it from the archive.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from pipeline.store.datadir import DataDir
from pipeline.store.raw_index import RawIndex

INDEX_NAME = "raw_index.sqlite"


def name_ids(ids: Iterable[str], limit: int | None = 10) -> str:
    """Article ids for a one-line message: sorted, the first `limit` (None: all), then how
    many more."""
    ids = sorted(ids)
    if limit is None or len(ids) <= limit:
        return ", ".join(ids)
    return ", ".join(ids[:limit]) + f" and {len(ids) - limit} more"


def archived_days(data_dir: "str | DataDir") -> dict[tuple[str, str], set[str]]:
    """(site, day) -> the ids the raw archive's index has staged for that day; empty when
    there is no index (the archive switched off): it is not created here."""
    data_dir = DataDir.of(data_dir)
    if not data_dir.state_file(INDEX_NAME).exists():
        return {}
    index = RawIndex(data_dir)
    try:
        return index.staged_days()
    finally:
        index.close()


def pending_ids(data_dir: "str | DataDir") -> dict[str, set[str]]:
    """site -> ids of the records in staging (not built yet). Read without taking the
    segments' locks, so that a live crawl's segment counts too."""
    data_dir = DataDir.of(data_dir)
    found: dict[str, set[str]] = {}
    for key in data_dir.store.list(f"{DataDir.staging()}/*.jsonl"):
        site = key.split("/")[1]
        try:
            data = data_dir.store.read_bytes(key)
        except FileNotFoundError:  # built and removed meanwhile: its records are published
            continue
        for line in data.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("article_id"), str):
                found.setdefault(site, set()).add(record["article_id"])
    return found


def unpublished(
    archived: dict[tuple[str, str], set[str]],
    pending: dict[str, set[str]],
    published: dict[str, dict[str, str]],
) -> dict[tuple[str, str], set[str]]:
    """(site, day) -> ids the archive has staged for that day that are neither published (on
    any day of the site: an article may have moved) nor waiting in staging. `pending` must be
    read before `published`: a build publishes before it removes a segment."""
    gone: dict[tuple[str, str], set[str]] = {}
    for (site, day), ids in archived.items():
        lacking = ids - published.get(site, {}).keys() - pending.get(site, set())
        if lacking:
            gone[(site, day)] = lacking
    return gone


def gone_from(
    where: str, before_rows: int, before_ids: set[str], after_ids: set[str], elsewhere: dict[str, str]
) -> tuple[str, set[str]]:
    """The line for a day republished with fewer rows than `before_rows`, naming the articles
    gone (`before_ids`: the ids it held, or those the archive has for it), and the ids gone
    that are published on no other day (`elsewhere`: id -> day)."""
    gone = before_ids - after_ids
    moved = {aid for aid in gone if aid in elsewhere}
    lost = gone - moved
    unnamed = max(0, before_rows - len(after_ids) - len(gone))
    parts = [f"{where}: {before_rows} rows published before, {len(after_ids)} now"]
    if lost:
        parts.append(f"{len(lost)} articles gone ({name_ids(lost, limit=None)})")
    if moved:
        parts.append(f"{len(moved)} moved to another day ({name_ids(moved, limit=None)})")
    if unnamed:
        parts.append(f"{unnamed} more whose ids only the old partition held")
    return "; ".join(parts), lost

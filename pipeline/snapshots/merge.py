"""A partition's rows: staged records upserted into the published ones by `article_id` (latest
`crawled_at` wins), cleaned of learned boilerplate and with their near-duplicates resolved on
the way; and `BuildReport`, what a build counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyarrow as pa

from pipeline.dedup.boilerplate import BoilerplateStore, strip_learned
from pipeline.dedup.seen import SeenStoreBase
from pipeline.store.schema import file_schema, records_to_table


@dataclass
class BuildReport:
    partitions_written: int = 0
    partitions_unchanged: int = 0
    rows: int = 0
    staged_records: int = 0
    new_articles: int = 0
    updated_articles: int = 0
    learned_removed: int = 0
    torn_lines: int = 0
    undated: int = 0
    segments_removed: int = 0
    rejected: int = 0  # staged records that cannot be rows: quarantined under DATA/rejects/
    written: list[str] = field(default_factory=list)
    rejects: list[str] = field(default_factory=list)  # the files they went to
    problems: list[str] = field(default_factory=list)  # partitions left as they were, and why
    # A publish with fewer rows than the day had: one line each, naming the articles gone;
    # `lost` holds those published on no other day (a re-dated article moves, it is not lost).
    lowered: list[str] = field(default_factory=list)
    lost: set[str] = field(default_factory=set)


def merge(
    existing: pa.Table | None, staged: list[dict], report: BuildReport, clean: Callable[[dict], dict] = lambda row: row
) -> pa.Table:
    """Upsert staged records into the existing rows by article_id (latest crawl wins); every
    row passes through `clean` (learned boilerplate) before rows are compared."""
    rows: dict[str, dict] = {}
    if existing is not None:
        for row in existing.to_pylist():
            rows[row["article_id"]] = clean(row)
    staged_table = records_to_table(staged)
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    for row in staged_table.to_pylist():
        old = rows.get(row["article_id"])
        if old is not None and (row["crawled_at"] or oldest) < (old["crawled_at"] or oldest):
            continue
        row = clean(row)
        if old is None:
            report.new_articles += 1
        elif old["content_hash"] != row["content_hash"]:
            report.updated_articles += 1
        rows[row["article_id"]] = row
    ordered = sorted(rows.values(), key=lambda r: (r["published_at"], r["article_id"]))
    return pa.Table.from_pylist(ordered, schema=file_schema())


def clean_row(row: dict, store: BoilerplateStore, site: str, learned: frozenset[int], report: BuildReport) -> dict:
    row, removed = strip_learned(row, store, site, learned)
    report.learned_removed += len(removed)
    return row


def resolve_near_duplicates(records: list[dict], seen: SeenStoreBase, site: str, threshold: float) -> None:
    """Set duplicate_of from every sketch known now: the crawl may have met a re-post before
    its original (concurrent requests), so the crawl-time answer is completed here."""
    for record in records:
        if record.get("duplicate_of"):
            continue
        signature = seen.signature(site, record["article_id"])
        if signature is not None:
            published = datetime.fromisoformat(record["published_at"]) if record.get("published_at") else None
            record["duplicate_of"] = seen.near_duplicate_of(site, record["article_id"], signature, published, threshold)

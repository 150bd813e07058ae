"""Item pipeline: each story once, across runs and days.

- same id again in a run, or a body whose normalised hash another id already has (in this run
  or in the seen-store): dropped, counted (`duplicate_id`, `duplicate_content`);
- a re-fetched article whose body did not change: dropped as `unchanged`; a changed body is
  counted as `warta/updated` and staged (the snapshot replaces the earlier version);
- a near-duplicate (a re-post with a few words changed) is kept with `duplicate_of` set to the
  earliest earlier story, found with the sketches of `pipeline.neardup`.
The seen-store itself is written by the staging pipeline, after each durable flush.
"""
from __future__ import annotations

from datetime import datetime

import numpy as np
from scrapy.exceptions import DropItem, NotConfigured

from pipeline.neardup import band_keys, earliest_original, sketch
from pipeline.seen import SeenStoreBase, open_seen_store


class DedupPipeline:
    def __init__(self, crawler, store: SeenStoreBase | None, threshold: float):
        self.stats = crawler.stats
        self.store = store
        self.threshold = threshold
        self.ids: set[str] = set()
        self.hashes: dict[str, str] = {}
        # This run's sketches, not yet in the store: band key -> (id, signature, published_at)
        self.bands: dict[int, list[tuple[str, np.ndarray, datetime | None]]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("DEDUP_ENABLED", True):
            raise NotConfigured("DEDUP_ENABLED is off")
        store = open_seen_store(settings.get("WARTA_DATA_DIR", "data"), settings.get("REDIS_URL")) \
            if settings.getbool("DEDUP_SEEN_ENABLED", True) else None
        return cls(crawler, store, settings.getfloat("DEDUP_NEAR_THRESHOLD", 0.7))

    def drop(self, reason: str, message: str):
        self.stats.inc_value(f"warta/dropped/{reason}")
        raise DropItem(f"{reason}: {message}")

    def process_item(self, item):
        site, aid, digest = item["site"], item["article_id"], item["content_hash"]
        if aid in self.ids:
            self.drop("duplicate_id", aid)
        known = self.store.get(site, aid) if self.store else None
        if known is not None and known.content_hash == digest:
            self.drop("unchanged", f"{aid} was fetched again with the same body")
        owner = self.hashes.get(digest) or (self.store.owner_of_hash(site, digest, exclude=aid) if self.store else None)
        if owner is not None:
            if self.store:  # remembered, so that the copy is not fetched again next run
                self.store.record(site, item)
            self.drop("duplicate_content", f"{aid} repeats the body of {owner}")
        if known is not None:
            self.stats.inc_value("warta/updated")
        self.ids.add(aid)
        self.hashes[digest] = aid
        signature = sketch(item["body"])
        earlier = self._near_in_run(aid, signature, item["published_at"])
        if earlier is None and self.store:
            earlier = self.store.near_duplicate_of(site, aid, signature, item["published_at"], self.threshold)
        if earlier is not None:
            item["duplicate_of"] = earlier
            self.stats.inc_value("warta/flagged/near_duplicate")
        for key in band_keys(signature):
            self.bands.setdefault(int(key), []).append((aid, signature, item["published_at"]))
        item["_signature"] = signature  # the staging pipeline stores it with the article
        return item

    def _near_in_run(self, aid: str, signature: np.ndarray, published: datetime | None) -> str | None:
        candidates = (entry for key in band_keys(signature) for entry in self.bands.get(int(key), ()))
        return earliest_original(signature, published, candidates, self.threshold, exclude=aid)

    def close_spider(self):
        if self.store:
            self.store.close()

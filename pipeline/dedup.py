"""Item pipeline: each story once, across runs and days.

- same id again in a run, or a body whose normalised hash another id already has (in this run
  or in the seen-store): dropped, counted (`duplicate_id`, `duplicate_content`);
- a re-fetched article whose body did not change: dropped as `unchanged`; a changed body is
  counted as `warta/updated` and staged (the snapshot replaces the earlier version);
- a near-duplicate (a re-post with a few words changed) is kept with `duplicate_of` set to the
  earliest earlier story, found with the sketches of `pipeline.neardup`.
The seen-store belongs to `pipeline.seen.SeenStoreExtension`, which writes it once staging
reports a batch durable.
"""

from __future__ import annotations

import logging
from datetime import datetime

import numpy as np
from scrapy.exceptions import DropItem, NotConfigured

from pipeline.items import ArticleItem
from pipeline.neardup import band_keys, earliest_original, sketch
from pipeline.seen_owner import seen_store

logger = logging.getLogger(__name__)


class DedupPipeline:
    def __init__(self, crawler, threshold: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = None
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
        return cls(crawler, settings.getfloat("DEDUP_NEAR_THRESHOLD", 0.7))

    def open_spider(self):
        self.store = seen_store(self.crawler)

    def drop(self, reason: str, message: str):
        self.stats.inc_value(f"warta/dropped/{reason}")
        raise DropItem(f"{reason}: {message}")

    def process_item(self, item: ArticleItem):
        article = item.article
        site, aid, digest = article.site, article.article_id, article.content_hash
        if aid in self.ids:
            self.drop("duplicate_id", aid)
        known = self.store.get(site, aid) if self.store else None
        if known is not None and known.content_hash == digest:
            self.drop("unchanged", f"{aid} was fetched again with the same body")
        owner = self.hashes.get(digest) or (self.store.owner_of_hash(site, digest, exclude=aid) if self.store else None)
        if owner is not None:
            if self.store:  # remembered, so that the copy is not fetched again next run
                try:
                    self.store.record(site, vars(article))
                except Exception as exc:  # noqa: BLE001 (a full disk, a lost Redis: it is only fetched again)
                    logger.warning("could not remember the copy %s as seen: %s", aid, exc)
            self.drop("duplicate_content", f"{aid} repeats the body of {owner}")
        if known is not None:
            self.stats.inc_value("warta/updated")
        self.ids.add(aid)
        self.hashes[digest] = aid
        if item.signature is None:  # parsed by a caller that did not sketch
            item.signature = sketch(article.body)
            item.band_keys = None
        signature = item.signature
        if item.band_keys is None:  # once: they cost more than the lookups
            item.band_keys = band_keys(signature).tolist()
        keys = item.band_keys
        earlier = self._near_in_run(aid, signature, article.published_at, keys)
        if earlier is None and self.store:
            earlier = self.store.near_duplicate_of(site, aid, signature, article.published_at, self.threshold, keys)
        if earlier is not None:
            article.duplicate_of = earlier
            self.stats.inc_value("warta/flagged/near_duplicate")
        for key in keys:
            self.bands.setdefault(key, []).append((aid, signature, article.published_at))
        return item

    def _near_in_run(self, aid: str, signature: np.ndarray, published: datetime | None, keys: list[int]) -> str | None:
        candidates = (entry for key in keys for entry in self.bands.get(key, ()))
        return earliest_original(signature, published, candidates, self.threshold, exclude=aid)

"""Item pipeline: each story once, across runs and days.

- same id again in a run, or a body whose normalised hash another id already has (in this run
  or in the seen-store): dropped, counted (`duplicate_id`, `duplicate_content`);
- a re-fetched article whose body did not change: dropped as `unchanged`; a changed body is
  counted as `warta/updated` and staged (the snapshot replaces the earlier version);
- a near-duplicate (a re-post with a few words changed) is kept with `duplicate_of` set to the
  earliest earlier story, found with the sketches of `pipeline.dedup.neardup`.
The seen-store belongs to `crawler.extensions.seen_store.SeenStoreExtension`, which writes it once
staging reports a batch durable. Dedup asks it about articles in batches: the articles that
arrive within DEDUP_BATCH_SECONDS (or DEDUP_BATCH_SIZE of them) are looked up together, then
judged one by one in the order they came. Asked one at a time, the store cost the crawl's
thread ~0.2 ms an article (SQLite's code and pages are cold between two articles); a thread
for the lookups was slower still (the GIL passed to and fro for every article).

A seen-store that is away (Redis restarting) is waited for: an article is judged only once the
store answers (`pipeline.store.outage`), so no copy is staged and no story dropped for want of an
answer. After DISTRIBUTED_REDIS_WAIT_SECONDS, or when the crawl is closing, it is dropped for
now (`SeenStoreAway`, counted as `seen_store_unreachable`): its request goes back to the
shared queue, for this or another worker to judge once Redis answers.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import numpy as np
from scrapy.exceptions import DropItem, NotConfigured

from crawler.extensions.seen_store import seen_store
from pipeline.dedup.neardup import band_keys, earliest_original, sketch
from pipeline.dedup.seen import SeenEntry
from pipeline.items import ArticleItem
from pipeline.store.outage import Outage, wait_out

logger = logging.getLogger(__name__)


class SeenStoreAway(DropItem):
    """Not judged, so not staged: the seen-store stayed away. Not an outcome: the shared queue
    puts the article's request back (`crawler.distributed.shared_queue`)."""


class DedupPipeline:
    def __init__(
        self, crawler, threshold: float, batch_seconds: float = 0.05, batch_size: int = 32, patience: float = 600.0
    ):
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = None
        self.threshold = threshold
        self.ids: set[str] = set()
        self.hashes: dict[str, str] = {}
        # This run's sketches, not yet in the store: band key -> (id, signature, published_at)
        self.bands: dict[int, list[tuple[str, np.ndarray, datetime | None]]] = {}
        self.batch_seconds = batch_seconds
        self.batch_size = batch_size
        self._asks: list[tuple[str, str, list[int], asyncio.Future]] = []
        self._timer: asyncio.TimerHandle | None = None
        self.outage = Outage("dedup's seen-store lookups", patience)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("DEDUP_ENABLED"):
            raise NotConfigured("DEDUP_ENABLED is off")
        return cls(
            crawler,
            settings.getfloat("DEDUP_NEAR_THRESHOLD"),
            settings.getfloat("DEDUP_BATCH_SECONDS"),
            max(1, settings.getint("DEDUP_BATCH_SIZE")),
            settings.getfloat("DISTRIBUTED_REDIS_WAIT_SECONDS"),
        )

    def open_spider(self):
        self.store = seen_store(self.crawler)

    def _closing(self) -> bool:
        slot = getattr(self.crawler.engine, "_slot", None)
        return slot is None or slot.closing is not None

    async def _ask_store(self, call):
        """`call()`'s answer from the store, waited for while the store is away."""
        try:
            return await wait_out(self.outage, call, self.store.unavailable, self._closing)
        except Exception as exc:
            if not self.store.unavailable(exc):
                raise
            self.stats.inc_value("warta/dropped/seen_store_unreachable")
            raise SeenStoreAway(f"seen_store_unreachable: {exc}") from None

    def drop(self, reason: str, message: str):
        self.stats.inc_value(f"warta/dropped/{reason}")
        raise DropItem(f"{reason}: {message}")

    def _lookup(self, site: str, aid: str, keys: list[int]) -> asyncio.Future:
        """The store's answer for one article, once its batch is asked."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._asks.append((site, aid, keys, future))
        if len(self._asks) >= self.batch_size:
            self._ask()
        elif self._timer is None:
            self._timer = loop.call_later(self.batch_seconds, self._ask)
        return future

    def _ask(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        asks, self._asks = self._asks, []
        for site in dict.fromkeys(site for site, *_ in asks):
            batch = [ask for ask in asks if ask[0] == site]
            try:
                answers = self.store.lookup_many(site, [(aid, keys) for _, aid, keys, _ in batch])
            except Exception as exc:  # noqa: BLE001 (SQLite's or Redis's: each article's item fails with it)
                answers = [exc] * len(batch)
            # Resolved in order of arrival: the items resume, and are judged, in that order.
            for (*_, future), answer in zip(batch, answers):
                if future.done():  # a crawl that is shut down cancels its items
                    continue
                if isinstance(answer, Exception):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)

    async def process_item(self, item: ArticleItem):
        article = item.article
        site, aid, digest = article.site, article.article_id, article.content_hash
        if item.signature is None:  # parsed by a caller that did not sketch
            item.signature = sketch(article.body)
            item.band_keys = None
        if item.band_keys is None:  # once: they cost more than the lookups
            item.band_keys = band_keys(item.signature).tolist()
        known: SeenEntry | None = None
        stored: list[tuple[str, np.ndarray, datetime | None]] = []
        if self.store is not None:
            known, stored = await self._ask_store(lambda: self._lookup(site, aid, item.band_keys))
        # From here on nothing waits unless the store is away: each article is judged against the
        # run's earlier ones whole.
        if aid in self.ids:
            self.drop("duplicate_id", aid)
        if known is not None and known.content_hash == digest:
            self.drop("unchanged", f"{aid} was fetched again with the same body")
        owner = self.hashes.get(digest)
        if owner is None and self.store is not None:
            owner = await self._ask_store(lambda: self.store.owner_of_hash(site, digest, exclude=aid))
            if aid in self.ids:  # judged meanwhile (only an outage makes that call wait)
                self.drop("duplicate_id", aid)
            owner = owner or self.hashes.get(digest)
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
        signature, keys = item.signature, item.band_keys
        earlier = self._near_in_run(aid, signature, article.published_at, keys)
        if earlier is None and stored:
            earlier = earliest_original(signature, article.published_at, stored, self.threshold, exclude=aid)
        if earlier is not None:
            article.duplicate_of = earlier
            self.stats.inc_value("warta/flagged/near_duplicate")
        for key in keys:
            self.bands.setdefault(key, []).append((aid, signature, article.published_at))
        return item

    def _near_in_run(self, aid: str, signature: np.ndarray, published: datetime | None, keys: list[int]) -> str | None:
        candidates = (entry for key in keys for entry in self.bands.get(key, ()))
        return earliest_original(signature, published, candidates, self.threshold, exclude=aid)

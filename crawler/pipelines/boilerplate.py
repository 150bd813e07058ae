"""Item pipeline: learned boilerplate (`pipeline.dedup.boilerplate`) counted and stripped as
articles arrive."""

from __future__ import annotations

import logging
import sqlite3

from scrapy.exceptions import NotConfigured

from pipeline.dedup.boilerplate import (
    BoilerplateStore,
    Thresholds,
    learned_indices,
    paragraph_hashes,
    store_path,
)
from pipeline.items import ArticleItem

logger = logging.getLogger(__name__)


class LearnedBoilerplatePipeline:
    """Item pipeline stage: learn from each article and count what is already known to be
    boilerplate. The removal itself happens when the snapshot is built, over the whole day,
    so staged bodies stay exactly as parsed (their hashes compare across runs)."""

    def __init__(self, crawler, store: BoilerplateStore):
        self.crawler = crawler
        self.store = store
        self.learned: dict[str, frozenset[int]] = {}
        self.pending: dict[str, list[tuple[str, list[int | None]]]] = {}
        self.seen = 0

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("BOILERPLATE_ENABLED"):
            raise NotConfigured("BOILERPLATE_ENABLED is off")
        thresholds = Thresholds(
            settings.getint("BOILERPLATE_MIN_ARTICLES"),
            settings.getint("BOILERPLATE_MAX_WORDS"),
            settings.getint("BOILERPLATE_WINDOW"),
        )
        return cls(crawler, BoilerplateStore(store_path(settings.get("WARTA_DATA_DIR")), thresholds))

    def process_item(self, item: ArticleItem):
        article = item.article
        site = article.site
        hashes = item.paragraph_hashes
        if hashes is None:  # parsed by a caller that did not hash
            hashes = paragraph_hashes(article.body.split("\n\n"), self.store.t.max_words)
        # Observed in batches: what is learned moves slowly, and the snapshot build observes
        # every staged article again (idempotently), so a crash here loses nothing.
        self.pending.setdefault(site, []).append((article.article_id, hashes))
        if site not in self.learned or self.seen % 100 == 0:
            self._observe_pending()
            self.learned[site] = self.store.learned(site)
        self.seen += 1
        if removed := len(learned_indices(hashes, self.learned[site])):
            self.crawler.stats.inc_value("warta/removed/learned_boilerplate", removed)
        return item

    def _observe_pending(self) -> None:
        try:
            for site, batch in self.pending.items():
                self.store.observe_hashes(site, batch)
        except sqlite3.Error as exc:  # a full disk: learning waits, the snapshot build observes again
            self.crawler.stats.inc_value("warta/boilerplate/observe_errors")
            logger.warning("could not record paragraphs for learned boilerplate: %s", exc)
        self.pending.clear()

    def close_spider(self):
        self._observe_pending()
        self.store.close()

"""Item pipeline: one row per story within a run (same id, or same body under another id)."""
from __future__ import annotations

from scrapy.exceptions import DropItem, NotConfigured


class DedupPipeline:
    def __init__(self, crawler):
        self.stats = crawler.stats
        self.ids: set[str] = set()
        self.hashes: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("DEDUP_ENABLED", True):
            raise NotConfigured("DEDUP_ENABLED is off")
        return cls(crawler)

    def process_item(self, item):
        if item["article_id"] in self.ids:
            self.stats.inc_value("warta/dropped/duplicate_id")
            raise DropItem(f"duplicate_id: {item['article_id']}")
        first = self.hashes.get(item["content_hash"])
        if first is not None:
            self.stats.inc_value("warta/dropped/duplicate_content")
            raise DropItem(f"duplicate_content: {item['article_id']} repeats {first}")
        self.ids.add(item["article_id"])
        self.hashes[item["content_hash"]] = item["article_id"]
        return item

"""Learned boilerplate: paragraphs that recur across many recent articles of one site.

In the spirit of CCNet's paragraph-hash deduplication: normalised paragraph hashes are
counted per site over a sliding window of the most recent articles, in SQLite under the data
dir (so the first crawl of a day knows what yesterday's crawls learned). A paragraph is
boilerplate when it appears in at least BOILERPLATE_MIN_ARTICLES distinct articles of the
window and is short (BOILERPLATE_MAX_WORDS): a quote shared by two or three stories, or a
re-post sharing all its paragraphs with one earlier story, stays.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from extract.text import content_hash, paragraph_key
from pipeline.store.datadir import DataDir
from pipeline.store.statedb import open_state_db, rows_in

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS observed (site TEXT NOT NULL, article_id TEXT NOT NULL, seq INTEGER NOT NULL,
                                     PRIMARY KEY (site, article_id));
CREATE TABLE IF NOT EXISTS paragraph (site TEXT NOT NULL, hash INTEGER NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS paragraph_by_hash ON paragraph (site, hash, seq);
CREATE INDEX IF NOT EXISTS observed_by_seq ON observed (site, seq);
"""


@dataclass(frozen=True)
class Thresholds:
    min_articles: int = 5
    max_words: int = 60
    window: int = 5000


def paragraph_hash(text: str) -> int:
    digest = hashlib.blake2b(paragraph_key(text).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def store_path(data_dir: "str | os.PathLike | DataDir") -> Path:
    return DataDir.of(data_dir).state_file("boilerplate.sqlite")


class BoilerplateStore:
    def __init__(self, path: str | os.PathLike, thresholds: Thresholds = Thresholds()):
        self.db = open_state_db(path, SCHEMA)
        self.t = thresholds

    def close(self) -> None:
        self.db.close()

    def _last_seq(self, site: str) -> int:
        return self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM observed WHERE site = ?", (site,)).fetchone()[0]

    def observe(self, site: str, article_id: str, paragraphs: list[str]) -> bool:
        """Count an article's paragraphs once; False when the article was already counted."""
        return self.observe_many(site, [(article_id, paragraphs)]) == 1

    def observe_many(self, site: str, articles: list[tuple[str, list[str]]]) -> int:
        """Count many articles (id, paragraphs) in one transaction; returns how many were new."""
        return self.observe_hashes(
            site, [(article_id, paragraph_hashes(paragraphs, self.t.max_words)) for article_id, paragraphs in articles]
        )

    def observe_hashes(self, site: str, articles: list[tuple[str, list[int | None]]]) -> int:
        """`observe_many` for articles whose paragraphs are already hashed (`paragraph_hashes`)."""
        with self.db:
            self.db.execute("BEGIN")
            ids = [article_id for article_id, _ in articles]
            known = {
                row[0]
                for row in rows_in(
                    self.db, "SELECT article_id FROM observed WHERE site = ? AND article_id IN", site, ids
                )
            }
            seq = self._last_seq(site)
            observed, counted = [], []
            for article_id, hashes in articles:
                if article_id in known:
                    continue
                known.add(article_id)
                seq += 1
                observed.append((site, article_id, seq))
                # Long paragraphs are never boilerplate: not counting them keeps the store small.
                counted += [(site, h, seq) for h in {h for h in hashes if h is not None}]
            self.db.executemany("INSERT INTO observed VALUES (?, ?, ?)", observed)
            self.db.executemany("INSERT INTO paragraph VALUES (?, ?, ?)", counted)
            first = seq - len(observed)
            # Slide the window now and then (each 500th article), not on every article.
            if seq // 500 > first // 500:
                floor = seq // 500 * 500 - self.t.window
                self.db.execute("DELETE FROM paragraph WHERE site = ? AND seq <= ?", (site, floor))
                self.db.execute("DELETE FROM observed WHERE site = ? AND seq <= ?", (site, floor))
        return len(observed)

    def count(self, site: str, paragraph: str) -> int:
        floor = self._last_seq(site) - self.t.window
        return self.db.execute(
            "SELECT COUNT(*) FROM paragraph WHERE site = ? AND hash = ? AND seq > ?",
            (site, paragraph_hash(paragraph), floor),
        ).fetchone()[0]

    def is_boilerplate(self, site: str, paragraph: str) -> bool:
        return len(paragraph.split()) <= self.t.max_words and self.count(site, paragraph) >= self.t.min_articles

    def learned(self, site: str) -> frozenset[int]:
        """Hashes of every paragraph that currently counts as boilerplate (one query, for bulk use)."""
        floor = self._last_seq(site) - self.t.window
        return frozenset(
            h
            for (h,) in self.db.execute(
                "SELECT hash FROM paragraph WHERE site = ? AND seq > ? GROUP BY hash HAVING COUNT(*) >= ?",
                (site, floor, self.t.min_articles),
            )
        )


def paragraph_hashes(paragraphs: list[str], max_words: int) -> list[int | None]:
    """Each paragraph's hash, or None for one longer than `max_words` (never boilerplate)."""
    return [paragraph_hash(p) if len(p.split()) <= max_words else None for p in paragraphs]


def learned_indices(hashes: list[int | None], learned: frozenset[int]) -> list[int]:
    """Which paragraphs (by index) are learned boilerplate: none when that is all of them."""
    found = [i for i, h in enumerate(hashes) if h is not None and h in learned]
    return [] if len(found) == len(hashes) else found


def strip_learned(
    article: dict, store: BoilerplateStore, site: str, learned: frozenset[int] | None = None
) -> tuple[dict, list[str]]:
    """The article without learned boilerplate paragraphs (never emptied), and what was removed;
    bulk callers pass `learned` (from `store.learned(site)`) once for many articles."""
    paragraphs = article["body"].split("\n\n") if article.get("body") else []
    if learned is None:
        learned = store.learned(site)
    drop = set(learned_indices(paragraph_hashes(paragraphs, store.t.max_words), learned))
    if not drop:
        return article, []
    removed = [p for i, p in enumerate(paragraphs) if i in drop]
    body = "\n\n".join(p for i, p in enumerate(paragraphs) if i not in drop)
    return {**article, "body": body, "word_count": len(body.split()), "content_hash": content_hash(body)}, removed

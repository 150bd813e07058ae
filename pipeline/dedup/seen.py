"""The persistent seen-store: every staged article's id, body hash and sketch, in SQLite.

One file per data dir (`state/seen.sqlite`, WAL journal: a crash mid-write loses at most the
transaction in flight, never the file). It answers, before any request, "do we have this
article already?", and after parsing, "is this body a copy or a near-copy of an earlier one?".
In distributed mode (a Redis URL), `pipeline.dedup.seen_redis` keeps the same answers in Redis;
`crawler.extensions.seen_store` opens the right one and owns it for a crawl.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from pipeline.dedup.neardup import band_keys, earliest_original
from pipeline.store.datadir import DataDir
from pipeline.store.statedb import open_state_db, rows_in

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    site TEXT NOT NULL, article_id TEXT NOT NULL, content_hash TEXT NOT NULL,
    published_at TEXT, fetched_at TEXT NOT NULL, PRIMARY KEY (site, article_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_by_hash ON seen (site, content_hash);
CREATE TABLE IF NOT EXISTS sketch (site TEXT NOT NULL, article_id TEXT NOT NULL, signature BLOB NOT NULL,
    PRIMARY KEY (site, article_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS band (site TEXT NOT NULL, key INTEGER NOT NULL, article_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS band_by_key ON band (site, key);
CREATE INDEX IF NOT EXISTS band_by_article ON band (site, article_id);
"""


@dataclass(frozen=True)
class SeenEntry:
    article_id: str
    content_hash: str
    published_at: datetime | None
    fetched_at: datetime

    @classmethod
    def from_text(cls, article_id: str, content_hash: str, published_at: str | None, fetched_at: str) -> "SeenEntry":
        """The entry of stored text (both stores keep its times as ISO text; none published: empty)."""
        return cls(
            article_id,
            content_hash,
            datetime.fromisoformat(published_at) if published_at else None,
            datetime.fromisoformat(fetched_at),
        )


def seen_path(data_dir: "str | os.PathLike | DataDir") -> Path:
    return DataDir.of(data_dir).state_file("seen.sqlite")


class SeenStoreBase:
    """The decisions, shared by both stores; subclasses store and look up."""

    def get(self, site: str, article_id: str) -> SeenEntry | None:
        raise NotImplementedError

    def owner_of_hash(self, site: str, content_hash: str, exclude: str | None = None) -> str | None:
        """Another article (not `exclude`) already known with this body hash."""
        raise NotImplementedError

    def signature(self, site: str, article_id: str) -> np.ndarray | None:
        raise NotImplementedError

    def candidates(self, site: str, keys: list[int], exclude: str) -> list[tuple[str, np.ndarray, datetime | None]]:
        """Stored articles sharing a band key: (id, signature, published_at)."""
        raise NotImplementedError

    def lookup_many(
        self, site: str, asks: list[tuple[str, list[int]]]
    ) -> list[tuple[SeenEntry | None, list[tuple[str, np.ndarray, datetime | None]]]]:
        """For each (article id, band keys): its stored entry, and the stored articles sharing a
        band key with it (what dedup asks of every article; a store may answer a batch at once)."""
        return [(self.get(site, aid), self.candidates(site, keys, aid)) for aid, keys in asks]

    def record_many(self, site: str, entries: list[tuple[dict, np.ndarray | None]]) -> None:
        raise NotImplementedError

    def for_another_thread(self) -> "SeenStoreBase":
        """A store to use from one other thread (its writes land in this store)."""
        return self

    def close(self) -> None:
        pass

    def unavailable(self, error: BaseException) -> bool:
        """Whether `error` means the store is briefly away (a Redis restart) rather than broken:
        the caller waits and asks again (`pipeline.store.outage`). A local file is never away."""
        return False

    def should_fetch(
        self, site: str, article_id: str, now: datetime, refresh: timedelta, refetch_after: timedelta
    ) -> bool:
        """New articles are fetched; seen ones only while recent (published within `refresh`)
        and not fetched within `refetch_after`, so updated stories are picked up."""
        entry = self.get(site, article_id)
        if entry is None:
            return True
        recent = entry.published_at is not None and now - entry.published_at <= refresh
        return recent and now - entry.fetched_at >= refetch_after

    def near_duplicate_of(
        self,
        site: str,
        article_id: str,
        signature: np.ndarray,
        published_at: datetime | None,
        threshold: float,
        keys: list[int] | None = None,
    ) -> str | None:
        """The earliest-published stored article whose sketch is at least `threshold` similar
        (`keys`: the sketch's band keys, when the caller has them)."""
        keys = band_keys(signature).tolist() if keys is None else keys
        return earliest_original(signature, published_at, self.candidates(site, keys, article_id), threshold)

    def record(self, site: str, article: dict, signature: np.ndarray | None = None) -> None:
        """Remember an article (atomically with its sketch): replaces an earlier version."""
        self.record_many(site, [(article, signature)])


def stamps(article: dict) -> tuple[str | None, str]:
    """(published_at, fetched_at) of an article as ISO strings, as both stores keep them."""
    published = article.get("published_at")
    fetched = article.get("crawled_at") or datetime.now(timezone.utc)
    return (
        published.isoformat() if isinstance(published, datetime) else published,
        fetched.isoformat() if isinstance(fetched, datetime) else fetched,
    )


class SeenStore(SeenStoreBase):
    def __init__(
        self, path: str | os.PathLike, rebuild: Callable[["SeenStore"], None] | None = None, checked: bool = False
    ):
        """`rebuild(store)` refills the store when its file was damaged and started afresh
        (`pipeline.dedup.seen_rebuild`, from the data dir's staged and published articles)."""
        damaged: list[Path] = []
        self.path = Path(path)
        self.db = open_state_db(path, SCHEMA, on_damaged=lambda aside, reason: damaged.append(aside), checked=checked)
        if damaged and rebuild is not None:
            rebuild(self)

    def for_another_thread(self) -> "SeenStore":
        """A second connection to the same file (SQLite's connections belong to one thread)."""
        return SeenStore(self.path, checked=True)

    def close(self) -> None:
        self.db.close()

    def get(self, site: str, article_id: str) -> SeenEntry | None:
        row = self.db.execute(
            "SELECT content_hash, published_at, fetched_at FROM seen WHERE site = ? AND article_id = ?",
            (site, article_id),
        ).fetchone()
        return SeenEntry.from_text(article_id, *row) if row else None

    def owner_of_hash(self, site: str, content_hash: str, exclude: str | None = None) -> str | None:
        """Another article (not `exclude`) already stored with this body hash."""
        row = self.db.execute(
            "SELECT article_id FROM seen WHERE site = ? AND content_hash = ? AND article_id != ? LIMIT 1",
            (site, content_hash, exclude or ""),
        ).fetchone()
        return row[0] if row else None

    def candidates(self, site: str, keys: list[int], exclude: str) -> list[tuple[str, np.ndarray, datetime | None]]:
        ids = set().union(*self._sharing(site, keys).values()) - {exclude}
        sketches = self._sketches(site, ids)
        return [sketches[c] for c in sorted(ids) if c in sketches]

    def lookup_many(
        self, site: str, asks: list[tuple[str, list[int]]]
    ) -> list[tuple[SeenEntry | None, list[tuple[str, np.ndarray, datetime | None]]]]:
        """Three queries for the whole batch: one lookup costs ~0.1 ms of a crawl's thread
        (SQLite's code and pages are cold between two articles), a batch of ten not much more."""
        known = {
            r[0]: SeenEntry.from_text(*r)
            for r in rows_in(
                self.db,
                "SELECT article_id, content_hash, published_at, fetched_at FROM seen WHERE site = ? AND article_id IN",
                site,
                sorted({aid for aid, _ in asks}),
            )
        }
        sharing = self._sharing(site, sorted({k for _, ks in asks for k in ks}))
        wanted = [{c for k in ks for c in sharing.get(k, ())} - {aid} for aid, ks in asks]
        sketches = self._sketches(site, set().union(*wanted))
        return [
            (known.get(aid), [sketches[c] for c in sorted(shared) if c in sketches])
            for (aid, _), shared in zip(asks, wanted)
        ]

    def _sharing(self, site: str, keys: list[int]) -> dict[int, set[str]]:
        """Band key -> the stored articles with that key."""
        sharing: dict[int, set[str]] = {}
        # Without statistics SQLite may pick the (site, article_id) index and scan the site.
        query = "SELECT key, article_id FROM band INDEXED BY band_by_key WHERE site = ? AND key IN"
        for key, aid in rows_in(self.db, query, site, keys):
            sharing.setdefault(key, set()).add(aid)
        return sharing

    def _sketches(self, site: str, ids: set[str]) -> dict[str, tuple[str, np.ndarray, datetime | None]]:
        """id -> (id, signature, published_at) of the stored articles among `ids`."""
        query = (
            "SELECT s.article_id, s.signature, n.published_at FROM sketch s JOIN seen n USING (site, article_id) "
            "WHERE s.site = ? AND s.article_id IN"
        )
        return {
            r[0]: (r[0], np.frombuffer(r[1], dtype=np.uint32), datetime.fromisoformat(r[2]) if r[2] else None)
            for r in rows_in(self.db, query, site, sorted(ids))
        }

    def signature(self, site: str, article_id: str) -> np.ndarray | None:
        row = self.db.execute(
            "SELECT signature FROM sketch WHERE site = ? AND article_id = ?", (site, article_id)
        ).fetchone()
        return np.frombuffer(row[0], dtype=np.uint32) if row else None

    def record_many(self, site: str, entries: list[tuple[dict, np.ndarray | None]]) -> None:
        """Remember several articles in one transaction (the last entry of an id wins)."""
        latest = {article["article_id"]: (article, signature) for article, signature in entries}
        sketched = [(aid, signature) for aid, (_, signature) in latest.items() if signature is not None]
        keys = band_keys(np.stack([s for _, s in sketched])).tolist() if sketched else []  # one numpy pass
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR REPLACE INTO seen VALUES (?, ?, ?, ?, ?)",
                [(site, aid, article["content_hash"], *stamps(article)) for aid, (article, _) in latest.items()],
            )
            self.db.executemany(
                "DELETE FROM band WHERE site = ? AND article_id = ?", [(site, aid) for aid, _ in sketched]
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO sketch VALUES (?, ?, ?)",
                [(site, aid, signature.astype(np.uint32).tobytes()) for aid, signature in sketched],
            )
            self.db.executemany(
                "INSERT INTO band VALUES (?, ?, ?)",
                [(site, k, aid) for (aid, _), row in zip(sketched, keys) for k in row],
            )

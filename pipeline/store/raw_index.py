"""The raw archive's index: article id -> file, offset, length, fetch time, and publication day
once staging knows it (`DATA/state/raw_index.sqlite`). It finds one page fast and tells reparse
and repair which articles belong to a day; it is rebuilt from the WARC files when lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from pipeline.store.datadir import DataDir
from pipeline.store.statedb import open_readonly, open_state_db
from pipeline.store.warc import archive_files, iter_archive_key

logger = logging.getLogger(__name__)

INDEX_SCHEMA = """
CREATE TABLE IF NOT EXISTS raw (site TEXT NOT NULL, article_id TEXT NOT NULL, fetched_at TEXT NOT NULL,
    key TEXT NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL, published_day TEXT,
    PRIMARY KEY (site, article_id, fetched_at)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS raw_by_day ON raw (site, published_day);
CREATE TABLE IF NOT EXISTS indexed (key TEXT PRIMARY KEY, size INTEGER NOT NULL) WITHOUT ROWID;
"""


class RawIndex:
    """article id -> where its archived responses lie (SQLite under the data dir's state)."""

    def __init__(self, data_dir: "str | DataDir", readonly: bool = False):
        """`readonly`: lookups only, on a data dir that cannot be written."""
        self.data_dir = DataDir.of(data_dir)
        path = self.data_dir.state_file("raw_index.sqlite")
        self.db = open_readonly(path) if readonly else open_state_db(path, INDEX_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def add(self, site: str, rows: list[tuple[str, str, str, int, int]], sizes: dict[str, int] | None = None) -> None:
        """rows: (article id, fetched_at ISO, key, offset, length); `sizes`: the files these rows
        complete (key -> bytes), so that `refresh` does not read them again."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO indexed VALUES (?, ?)", list((sizes or {}).items()))
            # OR IGNORE: a fetch is a fact; its publication day, learned later, must survive a re-scan.
            self.db.executemany(
                "INSERT OR IGNORE INTO raw (site, article_id, fetched_at, key, offset, length) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(site, *row) for row in rows],
            )

    def set_published(self, site: str, days: list[tuple[str, str]]) -> None:
        """(article id, WIB day) of staged articles: reparse and repair select by day."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "UPDATE raw SET published_day = ? WHERE site = ? AND article_id = ?",
                [(day, site, aid) for aid, day in days],
            )

    def refresh(self) -> int:
        """Index the WARC files (or their new tails) not indexed yet; returns records added."""
        added = 0
        for key in archive_files(self.data_dir):
            site = key.split("/")[1].removeprefix("site=")
            size = self.data_dir.store.size(key)
            known = self.db.execute("SELECT size FROM indexed WHERE key = ?", (key,)).fetchone()
            if known and known[0] == size:
                continue
            damaged: list[tuple[int, str]] = []
            rows = [
                (r.page.article_id, r.page.fetched_at.isoformat(), r.key, r.offset, r.length)
                for r in iter_archive_key(self.data_dir, key, damaged)
                if r.page.article_id
            ]
            offsets = {o for (o,) in self.db.execute("SELECT offset FROM raw WHERE key = ?", (key,))}
            # A damaged record the index has is reported when it is read; one it never had only here.
            if unknown := [(offset, why) for offset, why in damaged if offset not in offsets]:
                logger.warning(
                    "raw archive: %s: %d damaged records not indexed (first at %d: %s)", key, len(unknown), *unknown[0]
                )
            self.add(site, rows)
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO indexed VALUES (?, ?)", (key, size))
            added += len(rows)
        return added

    def latest(self, site: str, article_id: str) -> tuple[str, int, int] | None:
        row = self.db.execute(
            "SELECT key, offset, length FROM raw WHERE site = ? AND article_id = ? ORDER BY fetched_at DESC LIMIT 1",
            (site, article_id),
        ).fetchone()
        return tuple(row) if row else None

    def earlier_records(self, site: str, article_id: str) -> list[tuple[str, int, int]]:
        """(key, offset, length) of the responses of `article_id` before its latest, newest first."""
        rows = self.db.execute(
            "SELECT key, offset, length FROM raw WHERE site = ? AND article_id = ? ORDER BY fetched_at DESC",
            (site, article_id),
        ).fetchall()
        return [tuple(row) for row in rows[1:]]

    def find(self, article_id: str) -> tuple[str, str, int, int] | None:
        """(site, key, offset, length) of the latest response of `article_id` in any site."""
        row = self.db.execute(
            "SELECT site, key, offset, length FROM raw WHERE article_id = ? ORDER BY fetched_at DESC LIMIT 1",
            (article_id,),
        ).fetchone()
        return tuple(row) if row else None

    def published_day(self, site: str, article_id: str) -> str | None:
        """The day `article_id` was staged for, or None if it never was."""
        row = self.db.execute(
            "SELECT MAX(published_day) FROM raw WHERE site = ? AND article_id = ?", (site, article_id)
        ).fetchone()
        return row[0] if row else None

    def staged_days(self) -> dict[tuple[str, str], set[str]]:
        """(site, day) -> the article ids staged for that day, as far as the archive knows."""
        found: dict[tuple[str, str], set[str]] = {}
        for site, day, aid in self.db.execute(
            "SELECT site, published_day, article_id FROM raw WHERE published_day IS NOT NULL"
        ):
            found.setdefault((site, day), set()).add(aid)
        return found

    def count(self, site: str) -> int:
        """Articles of `site` with at least one archived response."""
        return self.db.execute("SELECT COUNT(DISTINCT article_id) FROM raw WHERE site = ?", (site,)).fetchone()[0]

    def sites(self) -> list[str]:
        return [s for (s,) in self.db.execute("SELECT DISTINCT site FROM raw ORDER BY site")]

    def latest_records(
        self, site: str, days: set[str] | None = None
    ) -> Iterator[tuple[str, str, int, int, str | None]]:
        """(article id, key, offset, length, publication day) of each article's latest response,
        in file order; only articles published on `days` (those whose day is unknown too)."""
        query = (
            "SELECT article_id, key, offset, length, published_day FROM raw r WHERE site = ? AND fetched_at = "
            "(SELECT MAX(fetched_at) FROM raw WHERE site = r.site AND article_id = r.article_id) "
            "ORDER BY key, offset"
        )
        for aid, key, offset, length, day in self.db.execute(query, (site,)):
            if days is None or day is None or day in days:
                yield aid, key, offset, length, day

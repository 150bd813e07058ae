"""SQLite state files (seen-store, learned boilerplate, run history) shared by processes."""
from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path


def open_state_db(path: str | os.PathLike, schema: str, *, synchronous: str = "NORMAL",
                  check_same_thread: bool = True, wait_seconds: float = 30) -> sqlite3.Connection:
    """A SQLite state file in WAL mode that several processes open at once (distributed workers
    on one data dir, the scheduler and its crawls). SQLite does not wait for the lock that
    switching a new file to WAL or creating its tables takes ("database is locked" at once,
    whatever the busy timeout), so those first steps are retried for up to `wait_seconds`."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    while True:
        db = sqlite3.connect(path, timeout=wait_seconds, isolation_level=None, check_same_thread=check_same_thread)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={synchronous}")
            db.executescript(schema)
            return db
        except sqlite3.OperationalError as exc:
            db.close()
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.02, 0.1))

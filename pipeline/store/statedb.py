"""SQLite state files (seen-store, learned boilerplate, run history) shared by processes.

Every state file is checked when opened (`PRAGMA quick_check`). A damaged one (a disk error,
a truncated copy, a stray write) is moved aside as `<name>.damaged-<UTC time>` with a
one-line warning and started afresh; its owner may then rebuild it from the data dir
(`on_damaged`). A crawl on a damaged file must neither raise tracebacks nor quietly skip
everything, and a service must not fail every job for it.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import random
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

logger = logging.getLogger(__name__)

# SQLite's words for a file that is not (or no longer) a sound database. Other errors (locked,
# disk full, I/O) say nothing about the file: moving it aside for them would lose good state.
DAMAGE_MESSAGES = ("malformed", "not a database", "file is encrypted", "corrupt")


def is_damage(exc: sqlite3.DatabaseError) -> bool:
    return any(word in str(exc).lower() for word in DAMAGE_MESSAGES)


def quick_check(db: sqlite3.Connection) -> str | None:
    """Why the open database is damaged, or None when `PRAGMA quick_check` finds it sound."""
    try:
        rows = db.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            return str(exc)
        raise
    return None if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:3])


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


def move_aside(path: Path, inode: int | None = None) -> Path | None:
    """Renames a damaged state file (and its WAL and shared-memory files, which belong to it:
    a fresh file must not replay them) to `<name>.damaged-<UTC time>`; returns the new name.
    With `inode` (the file found damaged), nothing moves if the path is another file by now:
    a process that met the same damage has already replaced it with a fresh one (None)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    # Check and rename under one lock: two processes that found the same damage must not
    # both rename, the second one moving away the fresh file the first has just made.
    with open(path.with_name(f".{path.name}.move-lock"), "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        if inode is not None and _inode(path) != inode:
            return None
        for suffix in ("", "-wal", "-shm"):
            try:
                os.rename(f"{path}{suffix}", f"{aside}{suffix}")
            except FileNotFoundError:
                pass  # no such companion
    return aside


def _damaged(path: Path, reason: str, on_damaged: Callable[[Path, str], None] | None, inode: int | None) -> None:
    aside = move_aside(path, inode)
    if aside is None:  # the process that moved it makes the fresh one (and rebuilds it)
        logger.info("state file %s was damaged; another process has set it aside", path)
        return
    logger.warning("state file %s is damaged (%s): moved aside to %s and started afresh", path, reason, aside.name)
    if on_damaged:
        on_damaged(aside, reason)


def open_state_db(
    path: str | os.PathLike,
    schema: str,
    *,
    synchronous: str = "NORMAL",
    check_same_thread: bool = True,
    wait_seconds: float = 30,
    on_damaged: Callable[[Path, str], None] | None = None,
    checked: bool = False,
) -> sqlite3.Connection:
    """A SQLite state file in WAL mode that several processes open at once (distributed workers
    on one data dir, the scheduler and its crawls), checked first: a damaged file is moved
    aside and a fresh one made (`on_damaged(aside, reason)` is told). SQLite does not wait for
    the lock that switching a new file to WAL or creating its tables takes ("database is
    locked" at once, whatever the busy timeout), so those first steps are retried for up to
    `wait_seconds`. `checked`: this process has just checked the file through another
    connection (the check reads the whole file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    moved = 0
    while True:
        # Which file this is, taken before connecting: the connection is to it or to a newer one.
        inode = _inode(path)
        db = sqlite3.connect(path, timeout=wait_seconds, isolation_level=None, check_same_thread=check_same_thread)
        inode = inode if inode is not None else _inode(path)
        try:
            if not checked and (problem := quick_check(db)):
                db.close()
                _damaged(path, problem, on_damaged, inode)
                checked, moved = True, moved + 1
                continue
            checked = True
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={synchronous}")
            db.executescript(schema)
            return db
        except sqlite3.DatabaseError as exc:
            db.close()
            if is_damage(exc) and moved < 2:  # damage the quick check did not reach (the schema's pages)
                _damaged(path, str(exc), on_damaged, inode)
                moved += 1
                continue
            if not isinstance(exc, sqlite3.OperationalError) or "locked" not in str(exc) or time.monotonic() > deadline:
                exc.add_note(f"state file {path}")  # SQLite's "database or disk is full" names no file
                raise
            time.sleep(random.uniform(0.02, 0.1))


def open_readonly(path: str | os.PathLike, wait_seconds: float = 30) -> sqlite3.Connection:
    """A state file opened for reading only, for the commands that only look (`warta parse
    --from-archive`, `schedule status`, `report`), which must work on a read-only data dir.
    No check, no schema: a missing file is FileNotFoundError. SQLite opens a WAL file read-only
    only where it can create its shared-memory file; where it cannot (a read-only file system,
    a folder this user may not write), it is opened as immutable."""
    path = Path(path).resolve()  # a file URI needs an absolute path (the default data dir is `data`)
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, "no such state file", str(path))
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=wait_seconds, isolation_level=None)
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return db
    except sqlite3.OperationalError:
        if not _cannot_write(path.parent):
            raise
    return sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True, isolation_level=None)


def _cannot_write(folder: Path) -> bool:
    """A read-only file system, or a folder this user may not write (an operator looking at
    the data dir of a service that runs as another user): SQLite cannot make the WAL's
    shared-memory file, so immutable is the only way in. A write racing such a read shows as
    an SQLite error, and the next look reads the file whole."""
    return bool(os.statvfs(folder).f_flag & os.ST_RDONLY) or not os.access(folder, os.W_OK)


def rows_in(db: sqlite3.Connection, query: str, site: str, values: list) -> list[tuple]:
    """Rows of `query` ending in `... IN` with (`site`, *values) as its parameters, asked in
    chunks of 500: SQLite bounds the parameters of one statement (999 in older builds)."""
    rows: list[tuple] = []
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        rows += db.execute(f"{query} ({','.join('?' * len(chunk))})", (site, *chunk)).fetchall()
    return rows


def check_state_file(path: str | os.PathLike) -> Path | None:
    """For a state file another library opens (APScheduler's job store): moves it aside when
    damaged, as `open_state_db` does; returns where it went, or None when it is sound or absent."""
    path = Path(path)
    if not path.exists():
        return None
    db = sqlite3.connect(path, timeout=30)
    inode = _inode(path)
    try:
        problem = quick_check(db)
    finally:
        db.close()
    if problem is None:
        return None
    aside = move_aside(path, inode)
    if aside is not None:
        logger.warning("state file %s is damaged (%s): moved aside to %s and started afresh", path, problem, aside.name)
    return aside


class StateUnreadable(Exception):
    """A state file that cannot be read as it is (damaged, unreadable, not ours): one line why."""


def open_checked_readonly(path: str | os.PathLike, required_table: str) -> sqlite3.Connection:
    """`open_readonly`, checked as `open_state_db` checks, for a look that must not write
    (`warta schedule status`): a damaged file stays for its writer to set aside.
    FileNotFoundError when absent; StateUnreadable when damaged, unreadable or without
    `required_table`."""
    try:
        db = open_readonly(path, wait_seconds=5)
    except sqlite3.Error as exc:
        raise StateUnreadable(str(exc)) from None
    try:
        if problem := quick_check(db):
            raise StateUnreadable(f"damaged ({problem})")
        if not db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (required_table,)
        ).fetchone():
            raise StateUnreadable(f"no {required_table} table in it")
        return db
    except sqlite3.Error as exc:
        db.close()
        raise StateUnreadable(str(exc)) from None
    except StateUnreadable:
        db.close()
        raise

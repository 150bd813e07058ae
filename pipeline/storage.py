"""Where a data dir lives: a local folder, or an object store (`s3://bucket/prefix`) via fsspec.

Published data (staging, snapshots) goes to the data dir wherever it is. Working state that
needs a real file system (the SQLite stores, locks, run records) stays on local disk: under
the data dir when it is local, else under `WARTA_STATE_DIR` (default
`~/.cache/warta/<bucket-and-prefix>`); in distributed mode the seen-store lives in Redis.
Object-store credentials and endpoints come from the usual environment (`AWS_ACCESS_KEY_ID`,
`AWS_ENDPOINT_URL`, ...), as for any fsspec or boto client.
"""
from __future__ import annotations

import os
import random
import re
import sqlite3
import time
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit


def is_remote(data_dir: str | os.PathLike) -> bool:
    """True for a URL with a scheme other than file:// (a Windows drive letter is not one)."""
    scheme = urlsplit(str(data_dir)).scheme
    return len(scheme) > 1 and scheme != "file"


def absolute(data_dir: str | os.PathLike) -> str:
    """The data dir as a process-independent name: a resolved local path, or the URL as is."""
    return str(data_dir) if is_remote(data_dir) else str(Path(data_dir).resolve())


def local_root(data_dir: str | os.PathLike) -> Path:
    """The local folder for working state that belongs to `data_dir`."""
    if not is_remote(data_dir):
        return Path(str(data_dir).removeprefix("file://"))
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", str(data_dir).split("://", 1)[1].strip("/"))
    base = os.environ.get("WARTA_STATE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "warta")
    return Path(base) / f"{urlsplit(str(data_dir)).scheme}_{slug}"


class RemoteDir:
    """An object-store data dir: an fsspec file system plus the root path inside it."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")

    @cached_property
    def _fs_and_root(self):
        from fsspec.core import url_to_fs
        fs, root = url_to_fs(self.url)
        return fs, root.rstrip("/")

    @property
    def fs(self):
        return self._fs_and_root[0]

    @property
    def root(self) -> str:
        return self._fs_and_root[1]

    def path(self, *parts: str) -> str:
        return "/".join((self.root, *parts))

    def glob(self, *parts: str) -> list[str]:
        self.fs.invalidate_cache()
        return sorted(self.fs.glob(self.path(*parts)))

    def put_bytes(self, path: str, data: bytes) -> None:
        """One PUT: the object appears whole or not at all."""
        self.fs.pipe_file(path, data)

    def read_bytes(self, path: str) -> bytes:
        return self.fs.cat_file(path)

    def publish(self, tmp: str, final: str) -> None:
        """Write-then-copy: a server-side copy makes `final` appear whole, then the temp goes."""
        self.fs.copy(tmp, final)
        self.fs.rm_file(tmp)

    def problem(self) -> str | None:
        """Why this data dir cannot be written (no bucket, no credentials...), or None."""
        probe = self.path(f".warta-probe-{os.getpid()}")
        try:
            self.put_bytes(probe, b"")
            self.fs.rm_file(probe)
        except Exception as exc:  # any backend error: credentials, bucket, network
            return f"cannot write to {self.url}: {type(exc).__name__}: {exc}"
        return None

    def arrow_fs(self):
        import pyarrow.fs as pafs
        return pafs.PyFileSystem(pafs.FSSpecHandler(self.fs))


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

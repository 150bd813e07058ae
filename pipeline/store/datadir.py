"""A data dir: its layout, and the one place where local and object storage differ.

    DATA/staging/<site>/...            articles as they arrive        (published data: `store`)
    DATA/snapshots/site=<site>/date=<day>/part-0.parquet, _manifest.json
    DATA/state/*.sqlite, *.lock        working state                  (always a local folder)
    DATA/runs/<site>/<run>.json, DATA/logs/<job>/<run>.log, DATA/report.html

`DataDir(location)` picks the backend once: a local folder, or an object store
(`s3://bucket/prefix`, through fsspec with the usual AWS_* settings). Published data goes
through `store`, whose few operations (list, read, write whole, remove) both backends
provide; working state that needs a real file system (SQLite, locks, run records, logs)
stays local: under the data dir when it is local, else under `WARTA_STATE_DIR` (default
`~/.cache/warta/<scheme>_<bucket-and-prefix>`).
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.store.backends import LocalStore, ObjectStore

DEFAULT_LOCATION = "data"


def default_location() -> str:
    """The data dir when none is named: WARTA_DATA_DIR, else `data` (the one default, which
    the crawl's settings, the command line and the reader all take)."""
    return os.environ.get("WARTA_DATA_DIR") or DEFAULT_LOCATION


def is_remote(location: str | os.PathLike) -> bool:
    """True for a URL with a scheme other than file:// (a Windows drive letter is not one)."""
    scheme = urlsplit(str(location)).scheme
    return len(scheme) > 1 and scheme != "file"


class DataDir:
    def __init__(self, location: str | os.PathLike):
        self.location = str(location).rstrip("/") if is_remote(location) else str(location).removeprefix("file://")
        self.remote = is_remote(location)

    @classmethod
    def of(cls, value: "str | os.PathLike | DataDir") -> "DataDir":
        return value if isinstance(value, DataDir) else cls(value)

    def __str__(self) -> str:
        return self.location

    def __repr__(self) -> str:
        return f"DataDir({self.location!r})"

    @property
    def name(self) -> str:
        """A process-independent name: the resolved local path, or the URL as is."""
        return self.location if self.remote else str(Path(self.location).resolve())

    @cached_property
    def store(self) -> LocalStore | ObjectStore:
        return ObjectStore(self.location) if self.remote else LocalStore(Path(self.location))

    # working state: always a local folder -------------------------------------------------
    @cached_property
    def local(self) -> Path:
        if not self.remote:
            return Path(self.location)
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", self.location.split("://", 1)[1].strip("/"))
        base = os.environ.get("WARTA_STATE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "warta")
        return Path(base) / f"{urlsplit(self.location).scheme}_{slug}"

    @property
    def state(self) -> Path:
        return self.local / "state"

    def state_file(self, name: str) -> Path:
        return self.state / name

    @property
    def run_records(self) -> Path:
        """Every crawl's run record: `<site>/` for crawls, `scheduled/` for the scheduler's runs."""
        return self.local / "runs"

    def runs(self, site: str) -> Path:
        return self.run_records / site

    def logs(self, job: str) -> Path:
        return self.local / "logs" / job

    @property
    def scratch(self) -> Path:
        return self.local / ".build"

    @property
    def report(self) -> Path:
        return self.local / "report.html"

    # published data: keys in `store` ------------------------------------------------------
    SNAPSHOTS = "snapshots"

    @staticmethod
    def staging(site: str = "*") -> str:
        return f"staging/{site}"

    @staticmethod
    def partition(site: str = "*", day: str = "*") -> str:
        return f"snapshots/site={site}/date={day}"

    @staticmethod
    def raw(site: str = "*") -> str:
        return f"raw/site={site}"

    def problem(self) -> str | None:
        """Why this data dir cannot be written, or None."""
        return self.store.problem()

"""The two backends of a data dir's published data, with one small interface.

Keys are '/'-separated paths relative to the data dir. `write_whole` makes a key appear
whole or not at all: locally a dot-prefixed temp file, fsync, rename, fsync of the folder;
on an object store a dot-prefixed temp object, then a server-side copy (objects have no
rename, but a copy replaces the old object in one step), then the temp goes. Dataset readers
skip dot-prefixed names, so a reader sees the old content or the new, never half.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path


def _tmp_key(key: str) -> str:
    head, _, name = key.rpartition("/")
    return f"{head}/.{name}.tmp" if head else f".{name}.tmp"


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / key

    def list(self, pattern: str) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.glob(pattern))

    def read_bytes(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def open(self, key: str):
        """A binary file object to seek and read in (FileNotFoundError when it is gone)."""
        return open(self.path(key), "rb")

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def write_whole(self, key: str, data: bytes) -> None:
        final = self.path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path(_tmp_key(key))
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        fsync_dir(final.parent)

    def remove(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def arrow(self, key: str):
        """(source, filesystem) for pyarrow.dataset."""
        return str(self.path(key)), None

    def problem(self) -> str | None:
        return None


class ObjectStore:
    """An object-store prefix through fsspec (s3fs for s3://)."""

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

    def path(self, key: str) -> str:
        return f"{self._fs_and_root[1]}/{key}"

    def list(self, pattern: str) -> list[str]:
        self.fs.invalidate_cache()
        prefix = len(self._fs_and_root[1]) + 1
        return sorted(p[prefix:] for p in self.fs.glob(self.path(pattern)))

    def read_bytes(self, key: str) -> bytes:
        return self.fs.cat_file(self.path(key))

    def open(self, key: str):
        """A binary file object to seek and read in, reading ranges on demand."""
        return self.fs.open(self.path(key), "rb")

    def size(self, key: str) -> int:
        return self.fs.size(self.path(key))

    def put(self, key: str, data: bytes) -> None:
        """One PUT: the object appears whole or not at all (no temp needed)."""
        self.fs.pipe_file(self.path(key), data)

    def write_whole(self, key: str, data: bytes) -> None:
        tmp = _tmp_key(key)
        self.put(tmp, data)
        self.publish(tmp, key)

    def publish(self, tmp: str, final: str) -> None:
        self.fs.copy(self.path(tmp), self.path(final))
        self.fs.rm_file(self.path(tmp))

    def remove(self, key: str) -> None:
        self.fs.rm_file(self.path(key))

    def arrow(self, key: str):
        import pyarrow.fs as pafs

        return self.path(key), pafs.PyFileSystem(pafs.FSSpecHandler(self.fs))

    def problem(self) -> str | None:
        """Why this prefix cannot be written (no bucket, no credentials...), or None."""
        probe = f".warta-probe-{os.getpid()}"
        try:
            self.put(probe, b"")
            self.remove(probe)
        except Exception as exc:  # any backend error: credentials, bucket, network
            return f"cannot write to {self.url}: {type(exc).__name__}: {exc}"
        return None

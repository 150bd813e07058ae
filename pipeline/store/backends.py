"""The two backends of a data dir's data, with one interface: the one place where a local
folder and an object store differ. Nothing outside asks which one it has.

Keys are '/'-separated paths relative to the data dir. Reading: `list`, `read_bytes`, `open`
(seek and read a range), `size`, `lines`. Writing whole: `write_whole` makes a key appear
whole or not at all (locally a dot-prefixed temp file, fsync, rename, fsync of the folder; on
an object store a dot-prefixed temp object, then a server-side copy, then the temp goes;
dataset readers skip dot-prefixed names, so a reader sees the old content or the new, never
half). Appending: `appender(key)` writes durably as it goes (locally one file, appended,
fsynced, cut back on a failed write, optionally locked while written; on an object store,
which cannot append, one object per append). Taking finished files: `claim(pattern)` yields
those no live writer holds, locked until released. `remove`, `exists`, `writable`,
`problem` (why the data dir cannot be used) and `arrow` (for pyarrow.dataset) complete it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import uuid
from collections.abc import Iterator
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

    def lines(self, key: str) -> Iterator[bytes]:
        with open(self.path(key), "rb") as fh:
            yield from fh

    def appender(self, key: str, lock: bool = False) -> LocalAppender:
        return LocalAppender(self, key, lock)

    def claim(self, pattern: str) -> Iterator[Claimed]:
        """Files of `pattern` that no writer holds (see `appender(lock=True)`), each locked
        until released: a live writer's file is never half-read."""
        for key in self.list(pattern):
            try:
                fh = open(self.path(key), "rb")
            except FileNotFoundError:  # taken and removed by another reader meanwhile
                continue
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                continue
            yield Claimed(self, key, fh)

    def exists(self) -> bool:
        return self.root.is_dir()

    def writable(self) -> bool:
        return os.access(self.root, os.W_OK)

    def arrow(self, key: str):
        """(source, filesystem) for pyarrow.dataset."""
        return str(self.path(key)), None

    def problem(self, write: bool = True, must_exist: bool = False) -> str | None:
        """Why this folder cannot be used: a file, not a folder; missing although only read
        (or `must_exist`); not writable although written (created when missing). A probe file
        is written and removed: permission bits say nothing to root or on a read-only mount."""
        root = self.root
        if root.exists() and not root.is_dir():
            return f"data dir {root} is a file, not a directory"
        if not root.exists():
            if must_exist or not write:
                return f"data dir {root} does not exist"
            try:
                root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                return f"data dir {root} cannot be created: {exc.strerror or exc}"
        if write:
            probe = root / f".warta-probe-{uuid.uuid4().hex[:8]}"
            try:
                probe.write_bytes(b"")
                probe.unlink()
            except OSError as exc:
                return f"data dir {root} is not writable: {exc.strerror or exc}"
        return None


class LocalAppender:
    """One local file appended durably: each `append` is written whole and fsynced, or cut back
    off (a disk that fills mid-write leaves no torn record for a reader, and the retry does not
    follow half a copy). With `lock`, an exclusive flock says the file is being written
    (`LocalStore.claim` passes it by). The file is made at the first append."""

    def __init__(self, store: LocalStore, key: str, lock: bool):
        self.store = store
        self.key = key
        self.lock = lock
        self.fd: int | None = None
        self.size = 0

    def append(self, data: bytes) -> tuple[str, int]:
        """Writes `data` at the end; (key, offset it starts at). OSError, file unchanged, on failure."""
        if self.fd is None:
            path = self.store.path(self.key)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            if self.lock:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        start = os.lseek(self.fd, 0, os.SEEK_END)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self.fd, view) :]
            os.fsync(self.fd)
        except OSError:
            try:
                os.ftruncate(self.fd, start)
            except OSError as cut:  # the write's own error says what went wrong
                raise OSError(errno.EIO, f"could not cut a failed write back off {self.key}: {cut}") from None
            raise
        self.size = start + len(data)
        return self.key, start

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # drops the lock too
            self.fd = None


class Claimed:
    """A finished file taken by a reader: its lines, then removal once consumed, then release."""

    def __init__(self, store, key: str, fh=None):
        self.store = store
        self.key = key
        self.fh = fh

    def lines(self) -> Iterator[bytes]:
        if self.fh is None:
            yield from self.store.lines(self.key)
            return
        self.fh.seek(0)
        yield from self.fh

    def remove(self) -> None:
        self.store.remove(self.key)

    def release(self) -> None:
        if self.fh is not None:
            self.fh.close()


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

    def lines(self, key: str) -> Iterator[bytes]:
        yield from self.read_bytes(key).splitlines(keepends=True)

    def appender(self, key: str, lock: bool = False) -> ObjectAppender:
        return ObjectAppender(self, key)

    def claim(self, pattern: str) -> Iterator[Claimed]:
        """Every object of `pattern`: objects are whole once visible, none is being written."""
        for key in self.list(pattern):
            yield Claimed(self, key)

    def exists(self) -> bool:
        return True  # a prefix is there as soon as anything is written under it

    def writable(self) -> bool:
        return True

    def arrow(self, key: str):
        import pyarrow.fs as pafs

        return self.path(key), pafs.PyFileSystem(pafs.FSSpecHandler(self.fs))

    def problem(self, write: bool = True, must_exist: bool = False) -> str | None:
        """Why this prefix cannot be written (no bucket, no credentials...), or None."""
        if not write:
            return None
        probe = f".warta-probe-{os.getpid()}"
        try:
            self.put(probe, b"")
            self.remove(probe)
        except Exception as exc:  # any backend error: credentials, bucket, network
            return f"cannot write to {self.url}: {type(exc).__name__}: {exc}"
        return None


class ObjectAppender:
    """An object store cannot append: each `append` is an object of its own, the key with a
    running number (`<stem>-000001<suffix>`), written with one PUT: whole once visible."""

    def __init__(self, store: ObjectStore, key: str):
        self.store = store
        head, _, name = key.rpartition("/")
        stem, dot, suffix = name.partition(".")
        self.stem = f"{head}/{stem}" if head else stem
        self.suffix = dot + suffix
        self.count = 0
        self.size = 0

    @property
    def key(self) -> str:
        return f"{self.stem}-{max(self.count, 1):06d}{self.suffix}"

    def append(self, data: bytes) -> tuple[str, int]:
        self.count += 1
        self.store.put(self.key, data)
        self.size = len(data)
        return self.key, 0

    def close(self) -> None:
        pass

"""One scheduler service per data dir: an exclusive flock on `DATA/state/scheduler.lock`.

Two services on one data dir ran every job twice, stopped each other's crawls and raced to
create the job store's tables. The kernel drops a flock when its holder exits, however it
exits, so a crashed service never leaves a stale lock behind. The file holds the holder's pid,
for the refusal message only. The lock's descriptor is not inherited by the crawls (Python
opens files non-inheritable), so a crawl outliving its service does not keep the lock.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from pipeline.datadir import DataDir

_HELD: list[int] = []  # descriptors kept open: closing one would release its lock


class ServiceLocked(RuntimeError):
    """Another scheduler service holds this data dir."""


def lock_path(data_dir: str | os.PathLike) -> Path:
    return DataDir.of(data_dir).state_file("scheduler.lock")


def take_service_lock(data_dir: str | os.PathLike) -> None:
    """Lock the data dir for this process until it exits (so past the last run's record, written
    by job threads after the scheduler loop returns). ServiceLocked, naming the holder's pid,
    when another service has it."""
    path = lock_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # no O_TRUNC: that would erase the holder's pid
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder_pid(fd)
        os.close(fd)
        raise ServiceLocked(
            f"another scheduler service (pid {holder}) is running on data dir {data_dir} (lock {path}); stop it first"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    _HELD.append(fd)


def _holder_pid(fd: int, wait: float = 2.0) -> str:
    """The pid the holder wrote; it may have locked the file a moment before writing it."""
    deadline = time.monotonic() + wait
    while True:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if text or time.monotonic() > deadline:
            return text or "unknown"
        time.sleep(0.05)

"""Exclusive flocks under `DATA/state/`: one scheduler service per data dir
(`scheduler.lock`), and one run of a job at a time (`job-<id>.lock`).

Two services on one data dir ran every job twice, stopped each other's crawls and raced to
create the job store's tables; `warta schedule once` of a job the service was running started
a second crawl of the same site on the same staging. The kernel drops a flock when its holder
exits, however it exits, so a crash never leaves a stale lock behind. A lock file holds the
holder's pid, for the refusal message only. Descriptors are not inherited by the crawls
(Python opens files non-inheritable), so a crawl outliving its service keeps no lock.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.store.datadir import DataDir


class ServiceLocked(RuntimeError):
    """Another scheduler service holds this data dir."""


class JobRunning(RuntimeError):
    """Another process is running this job now."""


def lock_path(data_dir: str | os.PathLike) -> Path:
    return DataDir.of(data_dir).state_file("scheduler.lock")


def take_service_lock(data_dir: str | os.PathLike) -> int:
    """Lock the data dir for this process until it exits (so past the last run's record, written
    by job threads after the scheduler loop returns): the descriptor is never closed.
    ServiceLocked, naming the holder's pid, when another service has it."""
    path = lock_path(data_dir)
    try:
        return _flock(path)
    except BlockingIOError as exc:
        raise ServiceLocked(
            f"another scheduler service (pid {exc.args[0]}) is running on data dir {data_dir} (lock {path});"
            " stop it first"
        ) from None


@contextmanager
def job_lock(data_dir: str | os.PathLike, job_id: str) -> Iterator[None]:
    """Held while this process runs `job_id`; JobRunning, naming the holder's pid, when another
    process (the service, or a `warta schedule once`) runs it."""
    try:
        fd = _flock(DataDir.of(data_dir).state_file(f"job-{job_id}.lock"))
    except BlockingIOError as exc:
        raise JobRunning(f"job {job_id} is already running (pid {exc.args[0]})") from None
    try:
        yield
    finally:
        os.close(fd)


def _flock(path: Path) -> int:
    """An exclusive flock on `path` with this pid written in it; BlockingIOError(holder pid)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # no O_TRUNC: that would erase the holder's pid
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder_pid(fd)
        os.close(fd)
        raise BlockingIOError(holder) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _holder_pid(fd: int, wait: float = 2.0) -> str:
    """The pid the holder wrote; it may have locked the file a moment before writing it."""
    deadline = time.monotonic() + wait
    while True:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if text or time.monotonic() > deadline:
            return text or "unknown"
        time.sleep(0.05)

"""Exclusive locks: one scheduler service per data dir, and one run of a job at a time.

Two services on one data dir ran every job twice, stopped each other's crawls and raced to
create the job store's tables; `warta schedule once` of a job the service was running started
a second crawl of the same site on the same staging. The kernel drops a flock when its holder
exits, however it exits, so a crash never leaves a stale lock behind. Descriptors are not
inherited by the crawls (Python opens files non-inheritable), so a crawl outliving its service
keeps no lock.

The service's lock is a flock on the data dir's own directory (its local working folder for an
object store), not on a file inside it: `state/` is rebuildable, and deleting a lock file
while its holder runs let a second service in. Whether a service runs (`service_holder`) is
asked with a shared flock that is dropped at once; a service starting in that instant tries
again for a moment instead of failing. The holder's pid comes from the kernel (/proc/locks);
`state/scheduler.pid` says it where /proc/locks does not, for messages only.

A job's lock is a flock on `state/job-<id>.lock` (one directory cannot carry one flock per
job): taking it checks that the name still leads to the locked file, so a file deleted or
replaced in between is not trusted, but a lock file deleted while its run goes on lets a
`warta schedule once` of that job start a second run.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.store.datadir import DataDir

START_RETRY_SECONDS = 1.0  # how long a starting service retries a lock that a status probe may hold


class ServiceLocked(RuntimeError):
    """Another scheduler service holds this data dir."""


class JobRunning(RuntimeError):
    """Another process is running this job now."""


def pid_path(data_dir: str | os.PathLike) -> Path:
    return DataDir.of(data_dir).state_file("scheduler.pid")


def take_service_lock(data_dir: str | os.PathLike) -> int:
    """Lock the data dir for this process until it exits (so past the last run's record, written
    by job threads after the scheduler loop returns): the descriptor is never closed.
    ServiceLocked, naming the holder's pid, when another service has it."""
    folder = DataDir.of(data_dir).local
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    deadline = time.monotonic() + START_RETRY_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                holder = _holder_pid(fd, data_dir)
                os.close(fd)
                raise ServiceLocked(
                    f"another scheduler service (pid {holder or 'unknown'}) is running on data dir {data_dir};"
                    " stop it first"
                ) from None
            time.sleep(0.02)
    _write_pid(pid_path(data_dir))
    return fd


def service_holder(data_dir: str | os.PathLike) -> tuple[bool, int | None]:
    """(whether a scheduler service holds the data dir, its pid when known), without taking
    the lock in a way that could refuse a starting service. Reads only."""
    try:
        fd = os.open(DataDir.of(data_dir).local, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return False, None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True, _holder_pid(fd, data_dir)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False, None
    finally:
        os.close(fd)


@contextmanager
def job_lock(data_dir: str | os.PathLike, job_id: str) -> Iterator[None]:
    """Held while this process runs `job_id`; JobRunning, naming the holder's pid, when another
    process (the service, or a `warta schedule once`) runs it."""
    try:
        fd = _flock_file(DataDir.of(data_dir).state_file(f"job-{job_id}.lock"))
    except BlockingIOError as exc:
        raise JobRunning(f"job {job_id} is already running (pid {exc.args[0]})") from None
    try:
        yield
    finally:
        os.close(fd)


def _flock_file(path: Path) -> int:
    """An exclusive flock on the file at `path`, with this pid written in it; BlockingIOError(holder pid)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(10):  # bounded: each retry means another process replaced the file meanwhile
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # no O_TRUNC: that would erase the holder's pid
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _written_pid(fd)
            os.close(fd)
            raise BlockingIOError(holder) from None
        if _same_file(fd, path):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            return fd
        os.close(fd)  # locked a file that is no longer at `path`: lock the one that is
    raise BlockingIOError("unknown")


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (held.st_dev, held.st_ino)


def _holder_pid(fd: int, data_dir: str | os.PathLike) -> int | None:
    """The pid holding an exclusive flock on the directory open as `fd`: the kernel's word
    first, then the pid file the holder wrote."""
    return _kernel_holder(os.fstat(fd)) or _pid_file(pid_path(data_dir))


def _kernel_holder(st: os.stat_result) -> int | None:
    """/proc/locks lines read `1: FLOCK  ADVISORY  WRITE <pid> <major>:<minor>:<inode> 0 EOF`."""
    device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    try:
        with open("/proc/locks") as locks:
            for line in locks:
                fields = line.split()
                if len(fields) >= 6 and fields[1:4] == ["FLOCK", "ADVISORY", "WRITE"] and fields[5] == device:
                    return int(fields[4]) if fields[4].isdigit() else None
    except OSError:  # not Linux, or no /proc
        pass
    return None


def _write_pid(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    temp.write_text(f"{os.getpid()}\n")
    os.replace(temp, path)


def _pid_file(path: Path) -> int | None:
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _written_pid(fd: int, wait: float = 2.0) -> str:
    """The pid a job lock's holder wrote; it may have locked the file a moment before writing it."""
    deadline = time.monotonic() + wait
    while True:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if text or time.monotonic() > deadline:
            return text or "unknown"
        time.sleep(0.05)

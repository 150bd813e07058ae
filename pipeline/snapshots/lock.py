"""One snapshot build at a time per data dir: a file lock on this machine, and a Redis lock
across machines when the build is shared (distributed mode)."""

from __future__ import annotations

import fcntl
from contextlib import contextmanager

from pipeline.store.datadir import DataDir


class BuildLocked(RuntimeError):
    """Another snapshot build holds the data dir."""


@contextmanager
def build_lock(data_dir: DataDir):
    path = data_dir.state_file("snapshot.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(f"another snapshot build is running on {data_dir.local}") from None
        yield


@contextmanager
def redis_build_lock(redis_url: str, data_dir: str, ttl: float = 60.0):
    """One builder per data dir across machines: a Redis lock that expires if its holder dies
    and is renewed by a thread while the build runs."""
    import threading

    import redis

    client = redis.Redis.from_url(redis_url)
    lock = client.lock(f"warta:snapshot-lock:{data_dir}", timeout=ttl, thread_local=False)
    if not lock.acquire(blocking=False):
        raise BuildLocked(f"another snapshot build is running on {data_dir} (lock in {redis_url})")
    stop = threading.Event()

    def renew():
        while not stop.wait(ttl / 3):
            lock.reacquire()

    renewer = threading.Thread(target=renew, daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        lock.release()
        client.close()

"""One snapshot build at a time per data dir: a file lock on this machine, and a Redis lock
across machines when the build is shared (distributed mode)."""

from __future__ import annotations

import fcntl
import logging
from contextlib import contextmanager

from pipeline.store.datadir import DataDir

logger = logging.getLogger(__name__)


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
    and is renewed by a thread while the build runs. A Redis that is away (a restart) is asked
    again every second until it answers; a lock it lost (restarted without persistence) is
    taken again. Neither stops the build: its partitions are published atomically, and the
    lock only keeps two builders from doing the same work."""
    import threading

    from redis.exceptions import LockError, LockNotOwnedError

    from pipeline.dedup.seen_redis import connect, redis_away

    client = connect(redis_url)
    lock = client.lock(f"warta:snapshot-lock:{data_dir}", timeout=ttl, thread_local=False)
    if not lock.acquire(blocking=False):
        raise BuildLocked(f"another snapshot build is running on {data_dir} (lock in {redis_url})")
    stop = threading.Event()

    def renew():
        pause = ttl / 3
        while not stop.wait(pause):
            pause = ttl / 3
            try:
                try:
                    lock.reacquire()
                except LockNotOwnedError:
                    taken = lock.acquire(blocking=False)
                    logger.warning(
                        "the snapshot build lock was lost in Redis (restarted?); %s",
                        "taken again" if taken else "another build holds it now",
                    )
            except Exception as exc:  # noqa: BLE001 (the thread must live on: the build goes on regardless)
                if not redis_away(exc):
                    logger.warning("could not renew the snapshot build lock: %s", exc)
                pause = min(pause, 1.0)

    renewer = threading.Thread(target=renew, daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        try:
            lock.release()
        except LockError as exc:  # expired or lost meanwhile: it is gone either way
            logger.warning("could not release the snapshot build lock: %s", exc)
        except Exception as exc:  # noqa: BLE001 (Redis away: the lock expires within its ttl)
            if not redis_away(exc):
                raise
            logger.warning("could not release the snapshot build lock (Redis unreachable); it expires in %.0f s", ttl)
        client.close()

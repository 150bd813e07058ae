"""Switching a crawl to distributed mode: the Redis URL checked, the Redis server and the data
dir probed before any work starts, and the settings that put the shared queue in place."""

from __future__ import annotations

from pipeline.store.datadir import DataDir


def redis_url_error(url: str) -> str | None:
    """Why `url` is not a Redis URL, or None."""
    if str(url).startswith(("redis://", "rediss://", "unix://")):
        return None
    return f"not a Redis URL (redis://HOST:PORT/DB): {url!r}"


def check_redis(url: str) -> str | None:
    """Why the Redis server at `url` cannot be used, or None when it answers."""
    import redis

    if problem := redis_url_error(url):
        return problem
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
        client.ping()
        client.close()
    except (redis.RedisError, ValueError, OSError) as exc:
        return f"cannot reach Redis at {url}: {exc}"
    return None


def preflight(data_dir: str, redis_url: str | None) -> str | None:
    """Why a crawl or a snapshot build cannot start: Redis unreachable, data dir unwritable."""
    if redis_url and (problem := check_redis(redis_url)):
        return problem
    return DataDir(data_dir).problem()


def distributed_settings(redis_url: str | None) -> dict:
    """The settings that switch a crawl to distributed mode, or keep it local without a URL."""
    if not redis_url:
        return {"REDIS_URL": None}
    return {"REDIS_URL": redis_url, "SCHEDULER": "crawler.distributed.shared_queue.SharedScheduler"}

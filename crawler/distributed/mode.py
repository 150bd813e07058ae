"""Switching a crawl to distributed mode: the Redis URL checked, the Redis server and the data
dir probed before any work starts, the settings that put the shared queue in place, and what
a worker's end means when the shared queue cut it short (`worker_problem`)."""

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


REDIS_LOST, REDIS_UNAVAILABLE = "redis_lost", "redis_unavailable"  # a worker's own finish reasons


def lost_message(in_flight: int) -> str:
    """What a worker says when Redis came back without the run's keys."""
    return (
        f"Redis lost the shared run's queue (restarted without persistence?): {in_flight} requests "
        "of this worker were in flight; run the crawl again"
    )


def worker_problem(finish_reason: str | None, counts: dict) -> str | None:
    """Why a distributed worker's crawl is not a success although it may have fetched pages, or
    None. `counts`: its `warta/distributed/*` stats without the prefix."""
    if finish_reason == REDIS_LOST:
        return lost_message(counts.get("lost_in_flight", 0))
    if finish_reason == REDIS_UNAVAILABLE:
        return (
            f"Redis was unreachable for {counts.get('unreachable_s', 0)} s: stopped; the requests this worker "
            "held go back to the shared queue when their leases expire; run the crawl again once Redis is back"
        )
    if unfinished := counts.get("unfinished"):
        return (
            f"{unfinished} requests of this worker had no outcome; they were handed back to the shared queue "
            "(another worker or the next run of this crawl fetches them)"
        )
    return None

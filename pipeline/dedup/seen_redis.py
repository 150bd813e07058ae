"""The seen-store in Redis, shared by every worker of a distributed crawl.

Same answers as the SQLite store (`pipeline.dedup.seen`), kept in a few keys per site:
`warta:seen:<site>` (hash: article id -> "content hash|published|fetched"),
`warta:hash:<site>` (hash: content hash -> first article id), `warta:sketch:<site>` (hash:
article id -> signature bytes) and `warta:band:<site>:<key>` (sets of article ids).
Also the client every Redis connection of a crawl uses (`connect`), and which of its errors
mean that Redis is away rather than that a command is wrong (`redis_away`): callers wait those
out (`pipeline.store.outage`).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from pipeline.dedup.neardup import band_keys
from pipeline.dedup.seen import SeenEntry, SeenStoreBase, stamps

# ARGV: band key prefix, then per article: id, seen entry, content hash, signature, band keys,
# band keys of the previous signature (comma-separated; empty without a signature).
RECORD = """
for i = 2, #ARGV, 6 do
  local aid = ARGV[i]
  redis.call('HSET', KEYS[1], aid, ARGV[i + 1])
  redis.call('HSETNX', KEYS[2], ARGV[i + 2], aid)
  if ARGV[i + 3] ~= '' then
    for key in string.gmatch(ARGV[i + 5], '[^,]+') do redis.call('SREM', ARGV[1] .. key, aid) end
    redis.call('HSET', KEYS[3], aid, ARGV[i + 3])
    for key in string.gmatch(ARGV[i + 4], '[^,]+') do redis.call('SADD', ARGV[1] .. key, aid) end
  end
end
return 1
"""


def connect(url: str):
    """A Redis client for the crawl's thread: a server that refuses or does not answer is noticed
    within seconds (the callers wait an outage out themselves, between other work, instead of
    blocking the crawl in redis-py's own retries), and a connection the server dropped (a
    restart) is replaced by one immediate retry."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5, retry=Retry(NoBackoff(), 1))


def redis_away(error: BaseException) -> bool:
    """Whether `error` says that Redis is away (down, restarting, loading its data, silent)."""
    import redis

    return isinstance(error, (redis.ConnectionError, redis.TimeoutError))  # BusyLoadingError is one


def _entry(article_id: str, raw: bytes) -> SeenEntry:
    """A `warta:seen:<site>` value ("content hash|published|fetched") as a SeenEntry."""
    content_hash, published, fetched = raw.decode().split("|")
    return SeenEntry.from_text(article_id, content_hash, published, fetched)


class RedisSeenStore(SeenStoreBase):
    def __init__(self, url: str):
        self.redis = connect(url)
        self.redis.ping()
        self._record = self.redis.register_script(RECORD)

    def close(self) -> None:
        self.redis.close()

    def unavailable(self, error: BaseException) -> bool:
        return redis_away(error)

    def get(self, site: str, article_id: str) -> SeenEntry | None:
        raw = self.redis.hget(f"warta:seen:{site}", article_id)
        return None if raw is None else _entry(article_id, raw)

    def owner_of_hash(self, site: str, content_hash: str, exclude: str | None = None) -> str | None:
        """Claims the hash for `exclude` when nobody has it yet (HSETNX): two workers meeting
        the same copy at the same moment cannot both keep it."""
        key = f"warta:hash:{site}"
        if exclude and self.redis.hsetnx(key, content_hash, exclude):
            return None
        owner = self.redis.hget(key, content_hash)
        owner = owner.decode() if owner else None
        return owner if owner != exclude else None

    def signature(self, site: str, article_id: str) -> np.ndarray | None:
        raw = self.redis.hget(f"warta:sketch:{site}", article_id)
        return np.frombuffer(raw, dtype=np.uint32) if raw else None

    def candidates(self, site: str, keys: list[int], exclude: str) -> list[tuple[str, np.ndarray, datetime | None]]:
        ids = sorted({m.decode() for m in self.redis.sunion([f"warta:band:{site}:{k}" for k in keys])} - {exclude})
        if not ids:
            return []
        pipe = self.redis.pipeline(transaction=False)
        pipe.hmget(f"warta:sketch:{site}", ids)
        pipe.hmget(f"warta:seen:{site}", ids)
        signatures, entries = pipe.execute()
        found = []
        for cid, raw, entry in zip(ids, signatures, entries):
            if raw is not None and entry is not None:
                found.append((cid, np.frombuffer(raw, dtype=np.uint32), _entry(cid, entry).published_at))
        return found

    def record_many(self, site: str, entries: list[tuple[dict, np.ndarray | None]]) -> None:
        """One script call for the batch: the articles are remembered together or not at all."""
        ids = [article["article_id"] for article, signature in entries if signature is not None]
        previous = dict(zip(ids, self.redis.hmget(f"warta:sketch:{site}", ids))) if ids else {}
        args: list = [f"warta:band:{site}:"]
        for article, signature in entries:
            aid = article["article_id"]
            published, fetched = stamps(article)
            old = previous.get(aid)
            args += [
                aid,
                f"{article['content_hash']}|{published or ''}|{fetched}",
                article["content_hash"],
                b"" if signature is None else signature.astype(np.uint32).tobytes(),
                "" if signature is None else ",".join(str(int(k)) for k in band_keys(signature)),
                ",".join(str(int(k)) for k in band_keys(np.frombuffer(old, dtype=np.uint32))) if old else "",
            ]
        self._record(keys=[f"warta:seen:{site}", f"warta:hash:{site}", f"warta:sketch:{site}"], args=args)

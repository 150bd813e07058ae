"""Distributed mode: one request queue and one request seen-set in Redis, shared by workers.

Built on scrapy-redis (its connection, request encoding, priority queue and dupefilter), with
what it lacks for a crawl that must lose nothing:
- keys per run (`warta:<site>:<run>:...`, the run named by the spider's range and mirror),
  deleted when the run is finished and expiring if a run is abandoned; scrapy-redis keeps
  every fingerprint forever;
- leases instead of a destructive pop: a popped request stays in Redis until its outcome is
  durable (the item staged, dropped with a reason, or the failure counted). Each worker
  renews its leases; a killed worker's leases expire and another worker puts the requests
  back in the queue. A worker stopped cleanly (SIGTERM, --limit) hands its leases back at once;
- a worker whose queue is empty waits while other workers still hold leases (they may
  discover more), and the run ends when the queue is empty and no lease is held.
So every article is staged at least once and, unless a worker dies holding it, fetched once.

Who acknowledges what: `LeaseMiddleware` (spider middleware) hands a response's lease to the
page it yields, or acknowledges it when the callback yields no page (a sitemap, a listing,
an HTTP error); `FailedLeaseMiddleware` (downloader middleware, outside the retries)
acknowledges a request that failed for good; an article's lease is acknowledged when staging
sends `pipeline.signals.articles_staged`, or when the article is dropped with a reason.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.limit import LimitReached
from pipeline.datadir import DataDir
from pipeline.items import FetchedPage
from pipeline.signals import articles_staged

logger = logging.getLogger(__name__)

# Sent with `leases=[...]` by the middlewares below when requests have had their full effect.
leases_done = object()

LEASE_META = "warta_lease"

POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0)
if #item == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local now = redis.call('TIME')
redis.call('HSET', KEYS[2], ARGV[1], item[1])
redis.call('ZADD', KEYS[3], tonumber(now[1]) + tonumber(ARGV[2]), ARGV[1])
return item[1]
"""

# Adds a request unless its fingerprint was seen in this run: one step, so a worker killed in
# between cannot leave a fingerprint whose request never reached the queue.
ENQUEUE = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
if ARGV[4] ~= '' then
  redis.call('HDEL', KEYS[3], ARGV[4])
  redis.call('ZREM', KEYS[4], ARGV[4])
end
return 1
"""

# Leases held by other workers (ARGV[1]: this worker's lease prefix).
OTHERS = """
local n = 0
for _, lease in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(lease, 1, #ARGV[1]) ~= ARGV[1] then n = n + 1 end
end
return n
"""

RENEW = """
local now = redis.call('TIME')
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', tonumber(now[1]) + tonumber(ARGV[1]), ARGV[i]) end
return #ARGV - 1
"""

# Other workers' expired leases (ARGV[1] = '*', ARGV[2] = this worker's prefix) or the given
# ones go back to the front of the queue. A worker never expires its own: it is alive.
RELEASE = """
local leases = {}
if ARGV[1] == '*' then
  local now = redis.call('TIME')
  for _, lease in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now[1])) do
    if string.sub(lease, 1, #ARGV[2]) ~= ARGV[2] then table.insert(leases, lease) end
  end
else
  leases = ARGV
end
local n = 0
for _, lease in ipairs(leases) do
  local data = redis.call('HGET', KEYS[2], lease)
  if data then
    redis.call('ZADD', KEYS[1], -1000, data)
    n = n + 1
  end
  redis.call('HDEL', KEYS[2], lease)
  redis.call('ZREM', KEYS[3], lease)
end
return n
"""


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
    return {"REDIS_URL": redis_url, "SCHEDULER": "crawler.shared_queue.SharedScheduler"}


class _DistributedOnly:
    """A component of distributed mode: switched off, silently, in a crawl without Redis."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        return cls(crawler)


class LeaseMiddleware(_DistributedOnly):
    """Spider middleware (distributed mode): the page a response yields carries its lease to
    the pipelines; a response that yields no page has had its full effect once its output
    (the requests it discovered) is queued, and its lease is acknowledged then."""

    async def process_spider_output(self, response, result):
        lease = response.meta.get(LEASE_META)
        handed = False
        async for element in result:
            if lease and isinstance(element, FetchedPage):
                element.lease, handed = lease, True
            yield element
        if lease and not handed:
            self.crawler.signals.send_catch_log(leases_done, leases=[lease])


class FailedLeaseMiddleware(_DistributedOnly):
    """Downloader middleware (distributed mode), outside the retry middleware: an exception that
    reaches it is final (no retry left), so the request's lease is acknowledged; its errback
    only counts the failure."""

    def process_exception(self, request, exception):
        if lease := request.meta.get(LEASE_META):
            self.crawler.signals.send_catch_log(leases_done, leases=[lease])
        return None


class SharedScheduler:
    """A Scrapy scheduler over a leased Redis queue (settings: `REDIS_URL`,
    `DISTRIBUTED_LEASE_SECONDS`, `DISTRIBUTED_RUN_TTL_HOURS`)."""

    def __init__(self, crawler, server, lease_seconds: int, run_ttl: int):
        self.crawler = crawler
        self.stats = crawler.stats
        self.server = server
        self.lease_seconds = lease_seconds
        self.run_ttl = run_ttl
        self.prefix = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}:"
        self.mine: set[str] = set()
        self.count = 0
        self.spider = None
        self._pop = server.register_script(POP)
        self._enqueue = server.register_script(ENQUEUE)
        self._others = server.register_script(OTHERS)
        self._renew = server.register_script(RENEW)
        self._release = server.register_script(RELEASE)
        self._timer = None
        self._ticks = 0

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy_redis.connection import get_redis_from_settings

        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("distributed mode needs REDIS_URL")
        server = get_redis_from_settings(settings)
        server.ping()
        scheduler = cls(
            crawler,
            server,
            settings.getint("DISTRIBUTED_LEASE_SECONDS", 60),
            int(settings.getfloat("DISTRIBUTED_RUN_TTL_HOURS", 24) * 3600),
        )
        crawler.signals.connect(scheduler.leases_done, signal=leases_done)
        crawler.signals.connect(scheduler.articles_staged, signal=articles_staged)
        for outcome in (signals.item_dropped, signals.item_error, signals.spider_error):
            crawler.signals.connect(scheduler.response_done, signal=outcome)
        return scheduler

    # keys -------------------------------------------------------------------------------
    def open(self, spider):
        from scrapy_redis.dupefilter import RFPDupeFilter
        from scrapy_redis.queue import PriorityQueue

        self.spider = spider
        prefix = f"warta:{spider.name}:{spider.run_key}"
        self.queue = PriorityQueue(self.server, spider, f"{prefix}:queue")
        self.inflight_key, self.leases_key = f"{prefix}:inflight", f"{prefix}:leases"
        self.df = RFPDupeFilter(self.server, key=f"{prefix}:dupefilter")
        self.keys = [self.queue.key, self.inflight_key, self.leases_key, self.df.key]
        waiting = len(self.queue)
        if waiting:
            logger.info("joining run %s: %d requests waiting in Redis", prefix, waiting)
        self.stats.set_value("warta/distributed/run", prefix)
        self._timer = task.LoopingCall(self._tick)
        self._timer.start(0.5, now=False)

    def close(self, reason):
        if self._timer and self._timer.running:
            self._timer.stop()
        if self.mine:
            if reason == "finished":  # an outcome we never heard of: count it, don't loop on it
                self.stats.inc_value("warta/distributed/unacknowledged", len(self.mine))
                self._ack(*self.mine)
            else:
                handed = self._release(keys=self.keys[:3], args=sorted(self.mine))
                self.stats.set_value("warta/distributed/handed_back", handed)
                logger.info("handed %d unfinished requests back to the shared queue", handed)
                self.mine.clear()
        if reason == "finished" and not self._work_elsewhere() and not len(self.queue):
            self.server.delete(*self.keys)  # the run is over: the next one starts afresh

    # the Scrapy scheduler interface -----------------------------------------------------
    def has_pending_requests(self) -> bool:
        return len(self.queue) > 0 or self._work_elsewhere()

    def __len__(self) -> int:
        return len(self.queue)

    def enqueue_request(self, request) -> bool:
        old = request.meta.pop(LEASE_META, None)  # a retry replaces its leased original
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        added = self._enqueue(
            keys=[self.df.key, self.queue.key, self.inflight_key, self.leases_key],
            args=[fingerprint, -request.priority, self.queue._encode_request(request), old or ""],
        )
        if old:
            self.mine.discard(old)
        if not added:
            self.stats.inc_value("warta/distributed/duplicate_request")
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        self.count += 1
        lease = f"{self.prefix}{self.count}"
        data = self._pop(keys=self.keys[:3], args=[lease, self.lease_seconds])
        if not data:
            return None
        self.mine.add(lease)
        request = self.queue._decode_request(data)
        request.meta[LEASE_META] = lease
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    # outcomes ---------------------------------------------------------------------------
    def leases_done(self, leases):
        leases = [lease for lease in leases if lease]
        if leases:
            self._ack(*leases)

    def articles_staged(self, items):
        self.leases_done([item.lease for item in items])

    def response_done(self, response=None, exception=None, **kwargs):
        """An item dropped (with a counted reason) or failed, or a callback raised: final. An
        article beyond this worker's --limit is not: its lease is handed back at close."""
        if response is not None and not isinstance(exception, LimitReached):
            self.leases_done([response.meta.get(LEASE_META)])

    def _ack(self, *leases: str) -> None:
        pipe = self.server.pipeline(transaction=True)
        pipe.hdel(self.inflight_key, *leases)
        pipe.zrem(self.leases_key, *leases)
        pipe.execute()
        self.mine.difference_update(leases)

    # upkeep -----------------------------------------------------------------------------
    def _work_elsewhere(self) -> bool:
        """Leases held by other workers (they may still add requests), once expired ones are
        put back in the queue."""
        if not self._others(keys=[self.leases_key], args=[self.prefix]):
            return False
        self._recover()
        return bool(self._others(keys=[self.leases_key], args=[self.prefix])) or len(self.queue) > 0

    def _recover(self) -> None:
        recovered = self._release(keys=self.keys[:3], args=["*", self.prefix])
        if recovered:
            self.stats.inc_value("warta/distributed/recovered", recovered)
            logger.warning("put %d requests of a lost worker back in the queue", recovered)

    def _tick(self) -> None:
        self._ticks += 1
        try:
            if self._ticks % max(1, self.lease_seconds * 2 // 3) == 0:  # every third of a lease
                if self.mine:
                    self._renew(keys=[self.leases_key], args=[self.lease_seconds, *self.mine])
                pipe = self.server.pipeline()
                for key in self.keys:
                    pipe.expire(key, self.run_ttl)
                pipe.execute()
            self._recover()
            # Scrapy polls a scheduler that had nothing to give only every 5 s; requests another
            # worker queued meanwhile, or the end of the run, should be noticed sooner.
            self.crawler.engine._slot.nextcall.schedule()
        except Exception:  # Redis briefly away: the next tick retries; leases last longer
            logger.warning("Redis upkeep failed", exc_info=True)

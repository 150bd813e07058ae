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
The middlewares that hand leases on or acknowledge them are in `crawler.distributed.leases`; switching a
crawl to this mode is `crawler.distributed.mode`.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.distributed.leases import LEASE_META, leases_done
from crawler.extensions.limit import LimitReached
from crawler.signals import articles_staged

logger = logging.getLogger(__name__)

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
        over = reason == "finished" and not len(self.queue)
        # A site that was down: the run fetched nothing, and its remembered requests (robots.txt,
        # sitemaps) must not make the next run of the same range skip them once the site is back.
        abandoned = reason == "unreachable"
        if (over or abandoned) and not self._work_elsewhere():
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

"""One distributed run's keys in Redis and the steps over them, each one atomic (a Lua script or
a transaction): the Redis side of `crawler.distributed.shared_queue.SharedScheduler`, which decides when to
call them.

Keys (`warta:<site>:<run>:...`): `queue` (a scrapy-redis priority queue), `inflight` (lease ->
request), `leases` (lease -> expiry, Redis time), `dupefilter` (the run's request
fingerprints) and `run`, the marker: `running` while the run goes on, `over` for an hour once
it ended. A marker that is gone means Redis lost the run (a restart without persistence).
Leases are named by their worker's prefix, so a worker tells its own from the others'.
`Unheard` keeps what a worker could not tell Redis while it was away.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

RUNNING, OVER = b"running", b"over"
OVER_SECONDS = 3600

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
# between cannot leave a fingerprint whose request never reached the queue. The leased request
# it replaces (ARGV[4]: a retry, a redirect) is done either way, even when the new one is a
# duplicate; a second try of the same call (its answer lost with the connection) changes nothing.
ENQUEUE = """
if ARGV[4] ~= '' then
  redis.call('HDEL', KEYS[3], ARGV[4])
  redis.call('ZREM', KEYS[4], ARGV[4])
end
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
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


class SharedRun:
    """The keys of the run `name` (e.g. `warta:medcom:<range>@<mirror>`) for the worker whose
    leases start with `prefix`."""

    def __init__(self, server, spider, name: str, prefix: str, lease_seconds: int, ttl: int):
        from scrapy_redis.dupefilter import RFPDupeFilter
        from scrapy_redis.queue import PriorityQueue

        self.server = server
        self.name = name
        self.prefix = prefix
        self.lease_seconds = lease_seconds
        self.ttl = ttl
        self.queue = PriorityQueue(server, spider, f"{name}:queue")
        self.df = RFPDupeFilter(server, key=f"{name}:dupefilter")
        self.inflight_key, self.leases_key, self.marker_key = f"{name}:inflight", f"{name}:leases", f"{name}:run"
        self.keys = [self.queue.key, self.inflight_key, self.leases_key, self.df.key]  # the marker apart
        self._pop = server.register_script(POP)
        self._enqueue = server.register_script(ENQUEUE)
        self._others = server.register_script(OTHERS)
        self._renew = server.register_script(RENEW)
        self._release = server.register_script(RELEASE)

    def start(self) -> None:
        """This worker runs it: joined, or begun anew after an earlier run of the range ended."""
        self.server.set(self.marker_key, RUNNING, ex=self.ttl)

    def marker(self) -> bytes | None:
        return self.server.get(self.marker_key)

    def __len__(self) -> int:
        return len(self.queue)

    # requests ---------------------------------------------------------------------------
    def entry(self, request, old_lease: str | None) -> tuple[str, int, bytes, str]:
        """What `enqueue` needs of a request: fingerprint (none when not filtered), score,
        encoded request, the lease of the request it replaces."""
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        return fingerprint, -request.priority, self.queue._encode_request(request), old_lease or ""

    def enqueue(self, entry: tuple) -> bool:
        """Queues the request unless the run has seen it; done with the lease it replaces."""
        return bool(self._enqueue(keys=[self.df.key, *self.keys[:3]], args=list(entry)))

    def pop(self, lease: str):
        """The next request, leased as `lease`, or None when the queue is empty."""
        data = self._pop(keys=self.keys[:3], args=[lease, self.lease_seconds])
        return self.queue._decode_request(data) if data else None

    # leases -----------------------------------------------------------------------------
    def ack(self, leases) -> None:
        """Their requests had their full effect: gone from the run."""
        pipe = self.server.pipeline(transaction=True)
        pipe.hdel(self.inflight_key, *leases)
        pipe.zrem(self.leases_key, *leases)
        pipe.execute()

    def release(self, leases) -> int:
        """Their requests go back to the front of the queue (those still leased: a count)."""
        return self._release(keys=self.keys[:3], args=sorted(leases))

    def recover(self) -> int:
        """Other workers' expired leases go back to the queue; how many."""
        return self._release(keys=self.keys[:3], args=["*", self.prefix])

    def others(self) -> int:
        """Leases held by other workers."""
        return self._others(keys=[self.leases_key], args=[self.prefix])

    def renew(self, leases, running: bool) -> None:
        """This worker's leases for another lease time, and the run's keys for another TTL
        (the marker too while `running`: an `over` marker keeps its short life)."""
        pipe = self.server.pipeline()
        if leases:
            self._renew(keys=[self.leases_key], args=[self.lease_seconds, *leases], client=pipe)
        for key in [*self.keys, self.marker_key] if running else self.keys:
            pipe.expire(key, self.ttl)
        pipe.execute()

    # the end ----------------------------------------------------------------------------
    def end(self) -> None:
        """The run is over: its keys go, the next run starts afresh. The marker stays a while as
        `over`, so that a worker still running tells this end from a Redis that lost the run."""
        pipe = self.server.pipeline(transaction=True)
        pipe.delete(*self.keys)
        pipe.set(self.marker_key, OVER, ex=OVER_SECONDS)
        pipe.execute()

    def forget(self) -> None:
        """After Redis lost the run: the keys written since (without the run's expiry) go."""
        self.server.delete(*self.keys)


class Unheard:
    """What Redis has not heard from this worker because it was away: the requests its pages
    discovered, the leases whose outcome is final, the leases to hand back (an item that failed
    for want of Redis, a pop whose answer was lost). `tell` says them in that order, so that no
    page's lease is acknowledged before the requests it found are queued."""

    def __init__(self):
        self.requests: deque[tuple[str, int, bytes, str]] = deque()
        self.acks: set[str] = set()
        self.handbacks: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self.requests or self.acks or self.handbacks)

    def clear(self) -> None:
        self.requests.clear()
        self.acks.clear()
        self.handbacks.clear()

    def tell(self, run: SharedRun, mine: set[str], enqueued: Callable[[tuple, bool], object]) -> int:
        """Says it all to `run` (what is said is forgotten here, even if a later step fails);
        the leases acknowledged or handed back leave `mine`. Returns how many requests went back
        to the queue."""
        while self.requests:
            added = run.enqueue(self.requests[0])
            enqueued(self.requests.popleft(), added)
        if self.acks:
            run.ack(self.acks)
            mine.difference_update(self.acks)
            self.acks.clear()
        handed = 0
        if self.handbacks:
            handed = run.release(self.handbacks)
            mine.difference_update(self.handbacks)
            self.handbacks.clear()
        return handed

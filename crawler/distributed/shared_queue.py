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
- Redis away (a restart): the worker waits for it (`pipeline.store.outage`) instead of deciding the
  crawl is over, and tells it what it missed once it is back (`shared_run.Unheard`). Leases
  that expired meanwhile go back to the queue (a fetch twice at most; the snapshot keeps each
  article once). Back without the run (no persistence), the worker stops ("redis_lost") and
  says so, keeping what it staged; after DISTRIBUTED_REDIS_WAIT_SECONDS it stops too
  ("redis_unavailable"), its leases left to expire.
So every article is staged at least once and, unless a worker dies holding it, fetched once.
The keys and their atomic steps are `crawler.distributed.shared_run`; the middlewares that hand leases on
or acknowledge them, `crawler.distributed.leases`; switching a crawl to this mode, `crawler.distributed.mode`.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler.distributed.leases import LEASE_META, leases_done
from crawler.distributed.mode import REDIS_LOST, REDIS_UNAVAILABLE, lost_message
from crawler.distributed.shared_run import RUNNING, SharedRun, Unheard
from crawler.extensions.limit import LimitReached
from crawler.pipelines.articles import ParseAbandoned
from crawler.pipelines.dedup import SeenStoreAway
from crawler.signals import articles_staged
from pipeline.dedup.seen_redis import connect, redis_away
from pipeline.store.outage import Outage

logger = logging.getLogger(__name__)


class SharedScheduler:
    """A Scrapy scheduler over a leased Redis queue (settings: `REDIS_URL`,
    `DISTRIBUTED_LEASE_SECONDS`, `DISTRIBUTED_RUN_TTL_HOURS`, `DISTRIBUTED_REDIS_WAIT_SECONDS`)."""

    def __init__(self, crawler, server, lease_seconds: int, run_ttl: int, patience: float = 600.0):
        self.crawler = crawler
        self.stats = crawler.stats
        self.server = server
        self.lease_seconds = lease_seconds
        self.run_ttl = run_ttl
        self.prefix = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}:"
        self.run: SharedRun | None = None
        self.mine: set[str] = set()
        self.count = 0
        self._timer = None
        self._ticks = 0
        self.outage = Outage("the shared queue", patience, level=logging.WARNING)  # on the terminal too
        self.lost: int | None = None  # requests in flight when Redis came back without the run
        self._stopping = False
        self.unheard = Unheard()  # told to Redis once it is back
        self._queued = 0  # the queue's length when Redis last told it
        self._recover_after = 0.0  # after an outage, the other workers renew their leases first

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("distributed mode needs REDIS_URL")
        server = connect(settings.get("REDIS_URL"))
        server.ping()
        scheduler = cls(
            crawler,
            server,
            settings.getint("DISTRIBUTED_LEASE_SECONDS"),
            int(settings.getfloat("DISTRIBUTED_RUN_TTL_HOURS") * 3600),
            settings.getfloat("DISTRIBUTED_REDIS_WAIT_SECONDS"),
        )
        crawler.signals.connect(scheduler.leases_done, signal=leases_done)
        crawler.signals.connect(scheduler.articles_staged, signal=articles_staged)
        for outcome in (signals.item_dropped, signals.item_error, signals.spider_error):
            crawler.signals.connect(scheduler.response_done, signal=outcome)
        return scheduler

    def open(self, spider):
        name = f"warta:{spider.name}:{spider.run_key}"
        self.run = SharedRun(self.server, spider, name, self.prefix, self.lease_seconds, self.run_ttl)
        self.run.start()
        if waiting := len(self):
            logger.info("joining run %s: %d requests waiting in Redis", name, waiting)
        self.stats.set_value("warta/distributed/run", name)
        self._timer = task.LoopingCall(self._tick)
        self._timer.start(0.5, now=False)

    def close(self, reason):
        if self._timer and self._timer.running:
            self._timer.stop()
        if self.lost is not None:
            return  # Redis holds nothing of this run any more: nothing to hand back or clear
        try:
            self._flush()
            if self.mine:
                if reason == "finished":  # no outcome was ever heard for these: not a success
                    self.stats.set_value("warta/distributed/unfinished", len(self.mine))
                    logger.error("%d requests of this worker had no outcome; handed back to the queue", len(self.mine))
                handed = self.run.release(self.mine)
                self.stats.inc_value("warta/distributed/handed_back", handed)
                logger.info("handed %d unfinished requests back to the shared queue", handed)
                self.mine.clear()
            over = reason == "finished" and not len(self.run)
            # A site that was down: the run fetched nothing, and its remembered requests (robots.txt,
            # sitemaps) must not make the next run of the same range skip them once the site is back.
            abandoned = reason == "unreachable"
            if (over or abandoned) and not self._work_elsewhere():
                self.run.end()
        except Exception as exc:  # noqa: BLE001 (Redis away, or failing: said in one line, the leases expire)
            held = self.mine | self.unheard.handbacks
            self.stats.set_value("warta/distributed/unsettled", len(held))
            said = "Redis not told the outcomes at close (%s): %d requests stay leased, back in the queue within %d s"
            logger.error(said, exc, len(held), self.lease_seconds)

    # the Scrapy scheduler interface -----------------------------------------------------
    def has_pending_requests(self) -> bool:
        if self.lost is not None or self.outage.away or self.unheard:
            return True  # closing for its own reason, or Redis has not heard everything: not over
        try:
            if len(self.run) > 0 or self._work_elsewhere():
                return True
            marker = self.run.marker()
        except Exception as exc:
            self._failed(exc)
            return True
        if marker is None:
            self._lose()
            return True
        return False

    def __len__(self) -> int:
        if self.outage.away or self.lost is not None:
            return self._queued
        try:
            self._queued = len(self.run)
        except Exception as exc:
            self._failed(exc)
        return self._queued

    def enqueue_request(self, request) -> bool:
        if self.lost is not None:  # nowhere to queue it: the run's queue is gone
            self.stats.inc_value("warta/distributed/unqueued")
            return False
        entry = self.run.entry(request, request.meta.pop(LEASE_META, None))  # a retry replaces its original
        if self.outage.away or self.unheard.requests:  # in order, once Redis is back
            self.unheard.requests.append(entry)
            return True
        try:
            added = self.run.enqueue(entry)
        except Exception as exc:
            self._failed(exc)
            self.unheard.requests.append(entry)
            return True
        return self._enqueued(entry, added)

    def _enqueued(self, entry: tuple, added: bool) -> bool:
        if old := entry[3]:
            self.mine.discard(old)
        if not added:
            self.stats.inc_value("warta/distributed/duplicate_request")
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        if self.lost is not None or self.outage.away:
            return None
        self.count += 1
        lease = f"{self.prefix}{self.count}"
        try:
            request = self.run.pop(lease)
        except Exception as exc:
            self._failed(exc)
            self.unheard.handbacks.add(lease)  # popped or not (the answer was lost): back in the queue
            return None
        if request is None:
            return None
        self.mine.add(lease)
        request.meta[LEASE_META] = lease
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    # outcomes ---------------------------------------------------------------------------
    def leases_done(self, leases):
        leases = [lease for lease in leases if lease]
        if not leases or self.lost is not None:
            return
        if self.outage.away or self.unheard.requests or self.unheard.acks:  # after what those pages found
            self.unheard.acks.update(leases)
            return
        try:
            self.run.ack(leases)
            self.mine.difference_update(leases)
        except Exception as exc:
            self._failed(exc)
            self.unheard.acks.update(leases)

    def articles_staged(self, items):
        self.leases_done([item.lease for item in items])

    def response_done(self, response=None, exception=None, **kwargs):
        """An item dropped (with a counted reason) or failed, or a callback raised: final. An
        article beyond this worker's --limit is not, nor a page left unparsed by a stopping
        crawl: their leases are handed back at close. Nor is one that dedup could not judge
        because the seen-store stayed away: its request goes back to the queue at once, to be
        judged once Redis answers."""
        if response is None or isinstance(exception, (LimitReached, ParseAbandoned)):
            return
        lease = response.meta.get(LEASE_META)
        if lease and isinstance(exception, SeenStoreAway):
            if self.lost is None:
                self.unheard.handbacks.add(lease)
            return
        self.leases_done([lease])

    def _flush(self) -> None:
        if self.unheard:
            handed = self.unheard.tell(self.run, self.mine, self._enqueued)
            self.stats.inc_value("warta/distributed/handed_back", handed)

    # upkeep -----------------------------------------------------------------------------
    def _work_elsewhere(self) -> bool:
        """Leases held by other workers (they may still add requests), once expired ones are
        put back in the queue."""
        if not self.run.others():
            return False
        self._recover()
        return bool(self.run.others()) or len(self.run) > 0

    def _recover(self) -> None:
        if time.monotonic() < self._recover_after:
            return
        if recovered := self.run.recover():
            self.stats.inc_value("warta/distributed/recovered", recovered)
            logger.warning("put %d requests of a lost worker back in the queue", recovered)

    def _tick(self) -> None:
        self._ticks += 1
        if self.lost is not None or not self.outage.due():
            return
        try:
            self._upkeep()
        except Exception as exc:  # noqa: BLE001 (an outage is waited out; any other failure is tried again)
            if redis_away(exc):
                self._away(exc)
            else:
                logger.warning("Redis upkeep failed", exc_info=True)

    def _upkeep(self) -> None:
        # The marker first: after a restart, nothing may be written to a Redis that lost the run.
        marker = self.run.marker()
        if marker is None:
            self._lose()
            return
        returning = self.outage.away
        if returning or self._ticks % max(1, self.lease_seconds * 2 // 3) == 0:  # every third of a lease
            self.run.renew(self.mine, running=marker == RUNNING)
        if returning:
            self.outage.back()
            self._recover_after = time.monotonic() + self.lease_seconds / 3
        self._flush()
        self._recover()
        # Scrapy polls a scheduler that had nothing to give only every 5 s; requests another
        # worker queued meanwhile, or the end of the run, should be noticed sooner.
        self.crawler.engine._slot.nextcall.schedule()

    # Redis away, Redis without the run ----------------------------------------------------
    def _failed(self, error: Exception) -> None:
        if not redis_away(error):  # an outage is waited out, anything else raised
            raise error
        self._away(error)

    def _away(self, error: BaseException) -> None:
        self.outage.failed(error)
        if self.outage.hopeless and not self._stopping:
            self._stopping = True
            self.stats.set_value("warta/distributed/unreachable_s", round(self.outage.downtime))
            logger.error(
                "Redis unreachable for %.0f s: stopping; %d requests of this worker stay leased in Redis",
                self.outage.downtime,
                len(self.mine),
            )
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=REDIS_UNAVAILABLE))

    def _lose(self) -> None:
        """Redis answers without the run (restarted without persistence, or the run's keys
        expired): what the other workers had queued is unknown, so this worker stops."""
        self.lost = len(self.mine)
        self.stats.set_value("warta/distributed/lost_in_flight", self.lost)
        logger.error(lost_message(self.lost))
        self.mine.clear()
        self.unheard.clear()
        try:
            self.run.forget()
        except Exception:  # noqa: BLE001 (gone again: the keys are empty or expire)
            pass
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=REDIS_LOST))

"""Waiting out a store that is briefly away (distributed mode: a Redis server that restarts).

An outage is not a failure of the crawl. The components that talk to Redis keep what they
could not say or ask, try again after a pause that doubles up to a few seconds, and give up
only after a patience (`DISTRIBUTED_REDIS_WAIT_SECONDS`) or when the crawl is closing. Each
component has its own `Outage`, which logs the outage once when it starts and once when it
ends (not once per failed call), and never retries in a tight loop. One of them (the shared
queue's) says it on the terminal; the others, which see the same outage, in the log.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Outage:
    """Since when a store has been away, and when to try it again (`due`): pauses of `first`
    seconds doubling up to `cap`; `hopeless` once it has been away `patience` seconds."""

    def __init__(
        self,
        what: str,
        patience: float,
        first: float = 0.25,
        cap: float = 5.0,
        level: int = logging.INFO,
        clock=time.monotonic,
    ):
        self.what = what
        self.level = level
        self.patience = patience
        self.first = first
        self.cap = cap
        self.clock = clock
        self.since: float | None = None
        self.next_try = 0.0
        self._pause = first

    @property
    def away(self) -> bool:
        return self.since is not None

    @property
    def downtime(self) -> float:
        return 0.0 if self.since is None else self.clock() - self.since

    @property
    def hopeless(self) -> bool:
        return self.since is not None and self.downtime >= self.patience

    @property
    def pause(self) -> float:
        """Seconds until the next try."""
        return max(0.0, self.next_try - self.clock())

    def due(self) -> bool:
        """Whether to ask the store now: it answers, or the pause since the last failure is over."""
        return self.since is None or self.clock() >= self.next_try

    def failed(self, error: BaseException) -> None:
        """A call failed because the store is away. Several callers that tried at the same time
        (a batch of articles) count as one try: the pause grows once."""
        now = self.clock()
        if self.since is None:
            self.since, self._pause = now, self.first
            logger.log(
                self.level,
                "%s: Redis is unreachable (%s); waiting for it (up to %.0f s)",
                self.what,
                error,
                self.patience,
            )
        elif now < self.next_try:
            return
        else:
            self._pause = min(self.cap, self._pause * 2)
        self.next_try = now + self._pause

    def back(self) -> bool:
        """The store answered; True when that ends an outage (logged)."""
        if self.since is None:
            return False
        logger.log(self.level, "%s: Redis answers again after %.0f s", self.what, self.downtime)
        self.since = None
        return True


async def wait_out(
    outage: Outage, call: Callable, unavailable: Callable[[BaseException], bool], closing: Callable[[], bool]
):
    """The result of `call()` (awaited if it is awaitable), called again after each pause while
    it fails with an error that `unavailable` says is an outage. The error is raised when it is
    not one, once the outage is `hopeless`, or when `closing()` says the crawl is ending."""
    while True:
        try:
            result = call()
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:
            if not unavailable(exc):
                raise
            outage.failed(exc)
            if outage.hopeless or closing():
                raise
            await asyncio.sleep(max(outage.pause, 0.05))
        else:
            outage.back()
            return result

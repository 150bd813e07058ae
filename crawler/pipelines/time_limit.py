"""A time limit on the parse of one page, in the thread that parses it.

A page the parser's bounds (`extract.bounds`) did not foresee must still cost one
page, not the crawl: an ITIMER_REAL timer raises `PageTimeout` in the parse when it runs past
its limit (PARSE_PAGE_TIMEOUT). Signals reach Python's main thread only, which is where the
parse worker, `warta parse` and a crawl parsing in its own process all parse (Scrapy and
Twisted do not use SIGALRM; their wakeup fd just sees one more signal). Python runs the
handler between bytecodes, so a stall inside one C call (libxml2) ends only when the call
returns: in the worker, the crawl's watchdog (PARSE_WORKER_TIMEOUT) ends those.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class PageTimeout(Exception):
    """The parse of one page ran past its time limit."""


@contextmanager
def page_time_limit(seconds: float | None) -> Iterator[None]:
    """Raise PageTimeout in the block once it has run `seconds`; no limit when `seconds` is
    falsy, outside the main thread, or while another ITIMER_REAL timer runs."""
    if (
        not seconds
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_REAL)[0]
    ):
        yield
        return
    armed = True

    def expire(signum, frame):
        if armed:  # not once the block is over: the signal may land just after it
            raise PageTimeout(f"over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)

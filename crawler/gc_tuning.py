"""Python's cyclic garbage collector, tuned for the length of a crawl process (`warta crawl`,
`scrapy crawl`: however many crawlers it runs, the collector is the process's).

The collector walks the young objects every 700 net allocations, and a crawl allocates
hundreds per page (requests, responses, items, Twisted and asyncio callbacks), most of which
die young by reference counting anyway: 3% of a fast crawl's thread went to collections, and
each full collection also walked everything start-up built (Scrapy, Twisted, numpy), which
lives as long as the crawl. So, while the crawl runs, what exists when it starts is frozen
out of the collector's walks and the young generation is collected every GC_THRESHOLD
allocations (the older generations' ratios are kept). Both are undone when it ends.
Nothing is collected before the freeze: at the opening a full collection found ~10
unreachable objects among ~105,000 and took ~95 ms of the crawl; frozen, they are freed
after the close. GC_THRESHOLD = 0 leaves Python's collector as it is.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def tuned_collector(threshold: int) -> Iterator[None]:
    """While the block runs: what exists now is frozen out of the collector's walks, and the
    young generation is collected every `threshold` allocations (0: Python's own settings)."""
    if threshold <= 0:
        yield
        return
    saved = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold, saved[0]), *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)
        gc.unfreeze()

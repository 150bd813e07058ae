"""Signals of warta's own, sent through the crawler's signal manager.

`articles_staged(items=[ArticleItem, ...])`: the staging pipeline has made these articles
durable (flushed and fsynced, or written as one object). Only now may they be remembered as
seen, or their distributed-mode leases acknowledged: a crash before this point loses nothing,
because nothing claims them yet.
"""

articles_staged = object()

"""Distributed mode: the shared, leased request queue in Redis and what switches a crawl to it."""

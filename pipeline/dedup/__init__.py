"""Scrapy-free dedup: the seen-stores (SQLite, Redis) and their rebuild, near-duplicate sketches,
learned boilerplate."""

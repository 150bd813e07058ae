"""Scrapy-free storage: the data dir and its backends, staging segments, published partitions,
the raw WARC archive and its index, SQLite state files."""

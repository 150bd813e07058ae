"""Scrapy extensions of warta's crawls: run report and history, the seen-store's owner, the
--limit count, garbage-collector tuning."""

"""Scrapy item pipelines: raw archive, parse, learned boilerplate, dedup, --limit, staging."""

"""warta's pipeline: Scrapy item pipelines, staging, snapshot building and reading."""
from pipeline.read import read_articles

__all__ = ["read_articles"]

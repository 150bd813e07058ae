"""Scrapy middlewares of warta's crawls: the site guard, Retry-After, seen-skip, --limit."""

"""Pure extraction: `(url, html) -> article`, site profiles, URLs, dates, discovery documents.

Imports neither Scrapy nor `pipeline` (checked by tests/test_layers.py); the Scrapy runtime
around it lives in the rest of `crawler/`, the item pipelines and stores in `pipeline/`.
"""

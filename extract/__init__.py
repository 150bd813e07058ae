"""Pure extraction: `(url, html) -> article`, site profiles, URLs, dates, discovery documents.

The bottom layer: imports neither Scrapy nor any other layer of warta (checked by
tests/test_layers.py), so the parse runs where Scrapy is not even importable (a notebook, a
Spark job): `from extract import parse_article`.
"""

from extract.parse import NotAnArticle, parse_article

__all__ = ["NotAnArticle", "parse_article"]

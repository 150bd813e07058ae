"""warta's crawler: site profiles, the pure article parser and the Scrapy project."""

from extract.parse import NotAnArticle, parse_article

__all__ = ["NotAnArticle", "parse_article"]

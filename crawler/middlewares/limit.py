"""The --limit middlewares (`crawler.extensions.limit` explains the count they share):
`LimitMiddleware` (spider) holds article requests back once N are staged or in flight;
`LimitEndMiddleware` (downloader, outside the retries) tells the count when an article request
failed for good."""

from __future__ import annotations

from scrapy import Request

from crawler.extensions.limit import ArticleLimit, article_id_of


class LimitMiddleware:
    def __init__(self, limit: ArticleLimit):
        self.limit = limit

    @classmethod
    def from_crawler(cls, crawler):
        return cls(ArticleLimit.of(crawler))

    async def process_spider_output(self, response, result):
        async for element in result:
            if not isinstance(element, Request) or article_id_of(element) is None or self.limit.let_through(element):
                yield element


class LimitEndMiddleware:
    def __init__(self, limit: ArticleLimit):
        self.limit = limit

    @classmethod
    def from_crawler(cls, crawler):
        return cls(ArticleLimit.of(crawler))

    def process_response(self, request, response):
        if not 200 <= response.status < 300:  # an HTTP error: the spider gets no article
            self.limit.ended(article_id_of(request))
        return response

    def process_exception(self, request, exception):
        self.limit.ended(article_id_of(request))

"""warta's Scrapy project: the spider (discovery only), middlewares, extensions, item pipelines,
the distributed queue and Scrapy's `crawl` command with warta's argument checks. Settings:
`crawler.settings`."""

"""`scrapy crawl`, with warta's argument checks (Scrapy's COMMANDS_MODULE)."""

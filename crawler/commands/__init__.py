"""Project commands for `scrapy` run from the repository root."""

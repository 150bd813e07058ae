"""warta's pipeline: Scrapy item pipelines, staging, snapshot building and reading."""

__all__ = ["read_articles"]


def __getattr__(name: str):
    # Crawl workers never read snapshots: pandas and pyarrow.dataset load only when asked for.
    if name == "read_articles":
        from pipeline.snapshots.read import read_articles

        return read_articles
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")

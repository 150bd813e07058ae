"""warta: the `warta` command line (`warta.cli`), and `warta.read_articles` for reading the
snapshots from Python. Importing `warta` loads neither Scrapy nor pandas: the reader is
imported on first use, as `pipeline.read_articles` is."""

__all__ = ["read_articles"]


def __getattr__(name: str):
    if name == "read_articles":
        from pipeline.snapshots.read import read_articles

        return read_articles
    raise AttributeError(f"module 'warta' has no attribute {name!r}")

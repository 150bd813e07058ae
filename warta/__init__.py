"""The `warta` command line: crawl, snapshot, parse, demo, schedule."""

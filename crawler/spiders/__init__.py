"""One spider for every medcom-style site; `crawler.spiderloader` makes one per profile."""

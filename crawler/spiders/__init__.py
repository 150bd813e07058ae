"""One spider for every medcom-style site; `crawler.spiders.loader` makes one per profile."""

"""Scrapy settings of warta: polite by default, quiet consoles, our pipelines.

`WARTA_DATA_DIR` (environment or setting) is the data root; everything else derives from it.
"""

import os

BOT_NAME = "warta"
SPIDER_LOADER_CLASS = "crawler.spiders.loader.ProfileSpiderLoader"
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.scrapy_commands"

WARTA_DATA_DIR = os.environ.get("WARTA_DATA_DIR", "data")
WARTA_RUN_RECORD = os.environ.get("WARTA_RUN_RECORD")  # where the scheduler wants this run's record

# Politeness: an honest agent, robots.txt, AutoThrottle and few parallel requests per site.
USER_AGENT = "warta/0.1 (news archiving crawler; +https://pypi.org/project/warta/)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Scrapy 2.19 starts CONCURRENT_ITEMS asyncio tasks for every response's output; ours yield one
# article or a page of links, and the default 100 spent ~10% of a crawl's CPU on idle tasks.
CONCURRENT_ITEMS = 8
# Its check re-parses a callback's source on every response (bound methods miss its cache).
WARN_ON_GENERATOR_RETURN_VALUE = False
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_AFTER_MAX_SECONDS = 120
COOKIES_ENABLED = False

# Scrapy's remote-control HTTP server and telnet console can run code in the crawl.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Only http(s) is fetched: robots.txt and sitemaps are the site's words, and may name local files.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}

DOWNLOADER_MIDDLEWARES = {
    # Requests only to the site's own hosts, counted when refused (Scrapy's own filter counts
    # nothing and judges by allowed_domains); response sizes by kind of page.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.site_guard.SiteGuardMiddleware": 40,
    "crawler.middlewares.retry_after.RetryAfterMiddleware": 560,
    # Outside the retries: only a final failure reaches it (distributed mode only).
    "crawler.distributed.leases.FailedLeaseMiddleware": 50,
    "crawler.middlewares.limit.LimitEndMiddleware": 45,  # --limit only: an article request failed for good
}
SPIDER_MIDDLEWARES = {
    # Every request and article a callback yields passes each spider middleware. Off: Scrapy's
    # depth count (`hops` bounds link-following) and its check for meta copied from a
    # response (the spider builds every request's meta itself).
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
    "crawler.middlewares.seen_skip.SeenSkipMiddleware": 800,
    "crawler.middlewares.limit.LimitMiddleware": 700,  # --limit only; sees the requests the seen-skip let through
    "crawler.distributed.leases.LeaseMiddleware": 990,  # distributed mode only
}
ITEM_PIPELINES = {
    "crawler.pipelines.raw_archive.RawArchivePipeline": 250,
    "crawler.pipelines.articles.ArticlePipeline": 300,
    "crawler.pipelines.boilerplate.LearnedBoilerplatePipeline": 350,
    "crawler.pipelines.dedup.DedupPipeline": 400,
    "crawler.pipelines.limit.LimitPipeline": 890,  # --limit only: the N-th article is the last one staged
    "crawler.pipelines.staging.StagingPipeline": 900,
}
EXTENSIONS = {
    "crawler.extensions.run_report.RunReport": 500,
    "crawler.extensions.run_history.RunHistoryExtension": 510,  # every crawl in DATA/state/runs.sqlite
    "crawler.extensions.seen_store.SeenStoreExtension": 100,  # the crawl's one seen-store
    "crawler.extensions.limit.ArticleLimit": 110,  # --limit only: the count its seams share
    "crawler.extensions.gc_tuning.CollectorTuning": 120,  # GC_THRESHOLD: fewer garbage-collector walks
}
LOG_FORMATTER = "crawler.logformatter.QuietLogFormatter"
LOG_LEVEL = os.environ.get("WARTA_LOG_LEVEL", "INFO")

# Discovery bounds (crawler.spiders.news and .discovery): a site may list without end; each
# bound reached is counted in the run summary (`bounded`) and logged once.
DISCOVERY_MAX_LISTING_PAGES = 200  # date-index pages followed per day (?page=N)
DISCOVERY_MAX_SITEMAP_ENTRIES = 50_000  # entries read per sitemap file (the protocol's limit)
DISCOVERY_MAX_SITEMAP_ENTRIES_PER_RUN = 1_000_000  # entries read from all sitemaps of a crawl
DISCOVERY_MAX_SITEMAP_FILES = 20_000  # sitemaps listed by sitemap indexes fetched per crawl (55 years of dailies)
# Requests waiting in Scrapy's memory queue (~4 KB each); more article URLs wait in the
# spider as bare strings (~0.2 KB) and are handed over as the queue drains. 0: no bound.
DISCOVERY_MAX_PENDING_REQUESTS = 5_000
DISCOVERY_MAXSIZE_ROBOTS = 512 * 1024  # response caps by kind; articles: DOWNLOAD_MAXSIZE
DISCOVERY_MAXSIZE_PAGE = 4 * 1024 * 1024  # feeds, listing pages
DISCOVERY_MAXSIZE_SITEMAP = 50 * 1024 * 1024  # also the cap on a gzip-encoded sitemap once decompressed

DEDUP_ENABLED = True
DEDUP_SEEN_ENABLED = True  # skip articles already staged (state/seen.sqlite)
DEDUP_REFRESH_HOURS = 6  # ...unless published this recently (stories get updated)
DEDUP_REFETCH_AFTER_MINUTES = 60  # ...and last fetched at least this long ago
DEDUP_NEAR_THRESHOLD = 0.7  # estimated Jaccard of word 3-grams for a near-duplicate re-post
DEDUP_BATCH_SECONDS = 0.05  # articles arriving within this are looked up in the seen-store together
DEDUP_BATCH_SIZE = 32  # ...at most this many

BOILERPLATE_ENABLED = True
BOILERPLATE_MIN_ARTICLES = 5  # distinct recent articles a paragraph must appear in
BOILERPLATE_MAX_WORDS = 60  # longer paragraphs are never learned boilerplate
BOILERPLATE_WINDOW = 5000  # recent articles per site that count

# Distributed mode (crawler.distributed.mode, crawler.distributed.shared_queue): set by --redis-url, WARTA_REDIS_URL or -s REDIS_URL=...
REDIS_URL = os.environ.get("WARTA_REDIS_URL") or None
DISTRIBUTED_LEASE_SECONDS = 60  # a dead worker's requests go back to the queue after this
DISTRIBUTED_RUN_TTL_HOURS = 24  # an abandoned run's keys expire after this
DISTRIBUTED_REDIS_WAIT_SECONDS = 600  # a worker waits this long for a Redis that is away, then stops (exit 1)

# The parse, sketch and raw record of each page in a second process (crawler.pipelines.parse_worker);
# False: in the crawl's own process.
PARSE_WORKER_ENABLED = True
PARSE_WORKER_TIMEOUT = 60.0  # seconds without an answer while pages wait: the worker is killed
RAW_ARCHIVE_ENABLED = True  # every article response as WARC under DATA/raw/ (reparse, repair)
RAW_ARCHIVE_MAX_BYTES = 256 * 1024 * 1024  # a local WARC file is rotated past this size (and daily)
LIMIT_ARTICLES = 0  # --limit N: stage exactly N articles, then stop (crawler.extensions.limit); 0: no limit

STAGING_FLUSH_ITEMS = 50
STAGING_FLUSH_SECONDS = 2.0

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

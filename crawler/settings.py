"""Every setting of a warta crawl, each with its one default: the Scrapy settings warta chooses
and warta's own. Components read them from the crawler's settings without a fallback of their
own. Each setting's `#:` comment is its documentation; `docs/settings.md` is rendered from this
file (`python tools/settings_doc.py`), and a test checks that the two agree.
Set one for a run with `warta crawl -s NAME=VALUE` (or `scrapy crawl -s`), or in a schedule
job's `settings` table.
"""

import os

from pipeline.store.datadir import default_location

# --- Where the data goes -------------------------------------------------------------------

#: The data dir: a folder, or an object-store prefix (`s3://bucket/prefix`). Environment:
#: WARTA_DATA_DIR; default `data`.
WARTA_DATA_DIR = default_location()
#: Where this run's record is written (the scheduler sets it through WARTA_RUN_RECORD);
#: default DATA/runs/<site>/<time>-<pid>.json.
WARTA_RUN_RECORD = os.environ.get("WARTA_RUN_RECORD")
#: Who started the crawl, as the run history names it (`warta crawl`, `warta demo`...).
WARTA_RUN_ORIGIN = "scrapy crawl"
#: Record every crawl in the run history (DATA/state/runs.sqlite); the scheduler keeps its own.
RUN_HISTORY_ENABLED = True
#: Print the one-line summary at the end (`warta crawl` prints it itself, with the outcome).
WARTA_PRINT_SUMMARY = True
#: Show the live progress line: None means only when stderr is a terminal.
WARTA_PROGRESS = None

# --- Who warta says it is --------------------------------------------------------------------

#: The page that explains the crawler, named in its user agent.
WARTA_BOT_URL = "https://pypi.org/project/warta/"
#: How a site's operator reaches whoever runs this crawler (an e-mail address or URL), named
#: in the user agent when set.
WARTA_CONTACT = os.environ.get("WARTA_CONTACT") or None
#: The user agent. None: `Mozilla/5.0 (compatible; warta/VERSION; +WARTA_BOT_URL; WARTA_CONTACT)`,
#: the form well-behaved crawlers use, never Scrapy's default (some sites' robots.txt disallow
#: `Scrapy` by name).
USER_AGENT = None
#: robots.txt is obeyed for warta's own token: a group for `warta` (or for `*`) applies.
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "warta"

# --- Politeness and fetching (Scrapy's settings) -----------------------------------------------

#: Requests in flight in the whole crawl, and per site (a site's own `[politeness]` may lower it).
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
#: Each site's requests share one download slot, named after the site, whatever its hosts: a
#: site's `[politeness]` (delay, concurrency) lands here; any slot may be set by hand.
DOWNLOAD_SLOTS = {}
#: Scrapy 2.19 starts this many asyncio tasks for every response's output; warta's callbacks
#: yield one article or a page of links, and the default 100 spent ~10% of a crawl's CPU.
CONCURRENT_ITEMS = 8
#: Scrapy's check re-parses a callback's source on every response (bound methods miss its cache).
WARN_ON_GENERATOR_RETURN_VALUE = False
#: AutoThrottle adapts the delay to the site's latency, from AUTOTHROTTLE_START_DELAY up to
#: AUTOTHROTTLE_MAX_DELAY, aiming at AUTOTHROTTLE_TARGET_CONCURRENCY requests in flight.
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
#: Seconds a request may take; an article page's size cap (feeds, sitemaps: DISCOVERY_MAXSIZE_*).
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
#: Retries of server errors and throttling answers; `Retry-After` is honoured up to
#: RETRY_AFTER_MAX_SECONDS.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_AFTER_MAX_SECONDS = 120
COOKIES_ENABLED = False
#: Scrapy's remote-control HTTP server and telnet console can run code in the crawl: off.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
#: Only http(s) is fetched: robots.txt and sitemaps are the site's words, and may name local files.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

# --- Discovery bounds ------------------------------------------------------------------------

#: Date-index pages followed per day (`?page=N`). Each bound reached is counted in the run
#: summary (`bounds reached`) and logged once.
DISCOVERY_MAX_LISTING_PAGES = 200
#: Entries read per sitemap file (the sitemap protocol's limit).
DISCOVERY_MAX_SITEMAP_ENTRIES = 50_000
#: Entries read from all sitemaps of a crawl.
DISCOVERY_MAX_SITEMAP_ENTRIES_PER_RUN = 1_000_000
#: Sitemaps listed by sitemap indexes fetched per crawl (indexes may list each other without end).
DISCOVERY_MAX_SITEMAP_FILES = 20_000
#: Requests in Scrapy's memory queue (~4 KB each); further article and sitemap URLs wait in the
#: spider as bare strings (~0.2 KB) and go in as it drains. 0: no bound (distributed mode: off).
DISCOVERY_MAX_PENDING_REQUESTS = 5_000
#: Response caps by kind of page: robots.txt; feeds and listing pages; a sitemap (also once
#: gzip-decoded). Articles: DOWNLOAD_MAXSIZE.
DISCOVERY_MAXSIZE_ROBOTS = 512 * 1024
DISCOVERY_MAXSIZE_PAGE = 4 * 1024 * 1024
DISCOVERY_MAXSIZE_SITEMAP = 50 * 1024 * 1024

# --- Parsing ---------------------------------------------------------------------------------

#: Parse in a second process beside the crawl (crawler.pipelines.parse_worker); False: in the
#: crawl's own process.
PARSE_WORKER_ENABLED = True
#: Seconds the parse worker may leave pages waiting before it is killed (a page that sends the
#: parser into an endless loop costs that page, not the crawl).
PARSE_WORKER_TIMEOUT = 60.0
#: Seconds one page's parse may take; past them it is dropped as parse_timeout (its raw record
#: kept) and the next page goes on. 0: no limit.
PARSE_PAGE_TIMEOUT = 10.0

# --- Dedup and learned boilerplate -----------------------------------------------------------

#: Drop an article whose body another article already has (`duplicate_content`), an unchanged
#: re-fetch (`unchanged`), and flag near-duplicate re-posts (`duplicate_of`).
DEDUP_ENABLED = True
#: Skip articles already staged (the seen-store, DATA/state/seen.sqlite)...
DEDUP_SEEN_ENABLED = True
#: ...unless published within this many hours (stories get updated)...
DEDUP_REFRESH_HOURS = 6
#: ...and last fetched at least this many minutes ago.
DEDUP_REFETCH_AFTER_MINUTES = 60
#: Estimated Jaccard similarity of word 3-grams that makes a near-duplicate re-post.
DEDUP_NEAR_THRESHOLD = 0.7
#: Articles arriving within this many seconds are looked up in the seen-store together...
DEDUP_BATCH_SECONDS = 0.05
#: ...at most this many.
DEDUP_BATCH_SIZE = 32
#: Learn paragraphs that recur across a site's recent articles and remove them at snapshot time.
BOILERPLATE_ENABLED = True
#: Distinct recent articles a paragraph must appear in to be boilerplate.
BOILERPLATE_MIN_ARTICLES = 5
#: Longer paragraphs (in words) are never learned boilerplate.
BOILERPLATE_MAX_WORDS = 60
#: Recent articles per site that count.
BOILERPLATE_WINDOW = 5000

# --- Staging and the raw archive -------------------------------------------------------------

#: Staged articles are made durable (flushed and fsynced) every this many articles...
STAGING_FLUSH_ITEMS = 50
#: ...or seconds, and at the end: a SIGKILL loses at most that window, and nothing of it was
#: marked seen.
STAGING_FLUSH_SECONDS = 2.0
#: Keep every article response as WARC under DATA/raw/ (the source of reparse and repair).
RAW_ARCHIVE_ENABLED = True
#: A local WARC file is rotated past this many bytes (and daily).
RAW_ARCHIVE_MAX_BYTES = 256 * 1024 * 1024

# --- One crawl -------------------------------------------------------------------------------

#: `--limit N`: stage exactly N articles, then stop; 0: no limit.
LIMIT_ARTICLES = 0
#: Python's young-generation garbage collection every this many allocations while the spider is
#: open, with what start-up built frozen out of its walks; 0: Python's own collector settings.
GC_THRESHOLD = 20_000
#: Log level of the run's log file; environment: WARTA_LOG_LEVEL.
LOG_LEVEL = os.environ.get("WARTA_LOG_LEVEL", "INFO")

# --- Distributed mode ------------------------------------------------------------------------

#: A Redis URL makes the crawl a worker of a distributed crawl (`--redis-url`; environment:
#: WARTA_REDIS_URL).
REDIS_URL = os.environ.get("WARTA_REDIS_URL") or None
#: A dead worker's requests go back to the queue after this many seconds.
DISTRIBUTED_LEASE_SECONDS = 60
#: An abandoned run's keys expire after this many hours.
DISTRIBUTED_RUN_TTL_HOURS = 24
#: A worker waits this many seconds for a Redis that is away, then stops (exit 1).
DISTRIBUTED_REDIS_WAIT_SECONDS = 600

# --- warta's components (Scrapy's wiring) ----------------------------------------------------

BOT_NAME = "warta"
SPIDER_LOADER_CLASS = "crawler.spiders.loader.ProfileSpiderLoader"
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.scrapy_commands"
LOG_FORMATTER = "crawler.logformatter.QuietLogFormatter"
#: Scrapy's OffsiteMiddleware is replaced by the site guard (it counts what it refuses), its
#: UserAgentMiddleware by warta's (USER_AGENT); the lease and --limit middlewares switch
#: themselves off outside distributed mode and --limit. A challenge or block page (Cloudflare,
#: AWS WAF...) is dropped as `blocked` once decompressed and before the retries and meta
#: refreshes (585), and a host whose robots.txt was one is not crawled (`robots_unknown`).
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "crawler.middlewares.site_guard.SiteGuardMiddleware": 40,
    "crawler.middlewares.limit.LimitEndMiddleware": 45,
    "crawler.distributed.leases.FailedLeaseMiddleware": 50,
    "crawler.middlewares.user_agent.UserAgentMiddleware": 500,
    "crawler.middlewares.retry_after.RetryAfterMiddleware": 560,
    "crawler.middlewares.challenge.ChallengeMiddleware": 585,
}
#: Off: Scrapy's depth count (the spider bounds link-following itself) and its check for meta
#: copied from a response (the spider builds every request's meta): every request and article
#: passes each spider middleware.
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
    "crawler.middlewares.limit.LimitMiddleware": 700,
    "crawler.middlewares.seen_skip.SeenSkipMiddleware": 800,
    "crawler.distributed.leases.LeaseMiddleware": 990,
}
ITEM_PIPELINES = {
    "crawler.pipelines.raw_archive.RawArchivePipeline": 250,
    "crawler.pipelines.articles.ArticlePipeline": 300,
    "crawler.pipelines.boilerplate.LearnedBoilerplatePipeline": 350,
    "crawler.pipelines.dedup.DedupPipeline": 400,
    "crawler.pipelines.limit.LimitPipeline": 890,
    "crawler.pipelines.staging.StagingPipeline": 900,
}
EXTENSIONS = {
    "crawler.extensions.seen_store.SeenStoreExtension": 100,
    "crawler.extensions.limit.ArticleLimit": 110,
    "crawler.extensions.run_report.RunReport": 500,
    "crawler.extensions.run_history.RunHistoryExtension": 510,
}

"""A page that stalls the parser costs that page, not the crawl (issue 25): real crawls of the
hostile site whose parse worker hangs on one page, as a stall inside one C call would (no time
limit reaches it there): the watchdog kills it on time, and SIGTERM ends the crawl within the
scheduler's grace with what was parsed staged and the stalled page not seen."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from demosite import generate_site
from demosite.markup import render_article
from schedules.jobs import STOP_GRACE_SECONDS
from tests import hostile_pages
from tests.conftest import ROOT, spider_args, warta_env
from tests.hostile_site import HostileServer, fixed, run_record

SITE = generate_site(n_articles=40, days=2, seed=9, reposts=0)
STALLED = SITE.articles[5]
MARK = b"data-stall-the-worker"

# The real worker, except that it sleeps on a page holding MARK.
STALLING_WORKER = """
import time
from crawler.pipelines import parse_worker as w

def work(task, page):
    if b"data-stall-the-worker" in page.body:
        time.sleep(3600)
    return w.outcome(task, page)

w.main(work)
"""
# `scrapy crawl ARGS` with that worker.
CRAWL = f"""
import sys
from functools import partial
import crawler.pipelines.articles
from crawler.pipelines.parse_worker import ParseWorker
crawler.pipelines.articles.ParseWorker = partial(ParseWorker, command=(sys.executable, "-c", {STALLING_WORKER!r}))
from scrapy.cmdline import execute
execute(["scrapy", "crawl", "medcom", *sys.argv[1:]])
"""


def stalled_page(shape: str | None = None) -> bytes:
    """The stalled article, marked; with `shape`, the hostile shape at the start of its body."""
    html = hostile_pages.article_with(SITE, shape, 5) if shape else render_article(STALLED, SITE).encode()
    return html.replace(b"<article>", b"<article " + MARK + b">", 1)


def start_crawl(server, data_dir, *settings: str) -> subprocess.Popen:
    args = [*spider_args(server, SITE.days[0], SITE.days[-1]), *settings]
    return subprocess.Popen(
        [sys.executable, "-c", CRAWL, *args],
        cwd=ROOT,
        env=warta_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def staged_ids(data_dir) -> set[str]:
    import json

    return {
        json.loads(line)["article_id"]
        for path in (data_dir / "staging").rglob("*.jsonl")
        for line in path.read_text().splitlines()
        if line.strip()
    }


def seen_ids(data_dir) -> set[str]:
    with sqlite3.connect(data_dir / "state" / "seen.sqlite") as db:
        return {row[0] for row in db.execute("SELECT article_id FROM seen WHERE site = 'medcom'")}


def test_the_watchdog_kills_a_stalled_worker_on_time_and_the_crawl_goes_on(tmp_path):
    """The stalled page is the one element of 200,000 attributes: before, the spider's own
    parse of it held the crawl's thread 95 s, so the 60 s watchdog fired after 164 s."""
    with HostileServer(SITE, {STALLED.path: fixed(stalled_page("attributes_200k"))}) as server:
        started = time.monotonic()
        # follow=1: the spider reads every article's links, the stalled page's too (a backfill
        # follows none by default).
        crawl = start_crawl(server, tmp_path, "-a", "follow=1", "-s", "PARSE_WORKER_TIMEOUT=3")
        try:
            _, stderr = crawl.communicate(timeout=120)
        finally:
            if crawl.poll() is None:
                os.killpg(crawl.pid, signal.SIGKILL)
        elapsed = time.monotonic() - started
    assert crawl.returncode == 0, stderr[-3000:]
    stats = run_record(tmp_path)["stats"]
    assert stats["warta/parse_worker/timeouts"] == 2, "killed at its first and at its second try"
    assert stats["warta/dropped/parse_error"] == 1
    assert staged_ids(tmp_path) == {a.article_id for a in SITE.articles} - {STALLED.article_id}
    assert elapsed < 45, f"the crawl took {elapsed:.0f} s with two 3 s timeouts"


def test_sigterm_ends_a_crawl_whose_worker_is_stalled_within_the_grace_and_loses_nothing(tmp_path):
    """Before: SIGTERM waited for the stalled page (two watchdog timeouts, 2 x 60 s)."""
    with HostileServer(SITE, {STALLED.path: fixed(stalled_page())}, latency=0.02) as server:
        crawl = start_crawl(server, tmp_path)
        try:
            deadline = time.monotonic() + 60
            while not server.hits[STALLED.path] and time.monotonic() < deadline and crawl.poll() is None:
                time.sleep(0.05)
            assert server.hits[STALLED.path], "the crawl fetched the page that stalls the worker"
            time.sleep(1.0)  # it is in the worker's hands
            signalled = time.monotonic()
            os.killpg(crawl.pid, signal.SIGTERM)  # as the scheduler stops a run (schedules/children.py)
            _, stderr = crawl.communicate(timeout=120)
            took = time.monotonic() - signalled
        finally:
            if crawl.poll() is None:
                os.killpg(crawl.pid, signal.SIGKILL)
    assert took < STOP_GRACE_SECONDS, f"SIGTERM took {took:.0f} s"
    stats = run_record(tmp_path)["stats"]
    assert stats["finish_reason"] == "shutdown", stderr[-3000:]
    assert stats["warta/parse_worker/abandoned"] >= 1
    staged = staged_ids(tmp_path)
    assert staged, "what was parsed before the signal is staged"
    assert STALLED.article_id not in seen_ids(tmp_path), "the stalled page is fetched again next crawl"
    assert seen_ids(tmp_path) == staged


def test_a_crawl_parsing_in_its_own_process_keeps_the_time_limit_of_a_page(tmp_path):
    """PARSE_WORKER_ENABLED=False: the page past PARSE_PAGE_TIMEOUT (8 MB of text, ~0.5 s, under
    a limit of 0.15 s) is dropped as parse_timeout in the crawl's own thread, the rest staged."""
    from tests.conftest import scrapy_crawl

    slow = SITE.articles[5]
    with HostileServer(SITE, {slow.path: fixed(hostile_pages.article_with(SITE, "text_node_8m", 5))}) as server:
        args = spider_args(server, SITE.days[0], SITE.days[-1])
        result = scrapy_crawl(tmp_path, *args, "-s", "PARSE_WORKER_ENABLED=False", "-s", "PARSE_PAGE_TIMEOUT=0.15")
    assert result.returncode == 0, result.stderr[-3000:]
    summary = run_record(tmp_path)["summary"]
    assert summary["dropped"] == {"parse_timeout": 1}, summary["dropped"]
    assert staged_ids(tmp_path) == {a.article_id for a in SITE.articles} - {slow.article_id}


def test_a_distributed_worker_stopped_on_a_stalled_page_hands_it_back(tmp_path, fresh_redis):
    """The stalled page's lease goes back to the shared queue, not acknowledged as a drop: the
    next worker fetches it, and the run ends with every article (leases of 10 minutes: only the
    hand-back lets it)."""
    from tests.conftest import scrapy_crawl

    shared = ("-s", f"REDIS_URL={fresh_redis}", "-s", "DISTRIBUTED_LEASE_SECONDS=600")
    with HostileServer(SITE, {STALLED.path: fixed(stalled_page())}, latency=0.02) as server:
        crawl = start_crawl(server, tmp_path, *shared)
        try:
            deadline = time.monotonic() + 60
            while not server.hits[STALLED.path] and time.monotonic() < deadline and crawl.poll() is None:
                time.sleep(0.05)
            time.sleep(1.0)
            os.killpg(crawl.pid, signal.SIGTERM)
            _, stderr = crawl.communicate(timeout=60)
        finally:
            if crawl.poll() is None:
                os.killpg(crawl.pid, signal.SIGKILL)
        assert run_record(tmp_path)["stats"]["warta/parse_worker/abandoned"] >= 1, stderr[-3000:]
        server.routes.clear()  # the page no longer stalls anything: a normal worker takes the rest
        result = scrapy_crawl(tmp_path, *spider_args(server, SITE.days[0], SITE.days[-1]), *shared, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert staged_ids(tmp_path) == {a.article_id for a in SITE.articles}

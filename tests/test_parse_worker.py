"""The parse worker (`crawler.pipelines.parse_worker`): `ArticlePipeline` parses in a second process
that answers in order, survives the worker's death, and leaves no process behind."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import fields, replace
from functools import partial
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem

from crawler.pipelines.articles import ArticlePipeline
from crawler.pipelines.parse_worker import (
    HELLO,
    MAX_RESTARTS,
    Outcome,
    ParseWorker,
    Task,
    _frame,
    _outcome_from_wire,
    _outcome_wire,
    _page_wire,
    outcome,
)
from crawler.pipelines.raw_archive import RawArchivePipeline
from demosite import DemoServer, generate_site
from extract.sites import get_site
from pipeline.dedup.boilerplate import paragraph_hashes
from pipeline.dedup.neardup import band_keys, sketch
from pipeline.items import ArticleItem
from pipeline.store.datadir import DataDir
from pipeline.store.warc import iter_archive
from tests.components import SEED_URL, crawler_for, dropped, page, run_pipeline
from tests.conftest import ROOT, crawl_args, start_warta, warta_env

PAGES = [page(SEED_URL.replace("nbwXaLxk", f"W{i:07d}"), lease=f"L{i}") for i in range(12)]


def articles(out) -> list[dict]:
    return [vars(item.article) | {"signature": item.signature.tolist()} for item in out]


def test_the_worker_gives_what_the_crawls_own_process_gives(tmp_path):
    on = run_pipeline(ArticlePipeline.from_crawler(crawler_for(tmp_path / "on")), PAGES)
    off = run_pipeline(ArticlePipeline.from_crawler(crawler_for(tmp_path / "off", PARSE_WORKER_ENABLED=False)), PAGES)
    assert all(isinstance(item, ArticleItem) for item in on + off)
    assert [i.lease for i in on] == [f"L{i}" for i in range(12)], "answers come back in order"
    assert articles(on) == articles(off)
    assert [i.article.article_id for i in on] == [f"W{i:07d}" for i in range(12)]


def test_the_worker_computes_what_dedup_and_learned_boilerplate_would():
    task = Task(get_site("medcom"), None, False, max_words=60)
    done = outcome(task, PAGES[0])
    body = done.result.article.body
    assert done.keys == band_keys(sketch(body)).tolist()
    assert done.paragraph_hashes == paragraph_hashes(body.split("\n\n"), 60)
    assert outcome(replace(task, max_words=None), PAGES[0]).paragraph_hashes is None, "boilerplate off: no hashes"


@pytest.mark.parametrize(
    "body", [None, b"<html><body>Halaman tidak ditemukan</body></html>"], ids=["article", "not-article"]
)
def test_an_outcome_crosses_the_pipe_whole(body):
    done = outcome(Task(get_site("medcom"), None, True, max_words=60), page(body=body))
    back = _outcome_from_wire(pickle.loads(pickle.dumps(_outcome_wire(done))))
    for name in (f.name for f in fields(Outcome)):
        ours, theirs = getattr(done, name), getattr(back, name)
        same = (ours is None and theirs is None) or (
            ours.tolist() == theirs.tolist() if name == "signature" else ours == theirs
        )
        assert same, f"{name} changed on the way back"
    assert (done.reason is None) == (body is None) and done.record, (
        "a parsed article and a drop, both with their record"
    )


def test_a_worker_killed_mid_crawl_is_replaced_and_no_page_is_lost(tmp_path):
    crawler = crawler_for(tmp_path)
    pipeline = ArticlePipeline.from_crawler(crawler)
    killed = []

    def kill(p):
        pid = p.worker.pid
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    out = run_pipeline(pipeline, PAGES, during=kill)
    assert [i.article.article_id for i in out] == [f"W{i:07d}" for i in range(12)]
    assert crawler.stats.get_value("warta/parse_worker/died") == 1
    assert pipeline.worker.pid != killed[0]
    assert not Path(f"/proc/{pipeline.worker.pid}").exists(), "the new worker stopped at close"


CHATTY_WORKER = """
from crawler.pipelines import parse_worker as w

def work(task, page):
    print("a library's stray print")
    return w.outcome(task, page)

w.main(work)
"""


def test_the_worker_answers_every_page_then_exits_keeping_stray_prints():
    """At the end of its input the worker leaves without the interpreter's teardown (which the
    crawl's close waited ~80 ms for): every answer is out first, and a library's print too."""
    pages = PAGES[:2]
    frames = _frame(Task(get_site("medcom"), None, False)) + b"".join(_frame(_page_wire(p)) for p in pages)
    done = subprocess.run(
        [sys.executable, "-c", CHATTY_WORKER],
        input=frames,
        capture_output=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith(HELLO)
    answers, rest = [], done.stdout[len(HELLO) :]
    while rest:
        size = int.from_bytes(rest[:4], "big")
        answers.append(_outcome_from_wire(pickle.loads(rest[4 : 4 + size])))
        rest = rest[4 + size :]
    assert [a.result.article.article_id for a in answers] == ["W0000000", "W0000001"]
    assert done.stderr.count(b"a library's stray print") == 2, "sent to stderr, and flushed before the exit"


POISON_WORKER = """
import os, time
from crawler.pipelines import parse_worker as w

def work(task, page):
    if "POISON" in page.url:
        os._exit(3)
    if "ENDLESS" in page.url:
        time.sleep(3600)
    return w.outcome(task, page)

w.main(work)
"""


def poisoned(tmp_path, monkeypatch, **settings) -> tuple[ArticlePipeline, RawArchivePipeline, object]:
    """An archive and an article pipeline whose worker dies on any page whose URL says POISON,
    as a page that crashed lxml would kill the real one."""
    command = (sys.executable, "-c", textwrap.dedent(POISON_WORKER))
    monkeypatch.setattr("crawler.pipelines.articles.ParseWorker", partial(ParseWorker, command=command))
    crawler = crawler_for(
        tmp_path,
        ITEM_PIPELINES={
            "crawler.pipelines.raw_archive.RawArchivePipeline": 250,
            "crawler.pipelines.articles.ArticlePipeline": 300,
        },
        **settings,
    )
    return crawler.get_item_pipeline(ArticlePipeline), crawler.get_item_pipeline(RawArchivePipeline), crawler


def test_a_page_that_kills_the_worker_twice_is_dropped_counted_and_archived(tmp_path, monkeypatch):
    pipeline, archive, crawler = poisoned(tmp_path, monkeypatch)
    archive.open_spider()
    poison = page(SEED_URL.replace("nbwXaLxk", "POISON01"))
    out = run_pipeline(pipeline, [*PAGES[:3], poison, *PAGES[3:6]])
    archive.flush()
    archive.close_spider()
    assert [type(x).__name__ for x in out] == ["ArticleItem"] * 3 + ["DropItem"] + ["ArticleItem"] * 3
    assert "parse_error" in str(out[3]) and dropped(crawler) == {"parse_error": 1}
    assert crawler.stats.get_value("warta/parse_worker/died") == 2
    kept = [r.page.url for r in iter_archive(DataDir(tmp_path))]
    assert sorted(kept) == sorted(p.url for p in [*PAGES[:6], poison]), "every page is archived, the poison too"


def test_a_page_that_hangs_the_parser_is_dropped_after_two_timeouts_and_the_rest_goes_on(tmp_path, monkeypatch):
    pipeline, archive, crawler = poisoned(tmp_path, monkeypatch, PARSE_WORKER_TIMEOUT=2.0)
    archive.open_spider()
    started = time.monotonic()
    out = run_pipeline(pipeline, [PAGES[0], page(SEED_URL.replace("nbwXaLxk", "ENDLESS1")), *PAGES[1:4]])
    assert time.monotonic() - started < 30
    assert [type(x).__name__ for x in out] == ["ArticleItem", "DropItem"] + ["ArticleItem"] * 3
    assert crawler.stats.get_value("warta/parse_worker/timeouts") == 2
    assert dropped(crawler) == {"parse_error": 1}


def test_a_page_that_hangs_the_last_worker_is_dropped_not_parsed_in_the_crawls_process(tmp_path, monkeypatch):
    """An earlier death used up a restart: the give-up comes at a hanging page's first timeout,
    and parsing that page in process would hang the crawl itself."""
    pipeline, archive, crawler = poisoned(tmp_path, monkeypatch, PARSE_WORKER_TIMEOUT=2.0)
    archive.open_spider()
    hanging = [page(SEED_URL.replace("nbwXaLxk", f"ENDLESS{i}")) for i in (1, 2)]
    out = run_pipeline(pipeline, [PAGES[0], *hanging, PAGES[1]], during=lambda p: os.kill(p.worker.pid, signal.SIGKILL))
    assert [type(x).__name__ for x in out] == ["ArticleItem", "DropItem", "DropItem", "ArticleItem"]
    assert crawler.stats.get_value("warta/parse_worker/died") == MAX_RESTARTS + 1


HUNG_CRAWL = """
import asyncio, sys, textwrap
from extract.sites import get_site
from crawler.pipelines.parse_worker import ParseWorker, Task
from tests.components import SEED_URL, page
from tests.test_parse_worker import POISON_WORKER

class Stats:
    def inc_value(self, *args):
        pass

async def main():
    command = (sys.executable, "-c", textwrap.dedent(POISON_WORKER))
    worker = ParseWorker(Task(get_site("medcom"), None, False), Stats(), 3600, command)
    await worker.start()
    print(worker.pid, flush=True)
    await worker.parse(page(SEED_URL.replace("nbwXaLxk", "ENDLESS1")))

asyncio.run(main())
"""


def test_a_worker_stuck_in_a_page_dies_with_a_killed_crawl(tmp_path):
    """Stuck in an endless parse, it never reads the end of its input: the kernel ends it."""
    with subprocess.Popen(
        [sys.executable, "-c", HUNG_CRAWL], cwd=ROOT, env=warta_env(tmp_path), stdout=subprocess.PIPE, text=True
    ) as crawl:
        worker = int(crawl.stdout.readline())
        time.sleep(1.0)  # the page is in the worker's hands
        assert Path(f"/proc/{worker}").exists()
        crawl.kill()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{worker}").exists(), "the worker ends with its crawl"


def test_after_too_many_deaths_the_crawl_parses_in_its_own_process(tmp_path, monkeypatch):
    pipeline, archive, crawler = poisoned(tmp_path, monkeypatch)
    archive.open_spider()
    poisons = [page(SEED_URL.replace("nbwXaLxk", f"POISON{i:02d}")) for i in range(MAX_RESTARTS)]
    out = run_pipeline(pipeline, [*poisons, *PAGES[:4]])
    assert crawler.stats.get_value("warta/parse_worker/died") == MAX_RESTARTS + 1
    assert [type(x).__name__ for x in out] == ["DropItem", "DropItem"] + ["ArticleItem"] * (MAX_RESTARTS - 2 + 4), (
        "each poison dies twice before it is dropped; after the give-up the rest is parsed here"
    )


def test_a_worker_that_cannot_start_costs_no_page(tmp_path, monkeypatch, caplog):
    command = (sys.executable, "-c", "raise SystemExit(1)")  # as a child that cannot import warta would
    monkeypatch.setattr("crawler.pipelines.articles.ParseWorker", partial(ParseWorker, command=command))
    crawler = crawler_for(tmp_path)
    out = run_pipeline(ArticlePipeline.from_crawler(crawler), PAGES[:5])
    assert [i.article.article_id for i in out] == [f"W{i:07d}" for i in range(5)]
    assert crawler.stats.get_value("warta/parse_worker/died") == MAX_RESTARTS + 1
    assert "parsing in the crawl's process" in caplog.text


@pytest.mark.parametrize(
    "command",
    [
        ("/nonexistent/python", "-m", "crawler.pipelines.parse_worker"),  # cannot even be started
        (
            sys.executable,
            "-c",
            "print('hello from sitecustomize'); import runpy; runpy.run_module('crawler.pipelines.parse_worker', run_name='__main__')",
        ),
    ],
    ids=["spawn-fails", "stray-output"],
)
def test_a_worker_that_cannot_be_started_again_or_trusted_costs_no_page_and_no_hang(tmp_path, monkeypatch, command):
    monkeypatch.setattr("crawler.pipelines.articles.ParseWorker", partial(ParseWorker, command=command))
    crawler = crawler_for(tmp_path)
    out = run_pipeline(ArticlePipeline.from_crawler(crawler), PAGES[:5])
    assert [i.article.article_id for i in out] == [f"W{i:07d}" for i in range(5)]


def test_a_worker_lost_on_restart_costs_no_page_and_no_hang(tmp_path, monkeypatch):
    crawler = crawler_for(tmp_path)
    pipeline = ArticlePipeline.from_crawler(crawler)

    def kill_and_break(p):
        p.worker.command = ("/nonexistent/python",)
        os.kill(p.worker.pid, signal.SIGKILL)

    out = run_pipeline(pipeline, PAGES, during=kill_and_break)
    assert [i.article.article_id for i in out] == [f"W{i:07d}" for i in range(12)]


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found |= {int(c) for c in task.read_text().split()}
    return found


SLOW_SITE = generate_site(n_articles=60, days=3, seed=4, reposts=0)


def test_a_killed_crawl_leaves_no_worker_behind(tmp_path):
    with DemoServer(SLOW_SITE, latency=0.05) as server:
        proc = start_warta(*crawl_args(server, SLOW_SITE, tmp_path), data_dir=tmp_path)
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while not workers and time.monotonic() < deadline and proc.poll() is None:
            workers = {c for c in children(proc.pid) if b"parse_worker" in Path(f"/proc/{c}/cmdline").read_bytes()}
            time.sleep(0.05)
        assert workers, "the crawl started a parse worker"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert not any(Path(f"/proc/{w}").exists() for w in workers), "the worker ends with its crawl"


def test_a_sigterm_to_the_process_group_stops_the_crawl_gracefully_with_its_worker(tmp_path):
    """systemd and `timeout` signal the whole group: the worker stays until the crawl has
    finished its pages, and every staged article is whole."""
    with DemoServer(SLOW_SITE, latency=0.05) as server:
        proc = start_warta(
            *crawl_args(server, SLOW_SITE, tmp_path), data_dir=tmp_path, stderr=subprocess.PIPE, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while len(server.article_hits()) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    [record] = (tmp_path / "runs" / "medcom").glob("*.json")
    stats = json.loads(record.read_text())["stats"]
    assert stats["finish_reason"] == "shutdown", stderr
    assert "warta/parse_worker/died" not in stats, "the worker outlived the signal"
    assert stats.get("warta/dropped/parse_error", 0) == 0
    assert not children(proc.pid)


@pytest.mark.parametrize("worker", [True, False])
def test_a_parser_bug_is_logged_with_its_traceback_and_costs_one_page(tmp_path, caplog, worker):
    crawler = crawler_for(tmp_path, PARSE_WORKER_ENABLED=worker)
    broken = page("https://www.medcom.id[/nasional/politik/BROKEN01-x")  # urlsplit raises ValueError
    out = run_pipeline(ArticlePipeline.from_crawler(crawler), [broken, PAGES[0]])
    assert isinstance(out[0], DropItem) and "parse_error: ValueError" in str(out[0])
    assert isinstance(out[1], ArticleItem)
    assert dropped(crawler) == {"parse_error": 1}
    assert "parser failed on https://www.medcom.id[/nasional" in caplog.text and "Invalid IPv6 URL" in caplog.text

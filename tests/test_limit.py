"""`--limit N` (issue 17): exactly N articles staged, with or without --refetch, failed
articles replaced, no more article requests than needed; in distributed mode the rest is
handed back to the shared queue."""

from __future__ import annotations

import pytest

from tests.conftest import run_warta
from tests.test_cli_conventions import crawl, records, staged_lines


@pytest.mark.parametrize("refetch", [False, True])
def test_limit_stages_exactly_n_articles_and_stops(tmp_path, server, site, refetch):
    backfill = ["--base-url", server.base_url, "--since", str(site.days[0]), "--until", str(site.days[-1])]
    if refetch:  # everything is staged already: every article is fetched again
        assert crawl(*backfill, "-q", data_dir=tmp_path, log_level="WARNING").returncode == 0
        before, hits_before = staged_lines(tmp_path), sum(server.article_hits().values())
    else:
        before, hits_before = 0, 0
    result = crawl(*backfill, "--limit", "5", *(["--refetch"] if refetch else []), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = records(tmp_path)[-1]["summary"]
    assert summary["finish_reason"] == "limit"
    unchanged = summary["dropped"].get("unchanged", 0)
    # A re-fetched article found unchanged is current in staging: it counts, not re-staged.
    assert summary["articles"] + unchanged == 5 and staged_lines(tmp_path) == before + summary["articles"]
    assert unchanged == (5 if refetch else 0)
    fetched = sum(server.article_hits().values()) - hits_before
    # No more article requests than the limit, plus those that ended without an article.
    ended_without = sum(n for reason, n in summary["dropped"].items() if reason not in ("limit", "unchanged"))
    assert fetched <= 5 + ended_without + 1, (fetched, summary)  # +1: the first 500 of a flaky page


def test_limit_in_latest_mode_survives_failed_articles(tmp_path, server):
    """The feed links a 404: the limit is still reached with articles that exist."""
    result = crawl("--base-url", server.base_url, "--limit", "8", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert records(tmp_path)[-1]["summary"]["articles"] == 8 == staged_lines(tmp_path)


def test_a_distributed_worker_with_a_limit_hands_the_rest_back(tmp_path):
    """`--limit` in distributed mode: exactly N staged, and the articles it fetched beyond N go
    back to the shared queue, so the next worker finishes the run with nothing lost."""
    from demosite import DemoServer, generate_site
    from tests.servers import redis_server

    site = generate_site(n_articles=40, days=2, seed=5, reposts=0)
    with redis_server(tmp_path) as redis_url, DemoServer(site, flaky_paths=0, latency=0.05) as server:
        args = [
            "--base-url",
            server.base_url,
            "--since",
            str(site.days[0]),
            "--until",
            str(site.days[-1]),
            "--redis-url",
            redis_url,
        ]
        first = crawl(*args, "--limit", "5", data_dir=tmp_path / "d")
        assert first.returncode == 0, first.stderr
        assert records(tmp_path / "d")[-1]["summary"]["articles"] == 5
        rest = crawl(*args, data_dir=tmp_path / "d")
        assert rest.returncode == 0, rest.stderr
    assert run_warta("snapshot", "--data-dir", str(tmp_path / "d")).returncode == 0
    from pipeline import read_articles

    ids = read_articles(tmp_path / "d", columns=["article_id"])["article_id"]
    assert sorted(ids) == sorted(a.article_id for a in site.articles)


# The limit's components, unit by unit (as tests/test_*_components.py do the others) -------------
def test_the_limit_components_are_off_without_a_limit():
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from crawler.middlewares.limit import LimitEndMiddleware, LimitMiddleware
    from crawler.pipelines.limit import LimitPipeline
    from tests.components import settings_dict

    crawler = get_crawler(settings_dict=settings_dict(LIMIT_ARTICLES=0))
    for component in (LimitMiddleware, LimitEndMiddleware, LimitPipeline):
        with pytest.raises(NotConfigured) as raised:
            component.from_crawler(crawler)
        assert not raised.value.args, "silent: Scrapy logs a warning for a NotConfigured with a reason"


def test_the_limit_holds_article_requests_back_and_admits_n_articles():
    import asyncio

    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from crawler.extensions.limit import LimitReached
    from crawler.middlewares.limit import LimitMiddleware
    from crawler.pipelines.limit import LimitPipeline
    from tests.components import settings_dict

    crawler = get_crawler(settings_dict=settings_dict(LIMIT_ARTICLES=2))
    crawler.stats.open_spider()
    middleware, pipeline = LimitMiddleware.from_crawler(crawler), LimitPipeline.from_crawler(crawler)
    assert middleware.limit is pipeline.limit, "one count per crawl"

    async def output():
        for n in range(4):
            yield Request(f"https://www.medcom.id/a/b/id{n:06d}-x", meta={"kind": "article", "article_id": f"id{n}"})
        yield Request("https://www.medcom.id/sitemap.xml", meta={"kind": "discovery"})

    async def collect():
        return [r.meta["kind"] async for r in middleware.process_spider_output(None, output())]

    assert asyncio.run(collect()) == ["article", "article", "discovery"], "2 in flight, 2 wait, discovery goes"
    assert len(middleware.limit.backlog) == 2
    assert pipeline.process_item("a1") == "a1" and pipeline.process_item("a2") == "a2"
    with pytest.raises(LimitReached):
        pipeline.process_item("a3")
    assert crawler.stats.get_value("warta/dropped/limit") == 1

"""Real crawls: `warta crawl` and `scrapy crawl` subprocesses against the generated site on
127.0.0.1, then `warta snapshot`, then the Parquet files read back with pandas."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.dataset as ds

from demosite import DemoServer
from tests.conftest import crawl_args, run_warta, scrapy_crawl, spider_args
from tests.contract import check_arrow_types, leaks

ORIGIN = "https://www.medcom.id"


def _snapshot_frame(data_dir):
    result = run_warta("snapshot", "--all", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    return pd.read_parquet(data_dir / "snapshots")


def _run_record(data_dir):
    records = sorted((data_dir / "runs" / "medcom").glob("*.json"))
    assert records, "no run record written"
    return json.loads(records[-1].read_text())


def test_backfill_of_every_day_yields_each_article_once(tmp_path, server, site):
    result = run_warta(*crawl_args(server, site, tmp_path))
    assert result.returncode == 0, result.stderr
    assert "articles staged" in result.stdout
    df = _snapshot_frame(tmp_path)

    copy = next(a for a in site.articles if a.copy_of)
    ids = set(df["article_id"])
    assert len(ids & {copy.article_id, copy.copy_of}) == 1, "an exact copy under another id is one row"
    assert sorted(df["article_id"]) == sorted(a.article_id for a in site.articles if a.article_id in ids)
    assert len(df) == len(site.articles) - 1
    flagged = df.set_index("article_id")["duplicate_of"].dropna().to_dict()
    assert flagged == {a.article_id: a.repost_of for a in site.articles if a.repost_of}
    assert not check_arrow_types(ds.dataset(tmp_path / "snapshots", partitioning="hive").schema)
    truth = site.by_id()
    for row in df.itertuples():
        a = truth[row.article_id]
        assert row.url == ORIGIN + a.path
        assert list(row.authors) == a.authors
        assert row.editor == a.editor
        assert row.published_at == a.published_at
        assert str(row.published_at.tz) == "Asia/Jakarta"
        assert row.date == a.published_at.date().isoformat(), "partition date must be the WIB day"
        assert (row.channel, row.subchannel, row.title) == (a.channel, a.subchannel, a.title)
        assert row.dateline == a.dateline
        assert row.body == a.body, f"{row.article_id}: body differs"
        assert not leaks(row.body)
        assert all(u.startswith(ORIGIN + "/") and "utm_" not in u for u in row.related_urls)
    # The 500 was retried and recovered; no article page was fetched twice otherwise.
    hits = server.article_hits()
    assert sorted(n for n in hits.values() if n > 1) == [2]
    stats = _run_record(tmp_path)["stats"]
    cpu = {k.removeprefix("warta/cpu/"): v for k, v in stats.items() if k.startswith("warta/cpu/")}
    assert 0 < cpu["crawl_thread_s"] <= cpu["process_s"], cpu
    assert cpu["children_s"] > 0, f"the parse worker's CPU is counted: {cpu}"
    summary = _run_record(tmp_path)["summary"]
    assert summary["articles"] == len(site.articles) - 1
    assert summary["dropped"]["duplicate_content"] == 1


def test_latest_mode_reads_feed_and_news_sitemap_and_counts_failures(tmp_path, server, site):
    result = run_warta("crawl", "medcom", "--base-url", server.base_url, "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    df = _snapshot_frame(tmp_path)
    recent = {a.article_id for a in site.articles if a.published_at.date() >= site.days[-2]}
    assert recent <= set(df["article_id"])
    assert df["article_id"].is_unique
    canonical = r"^https://www\.medcom\.id/(?!video/|amp/)[a-z-]+/[a-z-]+/[A-Za-z0-9]{8}-[a-z0-9-]+$"
    assert df["url"].str.fullmatch(canonical).all(), df["url"][~df["url"].str.fullmatch(canonical)].tolist()
    dropped = _run_record(tmp_path)["summary"]["dropped"]
    assert dropped.get("article_http_404") == 1, dropped
    assert "404" in result.stdout


def test_scrapy_crawl_command_backfills_a_range(tmp_path, server, site):
    d1, d2 = site.days[2], site.days[3]
    result = scrapy_crawl(tmp_path, *spider_args(server, d1, d2))
    assert result.returncode == 0, result.stderr[-2000:]
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert not warnings, f"a healthy crawl's log has warnings: {warnings}"
    df = _snapshot_frame(tmp_path)
    expected = {a.article_id for a in site.articles if d1 <= a.published_at.date() <= d2}
    assert sorted(df["article_id"]) == sorted(expected)
    assert set(df["date"].astype(str)) == {str(d1), str(d2)}
    # Articles outside the range were never requested: the index and sitemaps are filtered by date.
    requested = set(server.article_hits())
    assert requested == {a.path for a in site.articles if a.article_id in expected}


def test_limit_stops_after_n_articles(tmp_path, server, site):
    result = run_warta(*crawl_args(server, site, tmp_path, "--limit", "5"))
    assert result.returncode == 0, result.stderr
    summary = _run_record(tmp_path)["summary"]
    assert summary["articles"] == 5 and summary["finish_reason"] == "limit"


def test_unreachable_site_fails_with_a_reason(tmp_path):
    result = run_warta("crawl", "medcom", "--base-url", "http://127.0.0.1:9", "--data-dir", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip() == "warta crawl: could not reach http://127.0.0.1:9: connection refused"
    # It stops at the first request that failed for good (robots.txt, after its retries), not
    # after waiting out every discovery request in turn.
    stats = json.loads(next((tmp_path / "runs" / "medcom").glob("*.json")).read_text())["stats"]
    assert stats["finish_reason"] == "unreachable"
    assert stats["downloader/request_count"] <= 4 + 2, stats


def test_429_with_retry_after_is_waited_for_and_retried(tmp_path, site):
    with DemoServer(site, throttled_paths=1, retry_after=2) as server:
        day = site.articles[10].published_at.date()
        result = run_warta(
            "crawl",
            "medcom",
            "--base-url",
            server.base_url,
            "--since",
            str(day),
            "--until",
            str(day),
            "--data-dir",
            str(tmp_path),
        )
        path = site.articles[10].path
        first, second = server.times[path][:2]
    assert result.returncode == 0, result.stderr
    assert second - first >= 1.9, "the retry came before Retry-After had passed"
    stats = _run_record(tmp_path)["stats"]
    assert stats["warta/retry_after"] == 1
    assert site.articles[10].article_id in set(_snapshot_frame(tmp_path)["article_id"])

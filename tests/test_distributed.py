"""Distributed mode against real servers: redis-server with several crawler worker processes
on the generated site, and moto's S3 server for a data dir on object storage."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import date

import pandas as pd
import pytest
import redis

from demosite import DemoServer, generate_site
from pipeline import read_articles
from pipeline.build_lock import BuildLocked, redis_build_lock
from pipeline.partitions import verify
from pipeline.snapshot import build
from tests.conftest import ROOT, run_warta, warta_env
from tests.servers import redis_server, s3_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def fresh_redis(redis_url):
    redis.Redis.from_url(redis_url).flushall()
    return redis_url


@pytest.fixture(scope="module")
def small_site():
    return generate_site(n_articles=60, days=3, seed=11, reposts=0)


def scrapy_worker(site, server, data_dir, redis_url, lease_seconds=3, extra_env=None) -> subprocess.Popen:
    """`scrapy crawl medcom` as one distributed worker (the scheduler's and users' other entry)."""
    env = {**warta_env(data_dir), **(extra_env or {})}
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "medcom",
        "-a",
        f"since={site.days[0]}",
        "-a",
        f"until={site.days[-1]}",
        "-a",
        f"base_url={server.base_url}",
        "-s",
        f"REDIS_URL={redis_url}",
        "-s",
        f"DISTRIBUTED_LEASE_SECONDS={lease_seconds}",
        "-s",
        "CONCURRENT_REQUESTS_PER_DOMAIN=4",
    ]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_articles(server, n: int, timeout: float = 60) -> int:
    """Blocks until the site has served `n` article pages: a point in the middle of the crawl."""
    deadline = time.monotonic() + timeout
    while (served := sum(server.article_hits().values())) < n:
        assert time.monotonic() < deadline, f"only {served} article pages served"
        time.sleep(0.05)
    return served


def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[str, str]:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-3000:]
    return out, err


def snapshot_ids(data_dir) -> list[str]:
    result = run_warta("snapshot", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    return sorted(read_articles(data_dir)["article_id"])


def test_two_workers_share_the_queue_and_fetch_each_article_once(tmp_path, fresh_redis, small_site):
    # 0.2 s a page: the run outlasts the start-up of either worker, so both get work.
    with DemoServer(small_site, flaky_paths=0, latency=0.2) as server:
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "warta.cli",
                    "crawl",
                    "medcom",
                    "--since",
                    str(small_site.days[0]),
                    "--until",
                    str(small_site.days[-1]),
                    "--base-url",
                    server.base_url,
                    "--redis-url",
                    fresh_redis,
                ],
                cwd=ROOT,
                env=warta_env(tmp_path),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [finish(w)[0] for w in workers]
        hits = server.article_hits()
        assert sorted(hits) == sorted(a.path for a in small_site.articles), "every article fetched"
        assert max(hits.values()) == 1, f"requested twice: {[p for p, n in hits.items() if n > 1]}"
        assert all(" 0 articles staged" not in out for out in outputs), f"one worker did nothing: {outputs}"
        assert not [k for k in redis.Redis.from_url(fresh_redis).keys("warta:medcom:*")], "a finished run is cleared"

        # The seen-store lives in Redis: a later run of another worker fetches no article again.
        again = run_warta(
            "crawl",
            "medcom",
            "--since",
            str(small_site.days[0]),
            "--until",
            str(small_site.days[-1]),
            "--base-url",
            server.base_url,
            "--redis-url",
            fresh_redis,
            data_dir=tmp_path,
        )
        assert again.returncode == 0, again.stderr
        assert server.article_hits() == hits
        assert f"skipped: seen={len(small_site.articles)}" in again.stdout
    assert snapshot_ids(tmp_path) == sorted(a.article_id for a in small_site.articles)


def test_a_killed_worker_loses_nothing_the_other_finishes_its_requests(tmp_path, fresh_redis, small_site):
    with DemoServer(small_site, flaky_paths=0, latency=0.1) as server:
        doomed = scrapy_worker(small_site, server, tmp_path, fresh_redis)
        survivor = scrapy_worker(small_site, server, tmp_path, fresh_redis)
        wait_for_articles(server, 12)
        doomed.send_signal(signal.SIGKILL)
        fetched_before_kill = sum(server.article_hits().values())
        doomed.communicate()
        _, err = finish(survivor)
        assert 0 < fetched_before_kill < len(small_site.articles), "the kill must land mid-crawl"
        assert "requests of a lost worker back in the queue" in err
        hits = server.article_hits()
        assert sorted(hits) == sorted(a.path for a in small_site.articles)
        # Only what the dead worker held (fetched but not yet durably staged) is fetched again.
        assert max(hits.values()) <= 2
    assert snapshot_ids(tmp_path) == sorted(a.article_id for a in small_site.articles)


def test_a_restarted_worker_resumes_the_shared_queue(tmp_path, fresh_redis, small_site):
    with DemoServer(small_site, flaky_paths=0, latency=0.1) as server:
        first = scrapy_worker(small_site, server, tmp_path, fresh_redis)
        wait_for_articles(server, 12)
        first.send_signal(signal.SIGKILL)
        first.communicate()
        assert sum(server.article_hits().values()) < len(small_site.articles), "the kill must land mid-crawl"
        assert redis.Redis.from_url(fresh_redis).keys("warta:medcom:*:leases"), "the run outlives its worker"
        _, err = finish(scrapy_worker(small_site, server, tmp_path, fresh_redis))
        assert "requests of a lost worker back in the queue" in err
        assert sorted(server.article_hits()) == sorted(a.path for a in small_site.articles)
    assert snapshot_ids(tmp_path) == sorted(a.article_id for a in small_site.articles)


def test_sigterm_hands_unfinished_requests_back(tmp_path, fresh_redis, small_site):
    with DemoServer(small_site, flaky_paths=0, latency=0.1) as server:
        first = scrapy_worker(small_site, server, tmp_path, fresh_redis, lease_seconds=600)
        wait_for_articles(server, 12)
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
        assert sum(server.article_hits().values()) < len(small_site.articles), "the stop must land mid-crawl"
        # Leases of 10 minutes: only the clean hand-back lets the next worker finish now.
        finish(scrapy_worker(small_site, server, tmp_path, fresh_redis, lease_seconds=600), timeout=90)
    assert snapshot_ids(tmp_path) == sorted(a.article_id for a in small_site.articles)


def test_two_snapshot_builders_never_run_at_once(tmp_path, fresh_redis):
    with redis_build_lock(fresh_redis, str(tmp_path)):
        with pytest.raises(BuildLocked):
            build(tmp_path, redis_url=fresh_redis)
        result = run_warta("snapshot", "--data-dir", str(tmp_path), "--redis-url", fresh_redis)
        assert result.returncode == 1 and "another snapshot build is running" in result.stderr
    assert build(tmp_path, redis_url=fresh_redis).partitions_written == 0


def test_a_wrong_redis_url_is_a_usage_error(tmp_path):
    result = run_warta("crawl", "medcom", "--redis-url", "localhost:6379", data_dir=tmp_path)
    assert result.returncode == 2 and "not a Redis URL" in result.stderr


def test_an_unreachable_redis_is_a_one_line_error(tmp_path):
    from tests.servers import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"
    for args in (("crawl", "medcom"), ("snapshot",)):
        result = run_warta(*args, "--redis-url", url, data_dir=tmp_path)
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip().startswith(f"warta {args[0]}: error: cannot reach Redis at {url}")
        assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def s3_env():
    with s3_server() as env:
        yield env


@pytest.mark.parametrize("workers", [1, 2])
def test_crawl_snapshot_and_read_on_object_storage(tmp_path, s3_env, small_site, monkeypatch, workers, fresh_redis):
    for key, value in {**s3_env, "WARTA_STATE_DIR": str(tmp_path / "state")}.items():
        monkeypatch.setenv(key, value)
    import s3fs

    fs = s3fs.S3FileSystem()
    fs.makedirs("warta-test", exist_ok=True)
    url = f"s3://warta-test/news-{workers}"
    # Two workers: distributed mode, each with its own local state, sharing Redis and the bucket.
    distributed = ["--redis-url", fresh_redis] if workers > 1 else []
    with DemoServer(small_site, flaky_paths=0) as server:
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "warta.cli",
                    "crawl",
                    "medcom",
                    "--since",
                    str(small_site.days[0]),
                    "--until",
                    str(small_site.days[-1]),
                    "--base-url",
                    server.base_url,
                    "--data-dir",
                    url,
                    *distributed,
                ],
                cwd=ROOT,
                env={**warta_env(None), **s3_env, "WARTA_STATE_DIR": str(tmp_path / f"state{n}")},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(workers)
        ]
        for proc in procs:
            finish(proc)
        assert max(server.article_hits().values()) == 1
    assert fs.glob(f"warta-test/news-{workers}/staging/medcom/*.jsonl"), "staged to the bucket"
    env = {**warta_env(None), **s3_env, "WARTA_STATE_DIR": str(tmp_path / "builder")}
    snap = subprocess.run(
        [sys.executable, "-m", "warta.cli", "snapshot", "--data-dir", url, *distributed],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert snap.returncode == 0, snap.stderr[-3000:]
    fs.invalidate_cache()
    assert not fs.glob(f"warta-test/news-{workers}/staging/medcom/*.jsonl"), "published staging is removed"
    assert not fs.glob(f"warta-test/news-{workers}/snapshots/**/.*.tmp")
    df = read_articles(url)
    assert sorted(df["article_id"]) == sorted(a.article_id for a in small_site.articles)
    assert verify(url)[1] == []
    day = str(small_site.days[0])
    one_day = read_articles(url, since=day, until=day, columns=["article_id", "title"])
    assert len(one_day) == sum(a.published_at.date().isoformat() == day for a in small_site.articles)
    assert len(pd.read_parquet(f"{url}/snapshots", columns=["article_id"])) == len(df), "plain pandas reads it too"


def test_a_missing_bucket_is_a_one_line_error(tmp_path, s3_env):
    env = {**warta_env(None), **s3_env, "WARTA_STATE_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "warta.cli", "crawl", "medcom", "--data-dir", "s3://no-such-bucket/x"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("warta crawl: error: cannot write to s3://no-such-bucket/x")
    assert "Traceback" not in result.stderr


def test_object_store_publish_interrupted_leaves_the_old_partition(tmp_path, s3_env, monkeypatch):
    for key, value in {**s3_env, "WARTA_STATE_DIR": str(tmp_path / "state")}.items():
        monkeypatch.setenv(key, value)
    import pyarrow as pa
    import s3fs

    from pipeline.partitions import Partitions
    from pipeline.schema import file_schema
    from tests.test_snapshot import article

    s3fs.S3FileSystem().mkdir("warta-crash")
    partitions = Partitions("s3://warta-crash/news")
    rows = [article(f"A{i:07d}", date(2026, 1, 1)) for i in range(3)]
    old = pa.Table.from_pylist(rows[:2], schema=file_schema())
    partitions.publish("medcom", "2026-01-01", old)

    def crash(tmp, final):
        raise OSError("connection lost mid-publish")

    monkeypatch.setattr(partitions.store, "publish", crash)
    with pytest.raises(OSError):
        partitions.publish("medcom", "2026-01-01", pa.Table.from_pylist(rows, schema=file_schema()))
    assert partitions.read("medcom", "2026-01-01").num_rows == 2, "readers still get the whole old partition"
    assert partitions.manifest_matches("medcom", "2026-01-01")
    assert len(read_articles("s3://warta-crash/news")) == 2, "the temp object is invisible to readers"
    monkeypatch.undo()
    for key, value in {**s3_env, "WARTA_STATE_DIR": str(tmp_path / "state")}.items():
        monkeypatch.setenv(key, value)
    partitions.remove_stale()
    assert not partitions.store.list("snapshots/site=*/date=*/.*.tmp")


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_both_seen_stores_give_the_same_answers(tmp_path, kind, fresh_redis):
    from datetime import datetime, timedelta, timezone

    from pipeline.neardup import sketch
    from pipeline.seen_owner import open_seen_store

    store = open_seen_store(tmp_path, fresh_redis if kind == "redis" else None)
    now = datetime(2026, 1, 2, 12, tzinfo=timezone.utc)
    body = " ".join(f"kata{i}" for i in range(200))
    old = {
        "article_id": "AAAA0001",
        "content_hash": "h1",
        "published_at": now - timedelta(days=2),
        "crawled_at": now - timedelta(days=2),
    }
    fresh = {
        "article_id": "AAAA0002",
        "content_hash": "h2",
        "published_at": now - timedelta(hours=1),
        "crawled_at": now - timedelta(hours=2),
    }
    store.record_many("medcom", [(old, sketch(body)), (fresh, sketch("lain " * 50))])
    assert not store.should_fetch("medcom", "AAAA0001", now, timedelta(hours=6), timedelta(minutes=60))
    assert store.should_fetch("medcom", "AAAA0002", now, timedelta(hours=6), timedelta(minutes=60))
    assert store.should_fetch("medcom", "NEW00001", now, timedelta(hours=6), timedelta(minutes=60))
    assert store.owner_of_hash("medcom", "h1", exclude="BBBB0001") == "AAAA0001"
    assert store.owner_of_hash("medcom", "h1", exclude="AAAA0001") is None
    repost = body.replace("kata5 ", "katalain ")
    assert store.near_duplicate_of("medcom", "CCCC0001", sketch(repost), now, 0.7) == "AAAA0001"
    assert store.near_duplicate_of("medcom", "CCCC0001", sketch("sama sekali berbeda " * 30), now, 0.7) is None
    store.close()


def test_a_failed_object_write_keeps_the_batch_for_the_next_flush(tmp_path, s3_env, monkeypatch):
    for key, value in s3_env.items():
        monkeypatch.setenv(key, value)
    import s3fs

    from pipeline.segments import ObjectSegmentWriter, staged_segments
    from pipeline.stores import ObjectStore
    from tests.test_snapshot import article

    s3fs.S3FileSystem().mkdir("warta-flaky")
    remote = ObjectStore("s3://warta-flaky/news")
    durable = []
    writer = ObjectSegmentWriter(remote, "medcom", flush_items=1000, on_durable=durable.extend)
    real_put = remote.put
    calls = []

    def put_once_failing(path, data):
        calls.append(path)
        if len(calls) == 1:
            raise OSError("connection reset by the object store")
        real_put(path, data)

    monkeypatch.setattr(remote, "put", put_once_failing)
    for i in range(5):
        writer.add(article(f"F{i:07d}", date(2026, 1, 1)))
    with pytest.raises(OSError):
        writer.flush()
    assert durable == [], "nothing is reported durable before it is written"
    writer.close()
    assert len(durable) == 5
    staged = [r for segment in staged_segments("s3://warta-flaky/news") for r in segment.records()]
    assert sorted(r["article_id"] for r in staged) == [f"F{i:07d}" for i in range(5)]

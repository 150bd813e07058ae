"""Distributed mode against a real redis-server: several crawler worker processes sharing one
queue on the generated site (none fetches an article another has, a killed or stopped worker
loses nothing), Redis killed and restarted under them (with its append-only file the run goes
on; without it the workers say so and fail), one snapshot builder at a time, Redis errors as
one line, and the Redis seen-store answering as the SQLite one does."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
import redis

from demosite import DemoServer
from pipeline import read_articles
from pipeline.snapshots.build import build
from pipeline.snapshots.lock import BuildLocked, redis_build_lock
from tests.conftest import ROOT, crawl_args, run_warta, spider_args, warta_env
from tests.servers import RedisServer


def scrapy_worker(site, server, data_dir, redis_url, lease_seconds=3, extra_env=None) -> subprocess.Popen:
    """`scrapy crawl medcom` as one distributed worker (the scheduler's and users' other entry)."""
    env = {**warta_env(data_dir), **(extra_env or {})}
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "medcom",
        *spider_args(server, site.days[0], site.days[-1]),
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


def assert_run_ended(redis_url: str) -> None:
    """The run's keys are cleared; only its marker stays, saying `over`, for an hour at most (so
    that a worker still running tells that end from a Redis that lost the run)."""
    client = redis.Redis.from_url(redis_url)
    (marker,) = client.keys("warta:medcom:*")
    assert marker.endswith(b":run") and client.get(marker) == b"over" and 0 < client.ttl(marker) <= 3600


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
                    *crawl_args(server, small_site, tmp_path, "--redis-url", fresh_redis),
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
        assert_run_ended(fresh_redis)

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


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_both_seen_stores_give_the_same_answers(tmp_path, kind, fresh_redis):
    from datetime import datetime, timedelta, timezone

    from pipeline.dedup.neardup import band_keys, sketch
    from pipeline.dedup.seen_rebuild import open_seen_store

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
    asks = [("AAAA0001", band_keys(sketch(body)).tolist()), ("CCCC0001", band_keys(sketch(repost)).tolist())]
    asks.append(("NEW00001", band_keys(sketch("sama sekali berbeda " * 30)).tolist()))
    (known, own), (unknown, found), (nothing, none) = store.lookup_many("medcom", asks)
    assert known.content_hash == "h1" and unknown is None is nothing
    assert [c[0] for c in found] == ["AAAA0001"] and (found[0][1] == sketch(body)).all()
    assert found[0][2] == old["published_at"] and own == [] and none == [], "an article is no candidate of itself"
    store.close()


def test_a_run_on_a_site_that_was_down_leaves_nothing_that_stops_the_next_one(tmp_path, fresh_redis, small_site):
    """Down, then back on the same URL: the failed run's remembered requests are cleared, so the
    next run of the same range fetches the site instead of finding "nothing left to fetch"."""
    from tests.servers import free_port

    port = free_port()
    args = ("crawl", "medcom", "--base-url", f"http://127.0.0.1:{port}", "--since", str(small_site.days[0]))
    args += ("--until", str(small_site.days[-1]), "--redis-url", fresh_redis)
    down = run_warta(*args, data_dir=tmp_path)
    assert down.returncode == 1 and "could not reach" in down.stderr, down.stderr
    assert_run_ended(fresh_redis)
    with DemoServer(small_site, port=port, flaky_paths=0):
        back = run_warta(*args, data_dir=tmp_path)
    assert back.returncode == 0, back.stderr
    assert snapshot_ids(tmp_path) == sorted(a.article_id for a in small_site.articles)


REDIS_DOWN_SECONDS = 5


def warta_worker(site, server, data_dir, redis_url) -> subprocess.Popen:
    """`warta crawl medcom --redis-url` as one distributed worker (its exit code is the outcome)."""
    return subprocess.Popen(
        [sys.executable, "-m", "warta.cli", *crawl_args(server, site, data_dir, "--redis-url", redis_url)],
        cwd=ROOT,
        env=warta_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_both_work(server, redis_url: str, timeout: float = 90) -> None:
    """Blocks until two workers hold leases and the site has served some articles: mid-crawl."""
    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while True:
        holders = {
            lease.rsplit(b":", 1)[0]
            for key in client.keys("warta:medcom:*:leases")
            for lease in client.zrange(key, 0, -1)
        }
        if len(holders) >= 2 and sum(server.article_hits().values()) >= 10:
            return
        assert time.monotonic() < deadline, f"workers holding leases: {len(holders)}"
        time.sleep(0.05)


def restart_mid_crawl(redis_srv: RedisServer, server, site, data_dir) -> tuple[list[subprocess.Popen], float]:
    """Two workers, Redis killed (SIGKILL) once both work, started again on the same port and
    folder REDIS_DOWN_SECONDS later. Returns the workers and the time Redis was back."""
    workers = [warta_worker(site, server, data_dir, redis_srv.url) for _ in range(2)]
    wait_until_both_work(server, redis_srv.url)
    redis_srv.kill()
    served = sum(server.article_hits().values())
    assert served < len(site.articles), "the kill must land mid-crawl"
    time.sleep(REDIS_DOWN_SECONDS)  # the outage itself
    redis_srv.start()
    return workers, time.monotonic()


def test_workers_ride_out_a_redis_restart(tmp_path, small_site):
    """Redis (append-only file, fsync always) killed mid-crawl and back: both workers resume and
    finish, and the snapshot holds every article of the site once."""
    (tmp_path / "redis").mkdir()
    data_dir = tmp_path / "data"
    with (
        RedisServer(tmp_path / "redis", persistent=True) as redis_srv,
        DemoServer(small_site, flaky_paths=0, latency=0.3) as server,
    ):
        workers, back = restart_mid_crawl(redis_srv, server, small_site, data_dir)
        try:
            for worker in workers:
                finish(worker, timeout=max(1.0, back + 60 - time.monotonic()))
        finally:
            for worker in workers:
                worker.kill()
        assert time.monotonic() - back < 60, "the workers finish within a minute of Redis being back"
        assert sorted(server.article_hits()) == sorted(a.path for a in small_site.articles)
    assert snapshot_ids(data_dir) == sorted(a.article_id for a in small_site.articles), "each article once"


def test_a_redis_restart_without_persistence_fails_the_workers_with_the_reason(tmp_path, small_site):
    """Redis back empty: the run's queue is gone, so no worker may claim the crawl finished. Each
    says so in one line and exits 1; what it staged is kept."""
    (tmp_path / "redis").mkdir()
    data_dir = tmp_path / "data"
    with (
        RedisServer(tmp_path / "redis", persistent=False) as redis_srv,
        DemoServer(small_site, flaky_paths=0, latency=0.3) as server,
    ):
        workers, back = restart_mid_crawl(redis_srv, server, small_site, data_dir)
        try:
            results = [w.communicate(timeout=max(1.0, back + 90 - time.monotonic())) for w in workers]
        finally:
            for worker in workers:
                worker.kill()
        for worker, (_, err) in zip(workers, results):
            assert worker.returncode == 1, err[-3000:]
            assert "warta crawl: Redis lost the shared run's queue (restarted without persistence?): " in err, err
            assert "run the crawl again" in err and "Traceback" not in err
        client = redis.Redis.from_url(redis_srv.url)
        assert all(client.ttl(key) > 0 for key in client.keys("warta:medcom:*")), "no key left to last for ever"
    staged = snapshot_ids(data_dir)
    assert staged and len(set(staged)) == len(staged), "what was staged is kept, once"


@pytest.mark.parametrize(
    "finish, counts, says",
    [
        ("redis_lost", {"lost_in_flight": 0}, "Redis lost the shared run's queue (restarted without persistence?): 0"),
        ("redis_unavailable", {"unreachable_s": 600}, "Redis was unreachable for 600 s: stopped"),
        ("finished", {"unfinished": 2}, "2 requests of this worker had no outcome; they were handed back"),
    ],
)
def test_a_worker_the_shared_queue_cut_short_is_never_a_success(finish, counts, says):
    """Even with nothing fetched (which alone means "the others had every request", exit 0)."""
    from warta.commands.crawl import crawl_outcome

    for pages in (0, 9):
        summary = {"finish_reason": finish, "pages": pages, "requests": pages, "distributed": counts}
        code, message = crawl_outcome(summary, distributed=True)
        assert code == 1 and message.startswith(says), message


def test_the_snapshot_build_lock_outlives_a_redis_restart(tmp_path):
    """Redis killed and back empty while a build holds the lock: the renewer takes the lock
    again, and the build ends without an error (nothing to release is no failure)."""
    with RedisServer(tmp_path, persistent=False) as redis_srv:
        client = redis.Redis.from_url(redis_srv.url)
        with redis_build_lock(redis_srv.url, str(tmp_path), ttl=1.5):
            redis_srv.kill()
            time.sleep(1)  # the outage itself
            redis_srv.start()
            deadline = time.monotonic() + 30
            while not client.keys("warta:snapshot-lock:*"):
                assert time.monotonic() < deadline, "the lock was not taken again"
                time.sleep(0.05)
            with pytest.raises(BuildLocked):
                build(tmp_path, redis_url=redis_srv.url)
        assert not client.keys("warta:snapshot-lock:*"), "released at the end"

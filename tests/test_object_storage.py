"""A data dir on object storage, against moto's S3 server: crawl (one worker, or two in
distributed mode), snapshot and read; a missing bucket is one line; an interrupted publish or
a failed staging write loses nothing."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pandas as pd
import pytest

from demosite import DemoServer
from pipeline import read_articles
from pipeline.store.partitions import verify
from tests.conftest import ROOT, crawl_args, warta_env
from tests.servers import s3_server
from tests.test_distributed import finish


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
                [sys.executable, "-m", "warta.cli", *crawl_args(server, small_site, url, *distributed)],
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

    from pipeline.store.partitions import Partitions
    from pipeline.store.schema import file_schema
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


def test_a_failed_object_write_keeps_the_batch_for_the_next_flush(tmp_path, s3_env, monkeypatch):
    for key, value in s3_env.items():
        monkeypatch.setenv(key, value)
    import s3fs

    from pipeline.store.datadir import DataDir
    from pipeline.store.staging import SegmentWriter, staged_segments
    from tests.test_snapshot import article

    s3fs.S3FileSystem().mkdir("warta-flaky")
    data_dir = DataDir("s3://warta-flaky/news")
    remote = data_dir.store
    durable = []
    writer = SegmentWriter(data_dir, "medcom", flush_items=1000, flush_seconds=3600, on_durable=durable.extend)
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


def test_reparse_and_repair_read_the_archive_whole_on_object_storage(tmp_path, s3_env, small_site, monkeypatch):
    for key, value in {**s3_env, "WARTA_STATE_DIR": str(tmp_path / "state")}.items():
        monkeypatch.setenv(key, value)
    import s3fs

    from pipeline.snapshots.build import build
    from pipeline.snapshots.repair import repair
    from pipeline.snapshots.reparse import reparse
    from pipeline.store.raw_index import RawIndex

    fs = s3fs.S3FileSystem()
    fs.mkdir("warta-archive")
    url = "s3://warta-archive/news"
    with DemoServer(small_site, flaky_paths=0) as server:
        crawl = subprocess.run(
            [sys.executable, "-m", "warta.cli", *crawl_args(server, small_site, url)],
            cwd=ROOT,
            env={**warta_env(None), **s3_env, "WARTA_STATE_DIR": str(tmp_path / "state")},
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    build(url)
    published = set(read_articles(url, columns=["article_id"])["article_id"])
    index = RawIndex(url)
    try:
        places = {aid: (key, offset, length, day) for aid, key, offset, length, day in index.latest_records("medcom")}
    finally:
        index.close()
    day = str(small_site.days[0])
    key, offset, length, _ = next(place for _, place in sorted(places.items()) if place[3] == day)
    cut = offset + length // 2
    fs.pipe_file(f"warta-archive/news/{key}", fs.cat_file(f"warta-archive/news/{key}")[:cut])
    damaged = {aid for aid, (k, o, n, _) in places.items() if k == key and o + n > cut}
    fs.rm(f"warta-archive/news/snapshots/site=medcom/date={day}", recursive=True)

    report = reparse(url, "medcom")
    assert report.unusable == {"damaged_record": len(damaged)}
    problems, repaired = repair(url)

    lost = {aid for aid in damaged if places[aid][3] == day}
    assert problems == [f"site=medcom/date={day}: missing"] and repaired.lost_ids == lost
    assert set(read_articles(url, columns=["article_id"])["article_id"]) == published - lost
    [left] = verify(url)[1]
    assert left.startswith(f"site=medcom/date={day}: {len(lost)} articles the raw archive has staged for it")

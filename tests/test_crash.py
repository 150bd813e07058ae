"""Processes really killed with SIGKILL at random moments: a crawl, then a snapshot build.
Afterwards the snapshots hold every article exactly once and every file is readable."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import pyarrow.parquet as pq

from demosite import DemoServer, generate_site
from pipeline import read_articles
from pipeline.snapshots.build import build
from pipeline.store.partitions import verify
from tests.conftest import ROOT, crawl_args, run_warta, start_warta, warta_env
from tests.test_snapshot import article, stage


def every_file_readable(data_dir) -> None:
    for part in (data_dir / "snapshots").rglob("part-0.parquet"):
        pq.read_table(part)


def test_crawls_killed_at_random_points_lose_and_duplicate_nothing(tmp_path):
    site = generate_site(n_articles=80, days=4, seed=21, reposts=0)
    rng = random.Random(5)
    with DemoServer(site, latency=0.03) as server:
        args = crawl_args(server, site, tmp_path)
        for attempt in range(4):
            proc = start_warta(*args, data_dir=tmp_path)
            time.sleep(rng.uniform(1.0, 3.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if attempt % 2:
                assert run_warta("snapshot", "--data-dir", str(tmp_path)).returncode == 0
                every_file_readable(tmp_path)
        result = run_warta(*args, data_dir=tmp_path)
        assert result.returncode == 0, result.stderr
    assert run_warta("snapshot", "--data-dir", str(tmp_path)).returncode == 0
    df = read_articles(tmp_path)
    assert sorted(df["article_id"]) == sorted(a.article_id for a in site.articles)
    assert verify(tmp_path)[1] == []


def test_builds_killed_at_random_points_leave_readable_partitions(tmp_path):
    first = date(2026, 3, 1)
    records = [article(f"K{i:07d}", first + timedelta(days=i % 40), f"Isi berita nomor {i}.") for i in range(14000)]
    stage(tmp_path, records[:2000])
    build(tmp_path)
    rng = random.Random(9)
    killed = 0
    for attempt in range(4):  # every attempt has new work: 3,000 more articles over 40 days
        stage(tmp_path, records[2000 + 3000 * attempt : 5000 + 3000 * attempt])
        proc = start_warta("snapshot", "--all", "--data-dir", str(tmp_path), data_dir=tmp_path)
        time.sleep(rng.uniform(0.7, 1.5))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
        every_file_readable(tmp_path)
        assert len(read_articles(tmp_path, columns=["article_id"])) >= 2000, "published rows never go away"
    assert killed >= 2, "the builds finished before they could be killed"
    assert run_warta("snapshot", "--data-dir", str(tmp_path)).returncode == 0
    df = read_articles(tmp_path, columns=["article_id"])
    assert sorted(df["article_id"]) == sorted(r["article_id"] for r in records)
    assert verify(tmp_path)[1] == []
    assert not list((tmp_path / "snapshots").rglob(".*.tmp"))


OPEN_STATE = """
import sys, time
from pipeline.dedup.boilerplate import BoilerplateStore, store_path
from pipeline.dedup.seen import SeenStore, seen_path
from pipeline.monitor.runs import History
data_dir, start = sys.argv[1], float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
for store in (SeenStore(seen_path(data_dir)), BoilerplateStore(store_path(data_dir)), History(data_dir)):
    store.close()
"""


def test_processes_opening_a_new_data_dir_at_once_all_get_its_state_files(tmp_path):
    """Distributed workers on one data dir start together: SQLite refuses the first switch to
    WAL with "database is locked" at once, whatever the busy timeout; every worker must open."""
    for round_ in range(3):
        data_dir = tmp_path / f"data{round_}"
        start = time.time() + 1.5
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_STATE, str(data_dir), str(start)],
                cwd=ROOT,
                env=warta_env(data_dir),
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(8)
        ]
        outcomes = [(p.communicate(timeout=60)[1], p.returncode) for p in procs]
        errors = [stderr for stderr, code in outcomes if code != 0]
        assert not errors, errors[0][-2000:]

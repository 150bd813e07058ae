"""Broken state on disk: a damaged seen-store or run history, damaged manifests, staged lines
that are JSON but not articles. Each is noticed, set aside or repaired with a one-line
message, and the work goes on: no traceback, no silently empty crawl, no blocked build."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest

from pipeline import read_articles
from pipeline.monitor.runs import History
from pipeline.store.partitions import verify
from tests.conftest import ROOT, crawl_args, run_warta, warta_env
from tests.hostile_site import run_record
from tests.test_snapshot import article, stage


def damage(path, how: str) -> None:
    data = path.read_bytes()
    rng = random.Random(3)
    if how == "garbage":
        path.write_bytes(bytes(rng.randrange(256) for _ in range(len(data))))
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 3])
    else:  # every page but the first (the header) scribbled over
        path.write_bytes(data[:4096] + bytes(rng.randrange(256) for _ in range(len(data) - 4096)))


def no_traceback(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr, (result.stdout + result.stderr)[-3000:]


@pytest.mark.parametrize("how", ["garbage", "truncated", "scribbled"])
def test_a_damaged_seen_store_is_moved_aside_and_rebuilt_from_the_data(tmp_path, server, site, how):
    args = crawl_args(server, site, tmp_path)
    assert run_warta(*args).returncode == 0
    # Some articles published, the others still staged: the rebuild must read both.
    assert run_warta("snapshot", "--date", str(site.days[0]), "--data-dir", str(tmp_path)).returncode == 0
    seen = tmp_path / "state" / "seen.sqlite"
    damage(seen, how)

    again = run_warta(*args)
    assert again.returncode == 0, again.stderr[-3000:]
    no_traceback(again)
    assert "seen.sqlite is damaged" in again.stderr and "moved aside" in again.stderr
    assert "seen-store rebuilt from the data dir" in again.stderr
    assert list(seen.parent.glob("seen.sqlite.damaged-*")), "the damaged file is kept for a look"
    summary = run_record(tmp_path)["summary"]
    # Every staged or published article is known again (the exact copy, never staged, is met again).
    assert summary["skipped"] == {"seen": len(site.articles) - 1}, summary
    assert summary["dropped"] == {"duplicate_content": 1}, summary


def test_a_damaged_run_history_is_rebuilt_and_jobs_still_run(tmp_path, server):
    config = tmp_path / "s.toml"
    config.write_text(
        f'[[job]]\nid = "latest"\nkind = "crawl"\nsite = "medcom"\nbase_url = "{server.base_url}"\n'
        "interval_minutes = 30\n"
    )
    data_dir = tmp_path / "d"
    once = ("schedule", "once", "latest", "--config", str(config), "--data-dir", str(data_dir))
    assert run_warta(*once).returncode == 0
    manual = (
        "crawl",
        "medcom",
        "--base-url",
        server.base_url,
        "--limit",
        "3",
        "--refetch",
        "--data-dir",
        str(data_dir),
    )
    assert run_warta(*manual).returncode == 0
    damage(data_dir / "state" / "runs.sqlite", "garbage")

    again = run_warta(*once)
    assert again.returncode == 0, again.stdout + again.stderr
    no_traceback(again)
    assert "runs.sqlite is damaged" in again.stderr and "run history rebuilt from 2 run records" in again.stderr
    status = run_warta("schedule", "status", "--config", str(config), "--data-dir", str(data_dir))
    no_traceback(status)
    history = History(data_dir)
    try:
        runs = history.recent(10)
    finally:
        history.close()
    # The earlier runs recovered from their records (the scheduled one and a `warta crawl`), the new one.
    assert [(r.job, r.status) for r in runs] == [("latest", "ok"), ("warta crawl medcom", "ok"), ("latest", "ok")]
    assert runs[1].dropped == {"unchanged": 3} and runs[2].articles > 10, "their figures too"


def test_manifests_that_disagree_with_their_file_are_rewritten(tmp_path):
    first = date(2026, 5, 1)
    days = [first + timedelta(days=i) for i in range(4)]
    stage(tmp_path, [article(f"M{i:07d}", days[i % 4]) for i in range(20)])
    assert run_warta("snapshot", "--data-dir", str(tmp_path)).returncode == 0
    manifests = [tmp_path / "snapshots" / "site=medcom" / f"date={d}" / "_manifest.json" for d in days]
    wrong_rows = json.loads(manifests[3].read_text()) | {"rows": 999}
    for path, text in zip(manifests, ("{not json", "", "[]", json.dumps(wrong_rows))):
        path.write_text(text)

    check = run_warta("snapshot", "--verify", "--data-dir", str(tmp_path))
    no_traceback(check)
    assert check.returncode == 1 and "4 problem(s)" in check.stdout, check.stdout
    plain = run_warta("snapshot", "--data-dir", str(tmp_path))
    no_traceback(plain)
    assert plain.returncode == 0 and "3 partitions written" in plain.stdout, plain.stdout + plain.stderr
    assert verify(tmp_path)[1] == [f"site=medcom/date={days[3]}: 5 rows, manifest says 999"]
    full = run_warta("snapshot", "--all", "--data-dir", str(tmp_path))
    assert full.returncode == 0 and "1 partitions written" in full.stdout, full.stdout + full.stderr
    assert verify(tmp_path)[1] == []
    assert len(read_articles(tmp_path)) == 20


def test_staged_lines_that_are_not_articles_are_quarantined_not_blocking(tmp_path):
    good = [article(f"G{i:07d}", date(2026, 6, 1 + i % 3)) for i in range(9)]
    stage(tmp_path, good)
    bad_date = article("BAD00001", date(2026, 6, 1))
    future = article("BAD00002", date(2026, 6, 1))
    not_a_list = article("BAD00003", date(2026, 6, 1))
    lines = [
        "[]",
        '"just a string"',
        json.dumps({"site": "medcom", "title": "no id"}),
        json.dumps({**bad_date, "published_at": "garbage", "crawled_at": None}, default=str),
        json.dumps({**future, "published_at": "9999-12-31T10:00:00+07:00", "crawled_at": None}, default=str),
        json.dumps({**not_a_list, "authors": "Siti", "published_at": "2026-06-01T09:00:00+07:00", "crawled_at": None}),
    ]
    segment = tmp_path / "staging" / "medcom" / "20260601T000000000000-host-1.jsonl"
    segment.write_text("\n".join(lines) + "\n")

    result = run_warta("snapshot", "--data-dir", str(tmp_path))
    no_traceback(result)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rejected: 6" in result.stdout and "quarantined in" in result.stderr
    assert sorted(read_articles(tmp_path)["article_id"]) == sorted(r["article_id"] for r in good)
    rejects = [
        json.loads(line) for path in (tmp_path / "rejects").rglob("*.jsonl") for line in path.read_text().splitlines()
    ]
    assert len(rejects) == 6
    reasons = " | ".join(r["reason"] for r in rejects)
    for expected in (
        "not an article record but list",
        "published_at is not a time",
        "implausible publication",
        "authors is not a list",
        "article_id is missing",
    ):
        assert expected in reasons, reasons
    assert not segment.exists(), "the segment is consumed: its bad lines live on in rejects/"
    assert sorted(os.listdir(tmp_path / "rejects")) == ["medcom", "unknown"]


def test_a_damaged_job_store_does_not_stop_the_service(tmp_path):
    config = tmp_path / "s.toml"
    config.write_text('[[job]]\nid = "build"\nkind = "snapshot"\ninterval_minutes = 30\n')
    data_dir = tmp_path / "d"
    (data_dir / "state").mkdir(parents=True)
    (data_dir / "state" / "jobs.sqlite").write_bytes(b"SQLite format 3\0" + os.urandom(8192))
    proc = subprocess.Popen(
        [sys.executable, "-m", "warta.cli", "schedule", "run", "--config", str(config), "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=warta_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while (
            time.monotonic() < deadline
            and proc.poll() is None
            and not (
                (data_dir / "state" / "jobs.sqlite").exists() and list((data_dir / "state").glob("jobs.sqlite.dam*"))
            )
        ):
            time.sleep(0.2)
        time.sleep(1.0)  # the scheduler starts on the fresh store
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, out
    assert "jobs.sqlite is damaged" in out and "Traceback" not in out, out
    assert "scheduler starting with 1 jobs" in out, out


OPEN_AND_WRITE = """
import sys, time
from pipeline.dedup.seen import SeenStore, seen_path
data_dir, start, n = sys.argv[1], float(sys.argv[2]), sys.argv[3]
time.sleep(max(0.0, start - time.time()))
store = SeenStore(seen_path(data_dir))
store.record("medcom", {"article_id": f"ID{n}", "content_hash": "h", "published_at": None,
                        "crawled_at": "2026-01-01T00:00:00+00:00"})
store.close()
"""


def test_processes_meeting_the_same_damaged_file_at_once_all_carry_on(tmp_path):
    """A crawl and the scheduler (or distributed workers) may find the damage together: one
    moves the file aside, none moves another's fresh file away, every write lands."""
    seen = tmp_path / "state" / "seen.sqlite"
    seen.parent.mkdir(parents=True)
    seen.write_bytes(os.urandom(16384))
    start = time.time() + 1.5
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AND_WRITE, str(tmp_path), str(start), str(n)],
            cwd=ROOT,
            env=warta_env(tmp_path),
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    errors = [err for p in procs for err in [p.communicate(timeout=60)[1]] if p.returncode != 0]
    assert not errors, errors[0][-2000:]
    db = sqlite3.connect(seen)
    try:
        ids = sorted(r[0] for r in db.execute("SELECT article_id FROM seen"))
    finally:
        db.close()
    assert ids == [f"ID{n}" for n in range(6)]


def test_an_unreadable_partition_is_reported_and_its_staged_records_kept(tmp_path):
    day, other = date(2026, 7, 1), date(2026, 7, 2)
    stage(tmp_path, [article("U0000001", day), article("U0000002", other)])
    assert run_warta("snapshot", "--data-dir", str(tmp_path)).returncode == 0
    part = tmp_path / "snapshots" / "site=medcom" / f"date={day}" / "part-0.parquet"
    part.write_bytes(b"PAR1 this is not parquet any more")
    stage(tmp_path, [article("U0000003", day), article("U0000004", other)])

    result = run_warta("snapshot", "--data-dir", str(tmp_path))
    no_traceback(result)
    assert result.returncode == 1 and f"date={day}: unreadable" in result.stderr, result.stdout + result.stderr
    assert part.read_bytes() == b"PAR1 this is not parquet any more", "not overwritten with less"
    assert list((tmp_path / "staging" / "medcom").glob("*.jsonl")), "its staged records are kept"
    assert sorted(read_articles(tmp_path, since=str(other), until=str(other))["article_id"]) == [
        "U0000002",
        "U0000004",
    ], "the other days are published"


def test_a_recovered_run_is_judged_as_the_run_history_judged_it(tmp_path):
    """A crawl that fetched nothing failed, however it finished; a crawl stopped at its --limit is ok."""
    from pipeline.monitor.runs import recovered_run

    def record(name: str, finish: str, pages: int) -> dict:
        stats = {"warta/run_id": f"warta-crawl-medcom-{name}", "warta/job": "warta crawl medcom"}
        stats["start_time"] = "2026-12-01T00:00:00+00:00"
        summary = {"finish_reason": finish, "pages": pages, "articles": 0, "dropped": {}}
        path = tmp_path / "medcom" / f"{name}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps({"site": "medcom", "summary": summary, "stats": stats, "elapsed_s": 1.0}))
        return recovered_run(path)

    assert record("nothing", "finished", 0)[6] == "failed"
    assert record("limited", "limit", 7)[6] == "ok"
    assert record("stopped", "shutdown", 7)[6] == "stopped"

"""The scheduler service, run for real as a subprocess with second-level intervals against
the generated site: jobs fire, never overlap, survive a crashing job, catch up once after a
restart, and stop cleanly on SIGTERM without losing staged articles."""

from __future__ import annotations

import itertools
import json
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from demosite import DemoServer, generate_site
from pipeline.monitor.runs import History
from tests.conftest import ROOT, run_warta, warta_env


def today_wib():
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


def write_config(path: Path, body: str) -> Path:
    path.write_text(body)
    return path


def start_service(config: Path, data_dir: Path, grace: float = 10):
    env = warta_env(data_dir)
    env["WARTA_STOP_GRACE_SECONDS"] = str(grace)
    return subprocess.Popen(
        [sys.executable, "-m", "warta.cli", "schedule", "run", "--config", str(config), "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_service(proc, timeout: float = 30) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=timeout)
    return proc.returncode, out


def runs(data_dir: Path, job: str | None = None):
    history = History(data_dir, read_only=True)
    try:
        return sorted(history.recent(500, job), key=lambda r: r.started)
    finally:
        history.close()


def finished(data_dir: Path, job: str):
    return [r for r in runs(data_dir, job) if r.status != "running"]


def wait_for(condition, timeout: float, what: str, proc=None):
    """Poll `condition` until it is true (returned), for at most `timeout` seconds; `proc`: a
    service that must not die meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the service died while waiting for {what}: {proc.communicate()[0]}")
        if result := condition():
            return result
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {timeout}s")


def free_port() -> int:
    """A loopback port nothing listens on: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    "body, line, reason",
    [
        ('[[job]]\nid = "a"\nkind = "crawl"\nsite = "medcom"\ninterval_minutes = 0\n', 5, "between 1 second"),
        ('[[job]]\nid = "a"\nkind = "crawler"\nsite = "medcom"\ncron = "* * * * *"\n', 3, "kind must be"),
        ('[[job]]\nid = "a"\nkind = "crawl"\nsite = "medcom"\ncron = "61 * * * *"\n', 5, "cron"),
        ('[[job]]\nid = "a"\nkind = "crawl"\nsite = "nosite"\ncron = "0 * * * *"\n', 4, "site must be"),
        (
            (
                '[[job]]\nid = "a"\nkind = "snapshot"\ncron = "0 * * * *"\n\n[[job]]\nid = "a"\nkind = "snapshot"\n'
                "interval_seconds = 5\n"
            ),
            7,
            "duplicate",
        ),
        ('[[job]]\nid = "a"\nkind = "snapshot"\ncron = "0 * * * *"\ntimezone = "Mars/Base"\n', 5, "time zone"),
        ('[[job]]\nid = "a"\nkind = "snapshot"\ncron = "0 * * * *"\ncolour = "red"\n', 5, "unknown keys"),
        ('[[job]\nid = "a"\n', 1, "line 1"),
    ],
)
def test_bad_schedule_is_rejected_with_line_and_reason(tmp_path, body, line, reason):
    config = write_config(tmp_path / "bad.toml", body)
    result = run_warta("schedule", "run", "--config", str(config), "--data-dir", str(tmp_path), timeout=60)
    assert result.returncode != 0
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and f"line {line}" in message and reason in message, message


def test_cron_weekday_numbers_mean_what_cron_means(tmp_path):
    from schedules.config import load_schedule

    config = write_config(tmp_path / "s.toml", '[[job]]\nid = "a"\nkind = "snapshot"\ncron = "0 9 * * 1"\n')
    trigger = load_schedule(config).jobs["a"].trigger
    fire = trigger.get_next_fire_time(None, datetime.fromisoformat("2026-11-28T00:00:00+07:00"))
    assert fire.strftime("%A %H:%M %Z") == "Monday 09:00 WIB"


def test_service_runs_jobs_without_overlap_and_survives_a_failing_job(tmp_path):
    site = generate_site(n_articles=40, days=2, reposts=0, end=today_wib())
    with DemoServer(site, latency=0.05) as server:
        config = write_config(
            tmp_path / "s.toml",
            f"""
[defaults]
misfire_grace_minutes = 1
[[job]]
id = "crawl"
kind = "backfill"
site = "medcom"
days = 3
base_url = "{server.base_url}"
refetch = true
interval_seconds = 1
[[job]]
id = "broken"
kind = "crawl"
site = "medcom"
base_url = "http://127.0.0.1:9"
interval_seconds = 2
[[job]]
id = "snapshot"
kind = "snapshot"
interval_seconds = 3
""",
        )
        data = tmp_path / "data"
        proc = start_service(config, data)

        def enough():  # the unreachable site costs its crawl about 5 s: robots.txt and its retries
            crawls, broken = finished(data, "crawl"), finished(data, "broken")
            return (
                len(crawls) >= 2
                and broken
                and any(r.started >= broken[0].ended for r in crawls)
                and any(r.status == "ok" and r.articles for r in crawls)
            )

        try:
            wait_for(enough, 120, "ok crawls and a failed run followed by another crawl", proc)
        finally:
            code, out = stop_service(proc)
    assert code == 0, out
    crawls = finished(data, "crawl")
    for before, after in itertools.pairwise(crawls):
        assert before.ended <= after.started, "two runs of one job overlapped"
    broken = finished(data, "broken")
    assert broken[0].outcome == "failed (exit 1)", [r.outcome for r in broken]
    assert broken[0].problems == ["warta crawl: could not reach http://127.0.0.1:9: connection refused"]
    assert "maximum number of running instances reached" in out
    # The service's log says a failed run failed, and nothing after it says it succeeded.
    assert re.search(r"ERROR: run broken-\S+ ended: failed \(exit 1\)", out), out
    assert not re.search(r'Job "broken[^\n]*executed successfully', out), out
    status = run_warta("schedule", "status", "--config", str(config), "--data-dir", str(data))
    assert "crawl" in status.stdout and "failed" in status.stdout


def test_restart_runs_a_missed_job_once(tmp_path):
    config = write_config(
        tmp_path / "s.toml",
        """
[[job]]
id = "snap"
kind = "snapshot"
interval_seconds = 3
misfire_grace_minutes = 5
""",
    )
    data = tmp_path / "data"
    proc = start_service(config, data)
    try:
        wait_for(lambda: runs(data, "snap"), 60, "first run", proc)  # a loaded machine starts slowly
    finally:
        assert stop_service(proc)[0] == 0
    time.sleep(10)  # the wall-clock time of three runs missed while down
    since = datetime.now().astimezone().replace(microsecond=0)
    proc = start_service(config, data)
    try:  # the catch-up run, then a regular one: a second catch-up would have come before it
        wait_for(
            lambda: len([r for r in finished(data, "snap") if datetime.fromisoformat(r.started) >= since]) >= 2,
            60,
            "two runs after the restart",
            proc,
        )
    finally:
        code, out = stop_service(proc)
    assert code == 0, out
    # APScheduler logs when it starts each run (to the second) and the run's scheduled time.
    # The first run after the restart is the catch-up: scheduled less than an interval before
    # it started, so the latest missed run; the missed ones before it coalesced into it, and
    # the next run was scheduled an interval later. Without coalescing the first run is the
    # oldest missed one (6 s and more before its start), and its followers come at once.
    launches = [
        (
            datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZoneInfo("Asia/Jakarta")),
            datetime.fromisoformat(m[2]),
        )
        for m in re.finditer(
            r"^(\S+ \S+) WIB \[apscheduler\.executors\.default\] INFO: Running job .*\(scheduled at ([^)]+)\)$",
            out,
            re.M,
        )
    ]
    assert len(launches) >= 2, out
    started, catch_up = launches[0]
    assert started - catch_up < timedelta(seconds=3), out
    assert [t for _, t in launches if t < catch_up + timedelta(seconds=3)] == [catch_up], out


def test_sigterm_stops_a_running_crawl_without_losing_staged_articles(tmp_path):
    site = generate_site(n_articles=150, days=3, reposts=0, end=today_wib())
    with DemoServer(site, latency=0.25) as server:  # about 10 s of crawling: still running at the stop
        config = write_config(
            tmp_path / "s.toml",
            f"""
[[job]]
id = "slow"
kind = "backfill"
site = "medcom"
days = 3
base_url = "{server.base_url}"
interval_seconds = 1
""",
        )
        data = tmp_path / "data"
        proc = start_service(config, data, grace=20)

        def staging_lines() -> int:
            return sum(len(f.read_text().splitlines()) for f in (data / "staging" / "medcom").glob("*.jsonl"))

        wait_for(lambda: staging_lines() > 0, 60, "articles staged", proc)  # the crawl is under way
        started = time.monotonic()
        code, out = stop_service(proc)
    assert code == 0, out
    assert time.monotonic() - started < 20
    stopped = [r for r in runs(data, "slow") if r.status == "stopped"]
    assert len(stopped) == 1, [r.status for r in runs(data, "slow")]
    record = json.loads((data / "runs" / "scheduled" / f"{stopped[0].run_id}.json").read_text())
    assert record["summary"]["finish_reason"] == "shutdown"
    staged = sum(len(f.read_text().splitlines()) for f in (data / "staging" / "medcom").glob("*.jsonl"))
    assert staged == record["stats"]["warta/staged"] > 0, "every article the crawl staged is on disk"


def test_health_flags_a_fill_rate_drop_and_a_run_without_articles():
    from pipeline.monitor.health import health_problems

    past = [{"authors": 0.98, "body": 1.0}, {"authors": 0.97, "body": 1.0}, {"authors": 1.0, "body": 1.0}]
    summary = {"pages": 40, "articles": 30, "dropped": {}, "skipped": {}}
    assert health_problems(summary, {"authors": 0.1, "body": 1.0}, past) == [
        "fill rate of authors fell to 0.10 (recent median 0.98)"
    ]
    assert health_problems(summary, {"authors": 0.95, "body": 1.0}, past) == []
    empty = {"pages": 12, "articles": 0, "dropped": {"no_body": 10}, "skipped": {}}
    assert health_problems(empty, {}, past)[0].startswith("zero articles")
    quiet = {"pages": 3, "articles": 0, "dropped": {}, "skipped": {"seen": 20}}
    assert health_problems(quiet, {}, past) == [], "nothing new on an incremental run is healthy"


def test_health_flags_a_site_whose_articles_leave_the_profile_route():
    """A layout change: the generic extractor takes over (bodies still found), the share of
    articles the profile parsed falls, and the operator hears of it like a fill-rate drop."""
    from pipeline.monitor.health import fill_rates, health_problems

    stats = {
        "warta/route/profile": 3,
        "warta/route/generic": 27,
        **{f"warta/filled/{f}": 30 for f in ("title", "body", "published_at")},
    }
    fill = fill_rates(stats, 30)
    assert fill["profile_route"] == 0.1
    past = [{"profile_route": 1.0}, {"profile_route": 0.98}, {"profile_route": 1.0}]
    summary = {"pages": 40, "articles": 30, "dropped": {}, "skipped": {}}
    assert health_problems(summary, fill, past) == [
        "share of articles parsed by the site's profile (the layout may have changed) fell to 0.10 (recent median 1.00)"
    ]


def test_a_broken_layout_is_flagged_in_status(tmp_path):
    site = generate_site(n_articles=20, days=2, reposts=0, end=today_wib())
    with DemoServer(site) as server:
        render = server.render
        articles = {a.path for a in site.articles}
        server.render = lambda path, query: (
            (200, "text/html", "<html><body><h1>Redesign</h1></body></html>")
            if path in articles
            else render(path, query)
        )
        config = write_config(
            tmp_path / "s.toml",
            f"""
[[job]]
id = "latest"
kind = "crawl"
site = "medcom"
base_url = "{server.base_url}"
interval_minutes = 30
""",
        )
        once = run_warta("schedule", "once", "latest", "--config", str(config), "--data-dir", str(tmp_path / "d"))
    assert once.returncode == 0, once.stdout + once.stderr
    status = run_warta("schedule", "status", "--config", str(config), "--data-dir", str(tmp_path / "d"))
    assert status.returncode == 1
    assert "zero articles" in status.stdout and "no_body" in status.stdout


def test_a_run_over_its_timeout_is_stopped_and_recorded(tmp_path):
    site = generate_site(n_articles=100, days=2, reposts=0, end=today_wib())
    with DemoServer(site, latency=0.2) as server:
        config = write_config(
            tmp_path / "s.toml",
            f"""
[[job]]
id = "slow"
kind = "backfill"
site = "medcom"
days = 2
base_url = "{server.base_url}"
cron = "0 3 * * *"
timeout_seconds = 4
""",
        )
        started = time.monotonic()
        once = run_warta("schedule", "once", "slow", "--config", str(config), "--data-dir", str(tmp_path / "d"))
    assert once.returncode == 1 and "slow: timeout: ran over its timeout of 4s" in once.stdout, (
        once.stdout + once.stderr
    )
    assert time.monotonic() - started < 30
    run = runs(tmp_path / "d", "slow")[0]
    assert (run.status, run.problems) == ("timeout", ["ran over its timeout of 4s and was stopped"])


def test_a_failed_scheduled_crawl_says_why_and_three_make_its_site_unreachable(tmp_path):
    port = free_port()
    config = write_config(
        tmp_path / "s.toml",
        f"""
[[job]]
id = "broken"
kind = "crawl"
site = "medcom"
base_url = "http://127.0.0.1:{port}"
cron = "0 3 * * *"
""",
    )
    data = tmp_path / "d"
    why = f"warta crawl: could not reach http://127.0.0.1:{port}: connection refused"
    for _ in range(3):
        once = run_warta("schedule", "once", "broken", "--config", str(config), "--data-dir", str(data))
        assert once.returncode == 1 and f"broken: failed (exit 1): {why}; log: " in once.stdout, once.stdout
    status = run_warta("schedule", "status", "--data-dir", str(data))
    assert status.returncode == 1, status.stdout + status.stderr
    assert re.search(rf"  broken: last run failed \(exit 1\) at [0-9-]+ [0-9:]+ WIB: {re.escape(why)}\n", status.stdout)
    assert "  medcom: unreachable for 3 consecutive runs (since " in status.stdout, status.stdout

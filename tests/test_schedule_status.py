"""`warta schedule status` and `list` show every time in WIB, labelled, and only the counts a
run has (a snapshot has no pages). `status` reads what the service keeps (its lock, its job
store): a dead service and its overdue jobs are problems; it only reads, so a read-only data
dir, a damaged history or a closed pipe are a line at most, never a traceback."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from pipeline.monitor.runs import History
from tests.conftest import ROOT, warta_env
from tests.test_schedule import finished, start_service, stop_service, wait_for, write_config
from tests.test_schedule_lock import wait_until_serving
from warta.cli import main

CONFIG = """
[[job]]
id = "utc-crawl"
kind = "crawl"
site = "medcom"
cron = "0 6 * * *"
timezone = "UTC"

[[job]]
id = "snap"
kind = "snapshot"
cron = "15 0 * * *"
"""
TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?(?:[+-]\d\d:\d\d)?(?: \w+)?")


def record(history: History, run_id: str, job: str, kind: str, started: str, summary: dict | None) -> None:
    history.start(run_id, job, kind, "medcom" if kind == "crawl" else None, f"/logs/{run_id}.log")
    history.finish(run_id, "ok", 0, summary, [])
    history.db.execute("UPDATE runs SET started = ? WHERE run_id = ?", (started, run_id))


def test_status_shows_wib_times_and_only_the_counts_a_run_has(tmp_path, capsys):
    config = tmp_path / "s.toml"
    config.write_text(CONFIG)
    history = History(tmp_path)
    record(
        history,
        "c1",
        "utc-crawl",
        "crawl",
        "2026-11-30T02:00:00+00:00",
        {"pages": 12, "articles": 10, "dropped": {"unchanged": 2}},
    )
    record(history, "s1", "snap", "snapshot", "2026-11-30T17:15:03+00:00", None)
    history.close()

    assert main(["schedule", "status", "--config", str(config), "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    times = TIME.findall(out)
    assert times and all(t.endswith(" WIB") and "T" not in t and "+" not in t for t in times), times
    assert re.search(r"utc-crawl +next \d{4}-\d\d-\d\d 13:00:00 WIB; last ok at 2026-11-30 09:00:00 WIB", out), out
    assert "snap                 next" in out and "last ok at 2026-12-01 00:15:03 WIB" in out, out
    crawl_line = next(line for line in out.splitlines() if "/logs/c1.log" in line)
    assert crawl_line.startswith("  2026-11-30 09:00:00 WIB utc-crawl")
    assert "pages=12 articles=10 dropped: unchanged=2" in crawl_line
    snapshot_line = next(line for line in out.splitlines() if "/logs/s1.log" in line)
    assert "pages" not in snapshot_line and "articles" not in snapshot_line and "dropped" not in snapshot_line
    assert "None" not in out


def test_list_shows_next_runs_in_wib(tmp_path, capsys):
    config = tmp_path / "s.toml"
    config.write_text(CONFIG)
    assert main(["schedule", "list", "--config", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.search(r"next \d{4}-\d\d-\d\d 13:00:00 WIB$", lines[0]), lines
    assert re.search(r"next \d{4}-\d\d-\d\d 00:15:00 WIB$", lines[1]), lines


def status(data_dir, *extra: str, command: tuple[str, ...] = ()):
    """`warta schedule status` as a subprocess, as an operator runs it (`command`: run under it)."""
    return subprocess.run(
        [*command, sys.executable, "-m", "warta.cli", "schedule", "status", "--data-dir", str(data_dir), *extra],
        cwd=ROOT,
        env=warta_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_dead_service_and_its_overdue_job_are_problems(tmp_path):
    config = write_config(
        tmp_path / "s.toml",
        '[[job]]\nid = "snap"\nkind = "snapshot"\ninterval_seconds = 1\nmisfire_grace_minutes = 0.05\n',
    )
    data = tmp_path / "data"
    proc = start_service(config, data)
    try:
        wait_for(lambda: finished(data, "snap"), 60, "a finished run", proc)
    finally:
        code, out = stop_service(proc)
    assert code == 0, out
    # The next run was due a second after the stop; 3 s of grace later it is overdue.

    def overdue_status():
        result = status(data)
        return result if "overdue" in result.stdout else None

    result = wait_for(overdue_status, 30, "overdue job")
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert f"service: NOT RUNNING on data dir {data} (its job store has 1 job, jobs from {config})" in out, out
    assert f"  scheduler service not running on data dir {data}: its 1 job does not run" in out, out
    assert re.search(r"  snap: overdue: due at [0-9-]+ [0-9:]+ WIB, no run started since \(past its misfire grace", out)
    assert re.search(r"  snap +next [0-9-]+ [0-9:]+ WIB \(overdue\); last (ok|stopped) at", out), out
    assert "Traceback" not in result.stderr


def test_status_shows_the_running_service_and_its_stored_jobs(tmp_path):
    config = write_config(
        tmp_path / "custom.toml",
        '[[job]]\nid = "new-year"\nkind = "snapshot"\ncron = "0 0 1 1 *"\n\n'
        '[[job]]\nid = "hourly"\nkind = "snapshot"\ninterval_minutes = 60\n',
    )
    data = tmp_path / "data"
    proc = start_service(config, data)
    try:
        wait_until_serving(proc, data)
        first = status(data)  # no --config: the service's jobs, not schedules/default.toml's
        time.sleep(1.1)  # "next" must not move with the clock: it is the service's
        second = status(data)
        other = write_config(
            tmp_path / "other.toml", '[[job]]\nid = "hourly"\nkind = "snapshot"\ninterval_minutes = 30\n'
        )
        compared = status(data, "--config", str(other))
    finally:
        code, out = stop_service(proc)
    assert code == 0, out
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"service: running (pid {proc.pid}) on data dir {data}, jobs from {config}" in first.stdout
    assert "problems: none" in first.stdout and "jobs (the service's job store):" in first.stdout
    assert re.search(r"  new-year +next \d{4}-01-01 00:00:00 WIB; never run", first.stdout), first.stdout
    assert "medcom-latest" not in first.stdout, first.stdout
    hourly = [next(x for x in r.stdout.splitlines() if "hourly" in x) for r in (first, second)]
    assert hourly[0] == hourly[1], hourly
    assert f"differences from {other}" in compared.stdout, compared.stdout
    assert f"  new-year: in the service, not in {other}" in compared.stdout
    assert "  hourly: runs interval[1:00:00] in the service, interval[0:30:00] in" in compared.stdout


def test_status_without_a_job_store_shows_the_schedule_file_labelled(tmp_path):
    (tmp_path / "state").mkdir()
    result = status(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"service: not running on data dir {tmp_path} (it never ran here: no job store)" in result.stdout
    assert "jobs (of " in result.stdout and "default.toml; no job store: the service never ran" in result.stdout
    assert "medcom-latest" in result.stdout


def test_status_reads_a_read_only_data_dir(tmp_path):
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip("root writes anywhere, and setpriv is not there to drop that")
    data = tmp_path / "data"
    history = History(data)
    history.start("b1", "broken", "crawl", "medcom", "/logs/b1.log")
    history.finish("b1", "failed", 1, {"pages": 0}, ["warta crawl: could not reach http://x: connection refused"])
    history.close()
    folders = [data, data / "state"]
    files = list((data / "state").iterdir())
    for path in files + folders:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        # root ignores permission bits unless it drops its capabilities
        result = status(
            data, command=("setpriv", "--inh-caps=-all", "--bounding-set=-all") if os.geteuid() == 0 else ()
        )
        assert sorted((data / "state").iterdir()) == sorted(files), "status wrote nothing"
    finally:
        for path in folders:
            path.chmod(0o755)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    assert "broken: last run failed (exit 1) at 2" in result.stdout and "connection refused" in result.stdout


def test_a_damaged_run_history_is_a_warning_and_left_as_it_is(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "runs.sqlite").write_bytes(b"this is not a database\n" * 200)
    result = status(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warta schedule status: warning: run history "), lines
    assert "not read:" in lines[0]
    assert sorted(p.name for p in state.iterdir()) == ["runs.sqlite"], "status only reads"


def test_status_into_a_closed_pipe_ends_quietly(tmp_path):
    history = History(tmp_path)
    history.db.execute("BEGIN")
    for n in range(3000):  # far more than a pipe holds
        history.db.execute(
            "INSERT INTO runs (run_id, job, kind, started, ended, status, log) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (f"r{n}", "snap", "snapshot", f"2026-11-30T02:{n // 60 % 60:02}:{n % 60:02}+00:00", None, "ok", "/l"),
        )
    history.db.execute("COMMIT")
    history.close()
    with subprocess.Popen(
        [sys.executable, "-m", "warta.cli", "schedule", "status", "--limit", "3000", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        env=warta_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout.readline()  # `| head -1`
        proc.stdout.close()
        err = proc.stderr.read()
        code = proc.wait(timeout=60)
    assert code == 141, err  # as a shell reports a writer ended by SIGPIPE
    assert err == "", err


def test_runs_recorded_with_the_old_status_texts_read_as_the_words(tmp_path):
    """runs.sqlite rows the scheduler wrote before one vocabulary: read as its words, with the
    exit code beside them, and health judges them like new ones."""
    from pipeline.monitor.health import run_problems

    old = [  # oldest first
        ("r5", "failed: database is locked", None, None, []),
        ("r2", "killed by signal 9", -9, None, []),
        ("r3", "timeout after 1500s", -15, 3, []),
        ("r4", "stopped (shutdown)", 1, 2, []),
        ("r1", "failed (exit 1)", 1, 0, []),
        ("r6", "failed (exit 1)", 1, 0, ["could not reach the site: connection_refused"]),
        ("r7", "failed (exit 1)", 1, 0, []),
    ]
    history = History(tmp_path)
    for n, (run_id, status, code, pages, problems) in enumerate(old):
        history.db.execute(
            "INSERT INTO runs (run_id, job, kind, site, started, status, exit_code, pages, problems, log) "
            "VALUES (?, ?, 'crawl', 'medcom', ?, ?, ?, ?, ?, '')",
            (run_id, f"job-{run_id}", f"2026-11-30T02:00:0{n}+00:00", status, code, pages, json.dumps(problems)),
        )
    history.close()
    history = History(tmp_path, read_only=True)
    runs = {r.run_id: r for r in history.recent()}
    history.close()
    assert [(runs[r].status, runs[r].outcome) for r in ("r1", "r2", "r3", "r4", "r5")] == [
        ("failed", "failed (exit 1)"),
        ("killed", "killed by signal 9"),
        ("timeout", "timeout"),
        ("stopped", "stopped"),
        ("failed", "failed"),
    ]
    assert runs["r3"].problems == ["timeout after 1500s"], "what the old text said beyond the word is kept"
    assert runs["r5"].problems == ["failed: database is locked"]
    assert runs["r1"].problems == [], "nothing beyond the word and the exit code"
    newest_first = sorted(runs.values(), key=lambda r: r.started, reverse=True)
    assert "medcom: unreachable for 3 consecutive runs (since 2026-11-30 09:00:04 WIB)" in run_problems(newest_first)
    killed_last = [runs["r2"], runs["r7"], runs["r6"]]  # a killed crawl is not an unreachable site
    assert not [p for p in run_problems(killed_last) if "unreachable" in p]

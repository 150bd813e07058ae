"""One scheduler service per data dir, and a service that stops only what it started: real
`warta schedule run` processes on a temp data dir, with a job far in the future."""

from __future__ import annotations

import signal
import subprocess
import time

from pipeline.monitor.runs import History
from schedules.locks import service_holder
from schedules.subprocesses import Children
from tests.conftest import run_warta
from tests.test_schedule import start_service, stop_service, write_config

FAR_FUTURE = '[[job]]\nid = "new-year"\nkind = "snapshot"\ncron = "0 0 1 1 *"\n'


def wait_until_serving(proc: subprocess.Popen, data_dir, timeout: float = 60) -> None:
    """Until the service holds the data dir's lock (the kernel names it as the holder)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[0]
        if service_holder(data_dir) == (True, proc.pid):
            return
        time.sleep(0.1)
    raise AssertionError(f"service {proc.pid} did not take the lock in {timeout}s")


def test_a_second_service_on_the_same_data_dir_is_refused_and_the_first_runs_on(tmp_path):
    config = write_config(tmp_path / "s.toml", FAR_FUTURE)
    data = tmp_path / "data"
    first = start_service(config, data)
    try:
        wait_until_serving(first, data)
        second = run_warta("schedule", "run", "--config", str(config), "--data-dir", str(data), timeout=60)
        assert second.returncode == 1
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and f"another scheduler service (pid {first.pid}) is running" in lines[0], lines
        time.sleep(1)
        assert first.poll() is None, "the first service keeps running"
    finally:
        code, out = stop_service(first)
    assert code == 0, out
    assert "scheduler stopped" in out and "Traceback" not in out, out
    third = start_service(config, data)  # the lock goes with its holder
    try:
        wait_until_serving(third, data)
    finally:
        assert stop_service(third)[0] == 0


def test_deleted_lock_files_do_not_let_a_second_service_in(tmp_path):
    """`state/` is rebuildable: an operator who clears it while the service runs must not get
    a second service on the same data dir."""
    config = write_config(tmp_path / "s.toml", FAR_FUTURE)
    data = tmp_path / "data"
    first = start_service(config, data)
    try:
        wait_until_serving(first, data)
        removed = [p for p in (data / "state").iterdir() if p.suffix in (".lock", ".pid")]
        for path in removed:
            path.unlink()
        second = run_warta("schedule", "run", "--config", str(config), "--data-dir", str(data), timeout=60)
        assert second.returncode == 1, (removed, second.stdout + second.stderr)
        assert f"another scheduler service (pid {first.pid}) is running" in second.stderr, second.stderr
        status = run_warta("schedule", "status", "--data-dir", str(data), timeout=60)
        assert f"service: running (pid {first.pid})" in status.stdout, status.stdout + status.stderr
    finally:
        code, out = stop_service(first)
    assert code == 0, out


def test_shutdown_leaves_alone_processes_the_service_did_not_start(tmp_path):
    data = tmp_path / "data"
    # A run this service did not start, still "running" in the history: a `warta schedule once`
    # in another terminal, or a record left by a service that was killed.
    other = subprocess.Popen(["sleep", "120"], start_new_session=True)
    try:
        history = History(data)
        history.start("manual-1", "manual", "crawl", "medcom", str(tmp_path / "manual.log"))
        history.set_pid("manual-1", other.pid)
        history.close()
        service = start_service(write_config(tmp_path / "s.toml", FAR_FUTURE), data)
        wait_until_serving(service, data)
        code, out = stop_service(service)
        assert code == 0, out
        time.sleep(0.5)
        assert other.poll() is None, "the service's shutdown signalled a process it did not start"
    finally:
        other.kill()
        other.wait()


def test_a_run_that_starts_while_the_service_stops_is_stopped_too():
    children = Children()
    children.stop_all(grace=1)
    proc = subprocess.Popen(["sleep", "60"], start_new_session=True)
    with children.running(proc, grace=5):
        assert proc.wait(timeout=5) == -signal.SIGTERM


def test_a_child_ignoring_sigterm_is_killed_after_the_grace_time():
    children = Children()
    proc = subprocess.Popen(["sh", "-c", "trap '' TERM; sleep 60"], start_new_session=True)
    with children.running(proc, grace=1):
        time.sleep(0.3)  # the trap is set
        started = time.monotonic()
        children.stop_all(grace=1)
        assert proc.wait(timeout=5) == -signal.SIGKILL
        assert 1 <= time.monotonic() - started < 3


def test_once_does_not_run_a_job_another_process_is_running(tmp_path):
    """`warta schedule once` beside the service: the job's lock, not a second crawl of one site."""
    import os

    from schedules.locks import job_lock

    config = write_config(tmp_path / "s.toml", FAR_FUTURE)
    data = tmp_path / "data"
    args = ("schedule", "once", "new-year", "--config", str(config), "--data-dir", str(data))
    with job_lock(data, "new-year"):  # as the service holds it while the job runs
        busy = run_warta(*args, timeout=120)
    assert busy.returncode == 1
    assert f"new-year: skipped: job new-year is already running (pid {os.getpid()})" in busy.stdout, busy.stdout
    history = History(str(data))
    try:
        assert history.recent(5, "new-year") == [], "a skipped run is not a run"
    finally:
        history.close()
    free = run_warta(*args, timeout=120)
    assert free.returncode == 0, free.stdout + free.stderr

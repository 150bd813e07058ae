"""Running one scheduled job: always a subprocess (Scrapy's reactor cannot restart), with a
timeout, a log file and a run record. The scheduler and `warta schedule once` both call
`run_job`, so a manual run takes exactly the scheduled path."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.monitor.health import fill_rates, health_problems
from pipeline.monitor.runs import History
from pipeline.store.datadir import DataDir
from schedules.config import JobSpec, ScheduleError, load_schedule
from schedules.locks import JobRunning, job_lock
from schedules.subprocesses import CHILDREN, stop_process

logger = logging.getLogger("warta.schedule")
STOP_GRACE_SECONDS = float(os.environ.get("WARTA_STOP_GRACE_SECONDS", "30"))


def command(spec: JobSpec, data_dir: str) -> list[str]:
    base = [sys.executable, "-m", "warta.cli"]
    if spec.kind == "snapshot":
        return [*base, "snapshot", "--data-dir", data_dir]
    cmd = [*base, "crawl", spec.site, "--data-dir", data_dir]
    if spec.kind == "backfill":
        today = datetime.now(ZoneInfo(spec.timezone)).date()
        cmd += ["--since", str(today - timedelta(days=spec.days - 1)), "--until", str(today)]
    if spec.base_url:
        cmd += ["--base-url", spec.base_url]
    if spec.limit:
        cmd += ["--limit", str(spec.limit)]
    if spec.refetch:
        cmd += ["--refetch"]
    return cmd


def run_job(job_id: str, config: str, data_dir: str) -> str:
    """Run one job of the schedule now; returns its status. Never raises: a crashing job is a
    failed run in the history, not a dead scheduler, and no run is left "running". A job that
    another process is running is not started again: "skipped: <why>", and no run recorded."""
    try:
        with job_lock(data_dir, job_id):
            history = History(data_dir)
            try:
                return _run(history, job_id, config, data_dir)
            finally:
                history.close()
    except JobRunning as exc:
        logger.warning("run of %s skipped: %s", job_id, exc)
        return f"skipped: {exc}"


def _run(history: History, job_id: str, config: str, data_dir: str) -> str:
    run_id = f"{job_id}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
    log_path = DataDir.of(data_dir).logs(job_id) / f"{run_id}.log"
    record_path = DataDir.of(data_dir).runs("scheduled") / f"{run_id}.json"
    try:
        spec = load_schedule(config).jobs[job_id]
    except (ScheduleError, KeyError) as exc:  # the file changed under us: record it, keep the service alive
        history.start(run_id, job_id, "unknown", None, str(log_path))
        history.finish(run_id, "failed", None, None, [f"cannot load job: {exc}"])
        logger.error("job %s cannot start: %s", job_id, exc)
        return "failed"
    history.start(run_id, job_id, spec.kind, spec.site, str(log_path))
    started = time.monotonic()
    status, code, summary, problems = "failed", None, None, []
    try:
        status, code = _execute(spec, data_dir, log_path, record_path, run_id, history)
        status, summary, problems = _outcome(spec, status, record_path, history)
    except Exception as exc:  # whatever went wrong, the run ends as failed and the service lives on
        logger.exception("run %s of %s failed", run_id, job_id)
        status = f"failed: {exc}"
    finally:
        history.finish(run_id, status, code, summary, problems)
    for problem in problems:
        logger.error("run %s of %s: %s", run_id, job_id, problem)
    logger.log(
        logging.INFO if status == "ok" else logging.ERROR,
        "run %s ended: %s in %.1fs",
        run_id,
        status,
        time.monotonic() - started,
    )
    return status


def _execute(
    spec: JobSpec, data_dir: str, log_path: Path, record_path: Path, run_id: str, history: History
) -> tuple[str, int | None]:
    """The run's subprocess from start to exit: (status, exit code)."""
    cmd = command(spec, data_dir)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # The crawl writes its record where we read it, and Scrapy's log into this run's log file.
    env = dict(os.environ, WARTA_RUN_RECORD=str(record_path), WARTA_RUN_LOG=str(log_path), WARTA_DATA_DIR=data_dir)
    logger.info("run %s starts: %s", run_id, " ".join(cmd[2:]))
    try:
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, env=env, stdin=subprocess.DEVNULL, start_new_session=True
            )
    except OSError as exc:
        return f"failed to start: {exc}", None
    history.set_pid(run_id, proc.pid)
    with CHILDREN.running(proc, STOP_GRACE_SECONDS):
        try:
            code = proc.wait(timeout=spec.timeout_seconds)
        except subprocess.TimeoutExpired:
            stop_process(proc, STOP_GRACE_SECONDS)
            return f"timeout after {spec.timeout_seconds:g}s", proc.returncode
    return ("ok" if code == 0 else f"killed by signal {-code}" if code < 0 else f"failed (exit {code})"), code


def _outcome(spec: JobSpec, status: str, record_path: Path, history: History) -> tuple[str, dict | None, list[str]]:
    """Status, summary and health problems once the crawl's run record is read."""
    if not record_path.exists():
        return status, None, []
    record = json.loads(record_path.read_text())
    summary = dict(record["summary"])
    if status.startswith(("failed", "killed")) and summary.get("finish_reason") == "shutdown":
        status = "stopped (shutdown)"  # SIGTERM from the service or a timeout: staging was flushed
    summary["fill"] = fill_rates(record["stats"], record["stats"].get("warta/staged", 0))
    problems = []
    if status == "ok" and spec.kind != "snapshot":
        problems = health_problems(summary, summary["fill"], history.fill_history(spec.site))
    return status, summary, problems

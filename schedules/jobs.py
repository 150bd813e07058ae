"""Running one scheduled job: always a subprocess (Scrapy's reactor cannot restart), with a
timeout, a log file and a run record. The scheduler and `warta schedule once` both call
`run_job`, so a manual run takes exactly the scheduled path."""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from pipeline.datadir import DataDir
from schedules.config import JobSpec, load_schedule
from schedules.history import History, fill_rates, health_problems

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


def stop_process(proc: subprocess.Popen, grace: float) -> None:
    """SIGTERM (Scrapy flushes and closes), then SIGKILL after `grace` seconds."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        proc.wait()


def run_job(job_id: str, config: str, data_dir: str) -> str:
    """Run one job of the schedule now; returns its status. Never raises: a crashing job is a
    failed run in the history, not a dead scheduler."""
    history = History(data_dir)
    run_id = f"{job_id}-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}"
    log_path = DataDir.of(data_dir).logs(job_id) / f"{run_id}.log"
    record_path = DataDir.of(data_dir).runs("scheduled") / f"{run_id}.json"
    try:
        spec = load_schedule(config).jobs[job_id]
    except Exception as exc:  # the file changed under us: record it, keep the service alive
        history.start(run_id, job_id, "unknown", None, str(log_path))
        history.finish(run_id, "failed", None, None, [f"cannot load job: {exc}"])
        history.close()
        logger.error("job %s cannot start: %s", job_id, exc)
        return "failed"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    history.start(run_id, job_id, spec.kind, spec.site, str(log_path))
    env = dict(os.environ, WARTA_RUN_RECORD=str(record_path), WARTA_DATA_DIR=data_dir)
    logger.info("run %s starts: %s", run_id, " ".join(command(spec, data_dir)[2:]))
    started = time.monotonic()
    status = "failed"
    code = None
    try:
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(command(spec, data_dir), stdout=log, stderr=subprocess.STDOUT, env=env,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            history.set_pid(run_id, proc.pid)
            try:
                code = proc.wait(timeout=spec.timeout_seconds)
                status = "ok" if code == 0 else (f"killed by signal {-code}" if code < 0 else f"failed (exit {code})")
            except subprocess.TimeoutExpired:
                stop_process(proc, STOP_GRACE_SECONDS)
                code, status = proc.returncode, f"timeout after {spec.timeout_seconds:g}s"
    except OSError as exc:
        status = f"failed to start: {exc}"
    summary = None
    problems: list[str] = []
    if record_path.exists():
        record = json.loads(record_path.read_text())
        summary = dict(record["summary"])
        if status.startswith(("failed", "killed")) and summary.get("finish_reason") == "shutdown":
            status = "stopped (shutdown)"  # SIGTERM from the service or a timeout: staging was flushed
        summary["fill"] = fill_rates(record["stats"], record["stats"].get("warta/staged", 0))
        if status == "ok" and spec.kind != "snapshot":
            problems = health_problems(summary, summary["fill"], history.fill_history(spec.site))
    history.finish(run_id, status, code, summary, problems)
    history.close()
    for problem in problems:
        logger.error("run %s of %s: %s", run_id, job_id, problem)
    logger.log(logging.INFO if status == "ok" else logging.ERROR, "run %s ended: %s in %.1fs", run_id, status,
               time.monotonic() - started)
    return status

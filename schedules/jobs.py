"""Running one scheduled job: always a subprocess (Scrapy's reactor cannot restart), with a
timeout, a log file and a run record. The scheduler and `warta schedule once` both call
`run_job`, so a manual run takes exactly the scheduled path."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.monitor.health import fill_rates, health_problems
from pipeline.monitor.runs import History, outcome, run_status
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
    cmd = [
        *base,
        "crawl",
        spec.site,
        "--data-dir",
        data_dir,
        *(arg for folder in spec.sites for arg in ("--sites", folder)),
    ]
    if spec.kind == "backfill":
        today = datetime.now(ZoneInfo(spec.timezone)).date()
        cmd += ["--since", str(today - timedelta(days=spec.days - 1)), "--until", str(today)]
    if spec.base_url:
        cmd += ["--base-url", spec.base_url]
    if spec.limit:
        cmd += ["--limit", str(spec.limit)]
    if spec.refetch:
        cmd += ["--refetch"]
    for name, value in spec.settings:
        cmd += ["-s", f"{name}={value}"]
    return cmd


def run_job(job_id: str, config: str, data_dir: str) -> str:
    """Run one job of the schedule now; returns its outcome (`ok`, `failed (exit 1)`,
    `timeout`...: `Run.outcome`). Never raises: a crashing job is a failed run in the history,
    not a dead scheduler, and no run is left "running". A job that another process is running
    is not started again: "skipped: <why>", and no run recorded."""
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
        problem = f"cannot load job: {exc}"
        history.finish(run_id, "failed", None, None, [problem])
        logger.error("run %s ended: failed: %s", run_id, problem)
        return "failed"
    history.start(run_id, job_id, spec.kind, spec.site, str(log_path))
    started = time.monotonic()
    status, code, summary, problems = "failed", None, None, []
    try:
        status, code, problems = _execute(spec, data_dir, log_path, record_path, run_id, history)
        status, summary, problems = _outcome(spec, status, problems, record_path, log_path, history)
    except Exception as exc:  # whatever went wrong, the run ends as failed and the service lives on
        logger.exception("run %s of %s failed", run_id, job_id)
        status, problems = "failed", [f"the scheduler could not run it: {exc}"]
    finally:
        history.finish(run_id, status, code, summary, problems)
    for problem in problems:
        logger.error("run %s of %s: %s", run_id, job_id, problem)
    logger.log(
        logging.INFO if status == "ok" else logging.ERROR,
        "run %s ended: %s in %.1fs",
        run_id,
        outcome(status, code),
        time.monotonic() - started,
    )
    return outcome(status, code)


def _execute(
    spec: JobSpec, data_dir: str, log_path: Path, record_path: Path, run_id: str, history: History
) -> tuple[str, int | None, list[str]]:
    """The run's subprocess from start to exit: (status, exit code, problems)."""
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
        return "failed", None, [f"could not start {cmd[0]}: {exc}"]
    history.set_pid(run_id, proc.pid)
    with CHILDREN.running(proc, STOP_GRACE_SECONDS):
        try:
            code = proc.wait(timeout=spec.timeout_seconds)
        except subprocess.TimeoutExpired:
            stop_process(proc, STOP_GRACE_SECONDS)
            return "timeout", proc.returncode, [f"ran over its timeout of {spec.timeout_seconds:g}s and was stopped"]
    if code != 0 and CHILDREN.stopping:  # ended by the service's shutdown, not by a fault of its own
        return "stopped", code, ["stopped by the service's shutdown"]
    return ("ok" if code == 0 else "killed" if code < 0 else "failed"), code, []


def _outcome(
    spec: JobSpec, status: str, problems: list[str], record_path: Path, log_path: Path, history: History
) -> tuple[str, dict | None, list[str]]:
    """Status, summary and problems once the crawl's run record and log are read: a failed
    run's one-line error, or an ok crawl's health problems."""
    record = json.loads(record_path.read_text()) if record_path.exists() else None
    summary = None
    if record is not None:
        summary = dict(record["summary"])
        summary["fill"] = fill_rates(record["stats"], record["stats"].get("warta/staged", 0))
        if status in ("failed", "killed") and summary.get("finish_reason") == "shutdown":
            # SIGTERM from the service, or from anyone: staging was flushed
            return "stopped", summary, ["stopped before the end (SIGTERM: the service's shutdown, or another's)"]
    if status == "failed":
        why = failure_reason(log_path)
        return status, summary, [why] if why else run_status(summary)[1] if summary else []
    if status == "ok" and spec.kind != "snapshot" and summary is not None:
        problems = health_problems(summary, summary["fill"], history.fill_history(spec.site))
    return status, summary, problems


ERROR_LINE = re.compile(r"warta [\w-]+: .+")  # our commands' one-line errors (SystemExit)
EXCEPTION_LINE = re.compile(r"[\w.]*(?:Error|Exception|Exit|Interrupt)\b.*")
LOGGED_ERROR = re.compile(r".*\] (?:ERROR|CRITICAL): (.+)")
LOG_TAIL_BYTES = 64 * 1024
REASON_CHARS = 300


def failure_reason(log_path: Path) -> str | None:
    """The one line that says why a run failed, from the end of its log: our command's own error
    line (`warta crawl: could not reach ...`), else the last line of a traceback, else the last
    logged ERROR; None when the log says nothing of it."""
    try:
        with open(log_path, "rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - LOG_TAIL_BYTES))
            lines = [x.strip() for x in log.read().decode("utf-8", "replace").splitlines()]
    except OSError:
        return None
    for pattern in (ERROR_LINE, EXCEPTION_LINE):
        found = next((x for x in reversed(lines) if pattern.fullmatch(x)), None)
        if found:
            return _shorten(found)
    found = next((m for x in reversed(lines) if (m := LOGGED_ERROR.fullmatch(x))), None)
    return _shorten(found[1]) if found else None


def _shorten(line: str) -> str:
    return line if len(line) <= REASON_CHARS else line[: REASON_CHARS - 3] + "..."

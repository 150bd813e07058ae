"""What `warta schedule status` knows of the service, read from what the service keeps: whether
it runs (the holder of the data dir's lock, schedules/lock.py), its jobs and their real next
run times (APScheduler's job store, `DATA/state/jobs.sqlite`), and which jobs are overdue.
Reads only: a read-only data dir is fine, and a status call never changes what the service
will do.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pipeline.monitor.health import wib
from pipeline.store.datadir import DataDir
from pipeline.store.statedb import StateUnreadable, open_checked_readonly
from schedules.checks import span
from schedules.config import Schedule
from schedules.locks import service_holder

JOBS_TABLE = "apscheduler_jobs"  # SQLAlchemyJobStore's default table name
OVERDUE_SLACK_SECONDS = 60  # a live service starts a due run within milliseconds; this allows a busy machine


@dataclass(frozen=True)
class StoredJob:
    """One job as the service stored it: its next run time is the one the service will use."""

    id: str
    next_run: datetime | None  # None: paused
    grace_seconds: int | None
    trigger: str
    config: str | None  # the schedule file the service loaded it from


@dataclass
class ServiceState:
    running: bool
    pid: int | None
    jobs: list[StoredJob] | None  # None: no job store (the service never ran on this data dir)
    warning: str | None = None  # a job store that could not be read


def service_state(data_dir: str | os.PathLike) -> ServiceState:
    running, pid = service_holder(data_dir)
    try:
        jobs = stored_jobs(data_dir)
    except StateUnreadable as exc:
        path = DataDir.of(data_dir).state_file("jobs.sqlite")
        return ServiceState(running, pid, None, f"job store {path} not read: {exc}")
    return ServiceState(running, pid, jobs)


def stored_jobs(data_dir: str | os.PathLike) -> list[StoredJob] | None:
    """The jobs in the service's job store, by next run time; None when there is no store.
    StateUnreadable (one line) for a damaged store."""
    try:
        db = open_checked_readonly(DataDir.of(data_dir).state_file("jobs.sqlite"), JOBS_TABLE)
    except FileNotFoundError:
        return None
    try:
        rows = db.execute(
            f"SELECT id, next_run_time, job_state FROM {JOBS_TABLE} ORDER BY next_run_time, id"
        ).fetchall()
    finally:
        db.close()
    return [_stored(*row) for row in rows]


def _stored(job_id: str, next_run: float | None, state: bytes) -> StoredJob:
    when = datetime.fromtimestamp(next_run, UTC) if next_run is not None else None
    try:
        # The service itself unpickles these rows; a row it wrote but we cannot read (another
        # version's classes) still has its id and next run time in plain columns.
        job = pickle.loads(state)
    except Exception:  # noqa: BLE001 (whatever unpickling raises, the plain columns stand)
        return StoredJob(job_id, when, None, "unreadable", None)
    kwargs = job.get("kwargs") or {}
    return StoredJob(job_id, when, job.get("misfire_grace_time"), str(job.get("trigger")), kwargs.get("config"))


def overdue(job: StoredJob, started_since_due: bool, now: datetime) -> str | None:
    """Why `job` is overdue (its run time passed, by more than a busy moment, and no run of it
    started since), or None. A service that is alive moves a job's next run time on as soon
    as it starts the run, so an overdue job is a dead or stuck service."""
    if job.next_run is None or started_since_due:
        return None
    grace = job.grace_seconds or OVERDUE_SLACK_SECONDS  # None: a row whose state we could not read
    late = now - job.next_run
    if late <= timedelta(seconds=min(grace, OVERDUE_SLACK_SECONDS)):
        return None
    text = f"{job.id}: overdue: due at {wib(job.next_run)}, no run started since"
    if late > timedelta(seconds=grace):
        text += f" (past its misfire grace of {span(grace)}: a restart skips this run)"
    return text


def service_problems(state: ServiceState, data_dir: str, started_since: dict[str, bool], now: datetime) -> list[str]:
    """A dead service whose job store has jobs, and every overdue job. `started_since[id]`:
    whether a run of that job started at or after its stored next run time."""
    if not state.jobs:
        return []
    problems = []
    if not state.running:
        configs = sorted({j.config for j in state.jobs if j.config})
        problems.append(
            f"scheduler service not running on data dir {data_dir}: its {jobs(len(state.jobs))} not run"
            f" (start it: warta schedule run --config {configs[0] if len(configs) == 1 else 'FILE'})"
        )
    for job in state.jobs:
        if why := overdue(job, started_since.get(job.id, False), now):
            problems.append(why)
    return problems


def jobs(count: int) -> str:
    """`1 job does`, `3 jobs do`: the subject and verb of a sentence about jobs."""
    return f"{count} job does" if count == 1 else f"{count} jobs do"


def differences(state: ServiceState, schedule: Schedule) -> list[str]:
    """How the service's jobs differ from a schedule file: a file edited since the service
    started (a restart applies it), or another file than the service's."""
    if state.jobs is None:
        return []
    stored = {j.id: j for j in state.jobs}
    notes = [f"{i}: in {schedule.path}, not in the service" for i in schedule.jobs if i not in stored]
    notes += [f"{i}: in the service, not in {schedule.path}" for i in stored if i not in schedule.jobs]
    for job_id, spec in schedule.jobs.items():
        job = stored.get(job_id)
        if job is None or job.trigger == "unreadable":
            continue
        if job.trigger != str(spec.trigger):
            notes.append(f"{job_id}: runs {job.trigger} in the service, {spec.trigger} in {schedule.path}")
        elif job.grace_seconds != spec.misfire_grace_seconds:
            notes.append(
                f"{job_id}: misfire grace {job.grace_seconds}s in the service,"
                f" {spec.misfire_grace_seconds}s in {schedule.path}"
            )
    return notes

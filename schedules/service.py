"""`warta schedule run`: APScheduler 3.11 in the foreground, every job in its own subprocess.

The job store is SQLite under the data dir: jobs keep their fixed ids across restarts, and a
job whose trigger is unchanged keeps its stored next run time, so a run missed during
downtime fires once (coalesced) on restart when it is still within the misfire grace time.
SIGTERM/SIGINT: no new job starts, the crawls this service started (and only those) get
SIGTERM (Scrapy flushes staging and closes), then SIGKILL after the grace time; the run
history records how each run ended. One service per data dir (schedules/lock.py), and
`warta schedule status` reads what it keeps: the job store and the lock (schedules/status.py).
"""

from __future__ import annotations

import logging
import signal
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_MISSED, EVENT_SCHEDULER_STARTED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler

from pipeline.store.datadir import DataDir
from pipeline.store.statedb import check_state_file
from schedules.config import Schedule
from schedules.jobs import STOP_GRACE_SECONDS
from schedules.locks import take_service_lock
from schedules.subprocesses import CHILDREN

logger = logging.getLogger("warta.schedule")
JOB_FUNC = "schedules.jobs:run_job"
EXECUTOR_LOGGER = "apscheduler.executors.default"  # APScheduler names it after the executor's alias


class NoSuccessLine(logging.Filter):
    """Drops APScheduler's `Job "..." executed successfully`: it follows every job function that
    returns, a failed run's too, right after that run's ERROR. `run_job` logs how each run
    ended ("run <id> ended: ok in 3.1s", or failed, at ERROR) instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "executed successfully" not in str(record.msg)


def jobstore_url(data_dir: str) -> str:
    path = DataDir.of(data_dir).state_file("jobs.sqlite").resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def sync_jobs(scheduler: BlockingScheduler, schedule: Schedule, data_dir: str, url: str) -> None:
    """Make the job store match the schedule file without losing the stored next run times of
    unchanged jobs (replacing them would forget a run missed during downtime)."""
    probe = SQLAlchemyJobStore(url=url)
    probe.start(scheduler, "default")
    try:
        stored = {job.id: job for job in probe.get_all_jobs()}
        for job_id in set(stored) - set(schedule.jobs):
            logger.info("job %s is no longer in %s: removed", job_id, schedule.path)
            probe.remove_job(job_id)
    finally:
        probe.shutdown()
    for spec in schedule.jobs.values():
        kwargs = {"job_id": spec.id, "config": str(schedule.path.resolve()), "data_dir": data_dir}
        old = stored.get(spec.id)
        if old is not None and (str(old.trigger), old.kwargs, old.misfire_grace_time) == (
            str(spec.trigger),
            kwargs,
            spec.misfire_grace_seconds,
        ):
            logger.info("job %s unchanged, next run %s", spec.id, old.next_run_time)
            continue
        scheduler.add_job(
            JOB_FUNC,
            trigger=spec.trigger,
            id=spec.id,
            name=spec.id,
            kwargs=kwargs,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.misfire_grace_seconds,
        )


def run_service(schedule: Schedule, data_dir: str) -> int:
    """Run until SIGTERM/SIGINT. ServiceLocked, before the job store is opened, when another
    service runs on this data dir."""
    data_dir = DataDir(data_dir).name
    url = jobstore_url(data_dir)
    scheduler = BlockingScheduler(  # the job store opens when the scheduler starts
        timezone=ZoneInfo("Asia/Jakarta"),
        jobstores={"default": SQLAlchemyJobStore(url=url)},
        executors={"default": ThreadPoolExecutor(max_workers=max(2, len(schedule.jobs)))},
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    stopping = []

    def on_signal(signum, frame):
        if stopping:  # a second signal: stop waiting
            CHILDREN.stop_all(0)
            return
        stopping.append(signum)
        logger.info(
            "%s received: no new runs; stopping running jobs (grace %.0fs)",
            signal.Signals(signum).name,
            STOP_GRACE_SECONDS,
        )
        if scheduler.running:  # else on_started stops it
            scheduler.shutdown(wait=False)
        CHILDREN.stop_all(STOP_GRACE_SECONDS)

    def on_started(event):
        if stopping:  # the signal came while starting up, before there was a running scheduler to stop
            scheduler.shutdown(wait=False)

    # Handlers before the lock: once this process holds the data dir, SIGTERM is a clean stop.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    take_service_lock(data_dir)
    # A damaged job store is moved aside (the jobs come back from the schedule file; only a
    # run missed while the service was down is forgotten), not a service that cannot start.
    check_state_file(DataDir.of(data_dir).state_file("jobs.sqlite"))
    sync_jobs(scheduler, schedule, data_dir, url)
    scheduler.add_listener(on_started, EVENT_SCHEDULER_STARTED)
    scheduler.add_listener(
        lambda event: logger.warning(
            "run of %s at %s was missed (beyond its grace time)", event.job_id, event.scheduled_run_time
        ),
        EVENT_JOB_MISSED,
    )
    logger.info(
        "scheduler starting with %d jobs (%s), data dir %s", len(schedule.jobs), ", ".join(schedule.jobs), data_dir
    )
    executor_log = logging.getLogger(EXECUTOR_LOGGER)
    if not any(isinstance(f, NoSuccessLine) for f in executor_log.filters):  # for the process's life:
        executor_log.addFilter(NoSuccessLine())  # job threads still end runs after start() returns
    scheduler.start()
    logger.info("scheduler stopped")
    return 0

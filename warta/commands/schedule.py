"""`warta schedule run|list|status|once`."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from pathlib import Path

import schedules
from warta.datadir_checks import require_data_dir
from warta.output import WIB, log_to_terminal, say, wib

DEFAULT_CONFIG = Path(schedules.__file__).resolve().parent / "default.toml"


def _load(args, path=None):
    from schedules.config import ScheduleError, load_schedule

    try:
        return load_schedule(path or args.config)
    except ScheduleError as exc:
        raise SystemExit(f"warta schedule: {exc}") from None


def cmd_run(args) -> int:
    from schedules.locks import ServiceLocked
    from schedules.service import run_service

    schedule = _load(args)
    require_data_dir(f"schedule {args.action}", args.data_dir, write=True)
    log_to_terminal(args.verbosity, logging.INFO)  # the service's log: journald's, or the terminal's
    try:
        return run_service(schedule, args.data_dir)
    except ServiceLocked as exc:
        raise SystemExit(f"warta schedule run: {exc}") from None


def cmd_list(args) -> int:
    schedule = _load(args)
    now = datetime.now(WIB)
    for spec in schedule.jobs.values():
        target = spec.site or "all sites"
        print(f"{spec.id:20} {spec.kind:9} {target:10} {spec.describe:36} next {wib(next_run(spec, now))}")
    return 0


def cmd_status(args) -> int:
    """Problems first (a dead service, overdue jobs, failed runs, health), then the service
    (running or not, from its lock), its jobs (from its job store: the next run times it will
    use) and the recent runs. `--config FILE`: compare the service's jobs with FILE; without a job store
    (the service never ran here), the jobs shown are FILE's (default schedules/default.toml)."""
    from pipeline.monitor.health import current_problems
    from pipeline.monitor.runs import History
    from schedules.status import service_problems, service_state

    require_data_dir(f"schedule {args.action}", args.data_dir, write=False, must_exist=True)
    state = service_state(args.data_dir)
    history = History(args.data_dir, read_only=True)
    try:
        for warning in (state.warning, history.warning):
            if warning:
                print(f"warta schedule status: warning: {warning}", file=sys.stderr)
        now = datetime.now(WIB)
        started_since = {}
        for job in state.jobs or []:
            last = history.recent(1, job.id)
            # `started` is stored to the second: a run started in the second of its due time counts
            started_since[job.id] = bool(
                last and job.next_run and datetime.fromisoformat(last[0].started) >= job.next_run.replace(microsecond=0)
            )
        problems = service_problems(state, args.data_dir, started_since, now)
        problems += current_problems(args.data_dir, history=history)
        if problems:
            print(f"problems ({len(problems)}):")
            for problem in problems:
                print(f"  {problem}")
        else:
            print("problems: none")
        _print_service(state, args)
        if state.jobs is not None:
            _print_stored_jobs(state, history, started_since, now, args)
        else:
            schedule = _load(args, args.config or DEFAULT_CONFIG)
            why = (
                "the service's job store could not be read"
                if state.warning
                else "the service is starting: no job store yet"
                if state.running
                else "no job store: the service never ran here"
            )
            print(f"jobs (of {schedule.path}; {why}):")
            for spec in schedule.jobs.values():
                print(f"  {spec.id:20} next {wib(next_run(spec, now))}; {_last(history, spec.id)}")
        print("recent runs:")
        for run in history.recent(args.limit):
            flagged = "  PROBLEMS: " + "; ".join(run.problems) if run.problems else ""
            print(f"  {wib(run.started)} {run.job:20} {run.outcome:22} {run_counts(run)}{flagged}  log: {run.log}")
    finally:
        history.close()
    return 1 if problems else 0


def _print_service(state, args) -> None:
    configs = sorted({job.config for job in state.jobs or [] if job.config})
    source = f", jobs from {', '.join(configs)}" if configs else ""
    if state.running:
        print(f"service: running (pid {state.pid or 'unknown'}) on data dir {args.data_dir}{source}")
    elif state.jobs:
        count = len(state.jobs)
        print(
            f"service: NOT RUNNING on data dir {args.data_dir} (its job store has {count} job{'s' * (count != 1)}{source})"
        )
    elif state.jobs is not None:
        print(f"service: not running on data dir {args.data_dir} (its job store has no jobs)")
    elif state.warning:
        print(f"service: not running on data dir {args.data_dir} (its job store could not be read)")
    else:
        print(f"service: not running on data dir {args.data_dir} (it never ran here: no job store)")


def _print_stored_jobs(state, history, started_since: dict[str, bool], now: datetime, args) -> None:
    from schedules.config import ScheduleError, load_schedule
    from schedules.status import differences, overdue

    print("jobs (the service's job store):")
    for job in state.jobs:
        when = "paused" if job.next_run is None else f"next {wib(job.next_run)}"
        if overdue(job, started_since[job.id], now):
            when += " (overdue)"
        elif job.next_run is not None and job.next_run < now:
            when += " (due)"
        print(f"  {job.id:20} {when}; {_last(history, job.id)}")
    configs = {job.config for job in state.jobs if job.config}
    path = args.config or (configs.pop() if len(configs) == 1 else None)
    if path is None:
        return
    try:
        notes = differences(state, load_schedule(path))
    except ScheduleError as exc:
        notes = [f"cannot compare with the schedule file: {exc}"]
    if notes:
        print(f"differences from {path} (a restart of the service applies the file):")
        for note in notes:
            print(f"  {note}")


def _last(history, job_id: str) -> str:
    last = history.recent(1, job_id)
    if not last:
        return "never run"
    run = last[0]
    said = "; ".join(run.problems)
    flag = "" if not said else f"  HEALTH: {said}" if run.status == "ok" else f": {said}"
    return f"last {run.outcome} at {wib(run.started)}{flag}"


def next_run(spec, now: datetime) -> datetime | None:
    return spec.trigger.get_next_fire_time(None, now)


def run_counts(run) -> str:
    """Pages, articles and drops of runs that have them: a snapshot, or a crawl that never
    started, has none to show."""
    parts = [
        f"{name}={value}" for name, value in (("pages", run.pages), ("articles", run.articles)) if value is not None
    ]
    if run.dropped:
        parts.append("dropped: " + ", ".join(f"{k}={v}" for k, v in run.dropped.items()))
    return " ".join(parts)


def cmd_once(args) -> int:
    from schedules.jobs import run_job

    schedule = _load(args)
    if args.job not in schedule.jobs:
        raise SystemExit(
            f"warta schedule once: no job {args.job!r} in {args.config} (jobs: {', '.join(schedule.jobs)})"
        )
    require_data_dir(f"schedule {args.action}", args.data_dir, write=True)
    log_to_terminal(args.verbosity)  # health problems are errors: shown; "run starts/ended" with -v
    data_dir = str(Path(args.data_dir).resolve())
    status = run_job(args.job, str(Path(args.config).resolve()), data_dir)
    line, run = last_run_summary(args.job, data_dir)
    if line:
        print(line)
    why = f": {'; '.join(run.problems)}" if run and status != "ok" and run.problems else ""
    say(args, f"{args.job}: {status}{why}" + (f"; log: {run.log}" if run and run.log else ""))
    if status != "ok" and args.verbosity < 0:
        print(f"{args.job}: {status}{why}", file=sys.stderr)
    return 0 if status == "ok" else 1


def last_run_summary(job: str, data_dir: str):
    """The one-line summary of the job's latest run, as `warta crawl` prints it (a crawl's from
    its run record, a snapshot's from its log), and the run (`pipeline.monitor.runs.Run`, or None)."""
    from crawler.extensions.run_report import format_summary
    from pipeline.monitor.runs import History
    from pipeline.store.datadir import DataDir

    history = History(data_dir)
    try:
        runs = history.recent(1, job)
    finally:
        history.close()
    if not runs:
        return None, None
    run = runs[0]
    record = DataDir.of(data_dir).runs("scheduled") / f"{run.run_id}.json"
    if record.exists():
        data = json.loads(record.read_text())
        return format_summary(data["site"], data["summary"], data["elapsed_s"]), run
    log = Path(run.log)
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return next((x for x in reversed(lines) if x.startswith("snapshot:")), None), run


def add_schedule_parser(sub, default_data_dir: str, parents: list) -> None:
    p = sub.add_parser("schedule", help="the scheduler service and its jobs")
    actions = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    for name, func, helptext in (
        ("run", cmd_run, "run the scheduler in the foreground until SIGTERM/SIGINT"),
        ("list", cmd_list, "the configured jobs with their next run times"),
        ("status", cmd_status, "recent runs, their outcome and health"),
        ("once", cmd_once, "run one job now, as the scheduler would"),
    ):
        a = actions.add_parser(name, help=helptext, parents=parents)
        if name == "once":
            a.add_argument("job")
        if name == "status":
            a.add_argument("--limit", type=int, default=20)
            a.add_argument("--config", help="compare the service's jobs with this schedule file")
        else:
            a.add_argument("--config", default=str(DEFAULT_CONFIG))
        a.add_argument("--data-dir", default=default_data_dir)
        a.set_defaults(func=func)

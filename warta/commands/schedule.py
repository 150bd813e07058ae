"""`warta schedule run|list|status|once`."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from pathlib import Path

from warta.datadir_checks import require_data_dir
from warta.output import WIB, log_to_terminal, say, wib

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "schedules" / "default.toml"


def _load(args):
    from schedules.config import ScheduleError, load_schedule

    try:
        return load_schedule(args.config)
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
    from pipeline.monitor.health import current_problems
    from pipeline.monitor.runs import History

    schedule = _load(args)
    require_data_dir(f"schedule {args.action}", args.data_dir, write=False, must_exist=True)
    problems = current_problems(args.data_dir)
    if problems:
        print(f"problems ({len(problems)}):")
        for problem in problems:
            print(f"  {problem}")
    else:
        print("problems: none")
    history = History(args.data_dir)
    runs = history.recent(args.limit)
    now = datetime.now(WIB)
    print("jobs:")
    for spec in schedule.jobs.values():
        last = history.recent(1, spec.id)
        last_text = f"last {last[0].status} at {wib(last[0].started)}" if last else "never run"
        flag = "  HEALTH: " + "; ".join(last[0].problems) if last and last[0].problems else ""
        print(f"  {spec.id:20} next {wib(next_run(spec, now))}; {last_text}{flag}")
    print("recent runs:")
    for run in runs:
        flagged = "  PROBLEMS: " + "; ".join(run.problems) if run.problems else ""
        print(f"  {wib(run.started)} {run.job:20} {run.status:22} {run_counts(run)}{flagged}  log: {run.log}")
    history.close()
    return 1 if problems else 0


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
    line, log = last_run_summary(args.job, data_dir)
    if line:
        print(line)
    say(args, f"{args.job}: {status}" + (f"; log: {log}" if log else ""))
    if status != "ok" and args.verbosity < 0:
        print(f"{args.job}: {status}", file=sys.stderr)
    return 0 if status == "ok" else 1


def last_run_summary(job: str, data_dir: str) -> tuple[str | None, str | None]:
    """The one-line summary of the job's latest run, as `warta crawl` prints it (a crawl's from
    its run record, a snapshot's from its log), and the run's log file."""
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
        return format_summary(data["site"], data["summary"], data["elapsed_s"]), run.log
    log = Path(run.log)
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    return next((x for x in reversed(lines) if x.startswith("snapshot:")), None), run.log


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
        a.add_argument("--config", default=str(DEFAULT_CONFIG))
        a.add_argument("--data-dir", default=default_data_dir)
        a.set_defaults(func=func)

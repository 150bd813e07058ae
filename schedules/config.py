"""Schedules as data: a TOML file of jobs, validated at start with the line and the reason.

    [defaults]
    timezone = "Asia/Jakarta"      # cron and day boundaries; a job may override it
    timeout_minutes = 25           # a run still going after this is stopped (SIGTERM, then SIGKILL)
    misfire_grace_minutes = 60     # a run missed during downtime is still run this late (once)

    [[job]]
    id = "medcom-latest"           # fixed id: the job store keeps it across restarts
    kind = "crawl"                 # crawl | backfill | snapshot
    site = "medcom"
    interval_minutes = 30          # or interval_seconds, or cron = "15 0 * * *"
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.extract.profiles import PROFILES
from crawler.extract.urls import http_origin

KINDS = ("crawl", "backfill", "snapshot")
JOB_KEYS = {"id", "kind", "site", "cron", "interval_seconds", "interval_minutes", "timezone", "timeout_minutes",
            "timeout_seconds", "misfire_grace_minutes", "base_url", "limit", "refetch", "days"}
DEFAULT_KEYS = {"timezone", "timeout_minutes", "misfire_grace_minutes"}
CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ScheduleError(ValueError):
    """A schedule file that cannot run; the message names the file, the line and the reason."""


@dataclass(frozen=True)
class JobSpec:
    id: str
    kind: str
    trigger: object
    timezone: str
    timeout_seconds: float
    misfire_grace_seconds: int
    site: str | None = None
    base_url: str | None = None
    limit: int | None = None
    refetch: bool = False
    days: int = 2
    describe: str = ""


@dataclass
class Schedule:
    path: Path
    jobs: dict[str, JobSpec] = field(default_factory=dict)


def _cron_trigger(expr: str, tz: str) -> CronTrigger:
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"cron needs 5 fields (minute hour day month weekday), got {len(fields)}: {expr!r}")
    minute, hour, day, month, weekday = fields
    # Cron counts weekdays from Sunday = 0; APScheduler from Monday = 0: use names, never numbers.
    weekday = re.sub(r"\d", lambda m: CRON_DAYS[int(m.group(0))], weekday)
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, timezone=ZoneInfo(tz))


def _job_lines(text: str) -> list[tuple[int, int]]:
    """(first, last) line numbers of each [[job]] table, in file order."""
    lines = text.splitlines()
    starts = [i + 1 for i, line in enumerate(lines) if line.strip() == "[[job]]"]
    tables = [i + 1 for i, line in enumerate(lines) if line.strip().startswith("[")]
    spans = []
    for start in starts:
        after = [t for t in tables if t > start]
        spans.append((start, (after[0] - 1) if after else len(lines)))
    return spans


def _line_of(text: str, span: tuple[int, int], key: str | None) -> int:
    if key:
        for number in range(span[0], span[1] + 1):
            if re.match(rf"\s*{re.escape(key)}\s*=", text.splitlines()[number - 1]):
                return number
    return span[0]


def load_schedule(path: str | Path) -> Schedule:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScheduleError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleError(f"{path}: {exc}") from None
    defaults = data.get("defaults", {})
    unknown = set(defaults) - DEFAULT_KEYS
    if unknown:
        raise ScheduleError(f"{path}: [defaults] has unknown keys {sorted(unknown)}")
    unknown_tables = set(data) - {"defaults", "job"}
    if unknown_tables:
        raise ScheduleError(f"{path}: unknown tables {sorted(unknown_tables)} (expected [defaults] and [[job]])")
    jobs = data.get("job", [])
    if not jobs:
        raise ScheduleError(f"{path}: no [[job]] defined")
    spans = _job_lines(text)
    schedule = Schedule(path)
    for n, (raw, span) in enumerate(zip(jobs, spans)):
        try:
            spec = _job(raw, defaults)
        except _FieldError as exc:
            raise ScheduleError(f"{path}, line {_line_of(text, span, exc.key)}: job #{n + 1}: {exc}") from None
        if spec.id in schedule.jobs:
            raise ScheduleError(f"{path}, line {_line_of(text, span, 'id')}: duplicate job id {spec.id!r}")
        schedule.jobs[spec.id] = spec
    return schedule


class _FieldError(ValueError):
    def __init__(self, key: str | None, message: str):
        super().__init__(message)
        self.key = key


def _number(raw: dict, key: str, default=None, kind=float):
    value = raw.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise _FieldError(key, f"{key} must be a positive number, got {value!r}")
    return kind(value)


def _job(raw: dict, defaults: dict) -> JobSpec:
    unknown = set(raw) - JOB_KEYS
    if unknown:
        raise _FieldError(sorted(unknown)[0], f"unknown keys {sorted(unknown)}")
    job_id = raw.get("id")
    if not isinstance(job_id, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", job_id or ""):
        raise _FieldError("id", f"id must be letters, digits, '.', '_' or '-', got {job_id!r}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise _FieldError("kind", f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    site = raw.get("site")
    if kind != "snapshot" and site not in PROFILES:
        raise _FieldError("site", f"site must be one of {', '.join(sorted(PROFILES))}, got {site!r}")
    tz = raw.get("timezone", defaults.get("timezone", "Asia/Jakarta"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise _FieldError("timezone", f"unknown time zone {tz!r}") from None
    when = [k for k in ("cron", "interval_seconds", "interval_minutes") if k in raw]
    if len(when) != 1:
        raise _FieldError(when[1] if len(when) > 1 else "id",
                          "give exactly one of cron, interval_seconds, interval_minutes")
    try:
        if when[0] == "cron":
            trigger = _cron_trigger(str(raw["cron"]), tz)
            describe = f"cron {raw['cron']} ({tz})"
        else:
            seconds = _number(raw, when[0]) * (60 if when[0] == "interval_minutes" else 1)
            trigger = IntervalTrigger(seconds=seconds, timezone=ZoneInfo(tz))
            describe = f"every {seconds:g}s"
    except _FieldError:
        raise
    except ValueError as exc:
        raise _FieldError(when[0], f"{when[0]} {raw[when[0]]!r}: {exc}") from None
    timeout = _number(raw, "timeout_seconds") or 60 * _number(raw, "timeout_minutes",
                                                                defaults.get("timeout_minutes", 25))
    grace = _number(raw, "misfire_grace_minutes", defaults.get("misfire_grace_minutes", 60))
    base_url = raw.get("base_url")
    if base_url is not None:
        try:
            http_origin(str(base_url))
        except ValueError as exc:
            raise _FieldError("base_url", f"base_url: {exc}") from None
    limit = _number(raw, "limit", kind=int)
    if not isinstance(raw.get("refetch", False), bool):
        raise _FieldError("refetch", "refetch must be true or false")
    days = _number(raw, "days", 2, kind=int)
    return JobSpec(job_id, kind, trigger, tz, timeout, int(grace * 60), site, base_url, limit,
                   raw.get("refetch", False), days, describe)

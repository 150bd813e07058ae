"""Schedules as data: a TOML file of jobs, validated at load with the line and the reason.

    [defaults]
    timezone = "Asia/Jakarta"      # cron and day boundaries; a job may override it
    timeout_minutes = 25           # a run still going after this is stopped (SIGTERM, then SIGKILL)
    misfire_grace_minutes = 60     # a run missed during downtime is still run this late (once)

    [[job]]
    id = "medcom-latest"           # fixed id: the job store keeps it across restarts
    kind = "crawl"                 # crawl | backfill | snapshot
    site = "medcom"
    interval_minutes = 30          # or interval_seconds, or cron = "15 0 * * *" (crontab(5) meaning)

Everything a run would trip over later is refused here instead (see checks.py for the bounds):
the service must never accept a file and then crash, skip or run nothing.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from apscheduler.triggers.interval import IntervalTrigger

from extract.sites import SiteFileError, Sites, load_sites
from extract.toml_lines import Table, key_line, tables
from extract.urls import http_origin
from schedules import checks
from schedules.checks import FieldError, shown
from schedules.cron import cron_trigger

KINDS = ("crawl", "backfill", "snapshot")
WHEN_KEYS = ("cron", "interval_seconds", "interval_minutes")
COMMON_KEYS = {"id", "kind", *WHEN_KEYS, "timezone", "timeout_minutes", "timeout_seconds", "misfire_grace_minutes"}
KIND_KEYS = {"snapshot": COMMON_KEYS, "crawl": COMMON_KEYS | {"site", "base_url", "limit", "refetch", "settings"}}
KIND_KEYS["backfill"] = KIND_KEYS["crawl"] | {"days"}
DEFAULT_KEYS = {"timezone", "timeout_minutes", "misfire_grace_minutes"}
JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # also a folder name under DATA/logs/


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
    settings: tuple[tuple[str, str], ...] = ()
    """Crawl settings for this job's runs (`warta crawl -s NAME=VALUE`)."""
    sites: tuple[str, ...] = ()
    """The schedule file's folders of site definitions (`warta crawl --sites DIR`)."""


@dataclass
class Schedule:
    path: Path
    jobs: dict[str, JobSpec] = field(default_factory=dict)
    sites: tuple[str, ...] = ()  # folders of the user's site definitions (the file's `sites`)


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScheduleError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")  # a BOM from a Windows editor is harmless
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ScheduleError(
            f"{path}, line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {column})"
        ) from None


def parse_toml(path: Path, text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r" \(at line (\d+), column (\d+)\)$", str(exc))
        if not where:
            raise ScheduleError(f"{path}: {exc}") from None
        reason = str(exc)[: where.start()]
        raise ScheduleError(f"{path}, line {where[1]}: {reason} (column {where[2]})") from None


def load_schedule(path: str | Path) -> Schedule:
    path = Path(path)
    text = read_text(path)
    data = parse_toml(path, text)
    layout = tables(text)

    def fail(table: Table, key: str | None, message: str):
        line = key_line(text, table, key) if key else table.first
        return ScheduleError(f"{path}, line {line}: {message}")

    root = layout[0]
    unknown = sorted(set(data) - {"defaults", "job", "sites"}, key=lambda k: key_line(text, _table(layout, k, root), k))
    if unknown:
        raise fail(
            _table(layout, unknown[0], root),
            unknown[0],
            f"unknown table or key {unknown[0]!r} (expected sites, [defaults] and [[job]])",
        )
    try:
        sites_dirs = _site_folders(data.get("sites", []), path.parent)
        known_sites = load_sites(sites_dirs)
    except (FieldError, SiteFileError) as exc:
        raise fail(root, "sites", str(exc)) from None
    defaults_table = _table(layout, "defaults", root)
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise fail(defaults_table, "defaults", "defaults must be a [defaults] table")
    try:
        checked_defaults = _defaults(defaults)
    except FieldError as exc:
        raise fail(defaults_table, exc.key, f"[defaults]: {exc}") from None
    job_tables = [t for t in layout if t.name == "job"]
    jobs = data.get("job", [])
    if not isinstance(jobs, list) or len(job_tables) != len(jobs) or not all(t.array for t in job_tables):
        # `job = 5`, `job = [1, 2]`, `[job]`, `job = [{...}]`: nothing to run, or no line to point at
        where = job_tables[0] if job_tables else root
        raise fail(where, None if job_tables else "job", "jobs must be written as [[job]] tables")
    if not jobs:
        raise ScheduleError(f"{path}: no [[job]] defined")
    schedule = Schedule(path, sites=sites_dirs)
    for n, (raw, table) in enumerate(zip(jobs, job_tables, strict=True), 1):
        try:
            spec = replace(_job(raw, checked_defaults, known_sites), sites=sites_dirs)
        except FieldError as exc:
            raise fail(table, exc.key, f"job #{n}: {exc}") from None
        if spec.id in schedule.jobs:
            raise fail(table, "id", f"job #{n}: duplicate job id {spec.id!r}")
        schedule.jobs[spec.id] = spec
    return schedule


def _table(layout: list[Table], name: str, root: Table) -> Table:
    """The [name] table, or the root where `name = ...` is written inline."""
    return next((t for t in layout if t.name == name), root)


def _defaults(raw: dict) -> dict:
    unknown = sorted(set(raw) - DEFAULT_KEYS)
    if unknown:
        raise FieldError(unknown[0], f"unknown keys {unknown} (allowed: {', '.join(sorted(DEFAULT_KEYS))})")
    return {
        "timezone": checks.time_zone(raw, "timezone") or "Asia/Jakarta",
        "timeout_seconds": checks.duration(raw, "timeout_minutes", 60, checks.TIMEOUT_BOUNDS, "a timeout") or 25 * 60,
        "misfire_grace_seconds": checks.duration(
            raw, "misfire_grace_minutes", 60, checks.GRACE_BOUNDS, "the misfire grace time"
        )
        or 60 * 60,
    }


def _site_folders(value, base: Path) -> tuple[str, ...]:
    """`sites = "DIR"` or `["DIR", ...]`: folders of the user's site definitions, relative to the
    schedule file's folder."""
    folders = [value] if isinstance(value, str) else value
    if not isinstance(folders, list) or not all(isinstance(f, str) and f for f in folders):
        raise FieldError("sites", f"sites must be a folder or a list of folders, got {shown(value)}")
    found = tuple(str((base / f).resolve()) for f in folders)
    for folder in found:
        if not Path(folder).is_dir():
            raise FieldError("sites", f"sites: {folder} is not a folder")
    return found


def _job(raw: dict, defaults: dict, sites: Sites) -> JobSpec:
    job_id = raw.get("id")
    if not isinstance(job_id, str) or not JOB_ID.fullmatch(job_id):
        raise FieldError(
            "id",
            f"id must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or "
            f"digit, got {shown(job_id)}",
        )
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise FieldError("kind", f"kind must be one of {', '.join(KINDS)}, got {shown(kind)}")
    unknown = set(raw) - KIND_KEYS[kind]
    if unknown:
        key = min(unknown)
        if any(key in keys for keys in KIND_KEYS.values()):
            raise FieldError(
                key,
                f"{key} does not apply to {kind} jobs"
                + (" (a snapshot publishes every site)" if kind == "snapshot" else ""),
            )
        raise FieldError(key, f"unknown keys {sorted(unknown)}")
    site = checks.text(raw, "site")
    if kind != "snapshot" and site not in sites:
        raise FieldError("site", f"site must be one of {', '.join(sites.names())}, got {shown(site)}")
    tz = checks.time_zone(raw, "timezone") or defaults["timezone"]
    trigger, describe = _when(raw, tz)
    timeouts = [k for k in ("timeout_seconds", "timeout_minutes") if k in raw]
    if len(timeouts) > 1:
        raise FieldError(timeouts[1], "give timeout_seconds or timeout_minutes, not both")
    timeout = (
        checks.duration(raw, "timeout_seconds", 1, checks.TIMEOUT_BOUNDS, "a timeout")
        or checks.duration(raw, "timeout_minutes", 60, checks.TIMEOUT_BOUNDS, "a timeout")
        or defaults["timeout_seconds"]
    )
    grace = (
        checks.duration(raw, "misfire_grace_minutes", 60, checks.GRACE_BOUNDS, "the misfire grace time")
        or defaults["misfire_grace_seconds"]
    )
    base_url = checks.text(raw, "base_url")
    if base_url is not None:
        try:
            if urlsplit(http_origin(base_url)).port == 0:  # .port raises ValueError when out of range
                raise ValueError(f"port 0 in {base_url!r}")
        except ValueError as exc:
            raise FieldError("base_url", f"base_url: {exc}") from None
    return JobSpec(
        job_id,
        kind,
        trigger,
        tz,
        timeout,
        round(grace),
        site if kind != "snapshot" else None,
        base_url,
        checks.integer(raw, "limit", checks.LIMIT_BOUNDS),
        checks.flag(raw, "refetch"),
        checks.integer(raw, "days", checks.DAYS_BOUNDS) or 2,
        describe,
        _settings(raw),
    )


def _settings(raw: dict) -> tuple[tuple[str, str], ...]:
    """A job's `settings` table: NAME = value pairs, each a known crawl setting and a plain value."""
    from crawler.overrides import check_setting

    table = raw.get("settings", {})
    if not isinstance(table, dict):
        raise FieldError("settings", f"settings must be a table of NAME = value, got {shown(table)}")
    pairs = []
    for name, value in table.items():
        if problem := check_setting(name):
            raise FieldError("settings", f"settings: {problem}")
        if not isinstance(value, str | int | float | bool):
            raise FieldError("settings", f"settings: {name} must be a string, number or true/false, got {shown(value)}")
        pairs.append((name, str(value)))
    return tuple(pairs)


def _when(raw: dict, tz: str) -> tuple[object, str]:
    given = [k for k in WHEN_KEYS if k in raw]
    if len(given) != 1:
        raise FieldError(given[1] if given else None, "give exactly one of cron, interval_seconds, interval_minutes")
    key = given[0]
    if key == "cron":
        expr = checks.text(raw, "cron")
        try:
            return cron_trigger(expr, tz), f"cron {expr} ({tz})"
        except ValueError as exc:
            raise FieldError("cron", f"cron {expr!r}: {exc}") from None
    seconds = checks.duration(raw, key, 60 if key == "interval_minutes" else 1, checks.INTERVAL_BOUNDS, "an interval")
    return IntervalTrigger(seconds=seconds, timezone=ZoneInfo(tz)), f"every {checks.span(seconds)}"

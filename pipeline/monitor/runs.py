"""The run history: one row per run in `DATA/state/runs.sqlite`, whoever started it (the
scheduler, `warta crawl`, `scrapy crawl`, `warta demo`): what `warta schedule status`, the
report and the health checks (`pipeline.monitor.health`) read.

A run's `status` is one word of STATUSES, written by every writer and read by every reader;
what else there is to say sits beside it: the exit code (`Run.outcome` shows it: `failed
(exit 1)`, `killed by signal 9`) and the problems (why it failed, in one line). Rows written before
that vocabulary (`failed (exit 1)`, `timeout after 4s`, ...) are read as its words.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from extract.article import HEALTH_FIELDS
from pipeline.store.datadir import DataDir
from pipeline.store.statedb import StateUnreadable, open_checked_readonly, open_state_db

logger = logging.getLogger(__name__)
MIN_ARTICLES = 5  # runs smaller than this are too small to judge fill rates
STATUSES = ("running", "ok", "failed", "killed", "timeout", "stopped")
# The old statuses that said no more than their word and the exit code column does.
PLAIN_OLD_STATUS = re.compile(r"failed \(exit -?\d+\)|killed by signal \d+|stopped \(shutdown\)")

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, job TEXT NOT NULL, kind TEXT NOT NULL, site TEXT, started TEXT NOT NULL,
    ended TEXT, status TEXT NOT NULL, exit_code INTEGER, pid INTEGER, pages INTEGER, articles INTEGER,
    dropped TEXT, fill TEXT, problems TEXT, log TEXT);
CREATE INDEX IF NOT EXISTS runs_by_job ON runs (job, started);
"""


@dataclass
class Run:
    run_id: str
    job: str
    kind: str
    site: str | None
    started: str
    ended: str | None
    status: str
    exit_code: int | None
    pid: int | None
    pages: int | None
    articles: int | None
    dropped: dict
    fill: dict
    problems: list
    log: str

    @property
    def outcome(self) -> str:
        """The status as an operator reads it: `ok`, `failed (exit 1)`, `killed by signal 9`..."""
        return outcome(self.status, self.exit_code)


def outcome(status: str, exit_code: int | None) -> str:
    if status == "failed" and exit_code:
        return f"failed (exit {exit_code})"
    if status == "killed" and exit_code and exit_code < 0:
        return f"killed by signal {-exit_code}"
    return status


def status_word(stored: str) -> tuple[str, str | None]:
    """(the word of STATUSES, what the stored text said beyond the word and the exit code) of a
    status column value; maps the texts the scheduler wrote before (`failed (exit 1)`,
    `killed by signal 9`, `timeout after 4s`, `stopped (shutdown)`, `failed: <error>`,
    `failed to start: <error>`)."""
    if stored in STATUSES:
        return stored, None
    word = next((w for w in ("timeout", "stopped", "killed") if stored.startswith(w)), "failed")
    return word, None if PLAIN_OLD_STATUS.fullmatch(stored) else stored


def history_path(data_dir: str | os.PathLike) -> Path:
    return DataDir.of(data_dir).state_file("runs.sqlite")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class History:
    """The run history of a data dir, opened to write (a damaged file is set aside and rebuilt
    from the run records), or with `read_only` to look (`warta schedule status`, the report):
    nothing is created or changed, and a missing or damaged file reads as no runs, with the
    one-line reason in `warning`."""

    def __init__(self, data_dir: str | os.PathLike, read_only: bool = False):
        path = history_path(data_dir)
        self.warning: str | None = None
        if read_only:
            self.db = self._open_read_only(path)
            return
        damaged: list[Path] = []
        self.db = open_state_db(
            path,
            SCHEMA,
            synchronous="FULL",
            check_same_thread=False,
            on_damaged=lambda aside, reason: damaged.append(aside),
        )
        if damaged:  # moved aside: what the crawls' run records still tell comes back
            recovered = self.recover(DataDir.of(data_dir).run_records)
            logger.warning("run history rebuilt from %d run records", recovered)

    def _open_read_only(self, path: Path) -> sqlite3.Connection:
        try:
            return open_checked_readonly(path, required_table="runs")
        except FileNotFoundError:
            pass  # no run yet
        except StateUnreadable as exc:
            self.warning = f"run history {path} not read: {exc}"
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.executescript(SCHEMA)
        return db

    def recover(self, records_dir: Path) -> int:
        """Rows for the crawls' run records: the scheduler's (`scheduled/<job>-<time>.json`) and
        every other crawl's (`<site>/<time>-<pid>.json`); snapshots and runs that left no record
        are gone with the damaged file."""
        count = 0
        for path in sorted(records_dir.glob("*/*.json")):
            try:
                row = recovered_run(path)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                logger.warning("run record %s skipped: %s", path.name, exc)
                continue
            self.db.execute(
                "INSERT OR IGNORE INTO runs (run_id, job, kind, site, started, ended, status, pages, "
                "articles, dropped, fill, problems, log) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            count += 1
        return count

    def close(self) -> None:
        self.db.close()

    def start(self, run_id: str, job: str, kind: str, site: str | None, log: str) -> None:
        self.db.execute(
            "INSERT INTO runs (run_id, job, kind, site, started, status, log) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (run_id, job, kind, site, now_iso(), "running", log),
        )

    def set_pid(self, run_id: str, pid: int) -> None:
        self.db.execute("UPDATE runs SET pid = ? WHERE run_id = ?", (pid, run_id))

    def finish(
        self, run_id: str, status: str, exit_code: int | None, summary: dict | None, problems: list[str]
    ) -> None:
        summary = summary or {}
        self.db.execute(
            "UPDATE runs SET ended = ?, status = ?, exit_code = ?, pages = ?, articles = ?, dropped = ?, fill = ?, "
            "problems = ? WHERE run_id = ?",
            (
                now_iso(),
                status,
                exit_code,
                summary.get("pages"),
                summary.get("articles"),
                json.dumps(summary.get("dropped", {})),
                json.dumps(summary.get("fill", {})),
                json.dumps(problems),
                run_id,
            ),
        )

    def running(self) -> list[Run]:
        return self._select("WHERE status = 'running' ORDER BY started")

    def recent(self, limit: int = 20, job: str | None = None) -> list[Run]:
        if job:
            return self._select("WHERE job = ? ORDER BY started DESC LIMIT ?", (job, limit))
        return self._select("ORDER BY started DESC LIMIT ?", (limit,))

    def _select(self, where: str, args: tuple = ()) -> list[Run]:
        rows = self.db.execute(
            f"SELECT run_id, job, kind, site, started, ended, status, exit_code, pid, pages, "
            f"articles, dropped, fill, problems, log FROM runs {where}",
            args,
        ).fetchall()
        found = []
        for row in rows:
            status, said = status_word(row[6])
            problems = json.loads(row[13] or "[]")
            found.append(
                Run(
                    *row[:6],
                    status,
                    *row[7:11],
                    json.loads(row[11] or "{}"),
                    read_fill(row[12]),
                    problems or ([said] if said else []),
                    row[14],
                )
            )
        return found

    def fill_history(self, site: str, limit: int = 10) -> list[dict]:
        rows = self.db.execute(
            "SELECT fill FROM runs WHERE site = ? AND status = 'ok' AND articles >= ? ORDER BY started DESC LIMIT ?",
            (site, MIN_ARTICLES, limit),
        ).fetchall()
        return [read_fill(r[0]) for r in rows if r[0]]


# Drops of article pages that were fetched and read: they got past any challenge.
READ_DROPS = ("unchanged", "duplicate_content", "duplicate_id")


def articles_read(summary: dict) -> int:
    """Article pages of a crawl that were fetched and parsed: staged, skipped as already staged,
    or dropped as unchanged or duplicates."""
    dropped = summary.get("dropped", {})
    return (
        summary.get("articles", 0)
        + sum(summary.get("skipped", {}).values())
        + sum(dropped.get(reason, 0) for reason in READ_DROPS)
    )


def vendors(summary: dict) -> str:
    """The vendors of a crawl's challenge pages, the most frequent first (`cloudflare, aws-waf`)."""
    by = summary.get("blocked_by") or {}
    return ", ".join(sorted(by, key=lambda v: (-by[v], v))) or "unknown"


def challenged(summary: dict) -> str | None:
    """`answers with challenge pages (cloudflare): 12 requests blocked` when challenge pages
    kept every article out of a crawl (pages were blocked and none was read), else None."""
    dropped = summary.get("dropped", {})
    blocked = dropped.get("blocked", 0)
    if not blocked or articles_read(summary):
        return None
    line = f"answers with challenge pages ({vendors(summary)}): {blocked} request{'s' if blocked > 1 else ''} blocked"
    if unsent := dropped.get("robots_unknown", 0):
        line += f", {unsent} more not sent (its robots.txt is a challenge page: its rules are unknown)"
    return line


def run_status(summary: dict) -> tuple[str, list[str]]:
    """(status, problems) of a finished crawl, from its stats."""
    reason = summary.get("finish_reason")
    if summary.get("pages", 0) == 0:
        failures = {k: v for k, v in summary.get("dropped", {}).items() if k.startswith("discovery_")}
        why = ", ".join(k.removeprefix("discovery_") for k in failures) or "no response"
        return "failed", [f"could not reach the site: {why}"]
    if reason == "shutdown":
        return "stopped", ["stopped before the end (SIGTERM or Ctrl-C)"]
    if why := challenged(summary):
        return "failed", [f"the site {why}"]
    if reason not in ("finished", "closespider_itemcount", "limit"):
        return "failed", [f"ended early: {reason}"]
    return "ok", []


def recovered_run(path: Path) -> tuple:
    """A runs row from one crawl's run record (exit code unknown: judged by its summary)."""
    record = json.loads(path.read_text())
    summary, stats = record["summary"], record["stats"]
    if "warta/run_id" in stats:  # a crawl outside the scheduler, as its run history named it
        run_id, job = stats["warta/run_id"], stats["warta/job"]
        started = datetime.fromisoformat(stats["start_time"])
    else:  # the scheduler names the record after the run
        run_id = path.stem
        job, stamp = run_id.rsplit("-", 1)
        started = datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
    ended = started + timedelta(seconds=float(record.get("elapsed_s") or 0))
    status, problems = run_status(summary)
    if summary.get("unwritten"):
        status, problems = "failed", [*problems, f"could not stage {summary['unwritten']} articles"]
    kind = "backfill" if (record.get("args") or {}).get("since") else "crawl"
    fill = fill_rates(stats, stats.get("warta/staged", 0))
    return (
        run_id,
        job,
        kind,
        record.get("site"),
        started.isoformat(timespec="seconds"),
        ended.isoformat(timespec="seconds"),
        status,
        summary.get("pages"),
        summary.get("articles"),
        json.dumps(summary.get("dropped", {})),
        json.dumps(fill),
        json.dumps(problems),
        "",
    )


PROFILE_SHARE = "profile_route"


def read_fill(text: str | None) -> dict[str, float]:
    """A run's stored fill rates; rows written before the extraction "path" was called its
    "route" name the profile's share `profile_path`."""
    fill = json.loads(text or "{}")
    if "profile_path" in fill:
        fill[PROFILE_SHARE] = fill.pop("profile_path")
    return fill


def fill_rates(stats: dict, articles: int) -> dict[str, float]:
    """Per field, the share of articles that had it; and the share of articles whose body the
    site's profile gave (`profile_route`): when a site changes its layout, the generic extractor
    takes over silently, and this share falls first."""
    if not articles:
        return {}
    rates = {f: round(stats.get(f"warta/filled/{f}", 0) / articles, 4) for f in HEALTH_FIELDS}
    paths = sum(v for k, v in stats.items() if k.startswith("warta/route/"))
    if paths:
        rates[PROFILE_SHARE] = round(stats.get("warta/route/profile", 0) / paths, 4)
    return rates

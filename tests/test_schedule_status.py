"""`warta schedule status` and `list` show every time in WIB, labelled, and only the counts a
run has (a snapshot has no pages)."""

from __future__ import annotations

import re

from pipeline.monitor.runs import History
from warta.cli import main

CONFIG = """
[[job]]
id = "utc-crawl"
kind = "crawl"
site = "medcom"
cron = "0 6 * * *"
timezone = "UTC"

[[job]]
id = "snap"
kind = "snapshot"
cron = "15 0 * * *"
"""
TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?(?:[+-]\d\d:\d\d)?(?: \w+)?")


def record(history: History, run_id: str, job: str, kind: str, started: str, summary: dict | None) -> None:
    history.start(run_id, job, kind, "medcom" if kind == "crawl" else None, f"/logs/{run_id}.log")
    history.finish(run_id, "ok", 0, summary, [])
    history.db.execute("UPDATE runs SET started = ? WHERE run_id = ?", (started, run_id))


def test_status_shows_wib_times_and_only_the_counts_a_run_has(tmp_path, capsys):
    config = tmp_path / "s.toml"
    config.write_text(CONFIG)
    history = History(tmp_path)
    record(
        history,
        "c1",
        "utc-crawl",
        "crawl",
        "2026-11-30T02:00:00+00:00",
        {"pages": 12, "articles": 10, "dropped": {"unchanged": 2}},
    )
    record(history, "s1", "snap", "snapshot", "2026-11-30T17:15:03+00:00", None)
    history.close()

    assert main(["schedule", "status", "--config", str(config), "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    times = TIME.findall(out)
    assert times and all(t.endswith(" WIB") and "T" not in t and "+" not in t for t in times), times
    assert re.search(r"utc-crawl +next \d{4}-\d\d-\d\d 13:00:00 WIB; last ok at 2026-11-30 09:00:00 WIB", out), out
    assert "snap                 next" in out and "last ok at 2026-12-01 00:15:03 WIB" in out, out
    crawl_line = next(line for line in out.splitlines() if "/logs/c1.log" in line)
    assert crawl_line.startswith("  2026-11-30 09:00:00 WIB utc-crawl")
    assert "pages=12 articles=10 dropped: unchanged=2" in crawl_line
    snapshot_line = next(line for line in out.splitlines() if "/logs/s1.log" in line)
    assert "pages" not in snapshot_line and "articles" not in snapshot_line and "dropped" not in snapshot_line
    assert "None" not in out


def test_list_shows_next_runs_in_wib(tmp_path, capsys):
    config = tmp_path / "s.toml"
    config.write_text(CONFIG)
    assert main(["schedule", "list", "--config", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.search(r"next \d{4}-\d\d-\d\d 13:00:00 WIB$", lines[0]), lines
    assert re.search(r"next \d{4}-\d\d-\d\d 00:15:00 WIB$", lines[1]), lines

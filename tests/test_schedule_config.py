"""Schedule files that would crash, skip or run nothing once the service is up are refused at
load, with the line and the reason; values within bounds mean what they say."""

from __future__ import annotations

import pytest

from schedules.config import ScheduleError, load_schedule
from tests.conftest import run_warta

CRAWL = '[[job]]\nid = "a"\nkind = "crawl"\nsite = "medcom"\n'  # lines 1-4
SNAP = '[[job]]\nid = "a"\nkind = "snapshot"\ncron = "0 0 * * *"\n'  # lines 1-4
BACKFILL = '[[job]]\nid = "a"\nkind = "backfill"\nsite = "medcom"\ncron = "0 0 * * *"\n'  # lines 1-5
JOB = '\n[[job]]\nid = "j"\nkind = "snapshot"\ncron = "0 0 * * *"\n'

REFUSED = [
    # what used to crash later, or run nothing
    (CRAWL + 'cron = "0 6 * * 8"\n', 5, "weekday field '8'"),
    (CRAWL + "interval_minutes = 1e300\n", 5, "between 1 second and 3660 days"),
    (CRAWL + "interval_seconds = 1e-9\n", 5, "between 1 second and 3660 days"),
    ("job = 5\n", 1, "[[job]] tables"),
    ("# two jobs?\njob = [1, 2]\n", 2, "[[job]] tables"),
    ('[job]\nid = "a"\nkind = "snapshot"\ncron = "0 0 * * *"\n', 1, "[[job]] tables"),
    ('job = [{id = "a", kind = "snapshot", cron = "0 0 * * *"}]\n', 1, "[[job]] tables"),
    (BACKFILL + "days = 100000000\n", 6, "days must be a whole number from 1 to 3,660"),
    ('[[job]]\nid = "a"\nkind = "snapshot"\ncron = "0 0 31 2 *"\n', 4, "never runs"),
    # intervals, timeouts, grace times, limits: type, sign, NaN, infinity, size
    (CRAWL + "interval_minutes = 0\n", 5, "between 1 second"),
    (CRAWL + "interval_minutes = -30\n", 5, "between 1 second"),
    (CRAWL + "interval_minutes = nan\n", 5, "between 1 second"),
    (CRAWL + "interval_seconds = inf\n", 5, "between 1 second"),
    (CRAWL + "interval_minutes = 5270401\n", 5, "3660 days"),
    (CRAWL + 'interval_minutes = "30"\n', 5, "interval_minutes must be a number"),
    (CRAWL + "interval_seconds = true\n", 5, "interval_seconds must be a number"),
    (SNAP + "timeout_minutes = 0\n", 5, "a timeout must be between 1 second and 31 days"),
    (SNAP + "timeout_minutes = -1\n", 5, "a timeout must be between"),
    (SNAP + "timeout_minutes = nan\n", 5, "a timeout must be between"),
    (SNAP + "timeout_seconds = inf\n", 5, "a timeout must be between"),
    (SNAP + "timeout_seconds = 0.5\n", 5, "a timeout must be between"),
    (SNAP + "timeout_minutes = 1e300\n", 5, "a timeout must be between"),
    (SNAP + "timeout_minutes = true\n", 5, "timeout_minutes must be a number"),
    (SNAP + "timeout_seconds = 60\ntimeout_minutes = 1\n", 6, "not both"),
    (SNAP + "misfire_grace_minutes = 0\n", 5, "misfire grace time must be between 1 second and 31 days"),
    (SNAP + "misfire_grace_minutes = 1e300\n", 5, "misfire grace time must be between"),
    (SNAP + "misfire_grace_minutes = -inf\n", 5, "misfire grace time must be between"),
    (SNAP + "misfire_grace_minutes = false\n", 5, "misfire_grace_minutes must be a number"),
    (CRAWL + "interval_minutes = 30\nlimit = 0\n", 6, "limit must be a whole number from 1 to 10,000,000"),
    (CRAWL + "interval_minutes = 30\nlimit = -5\n", 6, "limit must be a whole number"),
    (CRAWL + "interval_minutes = 30\nlimit = 2.5\n", 6, "limit must be a whole number"),
    (CRAWL + "interval_minutes = 30\nlimit = true\n", 6, "limit must be a whole number"),
    (CRAWL + "interval_minutes = 30\nlimit = 9223372036854775807\n", 6, "limit must be a whole number"),
    (BACKFILL + "days = 0\n", 6, "days must be a whole number"),
    (BACKFILL + "days = 2.5\n", 6, "days must be a whole number"),
    (BACKFILL + 'days = "3"\n', 6, "days must be a whole number"),
    (BACKFILL + "days = true\n", 6, "days must be a whole number"),
    # ids, kinds, keys
    ('[[job]]\nid = ""\nkind = "snapshot"\ncron = "0 0 * * *"\n', 2, "id must be"),
    ('[[job]]\nid = ".."\nkind = "snapshot"\ncron = "0 0 * * *"\n', 2, "id must be"),
    ('[[job]]\nid = 5\nkind = "snapshot"\ncron = "0 0 * * *"\n', 2, "id must be"),
    ('[[job]]\nkind = "snapshot"\ncron = "0 0 * * *"\n', 1, "id must be"),
    ('[[job]]\nid = "a/b"\nkind = "snapshot"\ncron = "0 0 * * *"\n', 2, "id must be"),
    (SNAP + JOB + JOB.replace('"j"', '"a"'), 12, "duplicate job id 'a'"),
    ('[[job]]\nid = "a"\nkind = "crawler"\ncron = "0 0 * * *"\n', 3, "kind must be one of crawl, backfill, snapshot"),
    ('[[job]]\nid = "a"\nkind = ["crawl"]\ncron = "0 0 * * *"\n', 3, "kind must be one of"),
    ('[[job]]\nid = "a"\ncron = "0 0 * * *"\n', 1, "kind must be one of"),
    (SNAP + 'colour = "red"\n', 5, "unknown keys ['colour']"),
    (SNAP + 'site = "medcom"\n', 5, "site does not apply to snapshot jobs"),
    (SNAP + "refetch = true\n", 5, "refetch does not apply to snapshot jobs"),
    (CRAWL + "interval_minutes = 30\ndays = 3\n", 6, "days does not apply to crawl jobs"),
    (CRAWL + 'interval_minutes = 30\ncron = "0 0 * * *"\n', 5, "exactly one of cron"),
    (CRAWL, 1, "exactly one of cron"),
    # wrong types everywhere else
    ('[[job]]\nid = "a"\nkind = "crawl"\nsite = 5\ncron = "0 0 * * *"\n', 4, "site must be a string"),
    ('[[job]]\nid = "a"\nkind = "crawl"\nsite = "nosite"\ncron = "0 0 * * *"\n', 4, "site must be one of medcom"),
    ('[[job]]\nid = "a"\nkind = "crawl"\ncron = "0 0 * * *"\n', 1, "site must be one of"),
    ('[[job]]\nid = "a"\nkind = "snapshot"\ncron = 5\n', 4, "cron must be a string"),
    (SNAP + "timezone = 7\n", 5, "timezone must be a string"),
    (SNAP + 'timezone = "Mars/Base"\n', 5, "unknown time zone 'Mars/Base'"),
    (SNAP + f'timezone = "{"x" * 300}"\n', 5, "unknown time zone"),
    (CRAWL + 'interval_minutes = 30\nrefetch = "yes"\n', 6, "refetch must be true or false"),
    (CRAWL + "interval_minutes = 30\nbase_url = 5\n", 6, "base_url must be a string"),
    (CRAWL + 'interval_minutes = 30\nbase_url = "ftp://example.com"\n', 6, "expected an http(s) URL"),
    (CRAWL + 'interval_minutes = 30\nbase_url = "http://127.0.0.1:99999"\n', 6, "base_url: Port out of range"),
    # the file as a whole
    ("retries = 3\n" + JOB, 1, "unknown table or key 'retries'"),
    ("[server]\nport = 1\n" + JOB, 1, "unknown table or key 'server'"),
    ("defaults = 5\n" + JOB, 1, "defaults must be a [defaults] table"),
    ("[defaults]\ntimeout_minutes = 0\n" + JOB, 2, "[defaults]: timeout_minutes = 0: a timeout must be between"),
    ('[defaults]\ntimezone = "UTC"\nmisfire_grace_minutes = nan\n' + JOB, 3, "[defaults]: misfire_grace_minutes"),
    ('[defaults]\ntimezone = "Mars/Base"\n' + JOB, 2, "[defaults]: unknown time zone"),
    ("[defaults]\ncolour = 1\n" + JOB, 2, "[defaults]: unknown keys ['colour']"),
    ('[[job]\nid = "a"\n', 1, "Expected ']]'"),
    ("# nothing yet\n", 0, "no [[job]] defined"),
]


@pytest.mark.parametrize("body, line, reason", REFUSED)
def test_a_schedule_that_cannot_run_is_refused_with_its_line_and_reason(tmp_path, body, line, reason):
    config = tmp_path / "s.toml"
    config.write_text(body)
    with pytest.raises(ScheduleError) as refused:
        load_schedule(config)
    message = str(refused.value)
    assert reason in message, message
    assert message.startswith(f"{config}, line {line}: " if line else f"{config}: "), message
    assert "\n" not in message


def test_a_file_that_is_not_utf8_is_refused_at_the_line_of_the_bad_byte(tmp_path):
    config = tmp_path / "s.toml"
    config.write_bytes(b'[[job]]\nid = "a"\nkind = "snapshot"\n# caf\xe9 at 06:00\ncron = "0 6 * * *"\n')
    with pytest.raises(ScheduleError, match=r", line 4: not UTF-8 text \(byte 0xe9 at column 6\)"):
        load_schedule(config)


@pytest.mark.parametrize(
    "body, key, expected",
    [
        (CRAWL + "interval_minutes = 0.5\n", "interval", 30),
        (CRAWL + "interval_seconds = 1\n", "interval", 1),
        (CRAWL + "interval_minutes = 5270400\n", "interval", 3660 * 86400),
        (SNAP + "timeout_minutes = 1.5\n", "timeout_seconds", 90),
        (SNAP + "timeout_seconds = 44640\n", "timeout_seconds", 44640),
        (SNAP, "timeout_seconds", 25 * 60),
        ("[defaults]\ntimeout_minutes = 7\n" + SNAP, "timeout_seconds", 7 * 60),
        ("[defaults]\nmisfire_grace_minutes = 2\n" + SNAP, "misfire_grace_seconds", 120),
        (SNAP + "misfire_grace_minutes = 0.5\n", "misfire_grace_seconds", 30),
        (BACKFILL + "days = 3660\n", "days", 3660),
        (BACKFILL, "days", 2),
        (CRAWL + "interval_minutes = 30\nlimit = 10000000\n", "limit", 10_000_000),
        ("\ufeff" + SNAP, "id", "a"),
    ],
)
def test_values_within_bounds_mean_what_they_say(tmp_path, body, key, expected):
    config = tmp_path / "s.toml"
    config.write_text(body, encoding="utf-8")
    spec = load_schedule(config).jobs["a"]
    actual = spec.trigger.interval.total_seconds() if key == "interval" else getattr(spec, key)
    assert actual == expected


@pytest.mark.parametrize("command", ["list", "run"])
def test_the_cli_refuses_a_cron_that_never_fires_in_one_line(tmp_path, command):
    config = tmp_path / "s.toml"
    config.write_text('[[job]]\nid = "leap"\nkind = "snapshot"\ncron = "0 0 31 2 *"\n')
    result = run_warta("schedule", command, "--config", str(config), "--data-dir", str(tmp_path / "d"), timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        (
            f"warta schedule: {config}, line 4: job #1: cron '0 0 31 2 *': never runs: no month in the month field "
            f"has a day in the day-of-month field"
        )
    ]
    assert not (tmp_path / "d" / "state" / "jobs.sqlite").exists(), "refused before the job store was opened"

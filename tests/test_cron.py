"""`cron = "..."` fires when crontab(5) would: the weekdays, steps, names and day-of-month /
weekday OR that cronie gives the same five fields. Fire times are read from the trigger the
schedule file produces, as the service would read them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from schedules.config import ScheduleError, load_schedule

START = datetime.fromisoformat("2026-11-29T00:00:00+07:00")  # a Sunday, WIB
ALL_DAYS = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}


def trigger_of(tmp_path, cron: str, timezone: str | None = None):
    config = tmp_path / "s.toml"
    config.write_text(
        f'[[job]]\nid = "a"\nkind = "snapshot"\ncron = "{cron}"\n' + (f'timezone = "{timezone}"\n' if timezone else "")
    )
    return load_schedule(config).jobs["a"].trigger


def fire_times(trigger, start: datetime = START, until: datetime | None = None, most: int = 100) -> list[datetime]:
    until = until or start + timedelta(days=14)
    times, previous, now = [], None, start
    while len(times) < most and (fire := trigger.get_next_fire_time(previous, now)) is not None and fire < until:
        times.append(fire)
        previous, now = fire, fire + timedelta(seconds=1)
    return times


@pytest.mark.parametrize(
    "weekday, days",
    [
        ("0", {"Sun"}),
        ("7", {"Sun"}),
        ("1", {"Mon"}),
        ("6", {"Sat"}),
        ("*", ALL_DAYS),
        ("*/2", {"Sun", "Tue", "Thu", "Sat"}),
        ("*/3", {"Sun", "Wed", "Sat"}),
        ("*/7", {"Sun"}),
        ("1-5", {"Mon", "Tue", "Wed", "Thu", "Fri"}),
        ("1-5/2", {"Mon", "Wed", "Fri"}),
        ("1-7/2", {"Mon", "Wed", "Fri", "Sun"}),
        ("0-6/3", {"Sun", "Wed", "Sat"}),
        ("5-7", {"Fri", "Sat", "Sun"}),
        ("6,0", {"Sat", "Sun"}),
        ("sun,wed", {"Sun", "Wed"}),
        ("SUN,Wed", {"Sun", "Wed"}),
        ("mon-fri", {"Mon", "Tue", "Wed", "Thu", "Fri"}),
        ("Mon-Fri/2", {"Mon", "Wed", "Fri"}),
        ("fri-sun", {"Fri", "Sat", "Sun"}),
        ("sat-7", {"Sat", "Sun"}),
        ("1,3-4,sat", {"Mon", "Wed", "Thu", "Sat"}),
    ],
)
def test_weekday_fields_fire_on_their_crontab_days(tmp_path, weekday, days):
    times = fire_times(trigger_of(tmp_path, f"0 6 * * {weekday}"))
    assert {t.strftime("%a") for t in times} == days
    assert len(times) == 2 * len(days), "each of those days, every week, once"
    assert {t.strftime("%H:%M %Z") for t in times} == {"06:00 WIB"}


@pytest.mark.parametrize(
    "cron, reason",
    [
        ("0 6 * * 8", "weekday field '8': 8 is out of range 0-7 (Sunday is 0 or 7)"),
        ("0 6 * * -1", "weekday field '-1': not N, N-M, N-M/S, * or */S"),
        ("0 6 * * 1/2", "weekday field '1/2': a step needs a range or '*' ('1-7/2' or '*/2'), as in crontab(5)"),
        ("0 6 * * */0", "weekday field '*/0': the step must be between 1 and 7"),
        ("0 6 * * */8", "weekday field '*/8': the step must be between 1 and 7"),
        ("0 6 * * 5-1", "weekday field '5-1': the range runs backwards"),
        ("0 6 * * monday", "weekday field 'monday': unknown name 'monday': use 0-7 or sun..sat"),
        ("0 6 * * mon,8", "weekday field 'mon,8', item '8': 8 is out of range 0-7"),
        ("0 6 * * 1,,2", "weekday field '1,,2', item '': not N, N-M"),
        ("0 6 * * L", "weekday field 'L': unknown name 'L'"),
        ("0 6 * * 1#2", "weekday field '1#2': not N, N-M"),
        ("0 6 * * 99999999999999999999", "weekday field '99999999999999999999': 99999999999999999999 is out of range"),
        ("60 6 * * *", "minute field '60': 60 is out of range 0-59"),
        ("*/90 * * * *", "minute field '*/90': the step must be between 1 and 59"),
        ("0 24 * * *", "hour field '24': 24 is out of range 0-23"),
        ("0 6 0 * *", "day-of-month field '0': 0 is out of range 1-31"),
        ("0 6 L * *", "day-of-month field 'L': 'L' is not a number"),
        ("0 6 * 13 *", "month field '13': 13 is out of range 1-12"),
        ("0 6 * sept *", "month field 'sept': unknown name 'sept': use 1-12 or jan..dec"),
        ("0 6 * *", "cron needs 5 fields (minute hour day-of-month month weekday), got 4"),
        ("0 6 * * * *", "cron needs 5 fields (minute hour day-of-month month weekday), got 6"),
        ("", "cron needs 5 fields (minute hour day-of-month month weekday), got 0"),
        ("@reboot", "'@reboot' is not supported"),
        ("6~15 * * * *", "minute field '6~15': not N, N-M"),
        ("0 0 31 2 *", "never runs"),
        ("0 0 31 2,4,6,9,11 *", "never runs"),
    ],
)
def test_a_bad_cron_is_refused_naming_the_field(tmp_path, cron, reason):
    with pytest.raises(ScheduleError) as refused:
        trigger_of(tmp_path, cron)
    assert f"line 4: job #1: cron '{cron}': {reason}" in str(refused.value)


@pytest.mark.parametrize(
    "cron, dates",
    [
        # both restricted: either one (crontab(5)'s own example)
        (
            "30 4 1,15 * 5",
            ["12-01", "12-04", "12-11", "12-15", "12-18", "12-25", "01-01", "01-08", "01-15", "01-22", "01-29"],
        ),
        ("0 6 1 * mon", ["12-01", "12-07", "12-14", "12-21", "12-28", "01-01", "01-04", "01-11", "01-18", "01-25"]),
        # Feb 31 never exists: Mondays in February remain
        ("0 6 31 2 mon", ["02-01", "02-08", "02-15", "02-22"]),
        # a field starting with '*' is unrestricted to cron, even with a step: both must match
        ("0 6 1 * */2", ["12-01"]),  # the 1st, on Sun/Tue/Thu/Sat (Jan 1 2027 is a Friday)
        ("0 6 */2 * mon", ["12-07", "12-21", "01-11", "01-25"]),  # odd days that are Mondays
        ("0 6 * * mon", ["12-07", "12-14", "12-21", "12-28", "01-04", "01-11", "01-18", "01-25"]),
        ("0 6 1,15 * *", ["12-01", "12-15", "01-01", "01-15"]),
    ],
)
def test_day_of_month_and_weekday_combine_as_in_crontab(tmp_path, cron, dates):
    start = datetime.fromisoformat("2026-12-01T00:00:00+07:00")
    until = datetime.fromisoformat("2027-03-01T00:00:00+07:00" if "2 mon" in cron else "2027-02-01T00:00:00+07:00")
    times = fire_times(trigger_of(tmp_path, cron), start, until)
    assert [t.strftime("%m-%d") for t in times] == dates


@pytest.mark.parametrize(
    "cron, first, second",
    [
        ("*/15 9 * * *", "2026-11-29 09:00", "2026-11-29 09:15"),
        ("0-30/10 9 * * *", "2026-11-29 09:00", "2026-11-29 09:10"),
        ("0 */6 * * *", "2026-11-29 00:00", "2026-11-29 06:00"),
        ("0 8-18/5 * * *", "2026-11-29 08:00", "2026-11-29 13:00"),
        ("0 0 1 jan,JUL *", "2027-01-01 00:00", "2027-07-01 00:00"),
        ("0 0 29 2 *", "2028-02-29 00:00", "2032-02-29 00:00"),
        ("@hourly", "2026-11-29 00:00", "2026-11-29 01:00"),
        ("@daily", "2026-11-29 00:00", "2026-11-30 00:00"),
        ("@weekly", "2026-11-29 00:00", "2026-12-06 00:00"),
        ("@monthly", "2026-12-01 00:00", "2027-01-01 00:00"),
        ("@yearly", "2027-01-01 00:00", "2028-01-01 00:00"),
    ],
)
def test_other_fields_and_shorthands_fire_as_in_crontab(tmp_path, cron, first, second):
    times = fire_times(trigger_of(tmp_path, cron), START, START + timedelta(days=2000), most=2)
    assert [t.strftime("%Y-%m-%d %H:%M") for t in times] == [first, second]


def test_cron_runs_in_the_jobs_time_zone(tmp_path):
    times = fire_times(trigger_of(tmp_path, "0 9 * * mon", timezone="Europe/Amsterdam"))
    assert [t.astimezone(START.tzinfo).strftime("%a %H:%M") for t in times] == ["Mon 15:00", "Mon 15:00"]

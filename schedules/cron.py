"""Cron expressions with the meaning crontab(5) gives them (as cronie and Vixie cron run them).

APScheduler's own cron fields differ from crontab in ways that silently change a schedule
(weekdays count from Monday, `*/2` steps from Monday, `1/2` means a single day, day-of-month
and day-of-week are ANDed), so the five fields are parsed here into plain sets of values and
handed to APScheduler as explicit lists:

- weekday: 0-7 or sun..sat (any case); 0 and 7 are both Sunday. `*/2` is sun,tue,thu,sat,
  `1-5/2` is mon,wed,fri, `fri-sun` wraps to Sunday as in cronie.
- a step needs a range or `*` (`1-7/2`, `*/2`): cron refuses `1/2`, and so do we, rather than
  guess whether it means "Monday" or "every other day from Monday".
- a step wider than its range (`*/90` minutes) would mean only the first value: refused.
- when both day-of-month and weekday are restricted (neither starts with `*`), the job runs on
  days matching EITHER, like cron (`30 4 1,15 * fri`: the 1st, the 15th and every Friday).
- @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly; @reboot is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February 29 exists, in leap years
MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
ITEM = re.compile(
    r"(?:(?P<star>\*)|(?P<first>[0-9a-z]+)(?:-(?P<last>[0-9a-z]+))?)(?:/(?P<step>[0-9]+))?", re.IGNORECASE
)


@dataclass(frozen=True)
class Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    name_base: int = 0  # the value of the first name

    def value(self, token: str) -> int:
        if token.isdigit():
            # A long digit string is out of range whatever it says (and int() refuses 4,300+ digits).
            number = int(token) if len(token) <= 4 else self.high + 1
            if not self.low <= number <= self.high:
                raise ValueError(f"{token} is out of range {self.low}-{self.high}{self.hint()}")
            return number
        if token.lower() in self.names:
            return self.names.index(token.lower()) + self.name_base
        if self.names:
            raise ValueError(
                f"unknown name {token!r}: use {self.low}-{self.high} or "
                f"{self.names[0]}..{self.names[-1]} (three letters, any case)"
            )
        raise ValueError(f"{token!r} is not a number")

    def hint(self) -> str:
        return " (Sunday is 0 or 7)" if self.name == "weekday" else ""


FIELDS = (
    Field("minute", 0, 59),
    Field("hour", 0, 23),
    Field("day-of-month", 1, 31),
    Field("month", 1, 12, MONTH_NAMES, 1),
    Field("weekday", 0, 7, DAY_NAMES),
)


def parse_item(item: str, field: Field) -> set[int]:
    """One comma-separated item of a field: N, N-M, N-M/S, */S or *, names allowed."""
    match = ITEM.fullmatch(item)
    if not match:
        raise ValueError("not N, N-M, N-M/S, * or */S")
    if match["first"] and not match["last"] and match["step"]:
        raise ValueError(
            f"a step needs a range or '*' ('{match['first']}-{field.high}/{match['step']}' "
            f"or '*/{match['step']}'), as in crontab(5)"
        )
    if match["star"]:
        first, last = field.low, field.high
    else:
        first = field.value(match["first"])
        last = field.value(match["last"]) if match["last"] else first
    if field.name == "weekday" and last == 0 and first > 0:
        last = 7  # `fri-sun`, `5-0`: cronie reads a range ending on Sunday as ending on day 7
    if first > last:
        raise ValueError("the range runs backwards")
    step = 1 if not match["step"] else int(match["step"]) if len(match["step"]) <= 4 else 10_000
    # cronie warns and runs only the first value for a step wider than its range (`*/90` minutes
    # is :00 hourly, not every 90 minutes): a schedule that means something else is refused here.
    if step < 1 or (step > 1 and step > last - first):
        raise ValueError(f"the step must be between 1 and {max(last - first, 1)}, the width of its range")
    return set(range(first, last + 1, step))


def parse_field(text: str, field: Field) -> frozenset[int]:
    values: set[int] = set()
    items = text.split(",")
    for item in items:
        try:
            values |= parse_item(item, field)
        except ValueError as exc:
            where = f"{field.name} field {text!r}" + (f", item {item!r}" if len(items) > 1 else "")
            raise ValueError(f"{where}: {exc}") from None
    if field.name == "weekday" and 7 in values:
        values = (values - {7}) | {0}
    return frozenset(values)


@dataclass(frozen=True)
class CronSpec:
    minute: frozenset[int]
    hour: frozenset[int]
    day: frozenset[int]
    month: frozenset[int]
    weekday: frozenset[int]  # 0 = Sunday
    either_day: bool  # day-of-month and weekday both restricted: a day matching either runs


def parse_cron(expr: str) -> CronSpec:
    text = MACROS.get(expr.strip().lower(), expr)
    if text.strip().startswith("@"):
        raise ValueError(f"{expr.strip()!r} is not supported: use {', '.join(MACROS)} or five fields")
    parts = text.split()
    if len(parts) != 5:
        raise ValueError(f"cron needs 5 fields (minute hour day-of-month month weekday), got {len(parts)}")
    values = [parse_field(part, field) for part, field in zip(parts, FIELDS, strict=True)]
    spec = CronSpec(*values, either_day=not parts[2].startswith("*") and not parts[4].startswith("*"))
    if not spec.either_day and not month_days(spec):
        raise ValueError("never runs: no month in the month field has a day in the day-of-month field")
    return spec


def month_days(spec: CronSpec) -> bool:
    """Whether some (month, day) of the spec exists in some year."""
    return any(day <= MONTH_DAYS[month - 1] for month in spec.month for day in spec.day)


def _listed(values: frozenset[int], field: Field) -> str:
    full = set(range(field.low, field.high + 1)) - ({7} if field.name == "weekday" else set())
    if values == full:
        return "*"
    if field.name == "weekday":  # by name: APScheduler counts weekday numbers from Monday
        return ",".join(DAY_NAMES[v] for v in sorted(values))
    return ",".join(str(v) for v in sorted(values))


def cron_trigger(expr: str, tz: str) -> CronTrigger | OrTrigger:
    """An APScheduler trigger that fires exactly when crontab would fire `expr` in `tz`."""
    spec = parse_cron(expr)
    minute, hour, day, month, weekday = (
        _listed(getattr(spec, f), field)
        for f, field in zip(("minute", "hour", "day", "month", "weekday"), FIELDS, strict=True)
    )

    def trigger(day: str, weekday: str) -> CronTrigger:
        return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, timezone=ZoneInfo(tz))

    if not spec.either_day:
        return trigger(day, weekday)
    if not month_days(spec):  # `0 0 31 2 fri`: only the Fridays; a trigger that never fires costs 0.2 s a call
        return trigger("*", weekday)
    return OrTrigger([trigger(day, "*"), trigger("*", weekday)])

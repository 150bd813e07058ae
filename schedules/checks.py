"""Typed, bounded values of a schedule file. Every check happens at load time so that a value
which would crash later (an interval overflowing a date, a float where a count goes, `true`
read as 1) is refused with its key, instead of failing inside the running service."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY = 86400
INTERVAL_BOUNDS = (1, 3660 * DAY)  # a second to ten years: APScheduler overflows long before 1e300
TIMEOUT_BOUNDS = (1, 31 * DAY)
GRACE_BOUNDS = (1, 31 * DAY)  # APScheduler needs a whole number of seconds, at least 1
DAYS_BOUNDS = (1, 3660)
LIMIT_BOUNDS = (1, 10_000_000)


class FieldError(ValueError):
    """A bad value; `key` says where in its table (None: the table itself)."""

    def __init__(self, key: str | None, message: str):
        super().__init__(message)
        self.key = key


def shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def span(seconds: float) -> str:
    for unit, size in (("days", DAY), ("hours", 3600), ("minutes", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} second" + ("" if seconds == 1 else "s")


def number(raw: dict, key: str) -> float | None:
    value = raw.get(key)
    # bool is an int to Python: `timeout_minutes = true` must not mean one minute.
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise FieldError(key, f"{key} must be a number, got {shown(value)}")
    return value


def duration(raw: dict, key: str, unit_seconds: int, bounds: tuple[int, int], what: str) -> float | None:
    """`raw[key]` in `unit_seconds` units, as seconds within `bounds`; None when absent."""
    value = number(raw, key)
    if value is None:
        return None
    seconds = value * unit_seconds
    if math.isnan(seconds) or not bounds[0] <= seconds <= bounds[1]:
        raise FieldError(key, f"{key} = {shown(value)}: {what} must be between {span(bounds[0])} and {span(bounds[1])}")
    return seconds


def integer(raw: dict, key: str, bounds: tuple[int, int]) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not bounds[0] <= value <= bounds[1]:
        raise FieldError(key, f"{key} must be a whole number from {bounds[0]:,} to {bounds[1]:,}, got {shown(value)}")
    return value


def text(raw: dict, key: str) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise FieldError(key, f"{key} must be a string, got {shown(value)}")
    return value


def flag(raw: dict, key: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise FieldError(key, f"{key} must be true or false, got {shown(value)}")
    return value


def time_zone(raw: dict, key: str) -> str | None:
    name = text(raw, key)
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
        raise FieldError(key, f"unknown time zone {shown(name)}") from None
    return name

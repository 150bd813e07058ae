"""Indonesian date parsing without OS locales.

Pages print `19 September 2023 14:30`, `Selasa, 7 Desember 2021 07:06 WIB`,
`10 Nov 2021, 23:11 wib`, `pukul 02.30 WITA`; metadata carries ISO 8601.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

MONTHS = {
    "januari": 1,
    "jan": 1,
    "january": 1,
    "februari": 2,
    "pebruari": 2,
    "feb": 2,
    "peb": 2,
    "february": 2,
    "maret": 3,
    "mar": 3,
    "march": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "jun": 6,
    "june": 6,
    "juli": 7,
    "jul": 7,
    "july": 7,
    "agustus": 8,
    "agu": 8,
    "agt": 8,
    "ags": 8,
    "aug": 8,
    "august": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "oct": 10,
    "october": 10,
    "november": 11,
    "nov": 11,
    "nop": 11,
    "desember": 12,
    "des": 12,
    "dec": 12,
    "december": 12,
}
DAYS = r"(?:Senin|Selasa|Rabu|Kamis|Jum'?at|Sabtu|Minggu|Ahad)"
ZONES = {"wib": 7, "wita": 8, "wit": 9, "utc": 0, "gmt": 0}

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_RE = re.compile(
    rf"(?:{DAYS},?\s*)?(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH_ALT})\.?\s+(?P<year>\d{{4}})"
    r"(?:\s*[,|/]?\s*(?:pukul\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?)?"
    r"(?:\s*(?P<zone>WIB|WITA|WIT|UTC|GMT)\b)?",
    re.IGNORECASE,
)


# Some templates print numeric dates: 19/09/2023 14:30 or 19-09-2023, 14.30 WIB (day first).
NUMERIC_DATE_RE = re.compile(
    rf"(?:{DAYS},?\s*)?(?P<day>\d{{1,2}})[/-](?P<month>\d{{1,2}})[/-](?P<year>\d{{4}})"
    r"(?:\s*[,|]?\s*(?:pukul\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?)?"
    r"(?:\s*(?P<zone>WIB|WITA|WIT|UTC|GMT)\b)?",
    re.IGNORECASE,
)


def find_date(text: str) -> re.Match | None:
    """The first Indonesian date (with optional time and zone) in `text`, worded or numeric."""
    return DATE_RE.search(text or "") or NUMERIC_DATE_RE.search(text or "")


def parse_indonesian(text: str, default_tz: str = "Asia/Jakarta") -> datetime | None:
    """Aware datetime for the first Indonesian date in `text`; zone from the text, else `default_tz`."""
    m = find_date(text)
    return date_from_match(m, default_tz) if m else None


def date_from_match(m: re.Match, default_tz: str = "Asia/Jakarta") -> datetime | None:
    """Aware datetime for a `find_date` match; None when it names no real day."""
    try:
        month = int(m["month"]) if m["month"].isdigit() else MONTHS[m["month"].lower()]
        naive = datetime(
            int(m["year"]), month, int(m["day"]), int(m["hour"] or 0), int(m["minute"] or 0), int(m["second"] or 0)
        )
    except ValueError:
        return None
    if m["zone"]:
        return naive.replace(tzinfo=timezone(timedelta(hours=ZONES[m["zone"].lower()])))
    return naive.replace(tzinfo=ZoneInfo(default_tz))


def parse_iso(text: str | None, default_tz: str = "Asia/Jakarta") -> datetime | None:
    """Aware datetime from ISO 8601 (`2023-09-19T14:30:00+07:00`, `...Z`, or naive = site zone)."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(default_tz))


def parse_rfc822(text: str | None) -> datetime | None:
    """Aware datetime from an RSS pubDate; None when it does not parse."""
    from email.utils import parsedate_to_datetime

    if not text:
        return None
    try:
        value = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def parse_day(text: str) -> date:
    """A `YYYY-MM-DD` argument; ValueError with a readable reason otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date in YYYY-MM-DD form: {text!r}") from None


def local_day(instant: datetime, tz: str = "Asia/Jakarta") -> date:
    """The calendar day of `instant` in the site's zone (WIB for medcom)."""
    return instant.astimezone(ZoneInfo(tz)).date()

"""Indonesian date parsing without OS locales.

Pages print `19 September 2023 14:30`, `Selasa, 7 Desember 2021 07:06 WIB`,
`10 Nov 2021, 23:11 wib`, `pukul 02.30 WITA`, and, on other Indonesian sites,
`Jum'at, 24 Juli 2026 - 13:39 WIB` (sindonews), `Kompas.com - 08/05/2021, 12:59 WIB`,
`Jum'at, 24 Juli 2026 | 07:08 WIB` (suara), `Terbit 2 Sep 2025 17:00 WIB` (tirto),
`21/7/2026 22:42` (Media Indonesia, day first); custom meta tags `2026/06/05 20:30:23`
(detik). A text may hold several dates: labels tell the publication time (`Terbit`,
`Tayang`, `Dipublikasikan`) from the update (`Diperbarui`, `Update`). Metadata carries
ISO 8601 (see `extract.published`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
# Weekdays as Indonesian pages print them (okezone and suara write `Jum'at`), and in English.
DAYS = (
    r"(?:Senin|Selasa|Rabu|Kamis|Jum[’'`]?at|Sabtu|Minggu|Ahad"
    r"|Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)"
)
ZONES = {"wib": 7, "wita": 8, "wit": 9, "utc": 0, "gmt": 0}

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = rf"(?:\b{DAYS}\.?,?\s*)?"
# Between the date and the time: nothing, or `,` `|` `/` `-` `•` (and "pukul"); the time with
# `:` or `.`, never the start of a longer number (`1.500 orang`).
_TIME = (
    r"(?:\s*[,|/•·–—-]+)?\s*(?:(?:pukul|pkl\.?|jam)\s*)?"
    r"(?P<hour>[01]?\d|2[0-3])[:.](?P<minute>[0-5]\d)(?:[:.](?P<second>[0-5]\d))?(?!\d|[.:]\d)"
)
_ZONE = r"(?:\s*(?P<zone>WIB|WITA|WIT|UTC|GMT)\b)?"
DATE_RE = re.compile(
    rf"{_WEEKDAY}(?<!\d)(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH_ALT})\b\.?,?\s+(?P<year>\d{{4}})(?!\d)"
    rf"(?:{_TIME})?{_ZONE}",
    re.IGNORECASE,
)
# Some templates print numeric dates: 19/09/2023 14:30 or 19-09-2023, 14.30 WIB (day first).
NUMERIC_DATE_RE = re.compile(
    rf"{_WEEKDAY}(?<!\d)(?P<day>\d{{1,2}})([/-])(?P<month>\d{{1,2}})\2(?P<year>\d{{4}})(?!\d)(?:{_TIME})?{_ZONE}",
    re.IGNORECASE,
)
# Year first, as custom meta tags write it: `2026/06/05 20:30:23` (detik), `2026-06-05 20:30`.
YEAR_FIRST_RE = re.compile(
    rf"(?<!\d)(?P<year>\d{{4}})([/-])(?P<month>\d{{1,2}})\2(?P<day>\d{{1,2}})(?!\d)"
    r"(?:(?:T|\s+)(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?(?!\d))?"
    rf"{_ZONE}",
    re.IGNORECASE,
)
PRINTED_PATTERNS = (DATE_RE, NUMERIC_DATE_RE)  # what bylines print
VALUE_PATTERNS = (DATE_RE, NUMERIC_DATE_RE, YEAR_FIRST_RE)  # what custom meta tags hold besides
# Labels saying which time a date is: kompas prints "Diperbarui ..." after the publication
# time, tirto "Terbit ...", tribun "Tayang: ...".
MODIFIED_LABEL = re.compile(
    r"\b(?:diperbarui|diperbaharui|diupdate|di-update|update|updated|pembaruan|modified|last\s+modified)\b",
    re.IGNORECASE,
)
PUBLISHED_LABEL = re.compile(
    r"\b(?:terbit|diterbitkan|tayang|ditayangkan|dipublikasikan|dipublikasi|publikasi|published|posted|dirilis)\b",
    re.IGNORECASE,
)
MAX_TEXT = 400  # a byline or a meta value; longer texts are cut before the search
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True)
class PrintedDate:
    """One date found in a text: where, as what (`published`, `modified`, or None when no label
    says), and what it holds."""

    match: re.Match
    kind: str | None

    @property
    def text(self) -> str:
        return self.match.group(0).strip(" ,|-–—•")

    @property
    def has_time(self) -> bool:
        return self.match["hour"] is not None

    @property
    def has_seconds(self) -> bool:
        return self.match["second"] is not None

    @property
    def zone(self) -> str | None:
        """The zone the text names (`WIB`...), upper case; None when it names none."""
        return self.match["zone"].upper() if self.match["zone"] else None

    def naive(self) -> datetime | None:
        """The wall-clock time as printed; None when it names no real day."""
        m = self.match
        try:
            month = int(m["month"]) if m["month"].isdigit() else MONTHS[m["month"].lower()]
            return datetime(
                int(m["year"]), month, int(m["day"]), int(m["hour"] or 0), int(m["minute"] or 0), int(m["second"] or 0)
            )
        except (ValueError, KeyError):
            return None

    def value(self, default_tz: str = "Asia/Jakarta") -> datetime | None:
        """Aware datetime: in the zone the text names, else `default_tz`."""
        naive = self.naive()
        if naive is None:
            return None
        if self.zone:
            return naive.replace(tzinfo=timezone(timedelta(hours=ZONES[self.zone.lower()])))
        return naive.replace(tzinfo=ZoneInfo(default_tz))


def find_dates(text: str, patterns=PRINTED_PATTERNS) -> list[PrintedDate]:
    """Every date in `text` (worded or day-first numeric; `VALUE_PATTERNS` adds year-first,
    which Indonesian bylines never print and other languages' bylines do), in reading order,
    each with the label that stands between it and the date before it (the last one wins)."""
    text = (text or "")[:MAX_TEXT]
    if not _YEAR.search(text):
        return []  # most texts a byline scan reads hold no date: one cheap test
    matches = sorted(
        (m for pattern in patterns for m in pattern.finditer(text)), key=lambda m: (m.start(), -len(m.group(0)))
    )
    found, end = [], 0
    for m in matches:
        if m.start() < end:
            continue  # inside a longer date found before (a weekday-less reading of the same text)
        gap = text[end : m.start()]
        labels = [(lm.start(), "modified") for lm in MODIFIED_LABEL.finditer(gap)]
        labels += [(lm.start(), "published") for lm in PUBLISHED_LABEL.finditer(gap)]
        found.append(PrintedDate(m, max(labels)[1] if labels else None))
        end = m.end()
    return found


def published_date(dates: list[PrintedDate]) -> PrintedDate | None:
    """The publication date among the dates of one text: the one a label calls published, else
    the first no label calls modified; None when every date is a modification time."""
    return next((d for d in dates if d.kind == "published"), None) or next((d for d in dates if d.kind is None), None)


def find_date(text: str) -> re.Match | None:
    """The publication date (with optional time and zone) in `text`, worded or numeric."""
    found = published_date(find_dates(text))
    return found.match if found else None


def parse_indonesian(text: str, default_tz: str = "Asia/Jakarta") -> datetime | None:
    """Aware datetime for the publication date in `text`; zone from the text, else `default_tz`."""
    found = published_date(find_dates(text))
    return found.value(default_tz) if found else None


def date_from_match(m: re.Match, default_tz: str = "Asia/Jakarta") -> datetime | None:
    """Aware datetime for a `find_date` match; None when it names no real day."""
    return PrintedDate(m, None).value(default_tz)


def printed_value(text: str) -> PrintedDate | None:
    """The date a whole value is (a meta tag's `24 Juli 2026 | 11.32 WIB`), or None when the
    value holds more than one date's digits."""
    dates = find_dates(text, VALUE_PATTERNS)
    if len(dates) != 1 or re.search(r"\d", text[: dates[0].match.start()] + text[dates[0].match.end() :]):
        return None
    return dates[0]


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

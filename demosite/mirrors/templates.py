"""The `{placeholder}` strings of the site styles: filling them, drawing random tokens
(`{digits:7}`), the date placeholders of one moment, and the regular expression a URL
template stands for (what a test checks generated URLs against).

No `str.format`: a template only names values, it never reaches into them (no attribute
access or indexing), and `{{`/`}}` are literal braces (JSON in an inline script).
"""

from __future__ import annotations

import random
import re
import string
from datetime import UTC, datetime

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)(?::(\d{1,2}))?\}")

# Random tokens, for ids and editor codes: `{kind:N}` draws N characters.
TOKENS = {
    "digits": string.digits,
    "seq": string.digits,  # like digits, but increasing with the publication time
    "alnum": string.ascii_letters + string.digits,
    "lower": string.ascii_lowercase + string.digits,
    "hex": "0123456789abcdef",
    "alpha": string.ascii_lowercase,
    "upper": string.ascii_uppercase,
}

MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
MONTHS_SHORT = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Day-level names (listing and sitemap URLs); a moment adds the time and the full formats.
DAY_NAMES = ("yyyy", "yy", "mm", "m", "dd", "d")
DATE_NAMES = DAY_NAMES + (
    "HH",
    "MM",
    "SS",
    "month",
    "mon",
    "month_en",
    "mon_en",
    "weekday",
    "weekday_apos",
    "weekday_en",
    "iso",
    "iso_utc",
    "iso_naive",
    "epoch",
    "epoch_ms",
    "rfc822",
)


class TemplateError(ValueError):
    """A template names a placeholder its context does not have."""


def names(template: str) -> list[tuple[str, int | None]]:
    """The placeholders of `template`, as (name, token length or None)."""
    return [(m[1], int(m[2]) if m[2] else None) for m in PLACEHOLDER.finditer(template) if m[1]]


def fill(template: str, values: dict[str, str]) -> str:
    """`template` with every `{name}` replaced by `values[name]` (already escaped for where
    it lands); TemplateError for a name `values` lacks or a token placeholder."""

    def one(m: re.Match) -> str:
        if not m[1]:
            return m[0][0]
        if m[2] or m[1] not in values:
            raise TemplateError(f"unknown placeholder {m[0]}")
        return values[m[1]]

    return PLACEHOLDER.sub(one, template)


def draw(template: str, rng: random.Random, values: dict[str, str], seq: int = 0) -> str:
    """`template` with its tokens drawn at random (`{seq:N}` from the counter `seq`) and its
    other placeholders filled from `values`."""

    def one(m: re.Match) -> str:
        if not m[1]:
            return m[0][0]
        if m[2]:
            kind, n = m[1], int(m[2])
            if kind == "seq":  # n digits, no leading zero
                return str(10 ** (n - 1) + seq % (9 * 10 ** (n - 1)))
            if kind == "digits":  # no leading zero: a number, as the sites print it
                return rng.choice("123456789") + "".join(rng.choice(string.digits) for _ in range(n - 1))
            return "".join(rng.choice(TOKENS[kind]) for _ in range(n))
        return values[m[1]]

    return PLACEHOLDER.sub(one, template)


def date_values(moment: datetime, prefix: str = "") -> dict[str, str]:
    """Every date placeholder of `moment` (a local WIB time), its names prefixed by `prefix`."""
    m = moment
    naive = m.strftime("%Y-%m-%dT%H:%M:%S")
    values = {
        "yyyy": f"{m.year:04d}",
        "yy": f"{m.year % 100:02d}",
        "mm": f"{m.month:02d}",
        "m": str(m.month),
        "dd": f"{m.day:02d}",
        "d": str(m.day),
        "HH": f"{m.hour:02d}",
        "MM": f"{m.minute:02d}",
        "SS": f"{m.second:02d}",
        "month": MONTHS[m.month - 1],
        "mon": MONTHS_SHORT[m.month - 1],
        "month_en": MONTHS_EN[m.month - 1],
        "mon_en": MONTHS_EN[m.month - 1][:3],
        "weekday": WEEKDAYS[m.weekday()],
        "weekday_apos": WEEKDAYS[m.weekday()].replace("Jumat", "Jum'at"),
        "weekday_en": WEEKDAYS_EN[m.weekday()],
        "iso": m.isoformat(),
        "iso_utc": m.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "iso_naive": naive,
        "epoch": str(int(m.timestamp())),
        "epoch_ms": str(int(m.timestamp()) * 1000),
        "rfc822": m.strftime("%a, %d %b %Y %H:%M:%S %z"),
    }
    return {prefix + k: v for k, v in values.items()}


# What each placeholder of a URL template may stand for (a test's view of a URL's shape).
_URL_SHAPES = {
    "host": r"[a-z0-9.-]+",
    "channel": r"[a-z0-9-]+",
    "subchannel": r"[a-z0-9-]+",
    "code": r"\d+",
    "prefix": r"(?:/[a-z0-9-]+)*",
    "slug": r"[a-z0-9]+(?:-[a-z0-9]+)*",
    "slug_title": r"[A-Z][A-Za-z0-9]*(?:-[A-Z][A-Za-z0-9]*)*",
    "slug_dotted": r"[A-Z][A-Za-z0-9]*(?:\.[A-Z][A-Za-z0-9]*)*",
    "author_slug": r"[a-z0-9]+(?:-[a-z0-9]+)*",
    "yyyy": r"\d{4}",
    "yy": r"\d{2}",
    "mm": r"\d{2}",
    "m": r"\d{1,2}",
    "dd": r"\d{2}",
    "d": r"\d{1,2}",
    "HH": r"\d{2}",
    "MM": r"\d{2}",
    "SS": r"\d{2}",
    "epoch": r"\d{10}",
    "page": r"\d+",
    "offset": r"\d+",
}
_TOKEN_SHAPES = {
    "digits": r"\d",
    "seq": r"\d",
    "alnum": "[A-Za-z0-9]",
    "lower": "[a-z0-9]",
    "hex": "[0-9a-f]",
    "alpha": "[a-z]",
    "upper": "[A-Z]",
}


def url_regex(template: str, id_template: str = "", hosts: tuple[str, ...] = ()) -> re.Pattern:
    """The URLs `template` can produce, `{id}` standing for what `id_template` can draw and
    `{host}` for one of `hosts` (any host name when none are given)."""
    out, at = [], 0
    for m in PLACEHOLDER.finditer(template):
        out.append(re.escape(template[at : m.start()]))
        at = m.end()
        if not m[1]:
            out.append(re.escape(m[0][0]))
        elif m[1] == "id":
            out.append(f"(?:{url_regex(id_template).pattern[1:-1]})")
        elif m[2]:
            out.append(f"{_TOKEN_SHAPES[m[1]]}{{{m[2]}}}")
        elif m[1] == "host" and hosts:
            out.append("(?:" + "|".join(re.escape(h) for h in hosts) + ")")
        else:
            out.append(f"(?:{_URL_SHAPES[m[1]]})")
    out.append(re.escape(template[at:]))
    return re.compile("^" + "".join(out) + "$")


def url_names() -> set[str]:
    """The placeholders a URL template may use (tokens apart)."""
    return set(_URL_SHAPES) | {"id"}

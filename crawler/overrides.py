"""`-s NAME=VALUE`: one setting of a crawl set from the command line (`warta crawl -s`, a
schedule job's `settings` table), checked before any work starts. A name that is neither one
of warta's settings (crawler.settings) nor Scrapy's is refused: a typo must not be ignored."""

from __future__ import annotations

import re

from scrapy.settings import default_settings

import crawler.settings as warta_settings

NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def known_setting(name: str) -> bool:
    return hasattr(warta_settings, name) or hasattr(default_settings, name)


def check_setting(name: str) -> str | None:
    """Why `name` cannot be set, or None."""
    if not NAME.fullmatch(name):
        return f"{name!r} is not a setting name (upper case, digits and _)"
    if not known_setting(name):
        return f"unknown setting {name!r} (see docs/settings.md)"
    return None


def parse_override(text: str) -> tuple[str, str]:
    """(name, value) of `NAME=VALUE`; ValueError with the reason."""
    name, sep, value = text.partition("=")
    if not sep:
        raise ValueError(f"expected NAME=VALUE, got {text!r}")
    if problem := check_setting(name.strip()):
        raise ValueError(problem)
    return name.strip(), value

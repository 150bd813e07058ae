"""Site definition files: one TOML file a site, validated on load with the file, the line and the
reason of every bad value (docs/sites.md has the format). Regular expressions and CSS selectors
are compiled here, once; templates may name only the groups their pattern has. Nothing in a
file is evaluated. `read_site_file(path)` gives the keyword arguments of a `SiteProfile`.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from string import Formatter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml.cssselect import CSSSelector, SelectorError

from extract.toml_lines import Table, key_line, tables

NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")
HOST = re.compile(r"(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+\.[a-z]{2,}")
# The groups a template may name besides the pattern's own: the URL's host and its first label.
HOST_FIELDS = {"host", "host1"}
SECTIONS = ("article", "urls", "discovery", "selectors", "cleaning", "dates", "pages", "politeness")
TOP_KEYS = {"name", "title", "version", "hosts", "exclude_hosts", "origin", "home", "timezone", "language", "sources"}
KEYS = {
    "article": {"pattern", "id", "channel", "subchannel", "note"},
    "urls": {"tracking_params", "keep_query", "amp_prefix", "exclude", "same_host"},
    "discovery": {"robots", "sitemaps", "news_sitemaps", "feeds", "latest", "date_index", "date_index_pages"},
    "selectors": {"title", "kicker", "byline", "date", "authors", "body", "tags", "image", "caption", "breadcrumb"},
    "cleaning": {"drop", "phrases", "related_prefix", "editor_code", "title_suffix"},
    "dates": {"meta", "local_time_as_utc"},
    "pages": {"all"},
    "politeness": {"delay", "concurrency"},
}


class SiteFileError(ValueError):
    """A site definition that cannot be used; the message names the file, the line and the reason."""


class _Bad(ValueError):
    """A bad value: `section` and `key` say where (None: the section itself)."""

    def __init__(self, section: str, key: str | None, message: str, index: int = 0):
        super().__init__(message)
        self.section, self.key, self.index = section, key, index


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(section: str, table: dict, key: str, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise _Bad(section, None, f"{key} is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _Bad(section, key, f"{key} must be a non-empty string, got {_shown(value)}")
    return value


def _texts(section: str, table: dict, key: str) -> tuple[str, ...] | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _Bad(section, key, f"{key} must be a list of non-empty strings, got {_shown(value)}")
    return tuple(value)


def _regex(section: str, key: str, pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _Bad(section, key, f"{key}: not a regular expression: {exc}") from None
    return pattern


def _css(section: str, key: str, selector: str) -> str:
    try:
        CSSSelector(selector)
    except (SelectorError, ValueError, TypeError) as exc:
        raise _Bad(section, key, f"{key}: not a CSS selector: {selector!r} ({exc})") from None
    return selector


def _template(section: str, key: str, text: str, groups: set[str]) -> str:
    """A `{group}` template over `groups`; only plain names (no attribute, index or format)."""
    try:
        fields = list(Formatter().parse(text))
    except ValueError as exc:
        raise _Bad(section, key, f"{key}: not a template: {exc}") from None
    for _literal, name, spec, conversion in fields:
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise _Bad(section, key, f"{key}: {{{name}}} must be a plain group name")
        if name not in groups:
            known = ", ".join(sorted(groups))
            raise _Bad(section, key, f"{key}: {{{name}}} is not a named group of the pattern (known: {known})")
    return text


def _article(raw, index: int) -> dict:
    if not isinstance(raw, dict):
        raise _Bad("article", None, "each [[article]] must be a table", index)
    unknown = sorted(set(raw) - KEYS["article"])
    if unknown:
        raise _Bad(
            "article", unknown[0], f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(KEYS['article']))})", index
        )
    try:
        pattern = _regex("article", "pattern", _text("article", raw, "pattern", required=True))
        groups = set(re.compile(pattern).groupindex) | HOST_FIELDS
        ident = _text("article", raw, "id") or ("{id}" if "id" in groups else "hash")
        if ident != "hash":
            _template("article", "id", ident, groups)
        found = {"pattern": pattern, "id": ident, "note": raw.get("note", "")}
        for key in ("channel", "subchannel"):
            if (value := _text("article", raw, key)) is not None:
                found[key] = _template("article", key, value, groups)
    except _Bad as exc:
        exc.index = index
        raise
    return found


def _host(section: str, key: str, host: str) -> str:
    if not HOST.fullmatch(host):
        raise _Bad(section, key, f"{key}: {host!r} is not a host name (lower case; `*.` for any subdomain)")
    return host


def _fields(data: dict, name: str) -> dict:
    """SiteProfile keyword arguments from a parsed file; _Bad at the first bad value."""
    unknown = sorted(set(data) - TOP_KEYS - set(SECTIONS))
    if unknown:
        raise _Bad("", unknown[0], f"unknown key {unknown[0]!r}")
    found: dict = {"name": _text("", data, "name", required=True)}
    if not NAME.fullmatch(found["name"]) or found["name"] != name:
        raise _Bad("", "name", f"name must be the file's name ({name!r}): lower-case letters, digits, - and _")
    found["version"] = _text("", data, "version", required=True)
    found["hosts"] = tuple(_host("", "hosts", h) for h in _texts("", data, "hosts") or ())
    if not found["hosts"]:
        raise _Bad("", "hosts", "hosts must list at least one host")
    for key in ("title", "origin", "home", "timezone", "language"):
        if (value := _text("", data, key)) is not None:
            found[key] = value
    for key in ("origin", "home"):
        if key in found and not re.fullmatch(r"https?://[a-z0-9.-]+(:\d+)?", found[key]):
            raise _Bad("", key, f"{key} must be scheme://host, got {_shown(found[key])}")
    if "origin" not in found and "home" not in found:
        raise _Bad("", "home", "a site without an origin (each article keeps its host) needs home = its front page")
    if "timezone" in found:
        try:
            ZoneInfo(found["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise _Bad("", "timezone", f"unknown time zone {found['timezone']!r}") from None
    if (excluded := _texts("", data, "exclude_hosts")) is not None:
        found["exclude_hosts"] = tuple(_host("", "exclude_hosts", h) for h in excluded)
    found["sources"] = _texts("", data, "sources") or ()
    articles = data.get("article")
    if not isinstance(articles, list) or not articles:
        raise _Bad("", "article", "at least one [[article]] table (an article URL pattern) is required")
    found["articles"] = tuple(_article(raw, i) for i, raw in enumerate(articles))
    for section in SECTIONS[1:]:
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise _Bad("", section, f"{section} must be a table")
        unknown = sorted(set(table) - KEYS[section])
        if unknown:
            allowed = ", ".join(sorted(KEYS[section]))
            raise _Bad(section, unknown[0], f"unknown key {unknown[0]!r} in [{section}] (allowed: {allowed})")
        found.update(_SECTION_READERS[section](table))
    return found


def _urls(t: dict) -> dict:
    found: dict = {}
    if (value := _texts("urls", t, "tracking_params")) is not None:
        found["tracking_params"] = value
    if (value := _texts("urls", t, "keep_query")) is not None:
        found["keep_query"] = value
    if "amp_prefix" in t:
        found["amp_prefix"] = _text("urls", t, "amp_prefix")
    if (value := _texts("urls", t, "exclude")) is not None:
        found["exclude_paths"] = tuple(_regex("urls", "exclude", v) for v in value)
    same = t.get("same_host", {})
    if not isinstance(same, dict) or not all(isinstance(v, str) for v in same.values()):
        raise _Bad("urls", "same_host", "same_host must be a table of host = host")
    if same:
        found["same_host"] = tuple(
            (_host("urls", "same_host", k), _host("urls", "same_host", v)) for k, v in same.items()
        )
    return found


def _discovery(t: dict) -> dict:
    found: dict = {}
    if "robots" in t:
        if not isinstance(t["robots"], bool):
            raise _Bad("discovery", "robots", "robots must be true or false")
        found["read_robots"] = t["robots"]
    for key, field in (
        ("sitemaps", "sitemap_paths"),
        ("news_sitemaps", "news_sitemap_paths"),
        ("feeds", "feed_paths"),
        ("latest", "latest_paths"),
    ):
        if (value := _texts("discovery", t, key)) is not None:
            found[field] = value
    if (value := _text("discovery", t, "date_index")) is not None:
        try:
            value.format(date=date(2026, 1, 2), page=1)
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            raise _Bad(
                "discovery", "date_index", f"date_index: only {{date:FORMAT}} and {{page}} may be named ({exc})"
            ) from None
        found["date_index_path"] = value
    if "date_index_pages" in t:
        pages = t["date_index_pages"]
        if isinstance(pages, bool) or not isinstance(pages, int) or not 1 <= pages <= 10_000:
            raise _Bad("discovery", "date_index_pages", "date_index_pages must be a whole number from 1 to 10,000")
        found["date_index_pages"] = pages
    return found


def _selectors(t: dict) -> dict:
    found: dict = {}
    for key in KEYS["selectors"]:
        if (value := _texts("selectors", t, key)) is not None:
            field = {"tags": "tag", "authors": "author"}.get(key, key)
            found[f"{field}_selectors"] = tuple(_css("selectors", key, v) for v in value)
    return found


def _cleaning(t: dict) -> dict:
    found: dict = {}
    drop = t.get("drop")
    if drop is not None:
        if isinstance(drop, list):
            drop = {"site_boilerplate": ", ".join(drop)} if drop else {}
        if not isinstance(drop, dict) or not all(isinstance(v, str) for v in drop.values()):
            raise _Bad("cleaning", "drop", "drop must be a list of CSS selectors, or a table of rule = selectors")
        found["site_drop_selectors"] = tuple((rule, _css("cleaning", "drop", sel)) for rule, sel in drop.items())
    phrases = t.get("phrases")
    if phrases is not None:
        rules = []
        for phrase in phrases if isinstance(phrases, list) else [None]:
            if not isinstance(phrase, dict) or set(phrase) != {"rule", "keyword", "pattern"}:
                raise _Bad("cleaning", "phrases", "each phrase is { rule = ..., keyword = ..., pattern = ... }")
            keyword = phrase["keyword"]
            if not isinstance(keyword, str) or keyword != keyword.lower() or not keyword:
                raise _Bad(
                    "cleaning", "phrases", f"a phrase's keyword is lower-case text it contains, got {_shown(keyword)}"
                )
            rules.append((str(phrase["rule"]), keyword, _regex("cleaning", "phrases", str(phrase["pattern"]))))
        found["site_phrase_rules"] = tuple(rules)
    for key, field in (
        ("related_prefix", "related_prefix"),
        ("editor_code", "editor_code"),
        ("dateline", "dateline_pattern"),
        ("title_suffix", "title_suffix"),
    ):
        if (value := _text("cleaning", t, key)) is not None:
            found[field] = _regex("cleaning", key, value)
    return found


def _dates(t: dict) -> dict:
    found: dict = {}
    if (value := _texts("dates", t, "meta")) is not None:
        found["date_meta"] = tuple(v.lower() for v in value)
    if "local_time_as_utc" in t:
        if not isinstance(t["local_time_as_utc"], bool):
            raise _Bad("dates", "local_time_as_utc", "local_time_as_utc must be true or false")
        found["local_time_as_utc"] = t["local_time_as_utc"]
    return found


def _pages(t: dict) -> dict:
    found: dict = {}
    if (value := _text("pages", t, "all")) is not None:
        found["pages_all"] = value.lstrip("?")
    return found


def _politeness(t: dict) -> dict:
    found: dict = {}
    delay, concurrency = t.get("delay"), t.get("concurrency")
    if delay is not None:
        if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 600:
            raise _Bad("politeness", "delay", "delay must be a number of seconds from 0 to 600")
        found["delay"] = float(delay)
    if concurrency is not None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= 64:
            raise _Bad("politeness", "concurrency", "concurrency must be a whole number from 1 to 64")
        found["concurrency"] = concurrency
    return found


_SECTION_READERS = {
    "urls": _urls,
    "discovery": _discovery,
    "selectors": _selectors,
    "cleaning": _cleaning,
    "dates": _dates,
    "pages": _pages,
    "politeness": _politeness,
}


def _line(text: str, layout: list[Table], exc: _Bad) -> int:
    if exc.section == "article":
        arrays = [t for t in layout if t.name == "article"]
        table = arrays[exc.index] if exc.index < len(arrays) else layout[0]
    else:
        table = next((t for t in layout if t.name == exc.section), layout[0])
    return key_line(text, table, exc.key) if exc.key else table.first


def read_site_file(path: str | Path) -> dict:
    """The SiteProfile keyword arguments of a site file; SiteFileError naming the file, the line
    and the reason when it cannot be used."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SiteFileError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise SiteFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r" \(at line (\d+), column (\d+)\)$", str(exc))
        if not where:
            raise SiteFileError(f"{path}: {exc}") from None
        raise SiteFileError(f"{path}, line {where[1]}: {str(exc)[: where.start()]} (column {where[2]})") from None
    try:
        return _fields(data, path.stem)
    except _Bad as exc:
        line = _line(text, tables(text), exc)
        where = f"[[article]] #{exc.index + 1}: " if exc.section == "article" else ""
        raise SiteFileError(f"{path}, line {line}: {where}{exc}") from None

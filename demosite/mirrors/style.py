"""Site styles (`demosite/styles/<name>.toml`): how a generated mirror of one site looks.
Loaded and checked once: an unknown key, a missing one or a placeholder its context does not
know is a StyleError naming the file and the key (the format: demosite/styles/README.md)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from demosite.mirrors.templates import DATE_NAMES, DAY_NAMES, TOKENS, names, url_names

STYLES = Path(__file__).resolve().parent.parent / "styles"

SECTION_NAMES = {"host", "channel", "subchannel", "code", "prefix"}
ID_NAMES = {"yyyy", "yy", "mm", "m", "dd", "d", "HH", "MM", "SS"}
DOC_NAMES = SECTION_NAMES | set(DAY_NAMES) | {"page", "offset"}
PAGE_NAMES = (
    {"title", "kicker", "authors", "date", "updated", "editor", "editor_name", "url", "id", "brand", "tags"}
    | {"image", "caption", "lead", "body_text", "body_flat", "home", "dateline", "DATELINE", "Channel", "content_id"}
    | SECTION_NAMES
    | set(DATE_NAMES)
    | {"mod_" + n for n in DATE_NAMES}
)
LIST_VALUES = {"authors_list", "authors_persons", "editor_person", "authors_null", "tags_list"}
# A page shows the seconds of its publication time when one of these is on it.
SECONDS = {"SS", "iso", "iso_utc", "iso_naive", "epoch", "epoch_ms", "rfc822"}


class StyleError(ValueError):
    """A style file that cannot be used, with the file and key in the message."""


@dataclass(frozen=True)
class Section:
    """Where some of a site's articles live: a host and the channel they belong to."""

    host: str
    channel: str
    subchannel: str = ""
    code: str = ""
    prefix: str = ""


@dataclass(frozen=True)
class UrlForm:
    """One article URL shape; `weight` is its share of the generated articles."""

    form: str
    template: str
    id: str = ""
    article_id: str = ""
    weight: int = 1
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """A discovery document: a sitemap, a feed or an HTML listing, by URL template."""

    kind: str
    url: str
    name: str = ""
    lists: tuple[str, ...] = ()
    days: int = 2
    items: int = 20
    link_suffix: str = ""
    links: str = "article"
    first: str = ""
    per_page: int = 20
    next: bool = True
    item: str = ""
    more: str = ""


@dataclass(frozen=True)
class Style:
    """A loaded, checked style file."""

    name: str
    title: str
    home: str
    sources: tuple[str, ...]
    sections: tuple[Section, ...]
    urls: tuple[UrlForm, ...]
    people: dict
    robots: dict
    documents: tuple[Document, ...]
    page: dict
    body: dict
    seconds: bool = field(default=False)

    @property
    def home_host(self) -> str:
        return urlsplit(self.home).hostname or ""


def available(folder: Path = STYLES) -> list[str]:
    """The names of the styles in `folder` (the shipped ones by default), sorted."""
    return sorted(p.stem for p in folder.glob("*.toml"))


def load(name: str, folder: Path = STYLES) -> Style:
    """The style `name` from `folder`, checked."""
    path = folder / f"{name}.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise StyleError(f"{path}: {exc}") from None
    return _Checker(path).style(raw, name)


class _Checker:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, reason: str):
        raise StyleError(f"{self.path.name}: {key}: {reason}")

    def table(self, raw, key: str, required: set[str], optional: set[str]) -> dict:
        if not isinstance(raw, dict):
            self.fail(key, "not a table")
        if unknown := set(raw) - required - optional:
            self.fail(key, f"unknown key(s) {sorted(unknown)}")
        if missing := required - set(raw):
            self.fail(key, f"missing key(s) {sorted(missing)}")
        return raw

    def template(self, raw: dict, key: str, allowed: set[str], where: str, tokens: bool = False) -> str:
        value = raw.get(key, "")
        if not isinstance(value, str):
            self.fail(f"{where}.{key}", "not a string")
        for name, length in names(value):
            if length is not None:
                if not tokens or name not in TOKENS:
                    self.fail(f"{where}.{key}", f"no token {{{name}:{length}}} here")
            elif name not in allowed:
                self.fail(f"{where}.{key}", f"unknown placeholder {{{name}}}")
        return value

    def style(self, raw: dict, name: str) -> Style:
        top = {"name", "title", "home", "sources", "sections", "urls", "page", "body"}
        self.table(raw, "(top)", top, {"people", "robots", "sitemaps", "feeds", "listings"})
        if raw["name"] != name:
            self.fail("name", f"is {raw['name']!r}, the file is {name}.toml")
        sections = tuple(self.section(s, f"sections[{i}]") for i, s in enumerate(raw["sections"]))
        urls = tuple(self.url_form(u, f"urls[{i}]", sections) for i, u in enumerate(raw["urls"]))
        if not sections or not urls:
            self.fail("sections/urls", "at least one of each")
        docs = [self.document(d, f"sitemaps[{i}]", "sitemap") for i, d in enumerate(raw.get("sitemaps", []))]
        docs += [self.document(d, f"feeds[{i}]", "feed") for i, d in enumerate(raw.get("feeds", []))]
        docs += [self.document(d, f"listings[{i}]", "listing") for i, d in enumerate(raw.get("listings", []))]
        known = {d.name for d in docs if d.name}
        for d in docs:
            if missing := set(d.lists) - known:
                self.fail(f"sitemap {d.name}", f"lists unknown sitemaps {sorted(missing)}")
        page, body, people = self.page(raw["page"]), self.body(raw["body"]), self.people(raw.get("people", {}))
        robots = self.table(raw.get("robots", {}), "robots", set(), {"sitemaps", "disallow", "extra"})
        if people["editor_code"] and not any("{editor}" in body[k] for k in ("last", "editor") if k in body):
            self.fail("people.editor_code", "set, but neither body.last nor body.editor prints {editor}")
        shown = " ".join(
            [page["header"], page["date"], page.get("updated", "")]
            + [m["content"] for m in page.get("meta", [])]
            + [s.get("template", "") + repr(s.get("data", "")) for s in page.get("scripts", [])]
        )
        seconds = any(n in SECONDS for n, _ in names(shown.replace("'", " ")))
        return Style(
            raw["name"],
            raw["title"],
            raw["home"],
            tuple(raw["sources"]),
            sections,
            urls,
            people,
            robots,
            tuple(docs),
            page,
            body,
            seconds,
        )

    def section(self, raw, where: str) -> Section:
        self.table(raw, where, {"host", "channel"}, {"subchannel", "code", "prefix"})
        return Section(**{k: str(v) for k, v in raw.items()})

    def url_form(self, raw, where: str, sections: tuple[Section, ...]) -> UrlForm:
        self.table(raw, where, {"form", "template"}, {"id", "article_id", "weight", "channels"})
        template = self.template(raw, "template", url_names() - {"page", "offset"}, where)
        ident = self.template(raw, "id", ID_NAMES, where, tokens=True)
        if ("{id}" in template) != bool(ident):
            self.fail(where, "`id` must be given exactly when the template has {id}")
        article_id = raw.get("article_id") or ("{id}" if ident else "hash")
        if article_id != "hash":
            self.template({"a": article_id}, "a", url_names() - {"page", "offset"}, f"{where}.article_id")
        channels = tuple(raw.get("channels", ()))
        if set(channels) - {s.channel for s in sections}:
            self.fail(f"{where}.channels", "names a channel no section has")
        return UrlForm(raw["form"], template, ident, article_id, int(raw.get("weight", 1)), channels)

    def document(self, raw, where: str, family: str) -> Document:
        optional = {
            "sitemap": {"name", "kind", "lists", "days"},
            "feed": {"kind", "items", "link_suffix", "links"},
            "listing": {"first", "per_page", "next", "item", "more"},
        }[family]
        self.table(raw, where, {"url"}, optional)
        kind = raw.get("kind", {"sitemap": "urlset", "feed": "rss", "listing": "listing"}[family])
        if (
            kind
            not in {"sitemap": ("index", "urlset", "news"), "feed": ("rss", "atom"), "listing": ("listing",)}[family]
        ):
            self.fail(f"{where}.kind", f"unknown kind {kind!r}")
        allowed = DOC_NAMES if family == "listing" else DOC_NAMES - {"page", "offset"}
        if kind == "index":
            allowed = set()
        url = self.template(raw, "url", allowed, where)
        first = self.template(raw, "first", allowed - {"page", "offset"}, where)
        item = self.template(raw, "item", {"url", "title", "date", "content_id"} | set(DATE_NAMES), where)
        self.template(raw, "more", {"url", "page", "pages"}, where)
        if raw.get("links", "article") not in ("article", "home"):
            self.fail(f"{where}.links", "article or home")
        fields = {k: v for k, v in raw.items() if k not in ("kind", "lists")}
        return Document(
            kind=kind, lists=tuple(raw.get("lists", ())), **{**fields, "url": url, "first": first, "item": item}
        )

    def people(self, raw) -> dict:
        self.table(raw, "people", set(), {"authors_max", "join", "author", "brand", "editor_code"})
        return {
            "authors_max": int(raw.get("authors_max", 2)),
            "join": raw.get("join", ", "),
            "author": self.template(raw, "author", {"author", "author_slug", "home"}, "people") or "{author}",
            "brand": raw.get("brand", ""),
            "editor_code": self.template(raw, "editor_code", set(), "people", tokens=True),
        }

    def page(self, raw) -> dict:
        keys = {"head_title", "kicker", "updated", "image_url", "canonical", "meta", "scripts", "after"}
        self.table(raw, "page", {"header", "date"}, keys | {"related_suffix"})
        for key in ("head_title", "header", "date", "kicker", "updated", "image_url", "after"):
            self.template(raw, key, PAGE_NAMES, "page")
        for i, meta in enumerate(raw.get("meta", [])):
            where = f"page.meta[{i}]"
            self.table(meta, where, {"content"}, {"name", "property"})
            if ("name" in meta) == ("property" in meta):
                self.fail(where, "exactly one of name, property")
            self.template(meta, "content", PAGE_NAMES, where)
        for i, script in enumerate(raw.get("scripts", [])):
            where = f"page.scripts[{i}]"
            self.table(script, where, set(), {"template", "wrap", "data"})
            if ("template" in script) == ("data" in script) or ("data" in script) != ("wrap" in script):
                self.fail(where, "either template, or wrap and data")
            self.template(script, "template", PAGE_NAMES, where)
            self.template(script, "wrap", {"json"}, where)
            self._data(script.get("data", {}), where + ".data")
        return {"head_title": "{title}", "canonical": True, **raw}

    def _data(self, value, where: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                self._data(v, f"{where}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self._data(v, f"{where}[{i}]")
        elif isinstance(value, str):
            whole = value[1:-1] if value.startswith("{") and value.endswith("}") else None
            if whole not in LIST_VALUES:
                self.template({"v": value}, "v", PAGE_NAMES, where)

    def body(self, raw) -> dict:
        optional = {"first", "first_plain", "last", "heading", "editor", "boilerplate", "end", "places"}
        self.table(raw, "body", {"container", "paragraph", "related"}, optional)
        text = PAGE_NAMES | {"text"}
        for key in ("paragraph", "first", "first_plain", "last", "heading", "editor"):
            self.template(raw, key, text, "body")
        self.template(raw, "container", PAGE_NAMES | {"body"}, "body")
        self.template(raw, "related", {"url", "title"}, "body")
        for key in ("boilerplate", "end"):
            for i, item in enumerate(raw.get(key, [])):
                self.template({"t": item}, "t", PAGE_NAMES, f"body.{key}[{i}]")
        if "{body}" not in raw["container"]:
            self.fail("body.container", "has no {body}")
        return {"heading": "<p><strong>{text}</strong></p>", "boilerplate": [], "end": [], **raw}

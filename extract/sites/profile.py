"""The typed profile of one news site, read from its definition file (`extract.sites.files`):
identity and hosts, article URL patterns and id rules, discovery, selectors, cleaning rules,
date quirks, politeness. The spider, the parser and the cleaner read only these fields; a
field a file does not set keeps the shared Indonesian default (`extract.sites.shared`).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, fields
from functools import cached_property

from lxml.cssselect import CSSSelector

from extract.selectors import ElementRules, parse_group
from extract.sites.shared import (
    BODY_DROP_SELECTORS,
    GENERIC_EDITOR_CODE,
    GENERIC_EDITOR_CODE_ALONE,
    GENERIC_RELATED_PREFIX,
    INDONESIAN_PHRASES,
    REACTION_WORDS,
)


@dataclass(frozen=True)
class ArticlePattern:
    """One shape of the site's article URLs: a regular expression on the path, and templates of
    its named groups (and `{host}`, `{host1}`) for the id, channel and subchannel. The id
    `hash` is a hash of the canonical URL, for sites whose URLs carry no id."""

    pattern: str
    id: str = "{id}"
    channel: str | None = None
    subchannel: str | None = None
    note: str = ""

    @cached_property
    def regex(self) -> re.Pattern:
        return re.compile(self.pattern)

    def __getstate__(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __setstate__(self, state: dict) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class SiteProfile:
    """One news site. See docs/sites.md for what each field means in a site file."""

    name: str
    hosts: tuple[str, ...]  # host names serving the site's pages; `*.` = any subdomain
    articles: tuple[ArticlePattern, ...]
    title: str = ""  # the site's own name (titles end with it; a title equal to it is no title)
    version: str = "1"  # of these rules: a row's parser_version names it
    origin: str = ""  # every URL is written on it; "" = an article keeps its own host
    home: str = ""  # the front page (the origin when there is one)
    exclude_hosts: tuple[str, ...] = ()
    timezone: str = "Asia/Jakarta"
    language: str = "id"
    sources: tuple[str, ...] = ()
    # URL canonicalisation
    tracking_params: tuple[str, ...] = ("utm_*", "fbclid", "gclid", "_ga", "mc_cid", "mc_eid")
    keep_query: tuple[str, ...] = ()
    amp_prefix: str | None = "/amp"
    exclude_paths: tuple[str, ...] = ()
    same_host: tuple[tuple[str, str], ...] = ()
    # discovery
    read_robots: bool = True
    robots_path: str = "/robots.txt"
    sitemap_paths: tuple[str, ...] = ("/sitemap.xml",)
    news_sitemap_paths: tuple[str, ...] = ()
    feed_paths: tuple[str, ...] = ()
    latest_paths: tuple[str, ...] = ()
    date_index_path: str | None = None
    date_index_pages: int | None = None  # with {page} in date_index_path: pages per day
    # selectors, most trusted first
    title_selectors: tuple[str, ...] = ()
    kicker_selectors: tuple[str, ...] = (".kicker", ".subtitle")
    byline_selectors: tuple[str, ...] = (".info_ct", "div.date", ".byline", "div.name", ".author")
    date_selectors: tuple[str, ...] = ()
    author_selectors: tuple[str, ...] = ()
    body_selectors: tuple[str, ...] = ("#articleBody", "[itemprop=articleBody]", "div.text", "article")
    tag_selectors: tuple[str, ...] = (".tags a", ".tag a", "a[rel=tag]")
    image_selectors: tuple[str, ...] = ("figure img", ".pic img", "img.lead")
    caption_selectors: tuple[str, ...] = ("figcaption", ".caption", ".pic_caption")
    breadcrumb_selectors: tuple[str, ...] = ()
    # cleaning: the shared rules, then the site's own
    site_drop_selectors: tuple[tuple[str, str], ...] = ()
    site_phrase_rules: tuple[tuple[str, str, str], ...] = ()
    reaction_words: tuple[str, ...] = REACTION_WORDS
    related_prefix: str = GENERIC_RELATED_PREFIX
    editor_code: str = GENERIC_EDITOR_CODE
    editor_code_alone: str | None = GENERIC_EDITOR_CODE_ALONE  # a code taken on a line of its own
    title_suffix: str | None = None  # the site's name after a title
    # dates
    date_meta: tuple[str, ...] = ()  # the site's own meta names holding the publication time
    local_time_as_utc: bool = False  # its metadata says `Z` of times that are local
    # multi-page articles: the query that gets every page in one response
    pages_all: str | None = None
    # politeness
    delay: float | None = None
    concurrency: int | None = None

    def __getstate__(self) -> dict:
        # Pickled to the parse worker: its compiled caches (lxml's selectors cannot be pickled)
        # are built again on the other side.
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __setstate__(self, state: dict) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    @property
    def generic(self) -> bool:
        """The profile of a page whose site has no definition."""
        return not self.hosts

    # hosts ------------------------------------------------------------------------------
    @cached_property
    def _host_re(self) -> re.Pattern:
        def one(host: str) -> str:
            return r"(?:[a-z0-9-]+\.)+" + re.escape(host[2:]) if host.startswith("*.") else re.escape(host)

        return re.compile("|".join(one(h) for h in self.hosts) or "(?!)")

    def serves(self, host: str | None) -> bool:
        """Whether `host` (lower case) is one of the site's hosts."""
        return bool(host) and host not in self.exclude_hosts and self._host_re.fullmatch(host) is not None

    @cached_property
    def same_hosts(self) -> dict[str, str]:
        return dict(self.same_host)

    # URLs -------------------------------------------------------------------------------
    def article_match(self, path: str) -> tuple[ArticlePattern, re.Match] | None:
        """The first article pattern matching `path`, with its match; None when none does or the
        path is excluded."""
        for excluded in self._excluded:
            if excluded.match(path):
                return None
        for article in self.articles:
            if m := article.regex.match(path):
                return article, m
        return None

    @cached_property
    def _excluded(self) -> tuple[re.Pattern, ...]:
        return tuple(re.compile(p) for p in self.exclude_paths)

    @cached_property
    def tracking_re(self) -> re.Pattern:
        """`tracking_params` (shell patterns, lower case) as one pattern."""
        return re.compile("|".join(fnmatch.translate(p) for p in self.tracking_params) or "(?!)")

    # cleaning ---------------------------------------------------------------------------
    @cached_property
    def body_drop_selectors(self) -> tuple[tuple[str, str], ...]:
        return BODY_DROP_SELECTORS + self.site_drop_selectors

    @cached_property
    def phrase_rules(self) -> tuple[tuple[str, str, str], ...]:
        return INDONESIAN_PHRASES + self.site_phrase_rules

    @cached_property
    def phrase_patterns(self) -> tuple[tuple[str, str, re.Pattern], ...]:
        """Phrase rules with their patterns compiled once."""
        return tuple(
            (name, keyword, re.compile(pattern, re.IGNORECASE)) for name, keyword, pattern in self.phrase_rules
        )

    @cached_property
    def related_re(self) -> re.Pattern:
        return re.compile(self.related_prefix)

    @cached_property
    def editor_code_re(self) -> re.Pattern:
        """The editor code as a whole block."""
        return re.compile(rf"{self.editor_code_alone or self.editor_code}\.?")

    @cached_property
    def editor_tail_re(self) -> re.Pattern:
        """The editor code ending a block after a space (searched in its last EDITOR_CODE_CHARS)."""
        return re.compile(rf"\s+({self.editor_code}\.?)$")

    @cached_property
    def editor_after_sentence_re(self) -> re.Pattern:
        # Only after a sentence ends: "... Badan Pusat Statistik (BPS)" is an acronym, not an editor.
        return re.compile(rf"(?<=[.!?\"”’'])\s+{self.editor_code}\.?$")

    # selectors --------------------------------------------------------------------------
    @cached_property
    def _selectors(self) -> dict[str, CSSSelector]:
        return {}

    @cached_property
    def _parsed(self) -> dict[str, object]:
        return {}

    @cached_property
    def body_rules(self) -> ElementRules:
        """The structural removal rules, compiled for the body walker."""
        return ElementRules(self.body_drop_selectors, self.parsed_selector, self.css)

    def parsed_selector(self, selector: str):
        """`extract.selectors.parse_group(selector)`, cached per profile."""
        if selector not in self._parsed:
            self._parsed[selector] = parse_group(selector)
        return self._parsed[selector]

    def css(self, selector: str) -> CSSSelector:
        """A CSS selector compiled once per profile (the fallback of `extract.selectors`)."""
        compiled = self._selectors.get(selector)
        if compiled is None:
            compiled = self._selectors[selector] = CSSSelector(selector)
        return compiled


# A page from a site without a definition: structured metadata plus the generic extractor; its
# every URL is a page of its own (extract.ids reads its id by its shape, extract.channels its
# channel). No title selector: the first <h1> of an unknown site is often its logo or a section
# name; the headline comes from the metadata, checked against the <h1>s (extract.titles).
GENERIC = SiteProfile(name="generic", hosts=(), articles=(ArticlePattern(r"^/", "hash"),))

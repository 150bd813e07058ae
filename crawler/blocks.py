"""HTML body element -> text blocks.

A block is one paragraph as a reader sees it. medcom bodies often keep several paragraphs
inside one `<p>` separated by `<br />&nbsp;<br />` runs, so every `<br>` ends a block as
well as every block-level element. Inline "Baca:" links become their own block so that
they can be moved to related_urls without eating the paragraph around them. Elements that
a structural rule names (captions, ads, share buttons...) are left out as the walk meets
them, and logged by rule.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

from crawler.selectors import text_of

BLOCK_TAGS = frozenset(
    "p div section article main header footer aside nav ul ol li dl dt dd blockquote table thead "
    "tbody tfoot tr td th figure figcaption pre hr form center address details summary "
    "h1 h2 h3 h4 h5 h6".split())
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
SKIP_TAGS = frozenset("script style noscript template iframe object embed svg head button select option".split())
_RELATED_TAGS = frozenset(("strong", "b", "span", "em"))
_WORD = re.compile(r"\w+", re.UNICODE)
# Lower-case ASCII word characters (\w) kept, every other byte a space: the regex above costs
# ~20 ns a character, and keys are computed for every paragraph of every page.
_ASCII_KEY = bytes(ord(chr(c).lower()) if c < 128 and (chr(c).isalnum() or c == 95) else 32 for c in range(256))
# Non-ASCII separators common in Indonesian news text; anything else takes the regex path.
_COMMON_NON_ASCII = "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u2022\u00b7"


def normalise(text: str) -> str:
    """Collapse whitespace (including &nbsp; and zero-width spaces) to single spaces."""
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", "").replace("\ufeff", "")
    return " ".join(text.split())  # str.split() and re's \s agree on what is whitespace


def word_key(text: str) -> str:
    """Lower-case words (`\\w+`) only, one space apart: the form paragraphs are compared in."""
    if not text.isascii():
        for ch in _COMMON_NON_ASCII:
            if ch in text:
                text = text.replace(ch, " ")
        if not text.isascii():
            return " ".join(_WORD.findall(text.lower()))
    return " ".join(text.encode("ascii").translate(_ASCII_KEY).decode("ascii").split())


@dataclass
class Block:
    text: str
    kind: str = "p"  # p | heading | li | related
    links: list[str] = field(default_factory=list)
    link_chars: int = 0
    lead_bold: str = ""  # text of a <strong>/<b> that opens the block (datelines)

    @cached_property
    def key(self) -> str:
        """Normalised form for equality: lower-case words only."""
        return word_key(self.text)

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))


class _Builder:
    def __init__(self, related_prefix: re.Pattern, dropped: dict):
        self.related_prefix = related_prefix
        self.dropped = dropped
        self.blocks: list[Block] = []
        self.removed: list[tuple[str, str]] = []
        self._reset()

    def _reset(self) -> None:
        self.parts: list[str] = []
        self.links: list[str] = []
        self.link_chars = 0
        self.lead_bold = ""

    def flush(self, kind: str = "p") -> None:
        if self.parts:
            text = normalise("".join(self.parts))
            if text:
                self.blocks.append(Block(text, kind, self.links, self.link_chars, normalise(self.lead_bold)))
        self._reset()

    def walk(self, el, kind: str = "p") -> None:
        tag = el.tag
        parts = self.parts
        if tag.__class__ is not str:  # comments, processing instructions
            if el.tail:
                parts.append(el.tail)
            return
        rule = self.dropped.get(el)
        if rule is not None or tag in SKIP_TAGS:
            if rule is not None:
                text = normalise(text_of(el)) or normalise(el.get("alt") or "")
                if text:
                    self.removed.append((rule, text))
            if el.tail:
                parts.append(el.tail)
            return
        if tag == "br":
            self.flush(kind)
            if el.tail:
                self.parts.append(el.tail)
            return
        if tag in BLOCK_TAGS:
            self.flush(kind)
            inner = "heading" if tag in HEADING_TAGS else "li" if tag == "li" else kind
            self._inside(el, inner)
            self.flush(inner)
            if el.tail:
                self.parts.append(el.tail)
            return
        if tag in _RELATED_TAGS and self._is_related(el):
            self.flush(kind)
            self._inside(el, "related")
            self.flush("related")
            if el.tail:
                self.parts.append(el.tail)
            return
        if (tag == "strong" or tag == "b") and not normalise("".join(parts)):
            self.lead_bold = text_of(el)
        elif tag == "a":
            href = el.get("href")
            if href:
                self.links.append(href)
            self.link_chars += len(normalise(text_of(el)))
        self._inside(el, kind)
        if el.tail:
            self.parts.append(el.tail)

    def _inside(self, el, kind: str) -> None:
        if el.text:
            self.parts.append(el.text)
        for child in el:
            self.walk(child, kind)

    def _is_related(self, el) -> bool:
        return el.find(".//a") is not None and bool(self.related_prefix.match(normalise(text_of(el))))


def extract_blocks(body: etree._Element, related_prefix: str,
                   dropped: dict | None = None) -> tuple[list[Block], list[tuple[str, str]]]:
    """The text blocks of a body element in reading order, and the elements that `dropped`
    maps to a rule, left out and logged as `(rule, text)`."""
    builder = _Builder(re.compile(related_prefix), dropped or {})
    builder._inside(body, "p")
    builder.flush()
    return builder.blocks, builder.removed


def blocks_from_text(text: str) -> list[Block]:
    """Blocks from plain text (the generic extractor's output): one per non-empty line."""
    return [Block(normalise(line)) for line in text.splitlines() if normalise(line)]

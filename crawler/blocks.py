"""HTML body element -> text blocks.

A block is one paragraph as a reader sees it. medcom bodies often keep several paragraphs
inside one `<p>` separated by `<br />&nbsp;<br />` runs, so every `<br>` ends a block as
well as every block-level element. Inline "Baca:" links become their own block so that
they can be moved to related_urls without eating the paragraph around them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

BLOCK_TAGS = frozenset(
    "p div section article main header footer aside nav ul ol li dl dt dd blockquote table thead "
    "tbody tfoot tr td th figure figcaption pre hr form center address details summary "
    "h1 h2 h3 h4 h5 h6".split())
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
SKIP_TAGS = frozenset("script style noscript template iframe object embed svg head button select option".split())
_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)


def normalise(text: str) -> str:
    """Collapse whitespace (including &nbsp; and zero-width spaces) to single spaces."""
    return _WS.sub(" ", text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")).strip()


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
        return " ".join(_WORD.findall(self.text.lower()))

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))


class _Builder:
    def __init__(self, related_prefix: re.Pattern):
        self.related_prefix = related_prefix
        self.blocks: list[Block] = []
        self._reset()

    def _reset(self) -> None:
        self.parts: list[str] = []
        self.links: list[str] = []
        self.link_chars = 0
        self.lead_bold = ""

    def text(self, value: str | None) -> None:
        if value:
            self.parts.append(value)

    def flush(self, kind: str = "p") -> None:
        text = normalise("".join(self.parts))
        if text:
            self.blocks.append(Block(text, kind, self.links, self.link_chars, normalise(self.lead_bold)))
        self._reset()

    def walk(self, el, kind: str = "p") -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None or tag in SKIP_TAGS:  # comments, processing instructions, scripts
            self.text(el.tail)
            return
        tag = tag.lower()
        if tag == "br":
            self.flush(kind)
            self.text(el.tail)
            return
        if tag in BLOCK_TAGS:
            self.flush(kind)
            inner = "heading" if tag in HEADING_TAGS else "li" if tag == "li" else kind
            self.text(el.text)
            for child in el:
                self.walk(child, inner)
            self.flush(inner)
            self.text(el.tail)
            return
        if tag in ("strong", "b", "span", "em") and self._is_related(el):
            self.flush(kind)
            self.text(el.text)
            for child in el:
                self.walk(child, "related")
            self.flush("related")
            self.text(el.tail)
            return
        if tag in ("strong", "b") and not normalise("".join(self.parts)):
            self.lead_bold = el.text_content()
        if tag == "a":
            href = el.get("href")
            if href:
                self.links.append(href)
            self.link_chars += len(normalise(el.text_content()))
        self.text(el.text)
        for child in el:
            self.walk(child, kind)
        self.text(el.tail)

    def _is_related(self, el) -> bool:
        text = normalise(el.text_content())
        return bool(self.related_prefix.match(text)) and el.find(".//a") is not None


def extract_blocks(body: etree._Element, related_prefix: str) -> list[Block]:
    """The text blocks of a body element, in reading order."""
    builder = _Builder(re.compile(related_prefix))
    builder.text(body.text)
    for child in body:
        builder.walk(child)
    builder.flush()
    return builder.blocks


def blocks_from_text(text: str) -> list[Block]:
    """Blocks from plain text (the generic extractor's output): one per non-empty line."""
    return [Block(normalise(line)) for line in text.splitlines() if normalise(line)]

"""HTML body element -> text blocks.

A block is one paragraph as a reader sees it. medcom bodies often keep several paragraphs
inside one `<p>` separated by `<br />&nbsp;<br />` runs, so every `<br>` ends a block as
well as every block-level element. Inline "Baca:" links become their own block so that
they can be moved to related_urls without eating the paragraph around them. Elements that
a structural rule names (captions, ads, share buttons...) are left out as the walk meets
them, and logged by rule.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from lxml import etree

from extract.selectors import text_of

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "nav",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "figure",
        "figcaption",
        "pre",
        "hr",
        "form",
        "center",
        "address",
        "details",
        "summary",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    ]
)
HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
CELL_TAGS = frozenset(("td", "th"))
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "head",
        "button",
        "select",
        "option",
    ]
)
_RELATED_TAGS = frozenset(("strong", "b", "span", "em"))
_BREAK_TAGS = tuple(BLOCK_TAGS | {"br"})
# Characters the checks of one body (link text, related lines) may read: nested inline elements
# around one big text each read all of it (250 levels around 8 MB took a minute). Real bodies
# read a few thousand; past this, links count no text and nothing more is a related line.
CHECK_CHARS = 4_000_000
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
    key = text.encode("ascii").translate(_ASCII_KEY).decode("ascii")
    while "  " in key:
        key = key.replace("  ", " ")
    return key.strip()


@dataclass
class Block:
    text: str
    kind: str = "p"  # p | heading | li | related
    links: list[str] = field(default_factory=list)
    link_chars: int = 0
    lead_bold: str = ""  # text of a <strong>/<b> that opens the block (datelines)
    _key: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def key(self) -> str:
        """Normalised form for equality: lower-case words only (computed once; functools'
        cached_property takes a lock on every first access in Python 3.11)."""
        if self._key is None:
            self._key = word_key(self.text)
        return self._key

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))


def _removed_text(el) -> str:
    """What a reader loses with `el`: its text without the code of scripts inside it (an ad
    slot is logged by its label, not by its JavaScript); a script itself by its code."""
    if el.tag in SKIP_TAGS or next(el.iter(*SKIP_TAGS), el) is el:
        return text_of(el)
    visible = copy.deepcopy(el)  # rare: an ad or widget wrapping a script
    etree.strip_elements(visible, *SKIP_TAGS, with_tail=False)
    return text_of(visible)


class _Builder:
    def __init__(self, related_prefix: re.Pattern, dropped: dict):
        self.related_prefix = related_prefix
        self.dropped = dropped
        self.blocks: list[Block] = []
        self.removed: list[tuple[str, str]] = []
        self.parts: list[str] = []  # cleared, never replaced: the walk holds on to it
        # How many of `parts` hold only blanks, None once one holds text: each part is looked
        # at once a block, not once a <b> (50,000 <b>s in one paragraph took 9 s).
        self.blanks: int | None = 0
        self.links: list[str] = []
        self.link_chars = 0
        # The <strong>/<b> whose text opens the block; read at the block's end, once (nested
        # <b>s each read their whole subtree).
        self.lead: etree._Element | None = None
        self.checked = 0  # characters read by the checks (CHECK_CHARS)

    def checked_text(self, el) -> str | None:
        """`text_of(el)` for a check, or None once the checks have read CHECK_CHARS."""
        if self.checked > CHECK_CHARS:
            return None
        text = text_of(el)
        self.checked += len(text)
        return text

    def lead_bold(self) -> str:
        return text_of(self.lead) if self.lead is not None else ""

    def only_blanks(self) -> bool:
        """Whether the text gathered since the last block is blank (`normalise` makes it empty)."""
        parts = self.parts
        while self.blanks is not None and self.blanks < len(parts):
            part = parts[self.blanks]
            if not part or part.isspace() or (("\u200b" in part or "\ufeff" in part) and not normalise(part)):
                self.blanks += 1
            else:
                self.blanks = None
        return self.blanks is not None

    def flush(self, kind: str = "p") -> None:
        parts = self.parts
        if parts:
            text = "".join(parts)
            parts.clear()
            self.blanks = 0
            if not text.isspace():  # most flushes meet only the indentation between tags
                text = normalise(text)
                if text:
                    lead_bold = self.lead_bold()
                    lead = normalise(lead_bold) if lead_bold else ""
                    self.blocks.append(Block(text, kind, self.links, self.link_chars, lead))
        elif not self.links and not self.lead_bold():
            return  # nothing gathered since the last block ended
        self.links = []
        self.link_chars = 0
        self.lead = None

    def content(self, el, kind: str) -> None:
        """Gather the text inside `el` (not its tail) into blocks of `kind`."""
        parts = self.parts
        if el.text:
            parts.append(el.text)
        for child in el:  # one call per element that has children; leaves are handled here
            tag = child.tag
            if tag.__class__ is not str:  # processing instructions, entities
                pass
            elif (rule := self.dropped.get(child)) is not None:
                text = normalise(_removed_text(child)) or normalise(child.get("alt") or "")
                if text:
                    self.removed.append((rule, text))
            elif tag in SKIP_TAGS:
                pass
            elif tag == "br":
                self.flush(kind)
            elif tag in CELL_TAGS:  # a table row reads as one line, its cells apart by a space
                parts.append(" ")
                self.content(child, kind)
                parts.append(" ")
            elif tag in BLOCK_TAGS:
                self.flush(kind)
                inner = "heading" if tag in HEADING_TAGS else "li" if tag == "li" else kind
                self.content(child, inner)
                self.flush(inner)
            elif tag in _RELATED_TAGS and self._is_related(child):
                self.flush(kind)
                self.content(child, "related")
                self.flush("related")
            else:
                if tag == "a":
                    href = child.get("href")
                    if href:
                        self.links.append(href)
                    # An anchor left open over whole paragraphs (broken markup) is no link text.
                    if not len(child) or next(child.iter(*_BREAK_TAGS), None) is None:
                        text = self.checked_text(child)
                        self.link_chars += len(normalise(text)) if text else 0
                elif (tag == "strong" or tag == "b") and self.only_blanks():
                    self.lead = child
                if len(child):
                    self.content(child, kind)
                elif child.text:
                    parts.append(child.text)
            if child.tail:
                parts.append(child.tail)

    def _is_related(self, el) -> bool:
        if el.find(".//a") is None:
            return False
        text = self.checked_text(el)
        return text is not None and bool(self.related_prefix.match(normalise(text)))


def extract_blocks(
    body: etree._Element, related_prefix: re.Pattern, dropped: dict | None = None
) -> tuple[list[Block], list[tuple[str, str]]]:
    """The text blocks of a body element in reading order, and the elements that `dropped`
    maps to a rule, left out and logged as `(rule, text)`."""
    builder = _Builder(related_prefix, dropped or {})
    builder.content(body, "p")
    builder.flush()
    return builder.blocks, builder.removed


def blocks_from_text(text: str) -> list[Block]:
    """Blocks from plain text (the generic extractor's output): one per non-empty line."""
    return [Block(normalise(line)) for line in text.splitlines() if normalise(line)]

"""The scored main-content search: which element of a page holds the article.

One walk over the page's elements (no CSS, no tree edits) sorts every piece of text into
- `good`: inside a paragraph (a block element's own text, `<br>` runs included) long enough
  to be prose and not made of links;
- `junk`: short fragments (bylines, labels, dates, buttons) that would stay in an extract;
- `removable`: text the body walk and the cleaner drop anyway: link lists, and regions that
  are not content by tag or name (nav, aside, footer, comments, related, sidebar, share...).
A block element's score is `good - junk - REMOVABLE_COST * removable` over its subtree: the
element to extract is the one whose text would be the most article and the least of the
rest, so a wrapper wins over its body only when what it adds (a lead paragraph above the
body) outweighs the junk that comes with it. `body.py` judges an element chosen by a
profile's selector with the same figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.blocks import BLOCK_TAGS, SKIP_TAGS
from extract.non_content import NON_CONTENT_TAGS, non_content_rule
from extract.selectors import text_of

# Short text in these is the form of the text, not a label around it: headings, the cells
# of a table of figures, the items of a list (a menu's items are links, removable anyway).
NEUTRAL_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "li"])
# Non-content elements that never wrap the article: their text is counted, not walked.
UNWALKED_TAGS = frozenset(["nav", "button", "select", "figure", "figcaption", "label", "menu", "dialog"])
MIN_PARAGRAPH = 40  # characters: below, a fragment (byline, label, date) rather than prose
PROSE_CHARS = 150  # below, a paragraph must hold a sentence end or a comma to be prose
# A sentence end (closing quotes allowed) or a comma inside: what headlines and labels lack.
_PROSE = re.compile(r"[.!?…][\"'”’»)]*(?:\s|$)|[,;]\s|[。！？、，]")
LINK_DENSE = 0.5  # a paragraph more than half links is navigation
REMOVABLE_COST = 0.1  # dropped text still costs a little: the drop rules are not perfect
FLAGGED_FACTOR = 0.5  # a region named non-content (comments, sidebar) may still be all there is
CARD_CHARS = 400  # a link around blocks holding less text than this is a card to another page
TEASER_CHARS = 400
TEASER_SHARE = 0.25
WRAPPER_SHARE = 0.5  # a region with this share of the page's text is a wrapper, whatever its name
# Names that say where a region sits, not what it holds: such a region made of this many
# paragraphs, and this much prose, is content.
LAYOUT_RULES = frozenset(f"non_content:{w}" for w in ("sidebar", "aside", "widget", "banner"))
LAYOUT_PARAGRAPHS = 3
LAYOUT_CHARS = 1000
LAYOUT_PROSE = 0.7
MAX_DEPTH = 200  # deeper markup is left out (broken or hostile pages)


class Region:
    """Figures of one block element's subtree (characters), and the nearest element at or
    above it that is named non-content (`owner`)."""

    __slots__ = ("text", "good", "junk", "removable", "paragraphs", "owner")

    def __init__(self, owner=None):
        self.text = self.good = self.junk = self.removable = self.paragraphs = 0
        self.owner = owner

    def add(self, other: "Region") -> None:
        self.text += other.text
        self.good += other.good
        self.junk += other.junk
        self.removable += other.removable
        self.paragraphs += other.paragraphs

    @property
    def score(self) -> float:
        return self.good - self.junk - REMOVABLE_COST * self.removable

    def __repr__(self) -> str:
        return (
            f"Region(text={self.text}, good={self.good}, junk={self.junk}, "
            f"removable={self.removable}, paragraphs={self.paragraphs}, score={self.score:.0f})"
        )


@dataclass
class Search:
    regions: dict = field(default_factory=dict)  # block element -> Region
    non_content: dict = field(default_factory=dict)  # element -> rule name, for the body walk
    best: object = None
    best_score: float = 0.0

    def region(self, el) -> Region | None:
        return self.regions.get(el)

    def score(self, el) -> float:
        """The element's score, halved when it lies in a region named non-content."""
        region = self.regions.get(el)
        if region is None:
            return 0.0
        owner = region.owner
        return region.score * (FLAGGED_FACTOR if owner is not None and owner in self.non_content else 1.0)


class _Walker:
    def __init__(self):
        self.search = Search()
        self.regions = self.search.regions
        self.flagged: list = []  # (element, rule, region) in the order the walk leaves them

    def visit(self, el, depth: int, owner, in_link: bool = False) -> tuple[int, int, Region | None]:
        """(inline text, inline link text, figures) of `el`'s subtree. Inline figures are the
        text that belongs to the nearest block element above; for a block element they are
        0 and the figures are its region, for an inline one what nested blocks hold.
        (Written for speed: this runs once per element of every page.)"""
        tag = el.tag
        # Inside a link, all text is link text, blocks too: a teaser is often one <a> around
        # a headline and a summary paragraph.
        if tag == "a":
            in_link = True
        text = el.text
        inline_text = len(text.strip()) if text else 0
        inline_link = inline_text if in_link else 0
        sub = None  # what nested blocks hold
        depth += 1
        for child in el:
            ctag = child.tag
            if ctag.__class__ is str and ctag not in SKIP_TAGS and depth < MAX_DEPTH:
                keys = child.keys()
                rule = non_content_rule(child, ctag, keys) if keys or ctag in NON_CONTENT_TAGS else None
                if rule is None:
                    t, link, figures = self.visit(child, depth, owner, in_link)
                    inline_text += t
                    inline_link += link
                    if figures is not None:
                        if sub is None:
                            sub = figures if ctag not in BLOCK_TAGS else Region(owner)
                            if sub is figures:
                                figures = None
                        if figures is not None:
                            sub.text += figures.text
                            sub.good += figures.good
                            sub.junk += figures.junk
                            sub.removable += figures.removable
                            sub.paragraphs += figures.paragraphs
                elif ctag in UNWALKED_TAGS:  # never a wrapper of the article: its text at once
                    n = len(text_of(child).strip())
                    self.search.non_content[child] = rule
                    if n:
                        if sub is None:
                            sub = Region(owner)
                        sub.text += n
                        sub.removable += n
                else:
                    # Walked all the same: it is judged on its own figures (see `search`);
                    # above it, its text is removable.
                    t, link, figures = self.visit(child, depth, child, in_link)
                    if figures is None:
                        figures = Region(child)
                    figures.text += t
                    self.flagged.append((child, rule, figures))
                    if sub is None:
                        sub = Region(owner)
                    sub.text += figures.text
                    sub.removable += figures.text
            tail = child.tail
            if tail:
                n = len(tail.strip())
                inline_text += n
                if in_link:
                    inline_link += n
        if tag not in BLOCK_TAGS and tag != "body":
            if tag == "a" and sub is not None and sub.text + inline_text < CARD_CHARS:
                # A link around blocks (a headline, a summary): a card pointing to another
                # page. The body walk counts no link text for it (an anchor left open over
                # paragraphs is broken markup, not a link), so it is named here.
                self.search.non_content[el] = "link_card"
            return inline_text, inline_link, sub
        region = sub if sub is not None else Region(owner)
        region.owner = owner
        if inline_text:
            region.text += inline_text
            if inline_link > LINK_DENSE * inline_text:
                region.removable += inline_text
            elif tag in NEUTRAL_TAGS:
                pass  # a heading, a table cell: neither prose nor junk
            elif inline_text < MIN_PARAGRAPH or (inline_text < PROSE_CHARS and not _PROSE.search(text_of(el))):
                region.junk += inline_text  # a byline, a date, a label, a headline of a list
            else:
                region.good += inline_text
                region.paragraphs += 1
        if (
            region.paragraphs == 1
            and region.good < TEASER_CHARS
            and region.junk + region.removable >= TEASER_SHARE * region.text
        ):
            # One short paragraph boxed with a headline link, a date or a label: a teaser of
            # another article (a list of them under the article looks like prose otherwise).
            region.junk += region.good
            region.good = region.paragraphs = 0
            self.search.non_content[el] = "teaser"
        self.regions[el] = region
        return 0, 0, region


def _is_content(rule: str, figures: Region, total: int) -> bool:
    """Whether a region named like boilerplate is content after all: a wrapper holding most
    of the page ("page-container ad-free", an ASP.NET `<form>` around everything), or a
    region named for the page's layout ("sidebar-grid") that is made of prose paragraphs.
    What a region is named for (comments, related stories) is trusted whatever it holds."""
    if total and figures.text >= WRAPPER_SHARE * total:
        return True
    return (
        rule in LAYOUT_RULES
        and figures.paragraphs >= LAYOUT_PARAGRAPHS
        and figures.good >= max(LAYOUT_CHARS, LAYOUT_PROSE * figures.text)
    )


def _unflag(walker: _Walker, body, total: int) -> None:
    """Settle the regions named like boilerplate: content after all (see `_is_content`),
    counted as such in the figures of the elements above them, or non-content."""
    regions = walker.search.regions
    non_content = walker.search.non_content
    flagged = {el for el, _rule, _figures in walker.flagged}
    for el, rule, figures in walker.flagged:  # inner regions first: the walk left them first
        if not _is_content(rule, figures, total):
            non_content[el] = rule
            continue
        flagged.discard(el)
        parent = el.getparent()
        while parent is not None:
            above = regions.get(parent)
            if above is not None:
                above.removable -= figures.text
                above.add(figures)
                above.text -= figures.text  # `add` counted the text a second time
                if parent in flagged:
                    break  # the figures above a flagged region see all of it as removable
            if parent is body:
                break
            parent = parent.getparent()


def search(root) -> Search:
    """Walk the page once; `Search.best` is the highest-scoring block element (or None)."""
    body = root.find("body")
    if body is None:
        body = root
    walker = _Walker()
    try:
        walker.visit(body, 0, None)
    except RecursionError:
        pass
    found = walker.search
    top = found.regions.get(body)
    _unflag(walker, body, top.text if top is not None else 0)
    best, best_score = None, 0.0
    for el in found.regions:
        score = found.score(el)
        if score > best_score:
            best, best_score = el, score
    found.best, found.best_score = best, best_score
    return found

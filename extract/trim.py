"""Context classification of the blocks of a generically found body (after jusText).

The scored search picks the element that holds the article, but that element also holds
what sits next to the text: the byline and date line, "Read more" headings over link lists,
credits, subscription prompts. Each block is first classed on its own (`good` prose,
`near`ly good, `short`, `bad` link text), then short and nearly good blocks take the class
of the blocks around them: a sub-heading between two paragraphs is kept, a label at either
end of the body or next to a link list is dropped. Only the generic path uses this: a site
profile's body selector is trusted to name the text itself.
"""

from __future__ import annotations

import re

from extract.blocks import Block, word_key

GOOD_CHARS = 150  # a block this long is prose whatever its punctuation
MIN_CHARS = 40  # below, a block is short unless it is a sentence
LINK_DENSE = 0.5
HEADING_REACH = 1  # a heading is kept when good text follows within this many blocks
SECTION_REACH = 3  # or within this many short lines, inside the text (a recipe's "Meal 1")
_PROSE = re.compile(r"[.!?…][\"'”’»)]*(?:\s|$)|[,;]\s|[。！？]")
_SENTENCE_END = re.compile(r"[.!?…:。！？][\"'”’»)]*$")

# A picture's credit line, which captions outside a <figure> carry (and prose does not).
_CREDIT = re.compile(
    r"\b(?:Photo|Foto|Bild|Image|Picture|Credit|Bildrechte|Fotograf[íi]a)s?\s*:|"
    r"\bAP Photo\b|\bREUTERS/|\bGetty Images\b|\bShutterstock\b|\bIMAGO\b|\bCopyright\s+[^.\n]{1,60}/",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"©|\bCopyright\b", re.IGNORECASE)  # a credit unless a sentence ends the block
CREDIT_CHARS = 400
STANDFIRST_CHARS = 80  # a line without punctuation this long may be a standfirst: nearly good
DATELINE_WORDS = 15  # a line this short holding a year and ending without a sentence end
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d")
_DASHES = "—–-―"
DATELINE_REACH = 3  # the body's first blocks, where the date line under the headline sits
_DIGITS = re.compile(r"\d+")  # a date there has a day or an hour besides its year

LIST_SHARE = 0.5  # context keeping less than this share of the text,
LIST_CHARS = 500  # and less prose than this, means the article is a list
RUN_BLOCKS = 8  # this many short lines in a row end a segment of the body
SEGMENT_SHARE = 0.25  # a segment with less prose than this share of the main one
SEGMENT_CHARS = 500  # and less than this goes
LINKED_ITEMS = 3  # items in a row, each with a link, closing the body: a list of other stories
ENUMERATED = 3  # items numbered 1, 2, 3... in a row: a list the article is made of
_NUMBER = re.compile(r"(\d{1,3})[.)]\s")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")
CJK_WEIGHT = 3

GOOD, NEAR, SHORT, BAD = "good", "near", "short", "bad"


def _length(text: str) -> int:
    """Characters, Chinese, Japanese and Korean ones counted as the few letters of a word
    they stand for: 40 CJK characters are a sentence, 40 Latin ones a label."""
    if text.isascii():
        return len(text)
    wide = len(_CJK.findall(text))
    return len(text) + (CJK_WEIGHT - 1) * wide


def classify(block: Block) -> str:
    """`bad`: mostly link text, or a picture credit; `good`: long, or a sentence of some
    length; `near`: a short sentence or a standfirst-like line; `short`: the rest (labels,
    dates, headlines)."""
    text = block.text
    n = _length(text)
    if block.links and block.link_chars > LINK_DENSE * n:
        return BAD
    if n < CREDIT_CHARS and (_CREDIT.search(text) or (_COPYRIGHT.search(text) and not _SENTENCE_END.search(text))):
        return BAD
    if n >= GOOD_CHARS:
        return GOOD
    if n >= MIN_CHARS:
        if _dateline(block):
            return SHORT
        if _PROSE.search(text):
            return GOOD
        standfirst = n >= STANDFIRST_CHARS and "://" not in text and text.count(":") < 2 and text.count(" ") >= 9
        return NEAR if standfirst else SHORT
    return NEAR if _SENTENCE_END.search(text) else SHORT


def _dateline(block: Block) -> bool:
    """A date line ("Published Monday, November 18, 2019 8:22AM", "Am 15. April 2025 in
    Politik"): short, holding a year, with no sentence end; its commas and the period of
    "15. April" make no sentence, and prose citing a date ends one. Headings are judged by
    what follows them, and a quote's signature ("— Name (@name) May 2, 2019") belongs to
    the quote."""
    text = block.text
    return (
        block.kind != "heading"
        and text[0] not in _DASHES
        and len(text.split()) <= DATELINE_WORDS
        and not _SENTENCE_END.search(text)
        and _YEAR.search(text) is not None
    )


def _neighbour(classes: list[str], i: int, step: int, skip: tuple[str, ...]) -> str:
    j = i + step
    while 0 <= j < len(classes):
        if classes[j] not in skip:
            return classes[j]
        j += step
    return BAD  # the ends of the body count as boilerplate


def _enumerated(blocks: list[Block], classes: list[str]) -> None:
    """Blocks that open with consecutive numbers (`1)`, `2)`, `3)`...) are the items of a
    numbered list, which the article is made of however short each item is: they are
    prose (in place). A ranking of teasers is numbered too, but its items are links (`bad`),
    which stay as they are. Lines between items (an item's second line) do not break it."""
    run: list[int] = []
    for i, block in enumerate(blocks):
        match = _NUMBER.match(block.text)
        if not match:
            continue
        number = int(match.group(1))
        if run and number != int(_NUMBER.match(blocks[run[-1]].text).group(1)) + 1:
            _mark_items(run, classes)
            run = []
        if run or number <= 1:
            run.append(i)
    _mark_items(run, classes)


def _mark_items(run: list[int], classes: list[str]) -> None:
    if len(run) >= ENUMERATED:
        for i in run:
            if classes[i] != BAD:
                classes[i] = GOOD


def _inner_headings(blocks: list[Block], classes: list[str]) -> None:
    """A heading with prose above it and prose a few short lines below it, none of them link
    text, heads a section of the article (a menu's "Meal 1" over "Eat every 2-3 hours" and
    the dish): it is prose (in place), and so the short lines under it sit between prose.
    A "Read more" heading has links under it, a heading atop the body no prose above."""
    seen_good = False
    for i, cls in enumerate(classes):
        if cls == GOOD:
            seen_good = True
        elif cls == SHORT and seen_good and blocks[i].kind == "heading":
            for j in range(i + 1, min(i + 1 + SECTION_REACH, len(classes))):
                if classes[j] == GOOD:
                    classes[i] = GOOD
                if classes[j] != SHORT:
                    break


def _drop_far_segments(blocks: list[Block], classes: list[str]) -> None:
    """A long run of short lines (a timeline of headlines, a list of links) splits the body
    into segments; a segment with little prose next to the main one is what follows the
    article (a ranking, a teaser's summary), and all of it goes (in place, as `bad`)."""
    segments, start, run = [], 0, 0
    for i, cls in enumerate(classes):
        run = 0 if cls == GOOD else run + 1
        if run == RUN_BLOCKS:
            segments.append((start, i - run + 1))
            start = None
        if cls == GOOD and start is None:
            start = i
    if not segments:
        return
    if start is not None:
        segments.append((start, len(classes)))
    weights = [sum(len(blocks[i].text) for i in range(a, b) if classes[i] == GOOD) for a, b in segments]
    top = max(weights)
    for (a, b), weight in zip(segments, weights):
        if weight < SEGMENT_SHARE * top and weight < SEGMENT_CHARS:
            for i in range(a, b):
                classes[i] = BAD


def _linked_list_at_end(blocks: list[Block], classes: list[str]) -> None:
    """A list closing the body whose every item holds a link is a list of other stories
    ("More stories", a teaser's headline half linked), not the article's end: its items
    carry too little link text to count as links one by one."""
    end = len(blocks)
    while end and blocks[end - 1].kind == "li" and blocks[end - 1].links:
        end -= 1
    if len(blocks) - end >= LINKED_ITEMS:
        for i in range(end, len(blocks)):
            classes[i] = BAD


def trim_blocks(
    blocks: list[Block],
    lead: str = "",
    headlines: tuple[str, ...] = (),
    claimed: tuple[list[int], list[int]] = ([], []),
) -> tuple[list[Block], list[tuple[str, str]]]:
    """The blocks that context keeps, and the dropped ones as `(rule, text)`. `lead` is the
    page's description: a block that repeats it is the article's standfirst, whatever its
    form. A block that is a headline, or ends with one (behind its kicker), is no text: it
    must not make the byline and date lines under it look like they sit between paragraphs.
    `claimed` names the blocks the cleaner moves to their own columns, kept for it (and
    judged as usual as the context of the others): related-link lines, and editor codes
    that nothing kept follows."""
    lead_key = word_key(lead) if len(lead) >= MIN_CHARS else ""
    headline_keys = [k for k in (word_key(h) for h in headlines) if k.count(" ") >= 3]
    first = []
    for block in blocks:
        key = block.key
        if lead_key and len(key) >= MIN_CHARS and (key in lead_key or lead_key in key):
            first.append(GOOD)
        elif any(key.endswith(h) for h in headline_keys):
            first.append(BAD)  # the headline (the cleaner drops it), maybe behind its kicker
        else:
            first.append(classify(block))
    for i in range(min(DATELINE_REACH, len(blocks))):
        if _dateline(blocks[i]) and len(_DIGITS.findall(blocks[i].text)) > 1:
            # Under the headline a date line is no text, whatever sits around it (a
            # standfirst above it would keep it as a line between two paragraphs).
            first[i] = BAD
    _enumerated(blocks, first)
    _drop_far_segments(blocks, first)
    _linked_list_at_end(blocks, first)
    _inner_headings(blocks, first)
    final = list(first)
    for i, cls in enumerate(first):
        if cls == SHORT:
            if blocks[i].kind == "heading" and GOOD in first[i + 1 : i + 1 + HEADING_REACH]:
                final[i] = GOOD
                continue
            prev, nxt = _neighbour(first, i, -1, (SHORT, NEAR)), _neighbour(first, i, 1, (SHORT, NEAR))
            if prev == GOOD and nxt == GOOD:
                final[i] = GOOD
            elif prev == BAD and nxt == BAD:
                final[i] = BAD
            elif (prev == BAD and _neighbour(first, i, -1, (SHORT,)) == NEAR) or (
                nxt == BAD and _neighbour(first, i, 1, (SHORT,)) == NEAR
            ):
                final[i] = GOOD
            else:
                final[i] = BAD
        elif cls == NEAR:
            prev, nxt = _neighbour(first, i, -1, (SHORT, NEAR)), _neighbour(first, i, 1, (SHORT, NEAR))
            final[i] = BAD if prev == BAD and nxt == BAD else GOOD
    total = sum(len(b.text) for b, cls in zip(blocks, first) if cls != BAD)
    kept_chars = sum(len(b.text) for b, cls in zip(blocks, final) if cls == GOOD)
    if kept_chars < LIST_SHARE * total and kept_chars < LIST_CHARS:
        # Hardly any prose, and most of the text short lines: a list, a table, a timetable
        # is the article itself, and context cannot tell its lines from labels. Only link
        # text goes.
        final = [BAD if cls == BAD else GOOD for cls in first]
    related, codes = claimed
    last_kept = max((i for i, cls in enumerate(final) if cls == GOOD), default=-1)
    for i in codes:
        if i > last_kept:
            final[i] = GOOD
    for i in related:
        final[i] = GOOD
    kept, removed = [], []
    for block, cls, was in zip(blocks, final, first):
        if cls == GOOD:
            kept.append(block)
        else:
            removed.append((f"context_{was}", block.text))
    return kept, removed

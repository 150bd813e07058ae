"""Text cleaning steps: small pure functions over blocks, driven by the site profile.

Each step takes the blocks and returns `(kept, removed)`, where `removed` is a list of
`(rule, text)`; `clean_blocks` chains them in order and keeps the log, which feeds the
crawl stats and `warta parse --explain`.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from extract.blocks import Block, normalise, word_key
from extract.sites.profile import SiteProfile

Removed = list[tuple[str, str]]
TAIL_CHARS = 240  # phrases are whole blocks or block endings: only a block's tail can hold one
WHOLE_CHARS = 480  # a block up to this long may be one whole phrase (kompas' WhatsApp appeal)
EDITOR_CODE_CHARS = 32  # an editor code and the space before it end a block within these
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class CleanResult:
    paragraphs: list[str]
    related: list[str] = field(default_factory=list)  # raw hrefs of Baca links
    editor: str | None = None
    dateline: str | None = None
    removed: Removed = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)  # the kept blocks, one per paragraph


def paragraph_key(text: str) -> str:
    """Normalised form of a paragraph for equality: lower case words only (as `Block.key`)."""
    return word_key(text)


def content_hash(body: str) -> str:
    return hashlib.sha1(paragraph_key(body).encode("utf-8")).hexdigest()


def blocks_hash(blocks: list[Block]) -> str:
    """`content_hash` of the body these blocks make, from the keys they already hold: a
    paragraph break is not a word, so the body's words are the blocks' words in order."""
    return hashlib.sha1(" ".join(k for k in (b.key for b in blocks) if k).encode("utf-8")).hexdigest()


RELATED_RUN = 6  # link lines a bare "Baca juga" label may head (a box of related stories)


def related_indexes(blocks: list[Block], profile: SiteProfile) -> list[int]:
    """Indexes of the related-link lines: "Baca:" / "Baca juga:" lines, and the link lines
    under a bare label ("Baca juga" over a list of links)."""
    prefix = profile.related_re
    found = []
    pending = 0  # link lines the last bare label may still take
    for i, block in enumerate(blocks):
        if prefix.match(block.text):
            found.append(i)
            pending = 0 if block.links else RELATED_RUN
        elif pending and block.links and block.link_density > 0.8:
            found.append(i)
            pending -= 1
        else:
            pending = 0
    return found


def editor_indexes(blocks: list[Block], profile: SiteProfile) -> list[int]:
    """Indexes of the blocks that are an editor code and nothing else (`(WIL)`, `(rfs/jbr)`)."""
    return [i for i, block in enumerate(blocks) if profile.editor_code_re.fullmatch(block.text)]


def take_related(blocks: list[Block], profile: SiteProfile) -> tuple[list[Block], Removed, list[str]]:
    """Move the related-link lines (`related_indexes`) to related links."""
    related = set(related_indexes(blocks, profile))
    kept, removed, links = [], [], []
    for i, block in enumerate(blocks):
        if i in related:
            removed.append(("related_link", block.text))
            links.extend(block.links)
        else:
            kept.append(block)
    return kept, removed, links


def _blocks_holding(texts: list[str], page: str, keywords: list[str]) -> set[int] | range:
    """Indexes of the texts that hold a keyword, `page` being them lower-cased and joined
    by newlines (all of them when lower-casing changed a length)."""
    starts = list(accumulate((len(t) + 1 for t in texts), initial=0))
    if starts[-1] != len(page) + 1:
        return range(len(texts))
    found = set()
    for keyword in keywords:
        at = page.find(keyword)
        while at != -1:
            found.add(bisect_right(starts, at) - 1)
            at = page.find(keyword, at + 1)
    return found


def drop_phrases(blocks: list[Block], profile: SiteProfile) -> tuple[list[Block], Removed]:
    """Remove blocks that are a known phrase; cut a block where a footer phrase starts inside it."""
    # Keywords are cheap tests before a pattern runs: found in the page's text at once, they
    # name the few blocks worth a closer look.
    texts = [block.text for block in blocks]
    page = "\n".join(texts).lower()
    rules = [rule for rule in profile.phrase_patterns if rule[1] in page]
    if not rules:
        return blocks, []
    candidates = _blocks_holding(texts, page, [keyword for _name, keyword, _rule in rules])
    kept, removed = [], []
    for i, block in enumerate(blocks):
        if i not in candidates:
            kept.append(block)
            continue
        # "... Google News (WIL)": the editor code outlives the phrase printed before it.
        m = profile.editor_tail_re.search(block.text, max(0, len(block.text) - EDITOR_CODE_CHARS))
        text, code = (block.text[: m.start()], m.group(1)) if m else (block.text, None)
        untouched = text
        # a short block may be a phrase whole, its keyword anywhere; a long one ends with it
        tail = (text if len(text) <= WHOLE_CHARS else text[-TAIL_CHARS:]).lower()
        for name, keyword, rule in rules:
            if keyword not in tail:
                continue
            if rule.fullmatch(text):
                removed.append((name, text))
                text = ""
                break
            inner = rule.search(text, max(0, len(text) - TAIL_CHARS))
            if inner and inner.end() == len(text) and inner.start() > 0 and len(inner.group(0)) > 20:
                removed.append((name, inner.group(0)))
                text = text[: inner.start()].rstrip()
                tail = (text if len(text) <= WHOLE_CHARS else text[-TAIL_CHARS:]).lower()
        if text == untouched:
            text, code = block.text, None  # no phrase here: the block stays whole
        if text:
            kept.append(
                block if text == block.text else Block(text, block.kind, block.links, block.link_chars, block.lead_bold)
            )
        if code:
            kept.append(Block(code))
    return kept, removed


def drop_reactions(blocks: list[Block], profile: SiteProfile) -> tuple[list[Block], Removed]:
    """Remove the reaction widget's answers (Happy, Inspire, ...) when they come as a run."""
    words = {w.lower() for w in profile.reaction_words}
    is_word = [b.text.lower() in words for b in blocks]
    kept, removed = [], []
    for i, block in enumerate(blocks):
        run = is_word[i] and ((i > 0 and is_word[i - 1]) or (i + 1 < len(blocks) and is_word[i + 1]))
        (removed.append(("reaction_widget", block.text)) if run else kept.append(block))
    return kept, removed


def drop_link_lists(blocks: list[Block]) -> tuple[list[Block], Removed]:
    """Remove navigation: list items and short blocks that are nothing but links."""
    kept, removed = [], []
    for block in blocks:
        navigational = (
            block.links and block.link_density > 0.9 and (block.kind == "li" or len(block.text.split()) <= 25)
        )
        (removed.append(("link_list", block.text)) if navigational else kept.append(block))
    return kept, removed


def drop_known(blocks: list[Block], known: dict[str, set[str]]) -> tuple[list[Block], Removed]:
    """Remove blocks that repeat page parts found elsewhere: captions and alt texts, the
    headline, the byline, the kicker (a generic container such as <article> holds them all)."""
    keys = {paragraph_key(text): rule for rule, texts in known.items() for text in texts if text}
    keys.pop("", None)
    kept, removed = [], []
    for block in blocks:
        rule = keys.get(block.key)
        (removed.append((rule, block.text)) if rule else kept.append(block))
    return kept, removed


def take_editor(blocks: list[Block], profile: SiteProfile) -> tuple[list[Block], Removed, str | None]:
    """Move the trailing editor code `(WIL)` to the editor field, alone or at a paragraph's end."""
    if not blocks:
        return blocks, [], None
    last = blocks[-1]
    if m := profile.editor_code_re.fullmatch(last.text):
        return blocks[:-1], [("editor_code", last.text)], m.group(1)
    if m := profile.editor_after_sentence_re.search(last.text, max(0, len(last.text) - EDITOR_CODE_CHARS)):
        head = last.text[: m.start()].rstrip()
        return (
            blocks[:-1] + [Block(head, last.kind, last.links, last.link_chars, last.lead_bold)],
            [("editor_code", m.group(0).strip())],
            m.group(1),
        )
    return blocks, [], None


_PLACE = r"[A-Z][\w.'’-]*(?:[ /-][A-Z][\w.'’-]*){0,3}"
# A news outlet's name as bodies print it before (or after) the place: `KOMPAS.com`,
# `REPUBLIKA.CO.ID`, `Liputan6.com`, `Metrotvnews.com`, `iNews.id`.
_OUTLET = r"[A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)*\.(?i:com|id|net|tv|co|org)(?:\.(?i:id))?\b"
_DATELINE = re.compile(
    rf"^(?:(?P<lead>{_OUTLET})\s*[-–—]\s*(?P<caps>[A-Z][A-Z'’-]*(?: [A-Z][A-Z'’-]*){{0,3}})\.\s+(?=\S)"  # KONTAN.CO.ID - JAKARTA.
    rf"|(?:(?P<outlet>{_OUTLET})(?:\s*,\s*(?P<after>{_PLACE}))?"  # Metrotvnews.com, Jakarta:
    rf"|(?P<place>{_PLACE})(?:\s*,\s*(?:{_OUTLET}|[A-Z][\w.'’ /-]{{0,30}}?|\d{{1,2}}/\d{{1,2}}))?"  # JAKARTA, KOMPAS.com -
    r"(?:\s*\([^)]{1,30}\))?)"  # Jakarta (ANTARA) -
    r"\s*(?:[:–—]|--?)\s+(?=\S))"  # Jakarta, CNN Indonesia --
)


def _place_name(place: str) -> str:
    """An all-capitals place as a name (`JAKARTA` -> `Jakarta`, `DKI JAKARTA` -> `DKI Jakarta`);
    other places as printed."""
    if not place.isupper():
        return place
    return " ".join(w if len(w) <= 3 else w.capitalize() for w in place.split(" "))


def take_dateline(blocks: list[Block]) -> tuple[list[Block], Removed, str | None]:
    """Move the leading place (`Moskow: ...`, `JAKARTA, KOMPAS.com - ...`) to the dateline
    field; an outlet's name printed with it (`Metrotvnews.com, Jakarta:`) goes with it, and
    an outlet's name alone (`KOMPAS.com - ...`) leaves the body without a place."""
    if not blocks or blocks[0].kind == "heading":
        return blocks, [], None
    first = blocks[0]
    m = _DATELINE.match(first.text)
    if not m:
        return blocks, [], None
    place = m.group("caps") if m.group("lead") else m.group("place") if m.group("outlet") is None else m.group("after")
    bold = normalise(first.lead_bold.rstrip(": \u00a0"))
    if place and not (bold and place.startswith(bold)) and len(place.split()) > 2:
        return blocks, [], None
    rest = first.text[m.end() :].lstrip()
    if not rest:
        return blocks, [], None
    rest = rest[0].upper() + rest[1:]
    return (
        [Block(rest, first.kind, first.links, first.link_chars)] + blocks[1:],
        [("dateline", m.group(0).strip())],
        _place_name(place) if place else None,
    )


RUN_BLOCKS = 3  # a run of repeats this long (of more than one text) is structure said again


def drop_repeats(blocks: list[Block]) -> tuple[list[Block], Removed]:
    """Keep a paragraph repeated inside one article once, unless the repeat sits in a run of
    repeats: a lone repeat is a caption, a pull quote or an ad slot's label printed again (one
    label stamped n times in a row is still one), while a run of different repeated texts is
    the article's own structure said again (a weekly plan's days, the questions an interview
    puts to each guest), which the text holds every time."""
    seen: set[str] = set()
    again = []
    for block in blocks:
        again.append(block.key in seen)
        seen.add(block.key)
    in_run = [False] * len(blocks)
    start = 0
    for end in range(len(blocks) + 1):
        if end < len(blocks) and again[end]:
            continue
        run = blocks[start:end]
        if len(run) >= RUN_BLOCKS and len({b.key for b in run}) > 1:
            in_run[start:end] = [True] * len(run)
        start = end + 1
    kept, removed = [], []
    for block, repeat, keep in zip(blocks, again, in_run):
        (removed.append(("repeated_paragraph", block.text)) if repeat and not keep else kept.append(block))
    return kept, removed


def drop_empty(blocks: list[Block]) -> tuple[list[Block], Removed]:
    """Remove blocks without a letter or digit (stray punctuation, separators)."""
    kept, removed = [], []
    for block in blocks:
        (kept.append(block) if _WORD.search(block.text) else removed.append(("empty", block.text)))
    return kept, removed


def clean_blocks(blocks: list[Block], profile: SiteProfile, known: dict[str, set[str]] | None = None) -> CleanResult:
    """All cleaning steps in order; the order matters (the editor code is last only once the
    footer phrases are gone; the dateline is first only once captions and the byline are gone).
    `known` maps a rule name to page texts that are not body (caption, headline, byline...)."""
    removed: Removed = []
    blocks, r, related = take_related(blocks, profile)
    removed += r
    for step in (
        lambda b: drop_phrases(b, profile),
        lambda b: drop_reactions(b, profile),
        drop_link_lists,
        lambda b: drop_known(b, known or {}),
        drop_empty,
    ):
        blocks, r = step(blocks)
        removed += r
    blocks, r, editor = take_editor(blocks, profile)
    removed += r
    blocks, r, dateline = take_dateline(blocks)
    removed += r
    blocks, r = drop_repeats(blocks)
    removed += r
    return CleanResult([b.text for b in blocks], related, editor, dateline, removed, blocks)

"""The body of a page: which element holds it, and how it is read.

A site profile's body selector is trusted when a cheap look finds nothing wrong with what it
returned (path `profile`); otherwise, and always for the GENERIC profile (whose selectors
are guesses), the page is searched (`main_content`) and the selector's element is judged
against the best candidate. An element found by the search, or by GENERIC's guesses, is read
generically (path `generic`): regions named non-content and boxes after the text are left
out, and so are other stories (a next article, a feed of teasers); the blocks at its edges
are judged by context (`trim`), and a standfirst shown above it is put back in front. When
nothing yields text, trafilatura is the parser's last resort.
"""

from __future__ import annotations

from extract import main_content
from extract.blocks import Block, extract_blocks, normalise, word_key
from extract.main_content import LINK_DENSE, Search
from extract.metadata import jsonld_text
from extract.selectors import text_of
from extract.text import editor_indexes, related_indexes
from extract.titles import h1_texts
from extract.trim import trim_blocks

OUTSIDE_CHARS = 1000  # paragraph text outside a profile's body that needs no second look
SELECTOR_SHARE = 0.5  # a selector's element scoring below this share of the best one loses
APPENDIX_LEVELS = 4  # how far down the main child's path boxes after the text are looked for
APPENDIX_TAGS = frozenset(["div", "section", "aside", "footer"])
APPENDIX_SHARE = 0.2
TITLED_SHARE = 0.6  # a box under its own title line may hold more: an appeal to a short article
BOX_TITLE = 60  # a first line this short, with no sentence end, is the box's title
MAIN_SHARE = 0.5
BOX_TEXT = 3  # paragraphs, of this many characters on average (prose whatever its
BOX_TEXT_CHARS = 150  # punctuation, as trim's GOOD_CHARS): a box that is a text of its own
STANDFIRST_TAGS = frozenset(["p", "div", "h2", "h3", "span", "strong", "section", "header"])
STANDFIRST_MATCH = 0.8  # the shorter of the element's text and the description, of the longer
STANDFIRST_CHILDREN = 6
MIN_STANDFIRST = 40
STORY_LIST = 3  # sibling <article>s: a feed of other stories


def plausible(page, selected, blocks) -> bool:
    """A cheap look, before any search, at what a site profile's selector returned: not
    mostly links, and no more paragraph text elsewhere on the page than inside it. Only when
    this fails is the page searched (the search costs more than the rest of a parse)."""
    text = sum(len(b.text) for b in blocks)
    if not text or sum(b.link_chars for b in blocks) > LINK_DENSE * text:
        return False
    inside = set(selected.iter("p"))
    outside = 0
    for p in page.tagged("p"):
        if p not in inside:
            outside += len(text_of(p).strip())
    return outside <= max(OUTSIDE_CHARS, text)


def judge(found: Search, selected) -> tuple[object, str]:
    """Which element to extract: `selected` (what a profile's selector returned) or the
    search's best, and why. The selector keeps its element unless the search shows it is
    clearly not the article: mostly links or boilerplate (a score near nothing), or far
    below the best candidate elsewhere (a sidebar "Headline" box, a cookie notice)."""
    best = found.best
    if selected is None:
        return best, "search"
    if best is None or selected is best:
        return selected, "selector"
    if found.score(selected) >= SELECTOR_SHARE * found.best_score:
        return selected, "selector"
    return best, "search"


def appendices(found: Search, chosen) -> dict:
    """Boxes after the article's own text inside the chosen element: an author's bio, a
    newsletter or subscription appeal, a disclaimer. Along the path of the element's main
    child (the one with the most prose), a container after it that is of another kind (tag
    and class) and holds little prose is left out; text split over several containers of
    the same kind, lists, quotes and tables are kept. Where no child holds most of the
    prose (paragraphs side by side), the paragraphs' kind stands for the main child and the
    boxes after its last one are judged the same way."""
    dropped = {}
    el = chosen
    regions = found.regions
    for _level in range(APPENDIX_LEVELS):
        children = [c for c in el if c in regions]
        if not children:
            break
        main = max(children, key=lambda c: regions[c].good)
        main_good = regions[main].good
        if main_good < MAIN_SHARE * regions[el].good or not main_good:
            _flat_appendices(children, regions, regions[el].good, dropped)
            break
        kind = (main.tag, main.get("class"))
        after = False
        for child in children:
            if child is main:
                after = True
            elif after and _appendix(child, kind, regions, main_good):
                dropped[child] = "appendix"
        el = main
    return dropped


def _appendix(child, kind, regions, main_good: int) -> bool:
    """A container after the text, of another kind, holding little prose beside it."""
    return (
        child.tag in APPENDIX_TAGS
        and (child.tag, child.get("class")) != kind
        and 0 < regions[child].good < (TITLED_SHARE if _titled(child) else APPENDIX_SHARE) * main_good
    )


def _flat_appendices(children, regions, total: int, dropped: dict) -> None:
    """Paragraphs side by side: the kind holding most of the prose is the text, and the
    containers after its last member are boxes after the text, unless one is a text of its
    own: an appeal or a bio says its piece in a paragraph or two, while several paragraphs
    of full prose next to the text's own paragraphs are a fact box the article carries."""
    by_kind: dict = {}
    for child in children:
        kind = (child.tag, child.get("class"))
        by_kind[kind] = by_kind.get(kind, 0) + regions[child].good
    kind, good = max(by_kind.items(), key=lambda kv: kv[1])
    if good < MAIN_SHARE * total:
        return
    last = max(i for i, c in enumerate(children) if (c.tag, c.get("class")) == kind)
    for child in children[last + 1 :]:
        region = regions[child]
        text = region.paragraphs >= BOX_TEXT and region.good >= BOX_TEXT_CHARS * region.paragraphs
        if not text and _appendix(child, kind, regions, good):
            dropped[child] = "appendix"


def _titled(box) -> bool:
    """The box opens with a title line (a short first text, no sentence end): a box set apart
    from the article under its own label, as appeals and newsletters are; text that merely
    goes on in another container opens with prose."""
    for el in box.iter():
        text = normalise(el.text or "") if isinstance(el.tag, str) else ""
        if text:
            return len(text) <= BOX_TITLE and text[-1] not in ".!?…:"
    return False


def other_stories(page, chosen) -> dict:
    """Other stories inside the chosen element, all of each left out:
    - a story appended under the article (an endless scroll, a "next article"): a page tells
      one story under one <h1>, so an <article> holding its own <h1> after the first such one
      is another page's;
    - a run of sibling <article>s ("you may also like", a feed): one story is not made of
      several articles side by side, a list of teasers is."""
    headed = []
    for article in page.tagged("article"):
        if article.find(".//h1") is None:
            continue
        ancestors = set(article.iterancestors())
        if chosen in ancestors and not any(a in ancestors for a in headed):
            headed.append(article)
    dropped = {article: "later_story" for article in headed[1:]}
    for article in page.tagged("article"):
        parent = article.getparent()
        if parent is None or parent in dropped or chosen not in article.iterancestors():
            continue
        siblings = [c for c in parent if c.tag == "article"]
        if len(siblings) >= STORY_LIST and article is siblings[0]:
            for sibling in siblings:
                dropped[sibling] = "story_list"
    return dropped


def standfirst(page, chosen, description: str, blocks: list[Block]) -> Block | None:
    """The standfirst shown above the chosen element, when the body lacks it: the element
    between the headline and the body whose text is the page's description (the summary
    every news site writes; shown on the page, not only in its metadata)."""
    want = word_key(description)
    if len(description) < MIN_STANDFIRST or any(
        want in b.key or (b.key in want and len(b.key) >= len(want) * STANDFIRST_MATCH) for b in blocks[:3]
    ):
        return None  # the body has it already
    elements = page.elements
    try:
        end = elements.index(chosen)
    except ValueError:
        return None
    start = next((i for i, el in enumerate(elements[:end]) if el.tag == "h1"), 0)
    for el in elements[start:end]:
        if el.tag not in STANDFIRST_TAGS or len(el) > STANDFIRST_CHILDREN:
            continue
        text = normalise(page.text(el))
        key = word_key(text)
        shorter, longer = sorted((key, want), key=len)
        if shorter and shorter in longer and len(shorter) >= STANDFIRST_MATCH * len(longer):
            return Block(text)
    return None


def read_generic(page, profile, found: Search, chosen, md, title: str | None) -> tuple[list[Block], list]:
    """The blocks of an element chosen by the search (or by GENERIC's guesses)."""
    dropped = dict(found.non_content)
    dropped.update(appendices(found, chosen))
    dropped.update(other_stories(page, chosen))
    dropped.update(profile.body_rules.find(page, chosen))
    blocks, removed = extract_blocks(chosen, profile.related_re, dropped)
    lead = normalise(
        md.first("og:description", "description", "twitter:description")
        or jsonld_text(md.jsonld.get("description"))
        or ""
    )
    claimed = (related_indexes(blocks, profile), editor_indexes(blocks, profile))
    blocks, trimmed = trim_blocks(blocks, lead, (title or "", *h1_texts(page)), claimed)
    first = standfirst(page, chosen, lead, blocks) if blocks else None
    if first is not None:
        blocks.insert(0, first)
    return blocks, removed + trimmed


def find_body(page, profile, generic: bool, md, title: str | None, sources: dict):
    """`(blocks, removed, element, path)`: the body as blocks, what was left out, the element
    it came from and the path taken (`profile`, `generic`; `fallback` when nothing was found,
    and the caller's trafilatura will have to find the text).
    `generic` says the profile.generic, whose selectors are judged like the search's picks."""
    selected, selector = next(
        (
            (el, sel)
            for sel in profile.body_selectors
            for el in page.select(sel)
            if any(t.strip() for t in el.itertext())
        ),
        (None, None),
    )
    if selected is not None and not generic:
        blocks, removed = extract_blocks(selected, profile.related_re, profile.body_rules.find(page, selected))
        if plausible(page, selected, blocks):
            sources["body"] = f"css:{selector}"
            return blocks, removed, selected, "profile"
    found = main_content.search(page.root)
    chosen, why = judge(found, selected)
    if chosen is None:
        return [], [], None, "fallback"
    sources["body_score"] = f"{found.score(chosen):.0f}"
    if why == "selector":
        sources["body"] = f"css:{selector}"
        if not generic:
            return blocks, removed, selected, "profile"
    else:
        sources["body"] = f"search:{chosen.tag}" + "".join(f".{c}" for c in (chosen.get("class") or "").split()[:2])
        if selected is not None:
            sources["body_rejected"] = f"css:{selector} scored {found.score(selected):.0f}"
    blocks, removed = read_generic(page, profile, found, chosen, md, title)
    return blocks, removed, chosen, "generic"

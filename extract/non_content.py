"""What is not article content, by an element's own markup: its tag, ARIA role, visibility,
class or id.

Names are read as words ("article-sidebar", "c-related__list", "commentList" hold "sidebar",
"related", "comment"); a name that also says it is content ("article-body") is not named
non-content. The word lists are what readability-style extractors have learnt. Names count
on containers and inline spans only: a `<p class="paywall">` is still a paragraph.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Elements whose whole subtree is not article text, by tag or by ARIA role.
NON_CONTENT_TAGS = frozenset(
    ["nav", "aside", "footer", "form", "button", "select", "dialog", "menu", "figure", "figcaption", "label"]
)
NON_CONTENT_ROLES = frozenset(
    ["navigation", "complementary", "contentinfo", "banner", "menu", "menubar", "dialog", "alert", "search"]
)
# By class or id, as words.
_NAME_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])")
NON_CONTENT_WORDS = frozenset(
    [
        "comment",
        "comments",
        "disqus",
        "sidebar",
        "aside",
        "related",
        "recommended",
        "recommendations",
        "recirculation",
        "promo",
        "newsletter",
        "subscribe",
        "subscription",
        "signup",
        "share",
        "sharing",
        "social",
        "breadcrumb",
        "breadcrumbs",
        "nav",
        "navbar",
        "navigation",
        "menu",
        "footer",
        "masthead",
        "cookie",
        "cookies",
        "consent",
        "banner",
        "advert",
        "advertisement",
        "ad",
        "ads",
        "adslot",
        "sponsored",
        "sponsor",
        "outbrain",
        "taboola",
        "trending",
        "popular",
        "mostread",
        "teaser",
        "teasers",
        "widget",
        "modal",
        "popup",
        "toolbar",
        "pagination",
        "pager",
        "skip",
        "tags",
        "tagcloud",
        "byline",
        "caption",
        "credits",
        "author",
        "bio",
        "more",
        "readmore",
    ]
)
# Whole class names (not words in them: "hidden-xs" hides on small screens only).
HIDDEN_CLASSES = frozenset(
    ["hidden", "hide", "is-hidden", "d-none", "u-hidden", "visually-hidden", "sr-only", "screen-reader-text"]
)
CONTENT_WORDS = frozenset(
    ["article", "articlebody", "content", "body", "main", "story", "post", "entry", "text", "paragraph", "richtext"]
)
# Names count on these only (containers and inline spans), never on paragraphs.
NAMED_TAGS = frozenset(
    ["div", "section", "aside", "ul", "ol", "li", "span", "header", "footer", "nav", "table", "article", "dl", "center"]
)
_DISPLAY_NONE = re.compile(r"display\s*:\s*none")


@lru_cache(maxsize=50_000)  # a site's pages repeat their class names
def _name_rule(names: str) -> str | None:
    """The rule a class or id value names."""
    if not HIDDEN_CLASSES.isdisjoint(names.split()):
        return "non_content:hidden"  # a utility class that hides the element
    words = {w.lower() for w in _NAME_SPLIT.split(names) if w}
    bad = words & NON_CONTENT_WORDS
    return f"non_content:{min(bad)}" if bad and not words & CONTENT_WORDS else None


def non_content_rule(el, tag: str, keys=None) -> str | None:
    """Why `el` is not article content (its tag, role, name or visibility), or None. Names
    count on containers only: a `<p class="paywall">` is still a paragraph of the article."""
    if tag in NON_CONTENT_TAGS:
        return f"non_content:{tag}"
    if keys is None:
        keys = el.keys()
    if not keys:
        return None
    get = el.get
    if "role" in keys:
        role = get("role").lower()
        if role in NON_CONTENT_ROLES:
            return f"non_content:role={role}"
    if "hidden" in keys or get("aria-hidden") == "true":
        return "non_content:hidden"
    if "style" in keys:
        style = get("style")
        if "none" in style and _DISPLAY_NONE.search(style):
            return "non_content:hidden"
    if tag in NAMED_TAGS:
        if "class" in keys:
            rule = _name_rule(get("class"))
            if rule:
                return rule
        if "id" in keys:
            return _name_rule(get("id"))
    return None

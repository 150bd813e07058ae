"""Structured metadata of a page: JSON-LD, Open Graph / meta tags, canonical link.

Any of these may be missing on medcom (JSON-LD is not confirmed there), so every reader
returns None rather than raising, and the parser falls back to the profile's selectors.
Real pages bend the rules: JSON-LD inside `//<![CDATA[` wrappers, with raw newlines in
strings or two objects in one script; an article node next to a WebPage node that also has
a headline; authors given as `{"@id": ...}` references to a Person elsewhere in the graph.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

# Article node types, best first: a page's WebPage node often repeats the headline, but the
# article node is the one that names the authors and the publication time.
ARTICLE_RANKS = {
    **dict.fromkeys(
        (
            "NewsArticle",
            "ReportageNewsArticle",
            "AnalysisNewsArticle",
            "OpinionNewsArticle",
            "BackgroundNewsArticle",
            "ReviewNewsArticle",
            "LiveBlogPosting",
        ),
        0,
    ),
    **dict.fromkeys(
        (
            "Article",
            "BlogPosting",
            "TechArticle",
            "ScholarlyArticle",
            "SatiricalArticle",
            "Report",
            "SocialMediaPosting",
        ),
        1,
    ),
    **dict.fromkeys(("WebPage", "MedicalWebPage", "ItemPage"), 2),
}
ARTICLE_TYPES = set(ARTICLE_RANKS)
ORGANIZATION_TYPES = {"Organization", "NewsMediaOrganization", "Corporation", "organization"}
_WRAPPER = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$|^\s*<!--|-->\s*$")
_DECODER = json.JSONDecoder(strict=False)
# Real JSON-LD nests a few levels. The walks below stop deeper down (json itself raises
# RecursionError past ~1,000 levels, and a walk that deep would too).
MAX_JSONLD_DEPTH = 32


@dataclass
class Metadata:
    jsonld: dict = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)  # lower-cased property/name -> content
    meta_all: dict[str, list[str]] = field(default_factory=dict)  # every value of a repeated name
    canonical: str | None = None
    amphtml: str | None = None
    lang: str | None = None  # <html lang>
    nodes_by_id: dict[str, dict] = field(default_factory=dict)  # JSON-LD nodes with an @id
    breadcrumb: dict = field(default_factory=dict)  # the first JSON-LD BreadcrumbList

    def first(self, *names: str) -> str | None:
        for name in names:
            value = self.meta.get(name)
            if value and value.strip():
                return value.strip()
        return None

    def resolve(self, value, depth: int = 0):
        """A JSON-LD value with `{"@id": ...}` references replaced by the nodes they name."""
        if isinstance(value, list):
            return [self.resolve(v, depth + 1) for v in value] if depth < MAX_JSONLD_DEPTH else []
        if isinstance(value, dict) and len(value) <= 2 and "@id" in value and "name" not in value:
            return self.nodes_by_id.get(value["@id"], value)
        return value


def _walk_jsonld(node, depth: int = 0):
    """Top-level nodes, those of a @graph, and a page's main entity (a WebPage around its
    NewsArticle); not other nested nodes, which describe other things (teasers, authors)."""
    if depth >= MAX_JSONLD_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            yield from _walk_jsonld(item, depth + 1)
    elif isinstance(node, dict):
        yield node
        if "@graph" in node:
            yield from _walk_jsonld(node["@graph"], depth + 1)
        if isinstance(node.get("mainEntity"), dict):
            yield from _walk_jsonld(node["mainEntity"], depth + 1)


def _types(node: dict) -> list[str]:
    types = node.get("@type")
    return [t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]


def _rank(node: dict) -> int | None:
    ranks = [ARTICLE_RANKS[t] for t in _types(node) if t in ARTICLE_RANKS]
    if not ranks and "headline" in node and "@type" not in node:
        return max(ARTICLE_RANKS.values())  # an untyped main entity with a headline
    return min(ranks) if ranks else None


def _is_article(node: dict) -> bool:
    return _rank(node) is not None


def load_jsonld(text: str):
    """The JSON of one ld+json script, or None: wrappers stripped, raw control characters
    in strings allowed, and only the first value read when more follow."""
    text = _WRAPPER.sub("", text.strip()) if "<!" in text or "-->" in text else text.strip()
    try:
        return _DECODER.raw_decode(text)[0]
    except (ValueError, RecursionError):  # nested ~1,000 deep: json's C scanner recursed too deep
        return None


def read_metadata(page) -> Metadata:
    """`page` is the document's `extract.selectors.PageIndex`."""
    md = Metadata()
    md.lang = page.root.get("lang") or page.root.get("xml:lang")
    for el in page.tagged("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = el.get("content")
        if key and content is not None:
            md.meta_all.setdefault(key, []).append(content)
            if key not in md.meta:
                md.meta[key] = content
    for el in page.tagged("link"):
        rel = (el.get("rel") or "").lower().split()
        if "canonical" in rel and not md.canonical:
            md.canonical = el.get("href")
        if "amphtml" in rel and not md.amphtml:
            md.amphtml = el.get("href")
    best, best_key = None, None
    for script in page.tagged("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        data = load_jsonld(script.text)
        for node in _walk_jsonld(data):
            if isinstance(node.get("@id"), str):
                md.nodes_by_id.setdefault(node["@id"], node)
            if not md.breadcrumb:
                # a WebPage names its trail in `breadcrumb`; other pages give it as a node
                trail = node.get("breadcrumb")
                for candidate in (node, trail if isinstance(trail, dict) else None):
                    if candidate and "BreadcrumbList" in _types(candidate):
                        md.breadcrumb = candidate
                        break
            rank = _rank(node)
            if rank is not None:
                key = (rank, "headline" not in node)  # the first node of the best kind wins
                if best_key is None or key < best_key:
                    best, best_key = node, key
    md.jsonld = best or {}
    return md


def jsonld_text(value, depth: int = 0) -> str | None:
    """A JSON-LD value that may be a string, a dict with name/url, or a list of those."""
    if isinstance(value, str):
        return value.strip() or None
    if depth >= MAX_JSONLD_DEPTH:
        return None
    if isinstance(value, dict):
        return jsonld_text(value.get("name") or value.get("url") or value.get("@id"), depth + 1)
    if isinstance(value, list) and value:
        return jsonld_text(value[0], depth + 1)
    return None


def _person_name(value) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if not isinstance(value, dict):
        return None
    name = value.get("name")
    if isinstance(name, list):
        name = next((n for n in name if isinstance(n, str)), None)
    if not isinstance(name, str) or not name.strip():
        given, family = value.get("givenName"), value.get("familyName")
        name = " ".join(p for p in (given, family) if isinstance(p, str) and p.strip())
    if not name and isinstance(value.get("byline"), str):
        name = value["byline"]
    return name.strip() if isinstance(name, str) and name.strip() else None


def jsonld_names(value, md: Metadata | None = None, organizations: bool = True, depth: int = 0) -> list[str]:
    """Names from a JSON-LD author value (string, Person, reference, or a list of them);
    never a URL. `organizations=False` leaves out authors typed as an organization."""
    if md is not None:
        value = md.resolve(value)
    if isinstance(value, list):
        if depth >= MAX_JSONLD_DEPTH:
            return []
        return [n for item in value for n in jsonld_names(item, md, organizations, depth + 1)]
    if isinstance(value, dict) and not organizations and set(_types(value)) & ORGANIZATION_TYPES:
        return []
    name = _person_name(value)
    if not name or "://" in name or name.startswith(("#", "/")):
        return []
    return [name]

"""Structured metadata of a page: JSON-LD, Open Graph / meta tags, canonical link.

Any of these may be missing on medcom (JSON-LD is not confirmed there), so every reader
returns None rather than raising, and the parser falls back to the profile's selectors.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
                 "OpinionNewsArticle", "BlogPosting", "WebPage"}


@dataclass
class Metadata:
    jsonld: dict = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)  # lower-cased property/name -> content
    canonical: str | None = None
    amphtml: str | None = None

    def first(self, *names: str) -> str | None:
        for name in names:
            value = self.meta.get(name)
            if value and value.strip():
                return value.strip()
        return None


def _walk_jsonld(node):
    if isinstance(node, list):
        for item in node:
            yield from _walk_jsonld(item)
    elif isinstance(node, dict):
        yield node
        if "@graph" in node:
            yield from _walk_jsonld(node["@graph"])


def _is_article(node: dict) -> bool:
    types = node.get("@type")
    types = types if isinstance(types, list) else [types]
    return any(t in ARTICLE_TYPES for t in types if isinstance(t, str))


def read_metadata(page) -> Metadata:
    """`page` is the document's `crawler.extract.selectors.PageIndex`."""
    md = Metadata()
    for el in page.tagged("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = el.get("content")
        if key and content is not None and key not in md.meta:
            md.meta[key] = content
    for el in page.tagged("link"):
        rel = (el.get("rel") or "").lower().split()
        if "canonical" in rel and not md.canonical:
            md.canonical = el.get("href")
        if "amphtml" in rel and not md.amphtml:
            md.amphtml = el.get("href")
    best = None
    for script in page.tagged("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for node in _walk_jsonld(data):
            if _is_article(node) and (best is None or "headline" in node):
                best = node
    md.jsonld = best or {}
    return md


def jsonld_text(value) -> str | None:
    """A JSON-LD value that may be a string, a dict with name/url, or a list of those."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return jsonld_text(value.get("name") or value.get("url") or value.get("@id"))
    if isinstance(value, list) and value:
        return jsonld_text(value[0])
    return None


def jsonld_names(value) -> list[str]:
    """Person names from a JSON-LD author value (string, dict, or list of them)."""
    if isinstance(value, list):
        return [n for item in value for n in jsonld_names(item)]
    name = jsonld_text(value)
    return [name] if name else []

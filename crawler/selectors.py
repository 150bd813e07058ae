"""Fast answers to the simple CSS selectors that site profiles use.

A full CSS-to-XPath query walks the whole document with string functions for every class
test; with twenty selectors per page that walk was most of the parse time. Here one XPath
pass collects the elements that carry a class (libxml2 keeps ids in a hash table already),
and selectors made of a tag, an id, classes and attribute tests, optionally with one
descendant step (`.tags a`), are answered from that index. Anything else falls back to
lxml's CSSSelector, so a profile may use any selector.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

_COMPOUND = re.compile(
    r"^(?P<tag>[a-zA-Z][a-zA-Z0-9]*|\*)?(?P<rest>(?:#[\w-]+|\.[\w-]+|\[[\w-]+(?:[*^$]?=[^\]]+)?\])*)$")
_PART = re.compile(r"#([\w-]+)|\.([\w-]+)|\[([\w-]+)(?:([*^$]?=)([^\]]+))?\]")
_BY_ID = etree.XPath("id($id)")


@dataclass(frozen=True)
class Compound:
    tag: str | None
    ids: tuple[str, ...]
    classes: tuple[str, ...]
    attrs: tuple[tuple[str, str | None, str | None], ...]  # (name, operator, value)

    def matches(self, el) -> bool:
        if self.tag and el.tag != self.tag:
            return False
        if any(el.get("id") != i for i in self.ids):
            return False
        if self.classes:
            have = (el.get("class") or "").split()
            if any(c not in have for c in self.classes):
                return False
        for name, op, value in self.attrs:
            got = el.get(name)
            if got is None or (op == "=" and got != value) or (op == "*=" and value not in got) or (
                    op == "^=" and not got.startswith(value)) or (op == "$=" and not got.endswith(value)):
                return False
        return True


def parse_compound(text: str) -> Compound | None:
    m = _COMPOUND.match(text)
    if not m:
        return None
    ids, classes, attrs = [], [], []
    for i, c, name, op, value in _PART.findall(m.group("rest")):
        if i:
            ids.append(i)
        elif c:
            classes.append(c)
        else:
            attrs.append((name, op or None, value.strip("'\"") if value else None))
    tag = m.group("tag")
    return Compound(None if tag in (None, "*") else tag.lower(), tuple(ids), tuple(classes), tuple(attrs))


def parse_selector(selector: str) -> tuple[Compound, ...] | None:
    """One simple selector (at most one descendant step) as compounds, or None if unsupported."""
    parts = selector.split()
    if not 1 <= len(parts) <= 2 or any(c in selector for c in ",>+~:()"):  # combinators: fallback
        return None
    compounds = tuple(parse_compound(p) for p in parts)
    return None if any(c is None for c in compounds) else compounds


class _ScopeIndex:
    """Elements of one subtree by class and by attribute, built in one pass."""

    def __init__(self, scope):
        self.by_class: dict[str, list] = {}
        self.by_attr: dict[str, list] = {}
        for el in scope.iter():
            if el is scope or not isinstance(el.tag, str):
                continue
            for name in el.keys():
                self.by_attr.setdefault(name, []).append(el)
            for token in (el.get("class") or "").split():
                self.by_class.setdefault(token, []).append(el)


class PageIndex:
    """Selector answers for one document; call `invalidate()` after removing elements.

    `parsed(selector)` and `fallback(selector)` come from the site profile, which caches
    them across pages."""

    def __init__(self, root, parsed, fallback):
        self.root = root
        self.parsed = parsed
        self.fallback = fallback
        self._by_attr: dict[str, list] = {}
        self._by_class: dict[str, list] | None = None
        self._scopes: dict[int, tuple[object, _ScopeIndex]] = {}

    def invalidate(self) -> None:
        self._by_attr.clear()
        self._by_class = None
        self._scopes.clear()

    def _root_attr(self, name: str) -> list:
        found = self._by_attr.get(name)
        if found is None:
            found = self._by_attr[name] = self.root.xpath(f"//*[@{name}]")
        return found

    def _root_class(self, token: str) -> list:
        if self._by_class is None:
            self._by_class = {}
            for el in self._root_attr("class"):
                for t in (el.get("class") or "").split():
                    self._by_class.setdefault(t, []).append(el)
        return self._by_class.get(token, [])

    def _scope(self, scope) -> _ScopeIndex:
        cached = self._scopes.get(id(scope))
        if cached is None or cached[0] is not scope:
            cached = self._scopes[id(scope)] = (scope, _ScopeIndex(scope))
        return cached[1]

    def _candidates(self, c: Compound, scope) -> list:
        if scope is self.root:
            if c.ids:
                return [el for el in _BY_ID(self.root, id=c.ids[0]) if isinstance(el.tag, str)]
            if c.classes:
                return self._root_class(c.classes[0])
            if c.attrs:
                return self._root_attr(c.attrs[0][0])
        else:
            index = self._scope(scope)
            if c.ids:
                return index.by_attr.get("id", [])
            if c.classes:
                return index.by_class.get(c.classes[0], [])
            if c.attrs:
                return index.by_attr.get(c.attrs[0][0], [])
        if c.tag:
            return [el for el in scope.iter(c.tag) if el is not scope]
        return [el for el in scope.iter() if el is not scope and isinstance(el.tag, str)]

    def select(self, selector: str, scope=None) -> list:
        """Elements matching `selector` (a group allowed) under `scope` (default: the page)."""
        scope = self.root if scope is None else scope
        groups = self.parsed(selector)
        if groups is None:
            return self.fallback(selector)(scope)
        seen, out = set(), []
        for compounds in groups:
            first = [el for el in self._candidates(compounds[0], scope) if compounds[0].matches(el)]
            found = first if len(compounds) == 1 else [
                el for ancestor in first for el in self._candidates(compounds[1], ancestor)
                if compounds[1].matches(el)]
            for el in found:
                if el not in seen:
                    seen.add(el)
                    out.append(el)
        return out


def parse_group(selector: str) -> tuple[tuple[Compound, ...], ...] | None:
    """A selector group (`a, b`) as compounds per selector, or None when any part is unsupported."""
    parts = [parse_selector(part.strip()) for part in selector.split(",")]
    return None if any(p is None for p in parts) else tuple(parts)

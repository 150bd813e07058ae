"""Fast answers to the simple CSS selectors that site profiles use.

A CSS-to-XPath query walks the whole document with string functions for every class test,
and lxml.html's element classes cost a Python call per element touched; with twenty
selectors per page those were most of the parse time. Here the page is a plain lxml tree,
one XPath collects the elements that carry a class (libxml2 keeps ids in a hash table), and
selectors made of a tag, an id, classes and attribute tests, optionally with one descendant
step (`.tags a`), are answered from that index. Anything else falls back to lxml's
CSSSelector, so a profile may use any selector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

_COMPOUND = re.compile(
    r"^(?P<tag>[a-zA-Z][a-zA-Z0-9]*|\*)?(?P<rest>(?:#[\w-]+|\.[\w-]+|\[[\w-]+(?:[*^$]?=[^\]]+)?\])*)$"
)
_PART = re.compile(r"#([\w-]+)|\.([\w-]+)|\[([\w-]+)(?:([*^$]?=)([^\]]+))?\]")
# Compiled once like a regex; lxml.html's text_content() is the same expression.
_STRING = etree.XPath("string()", smart_strings=False)
_BY_ID = etree.XPath("id($id)")
# One walk in C collects the attributes the index answers from: class tokens, and the
# microdata and link relations that article pages are marked up with ([itemprop=articleBody],
# a[rel=tag], [itemprop=datePublished]); an XPath per such test would walk the page again.
_INDEXED = etree.XPath("descendant-or-self::*/@class | descendant-or-self::*/@itemprop | descendant-or-self::*/@rel")
INDEXED_ATTRIBUTES = ("itemprop", "rel")
# Class, itemprop and rel tokens indexed in one page (real pages: at most ~8,000); a page with
# a million class names (7 MB of them) spent 1.5 s here, and the rest of it is not looked up.
MAX_INDEXED_TOKENS = 200_000
# Characters the field readers may take out of one page with `PageIndex.text` (real pages: a
# few thousand). Elements nested 250 deep around one big text, each a caption or a byline,
# would each be read whole: 250 times 8 MB took over a minute.
MAX_TEXT_READ = 8_000_000


def text_of(el) -> str:
    """All text inside an element (its own tail excluded), as `text_content()` gives it."""
    return _STRING(el)


@dataclass(frozen=True)
class Compound:
    tag: str | None
    ids: tuple[str, ...]
    classes: tuple[str, ...]
    attrs: tuple[tuple[str, str | None, str | None], ...]  # (name, operator, value)
    # "tag", "id" or "class" when that single test is the whole compound: an index lookup by
    # it needs no further matching.
    only: str | None = field(init=False, compare=False, default=None)
    # Attribute tests without an id or class to look up by ([itemprop=articleBody], a[rel=tag]):
    # one XPath finds them in C, where a Python scan would visit every element of the page.
    xpath: etree.XPath | None = field(init=False, compare=False, default=None, repr=False)
    # An equality test on an indexed attribute: the (name, value) key of the page index.
    indexed: tuple[str, str] | None = field(init=False, compare=False, default=None)

    def __post_init__(self):
        tests = (bool(self.tag), len(self.ids), len(self.classes), len(self.attrs))
        only = {(True, 0, 0, 0): "tag", (False, 1, 0, 0): "id", (False, 0, 1, 0): "class"}.get(tests)
        object.__setattr__(self, "only", only)
        if self.attrs and not self.ids and not self.classes:
            object.__setattr__(self, "xpath", _attribute_xpath(self.tag, self.attrs))
            indexed = [
                (n, v) for n, op, v in self.attrs if op == "=" and n in INDEXED_ATTRIBUTES and v and " " not in v
            ]
            if indexed:
                object.__setattr__(self, "indexed", indexed[0])

    def matches(self, el) -> bool:
        if self.tag and el.tag != self.tag:
            return False
        for i in self.ids:
            if el.get("id") != i:
                return False
        if self.classes:
            have = (el.get("class") or "").split()
            for c in self.classes:
                if c not in have:
                    return False
        for name, op, value in self.attrs:
            got = el.get(name)
            if (
                got is None
                or (op == "=" and got != value)
                or (op == "*=" and value not in got)
                or (op == "^=" and not got.startswith(value))
                or (op == "$=" and not got.endswith(value))
            ):
                return False
        return True


_XPATH_TESTS = {
    "=": "@{n}=$v{i}",
    "*=": "contains(@{n}, $v{i})",
    "^=": "starts-with(@{n}, $v{i})",
    "$=": "substring(@{n}, string-length(@{n}) - string-length($v{i}) + 1) = $v{i}",
}


def _attribute_xpath(tag: str | None, attrs) -> etree.XPath | None:
    """`descendant-or-self::tag[tests]`, called with the values as variables `v0`, `v1`..."""
    tests = [
        f"@{name}" if op is None else _XPATH_TESTS[op].format(n=name, i=i) for i, (name, op, _v) in enumerate(attrs)
    ]
    try:
        return etree.XPath(f"descendant-or-self::{tag or '*'}[{' and '.join(tests)}]")
    except etree.XPathSyntaxError:  # an attribute name XPath cannot spell: matched in Python
        return None


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


def parse_group(selector: str) -> tuple[tuple[Compound, ...], ...] | None:
    """A selector group (`a, b`) as compounds per selector, or None when any part is unsupported."""
    parts = [parse_selector(part.strip()) for part in selector.split(",")]
    return None if any(p is None for p in parts) else tuple(parts)


class PageIndex:
    """Selector answers for one document, which must not change after the index is built
    (the walker leaves removed elements out instead of removing them).

    `parsed(selector)` and `fallback(selector)` come from the site profile, which caches
    them across pages."""

    def __init__(self, root, parsed, fallback):
        self.root = root
        self.parsed = parsed
        self.fallback = fallback
        self.by_class: dict[str, list] = {}
        self.by_attribute: dict[tuple[str, str], list] = {}  # (itemprop|rel, one token) -> elements
        by_class, by_attribute = self.by_class, self.by_attribute
        budget = MAX_INDEXED_TOKENS
        for value in _INDEXED(root):  # in C: only the few elements with these reach Python
            tokens = value.split(None, budget)
            if len(tokens) > budget:  # the last is the rest of the value, unsplit: over budget
                tokens.pop()
                if not tokens:
                    break
            budget -= len(tokens)
            el = value.getparent()
            if value.attrname == "class":
                for token in tokens:
                    found = by_class.get(token)
                    if found is None:
                        by_class[token] = [el]
                    else:
                        found.append(el)
            else:
                for token in tokens:
                    by_attribute.setdefault((value.attrname, token), []).append(el)
        self._by_tag: dict[str, list] = {}
        self._selected: dict[str, list] = {}
        self._elements: list | None = None
        self._read = 0

    def text(self, el) -> str:
        """`text_of(el)`, or "" once the page's readers have read MAX_TEXT_READ characters."""
        if self._read > MAX_TEXT_READ:
            return ""
        text = text_of(el)
        self._read += len(text)
        return text

    @property
    def elements(self) -> list:
        """Every element of the page, in document order."""
        if self._elements is None:
            self._elements = list(self.root.iter(etree.Element))
        return self._elements

    def tagged(self, tag: str) -> list:
        """Elements of one tag, in document order."""
        found = self._by_tag.get(tag)
        if found is None:
            found = self._by_tag[tag] = list(self.root.iter(tag))
        return found

    def _matching(self, c: Compound, scope) -> list:
        if scope is self.root and c.indexed is not None:  # [itemprop=articleBody], a[rel=tag]
            return [el for el in self.by_attribute.get(c.indexed, ()) if c.matches(el)]
        if c.xpath is not None:
            found = c.xpath(scope, **{f"v{i}": value or "" for i, (_n, _op, value) in enumerate(c.attrs)})
            return found if scope is self.root else [el for el in found if el is not scope]
        if scope is self.root:
            if c.ids:  # libxml2 keeps ids in a hash table
                found, by = _BY_ID(self.root, id=c.ids[0]), "id"
            elif c.classes:
                found, by = self.by_class.get(c.classes[0], []), "class"
            elif c.tag:
                found, by = self.tagged(c.tag), "tag"
            else:
                found, by = self.elements, None
        elif c.tag:
            found, by = [el for el in scope.iter(c.tag) if el is not scope], "tag"
        else:
            found, by = [el for el in scope.iter(etree.Element) if el is not scope], None
        return found if by is not None and c.only == by else [el for el in found if c.matches(el)]

    def select(self, selector: str, scope=None) -> list:
        """Elements matching `selector` (a group allowed) under `scope` (default: the page)."""
        if scope is None or scope is self.root:  # fields share selectors (captions, images)
            found = self._selected.get(selector)
            if found is None:
                found = self._selected[selector] = self._select(selector, self.root)
            return list(found)
        return self._select(selector, scope)

    def _select(self, selector: str, scope) -> list:
        groups = self.parsed(selector)
        if groups is None:
            return self.fallback(selector)(scope)
        if len(groups) == 1 and len(groups[0]) == 1:
            return self._matching(groups[0][0], scope)
        seen, out = set(), []
        for compounds in groups:
            first = self._matching(compounds[0], scope)
            found = (
                first
                if len(compounds) == 1
                else [el for ancestor in first for el in self._matching(compounds[1], ancestor)]
            )
            for el in found:
                if el not in seen:
                    seen.add(el)
                    out.append(el)
        return out


class ElementRules:
    """Named selector groups (`(rule, selector)`, first rule wins), found all at once so that
    a walker can leave the elements out instead of removing them from the tree first."""

    def __init__(self, rules, parsed, fallback):
        self.fallback = fallback
        self.by_class: dict[str, list] = {}  # answered from the page index
        self.by_tag: dict[str, list] = {}  # answered by one tag-filtered walk of the scope
        self.contains: dict[str, list] = {}  # attribute -> [(substring, order, rule)]: ad slots
        self.other: list = []  # ids and other attribute tests
        self.unparsed: list = []  # (order, rule, selector) answered by lxml's CSSSelector
        for order, (rule, selector) in enumerate(rules):
            groups = parsed(selector)
            if groups is None or any(len(g) > 1 for g in groups):
                self.unparsed.append((order, rule, selector))
                continue
            for (c,) in groups:
                if c.classes:
                    self.by_class.setdefault(c.classes[0], []).append((None if c.only == "class" else c, order, rule))
                elif c.tag:
                    self.by_tag.setdefault(c.tag, []).append((None if c.only == "tag" else c, order, rule))
                elif len(c.attrs) == 1 and c.attrs[0][1] == "*=" and not c.ids:
                    name, _op, value = c.attrs[0]
                    self.contains.setdefault(name, []).append((value, order, rule))
                else:
                    self.other.append((c, order, rule))

    def find(self, page: PageIndex, scope) -> dict:
        """Elements under `scope` (and maybe elsewhere on the page) that a rule names, each
        with the first rule naming it; a dict lookup per element is all a walker then pays."""
        best: dict = {}

        def offer(el, order, rule):
            if el is not scope and (el not in best or order < best[el][0]):
                best[el] = (order, rule)

        for token, entries in self.by_class.items():
            for el in page.by_class.get(token, ()):
                for c, order, rule in entries:
                    if c is None or c.matches(el):
                        offer(el, order, rule)
        if self.by_tag:
            for el in scope.iter(*self.by_tag):
                for c, order, rule in self.by_tag[el.tag]:
                    if c is None or c.matches(el):
                        offer(el, order, rule)
        if self.contains or self.other:  # a walk of the scope in Python beats an XPath per test
            for el in scope.iter(etree.Element):
                for name, tests in self.contains.items():
                    value = el.get(name)
                    if value:
                        for part, order, rule in tests:
                            if part in value:
                                offer(el, order, rule)
                for c, order, rule in self.other:
                    if c.matches(el):
                        offer(el, order, rule)
        for order, rule, selector in self.unparsed:
            for el in self.fallback(selector)(scope):
                offer(el, order, rule)
        return {el: rule for el, (_order, rule) in best.items()}

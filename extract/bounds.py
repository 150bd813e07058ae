"""What one page may cost the parser: the bytes libxml2 is given, bounded before it sees them.

libxml2 (2.14, lxml 6) tokenizes a page in linear time, but building the tree attaches each
attribute of an element by walking the element's list of attributes: an element with n
attributes costs n^2 (200,000 attributes, 2.3 MB, took over 90 s), and memory grows with every
element and attribute (8 MiB of `<b>x</b>` is 1M elements, ~300 MB). So before the parse:

- a UTF-16 or UTF-32 byte-order mark wins over everything: the page is decoded by it (libxml2
  reads such a page as garbage once its NUL bytes are stripped);
- a page with more than MAX_TAGS `<` (every element needs one; real pages have at most ~8,000)
  or, past 1 MB, more than MAX_ATTRIBUTES_IN_PAGE attributes is refused (`PageTooComplex`);
- a start tag with more than MAX_ATTRIBUTES attributes (real pages: at most 73) keeps its first
  MAX_ATTRIBUTES. Finding such a tag takes a scan that follows libxml2's tokenizer (comments,
  quoted values, the raw text of `<script>`, `<style>`, `<title>`, ... where `<` starts no
  tag; tests/test_parser_bounds.py checks it against libxml2 itself). The scan costs ~5 ns a
  byte, so it is skipped below SCAN_FROM bytes: such a page cannot hold enough attributes in
  one tag to cost libxml2 more than a few tenths of a second.

Any page without such a tag reaches libxml2 byte for byte as before (NUL bytes apart).
"""

from __future__ import annotations

import re

from lxml import etree

MAX_TAGS = 50_000
MAX_ATTRIBUTES = 256
MAX_ATTRIBUTES_IN_PAGE = 500_000
SCAN_FROM = 48 * 1024
# Below this size a page cannot have more than MAX_ATTRIBUTES_IN_PAGE attributes (each takes
# at least two bytes), so they are not counted.
COUNT_FROM = 2 * MAX_ATTRIBUTES_IN_PAGE

_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)


class PageTooComplex(ValueError):
    """More elements or attributes than any article page has: parsing it would cost seconds
    and hundreds of megabytes."""


def decode_bom(html: bytes) -> str | None:
    """The page decoded by its UTF-16/UTF-32 byte-order mark, or None without one."""
    for bom, codec in _BOMS:
        if html.startswith(bom):
            return html[len(bom) :].decode(codec, "replace")
    return None


# The tokenizer of libxml2's HTML parser (HTMLparser.c: htmlParseStartTag, htmlParseAttribute,
# htmlParseEndTag, htmlParseComment, htmlParseCharData's data modes), as bytes regexes.
_SEP = rb"[\t\n\f\r /]*+"  # between attributes: blanks and stray solidi
_NAME = rb"[^\t\n\f\r />][^\t\n\f\r />=]*+"  # a name's first byte may be '=' or a quote
_VALUE = rb"""(?:"[^"]*+"?|'[^']*+'?|[^\t\n\f\r >]*+)"""  # quoted values may hold '>' and '<'
_ATTR = _NAME + rb"(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+" + _VALUE + rb")?"
_TAG_NAME = rb"[A-Za-z][^\t\n\f\r />]*+"
_END = _SEP + rb"(?:>|\Z)"
_TERM = rb"(?=[\t\n\f\r />])"


def _end_tag(name: bytes) -> bytes:
    return rb"</(?i:" + name + rb")[\t\n\f\r />]"


def _raw_text(name: bytes) -> bytes:
    """Up to the element's end tag: `<` starts nothing else in RAWTEXT and RCDATA."""
    return rb"(?:[^<]++|<(?!" + _end_tag(name)[1:] + rb"))*+"


# Script data: `<!--` escapes, and inside an escape `<script>` escapes again, so that a
# `</script>` there does not end the script (the HTML5 script-data states libxml2 follows).
_SCRIPT_END = rb"/(?i:script)[\t\n\f\r />]"
_SCRIPT_ESCAPED = rb"[^<-]++|-(?!->)|<(?!/?(?i:script)[\t\n\f\r />])"
_SCRIPT_TWICE = rb"[^<-]++|-(?!->)|<(?!" + _SCRIPT_END + rb")"
_SCRIPT_TEXT = (
    rb"(?:[^<]++|<(?!!--|"
    + _SCRIPT_END
    + rb")|<!(?=--)(?:"
    + _SCRIPT_ESCAPED
    + rb"|<(?i:script)"
    + _TERM
    + rb"(?:"
    + _SCRIPT_TWICE
    + rb")*+(?:</(?i:script)"
    + _TERM
    + rb")?)*+(?:-->)?)*+"
)
_RAW_TEXT = {
    b"script": _SCRIPT_TEXT,
    **{name: _raw_text(name) for name in (b"style", b"iframe", b"noembed", b"noframes", b"xmp", b"textarea", b"title")},
    b"plaintext": rb"(?s:.*+)",
}
_RAW_TEXT_RE = {name: re.compile(pattern) for name, pattern in _RAW_TEXT.items()}
# A start tag ending in '>' whose separators before it do not end in '/' (that is '/>': empty).
_OPENS = rb"(?:[\t\n\f\r /]*[\t\n\f\r ])?>"
_RAW = (
    rb"(?=<(?i:[sintxp]))(?:"
    + b"|".join(
        rb"<(?i:" + name + rb")" + _TERM + rb"(?:" + _SEP + _ATTR + rb"){0,%d}+" % MAX_ATTRIBUTES + _OPENS + text
        for name, text in _RAW_TEXT.items()
    )
    + rb")"
)
_SMALL_TAG = rb"<" + _TAG_NAME + rb"(?:" + _SEP + _ATTR + rb"){0,%d}+" % MAX_ATTRIBUTES + _END
_END_TAG = rb"</" + _TAG_NAME + rb"(?:" + _SEP + _ATTR + rb")*+" + _END
_COMMENT = rb"<!--(?:>|->|(?:[^-]++|-(?!-!?>))*+(?:--!?>)?)"
_SKIP = (
    rb"(?:[^<]++|"
    + _RAW
    + rb"|"
    + _SMALL_TAG
    + rb"|"
    + _END_TAG
    + rb"|</(?:>|[^A-Za-z>][^>]*+>?)|"
    + _COMMENT
    + rb"|<[!?][^>]*+>?|<(?![A-Za-z]))*+"
)
# Everything libxml2 reads without trouble, then a start tag with too many attributes (or the end).
_SCAN = re.compile(
    _SKIP
    + rb"(?:(?P<kept><(?P<name>"
    + _TAG_NAME
    + rb")(?:"
    + _SEP
    + _ATTR
    + rb"){%d})(?P<dropped>(?:" % MAX_ATTRIBUTES
    + _SEP
    + _ATTR
    + rb")*+)(?P<tail>"
    + _SEP
    + rb")(?:>|\Z)|\Z)"
)


def cap_attributes(html: bytes) -> tuple[bytes, int]:
    """`html` with every start tag cut to its first MAX_ATTRIBUTES attributes, and how many
    tags were cut. Linear in the page, whatever it holds."""
    if len(html) < SCAN_FROM:
        return html, 0
    pieces, start, pos = [], 0, 0
    while (m := _SCAN.match(html, pos)) is not None and m.start("kept") >= 0:
        pieces += (html[start : m.end("kept")], b" ")  # a blank: 'a=x' + '/>' would read 'x/'
        start, pos = m.end("dropped"), m.end()
        name = m.group("name").lower()
        if pos > m.end("tail") and not m.group("tail").endswith(b"/") and name in _RAW_TEXT_RE:
            pos = _RAW_TEXT_RE[name].match(html, pos).end()  # its text holds no tags
    if not pieces:
        return html, 0
    pieces.append(html[start:])
    return b"".join(pieces), len(pieces) // 2


_NOT_SEPARATORS = bytes(range(256)).translate(None, b"\t\n\f\r /")


class _AttributeCount:
    """A parser target that only counts attributes (libxml2 without a tree: linear)."""

    def __init__(self):
        self.attributes = 0

    def start(self, tag, attrib):
        self.attributes += len(attrib)

    def close(self):
        return self.attributes


def attributes_in(html: bytes) -> int:
    """An upper bound of the attributes libxml2 builds for `html`, exact when it is large:
    every attribute's name follows a blank, a '/', or the value of an attribute with '='."""
    bound = len(html.translate(None, _NOT_SEPARATORS)) + html.count(b"=")
    if bound <= MAX_ATTRIBUTES_IN_PAGE:
        return bound
    return etree.fromstring(html, etree.HTMLParser(target=_AttributeCount(), no_network=True)) or 0


def bounded(html: bytes) -> tuple[bytes, int]:
    """The bytes to give libxml2 for `html` (NUL bytes stripped, as libxml2 would drop them
    from text anyway) and how many start tags lost attributes; raises PageTooComplex for a
    page no article has the shape of."""
    html = html.replace(b"\x00", b"")
    tags = html.count(b"<")
    if tags > MAX_TAGS:
        raise PageTooComplex(f"{tags:,} '<' (at most {MAX_TAGS:,})")
    html, cut = cap_attributes(html)
    if len(html) >= COUNT_FROM and (attributes := attributes_in(html)) > MAX_ATTRIBUTES_IN_PAGE:
        raise PageTooComplex(f"{attributes:,} attributes (at most {MAX_ATTRIBUTES_IN_PAGE:,})")
    return html, cut

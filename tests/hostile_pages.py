"""Hostile markup: article pages of the demo site with one pathological shape inside, each up
to the crawl's size cap (DOWNLOAD_MAXSIZE, 8 MiB). The parser tests (tests/test_parser_bounds.py)
time them through `parse_page`; the hostile site (tests/hostile_site.py) serves them."""

from __future__ import annotations

import json

from demosite.generator import SiteModel
from demosite.markup import render_article

CAP = 8 * 1024 * 1024  # crawler/settings.py DOWNLOAD_MAXSIZE
# Just under extract.bounds.MAX_TAGS with the article around it: the most elements a
# page may bring to the parser.
MANY = 49_000


def _fill(unit: str, size: int) -> str:
    return unit * (size // len(unit))


def many_attributes(n: int = 200_000) -> str:
    return "<div " + " ".join(f'a{i}="x"' for i in range(n)) + ">teks</div>"


def many_attributes_spread(elements: int = 2_000, n: int = 400) -> str:
    """Many elements, each with many attributes (a cap on one tag alone must not be all)."""
    one = "<span " + " ".join(f'a{i}="x"' for i in range(n)) + ">x</span>"
    return one * elements


def deep_nesting(depth: int = 100_000) -> str:
    return "<div>" * depth + "teks" + "</div>" * depth


def deep_inline_nesting(depth: int = 100_000) -> str:
    return "<b><i>" * (depth // 2) + "teks" + "</i></b>" * (depth // 2)


def tiny_elements(n: int = MANY // 2) -> str:
    return "<b>x</b>" * n


def empty_elements(n: int = MANY) -> str:
    return "<i>" * n


def one_text_node(size: int = CAP - 64 * 1024) -> str:
    return "<p>" + _fill("kata ", size) + "</p>"


def one_word(size: int = CAP - 64 * 1024) -> str:
    return "<p>" + "a" * size + "</p>"


def many_paragraphs(n: int = MANY // 2) -> str:
    return "<p>Kalimat pendek yang sama berulang di sini.</p>" * n


def many_brs(n: int = MANY) -> str:
    return "kata<br>" * n


def many_links(n: int = MANY // 2) -> str:
    return '<a href="/x">tautan</a> ' * n


def many_bold_leads(n: int = MANY // 2) -> str:
    return "<b></b> " * n


def many_classes(n: int = 1_000_000) -> str:
    return '<div class="' + " ".join(f"c{i}" for i in range(n)) + '">teks</div>'


def long_attribute(size: int = CAP - 64 * 1024) -> str:
    return '<div title="' + "x" * size + '">teks</div>'


def huge_jsonld(size: int = CAP - 64 * 1024) -> str:
    items = _fill('{"@type": "Thing", "name": "x"}, ', size - 200)
    return f'<script type="application/ld+json">{{"@type": "ItemList", "itemListElement": [{items} 1]}}</script>'


def deep_jsonld(depth: int = 100_000) -> str:
    return '<script type="application/ld+json">' + '{"a":[' * depth + "1" + "]}" * depth + "</script>"


def many_jsonld_scripts(n: int = MANY // 2) -> str:
    data = json.dumps({"@type": "NewsArticle", "headline": "x", "@id": "#x"})
    return f'<script type="application/ld+json">{data}</script>' * n


def many_meta(n: int = MANY) -> str:
    return "".join(f'<meta name="m{i}" content="x">' for i in range(n))


def many_tables(depth: int = MANY // 6) -> str:
    return "<table><tr><td>" * depth + "teks" + "</td></tr></table>" * depth


def unclosed_tags(n: int = MANY // 4) -> str:
    return "<p><div><span><a href=x>" * n


def deep_nesting_under_cap(depth: int = MANY // 2) -> str:
    return deep_nesting(depth)


def nested_inline_around_text(tag: str, depth: int = 250, size: int = CAP - 64 * 1024) -> str:
    """Inline elements nested as deep as libxml2 goes around one big text and a link: every
    level reads the text of all the levels inside it."""
    return (
        f"<{tag}>" * depth + _fill("kata ", size - 20 * depth) + '<a href="/x">x</a>' + f"</{tag.split()[0]}>" * depth
    )


# Shapes put inside an article's body: the page is still an article and must still parse.
INSIDE = {
    "attributes_200k": many_attributes,
    "attributes_spread": many_attributes_spread,
    "nesting_100k": deep_nesting,
    "inline_nesting_100k": deep_inline_nesting,
    "tiny_elements": tiny_elements,
    "elements_over_cap": lambda: tiny_elements(MANY),
    "empty_elements": empty_elements,
    "text_node_8m": one_text_node,
    "one_word_8m": one_word,
    "paragraphs": many_paragraphs,
    "brs": many_brs,
    "links": many_links,
    "bold_leads": many_bold_leads,
    "classes_1m": many_classes,
    "attribute_value_8m": long_attribute,
    "jsonld_8m": huge_jsonld,
    "jsonld_deep_100k": deep_jsonld,
    "jsonld_scripts": many_jsonld_scripts,
    "meta": many_meta,
    "tables": many_tables,
    "unclosed_tags": unclosed_tags,
    "nesting": deep_nesting_under_cap,
    "nested_spans_text": lambda: nested_inline_around_text("span"),
    "nested_bold_text": lambda: nested_inline_around_text("b"),
    "nested_links_text": lambda: nested_inline_around_text("a><span", depth=120),
    "nested_captions_text": lambda: nested_inline_around_text('div class="caption"'),
    "nested_h1_text": lambda: nested_inline_around_text("h1"),
    "nested_authors_text": lambda: nested_inline_around_text('div class="author"'),
    "nested_kickers_text": lambda: nested_inline_around_text('div class="kicker"'),
    "nested_figcaptions_text": lambda: nested_inline_around_text("figcaption"),
}


def article_with(site: SiteModel, shape: str, index: int = 0) -> bytes:
    """The `index`th article of `site` with the shape `shape` at the start of its body."""
    html = render_article(site.articles[index], site)
    body = html.find('itemprop="articleBody"')
    at = html.index("<p>", body if body >= 0 else html.index('class="content-wrapper"'))
    return (html[:at] + INSIDE[shape]() + html[at:]).encode()


def whole_pages() -> dict[str, bytes]:
    """Pages that are only the hostile shape (not articles: they must fail fast, one reason)."""
    return {
        "only_lt": b"<" * (CAP - 1),
        "only_amp": b"&" * (CAP - 1),
        "nul_bytes": b"\x00" * (CAP - 1),
        "binary": bytes(range(256)) * (CAP // 256 - 1),
    }


def utf16_page(site: SiteModel, index: int = 0, codec: str = "utf-16") -> bytes:
    """An article saved as UTF-16 with its byte-order mark (Python's `utf-16` writes one),
    its `<meta charset>` still saying utf-8, as a re-saved page does."""
    return render_article(site.articles[index], site).encode(codec)

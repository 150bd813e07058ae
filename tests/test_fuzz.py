"""The parser and cleaner never raise on bad input: only NotAnArticle (a counted drop)."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.blocks import Block
from extract.parse import NotAnArticle, parse_page
from extract.sites import get_site
from extract.sites.profile import GENERIC
from extract.text import clean_blocks

MEDCOM = get_site("medcom")

SEED = (Path(__file__).parent / "fixtures" / "medcom" / "seed-wang-yi-lavrov.html").read_bytes()
URL = "https://www.medcom.id/internasional/dunia/nbwXaLxk-wang-yi"
TAGS = [
    "<p>",
    "</p>",
    "<div id='articleBody'>",
    "</div>",
    "<br>",
    "<strong>",
    "</strong>",
    "<h1>",
    "</h1>",
    "<a href='x'>",
    "</a>",
    "<script>",
    "<!--",
    "-->",
    "<ul><li>",
    "&nbsp;",
    "Baca:",
    "(WIL)",
    "\x00",
    "<table>",
]


def parses_or_refuses(html, profile=MEDCOM, url=URL) -> None:
    try:
        article = parse_page(html, url, profile).article
    except NotAnArticle:
        return
    assert article.body and article.title


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=4000))
def test_random_bytes(data):
    parses_or_refuses(data)


@FUZZ
@given(st.integers(0, len(SEED)), st.integers(0, len(SEED)))
def test_truncated_and_cut_pages(start, end):
    parses_or_refuses(SEED[:start])
    parses_or_refuses(SEED[min(start, end) : max(start, end)])
    parses_or_refuses(SEED[: min(start, end)] + SEED[max(start, end) :])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(SEED)), st.sampled_from(TAGS)), max_size=25))
def test_misnested_markup(insertions):
    page = SEED.decode("utf-8")
    for at, tag in sorted(insertions, reverse=True):
        page = page[:at] + tag + page[at:]
    parses_or_refuses(page)
    parses_or_refuses(page, GENERIC, "https://berita.example.co.id/nasional/12345/judul")


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.text(max_size=80),
            st.sampled_from(["p", "heading", "li", "related"]),
            st.lists(st.text(max_size=20), max_size=2),
        ),
        max_size=30,
    ),
    st.sets(st.text(max_size=40), max_size=3),
)
def test_cleaner_on_any_blocks(raw, captions):
    blocks = [Block(text, kind, links, len(links) * 5, text[:5]) for text, kind, links in raw]
    result = clean_blocks(blocks, MEDCOM, {"caption": captions})
    assert all(isinstance(p, str) for p in result.paragraphs)


def test_empty_and_non_html_pages_are_refused():
    for page in (b"", b"   ", "\x00\x00", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), b"<html></html>"):
        try:
            parse_page(page, URL, MEDCOM)
        except NotAnArticle as exc:
            assert exc.reason in ("empty_page", "not_html", "no_body", "no_title")
        else:
            raise AssertionError(f"{page[:20]!r} parsed as an article")


def test_huge_page_parses_in_bounded_time():
    paragraphs = "".join(f"<p>Kalimat {i} " + "panjang tentang berita hari ini. " * 40 + "</p>" for i in range(3000))
    page = SEED.replace(b"<h2>", paragraphs.encode() + b"<h2>")  # about 4 MB
    started = time.perf_counter()
    article = parse_page(page, URL, MEDCOM).article
    assert time.perf_counter() - started < 20
    assert article.word_count > 100_000

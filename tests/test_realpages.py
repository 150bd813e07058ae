"""The parser on real pages of other sites (issue 14): no page may fall below its pinned floor.

One test per (page, field): the body's F1 against the page's gold text must stay at or above
the floor pinned for that page (a little below what the parser achieved when pinned), and the
title, publication instant and authors must stay exact on the pages where they were exact.
The corpus is not in git (licences): see benchmarks/realpages/corpus.py for where it is looked
for; without it every test is skipped. The floors are page ids and numbers only, written by
`python benchmarks/bench_realpages.py --pin tests/realpages_floors.json`.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path

import pytest

from benchmarks.realpages.corpus import (
    body_prf,
    corpus_dir,
    gold_text,
    load_pages,
    same_authors,
    same_instant,
    same_title,
)
from extract.parse import NotAnArticle, parse_page
from extract.sites import site_for_url

FLOORS = json.loads((Path(__file__).parent / "realpages_floors.json").read_text(encoding="utf-8"))
CORPUS = corpus_dir()


def cases():
    if CORPUS is None:
        return [
            pytest.param(
                None,
                None,
                marks=pytest.mark.skip(reason="no real-page corpus (WARTA_REALPAGES, ../shared/realpages)"),
            )
        ]
    return [(page_id, field) for page_id, entry in sorted(FLOORS.items()) for field in ("body", *entry["exact"])]


@lru_cache(maxsize=1)
def pages() -> dict:
    return {page["id"]: page for page in load_pages(CORPUS)}


@cache
def parsed(page_id: str):
    page = pages()[page_id]
    try:
        return parse_page(page["text"], page["url"], site_for_url(page["url"])).article
    except NotAnArticle:
        return None


@pytest.mark.parametrize("page_id, field", cases())
def test_real_page(page_id, field):
    page = pages().get(page_id)
    if page is None:
        pytest.skip(f"{page_id} is not in this copy of the corpus")
    article = parsed(page_id)
    gold = page["gold"]
    if field == "body":
        got = body_prf(article.body if article else "", gold_text(page))
        floor = FLOORS[page_id]["body"]
        assert got.f1 >= floor, (
            f"{page_id}: body F1 {got.f1:.3f} (P {got.precision:.3f} R {got.recall:.3f}) "
            f"fell below its floor {floor:.2f}"
        )
        return
    value = getattr(article, field) if article else None
    same = {"title": same_title, "published_at": same_instant, "authors": same_authors}[field]
    want = gold[field]
    assert same(value, want), f"{page_id}: {field} was exact, now {value!r}; gold {want!r}"

"""Saved pages with expected JSON, one directory per site: every field of every page.

`medcom/` is the medcom gold set; `generic/` holds pages of Indonesian sites without a profile
(read through GENERIC), written by tests/fixtures/regenerate_generic.py. A failure names the
page and the field."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from extract import parse_article

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(FIXTURES.glob("*/*.json"))


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_fixture_page(case: Path):
    spec = json.loads(case.read_text(encoding="utf-8"))
    html = case.with_suffix(".html").read_bytes()
    site = spec.get("site")
    article = parse_article(html, spec["url"], site=site)
    problems = []
    for name, want in spec["expected"].items():
        got = article[name]
        if isinstance(got, datetime):
            got = got.isoformat()
        if got != want:
            problems.append(f"{case.parent.name}/{case.stem}: field {name!r}\n  got:  {got!r}\n  want: {want!r}")
    assert not problems, "\n".join(problems)


def test_every_site_has_fixtures():
    from extract.sites import load_sites

    for name in load_sites().names():
        assert list((FIXTURES / name).glob("*.json")), f"no fixtures for site {name}"

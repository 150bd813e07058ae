"""Every shipped site crawls a generated mirror of itself end to end: the mirrors follow each
site's documented conventions (demosite/styles/: hosts, URL forms, discovery documents,
bylines, boilerplate), all served by one local server that routes by the Host header; one
`warta crawl --all` (the latest articles, then a backfill of the generated days) reaches
them through `--base-url`, and the published rows are held against each page's truth, field
by field. Targets: recall >= 0.99, no duplicate, ids unique per site."""

from __future__ import annotations

import json
import os
from datetime import datetime

import pytest

from demosite import SitesServer, generate_sites
from extract.sites import load_sites
from tests.conftest import run_warta

# The columns a site definition must get exactly right on its mirror's pages.
FIELDS = (
    "article_id",
    "url",
    "title",
    "authors",
    "editor",
    "published_at",
    "dateline",
    "channel",
    "subchannel",
    "body",
    "related_urls",
)
SHIPPED = load_sites().names()
# The sites to crawl (all shipped sites that have a mirror style; WARTA_MIRROR_SITES narrows the
# run while a definition is being written: `WARTA_MIRROR_SITES=detik,kompas pytest ...`).
WANTED = [s for s in os.environ.get("WARTA_MIRROR_SITES", ",".join(SHIPPED)).split(",") if s]


@pytest.fixture(scope="module")
def mirrored(tmp_path_factory):
    """(the generated sites, the published rows by site) after one crawl of every mirror."""
    sites = generate_sites([s for s in WANTED if s in SHIPPED])
    data_dir = tmp_path_factory.mktemp("mirrors") / "data"
    first, last = min(min(s.days) for s in sites.values()), max(max(s.days) for s in sites.values())
    fast = ("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_SLOTS={}", "-s", "RETRY_TIMES=2")
    with SitesServer(sites) as server:
        common = ("--base-url", server.base_url, "--data-dir", str(data_dir), *fast, *sites)
        latest = run_warta("crawl", *common, timeout=600)
        backfill = run_warta("crawl", *common, "--since", str(first), "--until", str(last), timeout=600)
    built = run_warta("snapshot", "--data-dir", str(data_dir), timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    from pipeline import read_articles

    df = read_articles(data_dir)
    rows: dict[str, list[dict]] = {}
    for row in df.to_dict("records"):
        rows.setdefault(row["site"], []).append(row)
    return sites, rows, (latest, backfill)


def _value(row: dict, field: str):
    value = row.get(field)
    if field == "published_at":
        return value.isoformat() if value is not None else None
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, float):  # pandas' missing value for a string column
        return None
    return value


def _same(field: str, got, want) -> bool:
    if field == "published_at":
        return got is not None and datetime.fromisoformat(got) == datetime.fromisoformat(want)
    return got == want


@pytest.mark.parametrize("name", WANTED)
def test_every_shipped_site_crawls_its_mirror_completely_and_exactly(mirrored, name):
    sites, rows, runs = mirrored
    assert name in sites, f"{name}: no mirror style in demosite/styles"
    truth = sites[name].expected()
    published = rows.get(name, [])
    ids = [r["article_id"] for r in published]
    assert len(ids) == len(set(ids)), f"{name}: duplicate article ids {sorted(i for i in ids if ids.count(i) > 1)[:5]}"
    found = [i for i in ids if i in truth]
    recall = len(set(found)) / len(truth)
    unexpected = sorted(set(ids) - set(truth))
    assert recall >= 0.99, (
        f"{name}: recall {recall:.3f} ({len(set(found))} of {len(truth)}); missing {sorted(set(truth) - set(ids))[:5]}; "
        f"ids not in the truth {unexpected[:5]}; crawl output: {[r.stdout[-400:] for r in runs]}"
    )
    assert not unexpected, f"{name}: rows that are no article of the mirror: {unexpected[:5]}"
    wrong: dict[str, list[str]] = {}
    for row in published:
        want = truth[row["article_id"]]
        for field in FIELDS:
            got = _value(row, field)
            if not _same(field, got, want[field]):
                wrong.setdefault(field, []).append(
                    f"{row['article_id']}: got {json.dumps(got, ensure_ascii=False)[:160]} "
                    f"expected {json.dumps(want[field], ensure_ascii=False)[:160]}"
                )
    assert not wrong, f"{name}: " + "; ".join(f"{f} wrong on {len(v)} ({v[0]})" for f, v in wrong.items())

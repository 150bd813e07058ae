"""Body quality and speed of warta's parse + clean next to trafilatura, on the same pages.

- Quality on the gold set (tests/fixtures/*/): 4-gram shingle F1 (article-extraction-benchmark
  style), exact-body rate, boilerplate leaks. Targets: F1 >= 0.99, exact >= 0.95, 0 leaks.
- Speed per page on the same pages, both tools in this process. Target: >= 10x trafilatura.
- Memory over 10,000 generated pages: RSS sampled along the way. Target: flat.
Usage: python benchmarks/bench_quality.py [N_MEMORY_PAGES]
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from crawler.parse import parse_page  # noqa: E402
from crawler.profiles import profile_for_url  # noqa: E402
from demosite.generator import generate_site  # noqa: E402
from demosite.markup import render_article  # noqa: E402
from pipeline.quality import Score  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20


def gold_pages():
    for case in sorted((ROOT / "tests" / "fixtures").glob("*/*.json")):
        spec = json.loads(case.read_text(encoding="utf-8"))
        yield case.with_suffix(".html").read_bytes(), spec["url"], spec["expected"]


def main() -> None:
    n_memory = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    pages = list(gold_pages())
    ours, theirs = Score(), Score()
    for html, url, expected in pages:
        captions = (expected.get("image_caption") or "",)
        ours.add(parse_page(html, url, profile_for_url(url)).article["body"], expected["body"], captions)
        theirs.add(trafilatura.extract(html) or "", expected["body"], captions)
    print(f"gold set: {len(pages)} pages")
    print(ours.line("warta      "))
    print(theirs.line("trafilatura"))

    rounds = 5
    started = time.perf_counter()
    for _ in range(rounds):
        for html, url, _expected in pages:
            parse_page(html, url, profile_for_url(url))
    ours_ms = (time.perf_counter() - started) * 1000 / (rounds * len(pages))
    started = time.perf_counter()
    for _ in range(rounds):
        for html, _url, _expected in pages:
            trafilatura.extract(html)
    theirs_ms = (time.perf_counter() - started) * 1000 / (rounds * len(pages))
    size = sum(len(h) for h, _u, _e in pages) / len(pages) / 1024
    print(f"speed (mean page {size:.0f} KiB): warta {ours_ms:.3f} ms/page, trafilatura {theirs_ms:.3f} ms/page, "
          f"warta is {theirs_ms / ours_ms:.1f}x faster (target >= 10x)")

    site = generate_site(n_articles=500, days=5, seed=3)
    rendered = [(render_article(a, site), site.origin + a.path) for a in site.articles]
    samples = []
    for i in range(n_memory):
        html, url = rendered[i % len(rendered)]
        parse_page(html.replace("Medcom.id", f"Medcom.id {i}"), url, profile_for_url(url))
        if (i + 1) % (n_memory // 5) == 0:
            samples.append((i + 1, rss_mib()))
    print("memory: RSS after " + ", ".join(f"{n} pages {m:.1f} MiB" for n, m in samples)
          + f"; growth from first to last sample {samples[-1][1] - samples[0][1]:+.1f} MiB")


if __name__ == "__main__":
    main()

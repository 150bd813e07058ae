"""Crawl throughput: the full warta pipeline against a bare fetch-only Scrapy spider.

Both crawl the same generated medcom-style site on 127.0.0.1 in one run, with the same
settings; the bare spider fetches exactly the URLs the full crawl fetched. Targets: the full
pipeline at no less than 0.6 of the bare spider's articles/s; the raw archive costing at most
a tenth of the crawl's rate (on against off). Also printed: the full pipeline parsing in the
crawl's own process (PARSE_WORKER_ENABLED=False, what the parse worker gains), and warta's
spider with every item pipeline off (discovery, guards, seen-skip, run report: what a crawl
costs before any parse), which bounds what the pipelines can reach. Every row is the best of
ROUNDS rounds (3), the rows alternating within each round; the ratios of the rows' medians are
printed too (one lucky round of the bare spider moves the best-of ratio a lot on a loaded machine),
and each row's CPU of the crawl thread per article page (the run record's
`warta/cpu/crawl_thread_s`; the bare spider measures its own): on a fast site that thread is
the limit, so the ratio of these is what the throughput ratio tends to.
Usage: python benchmarks/bench_crawl.py [N_ARTICLES] [ROUNDS]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demosite import DemoServer, generate_site  # noqa: E402

ROWS = {
    "on": ["-s", "RAW_ARCHIVE_ENABLED=True"],
    "off": ["-s", "RAW_ARCHIVE_ENABLED=False"],
    "in-process": ["-s", "PARSE_WORKER_ENABLED=False"],
    "spider": ["-s", "ITEM_PIPELINES={}"],
}


def crawl(site, server, tmp: str, env: dict, row: str) -> tuple[int, float, float]:
    """(articles, seconds, seconds of the crawl thread's CPU) of one crawl into a fresh data dir:
    the full pipeline (archive on or off, parse in process), or the spider with no item
    pipeline (articles: pages handed over)."""
    data_dir = Path(tmp, row)
    extra = ROWS[row]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "medcom",
            "-a",
            f"base_url={server.base_url}",
            "-a",
            f"since={site.days[0]}",
            "-a",
            f"until={site.days[-1]}",
            *extra,
            "-s",
            "LOG_LEVEL=WARNING",
        ],
        cwd=ROOT,
        env=dict(env, WARTA_DATA_DIR=str(data_dir)),
        check=True,
        capture_output=True,
    )
    record = json.loads(next(Path(data_dir, "runs", "medcom").glob("*.json")).read_text())
    stats = record["stats"]
    articles = record["summary"]["articles"] if row != "spider" else stats["item_scraped_count"]
    return articles, stats["elapsed_time_seconds"], stats["warta/cpu/crawl_thread_s"]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    site = generate_site(n_articles=n, days=10)
    env = dict(os.environ, PYTHONPATH=str(ROOT), WARTA_LOG_LEVEL="WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        rates: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}  # ms of the crawl thread's CPU per article page
        for _round in range(rounds):  # alternating: a warm-up or a noisy neighbour favours none
            for row in ROWS:
                with DemoServer(site, flaky_paths=0) as server:
                    articles, elapsed, thread = crawl(site, server, tmp, env, row)
                    shutil.rmtree(Path(tmp, row))
                    rates.setdefault(row, []).append(articles / elapsed)
                    if row == "on":
                        # Every request target, the listings' ?page=N included (`hits` counts by
                        # path: the bare spider was given 1,526 URLs where the crawl fetched 1,667).
                        urls = list(server.targets)
                        article_urls = sum(1 for p in server.hits if p in server.article_hits())
                    cpu.setdefault(row, []).append(thread * 1000 / article_urls)
            with DemoServer(site, flaky_paths=0) as server:
                url_file, stats_file = Path(tmp, "urls.txt"), Path(tmp, "bare.json")
                url_file.write_text("\n".join(server.base_url + path for path in urls))
                subprocess.run(
                    [sys.executable, str(ROOT / "benchmarks" / "bare_spider.py"), str(url_file), str(stats_file)],
                    env=env,
                    check=True,
                    capture_output=True,
                )
                bare = json.loads(stats_file.read_text())
                rates.setdefault("bare", []).append(article_urls / bare["elapsed"])
                cpu.setdefault("bare", []).append(bare["cpu"] * 1000 / article_urls)
    best = {row: max(values) for row, values in rates.items()}
    median = {row: statistics.median(values) for row, values in rates.items()}
    print(
        "every round (articles/s): "
        + "; ".join(f"{row} " + ", ".join(f"{v:.0f}" for v in vs) for row, vs in rates.items())
    )
    print(f"site: {n} articles, {len(urls)} URLs fetched ({article_urls} article pages); best of {rounds} rounds")
    print(f"full pipeline, raw archive on:  {best['on']:.1f} articles/s")
    print(f"full pipeline, raw archive off: {best['off']:.1f} articles/s")
    print(f"full pipeline, parse in the crawl's process: {best['in-process']:.1f} articles/s")
    print(f"warta's spider, no item pipeline: {best['spider']:.1f} article pages/s")
    print(f"bare spider: {best['bare']:.1f} article pages/s")
    print(
        f"ratio full/bare: {best['on'] / best['bare']:.2f} (target >= 0.60); archive on/off: "
        f"{best['on'] / best['off']:.2f} (target >= 0.90); in-process/bare: {best['in-process'] / best['bare']:.2f};"
        f" spider alone/bare: {best['spider'] / best['bare']:.2f}"
    )
    print(
        "the crawl thread's CPU per article page (median ms; the limit on a fast site): "
        + ", ".join(f"{row} {statistics.median(values):.2f}" for row, values in cpu.items())
    )
    print(
        f"ratios of the medians: full/bare {median['on'] / median['bare']:.2f}; archive on/off "
        f"{median['on'] / median['off']:.2f}; full/spider alone {median['on'] / median['spider']:.2f};"
        f" spider alone/bare {median['spider'] / median['bare']:.2f}"
    )


if __name__ == "__main__":
    main()

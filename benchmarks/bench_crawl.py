"""Crawl throughput: the full warta pipeline against a bare fetch-only Scrapy spider.

Both crawl the same generated medcom-style site on 127.0.0.1 in one run, with the same
settings; the bare spider fetches exactly the URLs the full crawl fetched. Targets: the full
pipeline at no less than 0.6 of the bare spider's articles/s; the raw archive costing at most
a tenth of the crawl's rate (on against off). Also printed: warta's spider with every item
pipeline off (discovery, guards, seen-skip, run report: what a crawl costs before any parse),
which bounds what the pipelines can reach.
Usage: python benchmarks/bench_crawl.py [N_ARTICLES]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demosite import DemoServer, generate_site  # noqa: E402


def crawl(site, server, tmp: str, env: dict, archive: bool | None) -> tuple[int, float]:
    """(articles, seconds) of one crawl into a fresh data dir: the full pipeline with the raw
    archive on or off, or (None) the spider with no item pipeline (articles: pages handed over)."""
    data_dir = Path(tmp, f"archive-{archive}")
    extra = ["-s", f"RAW_ARCHIVE_ENABLED={archive}"] if archive is not None else ["-s", "ITEM_PIPELINES={}"]
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
    articles = record["summary"]["articles"] if archive is not None else stats["item_scraped_count"]
    return articles, stats["elapsed_time_seconds"]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
    site = generate_site(n_articles=n, days=10)
    env = dict(os.environ, PYTHONPATH=str(ROOT), WARTA_LOG_LEVEL="WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        rates = {}
        for archive in (False, True, None) * 3:  # alternating: a warm-up or a noisy neighbour favours none
            with DemoServer(site, flaky_paths=0) as server:
                articles, elapsed = crawl(site, server, tmp, env, archive)
                shutil.rmtree(Path(tmp, f"archive-{archive}"))
                rates.setdefault(archive, []).append(articles / elapsed)
                urls = [server.base_url + path for path in server.hits]
                article_urls = sum(1 for p in server.hits if p in server.article_hits())
        with DemoServer(site, flaky_paths=0) as server:
            url_file, stats_file = Path(tmp, "urls.txt"), Path(tmp, "bare.json")
            url_file.write_text(
                "\n".join(u.replace(urls[0].split("/")[2], server.base_url.split("/")[2]) for u in urls)
            )
            subprocess.run(
                [sys.executable, str(ROOT / "benchmarks" / "bare_spider.py"), str(url_file), str(stats_file)],
                env=env,
                check=True,
                capture_output=True,
            )
            bare = json.loads(stats_file.read_text())
    full_rate, off_rate, spider_rate = max(rates[True]), max(rates[False]), max(rates[None])
    bare_rate = article_urls / bare["elapsed"]
    print(f"site: {n} articles, {len(urls)} URLs fetched")
    print(f"full pipeline, raw archive on:  {full_rate:.1f} articles/s (best of 3)")
    print(f"full pipeline, raw archive off: {off_rate:.1f} articles/s (best of 3)")
    print(f"warta's spider, no item pipeline: {spider_rate:.1f} article pages/s (best of 3)")
    print(
        f"bare spider:   {article_urls} article pages ({bare['pages']} pages) in {bare['elapsed']:.2f}s"
        f" = {bare_rate:.1f} articles/s"
    )
    print(
        f"ratio full/bare: {full_rate / bare_rate:.2f} (target >= 0.60); archive on/off: "
        f"{full_rate / off_rate:.2f} (target >= 0.90); spider alone/bare: {spider_rate / bare_rate:.2f}"
    )


if __name__ == "__main__":
    main()

"""Crawl throughput: the full warta pipeline against a bare fetch-only Scrapy spider.

Both crawl the same generated medcom-style site on 127.0.0.1 in one run, with the same
settings; the bare spider fetches exactly the URLs the full crawl fetched. Target: the full
pipeline at no less than 0.7 of the bare spider's articles/s.
Usage: python benchmarks/bench_crawl.py [N_ARTICLES]
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demosite import DemoServer, generate_site  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
    site = generate_site(n_articles=n, days=10)
    env = dict(os.environ, PYTHONPATH=str(ROOT), WARTA_LOG_LEVEL="WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        with DemoServer(site, flaky_paths=0) as server:
            subprocess.run([sys.executable, "-m", "warta.cli", "crawl", "medcom", "--base-url", server.base_url,
                            "--since", str(site.days[0]), "--until", str(site.days[-1]), "--data-dir", tmp],
                           env=env, check=True, capture_output=True)
            record = json.loads(next(Path(tmp, "runs", "medcom").glob("*.json")).read_text())
            full_articles = record["summary"]["articles"]
            full_elapsed = record["stats"]["elapsed_time_seconds"]
            urls = [server.base_url + path for path in server.hits]
            article_urls = sum(1 for p in server.hits if p in server.article_hits())
        with DemoServer(site, flaky_paths=0) as server:
            url_file, stats_file = Path(tmp, "urls.txt"), Path(tmp, "bare.json")
            url_file.write_text("\n".join(u.replace(urls[0].split("/")[2], server.base_url.split("/")[2])
                                          for u in urls))
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bare_spider.py"), str(url_file),
                            str(stats_file)], env=env, check=True, capture_output=True)
            bare = json.loads(stats_file.read_text())
    full_rate = full_articles / full_elapsed
    bare_rate = article_urls / bare["elapsed"]
    print(f"site: {n} articles, {len(urls)} URLs fetched")
    print(f"full pipeline: {full_articles} articles in {full_elapsed:.2f}s = {full_rate:.1f} articles/s")
    print(f"bare spider:   {article_urls} article pages ({bare['pages']} pages) in {bare['elapsed']:.2f}s"
          f" = {bare_rate:.1f} articles/s")
    print(f"ratio full/bare: {full_rate / bare_rate:.2f} (target >= 0.70)")


if __name__ == "__main__":
    main()

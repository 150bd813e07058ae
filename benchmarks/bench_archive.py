"""The raw archive's costs: re-parse throughput against a bare parse loop, memory over a large
archive, and bytes per archived article.

- reparse: `pipeline.snapshots.reparse.reparse` (read WARC, parse, dedupe, stage, rebuild the days) and
  its extraction part alone, against a bare loop of `extract.parse_article` over the same pages
  held in memory, in one run. Target: reparse >= 0.7x the bare loop.
- memory: RSS while re-extracting N archived pages (default 100,000). Target: flat.
The crawl with the archive on against off is `bench_crawl.py --archive`.
Usage: python benchmarks/bench_archive.py [N_THROUGHPUT] [N_MEMORY]
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.settings import RAW_ARCHIVE_MAX_BYTES  # noqa: E402
from demosite.generator import generate_site  # noqa: E402
from demosite.markup import render_article  # noqa: E402
from extract import parse_article  # noqa: E402
from pipeline.items import FetchedPage  # noqa: E402
from pipeline.snapshots.reparse import ReparseReport, reparse, reparsed  # noqa: E402
from pipeline.store.datadir import DataDir  # noqa: E402
from pipeline.store.raw_index import RawIndex  # noqa: E402
from pipeline.store.warc import RawWriter  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pages(n: int):
    """(html, url, article id) of n distinct article pages (ids made unique per copy)."""
    site = generate_site(n_articles=min(n, 600), days=6, seed=5)
    rendered = [(render_article(a, site), site.origin + a.path, a.article_id) for a in site.articles]
    for i in range(n):
        html, url, aid = rendered[i % len(rendered)]
        if i >= len(rendered):
            new = f"{i:08d}"[-8:]
            html, url, aid = html.replace(aid, new), url.replace(aid, new), new
            html = html.replace("</h1>", f" {i}</h1>", 1).replace("<p>", f"<p>Nomor {i}. ", 1)
        yield html.encode(), url, aid


def archive(data_dir: DataDir, n: int) -> None:
    writer = RawWriter(data_dir, "medcom", max_bytes=RAW_ARCHIVE_MAX_BYTES)
    index = RawIndex(data_dir)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for i, (html, url, aid) in enumerate(pages(n)):
        writer.add(
            FetchedPage(
                url,
                url,
                200,
                html,
                start + timedelta(seconds=i),
                {"content-type": ["text/html; charset=utf-8"]},
                article_id=aid,
            ),
            None,
        )
        if len(writer.buffer) >= 500:
            index.add("medcom", writer.flush(), dict(writer.sizes))
    index.add("medcom", writer.flush(), dict(writer.sizes))
    writer.close()
    index.close()


def throughput(n: int) -> None:
    import pyarrow as pa

    # pyarrow imports pandas on its first table (about 0.8 s here): a fixed cost of the process,
    # paid before the clock starts so that both figures are per-page throughput.
    pa.Table.from_pylist([{"warm": 1}])
    held = list(pages(n))
    started = time.perf_counter()
    for html, url, _aid in held:
        try:
            parse_article(html, url)
        except ValueError:
            pass
    bare = n / (time.perf_counter() - started)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = DataDir(tmp)
        archive(data_dir, n)
        size = sum(p.stat().st_size for p in Path(tmp, "raw").rglob("*.warc.gz"))
        started = time.perf_counter()
        report = ReparseReport()
        count = sum(1 for _ in reparsed(data_dir, "medcom", None, report))
        extract = report.pages / (time.perf_counter() - started)
        started = time.perf_counter()
        full = reparse(data_dir)
        whole = full.pages / (time.perf_counter() - started)
    mean_html = sum(len(h) for h, _u, _a in held) / n
    print(
        f"archive: {n} pages, mean HTML {mean_html / 1024:.1f} KiB, {size / n:.0f} bytes per archived article "
        f"(WARC, gzip per record); {count} articles re-extracted"
    )
    print(f"bare parse_article loop (pages in memory): {bare:.0f} pages/s")
    print(f"reparse, extraction only (read WARC + parse + dedupe): {extract:.0f} pages/s = {extract / bare:.2f}x")
    print(
        f"reparse, whole (+ stage + rebuild {len(full.days)} days): {whole:.0f} pages/s = {whole / bare:.2f}x "
        f"(target >= 0.70x)"
    )


def memory(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = DataDir(tmp)
        archive(data_dir, n)
        report = ReparseReport()
        samples = []
        for i, _record in enumerate(reparsed(data_dir, "medcom", None, report), start=1):
            if i % (n // 5) == 0:
                samples.append((i, rss_mib()))
    print(
        "memory while re-extracting: "
        + ", ".join(f"{i} pages {m:.1f} MiB" for i, m in samples)
        + f"; growth first to last sample {samples[-1][1] - samples[0][1]:+.1f} MiB"
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    n_memory = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    throughput(n)
    memory(n_memory)


if __name__ == "__main__":
    main()

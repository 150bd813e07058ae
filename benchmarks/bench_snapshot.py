"""Snapshot building at archive scale, and partition-pruned reading.

Stages N articles (about 3 KB of body each) spread over D days straight into staging
segments, then times `pipeline.snapshots.build.build` in a fresh process and reports its peak RSS.
Run twice with the same articles per day, 30 days and 365 days: peak RSS must not depend on
the number of days (target < 1 GiB). Then `read_articles` of one month with three columns
against reading the whole year (target < 2 s for the month).
Usage: python benchmarks/bench_snapshot.py [ARTICLES_PER_DAY]
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demosite.vocabulary import WORDS  # noqa: E402
from pipeline import read_articles  # noqa: E402

WIB = timezone(timedelta(hours=7))
BUILD = (
    "import json, resource, sys, time; from pipeline.snapshots.build import build; t = time.perf_counter(); "
    "r = build(sys.argv[1]); e = time.perf_counter() - t; "
    "print(json.dumps({'elapsed': e, 'rows': r.rows, 'partitions': r.partitions_written, "
    "'peak_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
)


def stage(data_dir: Path, days: int, per_day: int) -> int:
    rng = random.Random(days)
    words = WORDS[:21]  # the demo site's first words: the pool this benchmark always drew from
    pool = [" ".join(rng.choice(words) for _ in range(85)) + "." for _ in range(200)]
    folder = data_dir / "staging" / "medcom"
    folder.mkdir(parents=True)
    first = date(2025, 1, 1)
    n = 0
    for segment in range(0, days * per_day, 50_000):
        with open(folder / f"bench-{segment:09d}.jsonl", "w", encoding="utf-8") as fh:
            for i in range(segment, min(days * per_day, segment + 50_000)):
                day = first + timedelta(days=i % days)
                body = "\n\n".join(f"Bagian {k} berita {i}: {pool[(i * 7 + k) % len(pool)]}" for k in range(5))
                published = datetime(day.year, day.month, day.day, 8, i % 60, tzinfo=WIB)
                fh.write(
                    json.dumps(
                        {
                            "article_id": f"{i:08x}",
                            "site": "medcom",
                            "url": f"https://www.medcom.id/nasional/politik/{i:08x}-x",
                            "title": f"Judul berita {i}",
                            "kicker": None,
                            "authors": ["Penulis Satu"],
                            "editor": "WIL",
                            "published_at": published.isoformat(),
                            "published_raw": "",
                            "dateline": "Jakarta",
                            "channel": "nasional",
                            "subchannel": "politik",
                            "tags": ["a", "b"],
                            "image_url": None,
                            "image_caption": None,
                            "body": body,
                            "related_urls": [],
                            "word_count": len(body.split()),
                            "language": "id",
                            "content_hash": f"{i:040x}",
                            "duplicate_of": None,
                            "crawled_at": "2026-01-01T00:00:00+00:00",
                        }
                    )
                    + "\n"
                )
                n += 1
    return n


def run(days: int, per_day: int, data_dir: Path) -> dict:
    staged = stage(data_dir, days, per_day)
    out = subprocess.run(
        [sys.executable, "-c", BUILD, str(data_dir)], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    print(
        f"build {days} days x {per_day:,}/day = {staged:,} articles: {result['elapsed']:.1f}s "
        f"({staged / result['elapsed']:,.0f} articles/s), {result['partitions']} partitions, "
        f"peak RSS {result['peak_mib']:,.0f} MiB"
    )
    return result


def main() -> None:
    per_day = int(sys.argv[1]) if len(sys.argv) > 1 else 2740
    with tempfile.TemporaryDirectory() as small, tempfile.TemporaryDirectory() as big:
        a = run(30, per_day, Path(small))
        b = run(365, per_day, Path(big))
        print(f"peak RSS 365 days / 30 days: {b['peak_mib'] / a['peak_mib']:.2f} (target: about 1, both < 1024 MiB)")
        started = time.perf_counter()
        month = read_articles(
            big, since="2025-03-01", until="2025-03-31", columns=["article_id", "title", "published_at"]
        )
        month_s = time.perf_counter() - started
        started = time.perf_counter()
        year = read_articles(big, columns=["article_id", "title", "published_at"])
        year_s = time.perf_counter() - started
        started = time.perf_counter()
        full = read_articles(big, since="2025-03-01", until="2025-03-31")
        full_s = time.perf_counter() - started
        print(
            f"read one month, 3 columns: {len(month):,} rows in {month_s:.2f}s (target < 2 s); whole year, "
            f"3 columns: {len(year):,} rows in {year_s:.2f}s; ratio {month_s / year_s:.3f}; "
            f"one month, all columns: {full_s:.2f}s"
        )
        del full


if __name__ == "__main__":
    main()

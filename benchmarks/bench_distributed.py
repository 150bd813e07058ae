"""Distributed crawl scaling: 1, 2 and 4 `warta crawl --redis-url` workers sharing one queue.

The site is the generated medcom-style site on 127.0.0.1 with a fixed latency per page (50 ms,
like a remote portal). Two configurations, each worker with the same per-site politeness, so
the site sees N times the request rate with N workers (the point of adding workers):
- `default`: warta's settings (AutoThrottle aiming at 4 requests in flight per site). At 50 ms
  a worker then needs ~0.4 CPU core, so 4 workers on a 2-core machine are partly CPU-bound;
- `latency-bound`: 2 requests in flight per worker (CONCURRENT_REQUESTS_PER_DOMAIN=2, no
  AutoThrottle), the situation the targets describe: a worker waits on the site, not the CPU.
Targets: articles/s x1.7 from 1 to 2 workers, x3 from 1 to 4.

Two rates are printed per run: `crawl` counts from the first request the site received to the
last article it served (the crawl itself); `wall` counts from launching the workers to the
last one exiting (includes ~1.5 s of Python start-up and the end-of-run check).
Workers run as `scrapy crawl medcom -s REDIS_URL=...` (the code path of `warta crawl --redis-url`).
Usage: python benchmarks/bench_distributed.py [N_ARTICLES] [LATENCY_SECONDS]
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from demosite import DemoServer, generate_site  # noqa: E402
from tests.servers import redis_server  # noqa: E402

CONFIGS = {"default": [], "latency-bound": ["CONCURRENT_REQUESTS_PER_DOMAIN=2", "AUTOTHROTTLE_ENABLED=False"]}


def run(site, workers: int, redis_url: str, latency: float, settings: list[str]) -> dict:
    redis.Redis.from_url(redis_url).flushall()
    with tempfile.TemporaryDirectory() as tmp, DemoServer(site, flaky_paths=0, latency=latency) as server:
        env = dict(os.environ, PYTHONPATH=str(ROOT), WARTA_LOG_LEVEL="WARNING", WARTA_DATA_DIR=tmp)
        cmd = [
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
            "-s",
            f"REDIS_URL={redis_url}",
        ]
        for setting in settings:
            cmd += ["-s", setting]
        started = time.monotonic()
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        procs = [
            subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(workers)
        ]
        for proc in procs:
            _, err = proc.communicate()
            if proc.returncode:
                raise SystemExit(f"worker failed:\n{err[-2000:]}")
        ended = time.monotonic()
        wall = ended - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
        hits = server.article_hits()
        first = min(t for times in server.times.values() for t in times)
        last = max(t for path, times in server.times.items() if path in hits for t in times)
    articles = len(hits)
    return {
        "workers": workers,
        "articles": articles,
        "twice": sum(n > 1 for n in hits.values()),
        "crawl_rate": articles / (last - first),
        "wall_rate": articles / wall,
        "wall": wall,
        "cpu_ms": cpu / articles * 1000,
        "lead": first - started,
        "tail": ended - last,
    }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1600
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else 0.05
    site = generate_site(n_articles=n, days=10, reposts=0)
    print(f"site: {n} articles, {latency * 1000:.0f} ms latency per page; cpu cores: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp, redis_server(Path(tmp)) as url:
        for name, settings in CONFIGS.items():
            report(name, [run(site, workers, url, latency, settings) for workers in (1, 2, 4)])
    print("targets: x1.7 with 2 workers, x3 with 4 workers (crawl rate)")


def report(name: str, results: list[dict]) -> None:
    base = results[0]
    print(f"{name}:")
    for r in results:
        print(
            f"  {r['workers']} worker(s): {r['articles']} articles, fetched twice: {r['twice']}; "
            f"crawl {r['crawl_rate']:.1f} articles/s (x{r['crawl_rate'] / base['crawl_rate']:.2f}), "
            f"wall {r['wall']:.1f} s = {r['wall_rate']:.1f} articles/s (x{r['wall_rate'] / base['wall_rate']:.2f}); "
            f"worker CPU {r['cpu_ms']:.1f} ms/article; first request after {r['lead']:.1f} s, "
            f"last worker out {r['tail']:.1f} s after the last article"
        )


if __name__ == "__main__":
    main()

"""Distributed workers against a Redis that is killed mid-crawl and started again.

Each run: a fresh Redis (append-only file, fsync always) and data dir, two `warta crawl
--redis-url` workers on the generated site (120 articles over 3 days, 0.3 s a page, so the
crawl lasts long enough), Redis killed with SIGKILL once both workers hold leases and 30
articles were served, started again on the same port and folder DOWN seconds later, then
`warta snapshot`. Printed per run: both exit codes, how long the workers took to finish after
Redis was back, recall (share of the site's articles in the snapshot), duplicates (snapshot
rows beyond one per article_id), articles fetched more than once, and the workers' counts of
requests put back in the queue (recovered from expired leases, handed back).
Target: 5 runs, all finish (exit 0), recall 1.0, 0 duplicates.
`--no-persistence` runs the same without the append-only file: the workers must exit 1 and
say that Redis lost the run.
Usage: python benchmarks/bench_redis_restart.py [--runs 5] [--down 8] [--no-persistence]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from demosite import DemoServer, generate_site  # noqa: E402
from pipeline import read_articles  # noqa: E402
from tests.servers import RedisServer  # noqa: E402

WORKER_TIMEOUT = 300


def warta(data_dir: Path, *args: str, **popen) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), WARTA_LOG_LEVEL="INFO", WARTA_DATA_DIR=str(data_dir))
    return subprocess.Popen([sys.executable, "-m", "warta.cli", *args], cwd=ROOT, env=env, text=True, **popen)


def mid_crawl(server, client, served: int, deadline: float) -> None:
    while True:
        holders = {
            lease.rsplit(b":", 1)[0]
            for key in client.keys("warta:medcom:*:leases")
            for lease in client.zrange(key, 0, -1)
        }
        if len(holders) >= 2 and sum(server.article_hits().values()) >= served:
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"the workers did not get going ({len(holders)} holding leases)")
        time.sleep(0.05)


def run(site, down: float, persistent: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "redis").mkdir()
        data = Path(tmp) / "data"
        with (
            RedisServer(Path(tmp) / "redis", persistent) as redis_srv,
            DemoServer(site, flaky_paths=0, latency=0.3) as server,
        ):
            args = ("crawl", "medcom", "--base-url", server.base_url, "--since", str(site.days[0]))
            args += ("--until", str(site.days[-1]), "--data-dir", str(data), "--redis-url", redis_srv.url, "-q")
            workers = [warta(data, *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
            mid_crawl(server, redis.Redis.from_url(redis_srv.url), 30, time.monotonic() + 120)
            redis_srv.kill()
            at_kill = sum(server.article_hits().values())
            time.sleep(down)
            redis_srv.start()
            back = time.monotonic()
            outcomes = []
            for worker in workers:
                try:
                    _, err = worker.communicate(timeout=max(1.0, back + WORKER_TIMEOUT - time.monotonic()))
                except subprocess.TimeoutExpired:
                    worker.kill()
                    _, err = worker.communicate()
                outcomes.append((worker.returncode, err.strip().splitlines()[-1] if err.strip() else ""))
            finished = time.monotonic() - back
            hits = server.article_hits()
        snap = warta(data, "snapshot", "--data-dir", str(data), "-q", stdout=subprocess.DEVNULL)
        snap.wait(timeout=300)
        ids = list(read_articles(data, columns=["article_id"])["article_id"]) if snap.returncode == 0 else []
        counts: dict[str, int] = {}
        for record in (data / "runs" / "medcom").glob("*.json"):
            stats = json.loads(record.read_text())["stats"]
            for key in ("recovered", "handed_back"):
                counts[key] = counts.get(key, 0) + int(stats.get(f"warta/distributed/{key}", 0))
    expected = {a.article_id for a in site.articles}
    return {
        "exits": [code for code, _ in outcomes],
        "messages": [message for code, message in outcomes if code],
        "at_kill": at_kill,
        "finished_s": finished,
        "recall": len(set(ids) & expected) / len(expected),
        "duplicates": len(ids) - len(set(ids)),
        "twice": sum(n > 1 for n in hits.values()),
        **counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--down", type=float, default=8.0, help="seconds Redis stays down")
    parser.add_argument("--no-persistence", action="store_true")
    opts = parser.parse_args()
    site = generate_site(n_articles=120, days=3, seed=5, reposts=0)
    persistent = not opts.no_persistence
    kind = "with AOF (fsync always)" if persistent else "without persistence"
    print(
        f"site: {len(site.articles)} articles, 0.3 s a page; 2 workers; Redis {kind}, killed mid-crawl, "
        f"down {opts.down:.0f} s; cpu cores: {os.cpu_count()}"
    )
    results = []
    for i in range(1, opts.runs + 1):
        r = run(site, opts.down, persistent)
        results.append(r)
        print(
            f"run {i}: exits {r['exits']}, finished {r['finished_s']:.1f} s after Redis was back; "
            f"recall {r['recall']:.3f}, duplicates {r['duplicates']}; articles served at the kill {r['at_kill']}, "
            f"fetched twice {r['twice']}; recovered {r.get('recovered', 0)}, handed back {r.get('handed_back', 0)}"
            + (f"; said: {' | '.join(r['messages'])}" if r["messages"] else ""),
            flush=True,
        )
    if persistent:
        ok = sum(r["exits"] == [0, 0] and r["recall"] == 1.0 and r["duplicates"] == 0 for r in results)
        print(f"target (all finish, recall 1.0, 0 duplicates): {ok} of {len(results)} runs")
    else:
        ok = sum(r["exits"] == [1, 1] and len(r["messages"]) == 2 for r in results)
        print(f"both workers exit 1 with the reason: {ok} of {len(results)} runs")


if __name__ == "__main__":
    main()

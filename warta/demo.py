"""`warta demo`: the whole product on the bundled medcom-style site, offline."""
from __future__ import annotations

import os
import sys

from demosite import DemoServer, generate_site
from pipeline.datadir import DataDir
from pipeline.read import read_articles
from pipeline.snapshot import build
from warta.crawl import run_crawl


def run_demo(data_dir: str) -> int:
    site = generate_site()
    with DemoServer(site) as server:
        print(f"demo: serving {len(site.articles)} generated medcom-style articles at {server.base_url}", flush=True)
        summary = run_crawl("medcom", data_dir, since=site.days[0].isoformat(), until=site.days[-1].isoformat(),
                            base_url=server.base_url,
                            overrides={"AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING",
                                       "WARTA_RUN_ORIGIN": "warta demo"})
    report = build(data_dir)
    df = read_articles(data_dir)
    snapshots = DataDir(data_dir).store.arrow(DataDir.SNAPSHOTS)[0]
    print(f"demo: {summary['pages']} pages fetched, {summary['articles']} articles staged, "
          f"dropped: {summary['dropped'] or 'none'}, skipped as already staged: "
          f"{summary['skipped'].get('seen', 0)}")
    print(f"demo: {report.partitions_written} daily partitions written this run, "
          f"{report.partitions_unchanged} unchanged")
    print(f"demo: {snapshots} holds {len(df)} articles over {df['date'].nunique()} days, "
          f"{len(df.columns)} columns")
    relative = os.path.relpath(sys.executable)
    python = sys.executable if relative.startswith("..") else relative
    print("load them with:")
    print(f'    {python} -c \'import pandas; print(pandas.read_parquet("{snapshots}"))\'')
    return 0 if len(df) else 1

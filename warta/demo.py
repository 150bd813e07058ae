"""`warta demo`: the whole product on the bundled medcom-style site, offline; `warta demo
--serve [PORT]`: that site alone on 127.0.0.1, for `warta crawl --base-url` experiments."""

from __future__ import annotations

import os
import signal
import sys
import threading

from demosite import DemoServer, generate_site
from pipeline.snapshots.build import build
from pipeline.snapshots.read import read_articles
from pipeline.store.datadir import DataDir
from warta.crawl_process import run_crawl
from warta.output import NORMAL, QUIET


def run_demo(data_dir: str, verbosity: int = NORMAL) -> int:
    def say(text: str) -> None:
        if verbosity > QUIET:
            print(text, flush=True)

    site = generate_site()
    with DemoServer(site) as server:
        say(f"demo: serving {len(site.articles)} generated medcom-style articles at {server.base_url}")
        [run] = run_crawl(
            ["medcom"],
            data_dir,
            since=site.days[0].isoformat(),
            until=site.days[-1].isoformat(),
            base_url=server.base_url,
            overrides={"AUTOTHROTTLE_ENABLED": False, "WARTA_RUN_ORIGIN": "warta demo"},
            verbosity=verbosity,
        )
    print(run.line, flush=True)
    report = build(data_dir)
    df = read_articles(data_dir)
    snapshots = DataDir(data_dir).store.arrow(DataDir.SNAPSHOTS)[0]
    say(f"demo: {report.partitions_written} daily partitions written this run, {report.partitions_unchanged} unchanged")
    say(f"demo: {snapshots} holds {len(df)} articles over {df['date'].nunique()} days, {len(df.columns)} columns")
    say(f"demo: the crawl's log is {run.log}")
    relative = os.path.relpath(sys.executable)
    python = sys.executable if relative.startswith("..") else relative
    say("load them with:")
    say(f"    {python} -c 'import pandas; print(pandas.read_parquet(\"{snapshots}\"))'")
    return 0 if len(df) else 1


def serve_demo(port: int, verbosity: int = NORMAL) -> int:
    """Serves the generated site until Ctrl-C or SIGTERM; exits 0 then."""
    site = generate_site()
    try:
        server = DemoServer(site, port=port)
    except OSError as exc:
        raise SystemExit(f"warta demo: error: cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    stop = threading.Event()
    # Both signals only set the event: a KeyboardInterrupt could land outside any try (between
    # the banner and the wait) and end the demo with a traceback.
    previous = {signum: signal.signal(signum, lambda *_: stop.set()) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        with server:
            print(
                f"demo: serving {len(site.articles)} generated medcom-style articles at {server.base_url}", flush=True
            )
            if verbosity > QUIET:
                print(
                    f"crawl it with:  warta crawl medcom --base-url {server.base_url}\n"
                    f"      or all:   warta crawl medcom --base-url {server.base_url} "
                    f"--since {site.days[0]} --until {site.days[-1]}\n"
                    "stop with Ctrl-C",
                    flush=True,
                )
            while not stop.wait(0.5):  # a timed wait, so that the handlers run promptly
                pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print("demo: stopped", flush=True)
    return 0

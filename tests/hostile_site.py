"""The demo site with some answers replaced by hostile ones (a robots.txt naming local files
and other services, endless listings, huge sitemaps, redirects elsewhere), and helpers to
run a crawl against it and read what the run recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from demosite import DemoServer
from tests.conftest import ROOT, warta_env


class HostileServer(DemoServer):
    """`routes` maps a path to `answer(query) -> (status, content type, body[, headers])`;
    every other path is the demo site's."""

    def __init__(self, site, routes: dict | None = None, **kwargs):
        super().__init__(site, **kwargs)
        self.routes = dict(routes or {})

    def render(self, path: str, query: dict):
        if path in self.routes:
            with self._lock:
                self.hits[path] += 1
            return self.routes[path](query)
        return super().render(path, query)


def fixed(body, ctype: str = "text/html", status: int = 200, headers: dict | None = None):
    return lambda query: (status, ctype, body, headers or {})


def run_record(data_dir: Path) -> dict:
    records = sorted((data_dir / "runs" / "medcom").glob("*.json"))
    assert records, "no run record written"
    return json.loads(records[-1].read_text())


def _hwm_mib(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in MiB; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next((int(line.split()[1]) // 1024 for line in fh if line.startswith("VmHWM:")), 0)
    except OSError:
        return 0


def peak_rss_mib(args: list[str], data_dir: Path, timeout: float = 180) -> tuple[int, int, str]:
    """Runs `python ARGS` to the end; (exit code, peak resident memory in MiB, stderr).

    The peak is read from /proc while it runs: the child's rusage would also count the memory
    of this (test) process, which the kernel books to a child that forks and then execs."""
    err_path = data_dir / "stderr.txt"
    data_dir.mkdir(parents=True, exist_ok=True)
    peak = 0
    with open(err_path, "w") as err, open(os.devnull, "w") as out:
        proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=warta_env(data_dir), stdout=out, stderr=err)
        started = time.monotonic()
        try:
            while proc.poll() is None:
                if time.monotonic() - started > 0.5:  # past the exec: its own memory only
                    peak = max(peak, _hwm_mib(proc.pid))
                if time.monotonic() - started > timeout:
                    proc.kill()
                time.sleep(0.1)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    return proc.returncode, peak, err_path.read_text()

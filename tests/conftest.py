"""Shared fixtures: the generated site, a server for it on 127.0.0.1, and `warta` runs as
real subprocesses (the way users and the scheduler run them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from demosite import DemoServer, generate_site

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def site():
    return generate_site()


@pytest.fixture
def server(site):
    """A fresh server per test, so request counts belong to that test alone."""
    with DemoServer(site) as srv:
        yield srv


@pytest.fixture(scope="module")
def small_site():
    """The small generated site of the distributed and object-storage tests."""
    return generate_site(n_articles=60, days=3, seed=11, reposts=0)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A redis-server of the test module's own (a system package), on 127.0.0.1."""
    from tests.servers import redis_server

    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def fresh_redis(redis_url):
    """The module's Redis server, emptied for this test."""
    import redis

    redis.Redis.from_url(redis_url).flushall()
    return redis_url


def warta_env(data_dir: Path | None = None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["WARTA_LOG_LEVEL"] = "WARNING"
    if data_dir is not None:
        env["WARTA_DATA_DIR"] = str(data_dir)
    return env


def crawl_args(server, site, data_dir, *extra: str) -> tuple[str, ...]:
    """`warta crawl` arguments for the whole of a generated `site` served by `server`."""
    return (
        "crawl",
        "medcom",
        "--base-url",
        server.base_url,
        "--since",
        str(site.days[0]),
        "--until",
        str(site.days[-1]),
        "--data-dir",
        str(data_dir),
        *extra,
    )


def spider_args(server, since, until) -> tuple[str, ...]:
    """`scrapy crawl medcom` arguments for the days `since`..`until` of a site served by `server`."""
    return ("-a", f"base_url={server.base_url}", "-a", f"since={since}", "-a", f"until={until}")


def scrapy_crawl(data_dir: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """`scrapy crawl medcom ARGS` (where `-s NAME=VALUE` settings can be given) in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "medcom", *args],
        cwd=ROOT,
        env=warta_env(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_warta(*args: str, data_dir: Path | None = None, **popen) -> subprocess.Popen:
    """`warta ARGS...` started in the background; its output is discarded unless `popen` says
    otherwise (`stderr=subprocess.PIPE`, `start_new_session=True`, ...)."""
    return subprocess.Popen(
        [sys.executable, "-m", "warta.cli", *args],
        cwd=ROOT,
        env=warta_env(data_dir),
        **{"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, **popen},
    )


def run_warta(*args: str, data_dir: Path | None = None, timeout: float = 180, cwd: Path = ROOT):
    """`warta ARGS...` in a subprocess; returns the CompletedProcess (text)."""
    return subprocess.run(
        [sys.executable, "-m", "warta.cli", *args],
        cwd=cwd,
        env=warta_env(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def warta():
    return run_warta

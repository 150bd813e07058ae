"""CLI conventions (issue 17): --version, -q / -v, Scrapy's log in the run's log file, one line
for an unreachable site, an exact --limit, one summary format everywhere, `demo --serve`."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from urllib.request import urlopen

import pytest

from tests.conftest import ROOT, run_warta, warta_env
from tests.servers import free_port

SUMMARY = re.compile(r"^medcom: \d+ pages, \d+ articles staged in \d+\.\ds \(\d+\.\d articles/s\); dropped: .*; "
                     r"finish: \w+$")


def crawl(*args: str, data_dir, log_level: str = "INFO") -> subprocess.CompletedProcess:
    env = warta_env(data_dir)
    env["WARTA_LOG_LEVEL"] = log_level  # what a user gets: Scrapy's INFO log
    return subprocess.run([sys.executable, "-m", "warta.cli", "crawl", "medcom", "--data-dir", str(data_dir), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def staged_lines(data_dir) -> int:
    total = 0
    for path in (data_dir / "staging" / "medcom").glob("*.jsonl"):
        with open(path) as fh:
            total += sum(1 for line in fh if line.strip())
    return total


def records(data_dir) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((data_dir / "runs" / "medcom").glob("*.json"))]


def test_version_comes_from_the_package_metadata():
    result = run_warta("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"warta {metadata.version('warta')}"


def test_default_output_is_the_summary_and_scrapys_log_goes_to_the_runs_log_file(tmp_path, server, site):
    result = crawl("--base-url", server.base_url, "--limit", "3", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "Scrapy's log belongs in the log file"
    summary, log_line = result.stdout.splitlines()
    assert SUMMARY.match(summary), summary
    log = tmp_path / "logs" / "crawl" / log_line.removeprefix("log: ").rsplit("/", 1)[-1]
    assert log_line == f"log: {log}" and log.exists()
    text = log.read_text()
    assert "[scrapy.core.engine] INFO: Spider opened" in text and "Spider closed (limit)" in text
    assert records(tmp_path)[-1]["log"] == str(log)


@pytest.mark.parametrize("where", ["after the command", "before the command"])
def test_quiet_prints_only_the_summary_line(tmp_path, server, where):
    args = ["crawl", "medcom", "-q"] if where == "after the command" else ["-q", "crawl", "medcom"]
    result = subprocess.run([sys.executable, "-m", "warta.cli", *args, "--base-url", server.base_url, "--limit", "2",
                             "--data-dir", str(tmp_path)], cwd=ROOT, env=warta_env(tmp_path), capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 1 and SUMMARY.match(result.stdout.strip())


def test_verbose_shows_scrapys_log_on_the_terminal(tmp_path, server):
    result = crawl("-v", "--base-url", server.base_url, "--limit", "2", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "[scrapy.core.engine] INFO: Spider closed (limit)" in result.stderr


def test_an_unreachable_site_is_one_line_and_exit_1(tmp_path):
    base = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = crawl("--base-url", base, data_dir=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"warta crawl: could not reach {base}: connection refused"]


@pytest.mark.parametrize("refetch", [False, True])
def test_limit_stages_exactly_n_articles_and_stops(tmp_path, server, site, refetch):
    backfill = ["--base-url", server.base_url, "--since", str(site.days[0]), "--until", str(site.days[-1])]
    if refetch:  # everything is staged already: every article is fetched again
        assert crawl(*backfill, "-q", data_dir=tmp_path, log_level="WARNING").returncode == 0
        before, hits_before = staged_lines(tmp_path), sum(server.article_hits().values())
    else:
        before, hits_before = 0, 0
    result = crawl(*backfill, "--limit", "5", *(["--refetch"] if refetch else []), data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = records(tmp_path)[-1]["summary"]
    assert summary["finish_reason"] == "limit"
    unchanged = summary["dropped"].get("unchanged", 0)
    # A re-fetched article found unchanged is current in staging: it counts, not re-staged.
    assert summary["articles"] + unchanged == 5 and staged_lines(tmp_path) == before + summary["articles"]
    assert unchanged == (5 if refetch else 0)
    fetched = sum(server.article_hits().values()) - hits_before
    # No more article requests than the limit, plus those that ended without an article.
    ended_without = sum(n for reason, n in summary["dropped"].items() if reason not in ("limit", "unchanged"))
    assert fetched <= 5 + ended_without + 1, (fetched, summary)  # +1: the first 500 of a flaky page


def test_limit_in_latest_mode_survives_failed_articles(tmp_path, server):
    """The feed links a 404: the limit is still reached with articles that exist."""
    result = crawl("--base-url", server.base_url, "--limit", "8", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert records(tmp_path)[-1]["summary"]["articles"] == 8 == staged_lines(tmp_path)


def test_schedule_once_prints_the_runs_summary(tmp_path, server):
    config = tmp_path / "s.toml"
    config.write_text(f'[[job]]\nid = "latest"\nkind = "crawl"\nsite = "medcom"\nbase_url = "{server.base_url}"\n'
                      f'interval_minutes = 30\nlimit = 3\n')
    result = run_warta("schedule", "once", "latest", "--config", str(config), "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert SUMMARY.match(lines[0]) and "3 articles staged" in lines[0], lines
    assert lines[1].startswith("latest: ok; log: ")
    log = Path(lines[1].split("log: ", 1)[1])
    assert lines[0] in log.read_text(), "the run's own output is in its log"


def test_demo_summary_is_the_crawl_summary_not_a_dict(tmp_path):
    result = run_warta("demo", "--data-dir", str(tmp_path / "demo"))
    assert result.returncode == 0, result.stderr
    assert "{" not in result.stdout, result.stdout
    assert any(SUMMARY.match(line) for line in result.stdout.splitlines()), result.stdout
    quiet = run_warta("demo", "-q", "--data-dir", str(tmp_path / "demo"))
    assert quiet.returncode == 0 and len(quiet.stdout.splitlines()) == 1 and SUMMARY.match(quiet.stdout.strip())


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_demo_serve_serves_the_site_until_stopped(stop):
    env = warta_env()
    env["PYTHONWARNINGS"] = "error"
    proc = subprocess.Popen([sys.executable, "-m", "warta.cli", "demo", "--serve", "0"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first)[0]
        with urlopen(f"{url}/robots.txt", timeout=10) as response:
            assert b"Sitemap:" in response.read()
        assert f"--base-url {url}" in proc.stdout.readline()
        proc.send_signal(stop)  # SIGINT: what Ctrl-C sends
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0 and err == ""
    assert out.splitlines()[-1] == "demo: stopped"


def test_demo_serve_on_a_busy_port_is_one_line(server):
    port = server.base_url.rsplit(":", 1)[1]
    result = run_warta("demo", "--serve", port, timeout=60)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"warta demo: error: cannot serve on 127.0.0.1:{port}: Address already in use"]


# Bad paths are errors ------------------------------------------------------------------------
def _schedule(tmp_path) -> str:
    config = tmp_path / "s.toml"
    config.write_text('[[job]]\nid = "snap"\nkind = "snapshot"\ncron = "0 1 * * *"\n')
    return str(config)


COMMANDS = {
    "crawl": lambda d, tmp: ["crawl", "medcom", "--base-url", "http://127.0.0.1:9", "--data-dir", d],
    "snapshot": lambda d, tmp: ["snapshot", "--data-dir", d],
    "verify": lambda d, tmp: ["snapshot", "--verify", "--data-dir", d],
    "report": lambda d, tmp: ["report", "--data-dir", d],
    "demo": lambda d, tmp: ["demo", "--data-dir", d],
    "schedule once": lambda d, tmp: ["schedule", "once", "snap", "--config", _schedule(tmp), "--data-dir", d],
    "schedule run": lambda d, tmp: ["schedule", "run", "--config", _schedule(tmp), "--data-dir", d],
    "schedule status": lambda d, tmp: ["schedule", "status", "--config", _schedule(tmp), "--data-dir", d],
}


READ_ONLY = ("snapshot", "verify", "report", "schedule status")  # nothing to read in a missing dir
CASES = [(command, problem) for command in sorted(COMMANDS) for problem in ("a file", "under a file", "missing")
         if problem != "missing" or command in READ_ONLY]  # the others create their data dir


@pytest.mark.parametrize("command, problem", CASES)
def test_an_unusable_data_dir_is_one_line_naming_it(tmp_path, command, problem):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a data dir")
    data_dir = {"a file": a_file, "under a file": a_file / "data", "missing": tmp_path / "absent"}[problem]
    result = run_warta(*COMMANDS[command](str(data_dir), tmp_path), timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and f"data dir {data_dir} " in lines[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_data_dir_is_refused(tmp_path):
    data_dir = tmp_path / "ro"
    data_dir.mkdir()
    data_dir.chmod(0o555)
    try:
        result = run_warta("crawl", "medcom", "--data-dir", str(data_dir), timeout=60)
    finally:
        data_dir.chmod(0o755)
    assert result.returncode == 1 and result.stderr.strip().endswith(f"data dir {data_dir} is not writable: "
                                                                     "Permission denied")


def test_verify_without_snapshots_fails(tmp_path):
    result = run_warta("snapshot", "--verify", "--data-dir", str(tmp_path), timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == f"verify: no snapshots in {tmp_path / 'snapshots'}"
    assert "OK" not in result.stdout


def test_read_articles_refuses_a_missing_dir_a_bad_date_and_an_unknown_site(tmp_path):
    from pipeline import read_articles

    with pytest.raises(FileNotFoundError):
        read_articles(tmp_path / "absent")
    with pytest.raises(ValueError, match=r"^since: not a date in YYYY-MM-DD form: '2026-13-40'$"):
        read_articles(tmp_path, since="2026-13-40")
    with pytest.raises(ValueError, match=r"^until: "):
        read_articles(tmp_path, since="2026-01-01", until="soon")
    with pytest.raises(ValueError, match=r"unknown site 'kompas'; known: medcom"):
        read_articles(tmp_path, site="kompas")
    assert read_articles(tmp_path, site="medcom").empty, "a known site with nothing yet is an empty frame"


# Installable beside other tools ------------------------------------------------------------------
def test_dependencies_are_ranges_and_the_tested_set_is_a_constraints_file():
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
    assert not [str(r) for r in reqs if any(s.operator in ("==", "===") for s in r.specifier)], "pins belong in constraints"
    pinned = {Requirement(line).name.lower(): line for line in (ROOT / "constraints.txt").read_text().splitlines()
              if line and not line.startswith("#")}
    assert all("==" in line for line in pinned.values())
    assert {r.name.lower().replace("_", "-") for r in reqs} <= {n.replace("_", "-") for n in pinned}
    for r in reqs:  # the tested versions are inside the ranges
        version = pinned[next(n for n in pinned if n.replace("_", "-") == r.name.lower().replace("_", "-"))]
        assert r.specifier.contains(version.split("==")[1]), (str(r), version)
    makefile = (ROOT / "Makefile").read_text()
    assert makefile.count("$(CONSTRAINTS)") >= 2 and "CONSTRAINTS := -c constraints.txt" in makefile


def test_a_distributed_worker_with_a_limit_hands_the_rest_back(tmp_path):
    """`--limit` in distributed mode: exactly N staged, and the articles it fetched beyond N go
    back to the shared queue, so the next worker finishes the run with nothing lost."""
    from demosite import DemoServer, generate_site
    from tests.servers import redis_server

    site = generate_site(n_articles=40, days=2, seed=5, reposts=0)
    with redis_server(tmp_path) as redis_url, DemoServer(site, flaky_paths=0, latency=0.05) as server:
        args = ["--base-url", server.base_url, "--since", str(site.days[0]), "--until", str(site.days[-1]),
                "--redis-url", redis_url]
        first = crawl(*args, "--limit", "5", data_dir=tmp_path / "d")
        assert first.returncode == 0, first.stderr
        assert records(tmp_path / "d")[-1]["summary"]["articles"] == 5
        rest = crawl(*args, data_dir=tmp_path / "d")
        assert rest.returncode == 0, rest.stderr
    assert run_warta("snapshot", "--data-dir", str(tmp_path / "d")).returncode == 0
    from pipeline import read_articles

    ids = read_articles(tmp_path / "d", columns=["article_id"])["article_id"]
    assert sorted(ids) == sorted(a.article_id for a in site.articles)


@pytest.mark.parametrize("dropped, says", [
    ({"discovery_connection_refused": 3}, "could not reach https://www.medcom.id: connection refused"),
    ({"discovery_cannotresolvehosterror": 3}, "could not reach https://www.medcom.id: host name not found (DNS)"),
    ({"discovery_timeout": 2, "discovery_connection_refused": 1},
     "could not reach https://www.medcom.id: no answer (timed out), connection refused"),
    ({}, "no page could be fetched"),
])
def test_a_crawl_without_any_response_names_why(dropped, says):
    from warta.cli import crawl_outcome

    summary = {"finish_reason": "finished", "pages": 0, "requests": 9, "dropped": dropped}
    assert crawl_outcome(summary, distributed=False, target="https://www.medcom.id") == (1, says)


def test_log_lines_are_stamped_in_wib(tmp_path, server):
    result = crawl("-v", "--base-url", server.base_url, "--limit", "1", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    stamps = re.findall(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)( \w+)? \[", result.stderr, re.MULTILINE)
    assert stamps and all(zone == " WIB" for _, zone in stamps), stamps[:3]


def test_schedule_once_of_a_snapshot_job_prints_the_snapshot_summary(tmp_path):
    result = run_warta("schedule", "once", "-q", "snap", "--config", _schedule(tmp_path), "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["snapshot: 0 partitions written, 0 unchanged, 0 rows; 0 staged records "
                                          "(0 new, 0 updated); torn lines skipped: 0, undated: 0"]


def test_the_report_says_its_time_in_wib(tmp_path):
    result = run_warta("report", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "report.html").read_text()
    assert re.search(r"generated\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WIB", html) and "UTC" not in html


# The limit's components, unit by unit (as tests/test_components.py does the others) -------------
def test_the_limit_components_are_off_without_a_limit():
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from crawler.limit import LimitMiddleware, LimitPipeline

    for component in (LimitMiddleware, LimitPipeline):
        with pytest.raises(NotConfigured):
            component.from_crawler(get_crawler(settings_dict={"LIMIT_ARTICLES": 0}))


def test_the_limit_holds_article_requests_back_and_admits_n_articles():
    import asyncio

    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from crawler.limit import LimitMiddleware, LimitPipeline, LimitReached

    crawler = get_crawler(settings_dict={"LIMIT_ARTICLES": 2})
    crawler.stats.open_spider()
    middleware, pipeline = LimitMiddleware.from_crawler(crawler), LimitPipeline.from_crawler(crawler)
    assert middleware.limit is pipeline.limit, "one count per crawl"

    async def output():
        for n in range(4):
            yield Request(f"https://www.medcom.id/a/b/id{n:06d}-x", meta={"kind": "article", "article_id": f"id{n}"})
        yield Request("https://www.medcom.id/sitemap.xml", meta={"kind": "discovery"})

    async def collect():
        return [r.meta["kind"] async for r in middleware.process_spider_output(None, output())]

    assert asyncio.run(collect()) == ["article", "article", "discovery"], "2 in flight, 2 wait, discovery goes"
    assert len(middleware.limit.backlog) == 2
    assert pipeline.process_item("a1") == "a1" and pipeline.process_item("a2") == "a2"
    with pytest.raises(LimitReached):
        pipeline.process_item("a3")
    assert crawler.stats.get_value("warta/dropped/limit") == 1

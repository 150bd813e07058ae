"""CLI conventions (issue 17): --version, -q / -v, Scrapy's log in the run's log file, one line
for an unreachable site, one summary format everywhere, times in WIB, `demo --serve`."""

from __future__ import annotations

import json
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

SUMMARY = re.compile(
    r"^medcom: \d+ pages, \d+ articles staged in \d+\.\ds \(\d+\.\d articles/s\); dropped: .*; "
    r"finish: \w+$"
)


def crawl(*args: str, data_dir, log_level: str = "INFO") -> subprocess.CompletedProcess:
    env = warta_env(data_dir)
    env["WARTA_LOG_LEVEL"] = log_level  # what a user gets: Scrapy's INFO log
    return subprocess.run(
        [sys.executable, "-m", "warta.cli", "crawl", "medcom", "--data-dir", str(data_dir), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


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
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "warta.cli",
            *args,
            "--base-url",
            server.base_url,
            "--limit",
            "2",
            "--data-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=warta_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
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


def test_schedule_once_prints_the_runs_summary(tmp_path, server):
    config = tmp_path / "s.toml"
    config.write_text(
        f'[[job]]\nid = "latest"\nkind = "crawl"\nsite = "medcom"\nbase_url = "{server.base_url}"\n'
        f"interval_minutes = 30\nlimit = 3\n"
    )
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
    proc = subprocess.Popen(
        [sys.executable, "-m", "warta.cli", "demo", "--serve", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
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
    assert result.stderr.splitlines() == [
        f"warta demo: error: cannot serve on 127.0.0.1:{port}: Address already in use"
    ]


@pytest.mark.parametrize(
    "dropped, says",
    [
        ({"discovery_connection_refused": 3}, "could not reach https://www.medcom.id: connection refused"),
        ({"discovery_cannotresolvehosterror": 3}, "could not reach https://www.medcom.id: host name not found (DNS)"),
        (
            {"discovery_timeout": 2, "discovery_connection_refused": 1},
            "could not reach https://www.medcom.id: no answer (timed out), connection refused",
        ),
        ({}, "no page could be fetched"),
    ],
)
def test_a_crawl_without_any_response_names_why(dropped, says):
    from warta.commands.crawl import crawl_outcome

    summary = {"finish_reason": "finished", "pages": 0, "requests": 9, "dropped": dropped}
    assert crawl_outcome(summary, distributed=False, target="https://www.medcom.id") == (1, says)


def test_log_lines_are_stamped_in_wib(tmp_path, server):
    result = crawl("-v", "--base-url", server.base_url, "--limit", "1", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    stamps = re.findall(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)( \w+)? \[", result.stderr, re.MULTILINE)
    assert stamps and all(zone == " WIB" for _, zone in stamps), stamps[:3]


def schedule_file(tmp_path) -> str:
    config = tmp_path / "s.toml"
    config.write_text('[[job]]\nid = "snap"\nkind = "snapshot"\ncron = "0 1 * * *"\n')
    return str(config)


def test_schedule_once_of_a_snapshot_job_prints_the_snapshot_summary(tmp_path):
    result = run_warta(
        "schedule", "once", "-q", "snap", "--config", schedule_file(tmp_path), "--data-dir", str(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "snapshot: 0 partitions written, 0 unchanged, 0 rows; 0 staged records "
        "(0 new, 0 updated); torn lines skipped: 0, undated: 0, rejected: 0"
    ]


def test_the_report_says_its_time_in_wib(tmp_path):
    result = run_warta("report", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "report.html").read_text()
    assert re.search(r"generated\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WIB", html) and "UTC" not in html

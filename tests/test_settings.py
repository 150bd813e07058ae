"""One source per setting: crawler/settings.py holds each default once, docs/settings.md is
rendered from it, and `-s NAME=VALUE` (command line, schedule jobs) reaches the crawl."""

from __future__ import annotations

import subprocess
import sys

import pytest

from crawler.overrides import parse_override
from tests.conftest import ROOT


def test_the_settings_page_is_rendered_from_the_settings_module():
    result = subprocess.run(
        [sys.executable, "tools/settings_doc.py", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_setting_a_component_reads_has_its_default_in_the_settings_module():
    import re

    import crawler.settings as settings

    read = set()
    for path in ROOT.glob("crawler/**/*.py"):
        read |= set(re.findall(r'settings\.get\w*\("([A-Z_]+)"', path.read_text()))
    scrapy_own = {"LOG_FILE", "LOG_FORMAT", "LOG_ENCODING"}
    missing = sorted(name for name in read - scrapy_own if not hasattr(settings, name))
    assert not missing, f"read but given no default in crawler/settings.py: {missing}"


@pytest.mark.parametrize(
    ("text", "problem"),
    [("DOWNLOAD_DELAY", "expected NAME=VALUE"), ("DOWNLAOD_DELAY=2", "unknown setting"), ("x=1", "not a setting name")],
)
def test_a_wrong_setting_is_refused_with_the_reason(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_override(text)


def test_settings_given_with_dash_s_reach_the_crawl_and_warta_names_itself(tmp_path, server, site):
    from importlib import metadata

    from tests.conftest import run_warta
    from tests.hostile_site import run_record

    days = ("--since", str(site.days[0]), "--until", str(site.days[0]))
    result = run_warta(
        "crawl", "medcom", "--base-url", server.base_url, "--data-dir", str(tmp_path), *days,
        "-s", "WARTA_CONTACT=ops@example.org", "-s", "DISCOVERY_MAX_LISTING_PAGES=1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    agent = f"Mozilla/5.0 (compatible; warta/{metadata.version('warta')}; +https://pypi.org/project/warta/; ops@example.org)"
    assert dict(server.user_agents) == {agent: sum(server.user_agents.values())}
    assert run_record(tmp_path)["summary"]["bounded"] == {"listing_pages": 1}


def test_a_setting_that_does_not_exist_is_refused_before_the_crawl(tmp_path):
    from tests.conftest import run_warta

    result = run_warta("crawl", "medcom", "--data-dir", str(tmp_path), "-s", "DOWNLAOD_DELAY=2")
    assert result.returncode == 2
    assert "unknown setting 'DOWNLAOD_DELAY'" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("robots", "fetched"),
    [
        ("User-agent: warta\nDisallow: /\n\nUser-agent: *\nAllow: /\n", False),
        ("User-agent: Scrapy\nDisallow: /\n\nUser-agent: *\nAllow: /\n", True),
    ],
)
def test_robots_txt_is_obeyed_for_wartas_own_token(tmp_path, site, robots, fetched):
    from tests.conftest import run_warta
    from tests.hostile_site import HostileServer, fixed, run_record

    with HostileServer(site, {"/robots.txt": fixed(robots, "text/plain")}) as server:
        result = run_warta("crawl", "medcom", "--base-url", server.base_url, "--data-dir", str(tmp_path))
        articles = sum(server.article_hits().values())
    assert (articles > 0) is fetched, (articles, result.stdout)
    if not fetched:
        assert run_record(tmp_path)["stats"].get("robotstxt/forbidden", 0) > 0


def test_a_schedule_jobs_settings_table_becomes_dash_s(tmp_path):
    from schedules.config import load_schedule
    from schedules.jobs import command

    path = tmp_path / "s.toml"
    path.write_text(
        '[[job]]\nid = "a"\nkind = "crawl"\nsite = "medcom"\ninterval_minutes = 30\n'
        "settings = { DOWNLOAD_DELAY = 2, ROBOTSTXT_OBEY = true }\n"
    )
    cmd = command(load_schedule(path).jobs["a"], str(tmp_path))
    assert cmd[-4:] == ["-s", "DOWNLOAD_DELAY=2", "-s", "ROBOTSTXT_OBEY=True"]
    path.write_text(
        '[[job]]\nid = "a"\nkind = "crawl"\nsite = "medcom"\ninterval_minutes = 30\nsettings = { X_Y = 1 }\n'
    )
    with pytest.raises(ValueError, match="line 6: job #1: settings: unknown setting 'X_Y'"):
        load_schedule(path)


def test_the_default_schedule_has_jobs_for_every_shipped_site():
    """schedules/default.toml is rendered from the shipped sites (tools/default_schedule.py):
    each site's latest crawl at its own minute, its nightly backfill, then the snapshot."""
    result = subprocess.run(
        [sys.executable, "tools/default_schedule.py", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    from extract.sites import load_sites
    from schedules.config import load_schedule

    jobs = load_schedule(ROOT / "schedules" / "default.toml").jobs
    for name in load_sites().names():
        assert jobs[f"{name}-latest"].kind == "crawl" and jobs[f"{name}-backfill"].kind == "backfill"
    minutes = [jobs[f"{name}-latest"].describe for name in load_sites().names()]
    assert len(set(minutes)) == len(minutes), "the sites' latest crawls start at different minutes"

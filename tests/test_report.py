"""`warta report` and `warta schedule status` on a prepared data dir: real crawls recorded by
whoever ran them, a failed run, a day with no articles; problems come first."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from demosite import DemoServer, generate_site
from pipeline.monitor.runs import History
from pipeline.snapshots.build import build
from tests.test_snapshot import article, stage

DAYS = [date.today() - timedelta(days=20 - i) for i in range(5)]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """Two manual crawls of the demo site (one through `scrapy crawl`), an unreachable crawl,
    and staged days with a hole on the third day."""
    from tests.conftest import crawl_args, run_warta

    data_dir = tmp_path_factory.mktemp("report")
    site = generate_site(n_articles=24, days=2)
    with DemoServer(site) as server:
        ok = run_warta(*crawl_args(server, site, data_dir))
        assert ok.returncode == 0, ok.stderr
        dead = server.base_url
    failed = run_warta("crawl", "medcom", "--base-url", dead, "--data-dir", str(data_dir), timeout=240)
    assert failed.returncode == 1
    stage(
        data_dir,
        [article(f"R{i:07d}", DAYS[i % 5], channel=("nasional", "ekonomi")[i % 2]) for i in range(60) if i % 5 != 2],
    )
    build(data_dir)
    return data_dir


def table(html: str, chart: str) -> list[list[str]]:
    body = re.search(rf'<table data-chart="{chart}">(.*?)</table>', html, re.S).group(1)
    return [re.findall(r"<t[dh]>(.*?)</t[dh]>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_report_shows_problems_first_then_runs_and_charts(prepared, warta):
    result = warta("report", "--data-dir", str(prepared))
    assert result.returncode == 0, result.stderr
    html = (prepared / "report.html").read_text()
    problems = html.index('id="problems"')
    assert problems < html.index('id="last-runs"') < html.index('id="articles-per-day"')
    assert "warta crawl medcom: last run failed" in html and "could not reach the site" in html
    last = re.search(r'<table id="last-runs">.*?</table>', html, re.S).group(0)
    assert '<td class="failed">failed</td>' in last, "the newest run of the job is the one shown"
    assert f"medcom: no articles published on {DAYS[2]} (usually" in html
    for chart in ("articles-per-day", "articles-per-channel", "fill-rates", "drops", "durations"):
        assert f'<figure id="{chart}"><svg' in html, chart
    days = {row[0]: row[1:] for row in table(html, "articles-per-day")[1:]}
    assert days[str(DAYS[2])] == ["0"], "a day without articles is drawn as zero, not skipped"
    assert days[str(DAYS[0])] == ["12"]
    fills = table(html, "fill-rates")
    assert len(fills) >= 2 and fills[0][:2] == ["run", "job"], "one recorded crawl is enough for a line"
    outcomes = [row[2] for row in table(html, "durations")[1:]]
    assert "ok" in outcomes and "failed" in outcomes
    assert "<script" not in html and not re.search(r'(src|href)="https?:', html), (
        "self-contained: no script, nothing fetched"
    )


def test_status_lists_the_problems_and_fails(prepared, warta):
    result = warta("schedule", "status", "--data-dir", str(prepared))
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("problems (")
    assert "warta crawl medcom: last run failed" in result.stdout
    assert "WIB" in result.stdout and "UTC" not in result.stdout


def test_a_healthy_data_dir_has_no_problems(tmp_path, warta):
    stage(tmp_path, [article(f"H{i:07d}", DAYS[i % 3]) for i in range(30)])
    build(tmp_path)
    history = History(tmp_path)
    history.start("run-1", "latest", "crawl", "medcom", "log")
    history.finish("run-1", "ok", 0, {"pages": 20, "articles": 12, "fill": {"authors": 0.9, "body": 1.0}}, [])
    history.close()
    assert warta("schedule", "status", "--data-dir", str(tmp_path)).returncode == 0
    assert warta("report", "--data-dir", str(tmp_path)).returncode == 0
    assert "No problems" in (tmp_path / "report.html").read_text()

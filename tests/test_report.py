"""`warta report` and `warta schedule status` on a prepared data dir: real crawls recorded by
whoever ran them, a failed run, a day with no articles; problems come first."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta

import pytest

from demosite import DemoServer, generate_site
from pipeline.monitor.runs import History, Run
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
    html = (prepared / "report.html").read_text()
    count = len(re.search(r'<ul class="problems" id="problems">(.*?)</ul>', html, re.S).group(1).split("<li>")) - 1
    assert count >= 2 and f"<h2>Problems ({count})</h2>" in html
    assert result.returncode == 1, "a report that lists problems fails, as `schedule status` does"
    assert result.stdout == f"report written to {prepared / 'report.html'}; {count} problems (see the report)\n"
    assert re.search(r"\d+ runs started (at|from) \d{4}-\d\d-\d\d \d\d:\d\d WIB", html), "the time window"
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


# The charts themselves, read from their SVG as a browser draws it --------------------------
SVG = "{http://www.w3.org/2000/svg}"
STATUSES = {  # what the scheduler and the crawls record, by the word a reader sees in the legend
    "ok": "ok",
    "failed (exit 1)": "failed",
    "failed to start: [Errno 2] No such file or directory": "failed",
    "killed by signal 9": "killed",
    "timeout after 1500s": "timeout",
    "stopped (shutdown)": "stopped",
    "running": "running",
    "skipped: job medcom-latest is already running (pid 42)": "other",
}


def run(job: str, started: str, status: str = "ok", dropped: dict | None = None, fill: dict | None = None) -> Run:
    ended = None if status == "running" else (datetime.fromisoformat(started) + timedelta(seconds=75)).isoformat()
    return Run(
        f"{job}-{started}",
        job,
        "crawl",
        "medcom",
        started,
        ended,
        status,
        0,
        None,
        30,
        20,
        dropped or {},
        fill or {},
        [],
        "",
    )


def chart(html: str, chart_id: str) -> ET.Element:
    return ET.fromstring(re.search(rf'<figure id="{chart_id}">(<svg.*?</svg>)\s*</figure>', html, re.S).group(1))


def fill_colour(element: ET.Element) -> str | None:
    found = re.search(r"fill: (#[0-9a-f]{6})", element.get("style", ""))
    return found and found.group(1)


def legend(svg: ET.Element) -> dict[str, str]:
    """Legend label -> colour of its patch (a patch comes right before its label)."""
    entries, colour = {}, None
    for group in (g for g in svg.iter(f"{SVG}g") if g.get("id", "").startswith("legend")):
        for child in group:
            if child.get("id", "").startswith("patch"):
                colour = fill_colour(child.find(f"{SVG}path"))
            elif child.get("id", "").startswith("text") and colour:
                entries[child.find(f"{SVG}text").text] = colour
                colour = None
    return entries


def bar_colours(svg: ET.Element) -> set[str]:
    in_legend = {id(p) for g in svg.iter(f"{SVG}g") if g.get("id", "").startswith("legend") for p in g.iter()}
    return {
        fill_colour(path)
        for group in svg.iter(f"{SVG}g")
        if group.get("id", "").startswith("patch") and id(group) not in in_legend
        for path in group.iter(f"{SVG}path")
    } - {None, "#ffffff"}


def tick_labels(svg: ET.Element) -> list[str]:
    return [
        text.text
        for group in svg.iter(f"{SVG}g")
        if re.fullmatch(r"[xy]tick_\d+", group.get("id", ""))
        for text in group.iter(f"{SVG}text")
    ]


def outside_the_axes(svg: ET.Element) -> bool:
    """Every legend label lies outside the plotting area of every axes (their clip rectangles)."""
    boxes = [[float(r.get(k)) for k in ("x", "y", "width", "height")] for r in svg.iter(f"{SVG}rect")]
    labels = [t for g in svg.iter(f"{SVG}g") if g.get("id", "").startswith("legend") for t in g.iter(f"{SVG}text")]
    assert boxes and labels
    return all(
        not (x <= float(t.get("x")) <= x + w and y <= float(t.get("y")) <= y + h)
        for t in labels
        for x, y, w, h in boxes
    )


def test_every_status_colour_has_its_legend_entry():
    from warta.report import durations

    runs = [run("medcom-latest", f"2026-12-07T0{i}:30:00+00:00", status) for i, status in enumerate(STATUSES)]
    svg = chart(durations(runs), "durations")
    entries = legend(svg)
    assert {label.split()[0].rstrip(":") for label in entries} == set(STATUSES.values())
    assert len(set(entries.values())) == len(entries), "one colour per outcome"
    assert bar_colours(svg) <= set(entries.values()), "every bar's colour is in the legend"
    assert outside_the_axes(svg), "the legend is not drawn over the bars"


def test_every_run_is_labelled_with_its_job_and_a_dated_wib_time():
    from warta.report import drops_per_run, durations, fill_rates

    runs = [
        run("medcom-latest", "2026-12-07T23:30:00+00:00", dropped={"unchanged": 3}, fill={"title": 1.0}),
        run("medcom-backfill", "2026-12-07T23:30:00+00:00", dropped={"no_date": 1}, fill={"title": 0.5}),
        run("medcom-latest", "2026-12-07T23:45:10+00:00", dropped={"unchanged": 1}, fill={"title": 1.0}),
        run("medcom-latest", "2026-12-07T23:45:40+00:00", dropped={"unchanged": 2}, fill={"title": 0.9}),
    ]
    for chart_id, html in (
        ("durations", durations(runs)),
        ("drops", drops_per_run(runs)),
        ("fill-rates", fill_rates(runs)),
    ):
        labels = [label for label in tick_labels(chart(html, chart_id)) if ":" in label]
        assert len(labels) == len(runs) and len(set(labels)) == len(runs), (chart_id, labels)
        for label in labels:
            assert re.search(r"medcom-(latest|backfill)\b.*\b2026-12-08 06:\d\d(:\d\d)? WIB", label), (chart_id, label)
        assert "medcom-latest  2026-12-08 06:45:40 WIB" in labels, "two runs of a job in one minute show seconds"


def test_count_axes_have_whole_number_ticks():
    import pandas as pd

    from warta.report import articles_per_channel, articles_per_day, drops_per_run

    runs = [run("medcom-latest", f"2026-12-07T0{i}:00:00+00:00", dropped={"no_body": i % 3}) for i in range(4)]
    df = pd.DataFrame(
        {"date": ["2026-11-20", "2026-11-21", "2026-11-21"], "site": "medcom", "channel": ["a", "b", "b"]}
    )
    for chart_id, html in (
        ("drops", drops_per_run(runs)),
        ("articles-per-day", articles_per_day(df)),
        ("articles-per-channel", articles_per_channel(df)),
    ):
        numbers = [label for label in tick_labels(chart(html, chart_id)) if re.fullmatch(r"[−\d.]+", label)]
        assert len(numbers) >= 2 and all(re.fullmatch(r"\d+", n) for n in numbers), (chart_id, numbers)


def test_a_reason_has_the_same_colour_in_every_report():
    from warta.report import drops_per_run

    first = [
        run("medcom-latest", "2026-12-07T01:00:00+00:00", dropped={"no_body": 2, "unchanged": 5, "zz_new": 1}),
        run("medcom-latest", "2026-12-07T02:00:00+00:00", dropped={"no_body": 1}),
    ]
    second = [run("medcom-backfill", "2026-12-01T01:00:00+00:00", dropped={"aa_other": 9, "no_body": 7, "zz_new": 3})]
    one, two = legend(chart(drops_per_run(first), "drops")), legend(chart(drops_per_run(second), "drops"))
    assert set(one) == {"no_body", "unchanged", "zz_new"} and set(two) == {"aa_other", "no_body", "zz_new"}
    assert one["no_body"] == two["no_body"] and one["zz_new"] == two["zz_new"], (one, two)
    assert len(set(one.values())) == 3 and len(set(two.values())) == 3
    assert outside_the_axes(chart(drops_per_run(first), "drops"))

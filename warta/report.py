"""`warta report`: one self-contained HTML file an operator would rather look at than the logs.

Problems first (`pipeline.monitor.health`: failed, stopped and zero-article runs, unreachable sites,
days without articles, fill-rate and extraction-path alarms), then the last run of each job,
then charts drawn with matplotlib as inline SVG (no network, no JavaScript;
`warta.report_charts`): articles per day per site with empty days shown as zero, articles per
channel, field fill rates per crawl, drops by reason per crawl, run durations and outcomes.
Each chart carries its numbers in a table below it.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from pipeline.monitor.health import WIB, current_problems, wib
from pipeline.monitor.runs import History, Run
from pipeline.store.datadir import DataDir
from warta.chart_style import STATUS_COLOURS, status_word, time_window
from warta.report_charts import articles_per_channel, articles_per_day, drops_per_run, duration, durations, fill_rates

RUNS_SHOWN = 60
STYLE = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}
h2{margin-top:2em;border-bottom:1px solid #ddd}table{border-collapse:collapse;font-size:13px}
td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left}.problems li{color:#b00}
figure{margin:0}figure svg{max-width:100%;height:auto}.caption{color:#555;font-size:14px;margin:.3em 0}
details{font-size:13px;margin:.5em 0 1.5em}""" + "".join(
    f".{word}{{color:{colour}}}" for word, colour in STATUS_COLOURS.items()
)


def last_runs(runs: list[Run]) -> str:
    latest: dict[str, Run] = {}
    for run in runs:  # oldest first: the newest one seen wins
        latest[run.job] = run
    if not latest:
        return "<h2>Last run of each job</h2><p>No run has been recorded yet.</p>"
    rows = "".join(
        f'<tr><td>{escape(r.job)}</td><td class="{status_word(r.status)}">{escape(r.status)}</td>'
        f"<td>{escape(wib(r.started))}</td><td>{'' if r.pages is None else r.pages}</td>"
        f"<td>{'' if r.articles is None else r.articles}</td>"
        f"<td>{'' if duration(r) is None else f'{duration(r):.1f}'}</td></tr>"
        for r in sorted(latest.values(), key=lambda r: r.job)
    )
    return (
        '<h2>Last run of each job</h2><table id="last-runs"><tr><th>job</th><th>outcome</th><th>started</th>'
        f"<th>pages</th><th>articles</th><th>seconds</th></tr>{rows}</table>"
    )


def write_report(data_dir: str, output: str | None = None) -> tuple[Path, list[str]]:
    """Write the report; returns where, and the problems it lists."""
    from pipeline.snapshots.read import read_articles

    try:
        df = read_articles(data_dir, columns=["date", "channel", "site"])
    except FileNotFoundError:
        df = []
    history = History(data_dir)
    try:
        runs = list(reversed(history.recent(RUNS_SHOWN)))  # oldest first
    finally:
        history.close()
    problems = current_problems(data_dir)
    alerts = "".join(f"<li>{escape(p)}</li>" for p in problems)
    shown = time_window(runs) if runs else "no run recorded yet"
    if len(runs) == RUNS_SHOWN:  # older runs are in the history, not in the report
        shown = f"the last {shown}"
    if problems:
        health = f'<ul class="problems" id="problems">{alerts}</ul>'
    elif runs:
        these = "this run" if len(runs) == 1 else f"these {len(runs)} runs"
        health = f'<p id="problems">No problems: {these} and the published days look healthy.</p>'
    else:
        health = '<p id="problems">No problems found: no run has been recorded yet.</p>'
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>warta report</title>
<style>{STYLE}</style></head><body>
<h1>warta report</h1><p>{len(df):,} articles in {escape(DataDir(data_dir).name)};
{escape(shown)}; generated {wib(datetime.now(WIB))}.</p>
<h2>Problems ({len(problems)})</h2>{health}
{last_runs(runs)}
{articles_per_day(df)}
{articles_per_channel(df)}
{fill_rates(runs)}
{drops_per_run(runs)}
{durations(runs)}
</body></html>"""
    path = Path(output) if output else DataDir(data_dir).report
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path, problems

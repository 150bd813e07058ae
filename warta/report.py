"""`warta report`: one self-contained HTML file an operator would rather look at than the logs.

Problems first (`pipeline.monitor.health`: failed, stopped and zero-article runs, unreachable sites,
days without articles, fill-rate and extraction-path alarms), then the last run of each job,
then charts drawn with matplotlib as inline SVG (no network, no JavaScript): articles per day
per site with empty days shown as zero, articles per channel, field fill rates over runs,
drops by reason per run, run durations and outcomes. Each chart carries its numbers in a
table below it.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

from extract.article import HEALTH_FIELDS
from pipeline.store.datadir import DataDir
from pipeline.monitor.health import WIB, current_problems, wib
from pipeline.monitor.runs import History, Run

STATUS_COLOURS = {
    "ok": "#2ca02c",
    "failed": "#d62728",
    "timeout": "#9467bd",
    "stopped": "#ff7f0e",
    "running": "#7f7f7f",
}
STYLE = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}
h2{margin-top:2em;border-bottom:1px solid #ddd}table{border-collapse:collapse;font-size:13px}
td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left}.problems li{color:#b00}
.ok{color:#2ca02c}.failed,.timeout{color:#d62728}.stopped{color:#ff7f0e}figure{margin:0}
details{font-size:13px;margin:.5em 0 1.5em}"""


def _svg(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _figure(chart_id: str, title: str, svg: str, headers: list[str], rows: list[list]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return (
        f'<h2>{escape(title)}</h2><figure id="{chart_id}">{svg}</figure>'
        f'<details><summary>the numbers</summary><table data-chart="{chart_id}"><tr>{head}</tr>{body}'
        f"</table></details>"
    )


def _empty(title: str, why: str) -> str:
    return f"<h2>{escape(title)}</h2><p>{escape(why)}</p>"


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
    )
    import matplotlib.pyplot as plt

    return plt


def articles_per_day(df) -> str:
    title = "Articles per day (WIB publication day)"
    if not len(df):
        return _empty(title, "No snapshot yet: run `warta snapshot` after a crawl.")
    plt = _plt()
    counts = df.groupby(["date", "site"], observed=True).size().unstack(fill_value=0)
    counts.index = [datetime.strptime(str(d), "%Y-%m-%d").date() for d in counts.index]
    first, last = min(counts.index), max(counts.index)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    counts = counts.reindex(days, fill_value=0)  # a day without articles is a visible zero, not a gap
    fig, ax = plt.subplots(figsize=(10, 3.2))
    bottom = [0] * len(days)
    for site in counts.columns:
        values = counts[site].tolist()
        ax.bar(days, values, bottom=bottom, label=str(site), width=0.9)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for day, total in zip(days, bottom, strict=True):
        if total == 0:
            ax.annotate("0", (day, 0), ha="center", va="bottom", color="#d62728", fontsize=8)
    import matplotlib.dates as mdates

    ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, len(days) // 15)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.set_ylabel("articles")
    ax.legend(loc="upper left", frameon=False)
    fig.autofmt_xdate()
    rows = [[d.isoformat(), *[int(counts.loc[d, s]) for s in counts.columns]] for d in days]
    return _figure("articles-per-day", title, _svg(fig), ["day", *map(str, counts.columns)], rows)


def articles_per_channel(df) -> str:
    title = "Articles per site and channel"
    if not len(df):
        return _empty(title, "No snapshot yet.")
    plt = _plt()
    counts = df.groupby(["site", "channel"], observed=True).size().sort_values(ascending=True).tail(20)
    labels = [f"{site} / {channel}" for site, channel in counts.index]
    fig, ax = plt.subplots(figsize=(10, 0.3 * len(labels) + 0.8))
    bars = ax.barh(labels, counts.tolist(), color="#1f77b4")
    ax.bar_label(bars, padding=2, fontsize=8)
    ax.set_xlabel("articles")
    rows = [[label, int(n)] for label, n in zip(reversed(labels), reversed(counts.tolist()), strict=True)]
    return _figure("articles-per-channel", title, _svg(fig), ["site / channel", "articles"], rows)


def fill_rates(runs: list[Run]) -> str:
    title = "Field fill rates per crawl"
    crawls = [r for r in runs if r.fill]
    if not crawls:
        return _empty(title, "No finished crawl has been recorded yet.")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(10, 3.2))
    x = list(range(len(crawls)))
    names = [n for n in (*HEALTH_FIELDS, "profile_path") if any(n in r.fill for r in crawls)]
    for name in names:
        ax.plot(x, [r.fill.get(name, 0.0) for r in crawls], marker="o", label=name)  # one run is still a dot
    ax.set_ylim(-0.05, 1.05)
    ax.set_ylabel("share of articles")
    ax.set_xticks(x, [wib(r.started)[5:16] for r in crawls], rotation=45, ha="right")
    ax.legend(loc="lower left", ncol=5, frameon=False, fontsize=8)
    rows = [[wib(r.started), r.job, *[f"{r.fill.get(n, 0.0):.2f}" for n in names]] for r in crawls]
    return _figure("fill-rates", title, _svg(fig), ["run", "job", *names], rows)


def drops_per_run(runs: list[Run]) -> str:
    title = "Dropped pages and articles per run, by reason"
    crawls = [r for r in runs if r.kind in ("crawl", "backfill") and r.status != "running"]
    reasons = sorted({k for r in crawls for k in r.dropped})
    if not crawls:
        return _empty(title, "No crawl has been recorded yet.")
    if not reasons:
        return _empty(title, f"Nothing was dropped in the last {len(crawls)} crawls.")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(10, 3.2))
    x = list(range(len(crawls)))
    bottom = [0] * len(crawls)
    for reason in reasons:
        values = [r.dropped.get(reason, 0) for r in crawls]
        ax.bar(x, values, bottom=bottom, label=reason)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_xticks(x, [wib(r.started)[5:16] for r in crawls], rotation=45, ha="right")
    ax.set_ylabel("dropped")
    ax.legend(loc="upper left", ncol=4, frameon=False, fontsize=8)
    rows = [[wib(r.started), r.job, *[r.dropped.get(k, 0) for k in reasons]] for r in crawls]
    return _figure("drops", title, _svg(fig), ["run", "job", *reasons], rows)


def _duration(run: Run) -> float | None:
    if not run.ended:
        return None
    return (datetime.fromisoformat(run.ended) - datetime.fromisoformat(run.started)).total_seconds()


def durations(runs: list[Run]) -> str:
    title = "Run durations and outcomes"
    if not runs:
        return _empty(title, "No run has been recorded yet.")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(10, 3.2))
    x = list(range(len(runs)))
    seconds = [_duration(r) or 0.0 for r in runs]
    from matplotlib.patches import Patch

    ax.bar(x, seconds, color=[STATUS_COLOURS.get(r.status, "#7f7f7f") for r in runs])
    legend = [
        Patch(color=colour, label=status)
        for status, colour in STATUS_COLOURS.items()
        if any(r.status == status for r in runs)
    ]
    ax.set_xticks(x, [wib(r.started)[5:16] for r in runs], rotation=45, ha="right")
    ax.set_ylabel("seconds")
    ax.legend(handles=legend, loc="upper left", ncol=5, frameon=False)
    rows = [[wib(r.started), r.job, r.status, f"{s:.1f}"] for r, s in zip(runs, seconds, strict=True)]
    return _figure("durations", title, _svg(fig), ["run", "job", "outcome", "seconds"], rows)


def last_runs(runs: list[Run]) -> str:
    latest: dict[str, Run] = {}
    for run in runs:  # oldest first: the newest one seen wins
        latest[run.job] = run
    if not latest:
        return "<h2>Last run of each job</h2><p>No run has been recorded yet.</p>"
    rows = "".join(
        f'<tr><td>{escape(r.job)}</td><td class="{escape(r.status)}">{escape(r.status)}</td>'
        f"<td>{escape(wib(r.started))}</td><td>{'' if r.pages is None else r.pages}</td>"
        f"<td>{'' if r.articles is None else r.articles}</td>"
        f"<td>{'' if _duration(r) is None else f'{_duration(r):.1f}'}</td></tr>"
        for r in sorted(latest.values(), key=lambda r: r.job)
    )
    return (
        '<h2>Last run of each job</h2><table id="last-runs"><tr><th>job</th><th>outcome</th><th>started</th>'
        f"<th>pages</th><th>articles</th><th>seconds</th></tr>{rows}</table>"
    )


def write_report(data_dir: str, output: str | None = None) -> Path:
    from pipeline.snapshots.read import read_articles

    try:
        df = read_articles(data_dir, columns=["date", "channel", "site"])
    except FileNotFoundError:
        df = []
    history = History(data_dir)
    try:
        runs = list(reversed(history.recent(60)))  # oldest first, as charts read
    finally:
        history.close()
    problems = current_problems(data_dir)
    alerts = "".join(f"<li>{escape(p)}</li>" for p in problems)
    health = (
        f'<ul class="problems" id="problems">{alerts}</ul>'
        if problems
        else f'<p id="problems">No problems: the last {len(runs)} runs and the published days look healthy.</p>'
    )
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>warta report</title>
<style>{STYLE}</style></head><body>
<h1>warta report</h1><p>{len(df):,} articles in {escape(DataDir(data_dir).name)};
{len(runs)} recent runs; generated {wib(datetime.now(WIB))}.</p>
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
    return path

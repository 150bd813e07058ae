"""The charts of `warta report`, drawn with matplotlib as inline SVG, each followed by its numbers
in a table. Charts of runs have one row per run, newest at the top, labelled with the job and the
start time (WIB, with the year); colours come from `warta.chart_style`, fixed across reports."""

from __future__ import annotations

import io
import math
from datetime import date, datetime, timedelta
from html import escape

from extract.article import HEALTH_FIELDS
from pipeline.monitor.health import wib
from pipeline.monitor.runs import PROFILE_SHARE, Run
from warta.chart_style import (
    STATUS_COLOURS,
    count_axis,
    duration_text,
    pyplot,
    reason_colour,
    run_labels,
    stable_colour,
    status_word,
    time_window,
)

ROW_INCHES = 0.24  # one run's row: room for an 8-point label
FIELD_LABELS = {PROFILE_SHARE: "parsed by profile"}


def _svg(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def figure_html(chart_id: str, title: str, caption: str, svg: str, headers: list[str], rows: list[list]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return (
        f'<h2>{escape(title)}</h2><p class="caption">{escape(caption)}</p><figure id="{chart_id}">{svg}</figure>'
        f'<details><summary>the numbers</summary><table data-chart="{chart_id}"><tr>{head}</tr>{body}'
        f"</table></details>"
    )


def empty_html(title: str, why: str) -> str:
    return f"<h2>{escape(title)}</h2><p>{escape(why)}</p>"


def _run_figure(plt, runs: list[Run], width: float = 10):
    """A figure with one row per run (newest first in `runs`), at the top the first."""
    fig, ax = plt.subplots(figsize=(width, ROW_INCHES * len(runs) + 1.3), layout="constrained")
    ax.set_yticks(range(len(runs)), run_labels(runs), fontsize=8)
    ax.set_ylim(len(runs) - 0.5, -0.5)
    return fig, ax


def articles_per_day(df) -> str:
    title = "Articles per day (WIB publication day)"
    if not len(df):
        return empty_html(title, "No snapshot yet: run `warta snapshot` after a crawl.")
    plt = pyplot()
    import matplotlib.dates as mdates

    counts = df.groupby(["date", "site"], observed=True).size().unstack(fill_value=0)
    # read_articles gives the days as timestamps at midnight; a plain frame may hold ISO strings
    counts.index = [d.date() if isinstance(d, datetime) else date.fromisoformat(str(d)) for d in counts.index]
    first, last = min(counts.index), max(counts.index)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    counts = counts.reindex(days, fill_value=0)  # a day without articles is a visible zero, not a gap
    fig, ax = plt.subplots(figsize=(10, 3.4), layout="constrained")
    bottom = [0] * len(days)
    for site in counts.columns:
        values = counts[site].tolist()
        ax.bar(days, values, bottom=bottom, label=str(site), width=0.9, color=stable_colour(str(site)))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for day, total in zip(days, bottom, strict=True):
        ax.annotate(
            str(total), (day, total), ha="center", va="bottom", fontsize=8, color="#d62728" if total == 0 else "#333"
        )
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, len(days) // 15)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.tick_params(axis="x", labelrotation=30)
    count_axis(ax.yaxis, "articles")
    ax.set_ylim(0, max(1, max(bottom)) * 1.12)
    fig.legend(loc="outside upper left", ncol=8, frameon=False, title="site", alignment="left")
    rows = [[d.isoformat(), *[int(counts.loc[d, s]) for s in counts.columns]] for d in days]
    caption = f"{first:%Y-%m-%d} to {last:%Y-%m-%d}, {len(days)} days; an empty day is drawn as a red 0."
    return figure_html("articles-per-day", title, caption, _svg(fig), ["day", *map(str, counts.columns)], rows)


def articles_per_channel(df) -> str:
    title = "Articles per site and channel"
    if not len(df):
        return empty_html(title, "No snapshot yet.")
    plt = pyplot()
    counts = df.groupby(["site", "channel"], observed=True).size().sort_values(ascending=True).tail(20)
    labels = [f"{site} / {channel}" for site, channel in counts.index]
    fig, ax = plt.subplots(figsize=(10, 0.3 * len(labels) + 0.8), layout="constrained")
    bars = ax.barh(labels, counts.tolist(), color="#1f77b4")
    ax.bar_label(bars, padding=2, fontsize=8)
    count_axis(ax.xaxis, "articles")
    rows = [[label, int(n)] for label, n in zip(reversed(labels), reversed(counts.tolist()), strict=True)]
    caption = "Every article in the snapshots; the 20 largest channels."
    return figure_html("articles-per-channel", title, caption, _svg(fig), ["site / channel", "articles"], rows)


def fill_rates(runs: list[Run]) -> str:
    """A heatmap, crawl by field: nine lines at 1.0 would hide each other, a cell per value does not."""
    title = "Field fill rates per crawl"
    crawls = [r for r in reversed(runs) if r.fill]
    if not crawls:
        return empty_html(title, "No finished crawl has been recorded yet.")
    plt = pyplot()
    names = [n for n in (*HEALTH_FIELDS, PROFILE_SHARE) if any(n in r.fill for r in crawls)]
    values = [[r.fill.get(n, math.nan) for n in names] for r in crawls]
    width = min(9.0, 3.4 + 0.62 * len(names))
    fig, ax = _run_figure(plt, crawls, width=width)
    from matplotlib.colors import LinearSegmentedColormap

    # White at 1.0: a full field is no news, and the eye goes to the cells that are not white.
    cmap = LinearSegmentedColormap.from_list("fill", ["#67000d", "#ef3b2c", "#fcbba1", "#ffffff"])
    cmap = cmap.with_extremes(bad="#eeeeee")
    image = ax.imshow(values, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest")
    for row, rates in enumerate(values):
        for column, rate in enumerate(rates):
            text = "–" if math.isnan(rate) else f"{rate:.2f}"
            colour = "#999" if rate >= 1.0 or math.isnan(rate) else "white" if rate < 0.45 else "#222"
            ax.text(column, row, text, ha="center", va="center", fontsize=7.5, color=colour)
    ax.set_xticks(range(len(names)), [FIELD_LABELS.get(n, n) for n in names], fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(
        image, ax=ax, location="bottom", shrink=min(1.0, 3.0 / max(1.0, width - 2.8)), aspect=25, pad=0.01
    )
    bar.set_label("share of the crawl's articles that had the field (0 to 1)")
    rows = [[wib(r.started), r.job, *[f"{r.fill[n]:.2f}" if n in r.fill else "" for n in names]] for r in crawls]
    caption = (
        f"{time_window(crawls, 'crawl')}; newest at the top. 1.00: every article had the field; the redder the cell, "
        "the more articles lacked it. 'parsed by profile': the share of articles whose body the site's "
        "own profile found (it falls first when a site changes its layout)."
    )
    if any(math.isnan(rate) for rates in values for rate in rates):
        caption += " –: not recorded for that crawl."
    headers = ["run", "job", *[FIELD_LABELS.get(n, n) for n in names]]
    return figure_html("fill-rates", title, caption, _svg(fig), headers, rows)


def drops_per_run(runs: list[Run]) -> str:
    title = "Dropped pages and articles per crawl, by reason"
    crawls = [r for r in reversed(runs) if r.kind in ("crawl", "backfill") and status_word(r.status) != "running"]
    if not crawls:
        return empty_html(title, "No crawl has been recorded yet.")
    totals: dict[str, int] = {}
    for run in crawls:
        for reason, count in run.dropped.items():
            totals[reason] = totals.get(reason, 0) + count
    if not totals:
        return empty_html(title, f"Nothing was dropped in the last {time_window(crawls, 'crawl')}.")
    reasons = sorted(totals, key=lambda k: (-totals[k], k))  # the largest first: the base of each bar
    plt = pyplot()
    fig, ax = _run_figure(plt, crawls)
    left = [0] * len(crawls)
    for reason in reasons:
        counts = [r.dropped.get(reason, 0) for r in crawls]
        ax.barh(range(len(crawls)), counts, left=left, height=0.7, color=reason_colour(reason), label=reason)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    for row, (run, total) in enumerate(zip(crawls, left, strict=True)):
        # A run that left no summary (killed, timed out, never started) dropped an unknown number.
        text, colour = (str(total), "#333") if run.pages is not None or total else ("no summary recorded", "#999")
        ax.annotate(
            text, (total, row), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7.5, color=colour
        )
    count_axis(ax.xaxis, "pages and articles dropped")
    ax.set_xlim(0, max(1, max(left)) * 1.08)
    ax.xaxis.set_tick_params(labeltop=True)
    fig.legend(loc="outside upper left", ncol=4, frameon=False, fontsize=8)
    rows = [[wib(r.started), r.job, *[r.dropped.get(k, 0) for k in reasons]] for r in crawls]
    caption = f"{time_window(crawls, 'crawl')}; newest at the top. Each reason has the same colour in every report."
    return figure_html("drops", title, caption, _svg(fig), ["run", "job", *reasons], rows)


def duration(run: Run) -> float | None:
    if not run.ended:
        return None
    return (datetime.fromisoformat(run.ended) - datetime.fromisoformat(run.started)).total_seconds()


def _status_legend(words: list[str], statuses: list[str]):
    from matplotlib.patches import Patch

    handles = []
    for word, colour in STATUS_COLOURS.items():
        count = words.count(word)
        if not count:
            continue
        label = word
        if word == "other":
            kinds = sorted({s.split(":")[0].split(" (")[0] for s, w in zip(statuses, words, strict=True) if w == word})
            label = f"other: {', '.join(kinds)}"
        handles.append(Patch(color=colour, label=f"{label} ({count})"))
    return handles


def durations(runs: list[Run]) -> str:
    title = "Run durations and outcomes"
    if not runs:
        return empty_html(title, "No run has been recorded yet.")
    plt = pyplot()
    shown = list(reversed(runs))
    words = [status_word(r.status) for r in shown]
    seconds = [duration(r) for r in shown]
    longest = max((s for s in seconds if s), default=0.0)
    unit, scale = ("minutes", 60) if longest >= 180 else ("seconds", 1)
    fig, ax = _run_figure(plt, shown)
    colours = [STATUS_COLOURS[w] for w in words]
    ax.barh(range(len(shown)), [(s or 0) / scale for s in seconds], height=0.7, color=colours)
    for row, (run, took, word) in enumerate(zip(shown, seconds, words, strict=True)):
        if took is None:
            text = f"{run.status[:60]} · no end recorded"
        else:
            text = duration_text(took) + ("" if word == "ok" else f" · {run.status[:60]}")
        if not took:  # no bar to carry the colour
            ax.plot(0, row, marker="s", markersize=5, color=STATUS_COLOURS[word], clip_on=False)
        ax.annotate(
            text,
            ((took or 0) / scale, row),
            xytext=(5, 0),
            textcoords="offset points",
            va="center",
            fontsize=7.5,
            color="#333" if word == "ok" else STATUS_COLOURS[word],
        )
    ax.set_xlim(0, max(longest / scale, 1) * 1.5)  # room for the text after the longest bar
    ax.set_xlabel(unit)
    ax.xaxis.set_tick_params(labeltop=True)
    fig.legend(
        handles=_status_legend(words, [r.status for r in shown]),
        loc="outside upper left",
        ncol=7,
        frameon=False,
        title="outcome (runs)",
        alignment="left",
    )
    rows = [
        [wib(r.started), r.job, r.status, "" if s is None else f"{s:.1f}"] for r, s in zip(shown, seconds, strict=True)
    ]
    caption = f"{time_window(shown)}; newest at the top."
    return figure_html("durations", title, caption, _svg(fig), ["run", "job", "outcome", "seconds"], rows)

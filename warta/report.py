"""`warta report`: one self-contained HTML page (inline SVG, no plotting dependency) with
articles per day, articles per channel, and the fill-rate history of recent crawls."""
from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from pathlib import Path

from crawler.extract.article import HEALTH_FIELDS
from pipeline.datadir import DataDir
from pipeline.read import read_articles
from schedules.history import History
from warta.output import wib

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def bar_chart(title: str, counts: list[tuple[str, int]], width: int = 900, height: int = 240) -> str:
    if not counts:
        return f"<h2>{escape(title)}</h2><p>No data yet.</p>"
    top = max(v for _, v in counts) or 1
    step = width / len(counts)
    bars = []
    for i, (label, value) in enumerate(counts):
        h = (height - 40) * value / top
        x = i * step
        bars.append(f'<rect x="{x + 1:.1f}" y="{height - 20 - h:.1f}" width="{max(1.0, step - 2):.1f}" height="{h:.1f}" '
                    f'fill="#1f77b4"><title>{escape(label)}: {value}</title></rect>')
        if len(counts) <= 40 or i % max(1, len(counts) // 20) == 0:
            bars.append(f'<text x="{x + step / 2:.1f}" y="{height - 5}" font-size="9" text-anchor="middle">'
                        f"{escape(label[-5:] if len(counts) > 12 else label)}</text>")
    return (f"<h2>{escape(title)}</h2><svg width='{width}' height='{height}' role='img'>"
            f"<text x='0' y='12' font-size='11'>max {top}</text>{''.join(bars)}</svg>")


def line_chart(title: str, series: dict[str, list[float]], width: int = 900, height: int = 220) -> str:
    points = max((len(v) for v in series.values()), default=0)
    if points < 1:
        return f"<h2>{escape(title)}</h2><p>No crawl has been recorded yet.</p>"
    step = width / max(1, points - 1)
    lines, legend = [], []
    for n, (name, values) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        path = " ".join(f"{i * step:.1f},{(height - 20) * (1 - v) + 10:.1f}" for i, v in enumerate(values))
        lines.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        legend.append(f'<span style="color:{colour}">&#9632; {escape(name)} ({values[-1]:.2f})</span>')
    return (f"<h2>{escape(title)}</h2><p>{' '.join(legend)}</p>"
            f"<svg width='{width}' height='{height}' role='img'>{''.join(lines)}</svg>")


def write_report(data_dir: str, output: str | None = None) -> Path:
    df = read_articles(data_dir, columns=["date", "channel", "site"])
    per_day = sorted(df.groupby("date", observed=True).size().items()) if len(df) else []
    per_channel = sorted(df.groupby("channel").size().items(), key=lambda kv: -kv[1]) if len(df) else []
    history = History(data_dir)
    runs = [r for r in reversed(history.recent(200)) if r.kind in ("crawl", "backfill") and r.fill]
    problems = [r for r in history.recent(50) if r.problems]
    history.close()
    series = {name: [r.fill.get(name, 0.0) for r in runs] for name in HEALTH_FIELDS}
    alerts = "".join(f"<li>{escape(wib(r.started))} {escape(r.job)}: {escape('; '.join(r.problems))}</li>" for r in problems)
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>warta report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:960px}} svg{{background:#fafafa}}</style></head><body>
<h1>warta report</h1><p>{len(df):,} articles in {escape(DataDir(data_dir).name)}, generated
{wib(datetime.now(timezone.utc))}.</p>
<h2>Health</h2>{f"<ul>{alerts}</ul>" if alerts else "<p>No problems in the last 50 runs.</p>"}
{bar_chart("Articles per day (WIB)", [(str(k), int(v)) for k, v in per_day])}
{bar_chart("Articles per channel", [(str(k), int(v)) for k, v in per_channel])}
{line_chart(f"Field fill rates over the last {len(runs)} crawls", series)}
</body></html>"""
    path = Path(output) if output else DataDir(data_dir).report
    path.write_text(html, encoding="utf-8")
    return path

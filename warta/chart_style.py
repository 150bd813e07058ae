"""The fixed look of the report's charts, so that two reports read the same way: one colour per
run status and per drop reason whatever the data, run labels that name the job and the time
(WIB, with the year), whole-number ticks on every count axis."""

from __future__ import annotations

import colorsys
import hashlib
import re
from collections import Counter
from datetime import datetime

from pipeline.monitor.health import WIB

# By the leading word of a run's status ("failed (exit 1)", "killed by signal 9", "timeout after
# 1500s", "stopped (shutdown)", "skipped: ..."): the detail after it varies from run to run.
STATUS_COLOURS = {
    "ok": "#2ca02c",
    "failed": "#d62728",
    "timeout": "#9467bd",
    "killed": "#8c564b",
    "stopped": "#ff7f0e",
    "running": "#1f77b4",
    "other": "#7f7f7f",
}

# Drop reasons (`warta/dropped/<reason>`): what the crawl expects to drop in pale colours, what
# points at a broken parser or site in strong ones. A reason not listed gets a colour from its
# name (stable_colour), the same in every report.
REASON_COLOURS = {
    "unchanged": "#c7c7c7",
    "duplicate_content": "#aec7e8",
    "duplicate_id": "#6b8fc2",
    "limit": "#dbdb8d",
    "out_of_range": "#bcbd22",
    "offsite": "#9edae5",
    "invalid_sitemap": "#17becf",
    "no_body": "#d62728",
    "no_title": "#ff9896",
    "no_date": "#ff7f0e",
    "implausible_date": "#ffbb78",
    "not_article_url": "#c5b0d5",
    "empty_page": "#8c564b",
    "not_html": "#c49c94",
    "parse_error": "#e377c2",
    "article_http_404": "#8c6d31",
    "article_timeout": "#843c39",
    "article_too_large": "#7b4173",
    "discovery_connection_refused": "#9467bd",
    "discovery_dns": "#393b79",
    "discovery_timeout": "#637939",
}


def stable_colour(name: str) -> str:
    """A colour derived from `name` alone (not Python's per-process hash): the same in every report."""
    digest = int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=4).digest(), "big")
    hue = (digest % 360) / 360
    lightness = (0.42, 0.55, 0.68)[(digest >> 9) % 3]
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, 0.55)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def reason_colour(reason: str) -> str:
    return REASON_COLOURS.get(reason) or stable_colour(reason)


def status_word(status: str) -> str:
    """The key of STATUS_COLOURS for a run's status: its leading word, or "other"."""
    match = re.match(r"[a-z]+", status.strip().lower())
    word = match.group(0) if match else ""
    return word if word in STATUS_COLOURS else "other"


def _wib(moment: str, seconds: bool) -> str:
    return f"{datetime.fromisoformat(moment).astimezone(WIB):%Y-%m-%d %H:%M{':%S' if seconds else ''}} WIB"


def run_labels(runs: list) -> list[str]:
    """One label per run, its job and start time (WIB, with the year), all different: runs of a
    job started within one minute show seconds, and any still alike are numbered."""
    by_minute = [f"{run.job}  {_wib(run.started, False)}" for run in runs]
    repeated = Counter(by_minute)
    labels = [
        f"{run.job}  {_wib(run.started, True)}" if repeated[label] > 1 else label
        for run, label in zip(runs, by_minute, strict=True)
    ]
    seen: Counter = Counter()
    total = Counter(labels)
    numbered = []
    for label in labels:
        seen[label] += 1
        numbered.append(f"{label} #{seen[label]}" if total[label] > 1 else label)
    return numbered


def time_window(runs: list, noun: str = "run") -> str:
    """How many runs, and the span of their start times (WIB, with the year), as a caption says it."""
    if not runs:
        return f"no {noun}s"
    starts = sorted(run.started for run in runs)
    first, last = _wib(starts[0], False), _wib(starts[-1], False)
    what = f"{len(runs)} {noun}{'s' if len(runs) != 1 else ''}"
    return f"{what} started at {first}" if first == last else f"{what} started from {first} to {last}"


def pyplot():
    """matplotlib's pyplot, headless, with text kept as text in the SVG."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
    )
    import matplotlib.pyplot as plt

    return plt


def count_axis(axis, label: str) -> None:
    """A count axis: whole numbers only, from zero (a count of 0.5 pages means nothing)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_label_text(label)


def duration_text(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"

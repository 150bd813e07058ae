"""Health: what a careful operator would want to hear about, per run and across runs.

Per run, each crawl's field fill rates (and the share of articles its site profile parsed)
are compared with the site's recent runs, so a layout change is flagged the same day, as is
a crawl that fetched pages but found no article at all.
"""

from __future__ import annotations

import logging
import statistics
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline.monitor.runs import (  # noqa: F401 (fill_rates: re-exported)
    MIN_ARTICLES,
    PROFILE_SHARE,
    History,
    articles_read,
    fill_rates,
    vendors,
)

logger = logging.getLogger(__name__)
WIB = ZoneInfo("Asia/Jakarta")

FILL_DROP = 0.3  # a fill rate this far under the recent median is a layout change


def health_problems(summary: dict, fill: dict, history: list[dict]) -> list[str]:
    """What a careful operator would want to hear about this crawl."""
    problems = []
    parsed = articles_read(summary)
    if summary.get("pages", 0) and parsed == 0:
        problems.append(
            f"zero articles: {summary.get('pages')} pages fetched but no article parsed "
            f"(dropped: {summary.get('dropped') or 'nothing'})"
        )
    # Challenge pages that kept out more than a few articles got through: the site is letting
    # warta in less and less (a run they kept out entirely failed: runs.challenged).
    if (blocked := summary.get("dropped", {}).get("blocked", 0)) and (parsed < MIN_ARTICLES or blocked >= parsed):
        problems.append(
            f"blocked: {blocked} requests answered with a challenge page ({vendors(summary)}), {parsed} articles read"
        )
    if summary.get("articles", 0) >= MIN_ARTICLES and history:
        for name, rate in fill.items():
            past = [h[name] for h in history if name in h]
            if past and rate < statistics.median(past) - FILL_DROP:
                what = (
                    "share of articles parsed by the site's profile (the layout may have changed)"
                    if name == PROFILE_SHARE
                    else f"fill rate of {name}"
                )
                problems.append(f"{what} fell to {rate:.2f} (recent median {statistics.median(past):.2f})")
    return problems


# Across runs ------------------------------------------------------------------------------
UNREACHABLE_RUNS = 3  # a site failing this many runs in a row is down for us, not flaky
QUIET_DAY_MIN = 5  # a day without articles is only strange where the site has this many a day


def run_problems(runs: list) -> list[str]:
    """Problems of the latest run of each job (newest first in `runs`): failed, timed out,
    stopped, zero articles, or flagged by its health check; and a site unreachable for
    UNREACHABLE_RUNS runs in a row."""
    problems, seen = [], set()
    for run in runs:
        if run.job in seen or run.status == "running":
            continue
        seen.add(run.job)
        if run.status != "ok":
            detail = "; ".join(run.problems)
            problems.append(
                f"{run.job}: last run {run.outcome} at {wib(run.started)}" + (f": {detail}" if detail else "")
            )
        elif run.problems:
            problems.append(f"{run.job}: {'; '.join(run.problems)} (run at {wib(run.started)})")
    by_site: dict[str, list] = {}
    for run in runs:
        if run.site and run.kind in ("crawl", "backfill") and run.status != "running":
            by_site.setdefault(run.site, []).append(run)
    for site, site_runs in sorted(by_site.items()):
        latest = site_runs[:UNREACHABLE_RUNS]
        if len(latest) == UNREACHABLE_RUNS and all(r.status == "failed" and not r.pages for r in latest):
            problems.append(
                f"{site}: unreachable for {UNREACHABLE_RUNS} consecutive runs (since {wib(latest[-1].started)})"
            )
    return problems


def quiet_days(counts: dict[tuple[str, str], int]) -> list[str]:
    """Days without a single article between a site's first and last published day, where the
    site usually publishes QUIET_DAY_MIN or more a day: an outage of the crawl, or of the site."""
    problems = []
    for site in sorted({s for s, _ in counts}):
        days = {date.fromisoformat(d): n for (s, d), n in counts.items() if s == site and n}
        if len(days) < 3:
            continue
        usual = statistics.median(days.values())
        if usual < QUIET_DAY_MIN:
            continue
        day, last, gap = min(days), max(days), []
        while day <= last:
            if day not in days:
                gap.append(day)
            elif gap:  # consecutive empty days are one outage
                when = f"on {gap[0]}" if len(gap) == 1 else f"from {gap[0]} to {gap[-1]} ({len(gap)} days)"
                problems.append(f"{site}: no articles published {when} (usually {usual:.0f} a day)")
                gap = []
            day += timedelta(days=1)
    return problems


def wib(moment: "datetime | str | None") -> str:
    """Every time an operator reads is WIB and says so (the history stores UTC)."""
    if moment is None:
        return "never"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return f"{moment.astimezone(WIB):%Y-%m-%d %H:%M:%S} WIB"


def current_problems(
    data_dir, runs_window: int = 200, days_window: int = 90, history: History | None = None
) -> list[str]:
    """Everything health has to say about a data dir now: the runs' problems, then days with
    no articles that the sites' history says should have had some. Reads only: the run
    history is `history`, or opened read-only here (an unreadable one is a logged warning)."""
    from pipeline.snapshots.read import read_articles

    if history is not None:
        problems = run_problems(history.recent(runs_window))
    else:
        history = History(data_dir, read_only=True)
        try:
            if history.warning:
                logger.warning("%s", history.warning)
            problems = run_problems(history.recent(runs_window))
        finally:
            history.close()
    try:
        since = (datetime.now(WIB).date() - timedelta(days=days_window)).isoformat()
        df = read_articles(data_dir, since=since, columns=["site", "date"])
    except (FileNotFoundError, ValueError):
        return problems
    groups = df.groupby(["site", "date"], observed=True).size().items()
    counts = {(str(s), f"{d:%Y-%m-%d}"): int(n) for (s, d), n in groups}  # `date` is datetime64
    return problems + quiet_days(counts)

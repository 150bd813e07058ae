"""`warta crawl`: one or more sites' crawl in this process, and how a finished crawl is judged:
its exit code and message."""

from __future__ import annotations

import sys

from warta.commands.preflight import preflight, usage_error
from warta.datadir_checks import require_data_dir
from warta.output import say


def crawl_targets(args) -> list[str]:
    """The sites a `warta crawl` names: SITE..., or --all; one line and exit 2 otherwise."""
    from extract.sites import load_sites

    sites = load_sites()
    if args.all == bool(args.sites_named):
        usage_error("crawl", "name the sites to crawl (warta sites list), or --all")
    if args.all:
        return sites.names()
    urls = [name for name in args.sites_named if "://" in name]
    if urls:
        usage_error(
            "crawl",
            f"{urls[0]} is a URL: crawling a site by its URL needs its definition "
            f"(warta sites probe {urls[0]} --write FILE, then warta crawl --sites DIR NAME)",
        )
    unknown = [name for name in args.sites_named if name not in sites]
    if unknown:
        usage_error("crawl", f"unknown site {unknown[0]!r} (known: {', '.join(sites.names())})")
    return list(dict.fromkeys(args.sites_named))


def cmd_crawl(args) -> int:
    from extract.sites import load_sites
    from pipeline.monitor.runs import challenged
    from warta.crawl_process import run_crawl

    if args.until and not args.since:
        raise SystemExit("warta crawl: error: --until needs --since")
    if args.since and args.until and args.since > args.until:
        raise SystemExit(f"warta crawl: error: --since {args.since} is after --until {args.until}")
    sites = crawl_targets(args)
    require_data_dir("crawl", args.data_dir, write=True)
    preflight("crawl", args.data_dir, args.redis_url)
    runs = run_crawl(
        sites,
        args.data_dir,
        since=args.since and args.since.isoformat(),
        until=args.until and args.until.isoformat(),
        base_url=args.base_url,
        limit=args.limit,
        refetch=args.refetch,
        overrides=dict(args.settings),
        redis_url=args.redis_url,
        verbosity=args.verbosity,
    )
    codes, shown = [], False
    for run in runs:  # a line a site; the exit status is the worst of them
        profile = load_sites().get(run.site)
        target = args.base_url or profile.origin or profile.home
        code, message = crawl_outcome(run.summary, distributed=bool(args.redis_url), target=target)
        codes.append(code)
        # An unreachable site, or one that answered only with challenge pages, is its one line.
        if unreachable(run.summary) is None and challenged(run.summary) is None:
            print(run.line, flush=True)
            shown = True
        if message:
            print(f"warta crawl: {run.site + ': ' if len(runs) > 1 else ''}{message}", file=sys.stderr)
    if shown and not runs[0].scheduled:
        say(args, f"log: {runs[0].log}")
    return max(codes, default=0)


# A crawl's discovery failures (`warta/dropped/discovery_<reason>`) as the reader says them.
# Scrapy 2.19's own exception names, where the spider does not shorten them, are here too.
UNREACHABLE = {
    "connection_refused": "connection refused",
    "dns": "host name not found (DNS)",
    "cannotresolvehosterror": "host name not found (DNS)",
    "timeout": "no answer (timed out)",
    "no_response": "the connection closed without a response",
    "downloadfailederror": "the connection failed",
    "responsedatalosserror": "the connection failed",
}


def unreachable(summary: dict) -> str | None:
    """Why the site could not be reached at all, or None: judged from the stats (no response,
    and discovery requests that failed), not from Scrapy's exit code."""
    if summary.get("pages"):
        return None
    reasons = [key.removeprefix("discovery_") for key in summary.get("dropped", {}) if key.startswith("discovery_")]
    if not reasons:
        return None
    return ", ".join(dict.fromkeys(UNREACHABLE.get(r, r.replace("_", " ")) for r in reasons))


def crawl_outcome(summary: dict, distributed: bool, target: str = "the site") -> tuple[int, str | None]:
    """Exit code and message of a finished crawl."""
    from crawler.distributed.mode import worker_problem
    from pipeline.monitor.runs import challenged

    if summary.get("unwritten"):
        return 1, f"could not stage {summary['unwritten']} articles: {summary.get('staging_error')}"
    if problem := worker_problem(summary["finish_reason"], summary.get("distributed") or {}):
        return 1, problem  # the shared queue cut the crawl short, or left requests without outcome
    if summary["pages"] == 0 and distributed and summary["requests"] == 0:
        # This worker started after the others had taken every request: they fetch the rest.
        return 0, "nothing was left to fetch in the shared run: the other workers had every request"
    if reason := unreachable(summary):
        return 1, f"could not reach {target}: {reason}"
    if why := challenged(summary):  # pages came, but only challenges: no empty success
        return 1, f"{target} {why}"
    if summary["finish_reason"] not in ("finished", "limit"):
        return 1, f"stopped early ({summary['finish_reason']})"
    if summary["pages"] == 0:
        return 1, "no page could be fetched"
    return 0, None

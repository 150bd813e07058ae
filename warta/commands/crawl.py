"""The handlers of `warta crawl`, `snapshot`, `parse`, `demo` and `report` (the parser of
`warta.cli` picks them), and how a finished crawl is judged: its exit code and message."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import date, datetime

from extract.profiles import PROFILES
from warta.datadir_checks import require_data_dir
from warta.output import NORMAL, log_to_terminal, say


def _preflight(command: str, data_dir: str, redis_url: str | None) -> None:
    from crawler.distributed.mode import preflight

    if problem := preflight(data_dir, redis_url):
        raise SystemExit(f"warta {command}: error: {problem}")


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def cmd_crawl(args) -> int:
    from pipeline.monitor.runs import challenged
    from warta.crawl_process import run_crawl

    if args.until and not args.since:
        raise SystemExit("warta crawl: error: --until needs --since")
    if args.since and args.until and args.since > args.until:
        raise SystemExit(f"warta crawl: error: --since {args.since} is after --until {args.until}")
    require_data_dir("crawl", args.data_dir, write=True)
    _preflight("crawl", args.data_dir, args.redis_url)
    run = run_crawl(
        args.site,
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
    target = args.base_url or PROFILES[args.site].origin
    code, message = crawl_outcome(run.summary, distributed=bool(args.redis_url), target=target)
    # An unreachable site, or one that answered only with challenge pages, is its one line.
    if unreachable(run.summary) is None and challenged(run.summary) is None:
        print(run.line, flush=True)
        if not run.scheduled:
            say(args, f"log: {run.log}")
    if message:
        print(f"warta crawl: {message}", file=sys.stderr)
    return code


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


def cmd_snapshot(args) -> int:
    from pipeline.snapshots.build import build
    from pipeline.snapshots.lock import BuildLocked
    from pipeline.store.partitions import verify
    from warta.progress import ProgressBar

    require_data_dir("snapshot", args.data_dir, write=not args.verify, must_exist=True)
    log_to_terminal(args.verbosity, logging.WARNING)
    if args.verify:
        checked, problems = verify(args.data_dir)
        for problem in problems:
            print(problem)
        if not checked and not problems:  # nothing checked is not "OK"
            from pipeline.store.datadir import DataDir

            print(
                f"verify: no snapshots in {DataDir(args.data_dir).store.arrow(DataDir.SNAPSHOTS)[0]}", file=sys.stderr
            )
            return 1
        print(f"verify: {checked} partitions checked, {'OK' if not problems else f'{len(problems)} problem(s)'}")
        return 1 if problems else 0
    if args.repair:
        from warta.commands.reparse import cmd_repair

        return cmd_repair(args.data_dir)
    _preflight("snapshot", args.data_dir, args.redis_url)
    bar = ProgressBar("snapshot", enabled=args.verbosity == NORMAL)
    try:
        # Named dates are rebuilt even with nothing new staged (learned boilerplate, schema).
        report = build(
            args.data_dir,
            dates=set(args.date) if args.date else None,
            rebuild_all=args.all or bool(args.date),
            progress=bar.update,
            redis_url=args.redis_url,
        )
    except BuildLocked as exc:
        print(f"warta snapshot: {exc}", file=sys.stderr)
        return 1
    bar.close()
    print(
        f"snapshot: {report.partitions_written} partitions written, {report.partitions_unchanged} unchanged, "
        f"{report.rows} rows; {report.staged_records} staged records ({report.new_articles} new, "
        f"{report.updated_articles} updated); torn lines skipped: {report.torn_lines}, "
        f"undated: {report.undated}, rejected: {report.rejected}"
    )
    if report.rejected:
        print(
            f"snapshot: {report.rejected} staged records could not be articles; quarantined in "
            f"{', '.join(report.rejects)}",
            file=sys.stderr,
        )
    for problem in report.problems:
        print(f"snapshot: {problem}", file=sys.stderr)
    for line in report.lowered:
        print(f"snapshot: {line}", file=sys.stderr)
    return 1 if report.problems or report.lost else 0


def _read_page(path: str, cap: int) -> bytes:
    """A saved page, read as the crawl reads an answer: at most `cap` bytes, a larger or endless
    file (/dev/zero, a pipe that never ends) refused after `cap` + 1; a FIFO without a writer
    reads as empty instead of blocking the open."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(fd, True)  # only the open must not wait for a writer
        with open(fd, "rb") as fh:
            html = fh.read(cap + 1)
    except OSError as exc:
        raise SystemExit(f"warta parse: error: cannot read {path}: {exc.strerror}") from None
    return html


def cmd_parse(args) -> int:
    from crawler.pipelines.time_limit import PageTimeout, page_time_limit
    from crawler.settings import DOWNLOAD_MAXSIZE, PARSE_PAGE_TIMEOUT
    from extract.parse import NotAnArticle, parse_page
    from extract.profiles import get_profile, profile_for_url
    from warta.commands.reparse import archived_page, warc_page

    mirror, url, site, canonical = None, args.url, args.site, args.url
    if args.from_archive:
        html, url, archived_site, mirror = archived_page(args.data_dir, args.from_archive)
        site = site or archived_site
    elif not args.file:
        raise SystemExit("warta parse: error: give a FILE or --from-archive ID")
    elif args.file.endswith((".warc", ".warc.gz")):
        if not args.url:
            return parse_warc_file(args.file, args.site, args.explain)
        html, url, mirror, canonical = warc_page(args.file, args.url)
    else:
        if not url:
            raise SystemExit("warta parse: error: --url is required with an HTML file")
        html = _read_page(args.file, DOWNLOAD_MAXSIZE)
    if len(html) > DOWNLOAD_MAXSIZE:
        what = args.file or f"the archived page of {args.from_archive}"
        raise SystemExit(f"warta parse: error: {what} is over {DOWNLOAD_MAXSIZE // 2**20} MiB (the crawl's cap)")
    profile = get_profile(site) if site else profile_for_url(canonical or url)
    try:
        with page_time_limit(PARSE_PAGE_TIMEOUT):
            result = parse_page(html, url, profile, mirror=mirror)
    except NotAnArticle as exc:
        print(f"warta parse: not an article: {exc}", file=sys.stderr)
        return 1
    except PageTimeout:
        raise SystemExit(f"warta parse: error: the parse of {url} took over {PARSE_PAGE_TIMEOUT:g} s") from None
    print(json.dumps(parse_output(result, args.explain), default=_json_default, ensure_ascii=False, indent=2))
    return 0


def parse_output(result, explain: bool) -> dict:
    """What `warta parse` prints of a parsed page: the article's columns, or with `explain` also
    the extraction path, each field's source and what each cleaning rule removed."""
    out = dict(vars(result.article))
    if not explain:
        return out
    return {
        "article": out,
        "path": result.path,
        "sources": result.sources,
        "removed": [{"rule": rule, "text": text} for rule, text in result.removed],
    }


def parse_warc_file(path: str, site: str | None, explain: bool) -> int:
    """Every response record of a WARC file, one JSON line each (JSON Lines): its article, or
    `{"url", "error"}`; then `parsed N of M records` on stderr. Exit 0 when at least one record
    was an article: a crawl's raw archive holds some pages that were not, and that is no failure."""
    from crawler.pipelines.time_limit import PageTimeout, page_time_limit
    from crawler.settings import DOWNLOAD_MAXSIZE, PARSE_PAGE_TIMEOUT
    from extract.parse import NotAnArticle, parse_page
    from extract.profiles import get_profile, profile_for_url
    from warta.commands.reparse import warc_records

    parsed = total = 0
    for raw in warc_records(path):
        total += 1
        url = raw.page.canonical or raw.page.url
        try:
            if len(raw.page.body) > DOWNLOAD_MAXSIZE:
                raise NotAnArticle("too_large", f"over {DOWNLOAD_MAXSIZE // 2**20} MiB (the crawl's cap)")
            profile = get_profile(site) if site else profile_for_url(url)
            with page_time_limit(PARSE_PAGE_TIMEOUT):
                page = raw.page
                result = parse_page(page.body, page.url, profile, mirror=raw.mirror, crawled_at=page.fetched_at)
        except NotAnArticle as exc:
            line = {"url": url, "error": f"not an article: {exc}"}
        except PageTimeout:
            line = {"url": url, "error": f"the parse took over {PARSE_PAGE_TIMEOUT:g} s"}
        except Exception as exc:  # noqa: BLE001 (a parser bug costs one record, not the file)
            line = {"url": url, "error": f"parser failed: {type(exc).__name__}: {exc}"}
        else:
            parsed += 1
            line = parse_output(result, explain)
        print(json.dumps(line, default=_json_default, ensure_ascii=False))
    sys.stdout.flush()
    print(f"warta parse: parsed {parsed} of {total} records as articles", file=sys.stderr)
    return 0 if parsed else 1


def cmd_demo(args) -> int:
    from warta.demo import run_demo, serve_demo

    if args.serve is not None:
        return serve_demo(args.serve, args.verbosity)
    require_data_dir("demo", args.data_dir, write=True)
    return run_demo(args.data_dir, args.verbosity)


def cmd_report(args) -> int:
    from warta.report import write_report

    require_data_dir("report", args.data_dir, write=args.output is None, must_exist=True)
    try:
        path, problems = write_report(args.data_dir, args.output)
    except OSError as exc:
        raise SystemExit(f"warta report: error: cannot write {exc.filename or args.output}: {exc.strerror}") from None
    if problems:  # like `warta schedule status`: a cron job or a CI step sees them
        print(f"report written to {path}; {len(problems)} problem{'s' if len(problems) > 1 else ''} (see the report)")
        return 1
    print(f"report written to {path}")
    return 0

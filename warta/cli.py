"""`warta` command line. A wrong argument exits 2 with a one-line reason."""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path

from crawler.extract.dates import parse_day
from crawler.extract.profiles import PROFILES
from crawler.extract.urls import http_origin


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _day(text: str) -> date:
    try:
        return parse_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _site(text: str) -> str:
    if text not in PROFILES:
        raise argparse.ArgumentTypeError(f"unknown site {text!r} (known: {', '.join(sorted(PROFILES))})")
    return text


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(text)


def _url(text: str) -> str:
    try:
        http_origin(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def default_data_dir() -> str:
    return os.environ.get("WARTA_DATA_DIR", "data")


def _redis_url(text: str) -> str:
    from crawler.shared_queue import redis_url_error

    if problem := redis_url_error(text):
        raise argparse.ArgumentTypeError(problem)
    return text


def _preflight(command: str, data_dir: str, redis_url: str | None) -> None:
    from crawler.shared_queue import preflight

    if problem := preflight(data_dir, redis_url):
        raise SystemExit(f"warta {command}: error: {problem}")


def _redis_option(p) -> None:
    p.add_argument("--redis-url", type=_redis_url, default=os.environ.get("WARTA_REDIS_URL") or None,
                   help="distributed mode: the Redis server shared by all workers (env WARTA_REDIS_URL)")


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def cmd_crawl(args) -> int:
    from warta.crawl import run_crawl

    if args.until and not args.since:
        raise SystemExit("warta crawl: error: --until needs --since")
    if args.since and args.until and args.since > args.until:
        raise SystemExit(f"warta crawl: error: --since {args.since} is after --until {args.until}")
    _preflight("crawl", args.data_dir, args.redis_url)
    summary = run_crawl(args.site, args.data_dir, since=args.since and args.since.isoformat(),
                        until=args.until and args.until.isoformat(), base_url=args.base_url, limit=args.limit,
                        refetch=args.refetch, redis_url=args.redis_url)
    code, message = crawl_outcome(summary, distributed=bool(args.redis_url))
    if message:
        print(f"warta crawl: {message}", file=sys.stderr)
    return code


def crawl_outcome(summary: dict, distributed: bool) -> tuple[int, str | None]:
    """Exit code and message of a finished crawl."""
    if summary.get("unwritten"):
        return 1, f"could not stage {summary['unwritten']} articles: {summary.get('staging_error')}"
    if summary["finish_reason"] not in ("finished", "closespider_itemcount"):
        return 1, f"stopped early ({summary['finish_reason']})"
    if summary["pages"] == 0 and distributed and summary["requests"] == 0:
        # This worker started after the others had taken every request: they fetch the rest.
        return 0, "nothing was left to fetch in the shared run: the other workers had every request"
    if summary["pages"] == 0:
        return 1, "no page could be fetched"
    return 0, None


def cmd_snapshot(args) -> int:
    from pipeline.partitions import verify
    from pipeline.snapshot import BuildLocked, build
    from warta.progress import ProgressBar

    if args.verify:
        problems = verify(args.data_dir)
        for problem in problems:
            print(problem)
        print(f"verify: {'OK' if not problems else f'{len(problems)} problem(s)'}")
        return 1 if problems else 0
    _preflight("snapshot", args.data_dir, args.redis_url)
    bar = ProgressBar("snapshot")
    try:
        # Named dates are rebuilt even with nothing new staged (learned boilerplate, schema).
        report = build(args.data_dir, dates=set(args.date) if args.date else None,
                       rebuild_all=args.all or bool(args.date), progress=bar.update, redis_url=args.redis_url)
    except BuildLocked as exc:
        print(f"warta snapshot: {exc}", file=sys.stderr)
        return 1
    bar.close()
    print(f"snapshot: {report.partitions_written} partitions written, {report.partitions_unchanged} unchanged, "
          f"{report.rows} rows; {report.staged_records} staged records ({report.new_articles} new, "
          f"{report.updated_articles} updated); torn lines skipped: {report.torn_lines}, "
          f"undated: {report.undated}, rejected: {report.rejected}")
    if report.rejected:
        print(f"snapshot: {report.rejected} staged records could not be articles; quarantined in "
              f"{', '.join(report.rejects)}", file=sys.stderr)
    for problem in report.problems:
        print(f"snapshot: {problem}", file=sys.stderr)
    return 1 if report.problems else 0


def cmd_parse(args) -> int:
    from crawler.extract.parse import NotAnArticle, parse_page
    from crawler.extract.profiles import get_profile, profile_for_url

    try:
        html = Path(args.file).read_bytes()
    except OSError as exc:
        raise SystemExit(f"warta parse: error: cannot read {args.file}: {exc.strerror}") from None
    profile = get_profile(args.site) if args.site else profile_for_url(args.url)
    try:
        result = parse_page(html, args.url, profile)
    except NotAnArticle as exc:
        print(f"warta parse: not an article: {exc}", file=sys.stderr)
        return 1
    out = dict(vars(result.article))
    if args.explain:
        out = {"article": out, "path": result.path, "sources": result.sources,
               "removed": [{"rule": rule, "text": text} for rule, text in result.removed]}
    print(json.dumps(out, default=_json_default, ensure_ascii=False, indent=2))
    return 0


def cmd_demo(args) -> int:
    from warta.demo import run_demo

    return run_demo(args.data_dir)


def cmd_report(args) -> int:
    from warta.report import write_report

    print(f"report written to {write_report(args.data_dir, args.output)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="warta", description="Scheduled news crawling into daily Parquet snapshots.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    p = sub.add_parser("crawl", help="one-off crawl of a site")
    p.add_argument("site", type=_site)
    p.add_argument("--since", type=_day, help="first publication day (WIB), YYYY-MM-DD")
    p.add_argument("--until", type=_day, help="last publication day (WIB), YYYY-MM-DD")
    p.add_argument("--base-url", type=_url, help="fetch from this mirror of the site")
    p.add_argument("--data-dir", default=default_data_dir())
    p.add_argument("--limit", type=_positive, help="stop after N articles")
    p.add_argument("--refetch", action="store_true", help="fetch articles again even if already staged")
    _redis_option(p)
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("snapshot", help="build the daily Parquet snapshots from staging")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--date", type=_day, action="extend", nargs="+", help="only these days (WIB)")
    group.add_argument("--all", action="store_true", help="also rewrite every existing partition")
    group.add_argument("--verify", action="store_true", help="check every partition against its manifest")
    p.add_argument("--data-dir", default=default_data_dir())
    _redis_option(p)
    p.set_defaults(func=cmd_snapshot)

    p = sub.add_parser("parse", help="parse one saved page and print the article as JSON")
    p.add_argument("file")
    p.add_argument("--url", required=True, type=_url)
    p.add_argument("--site", type=_site)
    p.add_argument("--explain", action="store_true", help="show which source answered and what was removed")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("demo", help="crawl the bundled medcom-style site offline and build snapshots")
    p.add_argument("--data-dir", default=os.path.join(default_data_dir(), "demo"))
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("report", help="an HTML page: articles per day and channel, fill-rate history")
    p.add_argument("--data-dir", default=default_data_dir())
    p.add_argument("--output", help="file to write (default DATA/report.html)")
    p.set_defaults(func=cmd_report)

    from warta.schedule_cli import add_schedule_parser

    add_schedule_parser(sub, default_data_dir())

    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

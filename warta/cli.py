"""`warta` command line: the argument parser and the checks of each argument's value. A wrong
argument exits 2 with a one-line reason; the commands themselves are in `warta.commands.crawl`
(and `warta.commands.reparse`, `warta.commands.schedule`)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date

from extract.dates import parse_day
from extract.urls import http_origin
from pipeline.store.datadir import default_location
from warta.commands.crawl import cmd_crawl
from warta.commands.demo import cmd_demo, cmd_report
from warta.commands.parse import cmd_parse
from warta.commands.snapshot import cmd_snapshot
from warta.errors import ENVIRONMENT_ERRORS, closed_pipe, one_line
from warta.output import NORMAL, sites_parent, verbosity_parent, version


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _day(text: str) -> date:
    try:
        return parse_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(text)


def _setting(text: str) -> tuple[str, str]:
    from crawler.overrides import parse_override

    try:
        return parse_override(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}")
    return int(text)


def _url(text: str) -> str:
    try:
        http_origin(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def default_data_dir() -> str:
    return default_location()


def _redis_url(text: str) -> str:
    from crawler.distributed.mode import redis_url_error

    if problem := redis_url_error(text):
        raise argparse.ArgumentTypeError(problem)
    return text


def _redis_option(p) -> None:
    p.add_argument(
        "--redis-url",
        type=_redis_url,
        default=os.environ.get("WARTA_REDIS_URL") or None,
        help="distributed mode: the Redis server shared by all workers (env WARTA_REDIS_URL)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="warta",
        description="Scheduled news crawling into daily Parquet snapshots.",
        parents=[verbosity_parent(default=NORMAL), sites_parent("global_sites")],
    )
    parser.add_argument("--version", action="version", version=f"warta {version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    common = [verbosity_parent(), sites_parent()]

    p = sub.add_parser(
        "crawl", help="one-off crawl of one or more sites, every site, or a site by its URL", parents=common
    )
    p.add_argument(
        "sites_named", nargs="*", metavar="SITE", help="site names (`warta sites list`), or the URL of a site"
    )
    p.add_argument("--all", action="store_true", help="every defined site, in one process")
    p.add_argument("--since", type=_day, help="first publication day (WIB), YYYY-MM-DD")
    p.add_argument("--until", type=_day, help="last publication day (WIB), YYYY-MM-DD")
    p.add_argument("--base-url", type=_url, help="fetch from this mirror of the site")
    p.add_argument("--data-dir", default=default_data_dir())
    p.add_argument("--limit", type=_positive, help="stop after N articles")
    p.add_argument("--refetch", action="store_true", help="fetch articles again even if already staged")
    p.add_argument(
        "-s",
        dest="settings",
        metavar="NAME=VALUE",
        type=_setting,
        action="append",
        default=[],
        help="set a crawl setting (docs/settings.md), as scrapy crawl -s; may be repeated",
    )
    _redis_option(p)
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("snapshot", parents=common, help="build the daily Parquet snapshots from staging")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--date", type=_day, action="extend", nargs="+", help="only these days (WIB)")
    group.add_argument("--all", action="store_true", help="also rewrite every existing partition")
    group.add_argument("--verify", action="store_true", help="check every partition against its manifest")
    group.add_argument(
        "--repair",
        action="store_true",
        help="rebuild missing, unreadable or mismatching partitions from the raw archive",
    )
    p.add_argument("--data-dir", default=default_data_dir())
    _redis_option(p)
    p.set_defaults(func=cmd_snapshot)

    p = sub.add_parser(
        "parse", parents=common, help="parse one saved page (HTML or WARC) and print the article as JSON"
    )
    p.add_argument("file", nargs="?", help="a saved HTML page, or a WARC file (.warc, .warc.gz)")
    p.add_argument("--url", type=_url, help="the page's URL (for a WARC file: that record only, else all)")
    p.add_argument("--from-archive", metavar="ID", help="the latest archived response of this article id")
    p.add_argument("--data-dir", default=default_data_dir())
    p.add_argument("--site", help="parse as this site's page (default: the site whose hosts serve the URL)")
    p.add_argument("--explain", action="store_true", help="show which source answered and what was removed")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("demo", parents=common, help="crawl the bundled medcom-style site offline and build snapshots")
    p.add_argument("--data-dir", default=os.path.join(default_data_dir(), "demo"))
    p.add_argument(
        "--serve",
        nargs="?",
        const=8000,
        type=_port,
        metavar="PORT",
        help="only serve the site on 127.0.0.1:PORT (default 8000; 0: any free port) until Ctrl-C",
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("report", parents=common, help="an HTML page: articles per day and channel, fill-rate history")
    p.add_argument("--data-dir", default=default_data_dir())
    p.add_argument("--output", help="file to write (default DATA/report.html)")
    p.set_defaults(func=cmd_report)

    from warta.commands.reparse import add_archive_commands
    from warta.commands.schedule import add_schedule_parser

    add_archive_commands(sub, default_data_dir(), _day, common)

    add_schedule_parser(sub, default_data_dir(), common)

    return parser


def use_site_folders(args) -> None:
    """`--sites DIR` (before or after the command) joins WARTA_SITES for this process and the
    crawls, workers and jobs it starts; a bad site file is one line and exit 2."""
    from extract.sites import SiteFileError, load_sites
    from warta.commands.preflight import usage_error

    folders = [*getattr(args, "global_sites", []), *getattr(args, "sites", [])]
    if folders:
        known = [d for d in os.environ.get("WARTA_SITES", "").split(os.pathsep) if d]
        os.environ["WARTA_SITES"] = os.pathsep.join([*known, *(os.path.abspath(d) for d in folders)])
    try:
        load_sites()
    except SiteFileError as exc:
        usage_error(args.command, str(exc))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    use_site_folders(args)
    try:
        return args.func(args)
    except BrokenPipeError:
        return closed_pipe()
    except ENVIRONMENT_ERRORS as exc:
        print(f"warta {args.command}: error: {one_line(exc, getattr(args, 'data_dir', None))}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

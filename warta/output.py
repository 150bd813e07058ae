"""What every command shows on the terminal, alike: -q / -v, times in WIB, the version.

Default: progress (on a terminal) and the summary; the log of the work (Scrapy's, the
scheduler's) goes to a log file, or stays quiet. -q: errors and the one-line summary only.
-v: the log on the terminal too.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime
from importlib import metadata

from pipeline.monitor.health import WIB, wib  # one definition of how times are shown

QUIET, NORMAL, VERBOSE = -1, 0, 1
LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"


def version() -> str:
    try:
        return metadata.version("warta")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def verbosity_parent(default=argparse.SUPPRESS) -> argparse.ArgumentParser:
    """The -q / -v options, for every command's parser (`parents=[...]`) and for `warta` itself
    (`warta -q crawl ...`): a command's parser leaves the value alone unless given there."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_mutually_exclusive_group()
    group.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=QUIET,
        default=default,
        help="only errors and the one-line summary",
    )
    group.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=VERBOSE,
        default=default,
        help="also show the log (Scrapy's, the scheduler's) on the terminal",
    )
    return parent


def sites_parent(dest: str = "sites") -> argparse.ArgumentParser:
    """`--sites DIR`: a folder of the user's site definitions (may be repeated; added to
    WARTA_SITES, and overriding shipped sites of the same name)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--sites",
        dest=dest,
        metavar="DIR",
        action="append",
        default=[],
        help="a folder of your own site definitions (docs/sites.md); also WARTA_SITES",
    )
    return parent


class WibFormatter(logging.Formatter):
    """Log lines stamped in WIB, labelled, like every other time warta shows."""

    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's naming)
        return wib(datetime.fromtimestamp(record.created, WIB))


def log_to_terminal(verbosity: int, normal: int = logging.WARNING) -> None:
    """Log records on stderr: `normal` and up by default, one step less with -v, more with -q."""
    level = {QUIET: max(normal, logging.WARNING), NORMAL: normal, VERBOSE: max(logging.DEBUG, normal - 10)}[verbosity]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(WibFormatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])


def say(args, text: str) -> None:
    """A line of the default output, which -q leaves out."""
    if getattr(args, "verbosity", NORMAL) > QUIET:
        print(text, flush=True)

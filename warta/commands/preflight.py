"""What every command that writes checks before it starts: Redis (distributed mode) and the data dir."""

from __future__ import annotations

import sys
from typing import NoReturn


def preflight(command: str, data_dir: str, redis_url: str | None) -> None:
    from crawler.distributed.mode import preflight

    if problem := preflight(data_dir, redis_url):
        raise SystemExit(f"warta {command}: error: {problem}")


def require_site(command: str, name: str | None) -> None:
    """An unknown site name is one line and exit 2, naming the known ones."""
    from extract.sites import load_sites

    sites = load_sites()
    if name is not None and name not in sites:
        usage_error(command, f"unknown site {name!r} (known: {', '.join(sites.names())})")


def usage_error(command: str, message: str) -> NoReturn:
    """A wrong argument: one line, exit 2 (as argparse's own)."""
    print(f"warta {command}: error: {message}", file=sys.stderr)
    raise SystemExit(2)

"""A data dir the command cannot use is a one-line error naming it, before any work starts
(not a traceback from deep inside a crawl, nor "verify: OK" on a folder that isn't there).

Only local folders are checked here; an object store's problems (bucket, credentials) are
found by the write probe of `crawler.distributed.mode.preflight`.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from pipeline.store.datadir import is_remote


class UnusableDataDir(Exception):
    pass


def require_data_dir(command: str, location: str | os.PathLike, *, write: bool, must_exist: bool = False) -> None:
    """`check_data_dir`; a refusal ends the command with `warta COMMAND: error: <why>`."""
    try:
        check_data_dir(location, write=write, must_exist=must_exist)
    except UnusableDataDir as exc:
        raise SystemExit(f"warta {command}: error: {exc}") from None


def check_data_dir(location: str | os.PathLike, *, write: bool, must_exist: bool) -> None:
    """UnusableDataDir with the reason when `location` is a file, missing although the command
    only reads it, or not writable (creating it if missing) although the command writes."""
    if is_remote(location):
        return
    path = Path(str(location).removeprefix("file://"))
    if path.exists() and not path.is_dir():
        raise UnusableDataDir(f"data dir {path} is a file, not a directory")
    if not path.exists():
        if must_exist or not write:
            raise UnusableDataDir(f"data dir {path} does not exist")
        _create(path)
    if write:
        _probe(path)


def _create(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UnusableDataDir(f"data dir {path} cannot be created: {exc.strerror or exc}") from None


def _probe(path: Path) -> None:
    """Writes and removes a file: permission bits say nothing to root or on a read-only mount."""
    probe = path / f".warta-probe-{uuid.uuid4().hex[:8]}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UnusableDataDir(f"data dir {path} is not writable: {exc.strerror or exc}") from None
